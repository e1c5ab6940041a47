/* tests/unit/test_delta_scan.c: snapshot reads of small tables built in the test (commits
 * written as JSON, data files with the Parquet writer): partition values of several types,
 * column mapping by name and by id at nested levels, absent columns and fields as nulls,
 * type widening, deletion vectors through the selection, _change_type ignored, one-file
 * scans, projections, the output schema, and the errors. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tests/delta/scan_fixture.h"

#define PROTOCOL_1_2 "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}"
#define ID_LONG "{'name':'id','type':'long','nullable':true,'metadata':{}}"

static void assert_row(const struct sf_rows *rows, const char *line)
{
	if (!sf_has_row(rows, line))
		fail_msg("row %s not among:\n%s", line, rows->text ? rows->text : "(none)");
}

static void scan_ok(struct fx *fx, const char *const *columns, size_t n, struct sf_rows *rows)
{
	struct lk_error err = LK_ERROR_INIT;
	if (!sf_scan_all(fx, -1, columns, n, rows, &err))
		fail_msg("scan failed: %s", err.message);
}

static void test_scan_partition_values_of_several_types(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t ids_a[] = { 1, 2 }, ids_b[] = { 3 };
	sf_write_longs(&fx, "a.parquet", "id", ids_a, 2);
	sf_write_longs(&fx, "b.parquet", "id", ids_b, 1);
	const char *schema =
		"{'type':'struct','fields':[" ID_LONG ","
		"{'name':'p_int','type':'integer','nullable':true,'metadata':{}},"
		"{'name':'p_str','type':'string','nullable':true,'metadata':{}},"
		"{'name':'p_date','type':'date','nullable':true,'metadata':{}},"
		"{'name':'p_dec','type':'decimal(5,2)','nullable':true,'metadata':{}},"
		"{'name':'p_ts','type':'timestamp','nullable':true,'metadata':{}},"
		"{'name':'p_bool','type':'boolean','nullable':true,'metadata':{}}]}";
	fx_commit(&fx, 0, PROTOCOL_1_2,
		  sf_metadata(&fx, schema, "['p_int','p_str','p_date','p_dec','p_ts','p_bool']", NULL),
		  sf_add(&fx, "a.parquet",
			 "{'p_int':'7','p_str':'x','p_date':'2024-01-02','p_dec':'-1.50',"
			 "'p_ts':'2024-01-02T03:04:05.000000Z','p_bool':'true'}",
			 NULL),
		  sf_add(&fx, "b.parquet",
			 "{'p_int':null,'p_str':'null','p_date':'','p_dec':null,'p_ts':null,"
			 "'p_bool':''}",
			 NULL),
		  NULL);
	struct sf_rows rows;
	scan_ok(&fx, NULL, 0, &rows);
	assert_int_equal(rows.n_rows, 3);
	assert_row(&rows, "{\"id\":2,\"p_int\":7,\"p_str\":\"x\",\"p_date\":\"2024-01-02\","
			  "\"p_dec\":\"-1.50\",\"p_ts\":\"2024-01-02T03:04:05.000000Z\",\"p_bool\":true}");
	assert_row(&rows, "{\"id\":3,\"p_int\":null,\"p_str\":\"null\",\"p_date\":null,"
			  "\"p_dec\":null,\"p_ts\":null,\"p_bool\":null}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

/* A file whose struct column `name` holds one int64 field `inner` (field ids optional). */
static void write_struct_file(struct fx *fx, const char *rel, const char *top, const char *name,
			      const char *inner, bool ids)
{
	struct pq_field inner_field = { .name = inner, .type = LK_TYPE_INT64, .nullable = true,
					.has_field_id = ids, .field_id = 3 };
	struct pq_field fields[] = {
		{ .name = top, .type = LK_TYPE_INT64, .nullable = true, .has_field_id = ids,
		  .field_id = 1 },
		{ .name = name, .type = LK_TYPE_STRUCT, .nullable = true, .children = &inner_field,
		  .n_children = 1, .has_field_id = ids, .field_id = 2 },
	};
	struct lk_batch *b = lk_batch_new(2);
	b->n_rows = 1;
	int64_t five = 5, six = 6;
	sf_col_int(b, 0, top, LK_TYPE_INT64, &five, NULL);
	struct lk_vector *s = &b->columns[1];
	s->name = strdup(name);
	s->type = LK_TYPE_STRUCT;
	s->length = 1;
	lk_vector_init_children(s, 1);
	struct lk_batch *tmp = b;
	struct lk_vector *c = &s->children[0];
	c->name = strdup(inner);
	c->type = LK_TYPE_INT64;
	c->length = 1;
	c->v.i64 = lk_batch_alloc(tmp, 8);
	c->v.i64[0] = six;
	sf_write(fx, rel, fields, 2, &b, 1);
}

