/* delta/changes.c: the Change Data Feed of versions start..end as batches: per commit, in
 * ascending order, the rows of its cdc files (with their own _change_type), or else the rows
 * of its data-changing adds (insert) and removes (delete) minus the action's deletion vector,
 * or, for a file removed and re-added with another DV, the per-row difference (rows newly
 * deleted: delete; rows restored: insert). Each batch is one row group of one file of one
 * commit, so no batch spans two versions. On request, cdc row groups that the Parquet
 * statistics prove hold only update pre-images are left unread. The range is validated up
 * front by the log layer's planner (delta_cdf_plan_build). See delta/scan.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "delta/scan_internal.h"
#include "util/xmalloc.h"

enum { N_CHANGE_COLUMNS = 3 };

static const char INSERT[] = "insert";
static const char DELETE[] = "delete";
static const char UPDATE_PREIMAGE[] = "update_preimage";

struct delta_changes {
	struct scan_plan plan;
	struct delta_cdf_plan *cdf;
	size_t commit, file;               /* the next file to open */
	const struct delta_change_commit *cur_commit;
	const struct delta_change_file *cur_file;
	struct scan_file *current;
	struct delta_dv *dv, *old_dv;      /* of the current file */
	uint8_t *deleted, *restored;       /* scratch: one flag per row of a row group */
	size_t scratch_cap;
	bool skip_preimages;               /* leave out cdc row groups of pre-images only */
	int decode_threads;                /* per batch: 1 or 2 */
};

struct delta_changes *delta_changes_open(struct delta_table *table, int64_t start, int64_t end,
					 const char *const *columns, size_t n_columns,
					 struct lk_error *err)
{
	struct delta_cdf_options opts = { .allow_additive_schema = true };
	struct delta_cdf_plan *cdf = delta_cdf_plan_build(table, start, end, &opts, err);
	if (cdf == NULL)
		return NULL;
	struct delta_changes *ch = xcalloc(1, sizeof *ch);
	ch->cdf = cdf;
	if (!scan_plan_init(&ch->plan, table, cdf->end, cdf->schema, cdf->partition_columns,
			    cdf->n_partition_columns, cdf->column_mapping, columns, n_columns, true,
			    err)) {
		delta_cdf_plan_free(cdf);
		free(ch);
		return NULL;
	}
	return ch;
}

void delta_changes_skip_preimages(struct delta_changes *ch)
{
	ch->skip_preimages = true;
}

void delta_changes_set_decode_threads(struct delta_changes *ch, int threads)
{
	ch->decode_threads = threads;
}

const struct delta_scan_schema *delta_changes_schema(const struct delta_changes *ch)
{
	return &ch->plan.out;
}

const struct delta_cdf_plan *delta_changes_plan(const struct delta_changes *ch)
{
	return ch->cdf;
}

static void close_current(struct delta_changes *ch)
{
	scan_file_close(ch->current);
	ch->current = NULL;
	delta_dv_free(ch->dv);
	delta_dv_free(ch->old_dv);
	ch->dv = ch->old_dv = NULL;
}

/* Opens the next file of the plan; false with *err, or true with ch->current NULL at the
 * end of the range. */
static bool open_next_file(struct delta_changes *ch, struct lk_error *err)
{
	while (ch->commit < ch->cdf->n_commits &&
	       ch->file >= ch->cdf->commits[ch->commit].n_files) {
		ch->commit++;
		ch->file = 0;
	}
	if (ch->commit >= ch->cdf->n_commits)
		return true;
	ch->cur_commit = &ch->cdf->commits[ch->commit];
	ch->cur_file = &ch->cur_commit->files[ch->file++];
	const struct delta_change_file *f = ch->cur_file;
	/* Messages name the commit being read, not the end version. */
	ch->plan.version = ch->cur_commit->version;
	if (f->has_dv && (ch->dv = scan_dv_load(&ch->plan, f->path, &f->dv, err)) == NULL)
		return false;
	if (f->has_old_dv &&
	    (ch->old_dv = scan_dv_load(&ch->plan, f->path, &f->old_dv, err)) == NULL)
		return false;
	bool cdc = f->source == DELTA_CHANGE_CDC;
	ch->current = scan_file_open(&ch->plan, f->path, &f->partition_values, cdc,
				     N_CHANGE_COLUMNS, err);
	if (ch->current == NULL)
		return false;
	if (cdc && ch->skip_preimages)
		scan_file_skip_change_type(ch->current, UPDATE_PREIMAGE);
	if (ch->decode_threads > 1)
		scan_file_set_decode_threads(ch->current, ch->decode_threads);
	return true;
}

static void grow_scratch(struct delta_changes *ch, size_t n)
{
	if (ch->scratch_cap >= n)
		return;
	ch->scratch_cap = n;
	ch->deleted = xreallocarray(ch->deleted, n, 1);
	ch->restored = xreallocarray(ch->restored, n, 1);
}

static void fill_constant_string(struct lk_batch *batch, struct lk_vector *vec, const char *text)
{
	struct delta_value value = { .type = LK_TYPE_STRING, .bytes = (char *)text,
				     .len = strlen(text) };
	delta_value_fill_vector(&value, batch, vec, batch->n_rows);
}

