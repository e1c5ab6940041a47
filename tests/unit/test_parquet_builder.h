/* tests/unit/test_parquet_builder.h: builds small Parquet files byte by byte for the reader's
 * unit tests: a Thrift compact-protocol writer, level and value encoders, and a one-row-group
 * file assembler that takes schema elements, pages and optional chunk statistics. Written independently of the reader
 * (and of src/parquet/thrift_write.*) so that the tests check the reader against the format,
 * not against itself. Header-only: each test program includes it once. */
#ifndef LK_TEST_PARQUET_BUILDER_H
#define LK_TEST_PARQUET_BUILDER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>

#include "util/buf.h"
#include "util/xmalloc.h"

/* ---- Thrift compact writer ------------------------------------------------------------ */

enum { TW_MAX_DEPTH = 32 };

struct tw {
	struct lk_buf b;
	int16_t last[TW_MAX_DEPTH];
	int depth;
};

static inline void tw_varint(struct tw *w, uint64_t v)
{
	while (v >= 0x80) {
		lk_buf_append_byte(&w->b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	lk_buf_append_byte(&w->b, (uint8_t)v);
}

static inline uint64_t tw_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

static inline void tw_field(struct tw *w, int16_t id, uint8_t type)
{
	int16_t delta = (int16_t)(id - w->last[w->depth]);
	if (delta > 0 && delta <= 15) {
		lk_buf_append_byte(&w->b, (uint8_t)(delta << 4 | type));
	} else {
		lk_buf_append_byte(&w->b, type);
		tw_varint(w, tw_zigzag(id));
	}
	w->last[w->depth] = id;
}

static inline void tw_i32(struct tw *w, int16_t id, int32_t v)
{
	tw_field(w, id, 5);
	tw_varint(w, tw_zigzag(v));
}

static inline void tw_i64(struct tw *w, int16_t id, int64_t v)
{
	tw_field(w, id, 6);
	tw_varint(w, tw_zigzag(v));
}

static inline void tw_bool(struct tw *w, int16_t id, bool v)
{
	tw_field(w, id, v ? 1 : 2);
}

static inline void tw_binary(struct tw *w, int16_t id, const void *data, size_t len)
{
	tw_field(w, id, 8);
	tw_varint(w, len);
	lk_buf_append(&w->b, data, len);
}

static inline void tw_string(struct tw *w, int16_t id, const char *s)
{
	tw_binary(w, id, s, strlen(s));
}

/* A struct as a field (id > 0) or as a list element (id == 0). */
static inline void tw_struct_begin(struct tw *w, int16_t id)
{
	if (id > 0)
		tw_field(w, id, 12);
	w->last[++w->depth] = 0;
}

static inline void tw_struct_end(struct tw *w)
{
	lk_buf_append_byte(&w->b, 0);
	w->depth--;
}

static inline void tw_list_begin(struct tw *w, int16_t id, uint8_t elem_type, size_t n)
{
	tw_field(w, id, 9);
	if (n < 15) {
		lk_buf_append_byte(&w->b, (uint8_t)(n << 4 | elem_type));
	} else {
		lk_buf_append_byte(&w->b, (uint8_t)(0xf0 | elem_type));
		tw_varint(w, n);
	}
}

/* ---- encoders ------------------------------------------------------------------------- */

static inline void enc_u32le(struct lk_buf *b, uint32_t v)
{
	uint8_t bytes[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	lk_buf_append(b, bytes, 4);
}

static inline void enc_uleb(struct lk_buf *b, uint64_t v)
{
	while (v >= 0x80) {
		lk_buf_append_byte(b, (uint8_t)(v | 0x80));
		v >>= 7;
	}
	lk_buf_append_byte(b, (uint8_t)v);
}

/* An RLE run of `count` copies of value. */
static inline void enc_rle_run(struct lk_buf *b, uint32_t count, uint32_t value, int bit_width)
{
	enc_uleb(b, (uint64_t)count << 1);
	for (int i = 0; i < (bit_width + 7) / 8; i++)
		lk_buf_append_byte(b, (uint8_t)(value >> (8 * i)));
}

/* A bit-packed run of n values (n a multiple of 8). */
static inline void enc_bitpacked_run(struct lk_buf *b, const uint32_t *values, size_t n, int bit_width)
{
	enc_uleb(b, (uint64_t)(n / 8) << 1 | 1);
	uint64_t acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		acc |= (uint64_t)values[i] << bits;
		bits += bit_width;
		while (bits >= 8) {
			lk_buf_append_byte(b, (uint8_t)acc);
			acc >>= 8;
			bits -= 8;
		}
	}
	if (bits > 0)
		lk_buf_append_byte(b, (uint8_t)acc);
}

/* Levels as RLE runs, with the 4-byte length prefix of data page v1 when prefixed. */
static inline void enc_levels(struct lk_buf *b, const uint8_t *levels, size_t n, int bit_width,
		       bool prefixed)
{
	struct lk_buf runs = LK_BUF_INIT;
	for (size_t i = 0; i < n;) {
		size_t j = i;
		while (j < n && levels[j] == levels[i])
			j++;
		enc_rle_run(&runs, (uint32_t)(j - i), levels[i], bit_width);
		i = j;
	}
	if (prefixed)
		enc_u32le(b, (uint32_t)runs.len);
	lk_buf_append(b, runs.data, runs.len);
	lk_buf_free(&runs);
}

static inline void enc_plain_i32(struct lk_buf *b, const int32_t *v, size_t n)
{
	lk_buf_append(b, v, n * 4);
}

static inline void enc_plain_i64(struct lk_buf *b, const int64_t *v, size_t n)
{
	lk_buf_append(b, v, n * 8);
}

static inline void enc_plain_strings(struct lk_buf *b, const char *const *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		enc_u32le(b, (uint32_t)strlen(v[i]));
		lk_buf_append_str(b, v[i]);
	}
}

/* DELTA_BINARY_PACKED: blocks of 128 values in 4 miniblocks of 32. */
static inline void enc_delta(struct lk_buf *b, const int64_t *v, size_t n)
{
	enc_uleb(b, 128);
	enc_uleb(b, 4);
	enc_uleb(b, n);
	enc_uleb(b, n ? ((uint64_t)v[0] << 1) ^ (uint64_t)(v[0] >> 63) : 0);
	for (size_t start = 1; start < n; start += 128) {
		size_t count = n - start < 128 ? n - start : 128;
		uint64_t deltas[128];
		int64_t min = INT64_MAX;
		for (size_t i = 0; i < count; i++) {
			int64_t d = (int64_t)((uint64_t)v[start + i] - (uint64_t)v[start + i - 1]);
			deltas[i] = (uint64_t)d;
			min = d < min ? d : min;
		}
		enc_uleb(b, ((uint64_t)min << 1) ^ (uint64_t)(min >> 63));
		uint8_t widths[4] = { 0 };
		for (size_t i = 0; i < count; i++) {
			deltas[i] -= (uint64_t)min;
			int w = 0;
			while (w < 64 && (deltas[i] >> w))
				w++;
			widths[i / 32] = (uint8_t)(w > widths[i / 32] ? w : widths[i / 32]);
		}
		lk_buf_append(b, widths, 4);
		for (size_t m = 0; m * 32 < count; m++) {
			uint8_t body[32 * 8] = { 0 };
			for (size_t i = 0; i < 32 && m * 32 + i < count; i++)
				for (int bit = 0; bit < widths[m]; bit++)
					if ((deltas[m * 32 + i] >> bit) & 1) {
						size_t pos = i * widths[m] + (size_t)bit;
						body[pos / 8] |= (uint8_t)(1u << (pos % 8));
					}
			lk_buf_append(b, body, (size_t)widths[m] * 4);
		}
	}
}

/* DELTA_LENGTH_BYTE_ARRAY of NUL-terminated strings. */
static inline void enc_delta_length(struct lk_buf *b, const char *const *v, size_t n)
{
	int64_t *lengths = xcalloc(n ? n : 1, sizeof *lengths);
	for (size_t i = 0; i < n; i++)
		lengths[i] = (int64_t)strlen(v[i]);
	enc_delta(b, lengths, n);
	for (size_t i = 0; i < n; i++)
		lk_buf_append_str(b, v[i]);
	free(lengths);
}

/* DELTA_BYTE_ARRAY: prefix lengths shared with the previous string, then the suffixes. */
static inline void enc_delta_byte_array(struct lk_buf *b, const char *const *v, size_t n)
{
	int64_t *prefix = xcalloc(n ? n : 1, sizeof *prefix);
	const char **suffix = xcalloc(n ? n : 1, sizeof *suffix);
	for (size_t i = 0; i < n; i++) {
		size_t p = 0;
		while (i > 0 && v[i][p] && v[i][p] == v[i - 1][p])
			p++;
		prefix[i] = (int64_t)p;
		suffix[i] = v[i] + p;
	}
	enc_delta(b, prefix, n);
	enc_delta_length(b, suffix, n);
	free(prefix);
	free(suffix);
}

/* BYTE_STREAM_SPLIT of n values of `width` bytes. */
static inline void enc_byte_stream_split(struct lk_buf *b, const void *values, size_t n,
					 size_t width)
{
	const uint8_t *bytes = values;
	for (size_t k = 0; k < width; k++)
		for (size_t i = 0; i < n; i++)
			lk_buf_append_byte(b, bytes[i * width + k]);
}

/* ---- file assembly -------------------------------------------------------------------- */

enum { PQB_GROUP = -1, PQB_NONE = -1 };

struct pqb_element {
	const char *name;
	int type;          /* physical type, or PQB_GROUP */
	int repetition;    /* 0 required, 1 optional, 2 repeated; -1 for the root */
	int num_children;
	int converted;     /* PQB_NONE or a ConvertedType */
	int logical;       /* 0, or a LogicalType member id (STRING 1, LIST 3, MAP 2, ...) */
	int type_length;
	int scale, precision;
	int field_id;      /* PQB_NONE or the id */
	bool utc;          /* TIMESTAMP logical type */
	int unit;          /* TIMESTAMP: 1 millis, 2 micros, 3 nanos */
};

struct pqb_page {
	int type;          /* 0 data v1, 2 dictionary, 3 data v2 */
	int num_values;
	int encoding;
	struct lk_buf body; /* uncompressed page bytes (v2: rep levels, def levels, values) */
	int v2_rep_len, v2_def_len, v2_num_nulls, v2_num_rows;
	int level_encoding; /* data page v1 levels: 0 means RLE (3); 4 is BIT_PACKED */
};

/* A chunk's Statistics (ColumnMetaData field 12); NULL bounds are left out. */
struct pqb_stats {
	bool has_null_count;
	int64_t null_count;
	const char *max, *min;             /* the deprecated fields 1 and 2 */
	const char *max_value, *min_value; /* fields 5 and 6 */
	bool has_exact;                    /* fields 7 and 8, both `exact` */
	bool exact;
};

struct pqb_chunk {
	int physical;
	int codec;          /* 0 uncompressed or 1 snappy */
	int64_t num_values; /* levels in the chunk */
	struct pqb_page pages[4];
	size_t n_pages;
	const struct pqb_stats *stats; /* NULL: no Statistics */
};

static inline void pqb_logical(struct tw *w, const struct pqb_element *e)
{
	tw_struct_begin(w, 10);
	tw_struct_begin(w, (int16_t)e->logical);
	if (e->logical == 5) { /* DECIMAL */
		tw_i32(w, 1, e->scale);
		tw_i32(w, 2, e->precision);
	} else if (e->logical == 8) { /* TIMESTAMP */
		tw_bool(w, 1, e->utc);
		tw_struct_begin(w, 2);
		tw_struct_begin(w, (int16_t)e->unit);
		tw_struct_end(w);
		tw_struct_end(w);
	}
	tw_struct_end(w);
	tw_struct_end(w);
}

static inline void pqb_schema_element(struct tw *w, const struct pqb_element *e)
{
	tw_struct_begin(w, 0);
	if (e->type != PQB_GROUP)
		tw_i32(w, 1, e->type);
	if (e->type_length)
		tw_i32(w, 2, e->type_length);
	if (e->repetition >= 0)
		tw_i32(w, 3, e->repetition);
	tw_string(w, 4, e->name);
	if (e->type == PQB_GROUP)
		tw_i32(w, 5, e->num_children);
	if (e->converted != PQB_NONE)
		tw_i32(w, 6, e->converted);
	if (e->precision) {
		tw_i32(w, 7, e->scale);
		tw_i32(w, 8, e->precision);
	}
	if (e->field_id != PQB_NONE)
		tw_i32(w, 9, e->field_id);
	if (e->logical)
		pqb_logical(w, e);
	tw_struct_end(w);
}

static inline void pqb_compress(int codec, const struct lk_buf *in, size_t from, struct lk_buf *out)
{
	if (codec == 0) {
		lk_buf_append(out, in->data + from, in->len - from);
		return;
	}
	size_t cap = snappy_max_compressed_length(in->len - from);
	lk_buf_reserve(out, cap);
	size_t n = cap;
	snappy_compress(in->data + from, in->len - from, out->data + out->len, &n);
	out->len += n;
}

static inline void pqb_page(struct lk_buf *file, int codec, const struct pqb_page *p)
{
	struct lk_buf payload = LK_BUF_INIT;
	if (p->type == 3) {
		size_t levels = (size_t)(p->v2_rep_len + p->v2_def_len);
		lk_buf_append(&payload, p->body.data, levels);
		pqb_compress(codec, &p->body, levels, &payload);
	} else {
		pqb_compress(codec, &p->body, 0, &payload);
	}
	struct tw w = { 0 };
	tw_struct_begin(&w, 0);
	tw_i32(&w, 1, p->type);
	tw_i32(&w, 2, (int32_t)p->body.len);
	tw_i32(&w, 3, (int32_t)payload.len);
	if (p->type == 0) {
		tw_struct_begin(&w, 5);
		tw_i32(&w, 1, p->num_values);
		tw_i32(&w, 2, p->encoding);
		tw_i32(&w, 3, p->level_encoding ? p->level_encoding : 3);
		tw_i32(&w, 4, p->level_encoding ? p->level_encoding : 3);
		tw_struct_end(&w);
	} else if (p->type == 2) {
		tw_struct_begin(&w, 7);
		tw_i32(&w, 1, p->num_values);
		tw_i32(&w, 2, 0);
		tw_struct_end(&w);
	} else {
		tw_struct_begin(&w, 8);
		tw_i32(&w, 1, p->num_values);
		tw_i32(&w, 2, p->v2_num_nulls);
		tw_i32(&w, 3, p->v2_num_rows);
		tw_i32(&w, 4, p->encoding);
		tw_i32(&w, 5, p->v2_def_len);
		tw_i32(&w, 6, p->v2_rep_len);
		tw_struct_end(&w);
	}
	tw_struct_end(&w);
	lk_buf_append(file, w.b.data, w.b.len);
	lk_buf_append(file, payload.data, payload.len);
	lk_buf_free(&w.b);
	lk_buf_free(&payload);
}

static inline void pqb_stats(struct tw *w, const struct pqb_stats *st)
{
	tw_struct_begin(w, 12);
	if (st->max)
		tw_string(w, 1, st->max);
	if (st->min)
		tw_string(w, 2, st->min);
	if (st->has_null_count)
		tw_i64(w, 3, st->null_count);
	if (st->max_value)
		tw_string(w, 5, st->max_value);
	if (st->min_value)
		tw_string(w, 6, st->min_value);
	if (st->has_exact) {
		tw_bool(w, 7, st->exact);
		tw_bool(w, 8, st->exact);
	}
	tw_struct_end(w);
}

/* One row group of n_rows; chunks[i] is leaf i; created_by names the writer. Frees the
 * pages' bodies. */
static inline void pqb_file_by(struct lk_buf *file, const struct pqb_element *schema,
			       size_t n_schema, struct pqb_chunk *chunks, size_t n_chunks,
			       int64_t n_rows, const char *created_by)
{
	lk_buf_append(file, "PAR1", 4);
	int64_t *offsets = xcalloc(n_chunks + 1, sizeof *offsets);
	int64_t *sizes = xcalloc(n_chunks + 1, sizeof *sizes);
	for (size_t c = 0; c < n_chunks; c++) {
		offsets[c] = (int64_t)file->len;
		for (size_t p = 0; p < chunks[c].n_pages; p++) {
			pqb_page(file, chunks[c].codec, &chunks[c].pages[p]);
			lk_buf_free(&chunks[c].pages[p].body);
		}
		sizes[c] = (int64_t)file->len - offsets[c];
	}
	struct tw w = { 0 };
	tw_struct_begin(&w, 0);
	tw_i32(&w, 1, 1);
	tw_list_begin(&w, 2, 12, n_schema);
	for (size_t i = 0; i < n_schema; i++)
		pqb_schema_element(&w, &schema[i]);
	tw_i64(&w, 3, n_rows);
	tw_list_begin(&w, 4, 12, 1);
	tw_struct_begin(&w, 0);
	tw_list_begin(&w, 1, 12, n_chunks);
	for (size_t c = 0; c < n_chunks; c++) {
		tw_struct_begin(&w, 0);
		tw_i64(&w, 2, offsets[c]);
		tw_struct_begin(&w, 3);
		tw_i32(&w, 1, chunks[c].physical);
		tw_list_begin(&w, 2, 5, 1);
		tw_varint(&w, tw_zigzag(0));
		tw_list_begin(&w, 3, 8, 1);
		tw_varint(&w, 1);
		lk_buf_append(&w.b, "x", 1);
		tw_i32(&w, 4, chunks[c].codec);
		tw_i64(&w, 5, chunks[c].num_values);
		tw_i64(&w, 6, sizes[c]);
		tw_i64(&w, 7, sizes[c]);
		tw_i64(&w, 9, offsets[c]);
		if (chunks[c].stats)
			pqb_stats(&w, chunks[c].stats);
		tw_struct_end(&w);
		tw_struct_end(&w);
	}
	tw_i64(&w, 2, 0);
	tw_i64(&w, 3, n_rows);
	tw_struct_end(&w);
	tw_list_begin(&w, 5, 12, 1);
	tw_struct_begin(&w, 0);
	tw_string(&w, 1, "writer");
	tw_string(&w, 2, "test");
	tw_struct_end(&w);
	tw_string(&w, 6, created_by);
	tw_struct_end(&w);
	lk_buf_append(file, w.b.data, w.b.len);
	enc_u32le(file, (uint32_t)w.b.len);
	lk_buf_append(file, "PAR1", 4);
	lk_buf_free(&w.b);
	free(offsets);
	free(sizes);
}

/* pqb_file_by() with created_by "lakesync test builder". */
static inline void pqb_file(struct lk_buf *file, const struct pqb_element *schema, size_t n_schema,
		     struct pqb_chunk *chunks, size_t n_chunks, int64_t n_rows)
{
	pqb_file_by(file, schema, n_schema, chunks, n_chunks, n_rows, "lakesync test builder");
}

#endif
