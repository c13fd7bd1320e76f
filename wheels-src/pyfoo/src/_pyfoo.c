/* The consumer extension: calls into libfoo through an ordinary link-time dependency. */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include "foo.h"

static PyObject *identity(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyUnicode_FromString(foo_identity());
}

static PyObject *answer(PyObject *self, PyObject *unused) {
    (void)self;
    (void)unused;
    return PyLong_FromLong(foo_answer());
}

static PyMethodDef methods[] = {
    {"identity", identity, METH_NOARGS, "The identity string of the libfoo copy this extension is bound to."},
    {"answer", answer, METH_NOARGS, "foo_answer() computed by libfoo."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {PyModuleDef_HEAD_INIT, "_pyfoo", NULL, -1, methods};

PyMODINIT_FUNC PyInit__pyfoo(void) { return PyModule_Create(&module); }
