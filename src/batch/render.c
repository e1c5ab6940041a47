/* batch/render.c: renders batch values as JSON text, the one format shared by
 * `lakesync inspect` and the JSONB values written to PostgreSQL (doc/value-format.md).
 * Every rule lives in one function per type below; nothing here allocates per value beyond
 * the output buffer (and a small scratch buffer for map keys). */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "util/clock.h"

enum {
	DECIMAL_MAX_BYTES = 128, /* longer unscaled values (no real precision) render as hex */
	NUMBER_TEXT_MAX = 48,
};

static void render_u64(struct lk_buf *out, uint64_t v)
{
	lk_buf_printf(out, "%llu", (unsigned long long)v);
}

static void render_i64(struct lk_buf *out, int64_t v)
{
	lk_buf_printf(out, "%lld", (long long)v);
}

/* Non-finite floats are strings, since JSON has no token for them. */
static bool render_non_finite(struct lk_buf *out, double v)
{
	if (isnan(v))
		lk_buf_append_str(out, "\"NaN\"");
	else if (isinf(v))
		lk_buf_append_str(out, v > 0 ? "\"Infinity\"" : "\"-Infinity\"");
	else
		return false;
	return true;
}

/* Writes v in plain decimal notation when its exponent is in [-6, 21) (as JavaScript
 * does), else as d.ddde+XX, from the shortest %e form that reads back as v. */
static void render_shortest(struct lk_buf *out, double v, bool single)
{
	char text[NUMBER_TEXT_MAX];
	int max_precision = single ? 9 : 17;
	for (int precision = 1; precision <= max_precision; precision++) {
		snprintf(text, sizeof text, "%.*e", precision - 1, v);
		if (single ? strtof(text, NULL) == (float)v : strtod(text, NULL) == v)
			break;
	}
	const char *p = text;
	if (*p == '-') {
		lk_buf_append_byte(out, '-');
		p++;
	}
	char digits[NUMBER_TEXT_MAX];
	size_t n = 0;
	for (; *p && *p != 'e'; p++)
		if (*p != '.')
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	int exponent = *p == 'e' ? atoi(p + 1) : 0;
	if (exponent >= 21 || exponent < -6) {
		lk_buf_append_byte(out, digits[0]);
		if (n > 1) {
			lk_buf_append_byte(out, '.');
			lk_buf_append(out, digits + 1, n - 1);
		}
		lk_buf_printf(out, "e%+d", exponent);
	} else if (exponent >= 0) {
		size_t whole = (size_t)exponent + 1;
		for (size_t i = 0; i < whole; i++)
			lk_buf_append_byte(out, i < n ? digits[i] : '0');
		if (n > whole) {
			lk_buf_append_byte(out, '.');
			lk_buf_append(out, digits + whole, n - whole);
		}
	} else {
		lk_buf_append_str(out, "0.");
		for (int i = -1; i > exponent; i--)
			lk_buf_append_byte(out, '0');
		lk_buf_append(out, digits, n);
	}
}

static void render_double(struct lk_buf *out, double v)
{
	if (!render_non_finite(out, v))
		render_shortest(out, v, false);
}

static void render_float(struct lk_buf *out, float v)
{
	if (!render_non_finite(out, v))
		render_shortest(out, v, true);
}

/* digits (most significant first, no sign) with the decimal point `scale` from the right */
static void render_decimal_digits(struct lk_buf *out, bool negative, const char *digits,
				  size_t n_digits, unsigned scale)
{
	lk_buf_append_byte(out, '"');
	if (negative)
		lk_buf_append_byte(out, '-');
	if (n_digits <= scale) {
		lk_buf_append_str(out, "0");
		if (scale > 0) {
			lk_buf_append_byte(out, '.');
			for (size_t i = n_digits; i < scale; i++)
				lk_buf_append_byte(out, '0');
			lk_buf_append(out, digits, n_digits);
		}
	} else {
		lk_buf_append(out, digits, n_digits - scale);
		if (scale > 0) {
			lk_buf_append_byte(out, '.');
			lk_buf_append(out, digits + n_digits - scale, scale);
		}
	}
	lk_buf_append_byte(out, '"');
}

static void render_decimal_i64(struct lk_buf *out, int64_t unscaled, unsigned scale)
{
	bool negative = unscaled < 0;
	uint64_t magnitude = negative ? 0 - (uint64_t)unscaled : (uint64_t)unscaled;
	char digits[24];
	int n = snprintf(digits, sizeof digits, "%llu", (unsigned long long)magnitude);
	if (magnitude == 0)
		negative = false;
	render_decimal_digits(out, negative, digits, (size_t)n, scale);
}

static void render_hex(struct lk_buf *out, const uint8_t *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	lk_buf_reserve(out, len * 2 + 6);
	lk_buf_append_str(out, "\"\\\\x");
	for (size_t i = 0; i < len; i++) {
		char pair[2] = { hex[p[i] >> 4], hex[p[i] & 15] };
		lk_buf_append(out, pair, 2);
	}
	lk_buf_append_byte(out, '"');
}

