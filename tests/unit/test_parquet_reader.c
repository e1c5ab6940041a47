/* tests/unit/test_parquet_reader.c: the Parquet reader end to end on files built byte by
 * byte (test_parquet_builder.h): flat, dictionary, nested lists, maps, legacy lists, bare
 * repeated fields, data page v2 with DELTA_BINARY_PACKED, timestamps, projections by name,
 * path and node, and the failure paths: bad magic, truncated or corrupt footers, encrypted
 * files, dictionary indexes out of range, impossible levels and the batch byte cap. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch.h"
#include "parquet/parquet.h"
#include "test_parquet_builder.h"
#include "util/buf.h"
#include "util/error.h"

static const struct pqb_element ROOT = { .name = "schema", .type = PQB_GROUP, .repetition = -1,
					 .converted = PQB_NONE, .field_id = PQB_NONE };

static struct pqb_element group(const char *name, int repetition, int n_children, int converted,
				int logical)
{
	return (struct pqb_element){ .name = name, .type = PQB_GROUP, .repetition = repetition,
				     .num_children = n_children, .converted = converted,
				     .logical = logical, .field_id = PQB_NONE };
}

static struct pqb_element leaf(const char *name, int type, int repetition)
{
	return (struct pqb_element){ .name = name, .type = type, .repetition = repetition,
				     .converted = PQB_NONE, .field_id = PQB_NONE };
}

/* How many threads read_all decodes a row group's columns on (pq_reader_set_decode_threads). */
static int read_threads = 1;

/* Reads every row of the file into JSON Lines; returns false (err filled) on failure. */
static bool read_all(const struct lk_buf *file, const char *const *columns, size_t n,
		     size_t max_bytes, struct lk_buf *out, struct lk_error *err)
{
	struct pq_file *f = pq_file_open_memory(file->data, file->len, "t.parquet", err);
	if (f == NULL)
		return false;
	struct pq_reader *r = pq_reader_open(f, columns, n, err);
	bool ok = r != NULL;
	if (ok && max_bytes)
		pq_reader_set_max_batch_bytes(r, max_bytes);
	if (ok)
		pq_reader_set_decode_threads(r, read_threads);
	while (ok) {
		struct lk_batch *batch;
		ok = pq_reader_next(r, &batch, err);
		if (!ok || batch == NULL)
			break;
		for (size_t row = 0; row < batch->n_rows; row++) {
			lk_render_json_row(batch, row, out);
			lk_buf_append_byte(out, '\n');
		}
		lk_batch_free(batch);
	}
	pq_reader_close(r);
	pq_file_close(f);
	return ok;
}

static void assert_reads_as(const struct lk_buf *file, const char *expected)
{
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = read_all(file, NULL, 0, 0, &out, &err);
	if (!ok)
		fail_msg("read failed: %s", err.message);
	assert_string_equal(lk_buf_cstr(&out), expected);
	lk_buf_free(&out);
}

static void assert_fails_with(const struct lk_buf *file, enum lk_errcode code, const char *part)
{
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = read_all(file, NULL, 0, 0, &out, &err);
	assert_false(ok);
	if (strstr(err.message, part) == NULL)
		fail_msg("error '%s' lacks '%s'", err.message, part);
	assert_int_equal(err.code, code);
	lk_buf_free(&out);
}

/* id INT32 required, 3 values PLAIN */
static void build_flat_int32(struct lk_buf *file)
{
	struct pqb_element schema[] = { ROOT, leaf("id", 1, 0) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 1, .num_values = 3, .n_pages = 1 };
	int32_t values[] = { 7, -1, 2147483647 };
	chunk.pages[0] = (struct pqb_page){ .type = 0, .num_values = 3, .encoding = 0 };
	enc_plain_i32(&chunk.pages[0].body, values, 3);
	pqb_file(file, schema, 2, &chunk, 1, 3);
}

