/* tests/unit/test_delta_writer.c: the Delta writer (src/delta/writer.h). Every test writes a
 * table into a mkdtemp directory and reads it back with the project's own readers: the log
 * reader (delta_table_open / delta_snapshot_load: protocol, metadata, schema, live files,
 * partition values, stats, txns), the data reader (delta_scan_* rows, delta_changes_* change
 * feed, every value compared as rendered JSON) and the Parquet reader (cdc file columns, the
 * checkpoint's rows). Covers creation and protocols, appends, partitions (several types, a
 * null, a value needing escaping), removes, cdc files, copy-on-write updates, schema
 * evolution, CDF on/off, checkpoints (by hand and every N commits), reopening, the exclusive
 * commit (racing writers: exactly one wins), abort, and the error paths. */
#include "config.h"

#include <dirent.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "batch/batch.h"
#include "delta/delta.h"
#include "delta/scan.h"
#include "delta/writer.h"
#include "parquet/parquet.h"
#include "util/buf.h"
#include "util/clock.h"

/* ---- fixture ------------------------------------------------------------------------- */

struct tbl {
	char dir[64];   /* the mkdtemp directory */
	char root[96];  /* the table: <dir>/t */
};

static void tbl_init(struct tbl *t)
{
	snprintf(t->dir, sizeof t->dir, "/tmp/lk-dw-test-XXXXXX");
	if (mkdtemp(t->dir) == NULL)
		abort();
	snprintf(t->root, sizeof t->root, "%s/t", t->dir);
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void tbl_cleanup(struct tbl *t)
{
	nftw(t->dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static const struct delta_writer_options NO_FSYNC = { .no_fsync = true };

static void must(bool ok, const struct lk_error *err)
{
	if (!ok)
		fail_msg("unexpected failure: %s", err->message);
}

/* Counts regular files under dir whose name ends with suffix. */
static int count_suffix_cb_n;
static const char *count_suffix_cb_suffix;
static int count_cb(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)ftw;
	size_t n = strlen(path), k = strlen(count_suffix_cb_suffix);
	if (flag == FTW_F && n >= k && strcmp(path + n - k, count_suffix_cb_suffix) == 0)
		count_suffix_cb_n++;
	return 0;
}

static int count_files(const char *dir, const char *suffix)
{
	count_suffix_cb_n = 0;
	count_suffix_cb_suffix = suffix;
	nftw(dir, count_cb, 16, FTW_PHYS);
	return count_suffix_cb_n;
}

static char *read_text(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	struct lk_buf b = LK_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		lk_buf_append(&b, chunk, n);
	fclose(f);
	return lk_buf_detach(&b);
}

static char *commit_text(const struct tbl *t, int64_t version)
{
	char path[256];
	snprintf(path, sizeof path, "%s/_delta_log/%020lld.json", t->root, (long long)version);
	return read_text(path);
}

/* ---- batches --------------------------------------------------------------------------- */

static struct lk_batch *batch_new(size_t n_rows, size_t n_columns)
{
	struct lk_batch *b = lk_batch_new(n_columns);
	b->n_rows = n_rows;
	return b;
}

static struct lk_vector *col(struct lk_batch *b, size_t i, const char *name, enum lk_type_id type)
{
	struct lk_vector *v = &b->columns[i];
	v->name = strdup(name);
	v->type = type;
	v->length = b->n_rows;
	return v;
}

static void set_nulls(struct lk_batch *b, struct lk_vector *v, const uint8_t *nulls)
{
	if (nulls == NULL)
		return;
	v->nulls = lk_batch_alloc(b, b->n_rows);
	memcpy(v->nulls, nulls, b->n_rows);
}

static void col_i64(struct lk_batch *b, size_t i, const char *name, enum lk_type_id type,
		    const int64_t *values, const uint8_t *nulls)
{
	struct lk_vector *v = col(b, i, name, type);
	v->v.i64 = lk_batch_alloc(b, b->n_rows * 8);
	memcpy(v->v.i64, values, b->n_rows * 8);
	set_nulls(b, v, nulls);
}

static void col_i32(struct lk_batch *b, size_t i, const char *name, enum lk_type_id type,
		    const int32_t *values, const uint8_t *nulls)
{
	struct lk_vector *v = col(b, i, name, type);
	v->v.i32 = lk_batch_alloc(b, b->n_rows * 4);
	memcpy(v->v.i32, values, b->n_rows * 4);
	set_nulls(b, v, nulls);
}

static void col_f64(struct lk_batch *b, size_t i, const char *name, const double *values)
{
	struct lk_vector *v = col(b, i, name, LK_TYPE_DOUBLE);
	v->v.f64 = lk_batch_alloc(b, b->n_rows * 8);
	memcpy(v->v.f64, values, b->n_rows * 8);
}

static void col_dec(struct lk_batch *b, size_t i, const char *name, uint8_t p, uint8_t s,
		    const int64_t *unscaled)
{
	col_i64(b, i, name, LK_TYPE_DECIMAL, unscaled, NULL);
	b->columns[i].precision = p;
	b->columns[i].scale = s;
}

static void col_str(struct lk_batch *b, size_t i, const char *name, const char *const *values)
{
	struct lk_vector *v = col(b, i, name, LK_TYPE_STRING);
	v->v.bytes = lk_batch_alloc(b, b->n_rows * sizeof *v->v.bytes);
	for (size_t r = 0; r < b->n_rows; r++) {
		if (values[r] == NULL) {
			if (v->nulls == NULL)
				v->nulls = lk_batch_alloc(b, b->n_rows);
			v->nulls[r] = 1;
			continue;
		}
		v->v.bytes[r] = (struct lk_bytes){ .ptr = (const uint8_t *)values[r],
						   .len = (uint32_t)strlen(values[r]) };
	}
}

/* (id long, name string) rows. */
static struct lk_batch *id_name_batch(const int64_t *ids, const char *const *names, size_t n)
{
	struct lk_batch *b = batch_new(n, 2);
	col_i64(b, 0, "id", LK_TYPE_INT64, ids, NULL);
	col_str(b, 1, "name", names);
	return b;
}

/* The same plus _change_type. */
static struct lk_batch *change_batch(const int64_t *ids, const char *const *names,
				     const char *const *types, size_t n)
{
	struct lk_batch *b = batch_new(n, 3);
	col_i64(b, 0, "id", LK_TYPE_INT64, ids, NULL);
	col_str(b, 1, "name", names);
	col_str(b, 2, "_change_type", types);
	return b;
}

/* ---- reading back ---------------------------------------------------------------------- */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Rows rendered as JSON, sorted, joined with newlines. */
struct rows {
	char *lines[256];
	size_t n;
};

static void rows_add(struct rows *rows, const struct lk_batch *b, const char *drop_after)
{
	for (size_t i = 0; i < lk_batch_live_rows(b); i++) {
		struct lk_buf out = LK_BUF_INIT;
		lk_render_json_row(b, lk_batch_live_row(b, i), &out);
		char *line = lk_buf_detach(&out);
		/* the change feed's timestamp depends on file times: cut it off */
		char *cut = drop_after ? strstr(line, drop_after) : NULL;
		if (cut)
			strcpy(cut, "}");
		assert_true(rows->n < 256);
		rows->lines[rows->n++] = line;
	}
}

static char *rows_join(struct rows *rows)
{
	qsort(rows->lines, rows->n, sizeof rows->lines[0], cmp_str);
	struct lk_buf out = LK_BUF_INIT;
	for (size_t i = 0; i < rows->n; i++) {
		lk_buf_append_str(&out, rows->lines[i]);
		lk_buf_append_byte(&out, '\n');
		free(rows->lines[i]);
	}
	rows->n = 0;
	return lk_buf_detach(&out);
}

static char *scan_rows(const char *root, int64_t version)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(root, &err);
	must(t != NULL, &err);
	struct delta_snapshot *s = delta_snapshot_load(t, version, &err);
	must(s != NULL, &err);
	struct delta_scan *scan = delta_scan_open(t, s, NULL, 0, &err);
	must(scan != NULL, &err);
	struct rows rows = { .n = 0 };
	for (;;) {
		struct lk_batch *b;
		must(delta_scan_next(scan, &b, &err), &err);
		if (b == NULL)
			break;
		rows_add(&rows, b, NULL);
		lk_batch_free(b);
	}
	delta_scan_close(scan);
	delta_snapshot_free(s);
	delta_table_free(t);
	return rows_join(&rows);
}

/* The change feed start..end, without _commit_timestamp; NULL with *err on failure. */
static char *change_rows(const char *root, int64_t start, int64_t end, struct lk_error *err)
{
	struct delta_table *t = delta_table_open(root, err);
	must(t != NULL, err);
	struct delta_changes *ch = delta_changes_open(t, start, end, NULL, 0, err);
	if (ch == NULL) {
		delta_table_free(t);
		return NULL;
	}
	struct rows rows = { .n = 0 };
	for (;;) {
		struct lk_batch *b;
		must(delta_changes_next(ch, &b, err), err);
		if (b == NULL)
			break;
		rows_add(&rows, b, ",\"_commit_timestamp\"");
		lk_batch_free(b);
	}
	delta_changes_close(ch);
	delta_table_free(t);
	return rows_join(&rows);
}

static struct delta_snapshot *snapshot(struct delta_table **table, const char *root,
				       int64_t version)
{
	struct lk_error err = LK_ERROR_INIT;
	*table = delta_table_open(root, &err);
	must(*table != NULL, &err);
	struct delta_snapshot *s = delta_snapshot_load(*table, version, &err);
	must(s != NULL, &err);
	return s;
}

static const char ID_NAME_SCHEMA[] =
	"{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}";

static const struct delta_property CDF_ON[] = {
	{ .key = "delta.enableChangeDataFeed", .value = "true" },
};

static struct delta_writer *create_id_name(const struct tbl *t, bool cdf)
{
	struct delta_table_spec spec = {
		.schema_json = ID_NAME_SCHEMA,
		.properties = cdf ? CDF_ON : NULL,
		.n_properties = cdf ? 1 : 0,
	};
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t->root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	return w;
}

/* One commit adding one file of (id, name) rows; returns the file's path (static copy). */
static int64_t append(struct delta_writer *w, const int64_t *ids, const char *const *names,
		      size_t n, char *path_out, size_t path_size)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(c != NULL, &err);
	struct lk_batch *b = id_name_batch(ids, names, n);
	const char *path;
	must(delta_commit_add(c, b, NULL, &path, &err), &err);
	if (path_out)
		snprintf(path_out, path_size, "%s", path);
	lk_batch_free(b);
	int64_t version;
	must(delta_commit_finish(c, "WRITE", &version, &err), &err);
	return version;
}

