/* pg/copy.c: the COPY BINARY encoder (see pg.h).
 *
 * COPY's binary format is row-major (per tuple: a 16-bit field count, then per field a
 * 32-bit length, -1 for null, and the value in network byte order), but batches are
 * columnar. The encoder therefore works in three column-by-column passes, so that the type
 * dispatch happens once per column and never per value:
 *   1. lengths: each column's field length per row; variable-length values that need
 *      converting (numeric, JSONB, text with NUL bytes replaced) are encoded into that
 *      column's scratch buffer here;
 *   2. layout: each row's start offset in the output (a prefix sum of the row sizes);
 *   3. write: each column writes its fields at its rows' running offsets. */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pg/pg.h"
#include "util/xmalloc.h"

/* PostgreSQL counts dates and timestamps from 2000-01-01. */
enum { PG_EPOCH_DAYS = 10957 };
#define PG_EPOCH_USEC INT64_C(946684800000000)

enum { NUMERIC_POS = 0x0000, NUMERIC_NEG = 0x4000, NUMERIC_MAX_DIGITS = 40 };

__extension__ typedef unsigned __int128 u128;

/* How one column is written; chosen once per column from (source type, target type). */
enum field_kind {
	FIELD_BOOL,
	FIELD_I16_FROM_I32,
	FIELD_I32_FROM_I32,
	FIELD_I64_FROM_I32,
	FIELD_I64_FROM_I64,
	FIELD_F32,
	FIELD_F64_FROM_F32,
	FIELD_F64,
	FIELD_DATE,
	FIELD_TIMESTAMP,
	FIELD_TIME,
	FIELD_UUID,
	FIELD_ALL_NULL,
	FIELD_VAR, /* pointer + length per row, filled in pass 1 */
};

/* Per-column scratch kept by the encoder between batches. */
struct column_scratch {
	enum field_kind kind;
	int32_t *lens;           /* pass 1: field length per row, -1 = null */
	const uint8_t **ptrs;    /* FIELD_VAR: value start per row */
	size_t *offsets;         /* FIELD_VAR: value offset in `data` when encoded here */
	struct lk_buf data;      /* FIELD_VAR: values encoded by the encoder */
	size_t cap_rows;
};

struct pg_copy_encoder {
	struct column_scratch *cols;
	size_t n_cols_cap;
	size_t *row_pos;         /* pass 2/3: running write position per row */
	size_t cap_rows;
	struct lk_buf text;      /* a value's text while it is converted */
};

struct pg_copy_encoder *pg_copy_encoder_new(void)
{
	return xcalloc(1, sizeof(struct pg_copy_encoder));
}

void pg_copy_encoder_free(struct pg_copy_encoder *enc)
{
	if (enc == NULL)
		return;
	for (size_t i = 0; i < enc->n_cols_cap; i++) {
		free(enc->cols[i].lens);
		free(enc->cols[i].ptrs);
		free(enc->cols[i].offsets);
		lk_buf_free(&enc->cols[i].data);
	}
	free(enc->cols);
	free(enc->row_pos);
	lk_buf_free(&enc->text);
	free(enc);
}

bool pg_nul_policy_parse(const char *text, enum pg_nul_policy *policy, struct lk_error *err)
{
	static const char *const names[] = {
		[PG_NUL_FAIL] = "fail", [PG_NUL_STRIP] = "strip", [PG_NUL_REPLACE] = "replace"
	};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strcmp(text, names[i]) == 0) {
			*policy = (enum pg_nul_policy)i;
			return true;
		}
	}
	return lk_error_set(err, LK_EINVAL,
			    "invalid_characters '%s' is not one of fail, strip, replace", text);
}

/* ---- byte order -------------------------------------------------------------------- */

static inline void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static inline void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static inline void put_be64(uint8_t *p, uint64_t v)
{
	put_be32(p, (uint32_t)(v >> 32));
	put_be32(p + 4, (uint32_t)v);
}

static inline uint32_t get_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

void pg_copy_begin(struct lk_buf *out)
{
	static const uint8_t header[19] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r', '\n',
					    0 /* flags and extension length follow: zero */ };
	lk_buf_append(out, header, sizeof header);
}

void pg_copy_end(struct lk_buf *out)
{
	static const uint8_t trailer[2] = { 0xff, 0xff };
	lk_buf_append(out, trailer, sizeof trailer);
}

