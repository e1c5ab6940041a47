/* tests/unit/test_delta_scan_changes.c: the change feed over small tables built in the test:
 * rows of cdc files (with partition values from the cdc action), inserts and deletes inferred
 * from add/remove minus their DVs, per-row DV differences, dataChange=false, batches never
 * spanning versions, commit timestamps (in-commit or file time), additive schema changes,
 * each error code the engine acts on, and leaving out row groups of pre-images only
 * (delta_changes_skip_preimages). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delta/writer.h"
#include "tests/delta/scan_fixture.h"

#define PROTOCOL_1_4 "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":4}}"
#define CDF_ON "{'delta.enableChangeDataFeed':'true'}"
#define CDF_OFF "{'delta.enableChangeDataFeed':'false'}"
#define ID_LONG "{'name':'id','type':'long','nullable':true,'metadata':{}}"
#define SCHEMA_ID "{'type':'struct','fields':[" ID_LONG "]}"
#define SCHEMA_ID_P \
	"{'type':'struct','fields':[" ID_LONG ",{'name':'p','type':'string','nullable':true,'metadata':{}}]}"
#define T2023 INT64_C(1700000000000) /* 2023-11-14T22:13:20Z */
#define ID_VERSION (const char *const[]){ "id", "_change_type", "_commit_version" }

static void assert_row(const struct sf_rows *rows, const char *line)
{
	if (!sf_has_row(rows, line))
		fail_msg("row %s not among:\n%s", line, rows->text ? rows->text : "(none)");
}

/* A row whose leading columns are those of line (the commit timestamp follows). */
static void assert_row_starts(const struct sf_rows *rows, const char *line)
{
	char prefix[512];
	snprintf(prefix, sizeof prefix, "%.*s,", (int)strlen(line) - 1, line);
	if (rows->text == NULL || strstr(rows->text, prefix) == NULL)
		fail_msg("no row starting %s among:\n%s", prefix, rows->text ? rows->text : "(none)");
}

static void changes_ok(struct fx *fx, int64_t start, int64_t end, const char *const *columns,
		       size_t n, struct sf_rows *rows)
{
	struct lk_error err = LK_ERROR_INIT;
	if (!sf_changes_all(fx, start, end, columns, n, rows, &err))
		fail_msg("change feed failed: %s", err.message);
}

static int changes_error(struct fx *fx, int64_t start, int64_t end)
{
	struct sf_rows rows;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = sf_changes_all(fx, start, end, NULL, 0, &rows, &err);
	sf_rows_free(&rows);
	return ok ? LK_OK : (int)err.code;
}

/* A cdc file with ids and their _change_type values. */
static void write_cdc_file(struct fx *fx, const char *rel, const int64_t *ids,
			   const char *const *types, size_t n)
{
	struct pq_field fields[] = {
		{ .name = "id", .type = LK_TYPE_INT64, .nullable = true },
		{ .name = "_change_type", .type = LK_TYPE_STRING, .nullable = true },
	};
	struct lk_batch *b = lk_batch_new(2);
	b->n_rows = n;
	sf_col_int(b, 0, "id", LK_TYPE_INT64, ids, NULL);
	sf_col_str(b, 1, "_change_type", types);
	sf_write(fx, rel, fields, 2, &b, 1);
}

