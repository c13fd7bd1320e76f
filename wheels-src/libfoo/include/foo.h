/* Public API of libfoo, the example producer library. */
#ifndef FOO_H
#define FOO_H

#if defined(_WIN32)
#  if defined(FOO_BUILDING)
#    define FOO_API __declspec(dllexport)
#  else
#    define FOO_API __declspec(dllimport)
#  endif
#else
#  define FOO_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* "libfoo <version> <flavor>": tells a probe which copy of the library answered. */
FOO_API const char *foo_identity(void);

/* A value consumers compute with, so a test can see the library really runs. */
FOO_API int foo_answer(void);

#ifdef __cplusplus
}
#endif

#endif
