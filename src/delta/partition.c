/* delta/partition.c: partition values as the log serializes them ("2021-09-08", "1.50",
 * "2021-09-08 11:11:11", "1971-07-22T03:06:40.000000Z", "" for null...) into typed
 * constants, and those constants into a constant batch column. Exact for decimals; zone-
 * less timestamps are read as UTC (what delta-kernel-rs and Databricks do). */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "delta/internal.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum {
	DECIMAL_DIGITS_MAX = 38,
	DECIMAL_INT64_PRECISION_MAX = 18, /* batch.h: precision <= 18 lives in v.i64 */
	DATE_CHARS = 10,                  /* YYYY-MM-DD */
	TIMESTAMP_TEXT_MAX = 64,
};

typedef __int128 i128;

static bool bad_value(struct lk_error *err, const char *column, const char *text,
		      const char *expected)
{
	return lk_error_set(err, LK_ECORRUPT, "partition column %s: value '%s' is not %s", column,
			    text, expected);
}

/* ---- integers and floats ------------------------------------------------------------ */

static bool parse_integer(const char *text, int64_t min, int64_t max, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_double(const char *text, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(text, &end);
	if (end == text || *end != '\0' || (errno == ERANGE && isinf(v) == 0 && v != 0))
		return false;
	*out = v;
	return true;
}

/* ---- decimals ----------------------------------------------------------------------- */

static i128 pow10_i128(int n)
{
	i128 v = 1;
	while (n-- > 0)
		v *= 10;
	return v;
}

/* "[+-]digits[.digits][(e|E)[+-]digits]" as an unscaled value at `scale`, exactly. */
static bool parse_decimal(const char *text, int precision, int scale, i128 *out)
{
	const char *p = text;
	bool negative = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	i128 digits = 0;
	int n_digits = 0, frac_digits = 0;
	bool seen_point = false, any = false;
	for (; (*p >= '0' && *p <= '9') || (*p == '.' && !seen_point); p++) {
		if (*p == '.') {
			seen_point = true;
			continue;
		}
		any = true;
		if (n_digits > 0 || *p != '0')
			n_digits++;
		if (n_digits > DECIMAL_DIGITS_MAX)
			return false;
		digits = digits * 10 + (*p - '0');
		frac_digits += seen_point;
	}
	if (!any)
		return false;
	long exponent = 0;
	if (*p == 'e' || *p == 'E') {
		char *end;
		errno = 0;
		exponent = strtol(p + 1, &end, 10);
		if (errno != 0 || end == p + 1 || exponent < -100 || exponent > 100)
			return false;
		p = end;
	}
	if (*p != '\0')
		return false;
	long shift = exponent + scale - frac_digits; /* unscaled = digits * 10^shift */
	if (shift < 0) {
		i128 div = shift < -DECIMAL_DIGITS_MAX ? 0 : pow10_i128((int)-shift);
		if (digits != 0 && (div == 0 || digits % div != 0))
			return false; /* would lose digits */
		digits = div == 0 ? 0 : digits / div;
	} else if (digits != 0) {
		if (shift + n_digits > DECIMAL_DIGITS_MAX)
			return false;
		digits *= pow10_i128((int)shift);
	}
	if (digits >= pow10_i128(precision))
		return false;
	*out = negative ? -digits : digits;
	return true;
}

static void decimal_store(i128 unscaled, struct delta_value *v)
{
	unsigned __int128 bits = (unsigned __int128)unscaled;
	for (int i = 15; i >= 0; i--) {
		v->decimal_be[i] = (uint8_t)bits;
		bits >>= 8;
	}
	if (v->precision <= DECIMAL_INT64_PRECISION_MAX)
		v->i64 = (int64_t)unscaled;
}

/* ---- dates and timestamps ----------------------------------------------------------- */

static bool parse_date(const char *text, int64_t *days)
{
	int y, m, d, used = 0;
	if (strlen(text) != DATE_CHARS || sscanf(text, "%4d-%2d-%2d%n", &y, &m, &d, &used) != 3 ||
	    used != DATE_CHARS || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	int64_t v = lk_days_from_civil(y, (unsigned)m, (unsigned)d);
	int64_t yy;
	unsigned mm, dd;
	lk_civil_from_days(v, &yy, &mm, &dd); /* rejects 2021-02-30 */
	if (yy != y || (int)mm != m || (int)dd != d)
		return false;
	*days = v;
	return true;
}

/* True when the text after the date carries a zone (Z or +HH:MM / -HH:MM). */
static bool has_zone(const char *text)
{
	const char *time = strlen(text) > DATE_CHARS ? text + DATE_CHARS + 1 : "";
	return strpbrk(time, "Zz+-") != NULL;
}

/* Both serialized forms: ISO-8601 with a zone, and "YYYY-MM-DD HH:MM:SS[.ffffff]" (and the
 * same with 'T') without one, read as UTC (wall clock for timestamp_ntz). */
static bool parse_timestamp(const char *text, bool ntz, int64_t *us)
{
	if (strlen(text) + 2 > TIMESTAMP_TEXT_MAX)
		return false;
	char buf[TIMESTAMP_TEXT_MAX];
	bool zoned = has_zone(text);
	if (ntz && zoned && text[strlen(text) - 1] != 'Z')
		return false; /* an offset makes no sense on a wall-clock time */
	snprintf(buf, sizeof buf, "%s%s", text, zoned ? "" : "Z");
	return lk_time_parse_rfc3339(buf, us, NULL);
}

/* ---- one value ---------------------------------------------------------------------- */

static bool parse_integral(const struct delta_type *type, const char *text, const char *column,
			   struct delta_value *out, struct lk_error *err)
{
	static const struct {
		enum delta_type_kind kind;
		int64_t min, max;
		const char *what;
	} ranges[] = {
		{ DELTA_TYPE_BYTE, INT8_MIN, INT8_MAX, "a byte (-128..127)" },
		{ DELTA_TYPE_SHORT, INT16_MIN, INT16_MAX, "a short integer" },
		{ DELTA_TYPE_INTEGER, INT32_MIN, INT32_MAX, "a 32-bit integer" },
		{ DELTA_TYPE_LONG, INT64_MIN, INT64_MAX, "a 64-bit integer" },
	};
	for (size_t i = 0; i < sizeof ranges / sizeof ranges[0]; i++)
		if (ranges[i].kind == type->kind)
			return parse_integer(text, ranges[i].min, ranges[i].max, &out->i64) ||
			       bad_value(err, column, text, ranges[i].what);
	return false;
}

static bool parse_typed(const struct delta_type *type, const char *text, const char *column,
			struct delta_value *out, struct lk_error *err)
{
	switch (type->kind) {
	case DELTA_TYPE_BYTE:
	case DELTA_TYPE_SHORT:
	case DELTA_TYPE_INTEGER:
	case DELTA_TYPE_LONG:
		return parse_integral(type, text, column, out, err);
	case DELTA_TYPE_FLOAT:
	case DELTA_TYPE_DOUBLE:
		return parse_double(text, &out->f64) || bad_value(err, column, text, "a number");
	case DELTA_TYPE_BOOLEAN:
		if (strcasecmp(text, "true") != 0 && strcasecmp(text, "false") != 0)
			return bad_value(err, column, text, "true or false");
		out->b = strcasecmp(text, "true") == 0;
		return true;
	case DELTA_TYPE_DATE:
		return parse_date(text, &out->i64) || bad_value(err, column, text, "a date YYYY-MM-DD");
	case DELTA_TYPE_TIMESTAMP:
	case DELTA_TYPE_TIMESTAMP_NTZ:
		return parse_timestamp(text, type->kind == DELTA_TYPE_TIMESTAMP_NTZ, &out->i64) ||
		       bad_value(err, column, text, "a timestamp");
	case DELTA_TYPE_DECIMAL: {
		i128 unscaled;
		if (!parse_decimal(text, type->precision, type->scale, &unscaled)) {
			char what[64];
			snprintf(what, sizeof what, "an exact decimal(%u,%u)", type->precision,
				 type->scale);
			return bad_value(err, column, text, what);
		}
		decimal_store(unscaled, out);
		return true;
	}
	case DELTA_TYPE_STRING:
	case DELTA_TYPE_BINARY:
		out->bytes = xstrdup(text);
		out->len = strlen(text);
		return true;
	default:
		break;
	}
	struct lk_buf name = LK_BUF_INIT;
	delta_type_format(type, &name);
	lk_error_set(err, LK_EUNSUPPORTED, "partition column %s: type %s cannot be a partition column",
		     column, lk_buf_cstr(&name));
	lk_buf_free(&name);
	return false;
}

bool delta_partition_value_parse(const struct delta_type *type, const char *serialized,
				 const char *column, struct delta_value *out,
				 struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	out->type = delta_type_lk_id(type);
	out->precision = type->precision;
	out->scale = type->scale;
	if (serialized == NULL || serialized[0] == '\0' || type->kind == DELTA_TYPE_VOID) {
		out->is_null = true;
		bool partitionable = type->kind < DELTA_TYPE_VARIANT || type->kind == DELTA_TYPE_VOID;
		return partitionable || parse_typed(type, "", column, out, err);
	}
	if (!parse_typed(type, serialized, column, out, err)) {
		delta_value_clear(out);
		return false;
	}
	return true;
}

void delta_value_clear(struct delta_value *value)
{
	free(value->bytes);
	value->bytes = NULL;
	value->len = 0;
}

/* ---- into a batch column ------------------------------------------------------------ */

static void fill_fixed(struct lk_batch *batch, struct lk_vector *vec, size_t n_rows,
		       const void *one, size_t width)
{
	uint8_t *data = lk_batch_alloc(batch, n_rows * width);
	for (size_t i = 0; i < n_rows; i++)
		memcpy(data + i * width, one, width);
	vec->v.u8 = data;
}

static void fill_bytes(struct lk_batch *batch, struct lk_vector *vec, size_t n_rows,
		       const void *data, size_t len)
{
	const uint8_t *copy = lk_batch_copy_bytes(batch, data, len);
	struct lk_bytes *slots = lk_batch_alloc(batch, n_rows * sizeof *slots);
	for (size_t i = 0; i < n_rows; i++)
		slots[i] = (struct lk_bytes){ .ptr = copy, .len = (uint32_t)len };
	vec->v.bytes = slots;
}

void delta_value_fill_vector(const struct delta_value *value, struct lk_batch *batch,
			     struct lk_vector *vec, size_t n_rows)
{
	vec->type = value->is_null && value->type == LK_TYPE_NULL ? LK_TYPE_NULL : value->type;
	vec->precision = value->precision;
	vec->scale = value->scale;
	vec->length = n_rows;
	if (value->is_null) {
		vec->nulls = lk_batch_alloc(batch, n_rows);
		memset(vec->nulls, 1, n_rows);
	}
	uint8_t u8 = value->b;
	int32_t i32 = (int32_t)value->i64;
	float f32 = (float)value->f64;
	switch (value->type) {
	case LK_TYPE_BOOLEAN:
		fill_fixed(batch, vec, n_rows, &u8, sizeof u8);
		break;
	case LK_TYPE_INT8:
	case LK_TYPE_INT16:
	case LK_TYPE_INT32:
	case LK_TYPE_DATE:
		fill_fixed(batch, vec, n_rows, &i32, sizeof i32);
		break;
	case LK_TYPE_INT64:
	case LK_TYPE_TIMESTAMP:
	case LK_TYPE_TIMESTAMP_NTZ:
		fill_fixed(batch, vec, n_rows, &value->i64, sizeof value->i64);
		break;
	case LK_TYPE_FLOAT:
		fill_fixed(batch, vec, n_rows, &f32, sizeof f32);
		break;
	case LK_TYPE_DOUBLE:
		fill_fixed(batch, vec, n_rows, &value->f64, sizeof value->f64);
		break;
	case LK_TYPE_DECIMAL:
		if (value->precision <= DECIMAL_INT64_PRECISION_MAX)
			fill_fixed(batch, vec, n_rows, &value->i64, sizeof value->i64);
		else
			fill_bytes(batch, vec, n_rows, value->decimal_be, sizeof value->decimal_be);
		break;
	case LK_TYPE_STRING:
	case LK_TYPE_BINARY:
		fill_bytes(batch, vec, n_rows, value->bytes ? value->bytes : "", value->len);
		break;
	default:
		break;
	}
}
