#include "bar.h"

#include "foo.h"

const char *bar_identity(void) { return LIBBAR_IDENTITY; }

const char *bar_foo_identity(void) { return foo_identity(); }