static void test_reads_flat_required_int32(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_flat_int32(&file);
	assert_reads_as(&file, "{\"id\":7}\n{\"id\":-1}\n{\"id\":2147483647}\n");
	struct lk_error err = LK_ERROR_INIT;
	struct pq_file *f = pq_file_open_memory(file.data, file.len, "t.parquet", &err);
	assert_non_null(f);
	assert_int_equal(pq_file_num_rows(f), 3);
	assert_int_equal(pq_file_num_row_groups(f), 1);
	assert_int_equal(pq_file_kv_count(f), 1);
	const char *key, *value;
	assert_true(pq_file_kv(f, 0, &key, &value));
	assert_string_equal(key, "writer");
	assert_string_equal(value, "test");
	assert_string_equal(pq_file_created_by(f), "lakesync test builder");
	const struct pq_schema_node *root = pq_file_schema(f);
	assert_int_equal(root->n_children, 1);
	assert_int_equal(root->children[0].type, LK_TYPE_INT32);
	pq_file_close(f);
	lk_buf_free(&file);
}

/* s: optional STRING, dictionary ["a", "bb"], rows "bb", null, "a", "bb"; SNAPPY */
static void build_dictionary_strings(struct lk_buf *file, uint32_t bad_index)
{
	struct pqb_element schema[] = { ROOT, leaf("s", 6, 1) };
	schema[0].num_children = 1;
	schema[1].logical = 1;
	struct pqb_chunk chunk = { .physical = 6, .codec = 1, .num_values = 4, .n_pages = 2 };
	const char *dict[] = { "a", "bb" };
	chunk.pages[0] = (struct pqb_page){ .type = 2, .num_values = 2 };
	enc_plain_strings(&chunk.pages[0].body, dict, 2);
	chunk.pages[1] = (struct pqb_page){ .type = 0, .num_values = 4, .encoding = 8 };
	uint8_t def[] = { 1, 0, 1, 1 };
	enc_levels(&chunk.pages[1].body, def, 4, 1, true);
	lk_buf_append_byte(&chunk.pages[1].body, 8); /* index bit width */
	uint32_t idx[8] = { 1, 0, bad_index ? bad_index : 1 };
	enc_bitpacked_run(&chunk.pages[1].body, idx, 8, 8);
	pqb_file(file, schema, 2, &chunk, 1, 4);
}

static void test_reads_dictionary_strings_with_nulls(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_dictionary_strings(&file, 0);
	assert_reads_as(&file, "{\"s\":\"bb\"}\n{\"s\":null}\n{\"s\":\"a\"}\n{\"s\":\"bb\"}\n");
	lk_buf_free(&file);
}

static void test_dictionary_index_out_of_range_names_the_column(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_dictionary_strings(&file, 70);
	assert_fails_with(&file, LK_ECORRUPT,
			  "t.parquet: row group 0, column s: dictionary index 70 out of range "
			  "(dictionary has 2 values)");
	lk_buf_free(&file);
}

/* a: optional LIST of optional int32: [1,2], null, [], [null,3] */
static void test_reads_three_level_list(void **state)
{
	struct pqb_element schema[] = { ROOT, group("a", 1, 1, 3, 3), group("list", 2, 1, -1, 0),
					leaf("element", 1, 1) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 1, .num_values = 6, .n_pages = 1 };
	struct pqb_page *p = &chunk.pages[0];
	*p = (struct pqb_page){ .type = 0, .num_values = 6, .encoding = 0 };
	uint8_t rep[] = { 0, 1, 0, 0, 0, 1 };
	uint8_t def[] = { 3, 3, 0, 1, 2, 3 };
	enc_levels(&p->body, rep, 6, 1, true);
	enc_levels(&p->body, def, 6, 2, true);
	int32_t values[] = { 1, 2, 3 };
	enc_plain_i32(&p->body, values, 3);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 4, &chunk, 1, 4);
	assert_reads_as(&file, "{\"a\":[1,2]}\n{\"a\":null}\n{\"a\":[]}\n{\"a\":[null,3]}\n");
	lk_buf_free(&file);
}

/* legacy two-level list: optional group a (LIST) { repeated int32 array } */
static void test_reads_two_level_list(void **state)
{
	struct pqb_element schema[] = { ROOT, group("a", 1, 1, 3, 0), leaf("array", 1, 2) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 1, .num_values = 3, .n_pages = 1 };
	struct pqb_page *p = &chunk.pages[0];
	*p = (struct pqb_page){ .type = 0, .num_values = 3, .encoding = 0 };
	uint8_t rep[] = { 0, 1, 0 };
	uint8_t def[] = { 2, 2, 1 };
	enc_levels(&p->body, rep, 3, 1, true);
	enc_levels(&p->body, def, 3, 2, true);
	int32_t values[] = { 1, 2 };
	enc_plain_i32(&p->body, values, 2);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 3, &chunk, 1, 2);
	assert_reads_as(&file, "{\"a\":[1,2]}\n{\"a\":[]}\n");
	lk_buf_free(&file);
}

