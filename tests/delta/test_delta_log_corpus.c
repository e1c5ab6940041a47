/* tests/delta/test_delta_log_corpus.c: checks src/delta against the real tables of the shared
 * test data ($LAKESYNC_TESTDATA/delta), at the log level only (checkpoints are read, data files
 * are not): each `<table>.expected.txt` states facts (per-version action counts, commitInfo,
 * protocol, metadata, which change-feed ranges are valid or must fail, the end schema, the
 * latest version, row counts) and this program checks every one it can without reading data;
 * a table with a checkpoint must load from it.
 * Output is TAP; without the test data it prints a SKIP plan. */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

static int n_checks, n_failed;

static void check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("%s %d - ", ok ? "ok" : "not ok", ++n_checks);
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	n_failed += !ok;
}

static void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void diag(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("# ");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

/* ---- one commit's facts ------------------------------------------------------------- */

struct counts {
	int add_dc, add_nodc, rm_dc, rm_nodc, cdc, with_dv;
	bool has_commit_info;
	char *operation;
	int64_t timestamp;
};

static enum delta_visit count_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct counts *c = ctx;
	switch (a->type) {
	case DELTA_ACTION_ADD:
		*(a->u.file.data_change ? &c->add_dc : &c->add_nodc) += 1;
		c->with_dv += a->u.file.has_dv;
		break;
	case DELTA_ACTION_REMOVE:
		*(a->u.file.data_change ? &c->rm_dc : &c->rm_nodc) += 1;
		c->with_dv += a->u.file.has_dv;
		break;
	case DELTA_ACTION_CDC:
		c->cdc++;
		break;
	case DELTA_ACTION_COMMIT_INFO:
		c->has_commit_info = true;
		c->operation = a->u.commit_info.operation;
		a->u.commit_info.operation = NULL;
		c->timestamp = a->u.commit_info.timestamp;
		break;
	default:
		break;
	}
	return DELTA_VISIT_CONTINUE;
}

static bool read_counts(struct delta_table *t, int64_t v, struct counts *c)
{
	memset(c, 0, sizeof *c);
	char name[64];
	snprintf(name, sizeof name, "%020" PRId64 ".json", v);
	char *path = delta_log_path(t, name);
	struct lk_error err = LK_ERROR_INIT;
	bool ok = delta_actions_read_file(path, name, count_action, c, &err);
	if (!ok)
		diag("%s", err.message);
	free(path);
	return ok;
}

static int field_int(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	return p ? atoi(p + strlen(key)) : -1;
}

/* A JSON value right after `key` in line (cJSON stops at its end), or NULL. */
static cJSON *json_after(const char *line, const char *key)
{
	const char *p = strstr(line, key);
	return p ? cJSON_ParseWithOpts(p + strlen(key), NULL, false) : NULL;
}

static bool strv_matches_json(char *const *strv, size_t n, const cJSON *arr)
{
	if (arr == NULL)
		return strv == NULL || n == 0;
	if ((size_t)cJSON_GetArraySize(arr) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(strv[i], cJSON_GetArrayItem(arr, (int)i)->valuestring) != 0)
			return false;
	return true;
}

static bool protocol_matches(const struct delta_protocol *p, const cJSON *want)
{
	return p->min_reader_version ==
		       cJSON_GetObjectItem(want, "minReaderVersion")->valueint &&
	       p->min_writer_version == cJSON_GetObjectItem(want, "minWriterVersion")->valueint &&
	       strv_matches_json(p->reader_features, p->n_reader_features,
				 cJSON_GetObjectItem(want, "readerFeatures")) &&
	       strv_matches_json(p->writer_features, p->n_writer_features,
				 cJSON_GetObjectItem(want, "writerFeatures"));
}

static bool configuration_matches(const struct delta_map *m, const cJSON *want)
{
	if ((size_t)cJSON_GetArraySize(want) != m->n)
		return false;
	const cJSON *item;
	cJSON_ArrayForEach(item, want) {
		const char *v = delta_map_get(m, item->string);
		if (v == NULL || !cJSON_IsString(item) || strcmp(v, item->valuestring) != 0)
			return false;
	}
	return true;
}