static void test_changes_cdc_files_with_partition_values_from_the_action(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t a[] = { 1, 2 }, c[] = { 1, 1 };
	const char *types[] = { "update_preimage", "update_postimage" };
	sf_write_longs(&fx, "a.parquet", "id", a, 2);
	sf_write_longs(&fx, "b.parquet", "id", a, 2);
	fx_mkdir(&fx, "_change_data");
	write_cdc_file(&fx, "_change_data/c1.parquet", c, types, 2);
	fx_commit(&fx, 0, PROTOCOL_1_4, sf_metadata(&fx, SCHEMA_ID_P, "['p']", CDF_ON),
		  sf_add(&fx, "a.parquet", "{'p':'x'}", NULL), NULL);
	fx_commit(&fx, 1, sf_remove(&fx, "a.parquet", "{'p':'x'}", NULL),
		  sf_add(&fx, "b.parquet", "{'p':'y'}", NULL),
		  sf_cdc(&fx, "_change_data/c1.parquet", "{'p':'y'}"), NULL);
	fx_commit_mtime(&fx, 1, T2023);
	struct sf_rows rows;
	changes_ok(&fx, 0, -1, NULL, 0, &rows);
	assert_int_equal(rows.n_rows, 4);
	assert_row(&rows, "{\"id\":1,\"p\":\"y\",\"_change_type\":\"update_preimage\","
			  "\"_commit_version\":1,\"_commit_timestamp\":\"2023-11-14T22:13:20.000000Z\"}");
	assert_row(&rows, "{\"id\":1,\"p\":\"y\",\"_change_type\":\"update_postimage\","
			  "\"_commit_version\":1,\"_commit_timestamp\":\"2023-11-14T22:13:20.000000Z\"}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_changes_add_and_remove_become_inserts_and_deletes_minus_dv(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t ids[] = { 1, 2, 3 };
	sf_write_longs(&fx, "a.parquet", "id", ids, 3);
	uint64_t second[] = { 1 };
	const char *dv = sf_dv_inline(&fx, second, 1);
	fx_commit(&fx, 0, sf_protocol(&fx, 3, 7, "['deletionVectors']",
				      "['deletionVectors','changeDataFeed']"),
		  sf_metadata(&fx, SCHEMA_ID, NULL, CDF_ON), sf_add(&fx, "a.parquet", NULL, dv), NULL);
	fx_commit(&fx, 1, sf_remove(&fx, "a.parquet", NULL, dv), NULL);
	struct sf_rows rows;
	changes_ok(&fx, 0, 1, ID_VERSION, 3, &rows);
	assert_int_equal(rows.n_rows, 4);
	assert_row_starts(&rows, "{\"id\":1,\"_change_type\":\"insert\",\"_commit_version\":0}");
	assert_row_starts(&rows, "{\"id\":3,\"_change_type\":\"insert\",\"_commit_version\":0}");
	assert_row_starts(&rows, "{\"id\":1,\"_change_type\":\"delete\",\"_commit_version\":1}");
	assert_row_starts(&rows, "{\"id\":3,\"_change_type\":\"delete\",\"_commit_version\":1}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

/* Version 0 adds a.parquet (10..13); version 1 sets a DV on rows 1, 2; version 2 moves it
 * to rows 2, 3. */
static void create_dv_update_table(struct fx *fx)
{
	int64_t ids[] = { 10, 11, 12, 13 };
	sf_write_longs(fx, "a.parquet", "id", ids, 4);
	uint64_t old_rows[] = { 1, 2 }, new_rows[] = { 2, 3 };
	const char *old_dv = sf_dv_inline(fx, old_rows, 2);
	const char *new_dv = sf_dv_inline(fx, new_rows, 2);
	fx_commit(fx, 0, sf_protocol(fx, 3, 7, "['deletionVectors']",
				     "['deletionVectors','changeDataFeed']"),
		  sf_metadata(fx, SCHEMA_ID, NULL, CDF_ON), sf_add(fx, "a.parquet", NULL, NULL),
		  NULL);
	fx_commit(fx, 1, sf_remove(fx, "a.parquet", NULL, NULL),
		  sf_add(fx, "a.parquet", NULL, old_dv), NULL);
	fx_commit(fx, 2, sf_remove(fx, "a.parquet", NULL, old_dv),
		  sf_add(fx, "a.parquet", NULL, new_dv), NULL);
}

static void test_changes_dv_update_yields_per_row_differences(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_dv_update_table(&fx);
	struct sf_rows rows;
	changes_ok(&fx, 1, 2, ID_VERSION, 3, &rows);
	assert_int_equal(rows.n_rows, 4);
	assert_row_starts(&rows, "{\"id\":11,\"_change_type\":\"delete\",\"_commit_version\":1}");
	assert_row_starts(&rows, "{\"id\":12,\"_change_type\":\"delete\",\"_commit_version\":1}");
	assert_row_starts(&rows, "{\"id\":11,\"_change_type\":\"insert\",\"_commit_version\":2}");
	assert_row_starts(&rows, "{\"id\":13,\"_change_type\":\"delete\",\"_commit_version\":2}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_changes_data_change_false_produces_nothing(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t ids[] = { 1, 2 };
	sf_write_longs(&fx, "a.parquet", "id", ids, 2);
	sf_write_longs(&fx, "b.parquet", "id", ids, 2);
	fx_commit(&fx, 0, PROTOCOL_1_4, sf_metadata(&fx, SCHEMA_ID, NULL, CDF_ON),
		  sf_add(&fx, "a.parquet", NULL, NULL), NULL);
	fx_commit(&fx, 1, sf_file_action(&fx, "remove", "a.parquet", NULL, NULL, false),
		  sf_file_action(&fx, "add", "b.parquet", NULL, NULL, false), NULL);
	struct sf_rows rows;
	changes_ok(&fx, 1, 1, NULL, 0, &rows);
	assert_int_equal(rows.n_rows, 0);
	sf_rows_free(&rows);
	changes_ok(&fx, 0, 1, NULL, 0, &rows);
	assert_int_equal(rows.n_rows, 2);
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_changes_batches_never_span_versions(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t ids[] = { 1, 2, 3 };
	sf_write_longs(&fx, "a.parquet", "id", ids, 3);
	sf_write_longs(&fx, "b.parquet", "id", ids, 1);
	sf_write_longs(&fx, "c.parquet", "id", ids, 2);
	fx_commit(&fx, 0, PROTOCOL_1_4, sf_metadata(&fx, SCHEMA_ID, NULL, CDF_ON),
		  sf_add(&fx, "a.parquet", NULL, NULL), NULL);
	fx_commit(&fx, 1, sf_add(&fx, "b.parquet", NULL, NULL), sf_add(&fx, "c.parquet", NULL, NULL),
		  NULL);
	fx_commit(&fx, 2, sf_remove(&fx, "a.parquet", NULL, NULL), NULL);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(fx.root, &err);
	struct delta_changes *ch = delta_changes_open(t, 0, 2, NULL, 0, &err);
	assert_non_null(ch);
	const struct delta_scan_schema *schema = delta_changes_schema(ch);
	assert_int_equal(schema->n_columns, 4);
	assert_string_equal(schema->columns[3].name, "_commit_timestamp");
	assert_int_equal(schema->columns[3].type, LK_TYPE_TIMESTAMP);
	assert_false(schema->columns[1].nullable);
	int64_t last_version = -1;
	size_t rows_per_version[3] = { 0 };
	struct lk_batch *b;
	while (delta_changes_next(ch, &b, &err) && b) {
		const struct lk_vector *v = lk_batch_column(b, "_commit_version");
		assert_non_null(v);
		int64_t first = v->v.i64[lk_batch_live_row(b, 0)];
		for (size_t i = 0; i < lk_batch_live_rows(b); i++)
			assert_int_equal(v->v.i64[lk_batch_live_row(b, i)], first);
		assert_true(first >= last_version);
		last_version = first;
		rows_per_version[first] += lk_batch_live_rows(b);
		lk_batch_free(b);
	}
	assert_int_equal(err.code, LK_OK);
	assert_int_equal(rows_per_version[0], 3);
	assert_int_equal(rows_per_version[1], 3);
	assert_int_equal(rows_per_version[2], 3);
	delta_changes_close(ch);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_changes_in_commit_timestamps_when_enabled(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t ids[] = { 1 };
	sf_write_longs(&fx, "a.parquet", "id", ids, 1);
	fx_commit(&fx, 0, sf_commit_info_ict(&fx, T2023 + 123),
		  sf_protocol(&fx, 1, 7, NULL, "['changeDataFeed','inCommitTimestamp']"),
		  sf_metadata(&fx, SCHEMA_ID, NULL,
			      "{'delta.enableChangeDataFeed':'true',"
			      "'delta.enableInCommitTimestamps':'true'}"),
		  sf_add(&fx, "a.parquet", NULL, NULL), NULL);
	fx_commit_mtime(&fx, 0, T2023 + 999999);
	struct sf_rows rows;
	changes_ok(&fx, 0, 0, NULL, 0, &rows);
	assert_row(&rows, "{\"id\":1,\"_change_type\":\"insert\",\"_commit_version\":0,"
			  "\"_commit_timestamp\":\"2023-11-14T22:13:20.123000Z\"}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

static void test_changes_additive_schema_change_gives_old_rows_nulls(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	int64_t ids[] = { 1 };
	sf_write_longs(&fx, "a.parquet", "id", ids, 1);
	struct pq_field fields[] = {
		{ .name = "id", .type = LK_TYPE_INT64, .nullable = true },
		{ .name = "extra", .type = LK_TYPE_STRING, .nullable = true },
	};
	struct lk_batch *b = lk_batch_new(2);
	b->n_rows = 1;
	int64_t two = 2;
	const char *extra[] = { "e" };
	sf_col_int(b, 0, "id", LK_TYPE_INT64, &two, NULL);
	sf_col_str(b, 1, "extra", extra);
	sf_write(&fx, "b.parquet", fields, 2, &b, 1);
	const char *wider = "{'type':'struct','fields':[" ID_LONG ",{'name':'extra','type':'string',"
			    "'nullable':true,'metadata':{}}]}";
	fx_commit(&fx, 0, PROTOCOL_1_4, sf_metadata(&fx, SCHEMA_ID, NULL, CDF_ON),
		  sf_add(&fx, "a.parquet", NULL, NULL), NULL);
	fx_commit(&fx, 1, sf_metadata(&fx, wider, NULL, CDF_ON), sf_add(&fx, "b.parquet", NULL, NULL),
		  NULL);
	const char *cols[] = { "id", "extra", "_commit_version" };
	struct sf_rows rows;
	changes_ok(&fx, 0, 1, cols, 3, &rows);
	assert_int_equal(rows.n_rows, 2);
	assert_row_starts(&rows, "{\"id\":1,\"extra\":null,\"_change_type\":\"insert\",\"_commit_version\":0}");
	assert_row_starts(&rows, "{\"id\":2,\"extra\":\"e\",\"_change_type\":\"insert\",\"_commit_version\":1}");
	sf_rows_free(&rows);
	fx_cleanup(&fx);
}

/* ---- errors -------------------------------------------------------------------------- */

static void create_switching_table(struct fx *fx)
{
	int64_t ids[] = { 1 };
	sf_write_longs(fx, "a.parquet", "id", ids, 1);
	fx_commit(fx, 0, PROTOCOL_1_4, sf_metadata(fx, SCHEMA_ID, NULL, CDF_OFF),
		  sf_add(fx, "a.parquet", NULL, NULL), NULL);
	fx_commit(fx, 1, sf_metadata(fx, SCHEMA_ID, NULL, CDF_ON), NULL);
	fx_commit(fx, 2, sf_add(fx, "a.parquet", NULL, NULL), NULL);
	fx_commit(fx, 3, sf_metadata(fx, SCHEMA_ID, NULL, CDF_OFF), NULL);
}

static void test_changes_cdf_disabled_at_start_or_inside_range(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_switching_table(&fx);
	assert_int_equal(changes_error(&fx, 0, 1), LK_ECDF_DISABLED);
	assert_int_equal(changes_error(&fx, 1, 3), LK_ECDF_DISABLED);
	assert_int_equal(changes_error(&fx, 1, 2), LK_OK);
	fx_cleanup(&fx);
}

static void test_changes_non_additive_schema_change_is_refused(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	const char *renamed = "{'type':'struct','fields':[{'name':'key','type':'long',"
			      "'nullable':true,'metadata':{}}]}";
	fx_commit(&fx, 0, PROTOCOL_1_4, sf_metadata(&fx, SCHEMA_ID, NULL, CDF_ON), NULL);
	fx_commit(&fx, 1, sf_metadata(&fx, renamed, NULL, CDF_ON), NULL);
	assert_int_equal(changes_error(&fx, 0, 1), LK_ESCHEMA_CHANGE);
	assert_int_equal(changes_error(&fx, 1, 1), LK_OK);
	fx_cleanup(&fx);
}

static void test_changes_cleaned_history_is_truncated(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_switching_table(&fx);
	char path[600];
	snprintf(path, sizeof path, "%s/a.parquet", fx.root);
	unlink(path); /* the data file of v2's add */
	assert_int_equal(changes_error(&fx, 1, 2), LK_ELOG_TRUNCATED);
	assert_int_equal(changes_error(&fx, 1, 1), LK_OK);
	fx_remove_log_file(&fx, "00000000000000000001.json");
	assert_int_equal(changes_error(&fx, 1, 2), LK_ELOG_TRUNCATED);
	fx_cleanup(&fx);
}

static void test_changes_bad_ranges_are_invalid(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_switching_table(&fx);
	assert_int_equal(changes_error(&fx, 2, 1), LK_EINVAL);
	assert_int_equal(changes_error(&fx, 1, 9), LK_EINVAL);
	assert_int_equal(changes_error(&fx, 9, -1), LK_EINVAL);
	fx_cleanup(&fx);
}

static void test_changes_unknown_column_is_not_found(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_switching_table(&fx);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(fx.root, &err);
	const char *cols[] = { "nope" };
	assert_null(delta_changes_open(t, 1, 2, cols, 1, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	delta_table_free(t);
	fx_cleanup(&fx);
}

/* ---- leaving out pre-images ------------------------------------------------------------ */

enum { CDC_ROW_GROUP_ROWS = 3 };

/* The change feed start..end with pre-images left out where the statistics allow. */
static void changes_skipping_preimages(struct fx *fx, int64_t start, int64_t end,
				       struct sf_rows *rows)
{
	struct lk_error err = LK_ERROR_INIT;
	if (!sf_changes_read(fx, start, end, ID_VERSION, 3, true, rows, &err))
		fail_msg("change feed failed: %s", err.message);
}

/* The rows of text that are not update pre-images, in order. */
static char *without_preimages(const char *text)
{
	struct lk_buf out = LK_BUF_INIT;
	for (const char *p = text ? text : ""; *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p + 1) : strlen(p);
		char *line = strndup(p, len);
		if (strstr(line, "\"update_preimage\"") == NULL)
			lk_buf_append(&out, p, len);
		free(line);
		p += len;
	}
	return lk_buf_detach(&out);
}

static void must_ok(bool ok, const struct lk_error *err)
{
	if (!ok)
		fail_msg("%s", err->message);
}

static struct lk_batch *id_change_batch(const int64_t *ids, const char *const *types, size_t n)
{
	struct lk_batch *b = lk_batch_new(2);
	b->n_rows = n;
	sf_col_int(b, 0, "id", LK_TYPE_INT64, ids, NULL);
	sf_col_str(b, 1, "_change_type", types);
	return b;
}

/* With the writer, CDC_ROW_GROUP_ROWS rows per row group:
 *   version 1 adds ids 1..5 (inserts from the add);
 *   version 2 writes one cdc file of four row groups:
 *     pre-images of 1, 2, 3 | post-images of 1, 2, 3 | pre 4, post 4, delete 5 | insert 6;
 *   version 3 removes version 1's file (deletes from the remove). */
static void create_preimage_table(struct fx *fx)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_property cdf = { .key = "delta.enableChangeDataFeed", .value = "true" };
	struct delta_table_spec spec = { .schema_json = "{\"type\":\"struct\",\"fields\":[{\"name\":"
							"\"id\",\"type\":\"long\",\"nullable\":true,"
							"\"metadata\":{}}]}",
					 .properties = &cdf, .n_properties = 1 };
	struct delta_writer_options opts = { .no_fsync = true,
					     .row_group_rows = CDC_ROW_GROUP_ROWS };
	char log[128];
	snprintf(log, sizeof log, "%s/_delta_log", fx->root);
	rmdir(log); /* fx_init's empty log: the writer creates the table itself */
	struct delta_writer *w = delta_writer_create(fx->root, &spec, &opts, &err);
	must_ok(w != NULL, &err);

	struct delta_commit *c = delta_commit_begin(w, &err);
	int64_t ids[] = { 1, 2, 3, 4, 5 };
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 5;
	sf_col_int(b, 0, "id", LK_TYPE_INT64, ids, NULL);
	const char *added;
	must_ok(c && delta_commit_add(c, b, NULL, &added, &err), &err);
	char *added_path = strdup(added);
	lk_batch_free(b);
	must_ok(delta_commit_finish(c, "WRITE", NULL, &err), &err);

	c = delta_commit_begin(w, &err);
	int64_t change_ids[] = { 1, 2, 3, 1, 2, 3, 4, 4, 5, 6 };
	const char *types[] = { "update_preimage", "update_preimage", "update_preimage",
				"update_postimage", "update_postimage", "update_postimage",
				"update_preimage", "update_postimage", "delete", "insert" };
	b = id_change_batch(change_ids, types, 10);
	must_ok(c && delta_commit_add_cdc(c, b, NULL, &err), &err);
	lk_batch_free(b);
	must_ok(delta_commit_finish(c, "MERGE", NULL, &err), &err);

	c = delta_commit_begin(w, &err);
	must_ok(c && delta_commit_remove(c, added_path, &err), &err);
	must_ok(delta_commit_finish(c, "DELETE", NULL, &err), &err);
	free(added_path);
	delta_writer_close(w);
}

static void test_skip_preimages_leaves_out_row_groups_of_pre_images_only(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_preimage_table(&fx);
	struct sf_rows all, skipped;
	changes_ok(&fx, 1, 3, ID_VERSION, 3, &all);
	changes_skipping_preimages(&fx, 1, 3, &skipped);
	/* Without the option, every pre-image comes. */
	assert_int_equal(all.n_rows, 5 + 10 + 5);
	assert_row_starts(&all, "{\"id\":2,\"_change_type\":\"update_preimage\",\"_commit_version\":2}");
	/* With it, the first row group of the cdc file is never read... */
	assert_int_equal(skipped.n_rows, all.n_rows - 3);
	assert_int_equal(skipped.n_batches, all.n_batches - 1);
	for (int64_t id = 1; id <= 3; id++) {
		char line[128];
		snprintf(line, sizeof line, "\"id\":%lld,\"_change_type\":\"update_preimage\"",
			 (long long)id);
		if (strstr(skipped.text, line))
			fail_msg("pre-image of %lld read:\n%s", (long long)id, skipped.text);
	}
	/* ...but the pre-image of the mixed row group still comes. */
	assert_row_starts(&skipped,
			  "{\"id\":4,\"_change_type\":\"update_preimage\",\"_commit_version\":2}");
	/* Everything else is the same rows in the same order. */
	char *expected = without_preimages(all.text);
	char *got = without_preimages(skipped.text);
	assert_string_equal(got, expected);
	free(expected);
	free(got);
	sf_rows_free(&all);
	sf_rows_free(&skipped);
	fx_cleanup(&fx);
}

static void test_skip_preimages_leaves_dv_changes_alone(void **state)
{
	(void)state;
	struct fx fx;
	fx_init(&fx);
	create_dv_update_table(&fx);
	struct sf_rows all, skipped;
	changes_ok(&fx, 0, 2, ID_VERSION, 3, &all);
	changes_skipping_preimages(&fx, 0, 2, &skipped);
	assert_int_equal(all.n_rows, 8);
	assert_string_equal(skipped.text, all.text);
	sf_rows_free(&all);
	sf_rows_free(&skipped);
	fx_cleanup(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_changes_cdc_files_with_partition_values_from_the_action),
		cmocka_unit_test(test_changes_add_and_remove_become_inserts_and_deletes_minus_dv),
		cmocka_unit_test(test_changes_dv_update_yields_per_row_differences),
		cmocka_unit_test(test_changes_data_change_false_produces_nothing),
		cmocka_unit_test(test_changes_batches_never_span_versions),
		cmocka_unit_test(test_changes_in_commit_timestamps_when_enabled),
		cmocka_unit_test(test_changes_additive_schema_change_gives_old_rows_nulls),
		cmocka_unit_test(test_changes_cdf_disabled_at_start_or_inside_range),
		cmocka_unit_test(test_changes_non_additive_schema_change_is_refused),
		cmocka_unit_test(test_changes_cleaned_history_is_truncated),
		cmocka_unit_test(test_changes_bad_ranges_are_invalid),
		cmocka_unit_test(test_changes_unknown_column_is_not_found),
		cmocka_unit_test(test_skip_preimages_leaves_out_row_groups_of_pre_images_only),
		cmocka_unit_test(test_skip_preimages_leaves_dv_changes_alone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
