/* Consumer extension of one clash producer: value() reports which clash_value() it is bound to. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "clash.h"

static PyObject *value(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyUnicode_FromString(clash_value());
}

static PyMethodDef methods[] = {
    {"value", value, METH_NOARGS, "clash_value() as this extension resolves it."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pyclash", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pyclash(void) { return PyModule_Create(&module); }