/* partitionColumns=['a', 'b'] */
static bool partition_columns_match(const struct delta_metadata *m, const char *line)
{
	const char *p = strstr(line, "partitionColumns=[");
	if (p == NULL)
		return true;
	p += strlen("partitionColumns=[");
	size_t k = 0;
	while (*p && *p != ']') {
		const char *q = strchr(p, '\'');
		if (q == NULL || q > strchr(p, ']'))
			break;
		const char *e = strchr(q + 1, '\'');
		if (k >= m->n_partition_columns ||
		    strncmp(m->partition_columns[k], q + 1, (size_t)(e - q - 1)) != 0)
			return false;
		k++;
		p = e + 1;
	}
	return k == m->n_partition_columns;
}

static void check_version_snapshot(struct delta_table *t, const char *name, int64_t v,
				   const char *line)
{
	cJSON *proto = strstr(line, "protocol={") ? json_after(line, "protocol=") : NULL;
	bool has_meta = strstr(line, "metaData(") != NULL;
	if (proto == NULL && !has_meta)
		return;
	struct lk_error err = LK_ERROR_INIT;
	struct delta_snapshot *s = delta_snapshot_load(t, v, &err);
	if (s == NULL) {
		check(false, "%s v%" PRId64 ": snapshot loads (%s)", name, v, err.message);
		cJSON_Delete(proto);
		return;
	}
	if (proto != NULL)
		check(protocol_matches(&s->protocol, proto), "%s v%" PRId64 ": protocol as stated",
		      name, v);
	if (has_meta) {
		cJSON *conf = json_after(line, "configuration=");
		check(conf != NULL && configuration_matches(&s->metadata.configuration, conf) &&
			      partition_columns_match(&s->metadata, line),
		      "%s v%" PRId64 ": metaData partitionColumns and configuration as stated", name, v);
		cJSON_Delete(conf);
	}
	cJSON_Delete(proto);
	delta_snapshot_free(s);
}

static void check_version_cdf_source(struct delta_table *t, const char *name, int64_t v,
				     const char *line)
{
	const char *src = strstr(line, "=> CDF source: ");
	if (src == NULL)
		return;
	src += strlen("=> CDF source: ");
	struct lk_error err = LK_ERROR_INIT;
	struct delta_cdf_plan *p = delta_cdf_plan_build(t, v, v, NULL, &err);
	if (p == NULL) {
		bool expected = err.code == LK_ECDF_DISABLED;
		check(expected, "%s v%" PRId64 ": change feed plan%s (%s)", name, v,
		      expected ? " refused: CDF not enabled there" : "", err.message);
		return;
	}
	const struct delta_change_commit *c = &p->commits[0];
	bool ok;
	if (strncmp(src, "cdc files only", 14) == 0)
		ok = c->has_cdc && c->n_files > 0;
	else if (strncmp(src, "add/remove rows", 15) == 0)
		ok = !c->has_cdc && c->n_files > 0;
	else
		ok = c->n_files == 0;
	check(ok, "%s v%" PRId64 ": change feed source is \"%.*s\"", name, v,
	      (int)strcspn(src, "\n"), src);
	delta_cdf_plan_free(p);
}

static void check_version_line(struct delta_table *t, const char *name, const char *line)
{
	int64_t v = strtoll(strstr(line, "v") + 1, NULL, 10);
	struct counts c;
	int failed_before = n_failed;
	if (!read_counts(t, v, &c)) {
		check(false, "%s v%" PRId64 ": commit reads", name, v);
		return;
	}
	if (strstr(line, "add(dataChange=true)=") == NULL)
		goto commit_info;
	check(c.add_dc == field_int(line, "add(dataChange=true)=") &&
		      c.add_nodc == field_int(line, "add(dataChange=false)=") &&
		      c.rm_dc == field_int(line, "remove(dataChange=true)=") &&
		      c.rm_nodc == field_int(line, "remove(dataChange=false)=") &&
		      c.cdc == field_int(line, " cdc=") &&
		      c.with_dv == field_int(line, "actionsWithDV="),
	      "%s v%" PRId64 ": add/remove/cdc/DV action counts", name, v);
	if (n_failed != failed_before)
		diag("got add %d/%d remove %d/%d cdc %d dv %d", c.add_dc, c.add_nodc, c.rm_dc,
		     c.rm_nodc, c.cdc, c.with_dv);
commit_info:;
	const char *op = strstr(line, "op=");
	if (op != NULL) {
		op += 3;
		size_t len = strcspn(op, ";");
		bool none = strncmp(op, "(no commitInfo)", len) == 0;
		bool ok = none ? !c.has_commit_info
			       : c.has_commit_info && c.operation && strlen(c.operation) == len &&
					 strncmp(c.operation, op, len) == 0;
		const char *ts = strstr(line, "commitInfo.timestamp=");
		if (ok && ts)
			ok = c.timestamp == strtoll(ts + strlen("commitInfo.timestamp="), NULL, 10);
		check(ok, "%s v%" PRId64 ": commitInfo operation and timestamp", name, v);
	}
	free(c.operation);
	check_version_snapshot(t, name, v, line);
	check_version_cdf_source(t, name, v, line);
}