static const char MAPPED_SCHEMA[] =
	"{'type':'struct','fields':["
	"{'name':'a','type':'long','nullable':true,'metadata':{"
	"'delta.columnMapping.id':1,'delta.columnMapping.physicalName':'col-1'}},"
	"{'name':'s','type':{'type':'struct','fields':[{'name':'inner','type':'long',"
	"'nullable':true,'metadata':{'delta.columnMapping.id':3,"
	"'delta.columnMapping.physicalName':'col-3'}}]},'nullable':true,'metadata':{"
	"'delta.columnMapping.id':2,'delta.columnMapping.physicalName':'col-2'}}]}";

static void test_scan_column_mapping_name_at_every_level(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	write_struct_file(&fx, "f.parquet", "col-1", "col-2", "col-3", false);
	fx_commit(&fx, 0, sf_protocol(&fx, 2, 5, NULL, NULL),
		  sf_metadata(&fx, MAPPED_SCHEMA, NULL,
			      "{'delta.columnMapping.mode':'name','delta.columnMapping.maxColumnId':'3'}"),
		  sf_add(&fx, "f.parquet", NULL, NULL), NULL);
	struct sf_rows rows;
	scan_ok(&fx, NULL, 0, &rows);
	assert_int_equal(rows.n_rows, 1);
	assert_row(&rows, "{\"a\":5,\"s\":{\"inner\":6}}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_scan_column_mapping_name_ignores_logical_names_in_file(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	/* The file uses the logical names: in name mode they do not match, so nulls. */
	write_struct_file(&fx, "f.parquet", "a", "s", "inner", false);
	fx_commit(&fx, 0, sf_protocol(&fx, 2, 5, NULL, NULL),
		  sf_metadata(&fx, MAPPED_SCHEMA, NULL, "{'delta.columnMapping.mode':'name'}"),
		  sf_add(&fx, "f.parquet", NULL, NULL), NULL);
	struct sf_rows rows;
	scan_ok(&fx, NULL, 0, &rows);
	assert_row(&rows, "{\"a\":null,\"s\":null}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_scan_column_mapping_id_matches_field_ids(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	/* Names unrelated to the schema; only the field ids (1, 2, 3) tie them. */
	write_struct_file(&fx, "f.parquet", "x", "y", "z", true);
	fx_commit(&fx, 0, sf_protocol(&fx, 2, 5, NULL, NULL),
		  sf_metadata(&fx, MAPPED_SCHEMA, NULL, "{'delta.columnMapping.mode':'id'}"),
		  sf_add(&fx, "f.parquet", NULL, NULL), NULL);
	struct sf_rows rows;
	scan_ok(&fx, NULL, 0, &rows);
	assert_row(&rows, "{\"a\":5,\"s\":{\"inner\":6}}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_scan_absent_columns_and_fields_read_as_typed_nulls(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	write_struct_file(&fx, "f.parquet", "id", "s", "a", false);
	const char *schema =
		"{'type':'struct','fields':[" ID_LONG ","
		"{'name':'s','type':{'type':'struct','fields':["
		"{'name':'a','type':'long','nullable':true,'metadata':{}},"
		"{'name':'b','type':'string','nullable':true,'metadata':{}}]},'nullable':true,'metadata':{}},"
		"{'name':'extra','type':'decimal(25,3)','nullable':true,'metadata':{}},"
		"{'name':'arr','type':{'type':'array','elementType':'integer','containsNull':true},"
		"'nullable':true,'metadata':{}}]}";
	fx_commit(&fx, 0, PROTOCOL_1_2, sf_metadata(&fx, schema, NULL, NULL),
		  sf_add(&fx, "f.parquet", NULL, NULL), NULL);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(fx.root, &err);
	struct delta_snapshot *s = delta_snapshot_load(t, -1, &err);
	struct delta_scan *scan = delta_scan_open(t, s, NULL, 0, &err);
	assert_non_null(scan);
	struct lk_batch *b;
	assert_true(delta_scan_next(scan, &b, &err));
	assert_non_null(b);
	assert_int_equal(b->n_columns, 4);
	assert_int_equal(b->columns[2].type, LK_TYPE_DECIMAL);
	assert_int_equal(b->columns[2].precision, 25);
	assert_true(lk_vector_is_null(&b->columns[2], 0));
	assert_int_equal(b->columns[3].type, LK_TYPE_LIST);
	assert_int_equal(b->columns[1].children[1].type, LK_TYPE_STRING);
	struct lk_buf line = LK_BUF_INIT;
	lk_render_json_row(b, 0, &line);
	assert_string_equal(lk_buf_cstr(&line),
			    "{\"id\":5,\"s\":{\"a\":6,\"b\":null},\"extra\":null,\"arr\":null}");
	lk_buf_free(&line);
	lk_batch_free(b);
	delta_scan_close(scan);
	delta_snapshot_free(s);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_scan_widens_old_files_to_current_types(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	struct pq_field fields[] = {
		{ .name = "i8l", .type = LK_TYPE_INT8, .nullable = true },
		{ .name = "f", .type = LK_TYPE_FLOAT, .nullable = true },
		{ .name = "d", .type = LK_TYPE_DECIMAL, .precision = 5, .scale = 2, .nullable = true },
		{ .name = "dt", .type = LK_TYPE_DATE, .nullable = true },
		{ .name = "i2d", .type = LK_TYPE_INT32, .nullable = true },
		{ .name = "l2dec", .type = LK_TYPE_INT64, .nullable = true },
		{ .name = "i16", .type = LK_TYPE_INT16, .nullable = true },
	};
	struct lk_batch *b = lk_batch_new(7);
	b->n_rows = 2;
	int64_t i8[] = { -3, 4 }, dec[] = { 12345, -1 }, days[] = { 19724, 0 }, i32[] = { 7, -8 },
		i64[] = { 123, -4 }, i16[] = { 300, -300 };
	uint8_t second_null[] = { 0, 1 };
	float fl[] = { 1.5f, 3.4f };
	sf_col_int(b, 0, "i8l", LK_TYPE_INT8, i8, NULL);
	sf_col_float(b, 1, "f", fl);
	sf_col_int(b, 2, "d", LK_TYPE_DECIMAL, dec, NULL);
	b->columns[2].precision = 5;
	b->columns[2].scale = 2;
	sf_col_int(b, 3, "dt", LK_TYPE_DATE, days, second_null);
	sf_col_int(b, 4, "i2d", LK_TYPE_INT32, i32, NULL);
	sf_col_int(b, 5, "l2dec", LK_TYPE_INT64, i64, NULL);
	sf_col_int(b, 6, "i16", LK_TYPE_INT16, i16, NULL);
	sf_write(&fx, "old.parquet", fields, 7, &b, 1);
	const char *schema =
		"{'type':'struct','fields':["
		"{'name':'i8l','type':'long','nullable':true,'metadata':{}},"
		"{'name':'f','type':'double','nullable':true,'metadata':{}},"
		"{'name':'d','type':'decimal(10,4)','nullable':true,'metadata':{}},"
		"{'name':'dt','type':'timestamp_ntz','nullable':true,'metadata':{}},"
		"{'name':'i2d','type':'double','nullable':true,'metadata':{}},"
		"{'name':'l2dec','type':'decimal(22,2)','nullable':true,'metadata':{}},"
		"{'name':'i16','type':'integer','nullable':true,'metadata':{}}]}";
	fx_commit(&fx, 0, PROTOCOL_1_2, sf_metadata(&fx, schema, NULL, NULL),
		  sf_add(&fx, "old.parquet", NULL, NULL), NULL);
	struct sf_rows rows;
	scan_ok(&fx, NULL, 0, &rows);
	assert_row(&rows, "{\"i8l\":-3,\"f\":1.5,\"d\":\"123.4500\",\"dt\":\"2024-01-02T00:00:00.000000\","
			  "\"i2d\":7,\"l2dec\":\"123.00\",\"i16\":300}");
	assert_row(&rows, "{\"i8l\":4,\"f\":3.4000000953674316,\"d\":\"-0.0100\",\"dt\":null,"
			  "\"i2d\":-8,\"l2dec\":\"-4.00\",\"i16\":-300}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_scan_refuses_narrowing_with_the_column_named(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t ids[] = { 1 };
	sf_write_longs(&fx, "f.parquet", "id", ids, 1);
	const char *schema = "{'type':'struct','fields':[{'name':'id','type':'integer',"
			     "'nullable':true,'metadata':{}}]}";
	fx_commit(&fx, 0, PROTOCOL_1_2, sf_metadata(&fx, schema, NULL, NULL),
		  sf_add(&fx, "f.parquet", NULL, NULL), NULL);
	struct sf_rows rows;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(sf_scan_all(&fx, -1, NULL, 0, &rows, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	assert_non_null(strstr(err.message, "column id"));
	assert_non_null(strstr(err.message, "f.parquet"));
	assert_non_null(strstr(err.message, "version 0"));
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

/* Two row groups [0,1,2] [3,4,5] and a DV deleting rows 1, 3 and 5. */
static void create_dv_table(struct fx *fx)
{
	struct pq_field field = { .name = "id", .type = LK_TYPE_INT64, .nullable = true };
	struct lk_batch *groups[2];
	for (int g = 0; g < 2; g++) {
		int64_t v[] = { 3 * g, 3 * g + 1, 3 * g + 2 };
		groups[g] = lk_batch_new(1);
		groups[g]->n_rows = 3;
		sf_col_int(groups[g], 0, "id", LK_TYPE_INT64, v, NULL);
	}
	sf_write(fx, "f.parquet", &field, 1, groups, 2);
	uint64_t deleted[] = { 1, 3, 5 };
	fx_commit(fx, 0, sf_protocol(fx, 3, 7, "['deletionVectors']", "['deletionVectors']"),
		  sf_metadata(fx, "{'type':'struct','fields':[" ID_LONG "]}", NULL, NULL),
		  sf_add(fx, "f.parquet", NULL, sf_dv_inline(fx, deleted, 3)), NULL);
}

static void test_scan_dv_leaves_deleted_rows_out_of_the_selection(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_dv_table(&fx);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(fx.root, &err);
	struct delta_snapshot *s = delta_snapshot_load(t, -1, &err);
	assert_non_null(s);
	struct delta_scan *scan = delta_scan_open(t, s, NULL, 0, &err);
	struct lk_batch *b;
	if (!delta_scan_next(scan, &b, &err))
		fail_msg("%s", err.message);
	assert_int_equal(b->n_rows, 3); /* rows stay in place */
	assert_non_null(b->selection);
	assert_int_equal(b->n_selected, 2);
	assert_int_equal(b->selection[0], 0);
	assert_int_equal(b->selection[1], 2);
	lk_batch_free(b);
	assert_true(delta_scan_next(scan, &b, &err));
	assert_int_equal(lk_batch_live_rows(b), 1);
	assert_int_equal(b->columns[0].v.i64[lk_batch_live_row(b, 0)], 4);
	lk_batch_free(b);
	assert_true(delta_scan_next(scan, &b, &err));
	assert_null(b);
	delta_scan_close(scan);
	delta_snapshot_free(s);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_scan_ignores_change_type_in_data_files(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	struct pq_field fields[] = {
		{ .name = "id", .type = LK_TYPE_INT64, .nullable = true },
		{ .name = "_change_type", .type = LK_TYPE_STRING, .nullable = true },
	};
	struct lk_batch *b = lk_batch_new(2);
	b->n_rows = 1;
	int64_t one = 1;
	const char *types[] = { "insert" };
	sf_col_int(b, 0, "id", LK_TYPE_INT64, &one, NULL);
	sf_col_str(b, 1, "_change_type", types);
	sf_write(&fx, "f.parquet", fields, 2, &b, 1);
	fx_commit(&fx, 0, PROTOCOL_1_2,
		  sf_metadata(&fx, "{'type':'struct','fields':[" ID_LONG "]}", NULL, NULL),
		  sf_add(&fx, "f.parquet", NULL, NULL), NULL);
	struct sf_rows rows;
	scan_ok(&fx, NULL, 0, &rows);
	assert_string_equal(rows.text, "{\"id\":1}\n");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void create_two_file_table(struct fx *fx)
{
	int64_t a[] = { 1, 2 }, b[] = { 3 };
	fx_mkdir(fx, "p=x");
	sf_write_longs(fx, "a.parquet", "id", a, 2);
	sf_write_longs(fx, "p=x/b.parquet", "id", b, 1);
	const char *schema = "{'type':'struct','fields':[" ID_LONG ",{'name':'p','type':'string',"
			     "'nullable':true,'metadata':{}}]}";
	fx_commit(fx, 0, PROTOCOL_1_2, sf_metadata(fx, schema, "['p']", NULL),
		  sf_add(fx, "a.parquet", "{'p':'w'}", NULL),
		  sf_add(fx, "p%3Dx/b.parquet", "{'p':'x'}", NULL), NULL);
}

static void test_scan_open_file_reads_that_file_only(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_two_file_table(&fx);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(fx.root, &err);
	struct delta_snapshot *s = delta_snapshot_load(t, -1, &err);
	assert_int_equal(s->n_files, 2);
	size_t total = 0;
	for (size_t i = 0; i < s->n_files; i++) {
		struct delta_scan *scan = delta_scan_open_file(t, s, NULL, 0, i, &err);
		assert_non_null(scan);
		struct lk_batch *b;
		size_t rows = 0;
		while (delta_scan_next(scan, &b, &err) && b) {
			rows += lk_batch_live_rows(b);
			lk_batch_free(b);
		}
		assert_int_equal(err.code, LK_OK);
		assert_int_equal(rows, strstr(s->files[i].path, "b.parquet") ? 1 : 2);
		total += rows;
		delta_scan_close(scan);
	}
	assert_int_equal(total, 3);
	assert_null(delta_scan_open_file(t, s, NULL, 0, 2, &err));
	assert_int_equal(err.code, LK_EINVAL);
	delta_snapshot_free(s);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_scan_projection_keeps_requested_order(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_two_file_table(&fx);
	const char *cols[] = { "p", "id" };
	struct sf_rows rows;
	scan_ok(&fx, cols, 2, &rows);
	assert_int_equal(rows.n_rows, 3);
	assert_row(&rows, "{\"p\":\"x\",\"id\":3}");
	assert_row(&rows, "{\"p\":\"w\",\"id\":1}");
	sf_rows_free(&rows);
	const char *only_partition[] = { "p" };
	scan_ok(&fx, only_partition, 1, &rows);
	assert_int_equal(rows.n_rows, 3);
	assert_row(&rows, "{\"p\":\"w\"}");
	sf_rows_free(&rows);
	struct lk_error err = LK_ERROR_INIT;
	const char *unknown[] = { "nope" };
	assert_false(sf_scan_all(&fx, -1, unknown, 1, &rows, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_non_null(strstr(err.message, "nope"));
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_scan_missing_data_file_is_truncated_history(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_two_file_table(&fx);
	char path[600];
	snprintf(path, sizeof path, "%s/a.parquet", fx.root);
	unlink(path);
	struct sf_rows rows;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(sf_scan_all(&fx, -1, NULL, 0, &rows, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);
	assert_non_null(strstr(err.message, "a.parquet"));
	assert_non_null(strstr(err.message, fx.root));
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_scan_schema_without_reading_data(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	const char *schema =
		"{'type':'struct','fields':[{'name':'id','type':'long','nullable':false,'metadata':{}},"
		"{'name':'amount','type':'decimal(12,3)','nullable':true,'metadata':{}},"
		"{'name':'tags','type':{'type':'map','keyType':'string','valueType':'string',"
		"'valueContainsNull':true},'nullable':true,'metadata':{}},"
		"{'name':'p','type':'date','nullable':true,'metadata':{}}]}";
	fx_commit(&fx, 0, PROTOCOL_1_2, sf_metadata(&fx, schema, "['p']", NULL),
		  sf_add(&fx, "never-read.parquet", "{'p':'2024-01-01'}", NULL), NULL);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(fx.root, &err);
	struct delta_snapshot *s = delta_snapshot_load(t, -1, &err);
	struct delta_scan_schema out;
	assert_true(delta_scan_schema_build(s, NULL, 0, &out, &err));
	assert_int_equal(out.n_columns, 4);
	assert_string_equal(out.columns[0].name, "id");
	assert_int_equal(out.columns[0].type, LK_TYPE_INT64);
	assert_false(out.columns[0].nullable);
	assert_int_equal(out.columns[1].type, LK_TYPE_DECIMAL);
	assert_int_equal(out.columns[1].precision, 12);
	assert_int_equal(out.columns[1].scale, 3);
	assert_true(out.columns[2].nested);
	assert_false(out.columns[1].nested);
	assert_true(out.columns[3].partition);
	assert_ptr_equal(out.columns[3].delta_type, s->schema->fields[3].type);
	delta_scan_schema_clear(&out);
	const char *cols[] = { "p", "nope" };
	assert_false(delta_scan_schema_build(s, cols, 2, &out, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	delta_snapshot_free(s);
	delta_table_free(t);
	fx_cleanup(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scan_partition_values_of_several_types),
		cmocka_unit_test(test_scan_column_mapping_name_at_every_level),
		cmocka_unit_test(test_scan_column_mapping_name_ignores_logical_names_in_file),
		cmocka_unit_test(test_scan_column_mapping_id_matches_field_ids),
		cmocka_unit_test(test_scan_absent_columns_and_fields_read_as_typed_nulls),
		cmocka_unit_test(test_scan_widens_old_files_to_current_types),
		cmocka_unit_test(test_scan_refuses_narrowing_with_the_column_named),
		cmocka_unit_test(test_scan_dv_leaves_deleted_rows_out_of_the_selection),
		cmocka_unit_test(test_scan_ignores_change_type_in_data_files),
		cmocka_unit_test(test_scan_open_file_reads_that_file_only),
		cmocka_unit_test(test_scan_projection_keeps_requested_order),
		cmocka_unit_test(test_scan_missing_data_file_is_truncated_history),
		cmocka_unit_test(test_scan_schema_without_reading_data),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
