#include "clash.h"

/* CLASH_VALUE, CLASH_IDENTITY_FN and CLASH_IDENTITY come from CMake (CLASH_NAME). */
const char *clash_value(void) { return CLASH_VALUE; }

CLASH_API const char *CLASH_IDENTITY_FN(void) { return CLASH_IDENTITY; }
