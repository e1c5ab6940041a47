/* tests/unit/test_demo.c: the sample lakehouse (src/demo) as our reader sees it: the initial
 * load of user_profiles reads back value for value as the generator made it; every commit
 * of every Change Data Feed table is exactly the change between the snapshots around it;
 * demo_init refuses a directory that holds the lakehouse unless forced; the stream adds
 * its column once. */
#include "config.h"

#include <ftw.h>
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
#include "delta/delta.h"
#include "delta/scan.h"
#include "demo/demo.h"
#include "demo/tables.h"
#include "util/buf.h"
#include "util/xmalloc.h"

/* ---- scratch lakehouse -------------------------------------------------------------------- */

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static int lakehouse_setup(void **state)
{
	char *dir = xstrdup("/tmp/lakesync-test-demo-XXXXXX");
	assert_non_null(mkdtemp(dir));
	struct demo_options opts = { .no_fsync = true };
	struct lk_error err = LK_ERROR_INIT;
	if (!demo_init(dir, &opts, &err))
		fail_msg("demo_init: %s", err.message);
	*state = dir;
	return 0;
}

static int lakehouse_teardown(void **state)
{
	nftw(*state, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(*state);
	return 0;
}

static const struct demo_table *table_named(const char *name)
{
	for (size_t i = 0; i < demo_n_tables; i++)
		if (strcmp(demo_tables[i].info.name, name) == 0)
			return &demo_tables[i];
	fail_msg("no table %s", name);
	return NULL;
}

/* ---- rows as text --------------------------------------------------------------------------- */

struct row_text {
	char *key;  /* the key columns, rendered */
	char *json; /* the first n columns, rendered */
};

struct rows {
	struct row_text *rows;
	size_t n;
};

static void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->rows[i].key), free(r->rows[i].json);
	free(r->rows);
	r->rows = NULL, r->n = 0;
}

static bool is_key_column(const struct demo_table *t, const char *name)
{
	const char *k = t->info.keys;
	size_t len = strlen(name);
	while (*k) {
		size_t n = strcspn(k, ",");
		if (n == len && strncmp(k, name, n) == 0)
			return true;
		k += n + (k[n] == ',');
	}
	return false;
}

/* Renders row `row` of b: columns 0..n_columns-1 as a JSON object, and its key. */
static struct row_text render_row(const struct demo_table *t, const struct lk_batch *b, size_t row,
				  size_t n_columns)
{
	struct lk_buf json, key;
	lk_buf_init(&json), lk_buf_init(&key);
	lk_buf_append_byte(&json, '{');
	for (size_t c = 0; c < n_columns; c++) {
		const struct lk_vector *v = &b->columns[c];
		lk_buf_printf(&json, "%s\"%s\":", c ? "," : "", v->name);
		lk_render_json_value(v, row, &json);
		if (is_key_column(t, v->name)) {
			lk_render_json_value(v, row, &key);
			lk_buf_append_byte(&key, '|');
		}
	}
	lk_buf_append_byte(&json, '}');
	return (struct row_text){ .key = lk_buf_detach(&key), .json = lk_buf_detach(&json) };
}

static void rows_push(struct rows *r, struct row_text row)
{
	r->rows = xreallocarray(r->rows, r->n + 1, sizeof *r->rows);
	r->rows[r->n++] = row;
}

static int row_cmp(const void *a, const void *b)
{
	return strcmp(((const struct row_text *)a)->key, ((const struct row_text *)b)->key);
}

static struct row_text *rows_find(struct rows *r, const char *key)
{
	for (size_t i = 0; i < r->n; i++)
		if (strcmp(r->rows[i].key, key) == 0)
			return &r->rows[i];
	return NULL;
}

/* The live rows of the table at version, sorted by key; *n_schema gets the column count. */
static struct rows snapshot_rows(const struct demo_table *t, struct delta_table *table,
				 int64_t version, size_t *n_schema)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_snapshot *snap = delta_snapshot_load(table, version, &err);
	if (snap == NULL)
		fail_msg("%s version %lld: %s", t->info.name, (long long)version, err.message);
	struct delta_scan *scan = delta_scan_open(table, snap, NULL, 0, &err);
	assert_non_null(scan);
	*n_schema = snap->schema->n_fields;
	struct rows out = { 0 };
	struct lk_batch *b;
	while (delta_scan_next(scan, &b, &err) && b) {
		for (size_t i = 0; i < lk_batch_live_rows(b); i++)
			rows_push(&out, render_row(t, b, lk_batch_live_row(b, i), b->n_columns));
		lk_batch_free(b);
	}
	assert_int_equal(err.code, LK_OK);
	delta_scan_close(scan);
	delta_snapshot_free(snap);
	qsort(out.rows, out.n, sizeof *out.rows, row_cmp);
	return out;
}

