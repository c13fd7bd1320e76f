#include "foo.h"

/* LIBFOO_IDENTITY is set by CMake from the version and the flavor of this build. */
const char *foo_identity(void) { return LIBFOO_IDENTITY; }

int foo_answer(void) { return 42; }