/* ---- choosing how a column is written --------------------------------------------- */

static bool is_i32_storage(enum lk_type_id t)
{
	return t == LK_TYPE_INT8 || t == LK_TYPE_INT16 || t == LK_TYPE_INT32 ||
	       t == LK_TYPE_UINT8 || t == LK_TYPE_UINT16;
}

static bool is_bytes_storage(const struct lk_vector *vec)
{
	switch (vec->type) {
	case LK_TYPE_STRING:
	case LK_TYPE_JSON:
	case LK_TYPE_BINARY:
	case LK_TYPE_UUID:
	case LK_TYPE_INTERVAL:
	case LK_TYPE_VARIANT:
		return true;
	case LK_TYPE_DECIMAL:
		return vec->precision > 18;
	default:
		return false;
	}
}

/* The field kind for (source, target), or false when lakesync cannot convert. */
static bool field_kind_choose(const struct lk_vector *vec, enum pg_type_id target,
			      enum field_kind *kind)
{
	enum lk_type_id t = vec->type;
	if (t == LK_TYPE_NULL) {
		*kind = FIELD_ALL_NULL;
		return true;
	}
	switch (target) {
	case PG_TYPE_BOOLEAN:
		*kind = FIELD_BOOL;
		return t == LK_TYPE_BOOLEAN;
	case PG_TYPE_SMALLINT:
		*kind = FIELD_I16_FROM_I32;
		return t == LK_TYPE_INT8 || t == LK_TYPE_INT16 || t == LK_TYPE_UINT8;
	case PG_TYPE_INTEGER:
		*kind = FIELD_I32_FROM_I32;
		return is_i32_storage(t);
	case PG_TYPE_BIGINT:
		*kind = is_i32_storage(t) ? FIELD_I64_FROM_I32 : FIELD_I64_FROM_I64;
		return is_i32_storage(t) || t == LK_TYPE_INT64 || t == LK_TYPE_UINT32;
	case PG_TYPE_REAL:
		*kind = FIELD_F32;
		return t == LK_TYPE_FLOAT;
	case PG_TYPE_DOUBLE:
		*kind = t == LK_TYPE_FLOAT ? FIELD_F64_FROM_F32 : FIELD_F64;
		return t == LK_TYPE_FLOAT || t == LK_TYPE_DOUBLE;
	case PG_TYPE_DATE:
		*kind = FIELD_DATE;
		return t == LK_TYPE_DATE;
	case PG_TYPE_TIMESTAMP:
	case PG_TYPE_TIMESTAMPTZ:
		*kind = FIELD_TIMESTAMP;
		return t == LK_TYPE_TIMESTAMP || t == LK_TYPE_TIMESTAMP_NTZ;
	case PG_TYPE_TIME:
		*kind = FIELD_TIME;
		return t == LK_TYPE_TIME;
	case PG_TYPE_UUID:
		*kind = FIELD_UUID;
		return t == LK_TYPE_UUID;
	case PG_TYPE_NUMERIC:
		*kind = FIELD_VAR;
		return t == LK_TYPE_DECIMAL || t == LK_TYPE_UINT64 || t == LK_TYPE_INT64 ||
		       is_i32_storage(t) || t == LK_TYPE_UINT32;
	case PG_TYPE_TEXT:
		*kind = FIELD_VAR;
		return t == LK_TYPE_STRING || t == LK_TYPE_JSON;
	case PG_TYPE_BYTEA:
		*kind = FIELD_VAR;
		return is_bytes_storage(vec);
	case PG_TYPE_INTERVAL:
		*kind = FIELD_VAR;
		return t == LK_TYPE_INTERVAL;
	case PG_TYPE_JSONB:
		*kind = FIELD_VAR;
		return t == LK_TYPE_STRUCT || t == LK_TYPE_LIST || t == LK_TYPE_MAP ||
		       t == LK_TYPE_JSON;
	default:
		return false;
	}
}

static int32_t fixed_width(enum field_kind kind)
{
	switch (kind) {
	case FIELD_BOOL: return 1;
	case FIELD_I16_FROM_I32: return 2;
	case FIELD_I32_FROM_I32:
	case FIELD_F32:
	case FIELD_DATE: return 4;
	case FIELD_I64_FROM_I32:
	case FIELD_I64_FROM_I64:
	case FIELD_F64_FROM_F32:
	case FIELD_F64:
	case FIELD_TIMESTAMP:
	case FIELD_TIME: return 8;
	case FIELD_UUID: return 16;
	default: return -1;
	}
}