/* ---- ranges, schema, versions, rows ------------------------------------------------- */

static void check_range(struct delta_table *t, const char *name, const char *line, bool must_fail)
{
	const char *s = strstr(line, "start="), *e = strstr(line, "end=");
	if (s == NULL || e == NULL)
		return;
	int64_t start = strtoll(s + 6, NULL, 10);
	int64_t end = strncmp(e + 4, "latest", 6) == 0 ? -1 : strtoll(e + 4, NULL, 10);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_cdf_plan *p = delta_cdf_plan_build(t, start, end, NULL, &err);
	if (!must_fail) {
		check(p != NULL, "%s: change feed %" PRId64 "..%s is valid%s%s", name, start,
		      end < 0 ? "latest" : e + 4, p ? "" : ": ", p ? "" : err.message);
		delta_cdf_plan_free(p);
		return;
	}
	enum lk_errcode want = LK_EINVAL;
	if (strstr(line, "ChangeDataFeedUnsupported") || strstr(line, "not enabled"))
		want = LK_ECDF_DISABLED;
	else if (strstr(line, "schemas are different"))
		want = LK_ESCHEMA_CHANGE;
	check(p == NULL && err.code == want, "%s: change feed %" PRId64 "..%" PRId64
					     " fails with %s (%s)",
	      name, start, end, lk_errcode_name(want), p ? "it succeeded" : err.message);
	delta_cdf_plan_free(p);
}

/* "Table schema (end version): id: long, name: string" */
static void check_schema(const struct delta_snapshot *s, const char *name, const char *line)
{
	struct lk_buf got = LK_BUF_INIT, type = LK_BUF_INIT;
	for (size_t i = 0; i < s->schema->n_fields; i++) {
		lk_buf_reset(&type);
		delta_type_format(s->schema->fields[i].type, &type);
		lk_buf_printf(&got, "%s%s: %s", i ? ", " : "", s->schema->fields[i].name,
			      lk_buf_cstr(&type));
	}
	const char *want = strstr(line, "): ") + 3;
	size_t want_len = strcspn(want, "\n");
	check(got.len == want_len && strncmp(got.data, want, want_len) == 0,
	      "%s: end schema is %.*s", name, (int)want_len, want);
	if (got.len != want_len || strncmp(got.data, want, want_len) != 0)
		diag("got %s", lk_buf_cstr(&got));
	lk_buf_free(&got);
	lk_buf_free(&type);
}

static int64_t row_estimate(const struct delta_snapshot *s, bool *exact)
{
	int64_t rows = 0;
	*exact = true;
	for (size_t i = 0; i < s->n_files; i++) {
		cJSON *st = s->files[i].stats ? cJSON_Parse(s->files[i].stats) : NULL;
		const cJSON *n = st ? cJSON_GetObjectItem(st, "numRecords") : NULL;
		if (!cJSON_IsNumber(n))
			*exact = false;
		else
			rows += (int64_t)n->valuedouble -
				(s->files[i].has_dv ? s->files[i].dv.cardinality : 0);
		cJSON_Delete(st);
	}
	return rows;
}

