/* cli/cmd_inspect_delta.c: `lakesync inspect delta`: prints a Delta table's rows (a snapshot
 * at a version or timestamp, or a change feed) as JSON Lines over the live rows, or the
 * table's facts as JSON. The reading is src/delta's; this file parses options and prints. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "batch/batch.h"
#include "cli/inspect_delta.h"
#include "delta/delta.h"
#include "delta/scan.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/xmalloc.h"

enum { INSPECT_FLUSH_BYTES = 1 << 16 };

struct inspect_delta_args {
	const char *path;
	bool has_version, has_timestamp, has_changes, info;
	int64_t version;
	int64_t timestamp_ms;
	int64_t start, end;   /* --changes; end -1 = latest */
	const char *columns_arg; /* --columns as given */
	char *columns;        /* a copy of it, split in place */
	char **names;
	size_t n_names;
};

static int fail(const struct lk_error *err)
{
	fprintf(stderr, "lakesync: %s\n", err->message);
	return CLI_EXIT_FAILURE;
}

static bool parse_int64(const char *text, int64_t *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || end == text || *end != '\0' || v < 0)
		return false;
	*out = v;
	return true;
}

/* "A", "A.." or "A..B". */
static bool parse_range(const char *text, int64_t *start, int64_t *end)
{
	const char *dots = strstr(text, "..");
	if (dots == NULL) {
		*end = -1;
		return parse_int64(text, start);
	}
	char *first = xstrdup(text);
	first[dots - text] = '\0';
	bool ok = parse_int64(first, start);
	free(first);
	if (dots[2] == '\0') {
		*end = -1;
		return ok;
	}
	return ok && parse_int64(dots + 2, end);
}

/* Milliseconds since the epoch, or an RFC 3339 time ("2024-01-02T03:04:05Z"). */
static bool parse_timestamp(const char *text, int64_t *ms)
{
	if (parse_int64(text, ms))
		return true;
	int64_t us;
	if (!lk_time_parse_rfc3339(text, &us, NULL))
		return false;
	*ms = us / 1000;
	return true;
}

static void split_columns(struct inspect_delta_args *a)
{
	size_t n = 1;
	for (const char *p = a->columns; *p; p++)
		n += *p == ',';
	a->names = xcalloc(n, sizeof *a->names);
	for (char *tok = strtok(a->columns, ","); tok; tok = strtok(NULL, ","))
		a->names[a->n_names++] = tok;
}

static int parse_args(int argc, char **argv, struct inspect_delta_args *a)
{
	static const struct option options[] = {
		{ "version", required_argument, NULL, 'v' },
		{ "timestamp", required_argument, NULL, 't' },
		{ "changes", required_argument, NULL, 'C' },
		{ "info", no_argument, NULL, 'i' },
		{ "columns", required_argument, NULL, 'c' },
		{ 0 },
	};
	int opt;
	optind = 0;
	while ((opt = getopt_long(argc, argv, ":v:t:C:ic:", options, NULL)) != -1) {
		switch (opt) {
		case 'v':
			if (!parse_int64(optarg, &a->version))
				return cli_usage_error("inspect delta: bad --version '%s'", optarg);
			a->has_version = true;
			break;
		case 't':
			if (!parse_timestamp(optarg, &a->timestamp_ms))
				return cli_usage_error("inspect delta: bad --timestamp '%s' (RFC 3339 "
						       "or milliseconds since the epoch)", optarg);
			a->has_timestamp = true;
			break;
		case 'C':
			if (!parse_range(optarg, &a->start, &a->end))
				return cli_usage_error("inspect delta: bad --changes '%s' (A or A..B)",
						       optarg);
			a->has_changes = true;
			break;
		case 'i': a->info = true; break;
		case 'c': a->columns_arg = optarg; break;
		case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: return cli_usage_error("inspect delta: unknown option '%s'",
						argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("inspect delta: expected one PATH");
	a->path = argv[optind];
	if (a->has_version + a->has_timestamp + a->has_changes > 1)
		return cli_usage_error("inspect delta: --version, --timestamp and --changes "
				       "exclude each other");
	if (a->info && (a->has_version || a->has_timestamp))
		return cli_usage_error("inspect delta: --info shows the latest version");
	if (a->columns_arg) {
		a->columns = xstrdup(a->columns_arg);
		split_columns(a);
		if (a->n_names == 0)
			return cli_usage_error("inspect delta: --columns needs column names");
	}
	return CLI_EXIT_OK;
}

/* ---- rows ---------------------------------------------------------------------------- */

static void print_batch(const struct lk_batch *batch, struct lk_buf *line)
{
	for (size_t i = 0; i < lk_batch_live_rows(batch); i++) {
		lk_render_json_row(batch, lk_batch_live_row(batch, i), line);
		lk_buf_append_byte(line, '\n');
		if (line->len >= INSPECT_FLUSH_BYTES) {
			fwrite(line->data, 1, line->len, stdout);
			lk_buf_reset(line);
		}
	}
}

typedef bool (*next_fn)(void *reader, struct lk_batch **out, struct lk_error *err);

static int print_rows(void *reader, next_fn next)
{
	struct lk_error err = LK_ERROR_INIT;
	struct lk_buf line = LK_BUF_INIT;
	int status = CLI_EXIT_OK;
	for (;;) {
		struct lk_batch *batch;
		if (!next(reader, &batch, &err)) {
			status = fail(&err);
			break;
		}
		if (batch == NULL)
			break;
		print_batch(batch, &line);
		lk_batch_free(batch);
	}
	if (line.len)
		fwrite(line.data, 1, line.len, stdout);
	lk_buf_free(&line);
	if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
		fprintf(stderr, "lakesync: writing the output failed\n");
		status = CLI_EXIT_FAILURE;
	}
	return status;
}

static bool scan_next(void *reader, struct lk_batch **out, struct lk_error *err)
{
	return delta_scan_next(reader, out, err);
}

static bool changes_next(void *reader, struct lk_batch **out, struct lk_error *err)
{
	return delta_changes_next(reader, out, err);
}

static int print_snapshot(struct delta_table *table, const struct inspect_delta_args *a)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_snapshot *snap =
		a->has_timestamp ? delta_snapshot_load_at(table, a->timestamp_ms, &err)
				 : delta_snapshot_load(table, a->has_version ? a->version : -1, &err);
	if (snap == NULL)
		return fail(&err);
	struct delta_scan *scan = delta_scan_open(table, snap, (const char *const *)a->names,
						  a->n_names, &err);
	int status = scan ? print_rows(scan, scan_next) : fail(&err);
	delta_scan_close(scan);
	delta_snapshot_free(snap);
	return status;
}

/* ---- facts --------------------------------------------------------------------------- */

static int print_json(cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	cJSON_Delete(json);
	if (text == NULL) {
		fprintf(stderr, "lakesync: out of memory\n");
		return CLI_EXIT_FAILURE;
	}
	puts(text);
	free(text);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_FAILURE;
}

static int print_table_info(struct delta_table *table)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table_info info;
	memset(&info, 0, sizeof info);
	if (!delta_table_info_get(table, &info, &err)) {
		delta_table_info_clear(&info);
		return fail(&err);
	}
	int status = print_json(delta_table_info_to_json(&info));
	delta_table_info_clear(&info);
	return status;
}

