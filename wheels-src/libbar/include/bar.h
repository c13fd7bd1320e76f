/* Public API of libbar: a native library that itself depends on libfoo (the two-level chain). */
#ifndef BAR_H
#define BAR_H

#if defined(_WIN32)
#  if defined(BAR_BUILDING)
#    define BAR_API __declspec(dllexport)
#  else
#    define BAR_API __declspec(dllimport)
#  endif
#else
#  define BAR_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* "libbar <version> <flavor>". */
BAR_API const char *bar_identity(void);

/* foo_identity() as libbar sees it: which libfoo copy libbar is bound to. */
BAR_API const char *bar_foo_identity(void);

#ifdef __cplusplus
}
#endif

#endif