static void check_rows(struct delta_table *t, const char *name, int64_t version, long want,
		       const char *what)
{
	struct delta_snapshot *s = delta_snapshot_load(t, version, NULL);
	if (s == NULL)
		return;
	bool exact;
	int64_t rows = row_estimate(s, &exact);
	if (exact)
		check(rows == want, "%s: %s: stats numRecords minus DV cardinalities = %ld rows "
				    "(got %" PRId64 ")",
		      name, what, want, rows);
	delta_snapshot_free(s);
}

/* All DVs of all commits load, with the cardinality their descriptor states. */
struct dv_scan {
	struct delta_table *table;
	int total, loaded;
	char first_error[256];
};

static enum delta_visit scan_dv(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct dv_scan *sc = ctx;
	if ((a->type != DELTA_ACTION_ADD && a->type != DELTA_ACTION_REMOVE) || !a->u.file.has_dv)
		return DELTA_VISIT_CONTINUE;
	sc->total++;
	struct lk_error e = LK_ERROR_INIT;
	struct delta_dv *dv = delta_dv_load(sc->table, &a->u.file.dv, &e);
	if (dv != NULL)
		sc->loaded++;
	else if (sc->first_error[0] == '\0')
		snprintf(sc->first_error, sizeof sc->first_error, "%s", e.message);
	delta_dv_free(dv);
	return DELTA_VISIT_CONTINUE;
}

static void check_all_dvs(struct delta_table *t, const char *name)
{
	struct delta_listing ls;
	if (!delta_log_list(t, &ls, NULL))
		return;
	struct dv_scan sc = { .table = t };
	for (size_t i = 0; i < ls.n; i++) {
		if (ls.files[i].kind != DELTA_LOG_COMMIT)
			continue;
		char *path = delta_log_path(t, ls.files[i].name);
		delta_actions_read_file(path, ls.files[i].name, scan_dv, &sc, NULL);
		free(path);
	}
	delta_listing_free(&ls);
	if (sc.total > 0)
		check(sc.loaded == sc.total,
		      "%s: all %d deletion vectors in the log load with their cardinality%s%s", name,
		      sc.total, sc.first_error[0] ? ": " : "", sc.first_error);
}

static void check_last_checkpoint(struct delta_table *t, const char *name)
{
	char *path = delta_log_path(t, "_last_checkpoint");
	FILE *fp = fopen(path, "rb");
	free(path);
	if (fp == NULL)
		return;
	char buf[65536];
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	cJSON *j = cJSON_Parse(buf);
	const cJSON *v = cJSON_GetObjectItem(j, "version");
	const cJSON *files = cJSON_GetObjectItem(j, "numOfAddFiles");
	if (cJSON_IsNumber(v) && cJSON_IsNumber(files)) {
		struct delta_snapshot *s = delta_snapshot_load(t, (int64_t)v->valuedouble, NULL);
		check(s && s->n_files == (size_t)files->valueint,
		      "%s: version %d has the %d files _last_checkpoint states", name, v->valueint,
		      files->valueint);
		delta_snapshot_free(s);
	}
	cJSON_Delete(j);
}

/* Every partition value of every live file parses as its column's type, and every live file
 * (its path decoded once) exists on disk. */
static void check_files(const struct delta_snapshot *s, const char *name)
{
	size_t values = 0, bad_values = 0, missing = 0;
	char first[512] = "";
	for (size_t i = 0; i < s->n_files; i++) {
		const struct delta_file *f = &s->files[i];
		for (size_t k = 0; k < s->metadata.n_partition_columns; k++) {
			const struct delta_field *col =
				delta_schema_find(s->schema, s->metadata.partition_columns[k]);
			const char *phys = col ? delta_field_physical_name(col, s->column_mapping) : "";
			struct delta_value v;
			struct lk_error err = LK_ERROR_INIT;
			values++;
			if (col == NULL || !delta_partition_value_parse(
						   col->type, delta_map_get(&f->partition_values, phys),
						   phys, &v, &err)) {
				bad_values++;
				if (!first[0])
					snprintf(first, sizeof first, "%s", err.message);
			}
			delta_value_clear(&v);
		}
		char *path = delta_table_resolve_path(s->table, f->path, NULL);
		FILE *fp = path ? fopen(path, "rb") : NULL;
		if (fp)
			fclose(fp);
		else
			missing++;
		free(path);
	}
	if (values > 0)
		check(bad_values == 0, "%s: all %zu partition values parse as their column types%s%s",
		      name, values, first[0] ? ": " : "", first);
	if (s->n_files > 0)
		check(missing == 0, "%s: all %zu live data files exist at their decoded paths (%zu missing)",
		      name, s->n_files, missing);
}