/* ---- scratch management ------------------------------------------------------------ */

static void encoder_reserve(struct pg_copy_encoder *enc, size_t n_cols, size_t n_rows)
{
	if (n_cols > enc->n_cols_cap) {
		enc->cols = xreallocarray(enc->cols, n_cols, sizeof *enc->cols);
		memset(enc->cols + enc->n_cols_cap, 0,
		       (n_cols - enc->n_cols_cap) * sizeof *enc->cols);
		enc->n_cols_cap = n_cols;
	}
	for (size_t c = 0; c < n_cols; c++) {
		struct column_scratch *col = &enc->cols[c];
		if (col->cap_rows < n_rows) {
			col->lens = xreallocarray(col->lens, n_rows, sizeof *col->lens);
			col->ptrs = xreallocarray(col->ptrs, n_rows, sizeof *col->ptrs);
			col->offsets = xreallocarray(col->offsets, n_rows, sizeof *col->offsets);
			col->cap_rows = n_rows;
		}
		lk_buf_reset(&col->data);
	}
	if (enc->cap_rows < n_rows) {
		enc->row_pos = xreallocarray(enc->row_pos, n_rows, sizeof *enc->row_pos);
		enc->cap_rows = n_rows;
	}
}

static inline size_t request_row(const struct pg_copy_request *req, size_t i)
{
	return req->rows ? req->rows[i] : i;
}

/* ---- numeric ----------------------------------------------------------------------- */

/* Reads a big-endian two's complement integer of up to 16 significant bytes. */
static bool be_bytes_to_i128(const struct lk_bytes *b, bool *negative, u128 *magnitude)
{
	if (b->len == 0) {
		*negative = false;
		*magnitude = 0;
		return true;
	}
	bool neg = b->ptr[0] & 0x80;
	size_t skip = 0;
	while (b->len - skip > 16) { /* wider than 128 bits: only sign extension may go */
		if (b->ptr[skip] != (neg ? 0xff : 0x00))
			return false;
		skip++;
	}
	u128 v = neg ? ~(u128)0 : 0;
	for (size_t i = skip; i < b->len; i++)
		v = (v << 8) | b->ptr[i];
	*negative = neg;
	*magnitude = neg ? ~v + 1 : v;
	return true;
}

/* Appends PostgreSQL's binary numeric for sign * magnitude / 10^scale. */
static void numeric_encode(struct lk_buf *out, bool negative, u128 magnitude, unsigned scale)
{
	char digits[NUMERIC_MAX_DIGITS + 48];
	int n = 0;
	char rev[NUMERIC_MAX_DIGITS];
	do {
		rev[n++] = (char)('0' + (int)(magnitude % 10));
		magnitude /= 10;
	} while (magnitude != 0);
	/* digits = integer part padded left to groups of 4, then the fraction padded right */
	int frac = (int)scale;
	int int_digits = n > frac ? n - frac : 0;
	int int_pad = (4 - int_digits % 4) % 4;
	int frac_pad = (4 - frac % 4) % 4;
	int len = 0;
	for (int i = 0; i < int_pad; i++)
		digits[len++] = '0';
	for (int i = n - 1; i >= frac; i--)
		digits[len++] = rev[i];
	for (int i = frac - 1; i >= 0; i--) /* fraction digits, zero where n <= i */
		digits[len++] = i < n ? rev[i] : '0';
	for (int i = 0; i < frac_pad; i++)
		digits[len++] = '0';

	int groups = len / 4;
	int weight = (int_digits + int_pad) / 4 - 1;
	int first = 0, last = groups; /* strip zero groups at both ends */
	while (first < last && memcmp(digits + first * 4, "0000", 4) == 0)
		first++, weight--;
	while (last > first && memcmp(digits + (last - 1) * 4, "0000", 4) == 0)
		last--;
	int ndigits = last - first;
	if (ndigits == 0)
		weight = 0, negative = false;

	uint8_t head[8];
	put_be16(head, (uint16_t)ndigits);
	put_be16(head + 2, (uint16_t)(int16_t)weight);
	put_be16(head + 4, negative ? NUMERIC_NEG : NUMERIC_POS);
	put_be16(head + 6, (uint16_t)scale);
	lk_buf_append(out, head, sizeof head);
	for (int g = first; g < last; g++) {
		const char *d = digits + g * 4;
		uint16_t v = (uint16_t)((d[0] - '0') * 1000 + (d[1] - '0') * 100 + (d[2] - '0') * 10 +
					(d[3] - '0'));
		uint8_t be[2];
		put_be16(be, v);
		lk_buf_append(out, be, 2);
	}
}

