/* util/buf.h: a growable byte buffer, also used as a string builder.
 * A struct lk_buf owns its bytes; lk_buf_free() releases them, lk_buf_detach() hands them
 * to the caller. The bytes are always followed by a NUL (not counted in len), so data is a
 * C string whenever no NUL was appended. Growth aborts on out of memory (xmalloc).
 * Not thread-safe: one buffer, one owner. A zeroed struct is an empty buffer. */
#ifndef LK_UTIL_BUF_H
#define LK_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lk_buf {
	char *data;
	size_t len;
	size_t cap;
};

#define LK_BUF_INIT { .data = NULL, .len = 0, .cap = 0 }

void lk_buf_init(struct lk_buf *b);
void lk_buf_free(struct lk_buf *b);
/* Makes room for at least `extra` more bytes (plus the NUL) without changing len. */
void lk_buf_reserve(struct lk_buf *b, size_t extra);
void lk_buf_append(struct lk_buf *b, const void *data, size_t len);
void lk_buf_append_str(struct lk_buf *b, const char *s);
void lk_buf_append_byte(struct lk_buf *b, uint8_t byte);
void lk_buf_printf(struct lk_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void lk_buf_vprintf(struct lk_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal, quotes included, escaping as RFC 8259 requires. */
void lk_buf_append_json_string(struct lk_buf *b, const char *s, size_t len);
/* Empties the buffer and keeps its memory for reuse. */
void lk_buf_reset(struct lk_buf *b);
/* Shortens the buffer to len bytes (len must not exceed the current length). */
void lk_buf_truncate(struct lk_buf *b, size_t len);
/* Returns the contents as a C string (never NULL, "" when empty). */
const char *lk_buf_cstr(struct lk_buf *b);
/* Returns the heap string and leaves b empty; the caller frees it. Never NULL. */
char *lk_buf_detach(struct lk_buf *b);

#endif