/* ---- tests ---------------------------------------------------------------------------------- */

static void test_demo_user_profiles_load_reads_back_as_generated(void **state)
{
	const struct demo_table *t = table_named("analytics.gold.user_profiles");
	char *root = xasprintf("%s/%s", (char *)*state, t->info.path);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *table = delta_table_open(root, &err);
	assert_non_null(table);
	size_t n_schema;
	struct rows got = snapshot_rows(t, table, 1, &n_schema);
	size_t n = t->initial_files * t->rows_per_file;
	assert_int_equal(got.n, n);

	struct delta_type *schema = delta_schema_parse(t->schema_json, &err);
	assert_non_null(schema);
	int64_t *keys = xcalloc(n, sizeof *keys);
	for (size_t i = 0; i < n; i++)
		keys[i] = (int64_t)i + 1;
	struct lk_batch *expected = demo_rows(t, schema, keys, n, DEMO_REFERENCE_US);
	struct rows want = { 0 };
	for (size_t i = 0; i < n; i++)
		rows_push(&want, render_row(t, expected, i, expected->n_columns));
	qsort(want.rows, want.n, sizeof *want.rows, row_cmp);
	size_t nested_values = 0;
	for (size_t i = 0; i < n; i++) {
		assert_string_equal(got.rows[i].json, want.rows[i].json);
		nested_values += strstr(got.rows[i].json, "\"tags\":[\"") != NULL;
	}
	assert_true(nested_values > n / 2); /* the comparison covered non-empty nested values */
	/* a few nulls of each kind made it through */
	size_t null_country = 0, null_address = 0;
	for (size_t i = 0; i < n; i++) {
		null_country += strstr(got.rows[i].json, "\"country\":null") != NULL;
		null_address += strstr(got.rows[i].json, "\"address\":null") != NULL;
	}
	assert_true(null_country > 0 && null_address > 0);

	lk_batch_free(expected);
	free(keys);
	rows_free(&want);
	rows_free(&got);
	delta_type_free(schema);
	delta_table_free(table);
	free(root);
}

/* Applies the change rows of version v to rows (checking each against what it replaces). */
static void apply_changes(const struct demo_table *t, struct delta_table *table, int64_t v,
			  size_t n_schema, struct rows *rows, size_t *counts)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_changes *ch = delta_changes_open(table, v, v, NULL, 0, &err);
	if (ch == NULL)
		fail_msg("%s changes %lld: %s", t->info.name, (long long)v, err.message);
	struct lk_batch *b;
	while (delta_changes_next(ch, &b, &err) && b) {
		const struct lk_vector *type = lk_batch_column(b, DELTA_CHANGE_TYPE_COLUMN);
		for (size_t i = 0; i < lk_batch_live_rows(b); i++) {
			size_t row = lk_batch_live_row(b, i);
			char kind[32];
			snprintf(kind, sizeof kind, "%.*s", (int)type->v.bytes[row].len,
				 (const char *)type->v.bytes[row].ptr);
			struct row_text r = render_row(t, b, row, n_schema);
			struct row_text *cur = rows_find(rows, r.key);
			if (strcmp(kind, "insert") == 0) {
				assert_null(cur);
				rows_push(rows, r);
				counts[0]++;
				continue;
			}
			assert_non_null(cur);
			if (strcmp(kind, "update_postimage") == 0) {
				free(cur->json);
				cur->json = r.json;
				free(r.key);
				counts[2]++;
				continue;
			}
			assert_string_equal(cur->json, r.json); /* preimage, delete */
			if (strcmp(kind, "delete") == 0) {
				free(cur->key), free(cur->json);
				*cur = rows->rows[--rows->n];
				counts[3]++;
			} else {
				assert_string_equal(kind, "update_preimage");
				counts[1]++;
			}
			free(r.key), free(r.json);
		}
		lk_batch_free(b);
	}
	assert_int_equal(err.code, LK_OK);
	delta_changes_close(ch);
	qsort(rows->rows, rows->n, sizeof *rows->rows, row_cmp);
}