static cJSON *columns_json(const struct delta_scan_schema *schema)
{
	cJSON *cols = cJSON_CreateArray();
	struct lk_buf type = LK_BUF_INIT;
	for (size_t i = 0; i < schema->n_columns; i++) {
		const struct delta_scan_column *c = &schema->columns[i];
		cJSON *col = cJSON_CreateObject();
		cJSON_AddStringToObject(col, "name", c->name);
		lk_buf_reset(&type);
		if (c->delta_type)
			delta_type_format(c->delta_type, &type);
		else
			lk_buf_append_str(&type, c->type == LK_TYPE_STRING ? "string"
						 : c->type == LK_TYPE_INT64  ? "long"
									     : "timestamp");
		cJSON_AddStringToObject(col, "type", lk_buf_cstr(&type));
		cJSON_AddStringToObject(col, "lakesync_type", lk_type_name(c->type));
		cJSON_AddBoolToObject(col, "nullable", c->nullable);
		cJSON_AddBoolToObject(col, "nested", c->nested);
		cJSON_AddBoolToObject(col, "partition", c->partition);
		cJSON_AddItemToArray(cols, col);
	}
	lk_buf_free(&type);
	return cols;
}

static cJSON *commits_json(const struct delta_cdf_plan *plan)
{
	cJSON *commits = cJSON_CreateArray();
	for (size_t i = 0; i < plan->n_commits; i++) {
		const struct delta_change_commit *c = &plan->commits[i];
		cJSON *obj = cJSON_CreateObject();
		cJSON_AddNumberToObject(obj, "version", (double)c->version);
		cJSON_AddNumberToObject(obj, "timestamp_ms", (double)c->timestamp);
		cJSON_AddBoolToObject(obj, "in_commit_timestamp", c->timestamp_is_ict);
		cJSON_AddStringToObject(obj, "source", c->has_cdc ? "cdc" : "actions");
		cJSON *files = cJSON_AddArrayToObject(obj, "files");
		for (size_t k = 0; k < c->n_files; k++) {
			cJSON *f = cJSON_CreateObject();
			cJSON_AddStringToObject(f, "path", c->files[k].path);
			cJSON_AddStringToObject(f, "change", delta_change_source_name(c->files[k].source));
			cJSON_AddItemToArray(files, f);
		}
		cJSON_AddItemToArray(commits, obj);
	}
	return commits;
}

static int print_changes_info(const struct delta_changes *changes)
{
	const struct delta_cdf_plan *plan = delta_changes_plan(changes);
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "start", (double)plan->start);
	cJSON_AddNumberToObject(obj, "end", (double)plan->end);
	cJSON_AddStringToObject(obj, "schema_change", delta_schema_change_name(plan->schema_change));
	cJSON_AddStringToObject(obj, "column_mapping",
				delta_column_mapping_mode_name(plan->column_mapping));
	cJSON_AddItemToObject(obj, "columns", columns_json(delta_changes_schema(changes)));
	cJSON_AddItemToObject(obj, "commits", commits_json(plan));
	return print_json(obj);
}

static int print_changes(struct delta_table *table, const struct inspect_delta_args *a)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_changes *changes = delta_changes_open(
		table, a->start, a->end, (const char *const *)a->names, a->n_names, &err);
	if (changes == NULL)
		return fail(&err);
	int status = a->info ? print_changes_info(changes) : print_rows(changes, changes_next);
	delta_changes_close(changes);
	return status;
}

int cmd_inspect_delta(struct cli_context *ctx, int argc, char **argv)
{
	(void)ctx;
	struct inspect_delta_args a;
	memset(&a, 0, sizeof a);
	int status = parse_args(argc, argv, &a);
	if (status == CLI_EXIT_OK) {
		struct lk_error err = LK_ERROR_INIT;
		struct delta_table *table = delta_table_open(a.path, &err);
		if (table == NULL)
			status = fail(&err);
		else if (a.has_changes)
			status = print_changes(table, &a);
		else if (a.info)
			status = print_table_info(table);
		else
			status = print_snapshot(table, &a);
		delta_table_free(table);
	}
	free(a.names);
	free(a.columns);
	return status;
}
