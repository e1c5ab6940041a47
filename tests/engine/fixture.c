/* tests/engine/fixture.c: writes the Delta tables the engine tests replay version by
 * version, with the project's Delta writer (src/delta/writer.h):
 *   fixture kitchen DIR     versions 0..7 over every kind of change: 0 creates the table;
 *                           1 writes ids 1..2000 and three rows without an id; 2 renames ids
 *                           1..100 and deletes 101..150 (a rewrite + cdc, as Databricks
 *                           writes a MERGE); 3 appends 2001..2100; 4 adds a column `extra`
 *                           and appends 2101..2200; 5 deletes the multiples of 7 and renames
 *                           the other multiples of 5 among 1001..2000 (a checkpoint follows);
 *                           6 appends 3001..3050; 7 deletes 2001..2100 (a file emptied)
 *   fixture nul DIR         version 1 holds a NUL byte in a string (id 5) and in a list
 *                           element (id 7)
 *   fixture retype DIR      version 2 changes column v from integer to string (not additive),
 *                           rewriting the data as an overwrite would
 *   fixture timeseries DIR  duplicate keys told apart by a timestamp (version 1); version 2
 *                           brings rows older and newer than the ones loaded
 *   fixture cdfoff DIR      ids 1..100 (version 1); version 2 switches the Change Data Feed
 *                           off; version 3 deletes ids 1..10 (no change data recorded)
 * Values are derived from the id (name-<id>, amount id.xx, ...), so a test can state what
 * it expects. Exit 0 on success; a message and exit 1 otherwise. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta/writer.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static void die(const char *what, const struct lk_error *err)
{
	fprintf(stderr, "fixture: %s: %s\n", what, err ? err->message : "");
	exit(1);
}

/* ---- batches ------------------------------------------------------------------------- */

/* One row of the kitchen table. id < 0 means a null id. */
struct row {
	int64_t id;
	const char *name;      /* NULL: "name-<id>" */
	int tags_kind;         /* 0 normal, 1 empty list, 2 null list */
	const char *extra;     /* the column added at version 3; NULL = null */
	const char *change;    /* _change_type, for change batches */
};

static const char KITCHEN_V0[] =
	"{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"name\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"amount\",\"type\":\"decimal(12,2)\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"day\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"ts\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"elementType\":\"string\",\"containsNull\":true},"
	"\"nullable\":true,\"metadata\":{}}";

static char *kitchen_schema(bool with_extra)
{
	return xasprintf("%s%s]}", KITCHEN_V0,
			 with_extra ? ",{\"name\":\"extra\",\"type\":\"string\",\"nullable\":true,"
				      "\"metadata\":{}}"
				    : "");
}

static void *alloc(struct lk_batch *b, size_t n, size_t size)
{
	return lk_batch_alloc(b, (n ? n : 1) * size);
}

static void col_init(struct lk_vector *v, const char *name, enum lk_type_id type, size_t n,
		     struct lk_batch *b)
{
	v->name = xstrdup(name);
	v->type = type;
	v->length = n;
	v->nulls = alloc(b, n, 1);
}

static void set_string(struct lk_batch *b, struct lk_vector *v, size_t i, const char *s, size_t len)
{
	v->v.bytes[i] = (struct lk_bytes){ .ptr = lk_batch_copy_bytes(b, s, len),
					   .len = (uint32_t)len };
}

/* rows -> a batch of the kitchen schema (with `extra` when with_extra, and `_change_type`
 * when with_change). */