/* ---- creation and protocols -------------------------------------------------------------- */

static void test_create_writes_protocol_metadata_and_commit_info(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	const char *partitions[] = { "p" };
	const char *schema = "{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"p\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}";
	struct delta_property props[] = { { .key = "owner", .value = "tests" } };
	struct delta_table_spec spec = {
		.schema_json = schema, .partition_columns = partitions, .n_partition_columns = 1,
		.properties = props, .n_properties = 1, .name = "events", .description = "d",
	};
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	assert_int_equal(delta_writer_version(w), 0);
	assert_false(delta_writer_cdf_enabled(w));
	delta_writer_close(w);

	struct delta_table *table;
	struct delta_snapshot *s = snapshot(&table, t.root, -1);
	assert_int_equal(s->version, 0);
	assert_int_equal(s->protocol.min_reader_version, 1);
	assert_int_equal(s->protocol.min_writer_version, 2);
	assert_null(s->protocol.reader_features);
	assert_int_equal(strlen(s->metadata.id), 36);
	assert_string_equal(s->metadata.name, "events");
	assert_string_equal(s->metadata.description, "d");
	assert_string_equal(s->metadata.format_provider, "parquet");
	assert_string_equal(s->metadata.schema_string, schema);
	assert_int_equal(s->metadata.n_partition_columns, 1);
	assert_string_equal(s->metadata.partition_columns[0], "p");
	assert_string_equal(delta_map_get(&s->metadata.configuration, "owner"), "tests");
	assert_true(s->metadata.has_created_time);
	assert_int_equal(s->schema->n_fields, 2);
	assert_int_equal(s->n_files, 0);
	assert_true(s->has_commit_info);
	assert_string_equal(s->commit_info.operation, "CREATE TABLE");
	assert_true(s->commit_info.has_timestamp);
	delta_snapshot_free(s);
	delta_table_free(table);

	char *text = commit_text(&t, 0);
	assert_non_null(strstr(text, "\"engineInfo\":\"lakesync/" PACKAGE_VERSION "\""));
	assert_true(strncmp(text, "{\"commitInfo\":", 14) == 0); /* commitInfo first */
	free(text);
	tbl_cleanup(&t);
}

static void assert_protocol(const char *root, int reader, int writer, const char *reader_feature,
			    const char *writer_feature)
{
	struct delta_table *table;
	struct delta_snapshot *s = snapshot(&table, root, -1);
	assert_int_equal(s->protocol.min_reader_version, reader);
	assert_int_equal(s->protocol.min_writer_version, writer);
	if (reader_feature)
		assert_true(delta_protocol_has_reader_feature(&s->protocol, reader_feature));
	if (writer_feature)
		assert_true(delta_protocol_has_writer_feature(&s->protocol, writer_feature));
	delta_snapshot_free(s);
	delta_table_free(table);
}

static void test_create_with_cdf_declares_1_4(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, true);
	assert_true(delta_writer_cdf_enabled(w));
	delta_writer_close(w);
	assert_protocol(t.root, 1, 4, NULL, NULL);
	tbl_cleanup(&t);
}

static void test_create_with_timestamp_ntz_declares_3_7_with_features(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_table_spec spec = {
		.schema_json = "{\"type\":\"struct\",\"fields\":["
			"{\"name\":\"at\",\"type\":\"timestamp_ntz\",\"nullable\":true,\"metadata\":{}}]}",
		.properties = CDF_ON, .n_properties = 1,
	};
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	delta_writer_close(w);
	assert_protocol(t.root, 3, 7, "timestampNtz", "timestampNtz");
	assert_protocol(t.root, 3, 7, NULL, "changeDataFeed");
	assert_protocol(t.root, 3, 7, NULL, "appendOnly");
	tbl_cleanup(&t);
}

static void test_create_refuses_an_existing_table(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	delta_writer_close(create_id_name(&t, false));
	struct delta_table_spec spec = { .schema_json = ID_NAME_SCHEMA };
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_writer_create(t.root, &spec, &NO_FSYNC, &err));
	assert_int_equal(err.code, LK_EEXISTS);
	assert_non_null(strstr(err.message, t.root));
	tbl_cleanup(&t);
}

static void expect_create_error(const struct delta_table_spec *spec, enum lk_errcode code,
				const char *needle)
{
	struct tbl t;
	tbl_init(&t);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_writer_create(t.root, spec, &NO_FSYNC, &err));
	assert_int_equal(err.code, code);
	if (strstr(err.message, needle) == NULL)
		fail_msg("'%s' not in '%s'", needle, err.message);
	struct stat st;
	assert_int_not_equal(stat(t.root, &st) == 0 && S_ISDIR(st.st_mode) &&
			     count_files(t.root, ".json") > 0, 1);
	tbl_cleanup(&t);
}

