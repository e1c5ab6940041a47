/* util/xmalloc.c: the allocation wrappers that abort on failure (see xmalloc.h). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/xmalloc.h"

/* The one place in lakesync that may abort below the CLI: out of memory is not recoverable. */
_Noreturn void xmalloc_oom(const char *what, size_t nmemb, size_t size)
{
	fprintf(stderr, "lakesync: out of memory: %s of %zu x %zu bytes failed\n", what, nmemb,
		size);
	abort();
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (p == NULL)
		xmalloc_oom("malloc", 1, size);
	return p;
}

void *xcalloc(size_t nmemb, size_t size)
{
	if (nmemb != 0 && size > SIZE_MAX / nmemb)
		xmalloc_oom("calloc (size overflow)", nmemb, size);
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);
	if (p == NULL)
		xmalloc_oom("calloc", nmemb, size);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (p == NULL)
		xmalloc_oom("realloc", 1, size);
	return p;
}

void *xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (nmemb != 0 && size > SIZE_MAX / nmemb)
		xmalloc_oom("reallocarray (size overflow)", nmemb, size);
	return xrealloc(ptr, nmemb * size);
}

char *xstrdup(const char *s)
{
	return xmemdup(s, strlen(s) + 1);
}

char *xstrndup(const char *s, size_t maxlen)
{
	size_t len = strnlen(s, maxlen);
	char *p = xmalloc(len + 1);
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void *xmemdup(const void *src, size_t size)
{
	void *p = xmalloc(size);
	if (size > 0)
		memcpy(p, src, size);
	return p;
}

char *xvasprintf(const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	int len = vsnprintf(NULL, 0, fmt, copy);
	va_end(copy);
	if (len < 0)
		xmalloc_oom("vasprintf (bad format)", 1, 0);
	char *p = xmalloc((size_t)len + 1);
	vsnprintf(p, (size_t)len + 1, fmt, ap);
	return p;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *p = xvasprintf(fmt, ap);
	va_end(ap);
	return p;
}