/* repeated int32 x without annotation: a list that is never null */
static void test_reads_bare_repeated_field_as_list(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("x", 1, 2) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 1, .num_values = 4, .n_pages = 1 };
	struct pqb_page *p = &chunk.pages[0];
	*p = (struct pqb_page){ .type = 0, .num_values = 4, .encoding = 0 };
	uint8_t rep[] = { 0, 0, 1, 1 };
	uint8_t def[] = { 0, 1, 1, 1 };
	enc_levels(&p->body, rep, 4, 1, true);
	enc_levels(&p->body, def, 4, 1, true);
	int32_t values[] = { 4, 5, 6 };
	enc_plain_i32(&p->body, values, 3);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 2, &chunk, 1, 2);
	assert_reads_as(&file, "{\"x\":[]}\n{\"x\":[4,5,6]}\n");
	lk_buf_free(&file);
}

/* m: optional MAP<string, optional int32>: {"x":1,"y":null}, null */
static void build_map(struct lk_buf *file)
{
	struct pqb_element schema[] = { ROOT, group("m", 1, 1, 1, 2), group("key_value", 2, 2, -1, 0),
					leaf("key", 6, 0), leaf("value", 1, 1) };
	schema[0].num_children = 1;
	schema[3].logical = 1;
	struct pqb_chunk chunks[2] = {
		{ .physical = 6, .num_values = 3, .n_pages = 1 },
		{ .physical = 1, .num_values = 3, .n_pages = 1 },
	};
	uint8_t rep[] = { 0, 1, 0 };
	uint8_t key_def[] = { 2, 2, 0 };
	uint8_t value_def[] = { 3, 2, 0 };
	struct pqb_page *k = &chunks[0].pages[0];
	*k = (struct pqb_page){ .type = 0, .num_values = 3, .encoding = 0 };
	enc_levels(&k->body, rep, 3, 1, true);
	enc_levels(&k->body, key_def, 3, 2, true);
	const char *keys[] = { "x", "y" };
	enc_plain_strings(&k->body, keys, 2);
	struct pqb_page *v = &chunks[1].pages[0];
	*v = (struct pqb_page){ .type = 0, .num_values = 3, .encoding = 0 };
	enc_levels(&v->body, rep, 3, 1, true);
	enc_levels(&v->body, value_def, 3, 2, true);
	int32_t values[] = { 1 };
	enc_plain_i32(&v->body, values, 1);
	pqb_file(file, schema, 5, chunks, 2, 2);
}

static void test_reads_map(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_map(&file);
	assert_reads_as(&file, "{\"m\":{\"x\":1,\"y\":null}}\n{\"m\":null}\n");
	lk_buf_free(&file);
}

/* s: optional struct { a: required int32 (field id 7), b: optional string } */
static void build_struct(struct lk_buf *file)
{
	struct pqb_element schema[] = { ROOT, group("s", 1, 2, -1, 0), leaf("a", 1, 0),
					leaf("b", 6, 1) };
	schema[0].num_children = 1;
	schema[2].field_id = 7;
	schema[3].converted = 0; /* UTF8 */
	struct pqb_chunk chunks[2] = {
		{ .physical = 1, .num_values = 2, .n_pages = 1 },
		{ .physical = 6, .num_values = 2, .n_pages = 1 },
	};
	uint8_t a_def[] = { 1, 0 };
	uint8_t b_def[] = { 2, 0 };
	struct pqb_page *a = &chunks[0].pages[0];
	*a = (struct pqb_page){ .type = 0, .num_values = 2, .encoding = 0 };
	enc_levels(&a->body, a_def, 2, 1, true);
	int32_t av[] = { 42 };
	enc_plain_i32(&a->body, av, 1);
	struct pqb_page *b = &chunks[1].pages[0];
	*b = (struct pqb_page){ .type = 0, .num_values = 2, .encoding = 0 };
	enc_levels(&b->body, b_def, 2, 2, true);
	const char *bv[] = { "hi" };
	enc_plain_strings(&b->body, bv, 1);
	pqb_file(file, schema, 4, chunks, 2, 2);
}

