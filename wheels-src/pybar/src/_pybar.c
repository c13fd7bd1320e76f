/* Consumer extension of libbar (which itself needs libfoo): the two-level chain. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "bar.h"

static PyObject *identity(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyUnicode_FromString(bar_identity());
}

static PyObject *foo_identity(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyUnicode_FromString(bar_foo_identity());
}

static PyMethodDef methods[] = {
    {"identity", identity, METH_NOARGS, "The identity string of the libbar copy this extension is bound to."},
    {"foo_identity", foo_identity, METH_NOARGS, "The identity string of the libfoo copy libbar is bound to."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pybar", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pybar(void) { return PyModule_Create(&module); }
