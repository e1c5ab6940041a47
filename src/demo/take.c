/* demo/take.c: copies chosen rows of batches into a new batch (every type, nested ones
 * included), the way a copy-on-write UPDATE rewrites a file from the rows it read; and the
 * small random-number and date helpers the generators share. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "demo/tables.h"
#include "util/xmalloc.h"

uint64_t demo_rand(uint64_t *state)
{
	uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

int64_t demo_rand_range(uint64_t *state, int64_t min, int64_t max)
{
	if (max <= min)
		return min;
	return min + (int64_t)(demo_rand(state) % (uint64_t)(max - min + 1));
}

uint64_t demo_row_seed(const char *table, int64_t key)
{
	uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a of the name, then the key */
	for (const char *p = table; *p; p++)
		h = (h ^ (uint8_t)*p) * UINT64_C(1099511628211);
	uint64_t state = h ^ (uint64_t)key;
	demo_rand(&state);
	return state;
}

void demo_format_date(int64_t days, char *buf, size_t size)
{
	time_t t = (time_t)(days * 86400);
	struct tm tm;
	gmtime_r(&t, &tm);
	snprintf(buf, size, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

/* ---- take ----------------------------------------------------------------------------- */

/* Bytes per value in v (0: an lk_bytes pair, or no values at all). */
static size_t value_width(const struct lk_vector *vec)
{
	switch (vec->type) {
	case LK_TYPE_BOOLEAN:
		return 1;
	case LK_TYPE_INT8: case LK_TYPE_INT16: case LK_TYPE_INT32: case LK_TYPE_UINT8:
	case LK_TYPE_UINT16: case LK_TYPE_DATE: case LK_TYPE_FLOAT:
		return 4;
	case LK_TYPE_INT64: case LK_TYPE_UINT32: case LK_TYPE_UINT64: case LK_TYPE_TIME:
	case LK_TYPE_TIMESTAMP: case LK_TYPE_TIMESTAMP_NTZ: case LK_TYPE_DOUBLE:
		return 8;
	case LK_TYPE_DECIMAL:
		return vec->precision <= 18 ? 8 : 0;
	default:
		return 0;
	}
}

static bool has_bytes(const struct lk_vector *vec)
{
	switch (vec->type) {
	case LK_TYPE_STRING: case LK_TYPE_JSON: case LK_TYPE_BINARY: case LK_TYPE_UUID:
	case LK_TYPE_INTERVAL: case LK_TYPE_VARIANT:
		return true;
	case LK_TYPE_DECIMAL:
		return vec->precision > 18;
	default:
		return false;
	}
}

static void take_vector(struct lk_batch *b, struct lk_vector *dst, const struct lk_vector *const *src,
			size_t n_src, const struct demo_row_ref *refs, size_t n);

/* LIST and MAP: the offsets, then the children over the referenced ranges. */
static void take_nested_ranges(struct lk_batch *b, struct lk_vector *dst,
			       const struct lk_vector *const *src, size_t n_src,
			       const struct demo_row_ref *refs, size_t n)
{
	dst->offsets = lk_batch_alloc(b, (n + 1) * sizeof *dst->offsets);
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		const struct lk_vector *s = src[refs[i].source];
		dst->offsets[i] = (uint32_t)total;
		if (s->offsets && !lk_vector_is_null(s, refs[i].row))
			total += s->offsets[refs[i].row + 1] - s->offsets[refs[i].row];
	}
	dst->offsets[n] = (uint32_t)total;
	struct demo_row_ref *child_refs = xcalloc(total ? total : 1, sizeof *child_refs);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		const struct lk_vector *s = src[refs[i].source];
		if (!s->offsets || lk_vector_is_null(s, refs[i].row))
			continue;
		for (uint32_t e = s->offsets[refs[i].row]; e < s->offsets[refs[i].row + 1]; e++)
			child_refs[k++] = (struct demo_row_ref){ .source = refs[i].source, .row = e };
	}
	size_t n_children = dst->type == LK_TYPE_MAP ? 2 : 1;
	lk_vector_init_children(dst, n_children);
	const struct lk_vector **child_src = xcalloc(n_src, sizeof *child_src);
	for (size_t c = 0; c < n_children; c++) {
		for (size_t s = 0; s < n_src; s++)
			child_src[s] = src[s]->n_children > c ? &src[s]->children[c] : NULL;
		take_vector(b, &dst->children[c], child_src, n_src, child_refs, total);
	}
	free(child_src);
	free(child_refs);
}