static void test_reads_struct_and_projects_a_path(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_struct(&file);
	assert_reads_as(&file, "{\"s\":{\"a\":42,\"b\":\"hi\"}}\n{\"s\":null}\n");
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	const char *cols[] = { "s.b" };
	assert_true(read_all(&file, cols, 1, 0, &out, &err));
	assert_string_equal(lk_buf_cstr(&out), "{\"s.b\":\"hi\"}\n{\"s.b\":null}\n");
	lk_buf_free(&out);
	lk_buf_free(&file);
}

static void test_overlapping_projections_share_a_leaf(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_flat_int32(&file);
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	const char *twice[] = { "id", "id" };
	assert_true(read_all(&file, twice, 2, 0, &out, &err));
	assert_string_equal(lk_buf_cstr(&out), "{\"id\":7,\"id\":7}\n{\"id\":-1,\"id\":-1}\n"
					       "{\"id\":2147483647,\"id\":2147483647}\n");
	lk_buf_free(&file);
	lk_buf_reset(&out);
	build_struct(&file);
	const char *nested[] = { "s.a", "s" };
	assert_true(read_all(&file, nested, 2, 0, &out, &err));
	assert_string_equal(lk_buf_cstr(&out), "{\"s.a\":42,\"s\":{\"a\":42,\"b\":\"hi\"}}\n"
					       "{\"s.a\":null,\"s\":null}\n");
	lk_buf_free(&out);
	lk_buf_free(&file);
}

static void test_selects_a_node_found_by_field_id(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_struct(&file);
	struct lk_error err = LK_ERROR_INIT;
	struct pq_file *f = pq_file_open_memory(file.data, file.len, "t.parquet", &err);
	assert_non_null(f);
	const struct pq_schema_node *by_id = NULL;
	for (size_t i = 0; i < pq_file_num_leaves(f); i++)
		if (pq_file_leaf(f, i)->has_field_id && pq_file_leaf(f, i)->field_id == 7)
			by_id = pq_file_leaf(f, i);
	assert_non_null(by_id);
	assert_string_equal(by_id->path, "s.a");
	struct pq_reader *r = pq_reader_open_nodes(f, &by_id, 1, &err);
	assert_non_null(r);
	struct lk_batch *batch;
	assert_true(pq_reader_next(r, &batch, &err));
	assert_non_null(batch);
	assert_int_equal(batch->n_columns, 1);
	assert_string_equal(batch->columns[0].name, "s.a");
	assert_int_equal(batch->columns[0].v.i32[0], 42);
	assert_true(lk_vector_is_null(&batch->columns[0], 1));
	lk_batch_free(batch);
	assert_true(pq_reader_next(r, &batch, &err));
	assert_null(batch);
	pq_reader_close(r);
	pq_file_close(f);
	lk_buf_free(&file);
}

