/* delta/scan_file.c: reads one data or cdc file of a table, one row group at a time, into
 * batches of a scan plan's columns: the file's columns found by physical name or field id,
 * conformed to the table schema (scan_conform.c), partition columns filled from the
 * action's partitionValues, absent columns as typed nulls; on request it leaves out the row
 * groups whose change type the statistics prove. Deletion vectors and change columns are
 * the callers' (scan.c, changes.c). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "delta/scan_internal.h"
#include "util/xmalloc.h"

static const char CHANGE_TYPE[] = "_change_type";

struct scan_file {
	const struct scan_plan *plan;
	char *where;                          /* "table T, version V, file F" */
	struct pq_file *pq;
	struct pq_reader *reader;             /* NULL when no column is read from the file */
	long *source;                         /* per target: reader column, or -1 */
	const struct pq_schema_node **nodes;  /* per target: its node, or NULL */
	struct delta_value *values;           /* per target: partition value */
	long change_type_source;              /* reader column of _change_type, or -1 */
	long change_type_leaf;                /* its Parquet leaf index when it is a string, or -1 */
	bool read_change_type;
	size_t n_extra;                       /* zeroed columns appended for the caller */
	size_t next_row_group;                /* the next row group to yield */
	size_t end_row_group;                 /* one past the last to read */
	bool *skipped;                        /* by row group; NULL until one is left out */
	uint64_t rows_done;                   /* rows of the row groups passed so far */
};

static bool file_gone(const struct scan_plan *plan, const char *what, const char *path,
		      struct lk_error *err)
{
	return lk_error_set(err, LK_ELOG_TRUNCATED,
			    "table %s, version %lld: %s %s is gone (cleaned away by VACUUM?)",
			    plan->table->root, (long long)plan->version, what, path);
}

static char *local_path(const struct scan_plan *plan, const char *path, struct lk_error *err)
{
	char *local = delta_table_resolve_path(plan->table, path, err);
	if (local == NULL) {
		lk_error_prefix(err, "table %s, version %lld", plan->table->root,
				(long long)plan->version);
		return NULL;
	}
	struct stat st;
	if (stat(local, &st) != 0 && errno == ENOENT) {
		free(local);
		file_gone(plan, "file", path, err);
		return NULL;
	}
	return local;
}

struct delta_dv *scan_dv_load(const struct scan_plan *plan, const char *data_path,
			      const struct delta_dv_descriptor *dv, struct lk_error *err)
{
	char *dv_path = NULL;
	if (dv->storage_type == 'u')
		dv_path = delta_dv_file_path(plan->table, dv, NULL);
	else if (dv->storage_type == 'p')
		dv_path = delta_table_resolve_path(plan->table, dv->path_or_inline, NULL);
	struct stat st;
	bool gone = dv_path != NULL && stat(dv_path, &st) != 0 && errno == ENOENT;
	struct delta_dv *loaded = NULL;
	if (gone)
		file_gone(plan, "deletion vector file", dv_path, err);
	else if ((loaded = delta_dv_load(plan->table, dv, err)) == NULL)
		lk_error_prefix(err, "table %s, version %lld, file %s, deletion vector",
				plan->table->root, (long long)plan->version, data_path);
	free(dv_path);
	return loaded;
}

static bool parse_partition_values(struct scan_file *f, const struct delta_map *pv,
				   struct lk_error *err)
{
	const struct scan_plan *plan = f->plan;
	for (size_t i = 0; i < plan->n_targets; i++) {
		const struct scan_target *t = &plan->targets[i];
		if (!t->partition)
			continue;
		const char *text = pv ? delta_map_get(pv, t->physical) : NULL;
		if (!delta_partition_value_parse(t->field->type, text, t->field->name, &f->values[i],
						 err))
			return lk_error_prefix(err, "%s", f->where);
	}
	return true;
}