static void take_struct(struct lk_batch *b, struct lk_vector *dst, const struct lk_vector *proto,
			const struct lk_vector *const *src, size_t n_src,
			const struct demo_row_ref *refs, size_t n)
{
	lk_vector_init_children(dst, proto->n_children);
	const struct lk_vector **child_src = xcalloc(n_src, sizeof *child_src);
	for (size_t c = 0; c < proto->n_children; c++) {
		for (size_t s = 0; s < n_src; s++)
			child_src[s] = src[s] && src[s]->n_children > c ? &src[s]->children[c] : NULL;
		take_vector(b, &dst->children[c], child_src, n_src, refs, n);
	}
	free(child_src);
}

/* src[s] may be NULL or of type NULL (a column a source lacks): its rows are nulls. */
static void take_vector(struct lk_batch *b, struct lk_vector *dst, const struct lk_vector *const *src,
			size_t n_src, const struct demo_row_ref *refs, size_t n)
{
	const struct lk_vector *proto = NULL;
	for (size_t s = 0; s < n_src && proto == NULL; s++)
		if (src[s] && src[s]->type != LK_TYPE_NULL)
			proto = src[s];
	for (size_t s = 0; s < n_src && proto == NULL; s++)
		proto = src[s];
	dst->type = proto ? proto->type : LK_TYPE_NULL;
	dst->precision = proto ? proto->precision : 0;
	dst->scale = proto ? proto->scale : 0;
	dst->name = xstrdup(proto && proto->name ? proto->name : "");
	dst->length = n;
	dst->nulls = lk_batch_alloc(b, n ? n : 1);
	size_t width = value_width(dst);
	bool bytes = has_bytes(dst);
	if (width)
		dst->v.u8 = lk_batch_alloc(b, (n ? n : 1) * width);
	if (bytes)
		dst->v.bytes = lk_batch_alloc(b, (n ? n : 1) * sizeof *dst->v.bytes);
	for (size_t i = 0; i < n; i++) {
		const struct lk_vector *s = src[refs[i].source];
		size_t row = refs[i].row;
		bool null = s == NULL || s->type != dst->type || lk_vector_is_null(s, row);
		dst->nulls[i] = null;
		if (null)
			continue;
		if (width)
			memcpy(dst->v.u8 + i * width, s->v.u8 + row * width, width);
		if (bytes)
			dst->v.bytes[i] = (struct lk_bytes){
				.ptr = lk_batch_copy_bytes(b, s->v.bytes[row].ptr,
							   s->v.bytes[row].len),
				.len = s->v.bytes[row].len,
			};
	}
	if (dst->type == LK_TYPE_STRUCT)
		take_struct(b, dst, proto, src, n_src, refs, n);
	else if (dst->type == LK_TYPE_LIST || dst->type == LK_TYPE_MAP)
		take_nested_ranges(b, dst, src, n_src, refs, n);
}

struct lk_batch *demo_take(const struct lk_batch *const *sources, const struct demo_row_ref *refs,
			   size_t n, size_t n_extra)
{
	size_t n_columns = sources[0]->n_columns;
	size_t n_sources = 0;
	for (size_t i = 0; i < n; i++)
		if (refs[i].source + 1 > n_sources)
			n_sources = refs[i].source + 1;
	if (n_sources == 0)
		n_sources = 1;
	struct lk_batch *b = lk_batch_new(n_columns + n_extra);
	b->n_rows = n;
	const struct lk_vector **src = xcalloc(n_sources, sizeof *src);
	for (size_t c = 0; c < n_columns; c++) {
		for (size_t s = 0; s < n_sources; s++)
			src[s] = &sources[s]->columns[c];
		take_vector(b, &b->columns[c], src, n_sources, refs, n);
	}
	free(src);
	return b;
}

void demo_fill_string(struct lk_batch *b, size_t col, const char *name,
		      const char *const *values)
{
	struct lk_vector *v = &b->columns[col];
	v->name = xstrdup(name);
	v->type = LK_TYPE_STRING;
	v->length = b->n_rows;
	v->nulls = lk_batch_alloc(b, b->n_rows ? b->n_rows : 1);
	v->v.bytes = lk_batch_alloc(b, (b->n_rows ? b->n_rows : 1) * sizeof *v->v.bytes);
	for (size_t i = 0; i < b->n_rows; i++)
		v->v.bytes[i] = (struct lk_bytes){
			.ptr = lk_batch_copy_bytes(b, values[i], strlen(values[i])),
			.len = (uint32_t)strlen(values[i]),
		};
}