static struct lk_batch *kitchen_batch(const struct row *rows, size_t n, bool with_extra,
				      bool with_change)
{
	size_t n_cols = 6 + with_extra + with_change;
	struct lk_batch *b = lk_batch_new(n_cols);
	b->n_rows = n;
	struct lk_vector *id = &b->columns[0], *name = &b->columns[1], *amount = &b->columns[2],
			 *day = &b->columns[3], *ts = &b->columns[4], *tags = &b->columns[5];
	col_init(id, "id", LK_TYPE_INT64, n, b);
	col_init(name, "name", LK_TYPE_STRING, n, b);
	col_init(amount, "amount", LK_TYPE_DECIMAL, n, b);
	amount->precision = 12, amount->scale = 2;
	col_init(day, "day", LK_TYPE_DATE, n, b);
	col_init(ts, "ts", LK_TYPE_TIMESTAMP, n, b);
	col_init(tags, "tags", LK_TYPE_LIST, n, b);
	id->v.i64 = alloc(b, n, 8);
	name->v.bytes = alloc(b, n, sizeof(struct lk_bytes));
	amount->v.i64 = alloc(b, n, 8);
	day->v.i32 = alloc(b, n, 4);
	ts->v.i64 = alloc(b, n, 8);
	tags->offsets = alloc(b, n + 1, 4);
	lk_vector_init_children(tags, 1);
	struct lk_vector *el = &tags->children[0];
	col_init(el, "element", LK_TYPE_STRING, 2 * n, b);
	el->v.bytes = alloc(b, 2 * n, sizeof(struct lk_bytes));
	struct lk_vector *extra = with_extra ? &b->columns[6] : NULL;
	struct lk_vector *change = with_change ? &b->columns[n_cols - 1] : NULL;
	if (extra) {
		col_init(extra, "extra", LK_TYPE_STRING, n, b);
		extra->v.bytes = alloc(b, n, sizeof(struct lk_bytes));
	}
	if (change) {
		col_init(change, "_change_type", LK_TYPE_STRING, n, b);
		change->v.bytes = alloc(b, n, sizeof(struct lk_bytes));
	}
	uint32_t elements = 0;
	for (size_t i = 0; i < n; i++) {
		const struct row *r = &rows[i];
		int64_t k = r->id < 0 ? 1000000 + (int64_t)i : r->id;
		id->nulls[i] = r->id < 0;
		id->v.i64[i] = r->id;
		char text[64];
		if (r->name)
			set_string(b, name, i, r->name, strlen(r->name));
		else
			set_string(b, name, i, text, (size_t)snprintf(text, sizeof text, "name-%lld",
								       (long long)k));
		amount->v.i64[i] = k * 100 + k % 100;
		amount->nulls[i] = k % 13 == 0;
		day->v.i32[i] = (int32_t)(19000 + k % 365);
		ts->v.i64[i] = INT64_C(1700000000000000) + k * 1000001;
		tags->offsets[i] = elements;
		tags->nulls[i] = r->tags_kind == 2;
		if (r->tags_kind == 0) {
			set_string(b, el, elements, text, (size_t)snprintf(text, sizeof text, "t%lld",
									    (long long)(k % 3)));
			el->nulls[elements + 1] = k % 4 == 0; /* a null element now and then */
			set_string(b, el, elements + 1, "x", 1);
			elements += 2;
		}
		if (extra) {
			extra->nulls[i] = r->extra == NULL;
			if (r->extra)
				set_string(b, extra, i, r->extra, strlen(r->extra));
		}
		if (change)
			set_string(b, change, i, r->change, strlen(r->change));
	}
	tags->offsets[n] = elements;
	el->length = elements;
	return b;
}

/* Rows first..last, tags varying with the id. */
static struct row *rows_range(int64_t first, int64_t last, size_t *n)
{
	*n = (size_t)(last - first + 1);
	struct row *rows = xcalloc(*n, sizeof *rows);
	for (int64_t id = first; id <= last; id++)
		rows[id - first] = (struct row){ .id = id, .tags_kind = id % 5 == 0    ? 1
									: id % 11 == 0 ? 2
										       : 0 };
	return rows;
}

/* ---- writing ---------------------------------------------------------------------------- */

static struct delta_writer *create(const char *dir, const char *schema, int64_t checkpoint_every)
{
	struct delta_property cdf = { .key = "delta.enableChangeDataFeed", .value = "true" };
	struct delta_table_spec spec = { .schema_json = schema, .properties = &cdf, .n_properties = 1 };
	struct delta_writer_options opts = { .no_fsync = true, .checkpoint_interval = checkpoint_every };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_writer *w = delta_writer_create(dir, &spec, &opts, &err);
	if (w == NULL)
		die("create", &err);
	return w;
}

static const char *add(struct delta_commit *c, struct lk_batch *b)
{
	struct lk_error err = LK_ERROR_INIT;
	const char *path;
	if (!delta_commit_add(c, b, NULL, &path, &err))
		die("add", &err);
	lk_batch_free(b);
	return path;
}

static void finish(struct delta_commit *c, const char *operation)
{
	struct lk_error err = LK_ERROR_INIT;
	int64_t version;
	if (!delta_commit_finish(c, operation, &version, &err))
		die(operation, &err);
}

static struct delta_commit *begin(struct delta_writer *w)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_commit *c = delta_commit_begin(w, &err);
	if (c == NULL)
		die("begin", &err);
	return c;
}

static void rewrite(struct delta_commit *c, const char *path, struct lk_batch *after,
		    struct lk_batch *changes)
{
	struct lk_error err = LK_ERROR_INIT;
	if (!delta_commit_rewrite(c, path, after, changes, &err))
		die("rewrite", &err);
	lk_batch_free(after);
	lk_batch_free(changes);
}