static void test_create_refuses_what_it_cannot_honour(void **state)
{
	(void)state;
	const char *variant = "{\"type\":\"struct\",\"fields\":[{\"name\":\"v\",\"type\":\"variant\","
			      "\"nullable\":true,\"metadata\":{}}]}";
	const char *binary = "{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"b\",\"type\":\"binary\",\"nullable\":true,\"metadata\":{}}]}";
	const char *invariant = "{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\","
		"\"nullable\":true,\"metadata\":{\"delta.invariants\":\"{\\\"expression\\\":1}\"}}]}";
	const char *p_missing[] = { "nope" }, *p_binary[] = { "b" }, *p_all[] = { "id", "b" };
	struct delta_property mapping[] = { { .key = "delta.columnMapping.mode", .value = "name" } };
	struct delta_property dvs[] = { { .key = "delta.enableDeletionVectors", .value = "true" } };
	struct delta_property check[] = { { .key = "delta.constraints.positive", .value = "id > 0" } };

	expect_create_error(&(struct delta_table_spec){ .schema_json = variant }, LK_EUNSUPPORTED,
			    "variant");
	expect_create_error(&(struct delta_table_spec){ .schema_json = invariant }, LK_EUNSUPPORTED,
			    "delta.invariants");
	expect_create_error(&(struct delta_table_spec){ .schema_json = "{\"type\":" },
			    LK_ECORRUPT, "schema");
	expect_create_error(&(struct delta_table_spec){ .schema_json = binary,
			    .partition_columns = p_missing, .n_partition_columns = 1 },
			    LK_EINVAL, "partition column nope");
	expect_create_error(&(struct delta_table_spec){ .schema_json = binary,
			    .partition_columns = p_binary, .n_partition_columns = 1 },
			    LK_EUNSUPPORTED, "column b cannot be a partition column");
	expect_create_error(&(struct delta_table_spec){ .schema_json = binary,
			    .partition_columns = p_all, .n_partition_columns = 2 },
			    LK_EINVAL, "at least one data column");
	expect_create_error(&(struct delta_table_spec){ .schema_json = binary,
			    .properties = mapping, .n_properties = 1 },
			    LK_EUNSUPPORTED, "column mapping");
	expect_create_error(&(struct delta_table_spec){ .schema_json = binary,
			    .properties = dvs, .n_properties = 1 },
			    LK_EUNSUPPORTED, "deletion vectors");
	expect_create_error(&(struct delta_table_spec){ .schema_json = binary,
			    .properties = check, .n_properties = 1 },
			    LK_EUNSUPPORTED, "CHECK constraints");
}

/* ---- appends, stats -------------------------------------------------------------------- */

static void test_appends_are_read_back_row_for_row(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, false);
	int64_t a_ids[] = { 1, 2, 3 }, b_ids[] = { 4 };
	const char *a_names[] = { "ann", NULL, "cé \"q\"" }, *b_names[] = { "dan" };
	assert_int_equal(append(w, a_ids, a_names, 3, NULL, 0), 1);
	assert_int_equal(append(w, b_ids, b_names, 1, NULL, 0), 2);
	size_t n;
	delta_writer_files(w, &n);
	assert_int_equal(n, 2);
	delta_writer_close(w);

	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":1,\"name\":\"ann\"}\n"
				  "{\"id\":2,\"name\":null}\n"
				  "{\"id\":3,\"name\":\"cé \\\"q\\\"\"}\n"
				  "{\"id\":4,\"name\":\"dan\"}\n");
	free(rows);
	rows = scan_rows(t.root, 1);
	assert_string_equal(rows, "{\"id\":1,\"name\":\"ann\"}\n{\"id\":2,\"name\":null}\n"
				  "{\"id\":3,\"name\":\"cé \\\"q\\\"\"}\n");
	free(rows);
	char *text = commit_text(&t, 1);
	assert_non_null(strstr(text, "\"operation\":\"WRITE\""));
	assert_non_null(strstr(text, "\"isBlindAppend\":true"));
	assert_non_null(strstr(text, "\"dataChange\":true"));
	assert_null(strstr(text, "\"metaData\""));
	assert_null(strstr(text, "\"protocol\""));
	free(text);
	assert_int_equal(count_files(t.root, ".snappy.parquet"), 2);
	tbl_cleanup(&t);
}

static void test_stats_have_counts_bounds_and_truncated_strings(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	const char *schema = "{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"s\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"x\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"amount\",\"type\":\"decimal(10,2)\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"day\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"at\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}}]}";
	struct delta_table_spec spec = { .schema_json = schema };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	struct lk_batch *b = batch_new(3, 6);
	int64_t ids[] = { 9223372036854775807, -5, 0 };
	uint8_t id_nulls[] = { 0, 0, 1 };
	const char *strs[] = { "z123456789012345678901234567890123456789", "abc", NULL };
	double xs[] = { 1.5, -0.25, 1e300 };
	int64_t amounts[] = { 12345, -99, 0 };
	int32_t days[] = { 19723, 0, -1 };
	int64_t ats[] = { 1700000000123456, 1700000000999999, -1 };
	col_i64(b, 0, "id", LK_TYPE_INT64, ids, id_nulls);
	col_str(b, 1, "s", strs);
	col_f64(b, 2, "x", xs);
	col_dec(b, 3, "amount", 10, 2, amounts);
	col_i32(b, 4, "day", LK_TYPE_DATE, days, NULL);
	col_i64(b, 5, "at", LK_TYPE_TIMESTAMP, ats, NULL);
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(delta_commit_add(c, b, NULL, NULL, &err), &err);
	lk_batch_free(b);
	must(delta_commit_finish(c, "WRITE", NULL, &err), &err);
	delta_writer_close(w);

	struct delta_table *table;
	struct delta_snapshot *s = snapshot(&table, t.root, -1);
	assert_int_equal(s->n_files, 1);
	/* compared as text: exact integers, the maximum string cut with U+10FFFF appended */
	assert_string_equal(s->files[0].stats,
		"{\"numRecords\":3,"
		"\"minValues\":{\"id\":-5,\"s\":\"abc\","
		"\"x\":-0.25,\"amount\":-0.99,\"day\":\"1969-12-31\","
		"\"at\":\"1969-12-31T23:59:59.999Z\"},"
		"\"maxValues\":{\"id\":9223372036854775807,"
		"\"s\":\"z1234567890123456789012345678901\xf4\x8f\xbf\xbf\","
		"\"x\":1e+300,\"amount\":123.45,\"day\":\"2024-01-01\","
		"\"at\":\"2023-11-14T22:13:20.999Z\"},"
		"\"nullCount\":{\"id\":1,\"s\":1,\"x\":0,\"amount\":0,\"day\":0,\"at\":0}}");
	assert_true(s->files[0].size > 0);
	struct stat st;
	char local[512];
	snprintf(local, sizeof local, "%s/%s", t.root, s->files[0].path);
	assert_int_equal(stat(local, &st), 0);
	assert_int_equal(st.st_size, s->files[0].size);
	delta_snapshot_free(s);
	delta_table_free(table);

	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows,
		"{\"id\":-5,\"s\":\"abc\",\"x\":-0.25,\"amount\":\"-0.99\",\"day\":\"1970-01-01\","
		"\"at\":\"2023-11-14T22:13:20.999999Z\"}\n"
		"{\"id\":9223372036854775807,\"s\":\"z123456789012345678901234567890123456789\","
		"\"x\":1.5,\"amount\":\"123.45\",\"day\":\"2024-01-01\","
		"\"at\":\"2023-11-14T22:13:20.123456Z\"}\n"
		"{\"id\":null,\"s\":null,\"x\":1e+300,\"amount\":\"0.00\",\"day\":\"1969-12-31\","
		"\"at\":\"1969-12-31T23:59:59.999999Z\"}\n");
	free(rows);
	tbl_cleanup(&t);
}

static void test_nested_columns_round_trip_with_struct_stats_only(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	const char *schema = "{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"a\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]},"
		"\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"elementType\":\"string\","
		"\"containsNull\":true},\"nullable\":true,\"metadata\":{}}]}";
	struct delta_table_spec spec = { .schema_json = schema };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	struct lk_batch *b = batch_new(2, 3);
	int64_t ids[] = { 1, 2 };
	col_i64(b, 0, "id", LK_TYPE_INT64, ids, NULL);
	struct lk_vector *sv = col(b, 1, "s", LK_TYPE_STRUCT);
	uint8_t s_nulls[] = { 0, 1 };
	set_nulls(b, sv, s_nulls);
	lk_vector_init_children(sv, 1);
	sv->children[0].name = strdup("a");
	sv->children[0].type = LK_TYPE_INT32;
	sv->children[0].length = 2;
	sv->children[0].v.i32 = lk_batch_alloc(b, 8);
	sv->children[0].v.i32[0] = 42;
	sv->children[0].nulls = lk_batch_alloc(b, 2);
	sv->children[0].nulls[1] = 1;
	struct lk_vector *lv = col(b, 2, "tags", LK_TYPE_LIST);
	lv->offsets = lk_batch_alloc(b, 3 * sizeof *lv->offsets);
	lv->offsets[0] = 0, lv->offsets[1] = 2, lv->offsets[2] = 2;
	lk_vector_init_children(lv, 1);
	struct lk_vector *ev = &lv->children[0];
	ev->name = strdup("element");
	ev->type = LK_TYPE_STRING;
	ev->length = 2;
	ev->v.bytes = lk_batch_alloc(b, 2 * sizeof *ev->v.bytes);
	ev->v.bytes[0] = (struct lk_bytes){ .ptr = (const uint8_t *)"x", .len = 1 };
	ev->v.bytes[1] = (struct lk_bytes){ .ptr = (const uint8_t *)"y", .len = 1 };
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(delta_commit_add(c, b, NULL, NULL, &err), &err);
	lk_batch_free(b);
	must(delta_commit_finish(c, "WRITE", NULL, &err), &err);
	size_t n;
	const struct delta_file *files = delta_writer_files(w, &n);
	assert_string_equal(files[0].stats,
		"{\"numRecords\":2,\"minValues\":{\"id\":1,\"s\":{\"a\":42}},"
		"\"maxValues\":{\"id\":2,\"s\":{\"a\":42}},"
		"\"nullCount\":{\"id\":0,\"s\":{\"a\":1}}}");
	delta_writer_close(w);
	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":1,\"s\":{\"a\":42},\"tags\":[\"x\",\"y\"]}\n"
				  "{\"id\":2,\"s\":null,\"tags\":[]}\n");
	free(rows);
	tbl_cleanup(&t);
}

