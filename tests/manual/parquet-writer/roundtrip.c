/* tests/manual/parquet-writer/roundtrip.c: writes Parquet files with every type the writer
 * supports (nulls, nested lists, maps and structs, several row groups) in each codec, and beside
 * each file the values it holds as JSON rendered straight from the batches, plus the writer's
 * statistics. check.mjs reads the files back with an independent reader (hyparquet) and compares.
 * Not built by make; see run.sh. Usage: roundtrip OUTDIR */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "parquet/writer.h"
#include "util/buf.h"
#include "util/xmalloc.h"

enum { ROWS = 1000, BATCH_ROWS = 300, ROW_GROUP_ROWS = 400 };

/* ---- the schema ----------------------------------------------------------------------- */

static const struct pq_field inner_fields[] = {
	{ .name = "x", .type = LK_TYPE_DOUBLE, .nullable = true },
};
static const struct pq_field st_fields[] = {
	{ .name = "a", .type = LK_TYPE_INT32, .nullable = true, .has_field_id = true,
	  .field_id = 101 },
	{ .name = "b", .type = LK_TYPE_STRING, .nullable = false },
	{ .name = "inner", .type = LK_TYPE_STRUCT, .nullable = true, .children = inner_fields,
	  .n_children = 1 },
};
static const struct pq_field l_elem[] = {
	{ .name = "element", .type = LK_TYPE_INT64, .nullable = true },
};
static const struct pq_field ll_inner_elem[] = {
	{ .name = "element", .type = LK_TYPE_STRING, .nullable = true },
};
static const struct pq_field ll_elem[] = {
	{ .name = "element", .type = LK_TYPE_LIST, .nullable = true, .children = ll_inner_elem,
	  .n_children = 1 },
};
static const struct pq_field m_kv[] = {
	{ .name = "key", .type = LK_TYPE_STRING },
	{ .name = "value", .type = LK_TYPE_INT32, .nullable = true },
};
static const struct pq_field ls_struct[] = {
	{ .name = "p", .type = LK_TYPE_INT32 },
	{ .name = "q", .type = LK_TYPE_STRING, .nullable = true },
};
static const struct pq_field ls_elem[] = {
	{ .name = "element", .type = LK_TYPE_STRUCT, .nullable = false, .children = ls_struct,
	  .n_children = 2 },
};

enum col_index {
	C_B, C_I8, C_I16, C_I32, C_I64, C_U8, C_U16, C_U32, C_U64, C_F32, C_F64, C_D9, C_D18, C_D38,
	C_S, C_J, C_BIN, C_UUID, C_DATE, C_TIME, C_TS, C_TSNTZ, C_NUL, C_ST, C_L, C_LL, C_M, C_LS,
	C_COUNT
};

