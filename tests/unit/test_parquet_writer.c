/* tests/unit/test_parquet_writer.c: unit tests of the Parquet writer (src/parquet/writer.h) and
 * its Thrift compact encoder (src/parquet/thrift_write.h): encoder bytes computed by hand from
 * the compact protocol spec; definition and repetition levels of nested data read back from a
 * written page and compared with levels derived by hand; file framing; statistics; and the
 * failure paths, which must leave no file behind. The tests decode pages themselves (a small
 * compact-protocol skipper and an RLE/bit-packed decoder below) rather than trust the writer. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "batch/batch.h"
#include "parquet/thrift_write.h"
#include "parquet/writer.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* ---- helpers ---------------------------------------------------------------------------- */

static char tmpdir[256];

static int setup_dir(void **state)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lk_pqw_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *path_in_tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

static bool tmp_exists(const char *path)
{
	char *tmp = xasprintf("%s.tmp", path);
	bool e = exists(tmp);
	free(tmp);
	return e;
}

static uint8_t *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *data = xmalloc((size_t)n + 1);
	assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return data;
}

static void vec_setup(struct lk_batch *b, struct lk_vector *v, enum lk_type_id type,
		      const char *name, size_t n)
{
	v->type = type;
	v->name = xstrdup(name);
	v->length = n;
	v->nulls = lk_batch_alloc(b, n ? n : 1);
	switch (type) {
	case LK_TYPE_INT32:
	case LK_TYPE_DATE:
		v->v.i32 = lk_batch_alloc(b, 4 * (n ? n : 1));
		break;
	case LK_TYPE_INT64:
	case LK_TYPE_DECIMAL:
		v->v.i64 = lk_batch_alloc(b, 8 * (n ? n : 1));
		break;
	case LK_TYPE_DOUBLE:
		v->v.f64 = lk_batch_alloc(b, 8 * (n ? n : 1));
		break;
	case LK_TYPE_STRING:
	case LK_TYPE_BINARY:
		v->v.bytes = lk_batch_alloc(b, sizeof *v->v.bytes * (n ? n : 1));
		break;
	case LK_TYPE_LIST:
	case LK_TYPE_MAP:
		v->offsets = lk_batch_alloc(b, sizeof *v->offsets * (n + 1));
		break;
	default:
		break;
	}
}

static void set_string(struct lk_batch *b, struct lk_vector *v, size_t i, const char *s)
{
	v->v.bytes[i].ptr = lk_batch_copy_bytes(b, s, strlen(s));
	v->v.bytes[i].len = (uint32_t)strlen(s);
}

static const struct pq_writer_options uncompressed = { .codec = PQ_CODEC_UNCOMPRESSED };

/* Writes one batch as one row group, uncompressed, and returns the file's bytes. */
static uint8_t *write_file(const char *name, const struct pq_field *fields, size_t n_fields,
			   const struct lk_batch *batch, size_t *len)
{
	char *path = path_in_tmp(name);
	struct pq_write_schema schema = { .fields = fields, .n_fields = n_fields };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, &uncompressed, &err);
	assert_non_null(w);
	assert_true(pq_writer_write_batch(w, batch, &err));
	assert_true(pq_writer_close(w, NULL, &err));
	uint8_t *data = slurp(path, len);
	free(path);
	return data;
}

/* ---- a compact-protocol reader, just enough to skip a page header ----------------------- */

struct reader {
	const uint8_t *p, *end;
};

static uint64_t read_varint(struct reader *r)
{
	uint64_t v = 0;
	for (int shift = 0; r->p < r->end; shift += 7) {
		uint8_t b = *r->p++;
		v |= (uint64_t)(b & 0x7F) << shift;
		if (!(b & 0x80))
			break;
	}
	return v;
}