/* ---- partitions ------------------------------------------------------------------------ */

static const char PART_SCHEMA[] = "{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"region\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"n\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"day\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"at\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"price\",\"type\":\"decimal(5,2)\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"ok\",\"type\":\"boolean\",\"nullable\":true,\"metadata\":{}}]}";
static const char *const PART_COLUMNS[] = { "region", "n", "day", "at", "price", "ok" };

static struct lk_batch *ids_batch(const int64_t *ids, size_t n)
{
	struct lk_batch *b = batch_new(n, 1);
	col_i64(b, 0, "id", LK_TYPE_INT64, ids, NULL);
	return b;
}

static void test_partitioned_table_values_escaping_and_nulls(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_table_spec spec = {
		.schema_json = PART_SCHEMA, .partition_columns = PART_COLUMNS, .n_partition_columns = 6,
	};
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	struct delta_commit *c = delta_commit_begin(w, &err);
	const char *pv1[] = { "a/b:c%d=e f", "7", "2024-01-02", "2024-01-02T03:04:05.000006Z",
			      "-1.50", "true" };
	const char *pv2[] = { NULL, "-3", NULL, NULL, NULL, "false" };
	int64_t ids1[] = { 1, 2 }, ids2[] = { 3 };
	struct lk_batch *b1 = ids_batch(ids1, 2), *b2 = ids_batch(ids2, 1);
	const char *path1, *path2;
	must(delta_commit_add(c, b1, pv1, &path1, &err), &err);
	must(delta_commit_add(c, b2, pv2, &path2, &err), &err);
	char first_path[512];
	snprintf(first_path, sizeof first_path, "%s", path1); /* path1 dies with the commit */
	assert_true(strncmp(path1, "region=a%2Fb%3Ac%25d%3De f/n=7/day=2024-01-02/"
			    "at=2024-01-02T03%3A04%3A05.000006Z/price=-1.50/ok=true/part-00000-", 98) == 0);
	assert_true(strncmp(path2, "region=__HIVE_DEFAULT_PARTITION__/n=-3/"
			    "day=__HIVE_DEFAULT_PARTITION__/", 70) == 0);
	char local[512];
	snprintf(local, sizeof local, "%s/%s", t.root, path1);
	assert_int_equal(access(local, R_OK), 0);
	lk_batch_free(b1);
	lk_batch_free(b2);
	must(delta_commit_finish(c, NULL, NULL, &err), &err);
	delta_writer_close(w);

	/* the log path is the directory percent-encoded once more */
	char *text = commit_text(&t, 1);
	assert_non_null(strstr(text, "\"path\":\"region=a%252Fb%253Ac%2525d%253De%20f/n=7/"));
	assert_non_null(strstr(text, "\"partitionValues\":{\"region\":null,\"n\":\"-3\","
				     "\"day\":null,\"at\":null,\"price\":null,\"ok\":\"false\"}"));
	free(text);

	struct delta_table *table;
	struct delta_snapshot *s = snapshot(&table, t.root, -1);
	assert_int_equal(s->n_files, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct delta_map *pv = &s->files[i].partition_values;
		bool first = strcmp(s->files[i].path, first_path) == 0;
		if (first)
			assert_string_equal(delta_map_get(pv, "region"), "a/b:c%d=e f");
		else
			assert_null(delta_map_get(pv, "region"));
		assert_true(delta_map_has(pv, "region"));
	}
	delta_snapshot_free(s);
	delta_table_free(table);

	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows,
		"{\"id\":1,\"region\":\"a/b:c%d=e f\",\"n\":7,\"day\":\"2024-01-02\","
		"\"at\":\"2024-01-02T03:04:05.000006Z\",\"price\":\"-1.50\",\"ok\":true}\n"
		"{\"id\":2,\"region\":\"a/b:c%d=e f\",\"n\":7,\"day\":\"2024-01-02\","
		"\"at\":\"2024-01-02T03:04:05.000006Z\",\"price\":\"-1.50\",\"ok\":true}\n"
		"{\"id\":3,\"region\":null,\"n\":-3,\"day\":null,\"at\":null,\"price\":null,"
		"\"ok\":false}\n");
	free(rows);
	tbl_cleanup(&t);
}

