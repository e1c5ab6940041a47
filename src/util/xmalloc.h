/* util/xmalloc.h: allocation that never returns NULL.
 * Every function here either succeeds or prints "lakesync: out of memory ..." to stderr and
 * aborts: an allocation failure is not an error a caller can act on, so no caller checks.
 * Sizes that overflow (nmemb * size) abort the same way instead of allocating too little.
 * Thread-safe. Free the results with free(). */
#ifndef LK_UTIL_XMALLOC_H
#define LK_UTIL_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t maxlen);
void *xmemdup(const void *p, size_t size);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
/* Prints the out-of-memory message for `what` and aborts; for sizes computed elsewhere. */
_Noreturn void xmalloc_oom(const char *what, size_t nmemb, size_t size);

#endif