static void test_unknown_column_is_refused(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_struct(&file);
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	const char *cols[] = { "nope" };
	assert_false(read_all(&file, cols, 1, 0, &out, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_string_equal(err.message, "t.parquet: no column 'nope'");
	lk_buf_free(&out);
	lk_buf_free(&file);
}

static void test_path_inside_a_list_is_refused(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_map(&file);
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	const char *cols[] = { "m.key_value.key" };
	assert_false(read_all(&file, cols, 1, 0, &out, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	lk_buf_free(&out);
	lk_buf_free(&file);
}

/* v: required INT64, data page v2, DELTA_BINARY_PACKED: 7, 10, 12, 11, 20; SNAPPY */
static void test_reads_page_v2_delta_binary_packed(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("v", 2, 0) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 2, .codec = 1, .num_values = 5, .n_pages = 1 };
	struct pqb_page *p = &chunk.pages[0];
	*p = (struct pqb_page){ .type = 3, .num_values = 5, .encoding = 5, .v2_num_rows = 5 };
	enc_uleb(&p->body, 128);
	enc_uleb(&p->body, 4);
	enc_uleb(&p->body, 5);
	enc_uleb(&p->body, 14); /* zigzag(7) */
	enc_uleb(&p->body, 1);  /* min delta zigzag(-1) */
	uint8_t widths[] = { 4, 0, 0, 0 };
	lk_buf_append(&p->body, widths, 4);
	uint32_t adjusted[32] = { 4, 3, 0, 10 };
	struct lk_buf packed = LK_BUF_INIT;
	enc_bitpacked_run(&packed, adjusted, 32, 4);
	lk_buf_append(&p->body, packed.data + 1, packed.len - 1); /* without the run header */
	lk_buf_free(&packed);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 2, &chunk, 1, 5);
	assert_reads_as(&file, "{\"v\":7}\n{\"v\":10}\n{\"v\":12}\n{\"v\":11}\n{\"v\":20}\n");
	lk_buf_free(&file);
}

/* t: required INT64 TIMESTAMP(MILLIS, UTC) and u: TIMESTAMP(NANOS, not UTC) */
static void test_converts_timestamp_units(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("t", 2, 0), leaf("u", 2, 0) };
	schema[0].num_children = 2;
	schema[1].logical = 8;
	schema[1].utc = true;
	schema[1].unit = 1;
	schema[2].logical = 8;
	schema[2].unit = 3;
	struct pqb_chunk chunks[2] = {
		{ .physical = 2, .num_values = 1, .n_pages = 1 },
		{ .physical = 2, .num_values = 1, .n_pages = 1 },
	};
	int64_t millis[] = { 1500 }, nanos[] = { -1 };
	chunks[0].pages[0] = (struct pqb_page){ .type = 0, .num_values = 1, .encoding = 0 };
	enc_plain_i64(&chunks[0].pages[0].body, millis, 1);
	chunks[1].pages[0] = (struct pqb_page){ .type = 0, .num_values = 1, .encoding = 0 };
	enc_plain_i64(&chunks[1].pages[0].body, nanos, 1);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 3, chunks, 2, 1);
	assert_reads_as(&file, "{\"t\":\"1970-01-01T00:00:01.500000Z\","
			       "\"u\":\"1969-12-31T23:59:59.999999\"}\n");
	lk_buf_free(&file);
}

/* Found by fuzz_parquet: DECIMAL(20) on INT64 made the reader store int64 values in a
 * vector typed as a wide (byte) decimal. A precision the physical type cannot hold is
 * ignored, and the column reads as its physical type. */
static void test_decimal_wider_than_its_physical_type_is_ignored(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("d", 2, 0), leaf("e", 1, 0) };
	schema[0].num_children = 2;
	schema[1].converted = 5;
	schema[1].precision = 20;
	schema[1].scale = 2;
	schema[2].converted = 5;
	schema[2].precision = 9;
	schema[2].scale = 2;
	struct pqb_chunk chunks[2] = {
		{ .physical = 2, .num_values = 1, .n_pages = 1 },
		{ .physical = 1, .num_values = 1, .n_pages = 1 },
	};
	int64_t d[] = { 12345 };
	int32_t e[] = { -5 };
	chunks[0].pages[0] = (struct pqb_page){ .type = 0, .num_values = 1, .encoding = 0 };
	enc_plain_i64(&chunks[0].pages[0].body, d, 1);
	chunks[1].pages[0] = (struct pqb_page){ .type = 0, .num_values = 1, .encoding = 0 };
	enc_plain_i32(&chunks[1].pages[0].body, e, 1);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 3, chunks, 2, 1);
	assert_reads_as(&file, "{\"d\":12345,\"e\":\"-0.05\"}\n");
	lk_buf_free(&file);
}

/* s: required STRING in two pages: DELTA_LENGTH_BYTE_ARRAY, then DELTA_BYTE_ARRAY */
static void test_reads_delta_string_encodings(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("s", 6, 0) };
	schema[0].num_children = 1;
	schema[1].logical = 1;
	struct pqb_chunk chunk = { .physical = 6, .codec = 1, .num_values = 5, .n_pages = 2 };
	const char *first[] = { "a", "bc" };
	const char *second[] = { "apple", "apricot", "banana" };
	chunk.pages[0] = (struct pqb_page){ .type = 0, .num_values = 2, .encoding = 6 };
	enc_delta_length(&chunk.pages[0].body, first, 2);
	chunk.pages[1] = (struct pqb_page){ .type = 0, .num_values = 3, .encoding = 7 };
	enc_delta_byte_array(&chunk.pages[1].body, second, 3);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 2, &chunk, 1, 5);
	assert_reads_as(&file, "{\"s\":\"a\"}\n{\"s\":\"bc\"}\n{\"s\":\"apple\"}\n"
			       "{\"s\":\"apricot\"}\n{\"s\":\"banana\"}\n");
	lk_buf_free(&file);
}