static const struct pq_field fields[C_COUNT] = {
	[C_B] = { .name = "b", .type = LK_TYPE_BOOLEAN, .nullable = true },
	[C_I8] = { .name = "i8", .type = LK_TYPE_INT8 },
	[C_I16] = { .name = "i16", .type = LK_TYPE_INT16, .nullable = true },
	[C_I32] = { .name = "i32", .type = LK_TYPE_INT32, .has_field_id = true, .field_id = 4 },
	[C_I64] = { .name = "i64", .type = LK_TYPE_INT64, .nullable = true },
	[C_U8] = { .name = "u8", .type = LK_TYPE_UINT8 },
	[C_U16] = { .name = "u16", .type = LK_TYPE_UINT16 },
	[C_U32] = { .name = "u32", .type = LK_TYPE_UINT32 },
	[C_U64] = { .name = "u64", .type = LK_TYPE_UINT64 },
	[C_F32] = { .name = "f32", .type = LK_TYPE_FLOAT, .nullable = true },
	[C_F64] = { .name = "f64", .type = LK_TYPE_DOUBLE },
	[C_D9] = { .name = "d9", .type = LK_TYPE_DECIMAL, .precision = 9, .scale = 2,
		   .nullable = true },
	[C_D18] = { .name = "d18", .type = LK_TYPE_DECIMAL, .precision = 18, .scale = 4 },
	[C_D38] = { .name = "d38", .type = LK_TYPE_DECIMAL, .precision = 38, .scale = 6,
		    .nullable = true },
	[C_S] = { .name = "s", .type = LK_TYPE_STRING, .nullable = true },
	[C_J] = { .name = "j", .type = LK_TYPE_JSON, .nullable = true },
	[C_BIN] = { .name = "bin", .type = LK_TYPE_BINARY, .nullable = true },
	[C_UUID] = { .name = "uuid", .type = LK_TYPE_UUID },
	[C_DATE] = { .name = "date", .type = LK_TYPE_DATE, .nullable = true },
	[C_TIME] = { .name = "time", .type = LK_TYPE_TIME },
	[C_TS] = { .name = "ts", .type = LK_TYPE_TIMESTAMP, .nullable = true },
	[C_TSNTZ] = { .name = "tsntz", .type = LK_TYPE_TIMESTAMP_NTZ },
	[C_NUL] = { .name = "nul", .type = LK_TYPE_NULL, .nullable = true },
	[C_ST] = { .name = "st", .type = LK_TYPE_STRUCT, .nullable = true, .children = st_fields,
		   .n_children = 3 },
	[C_L] = { .name = "l", .type = LK_TYPE_LIST, .nullable = true, .children = l_elem,
		  .n_children = 1 },
	[C_LL] = { .name = "ll", .type = LK_TYPE_LIST, .nullable = true, .children = ll_elem,
		   .n_children = 1 },
	[C_M] = { .name = "m", .type = LK_TYPE_MAP, .nullable = true, .children = m_kv,
		  .n_children = 2 },
	[C_LS] = { .name = "ls", .type = LK_TYPE_LIST, .nullable = false, .children = ls_elem,
		   .n_children = 1 },
};

/* ---- building batches ----------------------------------------------------------------- */

static void vec_init(struct lk_batch *b, struct lk_vector *v, const struct pq_field *f, size_t n)
{
	v->type = f->type;
	v->precision = f->precision;
	v->scale = f->scale;
	v->name = xstrdup(f->name);
	v->length = n;
	v->nulls = lk_batch_alloc(b, n);
	switch (f->type) {
	case LK_TYPE_BOOLEAN:
		v->v.u8 = lk_batch_alloc(b, n);
		break;
	case LK_TYPE_INT8: case LK_TYPE_INT16: case LK_TYPE_INT32: case LK_TYPE_UINT8:
	case LK_TYPE_UINT16: case LK_TYPE_DATE:
		v->v.i32 = lk_batch_alloc(b, n * 4);
		break;
	case LK_TYPE_INT64: case LK_TYPE_UINT32: case LK_TYPE_UINT64: case LK_TYPE_TIME:
	case LK_TYPE_TIMESTAMP: case LK_TYPE_TIMESTAMP_NTZ:
		v->v.i64 = lk_batch_alloc(b, n * 8);
		break;
	case LK_TYPE_DECIMAL:
		if (f->precision <= 18)
			v->v.i64 = lk_batch_alloc(b, n * 8);
		else
			v->v.bytes = lk_batch_alloc(b, n * sizeof *v->v.bytes);
		break;
	case LK_TYPE_FLOAT:
		v->v.f32 = lk_batch_alloc(b, n * 4);
		break;
	case LK_TYPE_DOUBLE:
		v->v.f64 = lk_batch_alloc(b, n * 8);
		break;
	case LK_TYPE_STRING: case LK_TYPE_JSON: case LK_TYPE_BINARY: case LK_TYPE_UUID:
	case LK_TYPE_INTERVAL:
		v->v.bytes = lk_batch_alloc(b, n * sizeof *v->v.bytes);
		break;
	case LK_TYPE_LIST: case LK_TYPE_MAP:
		v->offsets = lk_batch_alloc(b, (n + 1) * sizeof *v->offsets);
		break;
	default:
		break;
	}
}

static void set_str(struct lk_batch *b, struct lk_vector *v, size_t i, const char *s, size_t len)
{
	v->v.bytes[i].ptr = lk_batch_copy_bytes(b, s, len);
	v->v.bytes[i].len = (uint32_t)len;
}