/* The value of row `row` of a numeric-target column as sign, magnitude and scale. */
static bool numeric_value(const struct lk_vector *vec, size_t row, bool *negative,
			  u128 *magnitude, unsigned *scale)
{
	*scale = vec->type == LK_TYPE_DECIMAL ? vec->scale : 0;
	int64_t s;
	if (vec->type == LK_TYPE_UINT64) {
		*negative = false;
		*magnitude = (uint64_t)vec->v.i64[row];
		return true;
	}
	if (vec->type == LK_TYPE_DECIMAL && vec->precision > 18)
		return be_bytes_to_i128(&vec->v.bytes[row], negative, magnitude);
	if (is_i32_storage(vec->type))
		s = vec->v.i32[row];
	else if (vec->type == LK_TYPE_UINT32)
		s = (uint32_t)vec->v.i64[row];
	else
		s = vec->v.i64[row];
	*negative = s < 0;
	*magnitude = s < 0 ? (u128)(-(s + 1)) + 1 : (u128)s;
	return true;
}

/* ---- errors naming the row ---------------------------------------------------------- */

static void row_key_describe(const struct pg_copy_request *req, size_t row, struct lk_buf *out)
{
	if (req->n_key_columns == 0) {
		lk_buf_printf(out, "row %zu of the batch", row);
		return;
	}
	lk_buf_append_str(out, "key (");
	for (size_t k = 0; k < req->n_key_columns; k++)
		lk_buf_printf(out, "%s%s", k ? ", " : "", req->columns[req->key_columns[k]].name);
	lk_buf_append_str(out, ")=(");
	for (size_t k = 0; k < req->n_key_columns; k++) {
		if (k)
			lk_buf_append_str(out, ", ");
		lk_render_json_value(req->columns[req->key_columns[k]].vec, row, out);
	}
	lk_buf_append_byte(out, ')');
}

static bool nul_error(const struct pg_copy_request *req, size_t col, size_t row,
		      struct lk_error *err)
{
	struct lk_buf where = LK_BUF_INIT;
	row_key_describe(req, row, &where);
	lk_error_set(err, LK_EBAD_CHARACTER,
		     "table %s: column %s: the value of the row with %s contains a NUL byte, "
		     "which PostgreSQL text and jsonb cannot store (set spec.invalid_characters "
		     "to strip or replace to load it anyway)",
		     req->table ? req->table : "?", req->columns[col].name, lk_buf_cstr(&where));
	lk_buf_free(&where);
	return false;
}

/* ---- NUL handling --------------------------------------------------------------------- */

static const char replacement_char[] = "\xef\xbf\xbd"; /* U+FFFD in UTF-8 */

/* Appends text with its NUL bytes stripped or replaced. */
static void text_append_without_nul(struct lk_buf *out, const uint8_t *p, size_t len,
				    enum pg_nul_policy policy)
{
	const uint8_t *end = p + len;
	while (p < end) {
		const uint8_t *nul = memchr(p, 0, (size_t)(end - p));
		size_t run = nul ? (size_t)(nul - p) : (size_t)(end - p);
		lk_buf_append(out, p, run);
		if (nul == NULL)
			break;
		if (policy == PG_NUL_REPLACE)
			lk_buf_append(out, replacement_char, 3);
		p = nul + 1;
	}
}

/* The position of the first JSON escape "\u0000" in text[from..], or -1. Escapes are
 * recognised by walking backslash pairs, so an escaped backslash before "u0000" is not one. */
static long json_find_nul_escape(const char *text, size_t from, size_t len)
{
	for (size_t i = from; i + 1 < len; i++) {
		if (text[i] != '\\')
			continue;
		if (text[i + 1] == 'u' && i + 6 <= len && memcmp(text + i + 2, "0000", 4) == 0)
			return (long)i;
		i++; /* skip the escaped character */
	}
	return -1;
}

