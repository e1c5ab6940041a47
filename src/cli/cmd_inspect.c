/* cli/cmd_inspect.c: `lakesync inspect KIND ...`: prints what lakesync reads from a file or a
 * table, as JSON Lines (one object per row, rendered by batch/render.c) or as a schema tree.
 * The kinds are a const table, so `inspect delta` is one more entry. */
#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "cli/cli.h"
#include "cli/inspect_delta.h"
#include "parquet/parquet.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xmalloc.h"

struct inspect_kind {
	const char *name;
	const char *synopsis;
	int (*exec)(int argc, char **argv);
};

static int inspect_parquet(int argc, char **argv);

static const struct inspect_kind inspect_kinds[] = {
	{ .name = "parquet",
	  .synopsis = "FILE [--schema] [--columns NAME,NAME...]",
	  .exec = inspect_parquet },
	{ .name = "delta", .synopsis = INSPECT_DELTA_SYNOPSIS, .exec = inspect_delta_exec },
	{ 0 },
};

enum { INSPECT_FLUSH_BYTES = 1 << 16 };

static int inspect_fail(const struct lk_error *err)
{
	fprintf(stderr, "lakesync: %s\n", err->message);
	return CLI_EXIT_FAILURE;
}

static const char *repetition_name(enum pq_repetition r)
{
	static const char *const names[] = {
		[PQ_REQUIRED] = "required",
		[PQ_OPTIONAL] = "optional",
		[PQ_REPEATED] = "repeated",
	};
	return (unsigned)r <= PQ_REPEATED ? names[r] : "?";
}

static const char *physical_name(enum pq_physical_type t)
{
	switch (t) {
	case PQ_BOOLEAN: return "BOOLEAN";
	case PQ_INT32: return "INT32";
	case PQ_INT64: return "INT64";
	case PQ_INT96: return "INT96";
	case PQ_FLOAT: return "FLOAT";
	case PQ_DOUBLE: return "DOUBLE";
	case PQ_BYTE_ARRAY: return "BYTE_ARRAY";
	case PQ_FIXED_LEN_BYTE_ARRAY: return "FIXED_LEN_BYTE_ARRAY";
	default: return "group";
	}
}

static void print_node(const struct pq_schema_node *n, int depth)
{
	printf("%*s%s: %s", depth * 2, "", n->name, lk_type_name(n->type));
	if (n->type == LK_TYPE_DECIMAL)
		printf("(%u,%u)", n->precision, n->scale);
	printf(" %s %s", repetition_name(n->repetition), physical_name(n->physical));
	if (n->physical == PQ_FIXED_LEN_BYTE_ARRAY)
		printf("(%d)", n->type_length);
	if (n->has_field_id)
		printf(" field_id=%d", n->field_id);
	if (n->leaf_index >= 0)
		printf(" column=%d def=%d rep=%d", n->leaf_index, n->max_def, n->max_rep);
	putchar('\n');
	for (size_t i = 0; i < n->n_children; i++)
		print_node(&n->children[i], depth + 1);
}

static void print_schema(const struct pq_file *file)
{
	const struct pq_schema_node *root = pq_file_schema(file);
	printf("%s: %lld rows, %zu row groups\n", pq_file_path(file),
	       (long long)pq_file_num_rows(file), pq_file_num_row_groups(file));
	for (size_t i = 0; i < root->n_children; i++)
		print_node(&root->children[i], 1);
}

/* Splits "a,b,c" in place into the names array (owned by the caller). */
static size_t split_columns(char *list, char ***names)
{
	size_t n = 1;
	for (const char *p = list; *p; p++)
		n += *p == ',';
	*names = xcalloc(n, sizeof **names);
	size_t i = 0;
	for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ","))
		(*names)[i++] = tok;
	return i;
}

static int print_rows(struct pq_file *file, const char *const *columns, size_t n_columns)
{
	struct lk_error err = LK_ERROR_INIT;
	struct pq_reader *reader = pq_reader_open(file, columns, n_columns, &err);
	if (reader == NULL)
		return inspect_fail(&err);
	struct lk_buf line = LK_BUF_INIT;
	int status = CLI_EXIT_OK;
	for (;;) {
		struct lk_batch *batch;
		if (!pq_reader_next(reader, &batch, &err)) {
			status = inspect_fail(&err);
			break;
		}
		if (batch == NULL)
			break;
		for (size_t row = 0; row < batch->n_rows; row++) {
			lk_render_json_row(batch, row, &line);
			lk_buf_append_byte(&line, '\n');
			if (line.len >= INSPECT_FLUSH_BYTES) {
				fwrite(line.data, 1, line.len, stdout);
				lk_buf_reset(&line);
			}
		}
		lk_batch_free(batch);
	}
	if (line.len)
		fwrite(line.data, 1, line.len, stdout);
	lk_buf_free(&line);
	pq_reader_close(reader);
	if (fflush(stdout) != 0 && status == CLI_EXIT_OK) {
		fprintf(stderr, "lakesync: writing the output failed\n");
		status = CLI_EXIT_FAILURE;
	}
	return status;
}

static int inspect_parquet(int argc, char **argv)
{
	static const struct option options[] = {
		{ "schema", no_argument, NULL, 's' },
		{ "columns", required_argument, NULL, 'c' },
		{ 0 },
	};
	bool schema = false;
	char *columns = NULL;
	int opt;
	optind = 0;
	while ((opt = getopt_long(argc, argv, "+:sc:", options, NULL)) != -1) {
		switch (opt) {
		case 's': schema = true; break;
		case 'c': columns = optarg; break;
		case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default: return cli_usage_error("inspect parquet: unknown option '%s'",
						argv[optind - 1]);
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("inspect parquet: expected one FILE");
	struct lk_error err = LK_ERROR_INIT;
	struct pq_file *file = pq_file_open(argv[optind], &err);
	if (file == NULL)
		return inspect_fail(&err);
	int status = CLI_EXIT_OK;
	if (schema) {
		print_schema(file);
	} else {
		char **names = NULL;
		char *list = columns ? xstrdup(columns) : NULL;
		size_t n = list ? split_columns(list, &names) : 0;
		if (list && n == 0)
			status = cli_usage_error("inspect parquet: --columns needs column names");
		else
			status = print_rows(file, (const char *const *)names, n);
		free(names);
		free(list);
	}
	pq_file_close(file);
	return status;
}

int cli_cmd_inspect(struct cli_context *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc < 2)
		return cli_usage_error("inspect: expected a kind (parquet)");
	for (const struct inspect_kind *kind = inspect_kinds; kind->name; kind++)
		if (strcmp(kind->name, argv[1]) == 0)
			return kind->exec(argc - 1, argv + 1);
	return cli_usage_error("inspect: unknown kind '%s'", argv[1]);
}