/* ---- the kitchen table ------------------------------------------------------------------- */

static void fixture_kitchen(const char *dir)
{
	char *v0_schema = kitchen_schema(false);
	struct delta_writer *w = create(dir, v0_schema, 5);
	free(v0_schema);
	size_t n;

	/* version 1: file A ids 1..1000 and three rows without an id; file B ids 1001..2000 */
	struct delta_commit *c = begin(w);
	struct row *a = rows_range(1, 1003, &n);
	for (size_t i = 1000; i < 1003; i++)
		a[i].id = -1;
	char *path_a = xstrdup(add(c, kitchen_batch(a, n, false, false)));
	struct row *bb = rows_range(1001, 2000, &n);
	char *path_b = xstrdup(add(c, kitchen_batch(bb, n, false, false)));
	finish(c, "WRITE");

	/* version 2: in A, ids 1..100 renamed, 101..150 deleted */
	struct row *after = xcalloc(1003, sizeof *after), *changes = xcalloc(300, sizeof *changes);
	size_t n_after = 0, n_changes = 0;
	char names[100][24];
	for (size_t i = 0; i < 1003; i++) {
		struct row r = a[i];
		if (r.id >= 1 && r.id <= 100) {
			changes[n_changes] = r, changes[n_changes++].change = "update_preimage";
			snprintf(names[r.id - 1], sizeof names[0], "name-%lld-v1", (long long)r.id);
			r.name = names[r.id - 1];
			changes[n_changes] = r, changes[n_changes++].change = "update_postimage";
		} else if (r.id >= 101 && r.id <= 150) {
			changes[n_changes] = r, changes[n_changes++].change = "delete";
			continue;
		}
		after[n_after++] = r;
	}
	c = begin(w);
	rewrite(c, path_a, kitchen_batch(after, n_after, false, false),
		kitchen_batch(changes, n_changes, false, true));
	finish(c, "MERGE");

	/* version 3: append C ids 2001..2100 */
	c = begin(w);
	struct row *cc = rows_range(2001, 2100, &n);
	char *path_c = xstrdup(add(c, kitchen_batch(cc, n, false, false)));
	finish(c, "WRITE");

	/* version 4: a new column `extra`; append D ids 2101..2200 with it */
	c = begin(w);
	char *v3_schema = kitchen_schema(true);
	struct lk_error err = LK_ERROR_INIT;
	if (!delta_commit_set_schema(c, v3_schema, &err))
		die("set_schema", &err);
	free(v3_schema);
	struct row *d = rows_range(2101, 2200, &n);
	char extras[100][16];
	for (size_t i = 0; i < n; i++) {
		snprintf(extras[i], sizeof extras[0], "e%lld", (long long)d[i].id);
		d[i].extra = extras[i];
	}
	add(c, kitchen_batch(d, n, true, false));
	finish(c, "WRITE");

	/* version 5: in B, ids divisible by 7 deleted, by 5 (not 7) renamed */
	struct row *after_b = xcalloc(1000, sizeof *after_b), *changes_b = xcalloc(1400, sizeof *changes_b);
	size_t n_after_b = 0, n_changes_b = 0;
	static char names_b[1000][24];
	for (size_t i = 0; i < 1000; i++) {
		struct row r = bb[i];
		if (r.id % 7 == 0) {
			changes_b[n_changes_b] = r, changes_b[n_changes_b++].change = "delete";
			continue;
		}
		if (r.id % 5 == 0) {
			changes_b[n_changes_b] = r, changes_b[n_changes_b++].change = "update_preimage";
			snprintf(names_b[i], sizeof names_b[0], "name-%lld-v4", (long long)r.id);
			r.name = names_b[i];
			changes_b[n_changes_b] = r, changes_b[n_changes_b++].change = "update_postimage";
		}
		after_b[n_after_b++] = r;
	}
	c = begin(w);
	rewrite(c, path_b, kitchen_batch(after_b, n_after_b, true, false),
		kitchen_batch(changes_b, n_changes_b, true, true));
	finish(c, "UPDATE");

	/* version 6: append E ids 3001..3050 (checkpoint_interval 5 wrote one after version 5) */
	c = begin(w);
	struct row *e = rows_range(3001, 3050, &n);
	add(c, kitchen_batch(e, n, true, false));
	finish(c, "WRITE");
	if (delta_writer_checkpoint_error(w))
		die("checkpoint", delta_writer_checkpoint_error(w));

	/* version 7: every row of C deleted */
	struct row *gone = rows_range(2001, 2100, &n);
	for (size_t i = 0; i < n; i++)
		gone[i].change = "delete";
	c = begin(w);
	rewrite(c, path_c, NULL, kitchen_batch(gone, n, true, true));
	finish(c, "DELETE");

	free(gone), free(e), free(d), free(cc), free(bb), free(a);
	free(after), free(changes), free(after_b), free(changes_b);
	free(path_a), free(path_b), free(path_c);
	delta_writer_close(w);
}