/* Rewrites the \u0000 escapes of the JSON text in out[from..] per the policy; false when
 * the policy is fail and there is one. */
static bool json_apply_nul_policy(struct lk_buf *out, size_t from, enum pg_nul_policy policy,
				  struct lk_buf *tmp)
{
	long at = json_find_nul_escape(out->data, from, out->len);
	if (at < 0)
		return true;
	if (policy == PG_NUL_FAIL)
		return false;
	lk_buf_reset(tmp);
	size_t pos = from;
	while (at >= 0) {
		lk_buf_append(tmp, out->data + pos, (size_t)at - pos);
		if (policy == PG_NUL_REPLACE)
			lk_buf_append_str(tmp, "\\ufffd");
		pos = (size_t)at + 6;
		at = json_find_nul_escape(out->data, pos, out->len);
	}
	lk_buf_append(tmp, out->data + pos, out->len - pos);
	lk_buf_truncate(out, from);
	lk_buf_append(out, tmp->data, tmp->len);
	return true;
}

/* ---- pass 1: lengths and converted values ------------------------------------------- */

static bool var_text_lengths(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
			     size_t c, struct lk_error *err)
{
	struct column_scratch *col = &enc->cols[c];
	const struct lk_vector *vec = req->columns[c].vec;
	for (size_t i = 0; i < req->n_rows; i++) {
		size_t row = request_row(req, i);
		if (lk_vector_is_null(vec, row)) {
			col->lens[i] = -1;
			continue;
		}
		const struct lk_bytes *b = &vec->v.bytes[row];
		if (memchr(b->ptr, 0, b->len) == NULL) {
			col->lens[i] = (int32_t)b->len;
			col->ptrs[i] = b->ptr;
			col->offsets[i] = SIZE_MAX;
			continue;
		}
		if (req->nul_policy == PG_NUL_FAIL)
			return nul_error(req, c, row, err);
		size_t start = col->data.len;
		text_append_without_nul(&col->data, b->ptr, b->len, req->nul_policy);
		col->lens[i] = (int32_t)(col->data.len - start);
		col->offsets[i] = start;
	}
	return true;
}

static bool var_bytea_lengths(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
			      size_t c)
{
	struct column_scratch *col = &enc->cols[c];
	const struct lk_vector *vec = req->columns[c].vec;
	for (size_t i = 0; i < req->n_rows; i++) {
		size_t row = request_row(req, i);
		if (lk_vector_is_null(vec, row)) {
			col->lens[i] = -1;
			continue;
		}
		col->lens[i] = (int32_t)vec->v.bytes[row].len;
		col->ptrs[i] = vec->v.bytes[row].ptr;
		col->offsets[i] = SIZE_MAX;
	}
	return true;
}

static bool var_numeric_lengths(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
				size_t c, struct lk_error *err)
{
	struct column_scratch *col = &enc->cols[c];
	const struct lk_vector *vec = req->columns[c].vec;
	for (size_t i = 0; i < req->n_rows; i++) {
		size_t row = request_row(req, i);
		if (lk_vector_is_null(vec, row)) {
			col->lens[i] = -1;
			continue;
		}
		bool negative;
		u128 magnitude;
		unsigned scale;
		if (!numeric_value(vec, row, &negative, &magnitude, &scale))
			return lk_error_set(err, LK_ECORRUPT,
					    "table %s: column %s: decimal value of %u bytes "
					    "exceeds 38 digits",
					    req->table ? req->table : "?", req->columns[c].name,
					    vec->v.bytes[row].len);
		size_t start = col->data.len;
		numeric_encode(&col->data, negative, magnitude, scale);
		col->lens[i] = (int32_t)(col->data.len - start);
		col->offsets[i] = start;
	}
	return true;
}

/* Parquet INTERVAL (months, days, milliseconds; little-endian u32 each) -> PostgreSQL
 * interval (microseconds i64, days i32, months i32). */
