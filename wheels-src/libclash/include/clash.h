/* Public API of libclash<N>: every build exports the SAME symbol name clash_value(),
 * with a different result ("a", "b"), to show what RTLD_GLOBAL interposition does. */
#ifndef CLASH_H
#define CLASH_H

#if defined(_WIN32)
#  if defined(CLASH_BUILDING)
#    define CLASH_API __declspec(dllexport)
#  else
#    define CLASH_API __declspec(dllimport)
#  endif
#else
#  define CLASH_API __attribute__((visibility("default")))
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The clashing symbol: "a" from libclasha, "b" from libclashb. */
CLASH_API const char *clash_value(void);

#ifdef __cplusplus
}
#endif

#endif