static long find_top_level(const struct pq_schema_node *root, const char *name)
{
	for (size_t i = 0; i < root->n_children; i++)
		if (strcmp(root->children[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* Finds each target's node in the file and opens a reader of those nodes. */
static bool open_reader(struct scan_file *f, struct lk_error *err)
{
	const struct scan_plan *plan = f->plan;
	const struct pq_schema_node *root = pq_file_schema(f->pq);
	const struct pq_schema_node **read = xcalloc(plan->n_targets + 1, sizeof *read);
	size_t n_read = 0;
	for (size_t i = 0; i < plan->n_targets; i++) {
		f->source[i] = -1;
		if (plan->targets[i].partition)
			continue;
		long at = scan_find_field(root, plan->targets[i].field, plan->mode);
		if (at < 0)
			continue;
		f->nodes[i] = &root->children[at];
		f->source[i] = (long)n_read;
		read[n_read++] = &root->children[at];
	}
	f->change_type_source = -1;
	f->change_type_leaf = -1;
	long at = f->read_change_type ? find_top_level(root, CHANGE_TYPE) : -1;
	if (at >= 0) {
		const struct pq_schema_node *node = &root->children[at];
		f->change_type_source = (long)n_read;
		read[n_read++] = node;
		if (node->physical == PQ_BYTE_ARRAY)
			f->change_type_leaf = node->leaf_index;
	}
	bool ok = true;
	if (n_read > 0) {
		f->reader = pq_reader_open_nodes(f->pq, read, n_read, err);
		ok = f->reader != NULL || lk_error_prefix(err, "%s", f->where);
	}
	free(read);
	return ok;
}

struct scan_file *scan_file_open(const struct scan_plan *plan, const char *path,
				 const struct delta_map *partition_values, bool read_change_type,
				 size_t n_extra, struct lk_error *err)
{
	char *local = local_path(plan, path, err);
	if (local == NULL)
		return NULL;
	struct scan_file *f = xcalloc(1, sizeof *f);
	f->plan = plan;
	f->read_change_type = read_change_type;
	f->n_extra = n_extra;
	f->where = xasprintf("table %s, version %lld, file %s", plan->table->root,
			     (long long)plan->version, path);
	size_t n = plan->n_targets ? plan->n_targets : 1;
	f->source = xcalloc(n, sizeof *f->source);
	f->nodes = xcalloc(n, sizeof *f->nodes);
	f->values = xcalloc(n, sizeof *f->values);
	f->pq = pq_file_open(local, err);
	free(local);
	bool ok = f->pq != NULL || lk_error_prefix(err, "table %s, version %lld",
						   plan->table->root, (long long)plan->version);
	ok = ok && parse_partition_values(f, partition_values, err) && open_reader(f, err);
	if (!ok) {
		scan_file_close(f);
		return NULL;
	}
	f->end_row_group = pq_file_num_row_groups(f->pq);
	return f;
}

void scan_file_set_row_groups(struct scan_file *f, size_t first, size_t count)
{
	size_t n = pq_file_num_row_groups(f->pq);
	if (first > n)
		first = n;
	for (size_t g = 0; g < first; g++) /* the skipped groups' rows still count */
		f->rows_done += (uint64_t)pq_file_row_group_rows(f->pq, g);
	f->next_row_group = first;
	f->end_row_group = count < n - first ? first + count : n;
	if (f->reader)
		pq_reader_set_row_groups(f->reader, first, count);
}

void scan_file_skip_change_type(struct scan_file *f, const char *change_type)
{
	if (f->change_type_leaf < 0)
		return;
	for (size_t g = f->next_row_group; g < f->end_row_group; g++) {
		if (!pq_file_chunk_all_equal(f->pq, g, (size_t)f->change_type_leaf, change_type,
					     strlen(change_type)))
			continue;
		if (f->skipped == NULL)
			f->skipped = xcalloc(pq_file_num_row_groups(f->pq), sizeof *f->skipped);
		f->skipped[g] = true;
		pq_reader_skip_row_group(f->reader, g);
	}
}

void scan_file_set_decode_threads(struct scan_file *f, int threads)
{
	pq_reader_set_decode_threads(f->reader, threads);
}

void scan_file_close(struct scan_file *f)
{
	if (f == NULL)
		return;
	pq_reader_close(f->reader);
	pq_file_close(f->pq);
	for (size_t i = 0; i < f->plan->n_targets; i++)
		delta_value_clear(&f->values[i]);
	free(f->values);
	free(f->nodes);
	free(f->source);
	free(f->skipped);
	free(f->where);
	free(f);
}

/* Moves next_row_group to the next row group to yield, past empty ones and the ones left
 * out (whose rows still count for row positions); false at the end. The reader passes over
 * the same ones, so it yields that row group next. */
static bool seek_row_group(struct scan_file *f)
{
	for (; f->next_row_group < f->end_row_group; f->next_row_group++) {
		int64_t rows = pq_file_row_group_rows(f->pq, f->next_row_group);
		if (rows <= 0)
			continue;
		if (f->skipped == NULL || !f->skipped[f->next_row_group])
			return true;
		f->rows_done += (uint64_t)rows;
	}
	return false;
}

/* The next row group's raw batch: from the reader, or an empty batch carrying the row
 * count when every column comes from elsewhere. */
static bool next_raw(struct scan_file *f, struct lk_batch **raw, struct lk_error *err)
{
	*raw = NULL;
	if (!seek_row_group(f))
		return true;
	int64_t rows = pq_file_row_group_rows(f->pq, f->next_row_group++);
	if (f->reader == NULL) {
		*raw = lk_batch_new(0);
		(*raw)->n_rows = (size_t)rows;
		return true;
	}
	if (!pq_reader_next(f->reader, raw, err))
		return lk_error_prefix(err, "table %s, version %lld", f->plan->table->root,
				       (long long)f->plan->version);
	return true;
}

static bool fill_target(struct scan_file *f, struct lk_batch *raw, size_t i,
			struct lk_vector *out, struct lk_error *err)
{
	const struct scan_target *t = &f->plan->targets[i];
	if (t->partition) {
		delta_value_fill_vector(&f->values[i], raw, out, raw->n_rows);
		out->name = xstrdup(t->field->name);
		return true;
	}
	if (f->source[i] < 0) {
		out->name = xstrdup(t->field->name);
		scan_null_vector(raw, out, t->field->type, raw->n_rows);
		return true;
	}
	*out = raw->columns[f->source[i]];
	memset(&raw->columns[f->source[i]], 0, sizeof *out);
	free(out->name);
	out->name = xstrdup(t->field->name);
	struct scan_conform_ctx ctx = { .batch = raw, .mode = f->plan->mode, .where = f->where };
	return scan_conform(&ctx, out, f->nodes[i], false, t->field->type, t->field->name, err);
}

static void fill_change_type(struct scan_file *f, struct lk_batch *raw, struct lk_vector *out)
{
	if (f->change_type_source >= 0) {
		*out = raw->columns[f->change_type_source];
		memset(&raw->columns[f->change_type_source], 0, sizeof *out);
		if (out->type == LK_TYPE_BINARY)
			out->type = LK_TYPE_STRING;
	} else {
		struct delta_type string = { .kind = DELTA_TYPE_STRING };
		scan_null_vector(raw, out, &string, raw->n_rows);
	}
	free(out->name);
	out->name = xstrdup(CHANGE_TYPE);
}

bool scan_file_next(struct scan_file *f, struct lk_batch **out, uint64_t *first_row,
		    struct lk_error *err)
{
	struct lk_batch *raw;
	*out = NULL;
	if (!next_raw(f, &raw, err))
		return false;
	if (raw == NULL)
		return true;
	size_t n_targets = f->plan->n_targets;
	size_t n_columns = n_targets + f->n_extra;
	struct lk_vector *columns = xcalloc(n_columns ? n_columns : 1, sizeof *columns);
	bool ok = true;
	for (size_t i = 0; ok && i < n_targets; i++)
		ok = fill_target(f, raw, i, &columns[i], err);
	if (ok && f->read_change_type)
		fill_change_type(f, raw, &columns[n_targets]);
	for (size_t i = 0; i < raw->n_columns; i++)
		scan_vector_release(&raw->columns[i]);
	free(raw->columns);
	raw->columns = columns;
	raw->n_columns = n_columns;
	*first_row = f->rows_done;
	f->rows_done += raw->n_rows;
	if (!ok) {
		lk_batch_free(raw);
		return false;
	}
	*out = raw;
	return true;
}

size_t scan_select(struct lk_batch *batch, const uint8_t *keep)
{
	size_t live = 0;
	for (size_t i = 0; i < batch->n_rows; i++)
		live += keep[i] != 0;
	if (live == batch->n_rows)
		return live;
	uint32_t *selection = lk_batch_alloc(batch, live * sizeof *selection);
	size_t k = 0;
	for (size_t i = 0; i < batch->n_rows; i++)
		if (keep[i])
			selection[k++] = (uint32_t)i;
	batch->selection = selection;
	batch->n_selected = live;
	return live;
}