/* many INT32 values over several DELTA_BINARY_PACKED blocks, with an optional column */
static void test_reads_long_delta_binary_packed_column(void **state)
{
	enum { N = 300 };
	struct pqb_element schema[] = { ROOT, leaf("v", 1, 1) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 1, .num_values = N, .n_pages = 1 };
	struct pqb_page *p = &chunk.pages[0];
	*p = (struct pqb_page){ .type = 0, .num_values = N, .encoding = 5 };
	uint8_t def[N];
	int64_t values[N];
	size_t n_values = 0;
	for (int i = 0; i < N; i++) {
		def[i] = i % 7 != 3;
		if (def[i])
			values[n_values++] = (i * 7919) % 1000 - 500;
	}
	enc_levels(&p->body, def, N, 1, true);
	enc_delta(&p->body, values, n_values);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 2, &chunk, 1, N);
	struct lk_buf expect = LK_BUF_INIT;
	for (int i = 0; i < N; i++) {
		if (def[i])
			lk_buf_printf(&expect, "{\"v\":%d}\n", (i * 7919) % 1000 - 500);
		else
			lk_buf_append_str(&expect, "{\"v\":null}\n");
	}
	assert_reads_as(&file, lk_buf_cstr(&expect));
	lk_buf_free(&expect);
	lk_buf_free(&file);
}

/* f: FLOAT and b: FIXED_LEN_BYTE_ARRAY(3), both BYTE_STREAM_SPLIT */
static void test_reads_byte_stream_split(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("f", 4, 0), leaf("b", 7, 0) };
	schema[0].num_children = 2;
	schema[2].type_length = 3;
	struct pqb_chunk chunks[2] = {
		{ .physical = 4, .num_values = 2, .n_pages = 1 },
		{ .physical = 7, .num_values = 2, .n_pages = 1 },
	};
	float floats[] = { 1.5f, -2.25f };
	chunks[0].pages[0] = (struct pqb_page){ .type = 0, .num_values = 2, .encoding = 9 };
	enc_byte_stream_split(&chunks[0].pages[0].body, floats, 2, 4);
	chunks[1].pages[0] = (struct pqb_page){ .type = 0, .num_values = 2, .encoding = 9 };
	enc_byte_stream_split(&chunks[1].pages[0].body, "\x01\x02\x03\xaa\xbb\xcc", 2, 3);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 3, chunks, 2, 2);
	assert_reads_as(&file, "{\"f\":1.5,\"b\":\"\\\\x010203\"}\n"
			       "{\"f\":-2.25,\"b\":\"\\\\xaabbcc\"}\n");
	lk_buf_free(&file);
}

/* b: optional BOOLEAN, RLE values and legacy BIT_PACKED definition levels */
static void test_reads_rle_booleans_with_bit_packed_levels(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("b", 0, 1) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 0, .num_values = 4, .n_pages = 1 };
	struct pqb_page *p = &chunk.pages[0];
	*p = (struct pqb_page){ .type = 0, .num_values = 4, .encoding = 3, .level_encoding = 4 };
	lk_buf_append_byte(&p->body, 0xb0); /* levels 1,0,1,1, MSB first */
	struct lk_buf runs = LK_BUF_INIT;
	uint32_t bools[8] = { 1, 0, 0 };
	enc_bitpacked_run(&runs, bools, 8, 1);
	enc_u32le(&p->body, (uint32_t)runs.len);
	lk_buf_append(&p->body, runs.data, runs.len);
	lk_buf_free(&runs);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 2, &chunk, 1, 4);
	assert_reads_as(&file, "{\"b\":true}\n{\"b\":null}\n{\"b\":false}\n{\"b\":false}\n");
	lk_buf_free(&file);
}