static void test_partition_values_are_checked_against_their_types(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_table_spec spec = {
		.schema_json = PART_SCHEMA, .partition_columns = PART_COLUMNS, .n_partition_columns = 6,
	};
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	struct delta_commit *c = delta_commit_begin(w, &err);
	const char *bad[] = { "x", "seven", NULL, NULL, NULL, NULL };
	int64_t ids[] = { 1 };
	struct lk_batch *b = ids_batch(ids, 1);
	assert_false(delta_commit_add(c, b, bad, NULL, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_non_null(strstr(err.message, "seven"));
	assert_false(delta_commit_add(c, b, NULL, NULL, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_non_null(strstr(err.message, "partition values are required"));
	lk_batch_free(b);
	delta_commit_abort(c);
	delta_writer_close(w);
	assert_int_equal(count_files(t.root, ".parquet"), 0);
	tbl_cleanup(&t);
}

static void test_partition_value_format_of_each_type(void **state)
{
	(void)state;
	struct lk_batch *b = batch_new(2, 7);
	int64_t longs[] = { -42, 0 }, ts[] = { 1000001, 0 }, dec[] = { -150, 5 };
	int32_t days[] = { 19724, 0 };
	double dbl[] = { 0.1, 0 };
	uint8_t nulls[] = { 0, 1 };
	const char *strs[] = { "a b", NULL };
	col_i64(b, 0, "l", LK_TYPE_INT64, longs, nulls);
	col_i64(b, 1, "t", LK_TYPE_TIMESTAMP, ts, NULL);
	col_i64(b, 2, "ntz", LK_TYPE_TIMESTAMP_NTZ, ts, NULL);
	col_dec(b, 3, "d", 5, 2, dec);
	col_i32(b, 4, "day", LK_TYPE_DATE, days, NULL);
	col_f64(b, 5, "x", dbl);
	col_str(b, 6, "s", strs);
	const char *expect[2][7] = {
		{ "-42", "1970-01-01T00:00:01.000001Z", "1970-01-01 00:00:01.000001", "-1.50",
		  "2024-01-02", "0.1", "a b" },
		{ NULL, "1970-01-01T00:00:00.000000Z", "1970-01-01 00:00:00.000000", "0.05",
		  "1970-01-01", "0", NULL },
	};
	for (size_t row = 0; row < 2; row++)
		for (size_t i = 0; i < 7; i++) {
			struct lk_buf out = LK_BUF_INIT;
			struct lk_error err = LK_ERROR_INIT;
			bool is_null;
			must(delta_partition_value_format(&b->columns[i], row, &out, &is_null, &err), &err);
			if (expect[row][i] == NULL)
				assert_true(is_null);
			else
				assert_string_equal(lk_buf_cstr(&out), expect[row][i]);
			lk_buf_free(&out);
		}
	struct lk_vector bin = { .type = LK_TYPE_BINARY, .length = 1 };
	struct lk_bytes one = { .ptr = (const uint8_t *)"x", .len = 1 };
	bin.v.bytes = &one;
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	bool is_null;
	assert_false(delta_partition_value_format(&bin, 0, &out, &is_null, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	lk_buf_free(&out);
	lk_batch_free(b);
}

/* ---- removes, cdc, rewrites ------------------------------------------------------------ */

static void test_remove_drops_the_file_and_records_a_tombstone(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, false);
	int64_t a[] = { 1 }, b[] = { 2 };
	const char *na[] = { "a" }, *nb[] = { "b" };
	char path_a[256];
	append(w, a, na, 1, path_a, sizeof path_a);
	append(w, b, nb, 1, NULL, 0);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(delta_commit_remove(c, path_a, &err), &err);
	assert_false(delta_commit_remove(c, path_a, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_false(delta_commit_remove(c, "nope.parquet", &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_non_null(strstr(err.message, "nope.parquet"));
	int64_t v;
	must(delta_commit_finish(c, "DELETE", &v, &err), &err);
	assert_int_equal(v, 3);
	delta_writer_close(w);

	char *text = commit_text(&t, 3);
	assert_non_null(strstr(text, "{\"remove\":{\"path\":\""));
	assert_non_null(strstr(text, "\"deletionTimestamp\":"));
	assert_non_null(strstr(text, "\"extendedFileMetadata\":true,\"dataChange\":true"));
	assert_non_null(strstr(text, "\"isBlindAppend\":false"));
	free(text);
	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":2,\"name\":\"b\"}\n");
	free(rows);
	rows = scan_rows(t.root, 2);
	assert_string_equal(rows, "{\"id\":1,\"name\":\"a\"}\n{\"id\":2,\"name\":\"b\"}\n");
	free(rows);
	tbl_cleanup(&t);
}

static void test_cdc_file_holds_change_type_but_not_partition_columns(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	const char *schema = "{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
		"{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"p\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}";
	const char *parts[] = { "p" };
	struct delta_table_spec spec = { .schema_json = schema, .partition_columns = parts,
					 .n_partition_columns = 1, .properties = CDF_ON,
					 .n_properties = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	/* v1: an insert of two rows in partition p=5 */
	int64_t ids[] = { 1, 2 };
	const char *names[] = { "a", "b" }, *p5[] = { "5" };
	struct delta_commit *c = delta_commit_begin(w, &err);
	struct lk_batch *b = id_name_batch(ids, names, 2);
	const char *added;
	must(delta_commit_add(c, b, p5, &added, &err), &err);
	char old_path[256];
	snprintf(old_path, sizeof old_path, "%s", added);
	lk_batch_free(b);
	must(delta_commit_finish(c, "WRITE", NULL, &err), &err);
	/* v2: UPDATE id 1 (a -> A), DELETE id 2, the way Databricks writes it */
	c = delta_commit_begin(w, &err);
	int64_t new_ids[] = { 1 }, ch_ids[] = { 1, 1, 2 };
	const char *new_names[] = { "A" }, *ch_names[] = { "a", "A", "b" };
	const char *types[] = { "update_preimage", "update_postimage", "delete" };
	struct lk_batch *rewritten = id_name_batch(new_ids, new_names, 1);
	struct lk_batch *changes = change_batch(ch_ids, ch_names, types, 3);
	must(delta_commit_rewrite(c, old_path, rewritten, changes, &err), &err);
	lk_batch_free(rewritten);
	lk_batch_free(changes);
	must(delta_commit_finish(c, "UPDATE", NULL, &err), &err);
	delta_writer_close(w);

	char *text = commit_text(&t, 2);
	assert_non_null(strstr(text, "{\"cdc\":{\"path\":\"_change_data/p=5/cdc-00000-"));
	assert_non_null(strstr(text, "\"partitionValues\":{\"p\":\"5\"},"));
	assert_non_null(strstr(text, "\"dataChange\":false}}"));
	free(text);
	/* the cdc file: data columns and _change_type, no p */
	char dir[256];
	snprintf(dir, sizeof dir, "%s/_change_data/p=5", t.root);
	DIR *d = opendir(dir);
	assert_non_null(d);
	struct dirent *e;
	char cdc_path[512] = "";
	while ((e = readdir(d)) != NULL)
		if (strncmp(e->d_name, "cdc-", 4) == 0)
			snprintf(cdc_path, sizeof cdc_path, "%s/%s", dir, e->d_name);
	closedir(d);
	struct pq_file *f = pq_file_open(cdc_path, &err);
	must(f != NULL, &err);
	const struct pq_schema_node *root = pq_file_schema(f);
	assert_int_equal(root->n_children, 3);
	assert_string_equal(root->children[0].name, "id");
	assert_string_equal(root->children[1].name, "name");
	assert_string_equal(root->children[2].name, "_change_type");
	assert_int_equal(pq_file_num_rows(f), 3);
	pq_file_close(f);

	char *rows = change_rows(t.root, 1, 2, &err);
	must(rows != NULL, &err);
	assert_string_equal(rows,
		"{\"id\":1,\"name\":\"A\",\"p\":5,\"_change_type\":\"update_postimage\","
		"\"_commit_version\":2}\n"
		"{\"id\":1,\"name\":\"a\",\"p\":5,\"_change_type\":\"insert\",\"_commit_version\":1}\n"
		"{\"id\":1,\"name\":\"a\",\"p\":5,\"_change_type\":\"update_preimage\","
		"\"_commit_version\":2}\n"
		"{\"id\":2,\"name\":\"b\",\"p\":5,\"_change_type\":\"delete\",\"_commit_version\":2}\n"
		"{\"id\":2,\"name\":\"b\",\"p\":5,\"_change_type\":\"insert\",\"_commit_version\":1}\n");
	free(rows);
	rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":1,\"name\":\"A\",\"p\":5}\n");
	free(rows);
	tbl_cleanup(&t);
}

static void test_rewrite_without_cdf_writes_no_cdc_file(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, false);
	int64_t ids[] = { 1, 2 };
	const char *names[] = { "a", "b" };
	char path[256];
	append(w, ids, names, 2, path, sizeof path);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	int64_t ch_ids[] = { 1, 2 };
	const char *ch_names[] = { "a", "b" }, *types[] = { "delete", "delete" };
	struct lk_batch *changes = change_batch(ch_ids, ch_names, types, 2);
	must(delta_commit_rewrite(c, path, NULL, changes, &err), &err);
	lk_batch_free(changes);
	/* an explicit cdc file is refused */
	changes = change_batch(ch_ids, ch_names, types, 2);
	assert_false(delta_commit_add_cdc(c, changes, NULL, &err));
	assert_int_equal(err.code, LK_ECDF_DISABLED);
	lk_batch_free(changes);
	must(delta_commit_finish(c, "DELETE", NULL, &err), &err);
	delta_writer_close(w);
	char *text = commit_text(&t, 2);
	assert_null(strstr(text, "\"cdc\""));
	assert_null(strstr(text, "\"add\""));
	assert_non_null(strstr(text, "\"remove\""));
	free(text);
	assert_int_equal(count_files(t.root, ".parquet"), 1); /* the removed file stays on disk */
	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "");
	free(rows);
	tbl_cleanup(&t);
}

static void test_cdc_rows_need_a_known_change_type(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, true);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	int64_t ids[] = { 1, 2 };
	const char *names[] = { "a", "b" }, *types[] = { "insert", "upsert" }, *nul[] = { "insert", NULL };
	struct lk_batch *b = change_batch(ids, names, types, 2);
	assert_false(delta_commit_add_cdc(c, b, NULL, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_non_null(strstr(err.message, "row 1"));
	lk_batch_free(b);
	b = change_batch(ids, names, nul, 2);
	assert_false(delta_commit_add_cdc(c, b, NULL, &err));
	lk_batch_free(b);
	b = id_name_batch(ids, names, 2);
	assert_false(delta_commit_add_cdc(c, b, NULL, &err)); /* no _change_type column */
	assert_non_null(strstr(err.message, "_change_type"));
	lk_batch_free(b);
	delta_commit_abort(c);
	delta_writer_close(w);
	assert_int_equal(count_files(t.root, ".parquet"), 0);
	tbl_cleanup(&t);
}

/* ---- schema and properties ------------------------------------------------------------- */

static void test_schema_evolution_adds_a_nullable_column(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, false);
	int64_t ids[] = { 1 };
	const char *names[] = { "a" };
	append(w, ids, names, 1, NULL, 0);
	const char *wider = "{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":false,\"metadata\":{}},"
		"{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"score\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}}]}";
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(delta_commit_set_schema(c, wider, &err), &err);
	struct lk_batch *b = batch_new(1, 3);
	int64_t ids2[] = { 2 };
	const char *names2[] = { "b" };
	double scores[] = { 0.5 };
	col_i64(b, 0, "id", LK_TYPE_INT64, ids2, NULL);
	col_str(b, 1, "name", names2);
	col_f64(b, 2, "score", scores);
	must(delta_commit_add(c, b, NULL, NULL, &err), &err);
	lk_batch_free(b);
	must(delta_commit_finish(c, "WRITE", NULL, &err), &err);
	assert_int_equal(delta_writer_schema(w)->n_fields, 3);
	/* dropping a column is not additive */
	c = delta_commit_begin(w, &err);
	assert_false(delta_commit_set_schema(c, ID_NAME_SCHEMA, &err));
	assert_int_equal(err.code, LK_ESCHEMA_CHANGE);
	delta_commit_abort(c);
	delta_writer_close(w);

	char *text = commit_text(&t, 2);
	assert_non_null(strstr(text, "\"metaData\""));
	free(text);
	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":1,\"name\":\"a\",\"score\":null}\n"
				  "{\"id\":2,\"name\":\"b\",\"score\":0.5}\n");
	free(rows);
	tbl_cleanup(&t);
}