/* A big-endian two's complement integer of any length, in decimal. */
static void render_decimal_bytes(struct lk_buf *out, const struct lk_bytes *b, unsigned scale)
{
	if (b->len > DECIMAL_MAX_BYTES) {
		render_hex(out, b->ptr, b->len);
		return;
	}
	uint8_t mag[DECIMAL_MAX_BYTES];
	size_t len = b->len;
	memcpy(mag, b->ptr, len);
	bool negative = len > 0 && (mag[0] & 0x80);
	if (negative) { /* two's complement negation */
		unsigned carry = 1;
		for (size_t i = len; i-- > 0;) {
			unsigned v = (uint8_t)~mag[i] + carry;
			mag[i] = (uint8_t)v;
			carry = v >> 8;
		}
	}
	char digits[DECIMAL_MAX_BYTES * 3 + 1];
	size_t n_digits = 0;
	size_t start = 0;
	while (start < len && mag[start] == 0)
		start++;
	while (start < len) { /* divide by 10, collecting remainders */
		unsigned rem = 0;
		for (size_t i = start; i < len; i++) {
			unsigned cur = rem * 256 + mag[i];
			mag[i] = (uint8_t)(cur / 10);
			rem = cur % 10;
		}
		digits[n_digits++] = (char)('0' + rem);
		while (start < len && mag[start] == 0)
			start++;
	}
	if (n_digits == 0) {
		digits[n_digits++] = '0';
		negative = false;
	}
	for (size_t i = 0; i < n_digits / 2; i++) {
		char t = digits[i];
		digits[i] = digits[n_digits - 1 - i];
		digits[n_digits - 1 - i] = t;
	}
	render_decimal_digits(out, negative, digits, n_digits, scale);
}

static void render_date(struct lk_buf *out, int64_t days)
{
	int64_t year;
	unsigned month, day;
	lk_civil_from_days(days, &year, &month, &day);
	if (year >= 0 && year <= 9999)
		lk_buf_printf(out, "\"%04d-%02u-%02u\"", (int)year, month, day);
	else
		lk_buf_printf(out, "\"%+07lld-%02u-%02u\"", (long long)year, month, day);
}

static void render_time(struct lk_buf *out, int64_t us)
{
	bool negative = us < 0;
	uint64_t v = negative ? 0 - (uint64_t)us : (uint64_t)us;
	uint64_t secs = v / 1000000, frac = v % 1000000;
	lk_buf_printf(out, "\"%s%02llu:%02llu:%02llu.%06llu\"", negative ? "-" : "",
		      (unsigned long long)(secs / 3600), (unsigned long long)(secs / 60 % 60),
		      (unsigned long long)(secs % 60), (unsigned long long)frac);
}

static void render_timestamp(struct lk_buf *out, int64_t us, bool utc)
{
	char text[LK_RFC3339_MAX];
	size_t n = lk_time_format_rfc3339(us, LK_TIME_MICROS, text, sizeof text);
	if (n == 0) {
		render_i64(out, us);
		return;
	}
	if (!utc && n > 0 && text[n - 1] == 'Z')
		n--;
	lk_buf_append_byte(out, '"');
	lk_buf_append(out, text, n);
	lk_buf_append_byte(out, '"');
}

static void render_uuid(struct lk_buf *out, const struct lk_bytes *b)
{
	if (b->len != 16) {
		render_hex(out, b->ptr, b->len);
		return;
	}
	const uint8_t *p = b->ptr;
	lk_buf_printf(out,
		      "\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\"",
		      p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11],
		      p[12], p[13], p[14], p[15]);
}

static uint32_t load_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Parquet's INTERVAL (months, days, milliseconds; unsigned little-endian) as an ISO 8601
 * duration, which PostgreSQL's interval input accepts. */
static void render_interval(struct lk_buf *out, const struct lk_bytes *b)
{
	if (b->len != 12) {
		render_hex(out, b->ptr, b->len);
		return;
	}
	uint32_t months = load_le32(b->ptr), days = load_le32(b->ptr + 4);
	uint32_t millis = load_le32(b->ptr + 8);
	lk_buf_printf(out, "\"P%uM%uDT%u.%03uS\"", months, days, millis / 1000, millis % 1000);
}

static void render_list(const struct lk_vector *vec, size_t row, struct lk_buf *out)
{
	lk_buf_append_byte(out, '[');
	for (uint32_t i = vec->offsets[row]; i < vec->offsets[row + 1]; i++) {
		if (i > vec->offsets[row])
			lk_buf_append_byte(out, ',');
		lk_render_json_value(&vec->children[0], i, out);
	}
	lk_buf_append_byte(out, ']');
}