/* Inserts or deletes of whole files, minus the rows the action's own DV had deleted. */
static size_t select_whole_file(struct delta_changes *ch, struct lk_batch *batch,
				uint64_t first_row, const char *change_type)
{
	struct lk_vector *vec = &batch->columns[ch->plan.n_targets];
	fill_constant_string(batch, vec, change_type);
	if (ch->dv == NULL)
		return batch->n_rows;
	delta_dv_mask(ch->dv, first_row, batch->n_rows, ch->deleted);
	for (size_t i = 0; i < batch->n_rows; i++)
		ch->restored[i] = !ch->deleted[i];
	return scan_select(batch, ch->restored);
}

/* deleted[i] = 1 for the rows dv deletes (none when dv is NULL). */
static void mask_rows(const struct delta_dv *dv, uint64_t first_row, size_t n, uint8_t *deleted)
{
	if (dv)
		delta_dv_mask(dv, first_row, n, deleted);
	else
		memset(deleted, 0, n);
}

/* A DV update: rows in the new DV only are deletes, rows in the old DV only are inserts. */
static size_t select_dv_difference(struct delta_changes *ch, struct lk_batch *batch,
				   uint64_t first_row)
{
	size_t n = batch->n_rows;
	mask_rows(ch->dv, first_row, n, ch->deleted);
	mask_rows(ch->old_dv, first_row, n, ch->restored);
	struct lk_vector *vec = &batch->columns[ch->plan.n_targets];
	vec->type = LK_TYPE_STRING;
	vec->length = n;
	vec->v.bytes = lk_batch_alloc(batch, n * sizeof *vec->v.bytes);
	const uint8_t *insert = lk_batch_copy_bytes(batch, INSERT, strlen(INSERT));
	const uint8_t *delete = lk_batch_copy_bytes(batch, DELETE, strlen(DELETE));
	for (size_t i = 0; i < n; i++) {
		bool newly_deleted = ch->deleted[i] && !ch->restored[i];
		bool restored = ch->restored[i] && !ch->deleted[i];
		if (newly_deleted)
			vec->v.bytes[i] = (struct lk_bytes){ .ptr = delete, .len = strlen(DELETE) };
		else if (restored)
			vec->v.bytes[i] = (struct lk_bytes){ .ptr = insert, .len = strlen(INSERT) };
		ch->deleted[i] = newly_deleted || restored; /* now: keep */
	}
	return scan_select(batch, ch->deleted);
}

static void fill_commit_columns(struct delta_changes *ch, struct lk_batch *batch)
{
	struct lk_vector *version = &batch->columns[ch->plan.n_targets + 1];
	struct lk_vector *timestamp = &batch->columns[ch->plan.n_targets + 2];
	struct delta_value v = { .type = LK_TYPE_INT64, .i64 = ch->cur_commit->version };
	delta_value_fill_vector(&v, batch, version, batch->n_rows);
	struct delta_value t = { .type = LK_TYPE_TIMESTAMP,
				 .i64 = ch->cur_commit->timestamp * 1000 };
	delta_value_fill_vector(&t, batch, timestamp, batch->n_rows);
	version->name = xstrdup(DELTA_COMMIT_VERSION_COLUMN);
	timestamp->name = xstrdup(DELTA_COMMIT_TIMESTAMP_COLUMN);
	struct lk_vector *change_type = &batch->columns[ch->plan.n_targets];
	if (change_type->name == NULL)
		change_type->name = xstrdup(DELTA_CHANGE_TYPE_COLUMN);
}

/* Fills the change columns and the selection; returns the number of rows to emit. */
static size_t finish_batch(struct delta_changes *ch, struct lk_batch *batch, uint64_t first_row)
{
	grow_scratch(ch, batch->n_rows);
	size_t live;
	switch (ch->cur_file->source) {
	case DELTA_CHANGE_CDC:
		live = batch->n_rows;
		break;
	case DELTA_CHANGE_INSERT:
		live = select_whole_file(ch, batch, first_row, INSERT);
		break;
	case DELTA_CHANGE_DELETE:
		live = select_whole_file(ch, batch, first_row, DELETE);
		break;
	default:
		live = select_dv_difference(ch, batch, first_row);
		break;
	}
	fill_commit_columns(ch, batch);
	return live;
}

bool delta_changes_next(struct delta_changes *ch, struct lk_batch **out, struct lk_error *err)
{
	*out = NULL;
	for (;;) {
		if (ch->current == NULL) {
			if (!open_next_file(ch, err)) {
				close_current(ch);
				return false;
			}
			if (ch->current == NULL)
				return true;
		}
		struct lk_batch *batch;
		uint64_t first_row;
		if (!scan_file_next(ch->current, &batch, &first_row, err)) {
			close_current(ch);
			return false;
		}
		if (batch == NULL) {
			close_current(ch);
			continue;
		}
		if (finish_batch(ch, batch, first_row) == 0) {
			lk_batch_free(batch);
			continue;
		}
		*out = batch;
		return true;
	}
}

void delta_changes_close(struct delta_changes *ch)
{
	if (ch == NULL)
		return;
	close_current(ch);
	scan_plan_clear(&ch->plan);
	delta_cdf_plan_free(ch->cdf);
	free(ch->deleted);
	free(ch->restored);
	free(ch);
}