/* d: DECIMAL(5,2) in FIXED_LEN_BYTE_ARRAY(3); u: UUID; h: FLOAT16 */
static void test_reads_fixed_length_logical_types(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("d", 7, 0), leaf("u", 7, 0), leaf("h", 7, 0) };
	schema[0].num_children = 3;
	schema[1].type_length = 3;
	schema[1].logical = 5;
	schema[1].precision = 5;
	schema[1].scale = 2;
	schema[2].type_length = 16;
	schema[2].logical = 14;
	schema[3].type_length = 2;
	schema[3].logical = 15;
	struct pqb_chunk chunks[3] = {
		{ .physical = 7, .num_values = 1, .n_pages = 1 },
		{ .physical = 7, .num_values = 1, .n_pages = 1 },
		{ .physical = 7, .num_values = 1, .n_pages = 1 },
	};
	for (int i = 0; i < 3; i++)
		chunks[i].pages[0] = (struct pqb_page){ .type = 0, .num_values = 1, .encoding = 0 };
	lk_buf_append(&chunks[0].pages[0].body, "\xff\xcf\xc7", 3); /* -12345 */
	lk_buf_append(&chunks[1].pages[0].body,
		      "\x12\x3e\x45\x67\xe8\x9b\x12\xd3\xa4\x56\x42\x66\x14\x17\x40\x00", 16);
	lk_buf_append(&chunks[2].pages[0].body, "\x00\xbe", 2); /* -1.5 */
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 4, chunks, 3, 1);
	assert_reads_as(&file, "{\"d\":\"-123.45\",\"u\":\"123e4567-e89b-12d3-a456-426614174000\","
			       "\"h\":-1.5}\n");
	lk_buf_free(&file);
}

static void test_bad_magic_is_refused(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_flat_int32(&file);
	memcpy(file.data, "PAR2", 4);
	assert_fails_with(&file, LK_ECORRUPT, "t.parquet: not a Parquet file (bad magic number)");
	lk_buf_free(&file);
}

static void test_encrypted_file_is_refused(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_flat_int32(&file);
	memcpy(file.data, "PARE", 4);
	memcpy(file.data + file.len - 4, "PARE", 4);
	assert_fails_with(&file, LK_EUNSUPPORTED, "encrypted Parquet is not supported");
	lk_buf_free(&file);
}

static void test_truncated_file_is_refused(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_flat_int32(&file);
	/* keep the head and the magic, lose most of the footer */
	struct lk_buf cut = LK_BUF_INIT;
	lk_buf_append(&cut, file.data, 30);
	lk_buf_append(&cut, file.data + file.len - 8, 8);
	assert_fails_with(&cut, LK_ECORRUPT, "footer length");
	lk_buf_truncate(&cut, 6);
	assert_fails_with(&cut, LK_ECORRUPT, "not a Parquet file");
	lk_buf_free(&cut);
	lk_buf_free(&file);
}

static void test_corrupt_footer_thrift_is_refused(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_flat_int32(&file);
	uint32_t footer_len;
	memcpy(&footer_len, file.data + file.len - 8, 4);
	memset(file.data + file.len - 8 - footer_len, 0xff, footer_len);
	assert_fails_with(&file, LK_ECORRUPT, "t.parquet: corrupt footer");
	lk_buf_free(&file);
}

static void test_impossible_definition_level_is_refused(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("o", 1, 1) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 1, .num_values = 2, .n_pages = 1 };
	struct pqb_page *p = &chunk.pages[0];
	*p = (struct pqb_page){ .type = 0, .num_values = 2, .encoding = 0 };
	uint8_t def[] = { 1, 2 };
	enc_levels(&p->body, def, 2, 1, true);
	int32_t values[] = { 1, 2 };
	enc_plain_i32(&p->body, values, 2);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 2, &chunk, 1, 2);
	assert_fails_with(&file, LK_ECORRUPT,
			  "row group 0, column o: definition level 2 above the maximum 1");
	lk_buf_free(&file);
}

static void test_too_few_values_are_refused(void **state)
{
	struct pqb_element schema[] = { ROOT, leaf("id", 1, 0) };
	schema[0].num_children = 1;
	struct pqb_chunk chunk = { .physical = 1, .num_values = 3, .n_pages = 1 };
	int32_t values[] = { 1 };
	chunk.pages[0] = (struct pqb_page){ .type = 0, .num_values = 3, .encoding = 0 };
	enc_plain_i32(&chunk.pages[0].body, values, 1);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file(&file, schema, 2, &chunk, 1, 3);
	assert_fails_with(&file, LK_ECORRUPT, "too few for 3 PLAIN values");
	lk_buf_free(&file);
}