/* ---- per table ---------------------------------------------------------------------- */

static void check_latest(struct delta_table *t, const char *name, struct delta_snapshot **out)
{
	struct lk_error err = LK_ERROR_INIT;
	*out = delta_snapshot_load(t, -1, &err);
	check(*out != NULL, "%s: latest snapshot loads%s%s", name, *out ? "" : ": ",
	      *out ? "" : err.message);
	if (*out && ((*out)->checkpoint_version >= 0 || (*out)->checkpoint_skipped))
		check((*out)->checkpoint_skipped == NULL,
		      "%s: the latest snapshot starts from its checkpoint (version %" PRId64 ")%s%s",
		      name, (*out)->checkpoint_version, (*out)->checkpoint_skipped ? ": skipped: " : "",
		      (*out)->checkpoint_skipped ? (*out)->checkpoint_skipped : "");
}

/* Counts the data rows of the section that starts after `header` (until a blank line). */
static long section_rows(char **lines, size_t n, size_t from)
{
	long rows = 0;
	for (size_t i = from + 1; i < n && lines[i][0] != '\0' && lines[i][0] != '['; i++)
		if (strncmp(lines[i], "columns:", 8) != 0 && lines[i][0] != '#')
			rows++;
	return rows;
}

/* "#   v12: ..." (the per-version facts; notes like "#   v1 = MERGE" are prose) */
static bool is_version_line(const char *l)
{
	if (strncmp(l, "#   v", 5) != 0 || !isdigit((unsigned char)l[5]))
		return false;
	size_t digits = strspn(l + 5, "0123456789");
	return l[5 + digits] == ':';
}

static void check_table(const char *dir, const char *name, char **lines, size_t n)
{
	char *root = xasprintf("%s/%s", dir, name);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *t = delta_table_open(root, &err);
	free(root);
	if (t == NULL) {
		check(false, "%s: table opens (%s)", name, err.message);
		return;
	}
	struct delta_snapshot *latest;
	check_latest(t, name, &latest);
	for (size_t i = 0; i < n; i++) {
		const char *l = lines[i];
		if (is_version_line(l))
			check_version_line(t, name, l);
		else if (strncmp(l, "[range start=", 13) == 0 || strncmp(l, "OK    start=", 12) == 0)
			check_range(t, name, l, false);
		else if (strncmp(l, "ERROR start=", 12) == 0)
			check_range(t, name, l, true);
		else if (latest && strncmp(l, "# Table schema (end version): ", 30) == 0)
			check_schema(latest, name, l);
		else if (latest && strstr(l, "at latest version (v") && l[0] == '#')
			check(latest->version == strtoll(strstr(l, "(v") + 2, NULL, 10),
			      "%s: latest version is %" PRId64, name, latest->version);
		else if (strncmp(l, "rows: ", 6) == 0)
			check_rows(t, name, -1, atol(l + 6), "latest");
		else if (strcmp(l, "[full scan]") == 0)
			check_rows(t, name, -1, section_rows(lines, n, i), "full scan");
		else if (strncmp(l, "[version ", 9) == 0)
			check_rows(t, name, strtoll(l + 9, NULL, 10), section_rows(lines, n, i),
				   l);
	}
	if (latest)
		check_files(latest, name);
	check_all_dvs(t, name);
	check_last_checkpoint(t, name);
	delta_snapshot_free(latest);
	delta_table_free(t);
}

/* ---- specific facts the expected files state in prose -------------------------------- */