static void test_cdf_switched_on_then_off(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, false);
	struct lk_error err = LK_ERROR_INIT;
	/* v1: switch CDF on: the protocol goes from (1,2) to (1,4) in the same commit */
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(delta_commit_set_property(c, "delta.enableChangeDataFeed", "true", &err), &err);
	must(delta_commit_finish(c, "SET TBLPROPERTIES", NULL, &err), &err);
	assert_true(delta_writer_cdf_enabled(w));
	char *text = commit_text(&t, 1);
	assert_non_null(strstr(text, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":4}}"));
	free(text);
	assert_protocol(t.root, 1, 4, NULL, NULL);
	/* v2: an insert; v3: CDF off; v4: another insert */
	int64_t a[] = { 1 }, b[] = { 2 };
	const char *na[] = { "a" }, *nb[] = { "b" };
	append(w, a, na, 1, NULL, 0);
	c = delta_commit_begin(w, &err);
	must(delta_commit_set_property(c, "delta.enableChangeDataFeed", "false", &err), &err);
	must(delta_commit_finish(c, "SET TBLPROPERTIES", NULL, &err), &err);
	assert_false(delta_writer_cdf_enabled(w));
	text = commit_text(&t, 3);
	assert_null(strstr(text, "\"protocol\"")); /* never downgraded */
	free(text);
	append(w, b, nb, 1, NULL, 0);
	delta_writer_close(w);

	char *rows = change_rows(t.root, 1, 2, &err);
	must(rows != NULL, &err);
	assert_string_equal(rows, "{\"id\":1,\"name\":\"a\",\"_change_type\":\"insert\","
				  "\"_commit_version\":2}\n");
	free(rows);
	assert_null(change_rows(t.root, 1, 4, &err));
	assert_int_equal(err.code, LK_ECDF_DISABLED);
	assert_null(change_rows(t.root, 0, 1, &err)); /* not recorded at version 0 */
	assert_int_equal(err.code, LK_ECDF_DISABLED);
	tbl_cleanup(&t);
}