static int64_t read_zigzag(struct reader *r)
{
	uint64_t v = read_varint(r);
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static void skip_value(struct reader *r, int type);

static void skip_struct(struct reader *r)
{
	for (;;) {
		uint8_t h = *r->p++;
		if (h == 0)
			return;
		if ((h >> 4) == 0)
			read_zigzag(r); /* long-form field id */
		skip_value(r, h & 0x0F);
	}
}

static void skip_value(struct reader *r, int type)
{
	switch (type) {
	case THRIFT_CT_BOOL_TRUE:
	case THRIFT_CT_BOOL_FALSE:
		break;
	case THRIFT_CT_I8:
		r->p++;
		break;
	case THRIFT_CT_I16:
	case THRIFT_CT_I32:
	case THRIFT_CT_I64:
		read_varint(r);
		break;
	case THRIFT_CT_DOUBLE:
		r->p += 8;
		break;
	case THRIFT_CT_BINARY: {
		uint64_t n = read_varint(r);
		r->p += n;
		break;
	}
	case THRIFT_CT_LIST: {
		uint8_t h = *r->p++;
		uint64_t n = h >> 4;
		if (n == 15)
			n = read_varint(r);
		for (uint64_t i = 0; i < n; i++)
			skip_value(r, h & 0x0F);
		break;
	}
	case THRIFT_CT_STRUCT:
		skip_struct(r);
		break;
	default:
		fail_msg("unexpected thrift type %d", type);
	}
}

/* The fields of a PageHeader the tests look at. */
struct page_info {
	int type;            /* 0 data, 2 dictionary */
	int32_t compressed;  /* body bytes */
	int32_t num_values;  /* of the data or dictionary page header */
	int encoding;        /* of the data page */
	int32_t num_nulls, num_rows, def_bytes, rep_bytes; /* data page v2 */
};

static void read_page_header(struct reader *r, struct page_info *info)
{
	int16_t id = 0;
	for (;;) {
		uint8_t h = *r->p++;
		if (h == 0)
			return;
		id = (h >> 4) ? (int16_t)(id + (h >> 4)) : (int16_t)read_zigzag(r);
		int type = h & 0x0F;
		if (id == 1 && type == THRIFT_CT_I32) {
			info->type = (int)read_zigzag(r);
		} else if (id == 3 && type == THRIFT_CT_I32) {
			info->compressed = (int32_t)read_zigzag(r);
		} else if ((id == 5 || id == 7 || id == 8) && type == THRIFT_CT_STRUCT) {
			int16_t sub = 0;
			for (;;) {
				uint8_t sh = *r->p++;
				if (sh == 0)
					break;
				sub = (sh >> 4) ? (int16_t)(sub + (sh >> 4))
						: (int16_t)read_zigzag(r);
				int32_t *v2[] = { [2] = &info->num_nulls, [3] = &info->num_rows,
						  [5] = &info->def_bytes, [6] = &info->rep_bytes };
				if (sub == 1)
					info->num_values = (int32_t)read_zigzag(r);
				else if ((id != 8 && sub == 2) || (id == 8 && sub == 4))
					info->encoding = (int)read_zigzag(r);
				else if (id == 8 && sub >= 2 && sub <= 6 && v2[sub])
					*v2[sub] = (int32_t)read_zigzag(r);
				else
					skip_value(r, sh & 0x0F);
			}
		} else {
			skip_value(r, type);
		}
	}
}

/* Decodes n levels of the RLE/bit-packed hybrid. */
static void decode_levels(const uint8_t *p, size_t len, unsigned width, uint8_t *out, size_t n)
{
	struct reader r = { p, p + len };
	size_t got = 0;
	while (got < n) {
		assert_true(r.p < r.end);
		uint64_t h = read_varint(&r);
		if (h & 1) {
			size_t values = (size_t)(h >> 1) * 8;
			for (size_t k = 0; k < values; k++) {
				unsigned v = 0;
				for (unsigned b = 0; b < width; b++) {
					size_t bit = k * width + b;
					v |= (unsigned)(r.p[bit / 8] >> (bit % 8) & 1) << b;
				}
				if (got < n)
					out[got++] = (uint8_t)v;
			}
			r.p += (h >> 1) * width;
		} else {
			size_t run = (size_t)(h >> 1);
			unsigned v = 0;
			for (unsigned b = 0; b < (width + 7) / 8; b++)
				v |= (unsigned)*r.p++ << (8 * b);
			for (size_t k = 0; k < run && got < n; k++)
				out[got++] = (uint8_t)v;
		}
	}
}

struct page_levels {
	uint8_t rep[64], def[64];
	size_t n;
	const uint8_t *values; /* PLAIN values after the levels */
};

/* Reads the first data page of the first column of an uncompressed file. */
static void first_page_levels(const uint8_t *file, size_t n_levels, int max_rep, int max_def,
			      struct page_levels *out)
{
	struct reader r = { file + 4, file + 4 + 4096 };
	skip_struct(&r);
	const uint8_t *p = r.p;
	if (max_rep > 0) {
		uint32_t len = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
		decode_levels(p + 4, len, max_rep > 1 ? 2 : 1, out->rep, n_levels);
		p += 4 + len;
	}
	if (max_def > 0) {
		uint32_t len = p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
		unsigned width = 0;
		while ((unsigned)max_def >> width)
			width++;
		decode_levels(p + 4, len, width, out->def, n_levels);
		p += 4 + len;
	}
	out->n = n_levels;
	out->values = p;
}

/* ---- Thrift encoder --------------------------------------------------------------------- */

static void test_thrift_struct_bytes_match_compact_spec(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	struct thrift_writer t;
	thrift_writer_init(&t, &b);
	thrift_write_struct_begin(&t);
	thrift_write_field_i32(&t, 1, 1);          /* 0x15 (delta 1, i32), zigzag 2 */
	thrift_write_field_string(&t, 2, "ab");    /* 0x18, length 2, 'a' 'b' */
	thrift_write_field_bool(&t, 20, true);     /* delta 18: long form 0x01, zigzag(20) = 40 */
	thrift_write_field_struct(&t, 21);         /* 0x1C */
	thrift_write_field_i64(&t, 1, -1);         /* nested ids restart: 0x16, zigzag 1 */
	thrift_write_struct_end(&t);               /* 0x00 */
	thrift_write_field_list(&t, 22, THRIFT_CT_I32, 3); /* 0x19 (delta from 21), 0x35 */
	thrift_write_elem_i32(&t, 1);
	thrift_write_elem_i32(&t, 2);
	thrift_write_elem_i32(&t, -3);             /* zigzag 5 */
	thrift_write_field_bool(&t, 23, false);    /* 0x12 */
	thrift_write_struct_end(&t);
	static const uint8_t want[] = {
		0x15, 0x02, 0x18, 0x02, 'a', 'b', 0x01, 0x28, 0x1C, 0x16, 0x01, 0x00,
		0x19, 0x35, 0x02, 0x04, 0x05, 0x12, 0x00,
	};
	assert_int_equal(b.len, sizeof want);
	assert_memory_equal(b.data, want, sizeof want);
	lk_buf_free(&b);
}

static void test_thrift_varints_zigzag_and_long_lists(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	struct thrift_writer t;
	thrift_writer_init(&t, &b);
	thrift_write_struct_begin(&t);
	thrift_write_field_i64(&t, 3, 300);       /* 0x36, zigzag 600 = 0xD8 0x04 */
	thrift_write_field_i32(&t, 2, -64);       /* id goes down: 0x05, zigzag(2) = 4, 127 */
	thrift_write_field_i8(&t, 4, -2);         /* 0x23, 0xFE */
	thrift_write_field_list(&t, 5, THRIFT_CT_BINARY, 15); /* 0x19, 0xF8, 15 */
	for (int i = 0; i < 15; i++)
		thrift_write_elem_binary(&t, "", 0);
	thrift_write_field_i64(&t, 6, INT64_MIN); /* zigzag: all ones, ten bytes */
	thrift_write_struct_end(&t);
	static const uint8_t head[] = { 0x36, 0xD8, 0x04, 0x05, 0x04, 0x7F, 0x23, 0xFE,
					0x19, 0xF8, 0x0F };
	assert_memory_equal(b.data, head, sizeof head);
	const uint8_t *tail = (const uint8_t *)b.data + sizeof head + 15;
	assert_int_equal(tail[0], 0x16);
	for (int i = 1; i <= 9; i++)
		assert_int_equal(tail[i], 0xFF);
	assert_int_equal(tail[10], 0x01);
	assert_int_equal(tail[11], 0x00);
	assert_int_equal(b.len, sizeof head + 15 + 12);
	lk_buf_free(&b);
}

static void test_thrift_double_is_little_endian(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	struct thrift_writer t;
	thrift_writer_init(&t, &b);
	thrift_write_struct_begin(&t);
	thrift_write_field_double(&t, 1, 1.0); /* 0x17, then 00 00 00 00 00 00 F0 3F */
	thrift_write_struct_end(&t);
	static const uint8_t want[] = { 0x17, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F, 0 };
	assert_memory_equal(b.data, want, sizeof want);
	lk_buf_free(&b);
}

/* ---- levels of nested data -------------------------------------------------------------- */

static void test_levels_null_struct_and_null_field(void **state)
{
	static const struct pq_field a[] = {
		{ .name = "a", .type = LK_TYPE_INT32, .nullable = true },
	};
	static const struct pq_field f[] = {
		{ .name = "st", .type = LK_TYPE_STRUCT, .nullable = true, .children = a,
		  .n_children = 1 },
	};
	/* rows: {a: 7}, null, {a: null} -> def 2, 0, 1 (max 2) */
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 3;
	struct lk_vector *st = &b->columns[0];
	vec_setup(b, st, LK_TYPE_STRUCT, "st", 3);
	lk_vector_init_children(st, 1);
	vec_setup(b, &st->children[0], LK_TYPE_INT32, "a", 3);
	st->children[0].v.i32[0] = 7;
	st->nulls[1] = 1;
	st->children[0].nulls[2] = 1;
	size_t len;
	uint8_t *file = write_file("struct.parquet", f, 1, b, &len);
	struct page_levels lv;
	first_page_levels(file, 3, 0, 2, &lv);
	static const uint8_t def[] = { 2, 0, 1 };
	assert_memory_equal(lv.def, def, 3);
	assert_int_equal(lv.values[0], 7);
	assert_int_equal(lv.values[1] | lv.values[2] | lv.values[3], 0);
	free(file);
	lk_batch_free(b);
}

static void test_levels_list_with_empty_null_and_null_element(void **state)
{
	static const struct pq_field e[] = {
		{ .name = "element", .type = LK_TYPE_INT32, .nullable = true },
	};
	static const struct pq_field f[] = {
		{ .name = "l", .type = LK_TYPE_LIST, .nullable = true, .children = e,
		  .n_children = 1 },
	};
	/* rows: [1, null, 2], [], null, [3]
	 * def (max 3): 3 2 3 | 1 | 0 | 3    rep (max 1): 0 1 1 | 0 | 0 | 0 */
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 4;
	struct lk_vector *l = &b->columns[0];
	vec_setup(b, l, LK_TYPE_LIST, "l", 4);
	lk_vector_init_children(l, 1);
	vec_setup(b, &l->children[0], LK_TYPE_INT32, "element", 4);
	static const uint32_t offsets[] = { 0, 3, 3, 3, 4 };
	memcpy(l->offsets, offsets, sizeof offsets);
	l->nulls[2] = 1;
	l->children[0].v.i32[0] = 1;
	l->children[0].nulls[1] = 1;
	l->children[0].v.i32[2] = 2;
	l->children[0].v.i32[3] = 3;
	size_t len;
	uint8_t *file = write_file("list.parquet", f, 1, b, &len);
	struct page_levels lv;
	first_page_levels(file, 6, 1, 3, &lv);
	static const uint8_t def[] = { 3, 2, 3, 1, 0, 3 }, rep[] = { 0, 1, 1, 0, 0, 0 };
	assert_memory_equal(lv.def, def, 6);
	assert_memory_equal(lv.rep, rep, 6);
	static const uint8_t values[] = { 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0 };
	assert_memory_equal(lv.values, values, sizeof values);
	free(file);
	lk_batch_free(b);
}

static void test_levels_map_with_null_value(void **state)
{
	static const struct pq_field kv[] = {
		{ .name = "key", .type = LK_TYPE_STRING },
		{ .name = "value", .type = LK_TYPE_INT32, .nullable = true },
	};
	static const struct pq_field f[] = {
		{ .name = "m", .type = LK_TYPE_MAP, .nullable = true, .children = kv,
		  .n_children = 2 },
	};
	/* rows: {a: 1, b: null}, null, {}, {c: 3}
	 * key   def (max 2): 2 2 | 0 | 1 | 2   value def (max 3): 3 2 | 0 | 1 | 3
	 * rep (both, max 1): 0 1 | 0 | 0 | 0 */
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 4;
	struct lk_vector *m = &b->columns[0];
	vec_setup(b, m, LK_TYPE_MAP, "m", 4);
	lk_vector_init_children(m, 2);
	vec_setup(b, &m->children[0], LK_TYPE_STRING, "key", 3);
	vec_setup(b, &m->children[1], LK_TYPE_INT32, "value", 3);
	static const uint32_t offsets[] = { 0, 2, 2, 2, 3 };
	memcpy(m->offsets, offsets, sizeof offsets);
	m->nulls[1] = 1;
	set_string(b, &m->children[0], 0, "a");
	set_string(b, &m->children[0], 1, "b");
	set_string(b, &m->children[0], 2, "c");
	m->children[1].v.i32[0] = 1;
	m->children[1].nulls[1] = 1;
	m->children[1].v.i32[2] = 3;
	char *path = path_in_tmp("map.parquet");
	struct pq_write_schema schema = { .fields = f, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, &uncompressed, &err);
	assert_non_null(w);
	assert_true(pq_writer_write_batch(w, b, &err));
	struct pq_write_result res;
	assert_true(pq_writer_close(w, &res, &err));
	assert_int_equal(res.n_columns, 2);
	assert_string_equal(res.columns[1].path[0], "m");
	assert_string_equal(res.columns[1].path[1], "key_value");
	assert_string_equal(res.columns[1].path[2], "value");
	assert_int_equal(res.columns[0].max_definition_level, 2);
	assert_int_equal(res.columns[1].max_definition_level, 3);
	assert_int_equal(res.columns[1].max_repetition_level, 1);
	assert_int_equal(res.columns[1].null_count, 3);
	assert_int_equal(res.columns[1].num_values, 5);
	pq_write_result_free(&res);
	size_t len;
	uint8_t *file = slurp(path, &len);
	struct page_levels lv;
	first_page_levels(file, 5, 1, 2, &lv); /* the key column comes first */
	static const uint8_t key_def[] = { 2, 2, 0, 1, 2 }, rep[] = { 0, 1, 0, 0, 0 };
	assert_memory_equal(lv.def, key_def, 5);
	assert_memory_equal(lv.rep, rep, 5);
	assert_memory_equal(lv.values, "\1\0\0\0a\1\0\0\0b\1\0\0\0c", 15);
	free(file);
	free(path);
	lk_batch_free(b);
}

static void test_levels_list_of_lists(void **state)
{
	static const struct pq_field inner[] = { { .name = "element", .type = LK_TYPE_INT32 } };
	static const struct pq_field e[] = {
		{ .name = "element", .type = LK_TYPE_LIST, .nullable = true, .children = inner,
		  .n_children = 1 },
	};
	static const struct pq_field f[] = {
		{ .name = "ll", .type = LK_TYPE_LIST, .nullable = true, .children = e,
		  .n_children = 1 },
	};
	/* rows: [[1, 2], [3]], [[], null], null
	 * def (max 4): 4 4 4 | 3 2 | 0     rep (max 2): 0 2 1 | 0 1 | 0 */
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 3;
	struct lk_vector *ll = &b->columns[0];
	vec_setup(b, ll, LK_TYPE_LIST, "ll", 3);
	lk_vector_init_children(ll, 1);
	struct lk_vector *in = &ll->children[0];
	vec_setup(b, in, LK_TYPE_LIST, "element", 4);
	lk_vector_init_children(in, 1);
	vec_setup(b, &in->children[0], LK_TYPE_INT32, "element", 3);
	static const uint32_t outer_off[] = { 0, 2, 4, 4 }, inner_off[] = { 0, 2, 3, 3, 3 };
	memcpy(ll->offsets, outer_off, sizeof outer_off);
	memcpy(in->offsets, inner_off, sizeof inner_off);
	ll->nulls[2] = 1;
	in->nulls[3] = 1;
	for (int i = 0; i < 3; i++)
		in->children[0].v.i32[i] = i + 1;
	size_t len;
	uint8_t *file = write_file("listlist.parquet", f, 1, b, &len);
	struct page_levels lv;
	first_page_levels(file, 6, 2, 4, &lv);
	static const uint8_t def[] = { 4, 4, 4, 3, 2, 0 }, rep[] = { 0, 2, 1, 0, 1, 0 };
	assert_memory_equal(lv.def, def, 6);
	assert_memory_equal(lv.rep, rep, 6);
	free(file);
	lk_batch_free(b);
}

static void test_levels_long_runs_mix_rle_and_bit_packing(void **state)
{
	static const struct pq_field f[] = {
		{ .name = "x", .type = LK_TYPE_INT64, .nullable = true },
	};
	enum { N = 50 };
	/* 20 nulls (an RLE run), then 10 alternating, then 20 values (another run) */
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = N;
	vec_setup(b, &b->columns[0], LK_TYPE_INT64, "x", N);
	uint8_t def[N];
	for (int i = 0; i < N; i++) {
		bool null = i < 20 || (i < 30 && i % 2);
		b->columns[0].nulls[i] = null;
		b->columns[0].v.i64[i] = i;
		def[i] = !null;
	}
	size_t len;
	uint8_t *file = write_file("runs.parquet", f, 1, b, &len);
	struct page_levels lv;
	first_page_levels(file, N, 0, 1, &lv);
	assert_memory_equal(lv.def, def, N);
	free(file);
	lk_batch_free(b);
}

/* ---- files ------------------------------------------------------------------------------ */

static struct lk_batch *int_batch(size_t n, int64_t first)
{
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = n;
	vec_setup(b, &b->columns[0], LK_TYPE_INT64, "id", n);
	for (size_t i = 0; i < n; i++)
		b->columns[0].v.i64[i] = first + (int64_t)i;
	return b;
}

static const struct pq_field id_field[] = { { .name = "id", .type = LK_TYPE_INT64 } };

static void test_file_framing_magic_and_footer_length(void **state)
{
	struct lk_batch *b = int_batch(10, 0);
	size_t len;
	uint8_t *file = write_file("framing.parquet", id_field, 1, b, &len);
	assert_true(len > 12);
	assert_memory_equal(file, "PAR1", 4);
	assert_memory_equal(file + len - 4, "PAR1", 4);
	const uint8_t *l = file + len - 8;
	uint32_t footer = l[0] | l[1] << 8 | l[2] << 16 | (uint32_t)l[3] << 24;
	assert_true(footer + 12 <= len);
	/* FileMetaData opens with field 1 (version, i32) = 1: 0x15 0x02. */
	const uint8_t *meta = file + len - 8 - footer;
	assert_int_equal(meta[0], 0x15);
	assert_int_equal(meta[1], 0x02);
	/* and ends with its stop byte right before the length */
	assert_int_equal(file[len - 9], 0x00);
	free(file);
	lk_batch_free(b);
}

static void test_file_appears_only_on_close(void **state)
{
	char *path = path_in_tmp("atomic.parquet");
	struct pq_write_schema schema = { .fields = id_field, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	assert_non_null(w);
	struct lk_batch *b = int_batch(5, 0);
	assert_true(pq_writer_write_batch(w, b, &err));
	assert_false(exists(path));
	assert_true(tmp_exists(path));
	assert_true(pq_writer_close(w, NULL, &err));
	assert_true(exists(path));
	assert_false(tmp_exists(path));
	lk_batch_free(b);
	free(path);
}

static void test_row_groups_split_at_row_group_rows(void **state)
{
	char *path = path_in_tmp("groups.parquet");
	struct pq_write_schema schema = { .fields = id_field, .n_fields = 1 };
	struct pq_writer_options opts = { .codec = PQ_CODEC_ZSTD, .row_group_rows = 4 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, &opts, &err);
	assert_non_null(w);
	struct lk_batch *b1 = int_batch(7, 0), *b2 = int_batch(3, 7);
	assert_true(pq_writer_write_batch(w, b1, &err));
	assert_true(pq_writer_write_batch(w, b2, &err));
	struct pq_write_result res;
	assert_true(pq_writer_close(w, &res, &err));
	assert_int_equal(res.num_rows, 10);
	assert_int_equal(res.num_row_groups, 3); /* 4 + 4 + 2 */
	assert_true(res.columns[0].has_min_max);
	assert_int_equal(res.columns[0].min.i64, 0);
	assert_int_equal(res.columns[0].max.i64, 9);
	pq_write_result_free(&res);
	lk_batch_free(b1);
	lk_batch_free(b2);
	free(path);
}

static void test_statistics_null_counts_and_min_max(void **state)
{
	static const struct pq_field f[] = {
		{ .name = "s", .type = LK_TYPE_STRING, .nullable = true },
		{ .name = "d", .type = LK_TYPE_DOUBLE, .nullable = true },
		{ .name = "day", .type = LK_TYPE_DATE },
	};
	struct lk_batch *b = lk_batch_new(3);
	b->n_rows = 4;
	vec_setup(b, &b->columns[0], LK_TYPE_STRING, "s", 4);
	vec_setup(b, &b->columns[1], LK_TYPE_DOUBLE, "d", 4);
	vec_setup(b, &b->columns[2], LK_TYPE_DATE, "day", 4);
	set_string(b, &b->columns[0], 0, "pear");
	set_string(b, &b->columns[0], 1, "apple");
	b->columns[0].nulls[2] = 1;
	set_string(b, &b->columns[0], 3, "zoo");
	static const double d[] = { NAN, 0.0, -2.5, 0 };
	memcpy(b->columns[1].v.f64, d, sizeof d);
	b->columns[1].nulls[3] = 1;
	static const int32_t days[] = { 19000, -5, 20000, 3 };
	memcpy(b->columns[2].v.i32, days, sizeof days);
	char *path = path_in_tmp("stats.parquet");
	struct pq_write_schema schema = { .fields = f, .n_fields = 3 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	assert_non_null(w);
	assert_true(pq_writer_write_batch(w, b, &err));
	struct pq_write_result res;
	assert_true(pq_writer_close(w, &res, &err));
	const struct pq_column_stats *s = &res.columns[0], *dd = &res.columns[1];
	const struct pq_column_stats *day = &res.columns[2];
	assert_int_equal(s->null_count, 1);
	assert_true(s->has_min_max);
	assert_int_equal(s->min.bytes.len, 5);
	assert_memory_equal(s->min.bytes.ptr, "apple", 5);
	assert_memory_equal(s->max.bytes.ptr, "zoo", 3);
	assert_int_equal(dd->null_count, 1);
	assert_int_equal(dd->nan_count, 1);
	assert_true(dd->min.f64 == -2.5);
	assert_true(dd->max.f64 == 0.0 && !signbit(dd->max.f64));
	assert_int_equal(day->null_count, 0);
	assert_int_equal(day->min.i64, -5);
	assert_int_equal(day->max.i64, 20000);
	pq_write_result_free(&res);
	lk_batch_free(b);
	free(path);
}

static void test_dictionary_page_then_rle_dictionary_indices(void **state)
{
	static const struct pq_field f[] = { { .name = "s", .type = LK_TYPE_STRING } };
	static const char *const words[] = { "b", "a", "b", "b", "c", "a", "b", "b", "b", "b" };
	enum { N = 10 };
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = N;
	vec_setup(b, &b->columns[0], LK_TYPE_STRING, "s", N);
	for (int i = 0; i < N; i++)
		set_string(b, &b->columns[0], (size_t)i, words[i]);
	char *path = path_in_tmp("dict.parquet");
	struct pq_write_schema schema = { .fields = f, .n_fields = 1 };
	struct pq_writer_options opts = { .codec = PQ_CODEC_UNCOMPRESSED, .dictionary = true };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, &opts, &err);
	assert_non_null(w);
	assert_true(pq_writer_write_batch(w, b, &err));
	assert_true(pq_writer_close(w, NULL, &err));
	size_t len;
	uint8_t *file = slurp(path, &len);
	/* the dictionary page: three entries, PLAIN, in order of first appearance */
	struct reader r = { file + 4, file + len };
	struct page_info dict = { 0 };
	read_page_header(&r, &dict);
	assert_int_equal(dict.type, 2);
	assert_int_equal(dict.num_values, 3);
	assert_int_equal(dict.encoding, 0);
	assert_int_equal(dict.compressed, 15);
	assert_memory_equal(r.p, "\1\0\0\0b\1\0\0\0a\1\0\0\0c", 15);
	r.p += dict.compressed;
	/* the data page: RLE_DICTIONARY, bit width 2, indices 0 1 0 0 2 1 0 0 0 0 */
	struct page_info data = { 0 };
	read_page_header(&r, &data);
	assert_int_equal(data.type, 0);
	assert_int_equal(data.num_values, N);
	assert_int_equal(data.encoding, 8);
	assert_int_equal(r.p[0], 2);
	uint8_t indices[N];
	decode_levels(r.p + 1, (size_t)data.compressed - 1, 2, indices, N);
	static const uint8_t want[N] = { 0, 1, 0, 0, 2, 1, 0, 0, 0, 0 };
	assert_memory_equal(indices, want, N);
	free(file);
	free(path);
	lk_batch_free(b);
}

static void test_data_page_v2_keeps_levels_uncompressed(void **state)
{
	static const struct pq_field e[] = {
		{ .name = "element", .type = LK_TYPE_INT32, .nullable = true },
	};
	static const struct pq_field f[] = {
		{ .name = "l", .type = LK_TYPE_LIST, .nullable = true, .children = e,
		  .n_children = 1 },
	};
	/* the list test's rows again: [1, null, 2], [], null, [3] */
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 4;
	struct lk_vector *l = &b->columns[0];
	vec_setup(b, l, LK_TYPE_LIST, "l", 4);
	lk_vector_init_children(l, 1);
	vec_setup(b, &l->children[0], LK_TYPE_INT32, "element", 4);
	static const uint32_t offsets[] = { 0, 3, 3, 3, 4 };
	memcpy(l->offsets, offsets, sizeof offsets);
	l->nulls[2] = 1;
	l->children[0].nulls[1] = 1;
	char *path = path_in_tmp("v2.parquet");
	struct pq_write_schema schema = { .fields = f, .n_fields = 1 };
	struct pq_writer_options opts = { .codec = PQ_CODEC_ZSTD, .data_page_v2 = true };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, &opts, &err);
	assert_non_null(w);
	assert_true(pq_writer_write_batch(w, b, &err));
	assert_true(pq_writer_close(w, NULL, &err));
	size_t len;
	uint8_t *file = slurp(path, &len);
	struct reader r = { file + 4, file + len };
	struct page_info page = { 0 };
	read_page_header(&r, &page);
	assert_int_equal(page.type, 3);
	assert_int_equal(page.num_values, 6);
	assert_int_equal(page.num_nulls, 3); /* null element, empty list, null list */
	assert_int_equal(page.num_rows, 4);
	assert_int_equal(page.encoding, 0);
	/* bare levels (no length prefix), readable before the ZSTD-compressed values */
	uint8_t rep[6], def[6];
	decode_levels(r.p, (size_t)page.rep_bytes, 1, rep, 6);
	decode_levels(r.p + page.rep_bytes, (size_t)page.def_bytes, 2, def, 6);
	static const uint8_t want_def[] = { 3, 2, 3, 1, 0, 3 }, want_rep[] = { 0, 1, 1, 0, 0, 0 };
	assert_memory_equal(def, want_def, 6);
	assert_memory_equal(rep, want_rep, 6);
	free(file);
	free(path);
	lk_batch_free(b);
}

static void test_empty_file_is_valid_parquet(void **state)
{
	char *path = path_in_tmp("empty.parquet");
	struct pq_write_schema schema = { .fields = id_field, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	assert_non_null(w);
	struct pq_write_result res;
	assert_true(pq_writer_close(w, &res, &err));
	assert_int_equal(res.num_rows, 0);
	assert_int_equal(res.num_row_groups, 0);
	assert_false(res.columns[0].has_min_max);
	size_t len;
	uint8_t *file = slurp(path, &len);
	assert_int_equal(res.file_size, (int64_t)len);
	assert_memory_equal(file, "PAR1", 4);
	assert_memory_equal(file + len - 4, "PAR1", 4);
	pq_write_result_free(&res);
	free(file);
	free(path);
}

/* ---- failures leave nothing behind ------------------------------------------------------ */

static void test_unwritable_path_fails_with_io_error(void **state)
{
	struct pq_write_schema schema = { .fields = id_field, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	const char *path = "/nonexistent-lakesync-dir/x.parquet";
	assert_null(pq_writer_open(path, &schema, NULL, &err));
	assert_int_equal(err.code, LK_EIO);
	assert_non_null(strstr(err.message, path));
	assert_false(exists(path));
}

static void test_variant_is_unsupported_and_no_file_is_made(void **state)
{
	static const struct pq_field f[] = {
		{ .name = "id", .type = LK_TYPE_INT64 },
		{ .name = "v", .type = LK_TYPE_VARIANT, .nullable = true },
	};
	char *path = path_in_tmp("variant.parquet");
	struct pq_write_schema schema = { .fields = f, .n_fields = 2 };
	struct lk_error err = LK_ERROR_INIT;
	assert_null(pq_writer_open(path, &schema, NULL, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	assert_non_null(strstr(err.message, "column v"));
	assert_non_null(strstr(err.message, "variant"));
	assert_false(exists(path));
	assert_false(tmp_exists(path));
	free(path);
}

static void test_bad_schemas_are_refused(void **state)
{
	static const struct pq_field kv[] = {
		{ .name = "key", .type = LK_TYPE_STRING, .nullable = true },
		{ .name = "value", .type = LK_TYPE_INT32 },
	};
	static const struct pq_field variant[] = {
		{ .name = "element", .type = LK_TYPE_VARIANT, .nullable = true },
	};
	static const struct pq_field deep[] = {
		{ .name = "ok", .type = LK_TYPE_INT32 },
		{ .name = "tags", .type = LK_TYPE_LIST, .children = variant, .n_children = 1 },
	};
	static const struct pq_field bad[][1] = {
		{ { .name = "st", .type = LK_TYPE_STRUCT, .children = deep, .n_children = 2 } },
		{ { .name = "m", .type = LK_TYPE_MAP, .children = kv, .n_children = 2 } },
		{ { .name = "d", .type = LK_TYPE_DECIMAL, .precision = 39 } },
		{ { .name = "d", .type = LK_TYPE_DECIMAL, .precision = 5, .scale = 6 } },
		{ { .name = "st", .type = LK_TYPE_STRUCT } },
		{ { .name = "l", .type = LK_TYPE_LIST } },
		{ { .name = "n", .type = LK_TYPE_NULL } },
		{ { .name = NULL, .type = LK_TYPE_INT32 } },
	};
	char *path = path_in_tmp("bad.parquet");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct pq_write_schema schema = { .fields = bad[i], .n_fields = 1 };
		struct lk_error err = LK_ERROR_INIT;
		assert_null(pq_writer_open(path, &schema, NULL, &err));
		assert_true(err.code == LK_EINVAL || err.code == LK_EUNSUPPORTED);
		assert_false(tmp_exists(path));
	}
	free(path);
}

static void test_batch_schema_mismatch_then_abort_leaves_nothing(void **state)
{
	static const struct pq_field f[] = { { .name = "id", .type = LK_TYPE_INT32 } };
	char *path = path_in_tmp("mismatch.parquet");
	struct pq_write_schema schema = { .fields = f, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	assert_non_null(w);
	struct lk_batch *b = int_batch(3, 0); /* int64 where the schema says int32 */
	assert_false(pq_writer_write_batch(w, b, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, "column id"));
	assert_true(tmp_exists(path));
	pq_writer_abort(w);
	assert_false(exists(path));
	assert_false(tmp_exists(path));
	lk_batch_free(b);
	free(path);
}

static void test_null_in_required_column_fails_and_close_cleans_up(void **state)
{
	char *path = path_in_tmp("required.parquet");
	struct pq_write_schema schema = { .fields = id_field, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	assert_non_null(w);
	struct lk_batch *b = int_batch(3, 0);
	b->columns[0].nulls[1] = 1;
	assert_false(pq_writer_write_batch(w, b, &err));
	assert_non_null(strstr(err.message, "null in non-nullable field id"));
	assert_false(pq_writer_close(w, NULL, &err));
	assert_false(exists(path));
	assert_false(tmp_exists(path));
	lk_batch_free(b);
	free(path);
}

static void test_decimal_out_of_precision_fails(void **state)
{
	static const struct pq_field f[] = {
		{ .name = "price", .type = LK_TYPE_DECIMAL, .precision = 4, .scale = 2 },
	};
	char *path = path_in_tmp("decimal.parquet");
	struct pq_write_schema schema = { .fields = f, .n_fields = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	assert_non_null(w);
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 2;
	vec_setup(b, &b->columns[0], LK_TYPE_DECIMAL, "price", 2);
	b->columns[0].precision = 4;
	b->columns[0].scale = 2;
	b->columns[0].v.i64[0] = 9999;
	b->columns[0].v.i64[1] = -10000;
	assert_false(pq_writer_write_batch(w, b, &err));
	assert_non_null(strstr(err.message, "column price"));
	pq_writer_abort(w);
	assert_false(tmp_exists(path));
	lk_batch_free(b);
	free(path);
}

static void test_codec_names_round_trip_and_unknown_codec_is_refused(void **state)
{
	for (int c = 0; c < PQ_CODEC_COUNT; c++) {
		enum pq_codec back;
		assert_true(pq_codec_from_name(pq_codec_name((enum pq_codec)c), &back));
		assert_int_equal(back, c);
	}
	enum pq_codec unused;
	assert_false(pq_codec_from_name("lzo", &unused));
	assert_null(pq_codec_name(PQ_CODEC_COUNT));
	/* and an unknown codec is refused before any file is made */
	char *path = path_in_tmp("codec.parquet");
	struct pq_write_schema schema = { .fields = id_field, .n_fields = 1 };
	struct pq_writer_options opts = { .codec = PQ_CODEC_COUNT };
	struct lk_error err = LK_ERROR_INIT;
	assert_null(pq_writer_open(path, &schema, &opts, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_false(tmp_exists(path));
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_thrift_struct_bytes_match_compact_spec),
		cmocka_unit_test(test_thrift_varints_zigzag_and_long_lists),
		cmocka_unit_test(test_thrift_double_is_little_endian),
		cmocka_unit_test(test_levels_null_struct_and_null_field),
		cmocka_unit_test(test_levels_list_with_empty_null_and_null_element),
		cmocka_unit_test(test_levels_map_with_null_value),
		cmocka_unit_test(test_levels_list_of_lists),
		cmocka_unit_test(test_levels_long_runs_mix_rle_and_bit_packing),
		cmocka_unit_test(test_file_framing_magic_and_footer_length),
		cmocka_unit_test(test_file_appears_only_on_close),
		cmocka_unit_test(test_row_groups_split_at_row_group_rows),
		cmocka_unit_test(test_statistics_null_counts_and_min_max),
		cmocka_unit_test(test_dictionary_page_then_rle_dictionary_indices),
		cmocka_unit_test(test_data_page_v2_keeps_levels_uncompressed),
		cmocka_unit_test(test_empty_file_is_valid_parquet),
		cmocka_unit_test(test_unwritable_path_fails_with_io_error),
		cmocka_unit_test(test_variant_is_unsupported_and_no_file_is_made),
		cmocka_unit_test(test_bad_schemas_are_refused),
		cmocka_unit_test(test_batch_schema_mismatch_then_abort_leaves_nothing),
		cmocka_unit_test(test_null_in_required_column_fails_and_close_cleans_up),
		cmocka_unit_test(test_decimal_out_of_precision_fails),
		cmocka_unit_test(test_codec_names_round_trip_and_unknown_codec_is_refused),
	};
	return cmocka_run_group_tests_name("parquet_writer", tests, setup_dir, teardown_dir);
}