static bool var_interval_lengths(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
				 size_t c, struct lk_error *err)
{
	struct column_scratch *col = &enc->cols[c];
	const struct lk_vector *vec = req->columns[c].vec;
	for (size_t i = 0; i < req->n_rows; i++) {
		size_t row = request_row(req, i);
		if (lk_vector_is_null(vec, row)) {
			col->lens[i] = -1;
			continue;
		}
		const struct lk_bytes *b = &vec->v.bytes[row];
		if (b->len != 12)
			return lk_error_set(err, LK_ECORRUPT,
					    "table %s: column %s: interval value of %u bytes "
					    "(expected 12)",
					    req->table ? req->table : "?", req->columns[c].name,
					    b->len);
		uint8_t pg[16];
		put_be64(pg, (uint64_t)((int64_t)get_le32(b->ptr + 8) * 1000));
		put_be32(pg + 8, get_le32(b->ptr + 4));
		put_be32(pg + 12, get_le32(b->ptr));
		col->offsets[i] = col->data.len;
		lk_buf_append(&col->data, pg, sizeof pg);
		col->lens[i] = 16;
	}
	return true;
}

static bool var_jsonb_lengths(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
			      size_t c, struct lk_error *err)
{
	struct column_scratch *col = &enc->cols[c];
	const struct lk_vector *vec = req->columns[c].vec;
	for (size_t i = 0; i < req->n_rows; i++) {
		size_t row = request_row(req, i);
		if (lk_vector_is_null(vec, row)) {
			col->lens[i] = -1;
			continue;
		}
		size_t start = col->data.len;
		lk_buf_append_byte(&col->data, 1); /* jsonb binary format version */
		if (vec->type == LK_TYPE_JSON) {
			const struct lk_bytes *b = &vec->v.bytes[row];
			if (memchr(b->ptr, 0, b->len) && req->nul_policy == PG_NUL_FAIL)
				return nul_error(req, c, row, err);
			text_append_without_nul(&col->data, b->ptr, b->len, req->nul_policy);
		} else {
			lk_render_json_value(vec, row, &col->data);
		}
		if (!json_apply_nul_policy(&col->data, start + 1, req->nul_policy, &enc->text))
			return nul_error(req, c, row, err);
		col->lens[i] = (int32_t)(col->data.len - start);
		col->offsets[i] = start;
	}
	return true;
}

static bool column_lengths(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
			   size_t c, struct lk_error *err)
{
	struct column_scratch *col = &enc->cols[c];
	const struct lk_vector *vec = req->columns[c].vec;
	if (col->kind != FIELD_VAR) {
		int32_t width = col->kind == FIELD_ALL_NULL ? -1 : fixed_width(col->kind);
		for (size_t i = 0; i < req->n_rows; i++)
			col->lens[i] = lk_vector_is_null(vec, request_row(req, i)) ? -1 : width;
		return true;
	}
	bool ok;
	switch (req->columns[c].type) {
	case PG_TYPE_TEXT: ok = var_text_lengths(enc, req, c, err); break;
	case PG_TYPE_BYTEA: ok = var_bytea_lengths(enc, req, c); break;
	case PG_TYPE_NUMERIC: ok = var_numeric_lengths(enc, req, c, err); break;
	case PG_TYPE_INTERVAL: ok = var_interval_lengths(enc, req, c, err); break;
	default: ok = var_jsonb_lengths(enc, req, c, err); break;
	}
	if (!ok)
		return false;
	/* The scratch buffer no longer grows: turn offsets into pointers. */
	for (size_t i = 0; i < req->n_rows; i++)
		if (col->lens[i] >= 0 && col->offsets[i] != SIZE_MAX)
			col->ptrs[i] = (const uint8_t *)col->data.data + col->offsets[i];
	return true;
}

/* ---- pass 3: writing ------------------------------------------------------------------ */

