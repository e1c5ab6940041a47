/* util/buf.c: the growable byte buffer (see buf.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/xmalloc.h"

enum { LK_BUF_MIN_CAPACITY = 64 };

void lk_buf_init(struct lk_buf *b)
{
	b->data = NULL;
	b->len = 0;
	b->cap = 0;
}

void lk_buf_free(struct lk_buf *b)
{
	free(b->data);
	lk_buf_init(b);
}

void lk_buf_reserve(struct lk_buf *b, size_t extra)
{
	if (extra > SIZE_MAX - b->len - 1)
		xmalloc_oom("buffer growth (size overflow)", 1, extra);
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : LK_BUF_MIN_CAPACITY;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->data = xrealloc(b->data, cap);
	b->cap = cap;
}

void lk_buf_append(struct lk_buf *b, const void *data, size_t len)
{
	lk_buf_reserve(b, len);
	if (len > 0)
		memcpy(b->data + b->len, data, len);
	b->len += len;
	b->data[b->len] = '\0';
}

void lk_buf_append_str(struct lk_buf *b, const char *s)
{
	lk_buf_append(b, s, strlen(s));
}

void lk_buf_append_byte(struct lk_buf *b, uint8_t byte)
{
	lk_buf_reserve(b, 1);
	b->data[b->len++] = (char)byte;
	b->data[b->len] = '\0';
}

void lk_buf_vprintf(struct lk_buf *b, const char *fmt, va_list ap)
{
	va_list copy;
	va_copy(copy, ap);
	char small[256];
	int len = vsnprintf(small, sizeof small, fmt, copy);
	va_end(copy);
	if (len < 0)
		return;
	if ((size_t)len < sizeof small) {
		lk_buf_append(b, small, (size_t)len);
		return;
	}
	lk_buf_reserve(b, (size_t)len);
	vsnprintf(b->data + b->len, (size_t)len + 1, fmt, ap);
	b->len += (size_t)len;
}

void lk_buf_printf(struct lk_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	lk_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void lk_buf_append_json_string(struct lk_buf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	lk_buf_reserve(b, len + 2);
	lk_buf_append_byte(b, '"');
	size_t run = 0; /* bytes copied verbatim since the last escape */
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		lk_buf_append(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': lk_buf_append(b, "\\\"", 2); break;
		case '\\': lk_buf_append(b, "\\\\", 2); break;
		case '\n': lk_buf_append(b, "\\n", 2); break;
		case '\r': lk_buf_append(b, "\\r", 2); break;
		case '\t': lk_buf_append(b, "\\t", 2); break;
		case '\b': lk_buf_append(b, "\\b", 2); break;
		case '\f': lk_buf_append(b, "\\f", 2); break;
		default: {
			char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };
			lk_buf_append(b, esc, sizeof esc);
		}
		}
	}
	lk_buf_append(b, s + run, len - run);
	lk_buf_append_byte(b, '"');
}

void lk_buf_reset(struct lk_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

void lk_buf_truncate(struct lk_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->data[len] = '\0';
}

const char *lk_buf_cstr(struct lk_buf *b)
{
	return b->data ? b->data : "";
}

char *lk_buf_detach(struct lk_buf *b)
{
	char *p = b->data ? b->data : xstrdup("");
	lk_buf_init(b);
	return p;
}
