/* delta/scan.c: snapshot reads: the live rows of every live file of a snapshot (or of one
 * file), one row group per batch, with each file's deletion vector applied through the
 * batch's selection. See delta/scan.h. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "delta/scan_internal.h"
#include "util/xmalloc.h"

struct delta_scan {
	struct scan_plan plan;
	const struct delta_snapshot *snap;
	size_t next_file, end_file;
	bool row_groups_set;        /* read only row groups first_group .. + n_groups - 1 */
	size_t first_group, n_groups;
	struct scan_file *current;
	struct delta_dv *dv;        /* the current file's deletion vector, or NULL */
	uint8_t *keep;              /* scratch: one flag per row of a row group */
	size_t keep_cap;
};

static struct delta_scan *scan_new(struct delta_table *table, const struct delta_snapshot *snap,
				   const char *const *columns, size_t n_columns,
				   struct lk_error *err)
{
	struct delta_scan *scan = xcalloc(1, sizeof *scan);
	if (!scan_plan_init(&scan->plan, table, snap->version, snap->schema,
			    snap->metadata.partition_columns, snap->metadata.n_partition_columns,
			    snap->column_mapping, columns, n_columns, false, err)) {
		free(scan);
		return NULL;
	}
	scan->snap = snap;
	scan->end_file = snap->n_files;
	return scan;
}

struct delta_scan *delta_scan_open(struct delta_table *table, const struct delta_snapshot *snap,
				   const char *const *columns, size_t n_columns,
				   struct lk_error *err)
{
	return scan_new(table, snap, columns, n_columns, err);
}

struct delta_scan *delta_scan_open_file(struct delta_table *table,
					const struct delta_snapshot *snap,
					const char *const *columns, size_t n_columns,
					size_t file_index, struct lk_error *err)
{
	if (file_index >= snap->n_files) {
		lk_error_set(err, LK_EINVAL, "table %s, version %lld: no file %zu (the snapshot has %zu)",
			     table->root, (long long)snap->version, file_index, snap->n_files);
		return NULL;
	}
	struct delta_scan *scan = scan_new(table, snap, columns, n_columns, err);
	if (scan) {
		scan->next_file = file_index;
		scan->end_file = file_index + 1;
	}
	return scan;
}

struct delta_scan *delta_scan_open_row_groups(struct delta_table *table,
					      const struct delta_snapshot *snap,
					      const char *const *columns, size_t n_columns,
					      size_t file_index, size_t first_row_group,
					      size_t n_row_groups, struct lk_error *err)
{
	struct delta_scan *scan = delta_scan_open_file(table, snap, columns, n_columns, file_index,
						       err);
	if (scan) {
		scan->row_groups_set = true;
		scan->first_group = first_row_group;
		scan->n_groups = n_row_groups;
	}
	return scan;
}

const struct delta_scan_schema *delta_scan_schema(const struct delta_scan *scan)
{
	return &scan->plan.out;
}

static void close_current(struct delta_scan *scan)
{
	scan_file_close(scan->current);
	scan->current = NULL;
	delta_dv_free(scan->dv);
	scan->dv = NULL;
}

static bool open_next_file(struct delta_scan *scan, struct lk_error *err)
{
	const struct delta_file *file = &scan->snap->files[scan->next_file++];
	if (file->has_dv) {
		scan->dv = scan_dv_load(&scan->plan, file->path, &file->dv, err);
		if (scan->dv == NULL)
			return false;
	}
	scan->current = scan_file_open(&scan->plan, file->path, &file->partition_values, false, 0,
				       err);
	if (scan->current && scan->row_groups_set)
		scan_file_set_row_groups(scan->current, scan->first_group, scan->n_groups);
	return scan->current != NULL;
}

/* Leaves the rows the DV deletes out of the selection; returns the live row count. */
static size_t apply_dv(struct delta_scan *scan, struct lk_batch *batch, uint64_t first_row)
{
	if (scan->dv == NULL)
		return batch->n_rows;
	if (scan->keep_cap < batch->n_rows) {
		scan->keep_cap = batch->n_rows;
		scan->keep = xreallocarray(scan->keep, scan->keep_cap, 1);
	}
	delta_dv_mask(scan->dv, first_row, batch->n_rows, scan->keep);
	for (size_t i = 0; i < batch->n_rows; i++)
		scan->keep[i] = !scan->keep[i];
	return scan_select(batch, scan->keep);
}

bool delta_scan_next(struct delta_scan *scan, struct lk_batch **out, struct lk_error *err)
{
	*out = NULL;
	for (;;) {
		if (scan->current == NULL) {
			if (scan->next_file >= scan->end_file)
				return true;
			if (!open_next_file(scan, err)) {
				close_current(scan);
				return false;
			}
		}
		struct lk_batch *batch;
		uint64_t first_row;
		if (!scan_file_next(scan->current, &batch, &first_row, err)) {
			close_current(scan);
			return false;
		}
		if (batch == NULL) {
			close_current(scan);
			continue;
		}
		if (apply_dv(scan, batch, first_row) == 0) {
			lk_batch_free(batch);
			continue;
		}
		*out = batch;
		return true;
	}
}

void delta_scan_close(struct delta_scan *scan)
{
	if (scan == NULL)
		return;
	close_current(scan);
	scan_plan_clear(&scan->plan);
	free(scan->keep);
	free(scan);
}