static void set_printf(struct lk_batch *b, struct lk_vector *v, size_t i, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_printf(struct lk_batch *b, struct lk_vector *v, size_t i, const char *fmt, ...)
{
	char tmp[128];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	set_str(b, v, i, tmp, (size_t)n);
}

/* Minimal big-endian two's complement of a 128-bit value. */
static void set_i128(struct lk_batch *b, struct lk_vector *v, size_t i, __int128 x)
{
	uint8_t be[16];
	for (int k = 0; k < 16; k++)
		be[15 - k] = (uint8_t)((unsigned __int128)x >> (8 * k));
	int start = 0;
	while (start < 15 && ((be[start] == 0 && !(be[start + 1] & 0x80)) ||
			      (be[start] == 0xFF && (be[start + 1] & 0x80))))
		start++;
	set_str(b, v, i, (const char *)be + start, (size_t)(16 - start));
}

static __int128 d38_value(size_t g)
{
	__int128 x = (__int128)g * 1000000000000000000LL * 1000000000000LL + (__int128)g * 7;
	return g % 3 == 0 ? -x : x;
}

static void fill_scalars(struct lk_batch *b, size_t start, size_t n)
{
	struct lk_vector *c = b->columns;
	for (size_t r = 0; r < n; r++) {
		size_t g = start + r;
		c[C_B].nulls[r] = g % 7 == 0;
		c[C_B].v.u8[r] = g % 3 == 0;
		c[C_I8].v.i32[r] = (int32_t)(g % 256) - 128;
		c[C_I16].nulls[r] = g % 5 == 0;
		c[C_I16].v.i32[r] = (int32_t)((g * 37) % 65536) - 32768;
		c[C_I32].v.i32[r] = (int32_t)((uint32_t)g * 1000003u);
		c[C_I64].nulls[r] = g % 11 == 0;
		c[C_I64].v.i64[r] = (int64_t)g * INT64_C(1000000000000) * (g % 2 ? -1 : 1);
		c[C_U8].v.i32[r] = (int32_t)(g % 256);
		c[C_U16].v.i32[r] = (int32_t)((g * 7) % 65536);
		c[C_U32].v.i64[r] = (int64_t)(uint32_t)((uint32_t)g * 2654435761u);
		c[C_U64].v.i64[r] = (int64_t)((uint64_t)g * UINT64_C(0x9E3779B97F4A7C15));
		c[C_F32].nulls[r] = g % 13 == 0;
		c[C_F32].v.f32[r] = g % 50 == 3 ? NAN : g == 1 ? -0.0f : (float)g * 0.5f - 100.0f;
		c[C_F64].v.f64[r] = g % 50 == 4 ? INFINITY : (double)g / 3.0;
		c[C_D9].nulls[r] = g % 9 == 1;
		c[C_D9].v.i64[r] = (int64_t)((g * 12345) % 1000000000) * (g % 2 ? -1 : 1);
		c[C_D18].v.i64[r] = (int64_t)g * INT64_C(1000000000007) * (g % 2 ? -1 : 1);
		c[C_D38].nulls[r] = g % 10 == 5;
		set_i128(b, &c[C_D38], r, d38_value(g));
		c[C_S].nulls[r] = g % 4 == 0;
		set_printf(b, &c[C_S], r, "row-%zu-\xc3\xa9", g);
		c[C_J].nulls[r] = g % 6 == 5;
		set_printf(b, &c[C_J], r, "{\"k\":%zu,\"s\":\"v%zu\"}", g, g % 3);
		c[C_BIN].nulls[r] = g % 8 == 7;
		uint8_t bin[5] = { (uint8_t)g, (uint8_t)(g * 3), 0, 255, 0x80 };
		set_str(b, &c[C_BIN], r, (const char *)bin, g % 5);
		uint8_t uuid[16];
		for (int k = 0; k < 16; k++)
			uuid[k] = (uint8_t)(g + (size_t)k * 17);
		set_str(b, &c[C_UUID], r, (const char *)uuid, 16);
		c[C_DATE].nulls[r] = g % 12 == 0;
		c[C_DATE].v.i32[r] = (int32_t)g * 100 - 20000;
		c[C_TIME].v.i64[r] = (int64_t)((g * INT64_C(123456789)) % INT64_C(86400000000));
		c[C_TS].nulls[r] = g % 14 == 0;
		c[C_TS].v.i64[r] = INT64_C(1700000000000000) + (int64_t)g * 1000001;
		c[C_TSNTZ].v.i64[r] = INT64_C(-1000000000000) + (int64_t)g * 7;
	}
}

static void fill_struct(struct lk_batch *b, size_t start, size_t n)
{
	struct lk_vector *st = &b->columns[C_ST];
	lk_vector_init_children(st, 3);
	vec_init(b, &st->children[0], &st_fields[0], n);
	vec_init(b, &st->children[1], &st_fields[1], n);
	vec_init(b, &st->children[2], &st_fields[2], n);
	struct lk_vector *inner = &st->children[2];
	lk_vector_init_children(inner, 1);
	vec_init(b, &inner->children[0], &inner_fields[0], n);
	for (size_t r = 0; r < n; r++) {
		size_t g = start + r;
		st->nulls[r] = g % 6 == 0;
		st->children[0].nulls[r] = g % 4 == 1;
		st->children[0].v.i32[r] = (int32_t)g * 3;
		set_printf(b, &st->children[1], r, "b%zu", g);
		inner->nulls[r] = g % 5 == 2;
		inner->children[0].nulls[r] = g % 3 == 0;
		inner->children[0].v.f64[r] = (double)g * 1.5;
	}
}

static void fill_lists(struct lk_batch *b, size_t start, size_t n)
{
	/* l: list<int64>, null when g % 5 == 0, g % 4 elements, element k null when
	 * (g+k) % 3 == 0 */
	struct lk_vector *l = &b->columns[C_L];
	lk_vector_init_children(l, 1);
	size_t total = 0;
	for (size_t r = 0; r < n; r++)
		total += (start + r) % 5 == 0 ? 0 : (start + r) % 4;
	vec_init(b, &l->children[0], &l_elem[0], total);
	size_t at = 0;
	for (size_t r = 0; r < n; r++) {
		size_t g = start + r;
		l->offsets[r] = (uint32_t)at;
		l->nulls[r] = g % 5 == 0;
		if (l->nulls[r])
			continue;
		for (size_t k = 0; k < g % 4; k++, at++) {
			l->children[0].nulls[at] = (g + k) % 3 == 0;
			l->children[0].v.i64[at] = (int64_t)(g * 10 + k);
		}
	}
	l->offsets[n] = (uint32_t)at;

	/* ll: list<list<string>>: outer null when g % 9 == 0, g % 3 inner lists; inner j null when
	 * (g+j) % 4 == 3, else (g+j) % 3 strings "e<g>.<j>.<k>", the one at k == 1 null for
	 * odd g */
	struct lk_vector *ll = &b->columns[C_LL];
	lk_vector_init_children(ll, 1);
	size_t n_inner = 0, n_str = 0;
	for (size_t r = 0; r < n; r++) {
		size_t g = start + r;
		if (g % 9 == 0)
			continue;
		for (size_t j = 0; j < g % 3; j++, n_inner++)
			if ((g + j) % 4 != 3)
				n_str += (g + j) % 3;
	}
	struct lk_vector *inner = &ll->children[0];
	vec_init(b, inner, &ll_elem[0], n_inner);
	lk_vector_init_children(inner, 1);
	vec_init(b, &inner->children[0], &ll_inner_elem[0], n_str);
	size_t oi = 0, si = 0;
	for (size_t r = 0; r < n; r++) {
		size_t g = start + r;
		ll->offsets[r] = (uint32_t)oi;
		ll->nulls[r] = g % 9 == 0;
		if (ll->nulls[r])
			continue;
		for (size_t j = 0; j < g % 3; j++, oi++) {
			inner->offsets[oi] = (uint32_t)si;
			inner->nulls[oi] = (g + j) % 4 == 3;
			if (inner->nulls[oi])
				continue;
			for (size_t k = 0; k < (g + j) % 3; k++, si++) {
				inner->children[0].nulls[si] = k == 1 && g % 2;
				set_printf(b, &inner->children[0], si, "e%zu.%zu.%zu", g, j, k);
			}
		}
	}
	ll->offsets[n] = (uint32_t)oi;
	inner->offsets[n_inner] = (uint32_t)si;
}

static void fill_maps(struct lk_batch *b, size_t start, size_t n)
{
	/* m: map<string, int32>: null when g % 8 == 0, g % 3 entries "k<k>", value null at
	 * k == 1 */
	struct lk_vector *m = &b->columns[C_M];
	lk_vector_init_children(m, 2);
	size_t total = 0;
	for (size_t r = 0; r < n; r++)
		total += (start + r) % 8 == 0 ? 0 : (start + r) % 3;
	vec_init(b, &m->children[0], &m_kv[0], total);
	vec_init(b, &m->children[1], &m_kv[1], total);
	size_t at = 0;
	for (size_t r = 0; r < n; r++) {
		size_t g = start + r;
		m->offsets[r] = (uint32_t)at;
		m->nulls[r] = g % 8 == 0;
		if (m->nulls[r])
			continue;
		for (size_t k = 0; k < g % 3; k++, at++) {
			set_printf(b, &m->children[0], at, "k%zu", k);
			m->children[1].nulls[at] = k == 1;
			m->children[1].v.i32[at] = (int32_t)(g + k);
		}
	}
	m->offsets[n] = (uint32_t)at;

	/* ls: list<struct<p int32, q string>> required, g % 3 elements, q null at k == 0 */
	struct lk_vector *ls = &b->columns[C_LS];
	lk_vector_init_children(ls, 1);
	total = 0;
	for (size_t r = 0; r < n; r++)
		total += (start + r) % 3;
	struct lk_vector *el = &ls->children[0];
	vec_init(b, el, &ls_elem[0], total);
	lk_vector_init_children(el, 2);
	vec_init(b, &el->children[0], &ls_struct[0], total);
	vec_init(b, &el->children[1], &ls_struct[1], total);
	at = 0;
	for (size_t r = 0; r < n; r++) {
		size_t g = start + r;
		ls->offsets[r] = (uint32_t)at;
		for (size_t k = 0; k < g % 3; k++, at++) {
			el->children[0].v.i32[at] = (int32_t)(g * 100 + k);
			el->children[1].nulls[at] = k == 0;
			set_printf(b, &el->children[1], at, "q%zu", k);
		}
	}
	ls->offsets[n] = (uint32_t)at;
}

static struct lk_batch *batch_make(size_t start, size_t n)
{
	struct lk_batch *b = lk_batch_new(C_COUNT);
	b->n_rows = n;
	for (size_t i = 0; i < C_COUNT; i++)
		vec_init(b, &b->columns[i], &fields[i], n);
	fill_scalars(b, start, n);
	fill_struct(b, start, n);
	fill_lists(b, start, n);
	fill_maps(b, start, n);
	return b;
}

/* ---- expected values as JSON (conventions in check.mjs) ------------------------------- */

static void hex_append(struct lk_buf *out, const uint8_t *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		lk_buf_printf(out, "%02x", p[i]);
}

static void decimal_text(struct lk_buf *out, __int128 unscaled, unsigned scale)
{
	char digits[64];
	int n = 0;
	bool neg = unscaled < 0;
	unsigned __int128 u = neg ? (unsigned __int128)(-unscaled) : (unsigned __int128)unscaled;
	do {
		digits[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while (n <= (int)scale)
		digits[n++] = '0';
	if (neg)
		lk_buf_append_byte(out, '-');
	for (int i = n - 1; i >= 0; i--) {
		lk_buf_append_byte(out, (uint8_t)digits[i]);
		if (i == (int)scale && scale > 0)
			lk_buf_append_byte(out, '.');
	}
}

static __int128 bytes_to_i128(const struct lk_bytes *b)
{
	__int128 x = (b->ptr[0] & 0x80) ? -1 : 0;
	for (uint32_t i = 0; i < b->len; i++)
		x = (__int128)((unsigned __int128)x << 8) | b->ptr[i];
	return x;
}

static void float_json(struct lk_buf *out, double x, const char *tag)
{
	if (isnan(x))
		lk_buf_printf(out, "{\"%s\":\"NaN\"}", tag);
	else if (isinf(x))
		lk_buf_printf(out, "{\"%s\":\"%sInfinity\"}", tag, x < 0 ? "-" : "");
	else if (x == 0 && signbit(x))
		lk_buf_printf(out, "{\"%s\":\"-0\"}", tag);
	else
		lk_buf_printf(out, "{\"%s\":\"%.17g\"}", tag, x);
}

static void value_json(struct lk_buf *out, const struct lk_vector *v, size_t i)
{
	if (lk_vector_is_null(v, i)) {
		lk_buf_append_str(out, "null");
		return;
	}
	switch (v->type) {
	case LK_TYPE_BOOLEAN:
		lk_buf_append_str(out, v->v.u8[i] ? "true" : "false");
		break;
	case LK_TYPE_INT8: case LK_TYPE_INT16: case LK_TYPE_INT32: case LK_TYPE_UINT8:
	case LK_TYPE_UINT16: case LK_TYPE_DATE:
		lk_buf_printf(out, "{\"$i\":\"%" PRId32 "\"}", v->v.i32[i]);
		break;
	case LK_TYPE_INT64: case LK_TYPE_TIME: case LK_TYPE_TIMESTAMP: case LK_TYPE_TIMESTAMP_NTZ:
		lk_buf_printf(out, "{\"$i\":\"%" PRId64 "\"}", v->v.i64[i]);
		break;
	case LK_TYPE_UINT32: case LK_TYPE_UINT64:
		lk_buf_printf(out, "{\"$i\":\"%" PRIu64 "\"}", (uint64_t)v->v.i64[i]);
		break;
	case LK_TYPE_FLOAT:
		float_json(out, v->v.f32[i], "$f32");
		break;
	case LK_TYPE_DOUBLE:
		float_json(out, v->v.f64[i], "$f64");
		break;
	case LK_TYPE_DECIMAL:
		lk_buf_append_str(out, "{\"$dec\":\"");
		decimal_text(out, v->precision <= 18 ? v->v.i64[i] : bytes_to_i128(&v->v.bytes[i]),
			     v->scale);
		lk_buf_append_str(out, "\"}");
		break;
	case LK_TYPE_STRING:
		lk_buf_append_json_string(out, (const char *)v->v.bytes[i].ptr, v->v.bytes[i].len);
		break;
	case LK_TYPE_JSON:
		lk_buf_append_str(out, "{\"$json\":");
		lk_buf_append(out, v->v.bytes[i].ptr, v->v.bytes[i].len);
		lk_buf_append_str(out, "}");
		break;
	case LK_TYPE_BINARY: case LK_TYPE_INTERVAL:
		lk_buf_append_str(out, "{\"$hex\":\"");
		hex_append(out, v->v.bytes[i].ptr, v->v.bytes[i].len);
		lk_buf_append_str(out, "\"}");
		break;
	case LK_TYPE_UUID: {
		const uint8_t *p = v->v.bytes[i].ptr;
		lk_buf_append_byte(out, '"');
		for (int k = 0; k < 16; k++) {
			if (k == 4 || k == 6 || k == 8 || k == 10)
				lk_buf_append_byte(out, '-');
			lk_buf_printf(out, "%02x", p[k]);
		}
		lk_buf_append_byte(out, '"');
		break;
	}
	case LK_TYPE_STRUCT:
		lk_buf_append_byte(out, '{');
		for (size_t k = 0; k < v->n_children; k++) {
			if (k)
				lk_buf_append_byte(out, ',');
			lk_buf_printf(out, "\"%s\":", v->children[k].name);
			value_json(out, &v->children[k], i);
		}
		lk_buf_append_byte(out, '}');
		break;
	case LK_TYPE_LIST:
		lk_buf_append_byte(out, '[');
		for (uint32_t k = v->offsets[i]; k < v->offsets[i + 1]; k++) {
			if (k > v->offsets[i])
				lk_buf_append_byte(out, ',');
			value_json(out, &v->children[0], k);
		}
		lk_buf_append_byte(out, ']');
		break;
	case LK_TYPE_MAP:
		lk_buf_append_str(out, "{\"$map\":[");
		for (uint32_t k = v->offsets[i]; k < v->offsets[i + 1]; k++) {
			if (k > v->offsets[i])
				lk_buf_append_byte(out, ',');
			lk_buf_append_byte(out, '[');
			value_json(out, &v->children[0], k);
			lk_buf_append_byte(out, ',');
			value_json(out, &v->children[1], k);
			lk_buf_append_byte(out, ']');
		}
		lk_buf_append_str(out, "]}");
		break;
	default:
		lk_buf_append_str(out, "null");
		break;
	}
}

static void rows_json(struct lk_buf *out, const struct lk_batch *b)
{
	for (size_t r = 0; r < b->n_rows; r++) {
		lk_buf_append_str(out, out->len > 1 ? ",\n{" : "\n{");
		for (size_t c = 0; c < b->n_columns; c++) {
			if (c)
				lk_buf_append_byte(out, ',');
			lk_buf_printf(out, "\"%s\":", b->columns[c].name);
			value_json(out, &b->columns[c], r);
		}
		lk_buf_append_byte(out, '}');
	}
}

static void stats_json(struct lk_buf *out, const struct pq_write_result *res)
{
	lk_buf_printf(out, "{\"num_rows\":%" PRId64 ",\"num_row_groups\":%" PRId64
		      ",\"file_size\":%" PRId64 ",\"columns\":[", res->num_rows,
		      res->num_row_groups, res->file_size);
	for (size_t i = 0; i < res->n_columns; i++) {
		const struct pq_column_stats *c = &res->columns[i];
		lk_buf_append_str(out, i ? ",\n{\"path\":\"" : "\n{\"path\":\"");
		for (size_t k = 0; k < c->path_len; k++)
			lk_buf_printf(out, "%s%s", k ? "." : "", c->path[k]);
		lk_buf_printf(out, "\",\"type\":\"%s\",\"num_values\":%" PRId64
			      ",\"null_count\":%" PRId64 ",\"nan_count\":%" PRId64
			      ",\"has_min_max\":%s", lk_type_name(c->type),
			      c->num_values, c->null_count, c->nan_count,
			      c->has_min_max ? "true" : "false");
		if (c->has_min_max) {
			lk_buf_printf(out, ",\"min_i\":\"%" PRId64 "\",\"max_i\":\"%" PRId64 "\",",
				      c->min.i64, c->max.i64);
			lk_buf_append_str(out, "\"min_f\":");
			float_json(out, c->min.f64, "$f64");
			lk_buf_append_str(out, ",\"max_f\":");
			float_json(out, c->max.f64, "$f64");
			lk_buf_append_str(out, ",\"min_hex\":\"");
			hex_append(out, c->min.bytes.ptr, c->min.bytes.len);
			lk_buf_append_str(out, "\",\"max_hex\":\"");
			hex_append(out, c->max.bytes.ptr, c->max.bytes.len);
			lk_buf_append_str(out, "\"");
		}
		lk_buf_append_str(out, "}");
	}
	lk_buf_append_str(out, "]}\n");
}

static bool file_put(const char *path, const struct lk_buf *b)
{
	FILE *f = fopen(path, "w");
	if (!f)
		return false;
	bool ok = fwrite(b->data, 1, b->len, f) == b->len;
	return fclose(f) == 0 && ok;
}

static int write_one(const char *dir, const char *variant, enum pq_codec codec, size_t page_bytes,
		     size_t dictionary_bytes, bool v2)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/all_%s%s.parquet", dir, pq_codec_name(codec), variant);
	static const struct pq_key_value kv[] = {
		{ .key = "lakesync.test", .value = "roundtrip" },
		{ .key = "no.value", .value = NULL },
	};
	struct pq_writer_options opts = {
		.codec = codec,
		.row_group_rows = ROW_GROUP_ROWS,
		.page_bytes = page_bytes,
		.dictionary = dictionary_bytes > 0,
		.dictionary_max_bytes = dictionary_bytes,
		.data_page_v2 = v2,
		.metadata = kv,
		.n_metadata = 2,
	};
	struct pq_write_schema schema = { .fields = fields, .n_fields = C_COUNT };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, &opts, &err);
	if (!w) {
		fprintf(stderr, "open: %s\n", err.message);
		return 1;
	}
	struct lk_buf rows = LK_BUF_INIT;
	lk_buf_append_str(&rows, "[");
	for (size_t start = 0; start < ROWS; start += BATCH_ROWS) {
		size_t n = ROWS - start < BATCH_ROWS ? ROWS - start : BATCH_ROWS;
		struct lk_batch *b = batch_make(start, n);
		rows_json(&rows, b);
		bool ok = pq_writer_write_batch(w, b, &err);
		lk_batch_free(b);
		if (!ok) {
			fprintf(stderr, "write: %s\n", err.message);
			pq_writer_abort(w);
			return 1;
		}
	}
	lk_buf_append_str(&rows, "\n]\n");
	struct pq_write_result res;
	if (!pq_writer_close(w, &res, &err)) {
		fprintf(stderr, "close: %s\n", err.message);
		return 1;
	}
	struct lk_buf stats = LK_BUF_INIT;
	stats_json(&stats, &res);
	pq_write_result_free(&res);
	char side[1100];
	snprintf(side, sizeof side, "%s.rows.json", path);
	bool ok = file_put(side, &rows);
	snprintf(side, sizeof side, "%s.stats.json", path);
	ok = ok && file_put(side, &stats);
	lk_buf_free(&rows);
	lk_buf_free(&stats);
	printf("wrote %s\n", path);
	return ok ? 0 : 1;
}

/* INTERVAL alone: hyparquet refuses to decode it, so check.mjs only checks its schema. */
static int write_interval(const char *dir)
{
	char path[1024];
	snprintf(path, sizeof path, "%s/interval.parquet", dir);
	static const struct pq_field f[] = {
		{ .name = "iv", .type = LK_TYPE_INTERVAL, .nullable = true },
	};
	struct pq_write_schema schema = { .fields = f, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 3;
	vec_init(b, &b->columns[0], &f[0], 3);
	b->columns[0].nulls[1] = 1;
	set_str(b, &b->columns[0], 0, "\1\0\0\0\2\0\0\0\3\0\0\0", 12);
	set_str(b, &b->columns[0], 2, "\4\0\0\0\5\0\0\0\6\0\0\0", 12);
	bool ok = w && pq_writer_write_batch(w, b, &err) && pq_writer_close(w, NULL, &err);
	lk_batch_free(b);
	if (!ok)
		fprintf(stderr, "interval: %s\n", err.message);
	return ok ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: roundtrip OUTDIR\n");
		return 2;
	}
	int rc = 0;
	rc |= write_one(argv[1], "", PQ_CODEC_UNCOMPRESSED, 0, 0, false);
	rc |= write_one(argv[1], "", PQ_CODEC_SNAPPY, 2000, 0, false); /* many pages per chunk */
	rc |= write_one(argv[1], "", PQ_CODEC_GZIP, 0, 0, false);
	rc |= write_one(argv[1], "", PQ_CODEC_ZSTD, 0, 0, false);
	/* dictionary pages; the second with a dictionary small enough to fall back to PLAIN */
	rc |= write_one(argv[1], "_dict", PQ_CODEC_SNAPPY, 0, PQ_DEFAULT_DICTIONARY_BYTES, false);
	rc |= write_one(argv[1], "_dict_fallback", PQ_CODEC_GZIP, 1500, 300, false);
	/* data pages v2 */
	rc |= write_one(argv[1], "_v2", PQ_CODEC_UNCOMPRESSED, 0, 0, true);
	rc |= write_one(argv[1], "_v2", PQ_CODEC_ZSTD, 2000, 0, true);
	rc |= write_one(argv[1], "_v2_dict_fallback", PQ_CODEC_SNAPPY, 1500, 300, true);
	rc |= write_interval(argv[1]);
	return rc;
}