static void render_struct(const struct lk_vector *vec, size_t row, struct lk_buf *out)
{
	lk_buf_append_byte(out, '{');
	for (size_t i = 0; i < vec->n_children; i++) {
		if (i > 0)
			lk_buf_append_byte(out, ',');
		const char *name = vec->children[i].name ? vec->children[i].name : "";
		lk_buf_append_json_string(out, name, strlen(name));
		lk_buf_append_byte(out, ':');
		lk_render_json_value(&vec->children[i], row, out);
	}
	lk_buf_append_byte(out, '}');
}

/* Map keys: strings as they are, anything else as its rendered text. */
static void render_map_key(const struct lk_vector *keys, size_t i, struct lk_buf *out)
{
	if (!lk_vector_is_null(keys, i) &&
	    (keys->type == LK_TYPE_STRING || keys->type == LK_TYPE_JSON)) {
		lk_buf_append_json_string(out, (const char *)keys->v.bytes[i].ptr,
					  keys->v.bytes[i].len);
		return;
	}
	struct lk_buf text = LK_BUF_INIT;
	lk_render_json_value(keys, i, &text);
	if (text.len >= 2 && text.data[0] == '"')
		lk_buf_append(out, text.data, text.len);
	else
		lk_buf_append_json_string(out, text.data ? text.data : "", text.len);
	lk_buf_free(&text);
}

static void render_map(const struct lk_vector *vec, size_t row, struct lk_buf *out)
{
	lk_buf_append_byte(out, '{');
	for (uint32_t i = vec->offsets[row]; i < vec->offsets[row + 1]; i++) {
		if (i > vec->offsets[row])
			lk_buf_append_byte(out, ',');
		render_map_key(&vec->children[0], i, out);
		lk_buf_append_byte(out, ':');
		if (vec->n_children > 1)
			lk_render_json_value(&vec->children[1], i, out);
		else
			lk_buf_append_str(out, "null");
	}
	lk_buf_append_byte(out, '}');
}

void lk_render_json_value(const struct lk_vector *vec, size_t row, struct lk_buf *out)
{
	if (lk_vector_is_null(vec, row)) {
		lk_buf_append_str(out, "null");
		return;
	}
	switch (vec->type) {
	case LK_TYPE_BOOLEAN: lk_buf_append_str(out, vec->v.u8[row] ? "true" : "false"); break;
	case LK_TYPE_INT8:
	case LK_TYPE_INT16:
	case LK_TYPE_INT32: render_i64(out, vec->v.i32[row]); break;
	case LK_TYPE_UINT8:
	case LK_TYPE_UINT16: render_u64(out, (uint32_t)vec->v.i32[row]); break;
	case LK_TYPE_INT64:
	case LK_TYPE_UINT32: render_i64(out, vec->v.i64[row]); break;
	case LK_TYPE_UINT64: render_u64(out, (uint64_t)vec->v.i64[row]); break;
	case LK_TYPE_FLOAT: render_float(out, vec->v.f32[row]); break;
	case LK_TYPE_DOUBLE: render_double(out, vec->v.f64[row]); break;
	case LK_TYPE_DECIMAL:
		if (vec->precision <= 18)
			render_decimal_i64(out, vec->v.i64[row], vec->scale);
		else
			render_decimal_bytes(out, &vec->v.bytes[row], vec->scale);
		break;
	case LK_TYPE_STRING:
	case LK_TYPE_JSON:
		lk_buf_append_json_string(out, (const char *)vec->v.bytes[row].ptr,
					  vec->v.bytes[row].len);
		break;
	case LK_TYPE_BINARY:
	case LK_TYPE_VARIANT: render_hex(out, vec->v.bytes[row].ptr, vec->v.bytes[row].len); break;
	case LK_TYPE_UUID: render_uuid(out, &vec->v.bytes[row]); break;
	case LK_TYPE_INTERVAL: render_interval(out, &vec->v.bytes[row]); break;
	case LK_TYPE_DATE: render_date(out, vec->v.i32[row]); break;
	case LK_TYPE_TIME: render_time(out, vec->v.i64[row]); break;
	case LK_TYPE_TIMESTAMP: render_timestamp(out, vec->v.i64[row], true); break;
	case LK_TYPE_TIMESTAMP_NTZ: render_timestamp(out, vec->v.i64[row], false); break;
	case LK_TYPE_STRUCT: render_struct(vec, row, out); break;
	case LK_TYPE_LIST: render_list(vec, row, out); break;
	case LK_TYPE_MAP: render_map(vec, row, out); break;
	default: lk_buf_append_str(out, "null"); break;
	}
}

void lk_render_json_row(const struct lk_batch *batch, size_t row, struct lk_buf *out)
{
	lk_buf_append_byte(out, '{');
	for (size_t i = 0; i < batch->n_columns; i++) {
		if (i > 0)
			lk_buf_append_byte(out, ',');
		const struct lk_vector *col = &batch->columns[i];
		const char *name = col->name ? col->name : "";
		lk_buf_append_json_string(out, name, strlen(name));
		lk_buf_append_byte(out, ':');
		lk_render_json_value(col, row, out);
	}
	lk_buf_append_byte(out, '}');
}
