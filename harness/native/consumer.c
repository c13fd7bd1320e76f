/* A consumer library of libfoo for the native probe: an ordinary dependency on the
 * producer (DT_NEEDED libfoo.so.1 / an import of foo.dll) and one function that calls
 * through it, so the probe sees which copy of the producer the loader bound. */
#include "foo.h"

#if defined(_WIN32)
#define CONSUMER_API __declspec(dllexport)
#else
#define CONSUMER_API __attribute__((visibility("default")))
#endif

CONSUMER_API const char *consumer_foo_identity(void) { return foo_identity(); }