/* ---- small scenarios ----------------------------------------------------------------------- */

static void fixture_nul(const char *dir)
{
	char *schema = kitchen_schema(false);
	struct delta_writer *w = create(dir, schema, 0);
	free(schema);
	size_t n;
	struct row *rows = rows_range(1, 10, &n);
	rows[4].name = "bad\0name"; /* strlen stops at the NUL: fixed below */
	struct lk_batch *b = kitchen_batch(rows, n, false, false);
	b->columns[1].v.bytes[4] = (struct lk_bytes){ .ptr = lk_batch_copy_bytes(b, "bad\0name", 8),
						      .len = 8 };
	struct lk_vector *el = &b->columns[5].children[0];
	size_t first = b->columns[5].offsets[6]; /* id 7's first element */
	el->v.bytes[first] = (struct lk_bytes){ .ptr = lk_batch_copy_bytes(b, "t\0x", 3), .len = 3 };
	el->nulls[first] = 0;
	struct delta_commit *c = begin(w);
	add(c, b);
	finish(c, "WRITE");
	free(rows);
	delta_writer_close(w);
}

/* id 1..10 with v as integers (v = 10 * id) or as strings ("v<id>"). */
static struct lk_batch *retype_batch(bool as_string)
{
	struct lk_batch *b = lk_batch_new(2);
	b->n_rows = 10;
	col_init(&b->columns[0], "id", LK_TYPE_INT64, 10, b);
	col_init(&b->columns[1], "v", as_string ? LK_TYPE_STRING : LK_TYPE_INT32, 10, b);
	b->columns[0].v.i64 = alloc(b, 10, 8);
	if (as_string)
		b->columns[1].v.bytes = alloc(b, 10, sizeof(struct lk_bytes));
	else
		b->columns[1].v.i32 = alloc(b, 10, 4);
	for (int i = 0; i < 10; i++) {
		b->columns[0].v.i64[i] = i + 1;
		char text[16];
		if (as_string)
			set_string(b, &b->columns[1], (size_t)i, text,
				   (size_t)snprintf(text, sizeof text, "v%d", i + 1));
		else
			b->columns[1].v.i32[i] = (i + 1) * 10;
	}
	return b;
}

static void fixture_retype(const char *dir)
{
	static const char v1_schema[] =
		"{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"v\",\"type\":\"integer\",\"nullable\":true,\"metadata\":{}}]}";
	static const char v2_schema[] =
		"{\"type\":\"struct\",\"fields\":["
		"{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
		"{\"name\":\"v\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}";
	struct delta_writer *w = create(dir, v1_schema, 0);
	struct delta_commit *c = begin(w);
	char *old_path = xstrdup(add(c, retype_batch(false)));
	finish(c, "WRITE");
	delta_writer_close(w);

	/* Version 2 by hand (the writer only writes additive changes): the new schema, the old
	 * file removed, the data rewritten with v as strings. */
	struct lk_error err = LK_ERROR_INIT;
	struct delta_type *schema = delta_schema_parse(v2_schema, &err);
	if (schema == NULL)
		die("schema", &err);
	struct delta_write_target target = { .root = dir, .version = 2, .schema = schema };
	struct delta_written_file written;
	struct lk_batch *b = retype_batch(true);
	if (!delta_data_file_write(&target, b, &written, &err))
		die("data file", &err);
	lk_batch_free(b);
	struct lk_buf line = LK_BUF_INIT, path = LK_BUF_INIT;
	lk_buf_append_str(&line, "{\"commitInfo\":{\"timestamp\":1700000100000,"
				 "\"operation\":\"REPLACE TABLE\"}}\n{\"metaData\":{\"id\":\"retype\","
				 "\"format\":{\"provider\":\"parquet\",\"options\":{}},\"schemaString\":");
	lk_buf_append_json_string(&line, v2_schema, strlen(v2_schema));
	lk_buf_append_str(&line, ",\"partitionColumns\":[],\"configuration\":"
				 "{\"delta.enableChangeDataFeed\":\"true\"},\"createdTime\":1700000000000}}\n");
	delta_path_encode(old_path, &path);
	lk_buf_printf(&line, "{\"remove\":{\"path\":\"%s\",\"deletionTimestamp\":1700000100000,"
			     "\"dataChange\":true}}\n", lk_buf_cstr(&path));
	lk_buf_reset(&path);
	delta_path_encode(written.path, &path);
	lk_buf_printf(&line, "{\"add\":{\"path\":\"%s\",\"partitionValues\":{},\"size\":%lld,"
			     "\"modificationTime\":1700000100000,\"dataChange\":true}}\n",
		      lk_buf_cstr(&path), (long long)written.size);
	char *log = xasprintf("%s/_delta_log/00000000000000000002.json", dir);
	FILE *f = fopen(log, "w");
	if (f == NULL || fwrite(line.data, 1, line.len, f) != line.len || fclose(f) != 0)
		die(log, NULL);
	free(log);
	lk_buf_free(&line);
	lk_buf_free(&path);
	free(written.path);
	free(written.local_path);
	free(written.stats);
	delta_type_free(schema);
	free(old_path);
}