static void check_dv_rows(const char *dir, const char *table, int64_t version,
			  const uint64_t *rows, size_t n_rows)
{
	char *root = xasprintf("%s/%s", dir, table);
	struct delta_table *t = delta_table_open(root, NULL);
	free(root);
	struct delta_snapshot *s = t ? delta_snapshot_load(t, version, NULL) : NULL;
	bool ok = s && s->n_files == 1 && s->files[0].has_dv;
	struct delta_dv *dv = ok ? delta_dv_load(t, &s->files[0].dv, NULL) : NULL;
	size_t got_n = 0;
	uint64_t *got = dv ? delta_dv_to_array(dv, &got_n) : NULL;
	ok = got != NULL && got_n == n_rows && memcmp(got, rows, n_rows * sizeof *rows) == 0;
	check(ok, "%s v%" PRId64 ": one live file whose DV deletes exactly the stated %zu rows", table,
	      version, n_rows);
	free(got);
	delta_dv_free(dv);
	delta_snapshot_free(s);
	delta_table_free(t);
}

static void check_specific(const char *dir)
{
	static const uint64_t small_v1[] = { 0, 9 };
	check_dv_rows(dir, "table-with-dv-small", 1, small_v1, 2);
	static const uint64_t inline_v3[] = { 0, 1, 4, 5 }, inline_v4[] = { 0, 5 },
			      inline_v5[] = { 3 };
	check_dv_rows(dir, "cdf-table-with-dv", 3, inline_v3, 4);
	check_dv_rows(dir, "cdf-table-with-dv", 4, inline_v4, 2);
	check_dv_rows(dir, "cdf-table-with-dv", 5, inline_v5, 1);
	char *root = xasprintf("%s/log-replay-dv-key-cases", dir);
	struct delta_table *t = delta_table_open(root, NULL);
	free(root);
	struct delta_snapshot *s = t ? delta_snapshot_load(t, -1, NULL) : NULL;
	check(s && s->n_files == 1 && s->files[0].has_dv && s->files[0].dv.cardinality == 3,
	      "log-replay-dv-key-cases: 1 live file with DV cardinality 3");
	delta_snapshot_free(s);
	delta_table_free(t);
}

/* ---- driver ------------------------------------------------------------------------- */

static char **read_lines(const char *path, size_t *n)
{
	FILE *fp = fopen(path, "r");
	char **lines = NULL;
	size_t cap = 0;
	*n = 0;
	if (fp == NULL)
		return NULL;
	char *line = NULL;
	size_t len = 0;
	ssize_t got;
	while ((got = getline(&line, &len, fp)) >= 0) {
		while (got > 0 && (line[got - 1] == '\n' || line[got - 1] == '\r'))
			line[--got] = '\0';
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			lines = xreallocarray(lines, cap, sizeof *lines);
		}
		lines[(*n)++] = xstrdup(line);
	}
	free(line);
	fclose(fp);
	return lines;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *data = getenv("LAKESYNC_TESTDATA");
	char *dir = xasprintf("%s/delta", data ? data : "");
	DIR *d = data && *data ? opendir(dir) : NULL;
	if (d == NULL) {
		printf("1..0 # SKIP no Delta test data (set LAKESYNC_TESTDATA)\n");
		free(dir);
		return 0;
	}
	char **names = NULL;
	size_t n_names = 0, cap = 0;
	struct dirent *ent;
	while ((ent = readdir(d)) != NULL) {
		size_t len = strlen(ent->d_name);
		if (len < 14 || strcmp(ent->d_name + len - 13, ".expected.txt") != 0)
			continue;
		if (n_names == cap) {
			cap = cap ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof *names);
		}
		names[n_names++] = xstrndup(ent->d_name, len - 13);
	}
	closedir(d);
	qsort(names, n_names, sizeof *names, name_cmp);
	for (size_t i = 0; i < n_names; i++) {
		char *path = xasprintf("%s/%s.expected.txt", dir, names[i]);
		size_t n_lines;
		char **lines = read_lines(path, &n_lines);
		check_table(dir, names[i], lines, n_lines);
		for (size_t k = 0; k < n_lines; k++)
			free(lines[k]);
		free(lines);
		free(path);
		free(names[i]);
	}
	free(names);
	check_specific(dir);
	free(dir);
	printf("1..%d\n", n_checks);
	diag("delta corpus: %d of %d log-level checks pass", n_checks - n_failed, n_checks);
	return n_failed ? 1 : 0;
}