static void test_batch_byte_cap_fails_cleanly(void **state)
{
	struct lk_buf file = LK_BUF_INIT;
	build_dictionary_strings(&file, 0);
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(read_all(&file, NULL, 0, 16, &out, &err));
	assert_int_equal(err.code, LK_ETOOLARGE);
	assert_non_null(strstr(err.message, "value too large"));
	assert_non_null(strstr(err.message, "column s"));
	lk_buf_free(&out);
	lk_buf_free(&file);
}

/* The file read on one thread and on two: the same rows, and the same failure under a cap. */
static void assert_two_threads_read_the_same(void (*build)(struct lk_buf *file))
{
	struct lk_buf file = LK_BUF_INIT, one = LK_BUF_INIT, two = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	build(&file);
	read_threads = 1;
	assert_true(read_all(&file, NULL, 0, 0, &one, &err));
	read_threads = 2;
	bool ok = read_all(&file, NULL, 0, 0, &two, &err);
	if (!ok)
		fail_msg("two threads: %s", err.message);
	assert_true(one.len > 0);
	assert_string_equal(lk_buf_cstr(&two), lk_buf_cstr(&one));
	lk_buf_reset(&two);
	assert_false(read_all(&file, NULL, 0, 16, &two, &err)); /* both threads charge one cap */
	assert_int_equal(err.code, LK_ETOOLARGE);
	read_threads = 1;
	lk_buf_free(&file);
	lk_buf_free(&one);
	lk_buf_free(&two);
}

static void test_two_decode_threads_read_the_same(void **state)
{
	(void)state;
	assert_two_threads_read_the_same(build_map);
	assert_two_threads_read_the_same(build_struct);
}

/* An empty input is refused, naming it (and no byte of it is copied: see pq_file_open_memory). */
static void test_empty_memory_input_is_refused(void **state)
{
	(void)state;
	void *empty = calloc(1, 0); /* a block of no bytes */
	struct lk_error err = LK_ERROR_INIT;
	assert_null(pq_file_open_memory(empty, 0, "empty.parquet", &err));
	assert_int_not_equal(err.code, LK_OK);
	assert_non_null(strstr(err.message, "empty.parquet"));
	free(empty);
}

static void test_missing_file_is_not_found(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_null(pq_file_open("/nonexistent/x.parquet", &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_non_null(strstr(err.message, "/nonexistent/x.parquet"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_flat_required_int32),
		cmocka_unit_test(test_reads_dictionary_strings_with_nulls),
		cmocka_unit_test(test_dictionary_index_out_of_range_names_the_column),
		cmocka_unit_test(test_reads_three_level_list),
		cmocka_unit_test(test_reads_two_level_list),
		cmocka_unit_test(test_reads_bare_repeated_field_as_list),
		cmocka_unit_test(test_reads_map),
		cmocka_unit_test(test_reads_struct_and_projects_a_path),
		cmocka_unit_test(test_overlapping_projections_share_a_leaf),
		cmocka_unit_test(test_selects_a_node_found_by_field_id),
		cmocka_unit_test(test_unknown_column_is_refused),
		cmocka_unit_test(test_path_inside_a_list_is_refused),
		cmocka_unit_test(test_reads_page_v2_delta_binary_packed),
		cmocka_unit_test(test_converts_timestamp_units),
		cmocka_unit_test(test_decimal_wider_than_its_physical_type_is_ignored),
		cmocka_unit_test(test_reads_delta_string_encodings),
		cmocka_unit_test(test_reads_long_delta_binary_packed_column),
		cmocka_unit_test(test_reads_byte_stream_split),
		cmocka_unit_test(test_reads_rle_booleans_with_bit_packed_levels),
		cmocka_unit_test(test_reads_fixed_length_logical_types),
		cmocka_unit_test(test_bad_magic_is_refused),
		cmocka_unit_test(test_encrypted_file_is_refused),
		cmocka_unit_test(test_truncated_file_is_refused),
		cmocka_unit_test(test_corrupt_footer_thrift_is_refused),
		cmocka_unit_test(test_impossible_definition_level_is_refused),
		cmocka_unit_test(test_too_few_values_are_refused),
		cmocka_unit_test(test_batch_byte_cap_fails_cleanly),
		cmocka_unit_test(test_two_decode_threads_read_the_same),
		cmocka_unit_test(test_empty_memory_input_is_refused),
		cmocka_unit_test(test_missing_file_is_not_found),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