static void column_write(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
			 size_t c, uint8_t *base)
{
	const struct column_scratch *col = &enc->cols[c];
	const struct lk_vector *vec = req->columns[c].vec;
	size_t *pos = enc->row_pos;
	for (size_t i = 0; i < req->n_rows; i++) {
		uint8_t *p = base + pos[i];
		int32_t len = col->lens[i];
		put_be32(p, (uint32_t)len);
		pos[i] += 4;
		if (len < 0)
			continue;
		p += 4;
		pos[i] += (size_t)len;
		size_t row = request_row(req, i);
		switch (col->kind) {
		case FIELD_BOOL: p[0] = vec->v.u8[row] != 0; break;
		case FIELD_I16_FROM_I32: put_be16(p, (uint16_t)vec->v.i32[row]); break;
		case FIELD_I32_FROM_I32: put_be32(p, (uint32_t)vec->v.i32[row]); break;
		case FIELD_I64_FROM_I32: put_be64(p, (uint64_t)(int64_t)vec->v.i32[row]); break;
		case FIELD_I64_FROM_I64: put_be64(p, (uint64_t)vec->v.i64[row]); break;
		case FIELD_F32: {
			uint32_t bits;
			memcpy(&bits, &vec->v.f32[row], 4);
			put_be32(p, bits);
			break;
		}
		case FIELD_F64_FROM_F32:
		case FIELD_F64: {
			double d = col->kind == FIELD_F64 ? vec->v.f64[row] : vec->v.f32[row];
			uint64_t bits;
			memcpy(&bits, &d, 8);
			put_be64(p, bits);
			break;
		}
		case FIELD_DATE: put_be32(p, (uint32_t)(vec->v.i32[row] - PG_EPOCH_DAYS)); break;
		case FIELD_TIMESTAMP:
			put_be64(p, (uint64_t)(vec->v.i64[row] - PG_EPOCH_USEC));
			break;
		case FIELD_TIME: put_be64(p, (uint64_t)vec->v.i64[row]); break;
		case FIELD_UUID: memcpy(p, vec->v.bytes[row].ptr, 16); break;
		case FIELD_VAR: memcpy(p, col->ptrs[i], (size_t)len); break;
		case FIELD_ALL_NULL: break;
		}
	}
}

/* UUID values must be exactly 16 bytes; checked before anything is written. */
static bool uuid_lengths_check(const struct pg_copy_request *req, size_t c, struct lk_error *err)
{
	const struct lk_vector *vec = req->columns[c].vec;
	for (size_t i = 0; i < req->n_rows; i++) {
		size_t row = request_row(req, i);
		if (!lk_vector_is_null(vec, row) && vec->v.bytes[row].len != 16)
			return lk_error_set(err, LK_ECORRUPT,
					    "table %s: column %s: uuid value of %u bytes "
					    "(expected 16)",
					    req->table ? req->table : "?", req->columns[c].name,
					    vec->v.bytes[row].len);
	}
	return true;
}

bool pg_copy_encode(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
		    struct lk_buf *out, struct lk_error *err)
{
	if (req->n_columns > INT16_MAX)
		return lk_error_set(err, LK_EUNSUPPORTED, "table %s: %zu columns exceed COPY's limit",
				    req->table ? req->table : "?", req->n_columns);
	encoder_reserve(enc, req->n_columns, req->n_rows);
	for (size_t c = 0; c < req->n_columns; c++) {
		const struct pg_copy_column *column = &req->columns[c];
		if (!field_kind_choose(column->vec, column->type, &enc->cols[c].kind))
			return lk_error_set(err, LK_EINTERNAL,
					    "table %s: column %s: cannot write %s values into a "
					    "%s column",
					    req->table ? req->table : "?", column->name,
					    lk_type_name(column->vec->type),
					    pg_type_info(column->type)->sql
						    ? pg_type_info(column->type)->sql
						    : "unsupported");
		if (enc->cols[c].kind == FIELD_UUID && !uuid_lengths_check(req, c, err))
			return false;
		if (!column_lengths(enc, req, c, err))
			return false;
	}

	/* pass 2: each row's start, from its size: field count + (length + value) per field */
	size_t *pos = enc->row_pos;
	for (size_t i = 0; i < req->n_rows; i++)
		pos[i] = 2 + 4 * req->n_columns;
	for (size_t c = 0; c < req->n_columns; c++) {
		const int32_t *lens = enc->cols[c].lens;
		for (size_t i = 0; i < req->n_rows; i++)
			pos[i] += (size_t)(lens[i] > 0 ? lens[i] : 0);
	}
	size_t total = 0;
	for (size_t i = 0; i < req->n_rows; i++) {
		size_t size = pos[i];
		pos[i] = total;
		total += size;
	}
	lk_buf_reserve(out, total);
	uint8_t *base = (uint8_t *)out->data + out->len;
	for (size_t i = 0; i < req->n_rows; i++) {
		put_be16(base + enc->row_pos[i], (uint16_t)req->n_columns);
		enc->row_pos[i] += 2;
	}
	for (size_t c = 0; c < req->n_columns; c++)
		column_write(enc, req, c, base);
	out->len += total;
	out->data[out->len] = '\0';
	return true;
}