static void test_append_only_table_refuses_removes(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_property props[] = { { .key = "delta.appendOnly", .value = "true" } };
	struct delta_table_spec spec = { .schema_json = ID_NAME_SCHEMA, .properties = props,
					 .n_properties = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	int64_t a[] = { 1 };
	const char *na[] = { "a" };
	char path[256];
	append(w, a, na, 1, path, sizeof path);
	struct delta_commit *c = delta_commit_begin(w, &err);
	assert_false(delta_commit_remove(c, path, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	assert_non_null(strstr(err.message, "append-only"));
	assert_false(delta_commit_set_property(c, "delta.enableDeletionVectors", "true", &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	delta_commit_abort(c);
	delta_writer_close(w);
	tbl_cleanup(&t);
}

static void test_txn_is_recorded_and_replaced(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, false);
	struct lk_error err = LK_ERROR_INIT;
	for (int64_t i = 1; i <= 2; i++) {
		struct delta_commit *c = delta_commit_begin(w, &err);
		delta_commit_set_txn(c, "demo-stream", 10 * i);
		must(delta_commit_finish(c, "STREAMING UPDATE", NULL, &err), &err);
	}
	delta_writer_close(w);
	struct delta_table *table;
	struct delta_snapshot *s = snapshot(&table, t.root, -1);
	assert_int_equal(s->n_txns, 1);
	assert_string_equal(s->txns[0].app_id, "demo-stream");
	assert_int_equal(s->txns[0].version, 20);
	delta_snapshot_free(s);
	delta_table_free(table);
	tbl_cleanup(&t);
}

/* ---- reopening, checkpoints ------------------------------------------------------------ */

static void test_open_continues_a_table(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, true);
	int64_t a[] = { 1 }, b[] = { 2 };
	const char *na[] = { "a" }, *nb[] = { "b" };
	char path_a[256];
	append(w, a, na, 1, path_a, sizeof path_a);
	delta_writer_close(w);

	struct lk_error err = LK_ERROR_INIT;
	w = delta_writer_open(t.root, &NO_FSYNC, &err);
	must(w != NULL, &err);
	assert_int_equal(delta_writer_version(w), 1);
	assert_true(delta_writer_cdf_enabled(w));
	size_t n;
	const struct delta_file *files = delta_writer_files(w, &n);
	assert_int_equal(n, 1);
	assert_string_equal(files[0].path, path_a);
	assert_int_equal(append(w, b, nb, 1, NULL, 0), 2);
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(delta_commit_remove(c, path_a, &err), &err);
	must(delta_commit_finish(c, "DELETE", NULL, &err), &err);
	delta_writer_close(w);
	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":2,\"name\":\"b\"}\n");
	free(rows);

	char missing[128];
	snprintf(missing, sizeof missing, "%s/none", t.dir);
	assert_null(delta_writer_open(missing, NULL, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	tbl_cleanup(&t);
}

static void test_open_refuses_unknown_writer_features(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	char log[128], path[160];
	snprintf(log, sizeof log, "%s", t.root);
	mkdir(log, 0777);
	snprintf(log, sizeof log, "%s/_delta_log", t.root);
	mkdir(log, 0777);
	snprintf(path, sizeof path, "%s/00000000000000000000.json", log);
	FILE *f = fopen(path, "w");
	fprintf(f, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,"
		   "\"writerFeatures\":[\"rowTracking\",\"domainMetadata\"]}}\n"
		   "{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
		   "\"schemaString\":\"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":"
		   "\\\"id\\\",\\\"type\\\":\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}\","
		   "\"partitionColumns\":[],\"configuration\":{}}}\n");
	fclose(f);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_writer_open(t.root, NULL, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	assert_non_null(strstr(err.message, "rowTracking"));
	tbl_cleanup(&t);
}

/* The checkpoint's rows read with the Parquet reader, rendered one JSON object per row. */
static char *checkpoint_rows(const struct tbl *t, int64_t version)
{
	char path[256];
	snprintf(path, sizeof path, "%s/_delta_log/%020lld.checkpoint.parquet", t->root,
		 (long long)version);
	struct lk_error err = LK_ERROR_INIT;
	struct pq_file *f = pq_file_open(path, &err);
	must(f != NULL, &err);
	struct pq_reader *r = pq_reader_open(f, NULL, 0, &err);
	must(r != NULL, &err);
	struct lk_buf out = LK_BUF_INIT;
	for (;;) {
		struct lk_batch *b;
		must(pq_reader_next(r, &b, &err), &err);
		if (b == NULL)
			break;
		for (size_t row = 0; row < b->n_rows; row++) {
			/* only the non-null column of each row */
			lk_buf_append_byte(&out, '{');
			for (size_t c = 0; c < b->n_columns; c++)
				if (!lk_vector_is_null(&b->columns[c], row)) {
					lk_buf_printf(&out, "\"%s\":", b->columns[c].name);
					lk_render_json_value(&b->columns[c], row, &out);
				}
			lk_buf_append_str(&out, "}\n");
		}
		lk_batch_free(b);
	}
	pq_reader_close(r);
	pq_file_close(f);
	return lk_buf_detach(&out);
}

static void assert_same_files(const struct delta_snapshot *a, const struct delta_snapshot *b)
{
	assert_int_equal(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_files; i++) {
		assert_string_equal(a->files[i].path, b->files[i].path);
		assert_int_equal(a->files[i].size, b->files[i].size);
		assert_string_equal(a->files[i].stats, b->files[i].stats);
		assert_int_equal(a->files[i].partition_values.n, b->files[i].partition_values.n);
	}
	assert_string_equal(a->metadata.schema_string, b->metadata.schema_string);
	assert_int_equal(a->protocol.min_writer_version, b->protocol.min_writer_version);
}

static int line_count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

static void test_checkpoint_then_more_commits(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	const char *schema = "{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"p\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}";
	const char *parts[] = { "p" };
	struct delta_table_spec spec = { .schema_json = schema, .partition_columns = parts,
					 .n_partition_columns = 1, .properties = CDF_ON,
					 .n_properties = 1 };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &NO_FSYNC, &err);
	must(w != NULL, &err);
	const char *pvs[][1] = { { "x" }, { NULL }, { "y:1" } };
	char first[256] = "";
	for (int i = 0; i < 3; i++) {
		struct delta_commit *c = delta_commit_begin(w, &err);
		int64_t ids[] = { i };
		struct lk_batch *b = ids_batch(ids, 1);
		const char *path;
		must(delta_commit_add(c, b, pvs[i], &path, &err), &err);
		if (i == 0)
			snprintf(first, sizeof first, "%s", path);
		lk_batch_free(b);
		delta_commit_set_txn(c, "app", i);
		must(delta_commit_finish(c, "WRITE", NULL, &err), &err);
	}
	struct delta_commit *c = delta_commit_begin(w, &err);
	must(delta_commit_remove(c, first, &err), &err);
	must(delta_commit_finish(c, "DELETE", NULL, &err), &err);
	must(delta_writer_checkpoint(w, &err), &err); /* version 4 */

	char lc_path[256];
	snprintf(lc_path, sizeof lc_path, "%s/_delta_log/_last_checkpoint", t.root);
	char *lc = read_text(lc_path);
	assert_non_null(lc);
	cJSON *j = cJSON_Parse(lc);
	assert_int_equal(cJSON_GetObjectItem(j, "version")->valuedouble, 4);
	/* protocol, metaData, 1 txn, 2 adds, 1 remove */
	assert_int_equal(cJSON_GetObjectItem(j, "size")->valuedouble, 6);
	assert_int_equal(cJSON_GetObjectItem(j, "numOfAddFiles")->valuedouble, 2);
	cJSON_Delete(j);
	free(lc);

	char *rows = checkpoint_rows(&t, 4);
	assert_int_equal(line_count(rows, "\n"), 6);
	assert_non_null(strstr(rows, "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":4,"
				     "\"readerFeatures\":null,\"writerFeatures\":null}}\n"));
	assert_non_null(strstr(rows, "\"partitionColumns\":[\"p\"],"
				     "\"configuration\":{\"delta.enableChangeDataFeed\":\"true\"}"));
	assert_non_null(strstr(rows, "{\"txn\":{\"appId\":\"app\",\"version\":2,"));
	assert_non_null(strstr(rows, "\"partitionValues\":{\"p\":null},"));
	assert_non_null(strstr(rows, "\"partitionValues\":{\"p\":\"y:1\"},"));
	assert_non_null(strstr(rows, "{\"add\":{\"path\":\"p=y%253A1/part-00000-")); /* encoded */
	assert_non_null(strstr(rows, "\"dataChange\":false,\"stats\":\"{\\\"numRecords\\\":1,"));
	assert_non_null(strstr(rows, "{\"remove\":{\"path\":\"p=x/part-00000-"));
	assert_int_equal(line_count(rows, "{\"add\":"), 2);
	free(rows);

	/* more commits after the checkpoint */
	int64_t ids[] = { 9 };
	struct lk_batch *b = ids_batch(ids, 1);
	c = delta_commit_begin(w, &err);
	const char *pz[] = { "z" };
	must(delta_commit_add(c, b, pz, NULL, &err), &err);
	lk_batch_free(b);
	must(delta_commit_finish(c, "WRITE", NULL, &err), &err);
	delta_writer_close(w);

	/* the same state with the checkpoint (if the reader uses it) and without */
	struct delta_table *t1, *t2;
	struct delta_snapshot *with = snapshot(&t1, t.root, -1);
	char cp_path[256], hidden[256];
	snprintf(cp_path, sizeof cp_path, "%s/_delta_log/%020d.checkpoint.parquet", t.root, 4);
	snprintf(hidden, sizeof hidden, "%s/hidden.parquet", t.dir);
	assert_int_equal(rename(cp_path, hidden), 0);
	unlink(lc_path);
	struct delta_snapshot *without = snapshot(&t2, t.root, -1);
	assert_int_equal(without->checkpoint_version, -1);
	assert_int_equal(with->version, 5);
	assert_same_files(with, without);
	assert_int_equal(with->n_files, 3);
	assert_int_equal(with->n_txns, 1);
	delta_snapshot_free(with);
	delta_snapshot_free(without);
	delta_table_free(t1);
	delta_table_free(t2);
	assert_int_equal(rename(hidden, cp_path), 0);

	/* reopening after the checkpoint keeps the tombstone for the next one */
	w = delta_writer_open(t.root, &NO_FSYNC, &err);
	must(w != NULL, &err);
	must(delta_writer_checkpoint(w, &err), &err);
	delta_writer_close(w);
	rows = checkpoint_rows(&t, 5);
	assert_int_equal(line_count(rows, "{\"remove\":"), 1);
	assert_int_equal(line_count(rows, "{\"add\":"), 3);
	free(rows);
	rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":1,\"p\":null}\n{\"id\":2,\"p\":\"y:1\"}\n"
				  "{\"id\":9,\"p\":\"z\"}\n");
	free(rows);
	tbl_cleanup(&t);
}

static void test_checkpoint_every_n_commits(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_table_spec spec = { .schema_json = ID_NAME_SCHEMA };
	struct delta_writer_options opts = { .no_fsync = true, .checkpoint_interval = 3 };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(t.root, &spec, &opts, &err);
	must(w != NULL, &err);
	for (int64_t i = 1; i <= 7; i++) {
		const char *names[] = { "n" };
		append(w, &i, names, 1, NULL, 0);
		assert_null(delta_writer_checkpoint_error(w));
	}
	delta_writer_close(w);
	char path[256];
	for (int v = 1; v <= 7; v++) {
		snprintf(path, sizeof path, "%s/_delta_log/%020d.checkpoint.parquet", t.root, v);
		assert_int_equal(access(path, R_OK) == 0, v % 3 == 0);
	}
	char *rows = checkpoint_rows(&t, 6);
	assert_int_equal(line_count(rows, "{\"add\":"), 6);
	free(rows);
	snprintf(path, sizeof path, "%s/_delta_log/_last_checkpoint", t.root);
	char *lc = read_text(path);
	assert_true(strncmp(lc, "{\"version\":6,\"size\":8,", 22) == 0);
	free(lc);
	rows = scan_rows(t.root, -1);
	assert_int_equal(line_count(rows, "\n"), 7);
	free(rows);
	tbl_cleanup(&t);
}

/* ---- the exclusive commit, abort, errors ------------------------------------------------ */

static void test_second_writer_of_a_version_gets_eexists(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	delta_writer_close(create_id_name(&t, false));
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w1 = delta_writer_open(t.root, &NO_FSYNC, &err);
	struct delta_writer *w2 = delta_writer_open(t.root, &NO_FSYNC, &err);
	must(w1 && w2, &err);
	int64_t a[] = { 1 }, b[] = { 2 };
	const char *na[] = { "a" }, *nb[] = { "b" };
	struct delta_commit *c1 = delta_commit_begin(w1, &err);
	struct delta_commit *c2 = delta_commit_begin(w2, &err);
	struct lk_batch *b1 = id_name_batch(a, na, 1), *b2 = id_name_batch(b, nb, 1);
	must(delta_commit_add(c1, b1, NULL, NULL, &err), &err);
	must(delta_commit_add(c2, b2, NULL, NULL, &err), &err);
	lk_batch_free(b1);
	lk_batch_free(b2);
	assert_int_equal(count_files(t.root, ".parquet"), 2);
	must(delta_commit_finish(c1, "WRITE", NULL, &err), &err);
	assert_false(delta_commit_finish(c2, "WRITE", NULL, &err));
	assert_int_equal(err.code, LK_EEXISTS);
	assert_non_null(strstr(err.message, "version 1"));
	assert_non_null(strstr(err.message, t.root));
	assert_int_equal(delta_writer_version(w2), 0); /* state unchanged */
	assert_int_equal(count_files(t.root, ".parquet"), 1); /* the loser's file is gone */
	assert_int_equal(count_files(t.root, ".tmp"), 0);
	delta_writer_close(w1);
	delta_writer_close(w2);
	char *rows = scan_rows(t.root, -1);
	assert_string_equal(rows, "{\"id\":1,\"name\":\"a\"}\n");
	free(rows);
	tbl_cleanup(&t);
}

enum { RACERS = 8 };

struct racer {
	const char *root;
	pthread_barrier_t *barrier;
	int64_t id;
	bool won;
	enum lk_errcode code;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_open(r->root, &NO_FSYNC, &err);
	struct delta_commit *c = w ? delta_commit_begin(w, &err) : NULL;
	const char *names[] = { "racer" };
	struct lk_batch *b = id_name_batch(&r->id, names, 1);
	bool ok = c && delta_commit_add(c, b, NULL, NULL, &err);
	lk_batch_free(b);
	pthread_barrier_wait(r->barrier);
	if (ok) {
		r->won = delta_commit_finish(c, "WRITE", NULL, &err);
		r->code = err.code;
	} else {
		delta_commit_abort(c);
		r->code = err.code;
	}
	delta_writer_close(w);
	return NULL;
}

static void test_racing_writers_exactly_one_wins(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	delta_writer_close(create_id_name(&t, false));
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, RACERS);
	struct racer racers[RACERS];
	pthread_t threads[RACERS];
	for (int i = 0; i < RACERS; i++) {
		racers[i] = (struct racer){ .root = t.root, .barrier = &barrier, .id = i };
		pthread_create(&threads[i], NULL, race, &racers[i]);
	}
	int winners = 0;
	for (int i = 0; i < RACERS; i++) {
		pthread_join(threads[i], NULL);
		if (racers[i].won)
			winners++;
		else
			assert_int_equal(racers[i].code, LK_EEXISTS);
	}
	pthread_barrier_destroy(&barrier);
	assert_int_equal(winners, 1);
	assert_int_equal(count_files(t.root, ".parquet"), 1);
	assert_int_equal(count_files(t.root, ".json"), 2);
	char *rows = scan_rows(t.root, -1);
	assert_int_equal(line_count(rows, "\n"), 1);
	free(rows);
	tbl_cleanup(&t);
}

static void test_abort_leaves_nothing_behind(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, true);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	int64_t ids[] = { 1 };
	const char *names[] = { "a" }, *types[] = { "insert" };
	struct lk_batch *b = id_name_batch(ids, names, 1);
	struct lk_batch *ch = change_batch(ids, names, types, 1);
	must(delta_commit_add(c, b, NULL, NULL, &err), &err);
	must(delta_commit_add_cdc(c, ch, NULL, &err), &err);
	lk_batch_free(b);
	lk_batch_free(ch);
	assert_int_equal(count_files(t.root, ".parquet"), 2);
	/* a second open commit is refused */
	assert_null(delta_commit_begin(w, &err));
	assert_int_equal(err.code, LK_EINVAL);
	delta_commit_abort(c);
	assert_int_equal(count_files(t.root, ".parquet"), 0);
	assert_int_equal(count_files(t.root, ".json"), 1);
	assert_int_equal(delta_writer_version(w), 0);
	/* the writer goes on */
	int64_t more[] = { 2 };
	assert_int_equal(append(w, more, names, 1, NULL, 0), 1);
	/* closing a writer with an open commit aborts it too */
	c = delta_commit_begin(w, &err);
	b = id_name_batch(ids, names, 1);
	must(delta_commit_add(c, b, NULL, NULL, &err), &err);
	lk_batch_free(b);
	delta_writer_close(w);
	assert_int_equal(count_files(t.root, ".parquet"), 1);
	tbl_cleanup(&t);
}