static void fixture_timeseries(const char *dir)
{
	static const char schema[] = "{\"type\":\"struct\",\"fields\":["
				     "{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
				     "{\"name\":\"ts\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
				     "{\"name\":\"val\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}";
	struct delta_writer *w = create(dir, schema, 0);
	/* (id, ts seconds, val): versions 1 and 2 */
	static const struct { int64_t id, ts; const char *val; } v0[] = {
		{ 1, 100, "a" }, { 1, 300, "c" }, { 1, 200, "b" }, { 2, 100, "x" },
	}, v1[] = {
		{ 1, 250, "older" }, { 2, 500, "newer" }, { 3, 100, "z" },
	};
	const void *sets[] = { v0, v1 };
	size_t sizes[] = { 4, 3 };
	for (int s = 0; s < 2; s++) {
		const struct { int64_t id, ts; const char *val; } *rows = sets[s];
		struct lk_batch *b = lk_batch_new(3);
		size_t n = sizes[s];
		b->n_rows = n;
		col_init(&b->columns[0], "id", LK_TYPE_INT64, n, b);
		col_init(&b->columns[1], "ts", LK_TYPE_TIMESTAMP, n, b);
		col_init(&b->columns[2], "val", LK_TYPE_STRING, n, b);
		b->columns[0].v.i64 = alloc(b, n, 8);
		b->columns[1].v.i64 = alloc(b, n, 8);
		b->columns[2].v.bytes = alloc(b, n, sizeof(struct lk_bytes));
		for (size_t i = 0; i < n; i++) {
			b->columns[0].v.i64[i] = rows[i].id;
			b->columns[1].v.i64[i] = INT64_C(1700000000000000) + rows[i].ts * 1000000;
			set_string(b, &b->columns[2], i, rows[i].val, strlen(rows[i].val));
		}
		struct delta_commit *c = begin(w);
		add(c, b);
		finish(c, "WRITE");
	}
	delta_writer_close(w);
}

static void fixture_cdfoff(const char *dir)
{
	char *schema = kitchen_schema(false);
	struct delta_writer *w = create(dir, schema, 0);
	free(schema);
	size_t n;
	struct row *rows = rows_range(1, 100, &n);
	struct delta_commit *c = begin(w);
	char *path = xstrdup(add(c, kitchen_batch(rows, n, false, false)));
	finish(c, "WRITE");
	c = begin(w);
	struct lk_error err = LK_ERROR_INIT;
	if (!delta_commit_set_property(c, "delta.enableChangeDataFeed", "false", &err))
		die("set_property", &err);
	finish(c, "SET TBLPROPERTIES");
	c = begin(w);
	rewrite(c, path, kitchen_batch(rows + 10, n - 10, false, false), NULL);
	finish(c, "DELETE");
	free(path);
	free(rows);
	delta_writer_close(w);
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*write)(const char *dir);
	} fixtures[] = {
		{ "kitchen", fixture_kitchen },
		{ "nul", fixture_nul },
		{ "retype", fixture_retype },
		{ "timeseries", fixture_timeseries },
		{ "cdfoff", fixture_cdfoff },
	};
	for (size_t i = 0; argc == 3 && i < sizeof fixtures / sizeof fixtures[0]; i++) {
		if (strcmp(argv[1], fixtures[i].name) == 0) {
			fixtures[i].write(argv[2]);
			return 0;
		}
	}
	fprintf(stderr, "usage: fixture kitchen|nul|retype|timeseries|cdfoff DIR\n");
	return 2;
}