static void test_demo_change_feed_is_the_difference_of_snapshots(void **state)
{
	for (size_t ti = 0; ti < demo_n_tables; ti++) {
		const struct demo_table *t = &demo_tables[ti];
		if (!t->info.cdf)
			continue;
		char *root = xasprintf("%s/%s", (char *)*state, t->info.path);
		struct lk_error err = LK_ERROR_INIT;
		struct delta_table *table = delta_table_open(root, &err);
		assert_non_null(table);
		int64_t latest;
		assert_true(delta_table_latest_version(table, &latest, &err));
		assert_int_equal(latest, 1 + t->history_steps);
		size_t n_schema, counts[4] = { 0 }; /* insert, preimage, postimage, delete */
		struct rows replay = snapshot_rows(t, table, 1, &n_schema);
		for (int64_t v = 2; v <= latest; v++) {
			apply_changes(t, table, v, n_schema, &replay, counts);
			struct rows snap = snapshot_rows(t, table, v, &n_schema);
			assert_int_equal(replay.n, snap.n);
			for (size_t i = 0; i < snap.n; i++) {
				assert_string_equal(replay.rows[i].key, snap.rows[i].key);
				assert_string_equal(replay.rows[i].json, snap.rows[i].json);
			}
			rows_free(&snap);
		}
		assert_true(counts[0] > 0);                 /* inserts */
		assert_true(counts[1] > 0);                 /* updates */
		assert_int_equal(counts[1], counts[2]);     /* pre- and post-images pair up */
		if (t->deletes.max > 0 && t->history_steps >= 10)
			assert_true(counts[3] > 0);
		rows_free(&replay);
		delta_table_free(table);
		free(root);
	}
}

static void test_demo_init_refuses_an_existing_lakehouse(void **state)
{
	struct demo_options opts = { .no_fsync = true };
	struct lk_error err = LK_ERROR_INIT;
	assert_false(demo_init(*state, &opts, &err));
	assert_int_equal(err.code, LK_EEXISTS);
	assert_non_null(strstr(err.message, "already holds a sample lakehouse"));
	opts.force = true;
	if (!demo_init(*state, &opts, &err))
		fail_msg("forced demo_init: %s", err.message);
}

static void test_demo_stream_adds_the_column_once(void **state)
{
	struct demo_stream_state st;
	demo_stream_init(&st, 42);
	st.fixed_now_us = DEMO_REFERENCE_US + 30 * DEMO_DAY_US;
	struct demo_step_result r;
	struct lk_error err = LK_ERROR_INIT;
	int added = 0;
	for (int i = 0; i < 8; i++) {
		if (!demo_stream_step(*state, &st, &r, &err))
			fail_msg("step %d: %s", i + 1, err.message);
		assert_true(r.version > 0);
		if (r.added_column) {
			added++;
			assert_int_equal(i + 1, 6);
			assert_string_equal(r.table, "analytics.gold.user_profiles");
			assert_true(r.inserted > 0);
		}
	}
	assert_int_equal(added, 1);

	/* a second stream finds the column there and does not add it again */
	demo_stream_init(&st, 7);
	for (int i = 0; i < 6; i++) {
		assert_true(demo_stream_step(*state, &st, &r, &err));
		assert_null(r.added_column);
	}
	const struct demo_table *t = table_named("analytics.gold.user_profiles");
	char *root = xasprintf("%s/%s", (char *)*state, t->info.path);
	struct delta_table *table = delta_table_open(root, &err);
	assert_non_null(table);
	size_t n_schema;
	struct rows rows = snapshot_rows(t, table, -1, &n_schema);
	size_t filled = 0;
	for (size_t i = 0; i < rows.n; i++)
		filled += strstr(rows.rows[i].json, "\"loyalty_tier\":\"") != NULL;
	assert_true(filled >= 25);
	rows_free(&rows);
	delta_table_free(table);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demo_user_profiles_load_reads_back_as_generated),
		cmocka_unit_test(test_demo_change_feed_is_the_difference_of_snapshots),
		cmocka_unit_test(test_demo_init_refuses_an_existing_lakehouse),
		cmocka_unit_test(test_demo_stream_adds_the_column_once),
	};
	return cmocka_run_group_tests(tests, lakehouse_setup, lakehouse_teardown);
}