static void test_batches_must_match_the_table(void **state)
{
	(void)state;
	struct tbl t;
	tbl_init(&t);
	struct delta_writer *w = create_id_name(&t, false);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	int64_t ids[] = { 1, 2 };
	struct lk_batch *b = ids_batch(ids, 2);
	assert_false(delta_commit_add(c, b, NULL, NULL, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_non_null(strstr(err.message, "has 1 columns"));
	lk_batch_free(b);
	const char *names[] = { "a", "b" };
	b = batch_new(2, 2);
	col_str(b, 0, "name", names);
	col_i64(b, 1, "id", LK_TYPE_INT64, ids, NULL);
	assert_false(delta_commit_add(c, b, NULL, NULL, &err));
	assert_non_null(strstr(err.message, "batch column 0 is name"));
	lk_batch_free(b);
	/* the type is checked by the Parquet writer */
	b = batch_new(2, 2);
	col_str(b, 0, "id", names);
	col_str(b, 1, "name", names);
	assert_false(delta_commit_add(c, b, NULL, NULL, &err));
	assert_non_null(strstr(err.message, t.root));
	lk_batch_free(b);
	/* a null in a non-nullable column */
	uint8_t nulls[] = { 0, 1 };
	b = batch_new(2, 2);
	col_i64(b, 0, "id", LK_TYPE_INT64, ids, nulls);
	col_str(b, 1, "name", names);
	assert_false(delta_commit_add(c, b, NULL, NULL, &err));
	lk_batch_free(b);
	/* a selection */
	b = id_name_batch(ids, names, 2);
	uint32_t sel[] = { 1 };
	b->selection = sel;
	b->n_selected = 1;
	assert_false(delta_commit_add(c, b, NULL, NULL, &err));
	assert_non_null(strstr(err.message, "selection"));
	b->selection = NULL;
	lk_batch_free(b);
	/* an empty batch writes nothing */
	b = batch_new(0, 2);
	must(delta_commit_add(c, b, NULL, NULL, &err), &err);
	lk_batch_free(b);
	assert_int_equal(count_files(t.root, ".parquet"), 0);
	must(delta_commit_finish(c, "WRITE", NULL, &err), &err);
	assert_int_equal(count_files(t.root, ".tmp"), 0);
	delta_writer_close(w);
	tbl_cleanup(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_writes_protocol_metadata_and_commit_info),
		cmocka_unit_test(test_create_with_cdf_declares_1_4),
		cmocka_unit_test(test_create_with_timestamp_ntz_declares_3_7_with_features),
		cmocka_unit_test(test_create_refuses_an_existing_table),
		cmocka_unit_test(test_create_refuses_what_it_cannot_honour),
		cmocka_unit_test(test_appends_are_read_back_row_for_row),
		cmocka_unit_test(test_stats_have_counts_bounds_and_truncated_strings),
		cmocka_unit_test(test_nested_columns_round_trip_with_struct_stats_only),
		cmocka_unit_test(test_partitioned_table_values_escaping_and_nulls),
		cmocka_unit_test(test_partition_values_are_checked_against_their_types),
		cmocka_unit_test(test_partition_value_format_of_each_type),
		cmocka_unit_test(test_remove_drops_the_file_and_records_a_tombstone),
		cmocka_unit_test(test_cdc_file_holds_change_type_but_not_partition_columns),
		cmocka_unit_test(test_rewrite_without_cdf_writes_no_cdc_file),
		cmocka_unit_test(test_cdc_rows_need_a_known_change_type),
		cmocka_unit_test(test_schema_evolution_adds_a_nullable_column),
		cmocka_unit_test(test_cdf_switched_on_then_off),
		cmocka_unit_test(test_append_only_table_refuses_removes),
		cmocka_unit_test(test_txn_is_recorded_and_replaced),
		cmocka_unit_test(test_open_continues_a_table),
		cmocka_unit_test(test_open_refuses_unknown_writer_features),
		cmocka_unit_test(test_checkpoint_then_more_commits),
		cmocka_unit_test(test_checkpoint_every_n_commits),
		cmocka_unit_test(test_second_writer_of_a_version_gets_eexists),
		cmocka_unit_test(test_racing_writers_exactly_one_wins),
		cmocka_unit_test(test_abort_leaves_nothing_behind),
		cmocka_unit_test(test_batches_must_match_the_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
