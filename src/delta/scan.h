/* delta/scan.h: reads a Delta table's rows as a stream of columnar batches.
 *
 * Two readers share one contract:
 *   - a snapshot scan (delta_scan_open / delta_scan_open_file) returns the live rows of a
 *     snapshot, every live file in the snapshot's order, or one file of it (the engine
 *     splits a full load across connections by file);
 *   - a change feed (delta_changes_open) returns the rows that changed in versions
 *     start..end inclusive, with three more columns: _change_type (string),
 *     _commit_version (int64) and _commit_timestamp (timestamp, µs).
 *
 * Each batch holds the rows of one Parquet row group of one file (memory: one row group at
 * a time). Columns carry LOGICAL names in the requested order (NULL/0 columns = every
 * column in schema order) and values per batch/batch.h, already conformed to the table
 * schema: partition columns filled from the file's partitionValues; column mapping (none,
 * name, id) resolved at every nesting level; columns or nested fields absent from a file read
 * as typed nulls; files written before a type widening upcast to the current type; a
 * `_change_type` column inside data files ignored (except in cdc files, whose values the
 * change feed passes through). Rows removed by a deletion vector are left out of
 * batch->selection: walk rows with lk_batch_live_rows() / lk_batch_live_row(). A batch of a
 * change feed never spans two commit versions, and versions come in ascending order.
 *
 * Ownership: a scan or change feed borrows its table (and a scan its snapshot): close it
 * before freeing them. Every batch returned belongs to the caller (lk_batch_free). The
 * schema returned by delta_scan_schema() / delta_changes_schema() lives as long as the scan.
 * Thread safety: none; one scan per thread (several scans of one snapshot may run in
 * parallel threads, each with its own delta_table if the table is also used elsewhere).
 * Failures: functions return false/NULL and fill *err with a code from util/error.h and a
 * message naming the table root, the version, the file and the column. Notable codes:
 * LK_ENOTFOUND (no such column), LK_ELOG_TRUNCATED (a data, cdc or DV file or a commit is
 * gone: history cleaned away), LK_EUNSUPPORTED (a type lakesync cannot read, a file type
 * that cannot be widened to the schema's), and for change feeds LK_EINVAL (start > end,
 * start or end past the latest version), LK_ECDF_DISABLED (change data not recorded at start
 * or switched off inside the range), LK_ESCHEMA_CHANGE (a non-additive schema change inside
 * the range; new nullable columns appended are read, older rows getting nulls).
 * Nothing here prints or exits. See doc/delta-data.md. */
#ifndef LK_DELTA_SCAN_H
#define LK_DELTA_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "delta/delta.h"
#include "util/error.h"

/* One output column, as the engine needs it to create a target table. */
struct delta_scan_column {
	char *name;               /* logical name */
	enum lk_type_id type;
	uint8_t precision, scale; /* DECIMAL */
	bool nullable;
	bool nested;              /* STRUCT, LIST, MAP or VARIANT: stored as JSONB */
	bool partition;           /* filled from partitionValues */
	const struct delta_type *delta_type; /* the Delta type (NULL for the change columns) */
};

struct delta_scan_schema {
	struct delta_scan_column *columns;
	size_t n_columns;
};

/* The change feed's extra columns, appended in this order. */
#define DELTA_CHANGE_TYPE_COLUMN "_change_type"
#define DELTA_COMMIT_VERSION_COLUMN "_commit_version"
#define DELTA_COMMIT_TIMESTAMP_COLUMN "_commit_timestamp"

/* ---- snapshot scans ------------------------------------------------------------------ */

struct delta_scan;

/* The output schema of a scan of snap with these columns, without reading any data file.
 * Clear it with delta_scan_schema_clear(). LK_ENOTFOUND for an unknown column. */
bool delta_scan_schema_build(const struct delta_snapshot *snap, const char *const *columns,
			     size_t n_columns, struct delta_scan_schema *out,
			     struct lk_error *err);
void delta_scan_schema_clear(struct delta_scan_schema *schema);

/* A scan of every live file of snap, in snap->files order. Opens no data file yet. */
struct delta_scan *delta_scan_open(struct delta_table *table, const struct delta_snapshot *snap,
				   const char *const *columns, size_t n_columns,
				   struct lk_error *err);
/* A scan of snap->files[file_index] only (LK_EINVAL when out of range). */
struct delta_scan *delta_scan_open_file(struct delta_table *table,
					const struct delta_snapshot *snap,
					const char *const *columns, size_t n_columns,
					size_t file_index, struct lk_error *err);
/* A scan of row groups first_row_group .. first_row_group + n_row_groups - 1 of one file
 * (clamped to the file): the engine splits a big file between loaders this way. Deletion
 * vectors still apply by the rows' positions in the whole file. */
struct delta_scan *delta_scan_open_row_groups(struct delta_table *table,
					      const struct delta_snapshot *snap,
					      const char *const *columns, size_t n_columns,
					      size_t file_index, size_t first_row_group,
					      size_t n_row_groups, struct lk_error *err);
const struct delta_scan_schema *delta_scan_schema(const struct delta_scan *scan);
/* The next batch (*out = NULL at the end, returning true). Batches with no live row are
 * skipped. */
bool delta_scan_next(struct delta_scan *scan, struct lk_batch **out, struct lk_error *err);
void delta_scan_close(struct delta_scan *scan);

/* ---- change feeds -------------------------------------------------------------------- */

struct delta_changes;

/* The changes of versions start..end (end < 0: the latest version). Validates the whole
 * range (through delta_cdf_plan_build) before returning; data files are opened by
 * delta_changes_next(). columns name data columns of the end version's schema (the three
 * change columns are always appended; naming them is allowed and changes nothing). */
struct delta_changes *delta_changes_open(struct delta_table *table, int64_t start, int64_t end,
					 const char *const *columns, size_t n_columns,
					 struct lk_error *err);
/* Leaves out pre-images where that is cheap, for callers that drop them anyway (the net
 * change per key needs only post-images, inserts and deletes): the row groups of cdc files
 * whose _change_type the file's Parquet statistics prove to be "update_preimage" in every
 * row (null count 0, min = max = "update_preimage") are not read at all. Pre-images of row
 * groups that hold other changes too, or of files without such statistics, still come:
 * callers must still ignore them. Changes derived from add/remove files and deletion
 * vectors are unaffected. Call after delta_changes_open, before the first
 * delta_changes_next. */
void delta_changes_skip_preimages(struct delta_changes *changes);
/* Decodes each batch's columns on up to `threads` threads (1, the default, or 2): for a
 * reader whose consumer waits on it while a core is idle. The batches are the same. */
void delta_changes_set_decode_threads(struct delta_changes *changes, int threads);
const struct delta_scan_schema *delta_changes_schema(const struct delta_changes *changes);
/* The validated plan (versions, per-commit files and timestamps), for inspection. */
const struct delta_cdf_plan *delta_changes_plan(const struct delta_changes *changes);
/* The next batch (*out = NULL at the end). All rows of one batch share _commit_version. */
bool delta_changes_next(struct delta_changes *changes, struct lk_batch **out,
			struct lk_error *err);
void delta_changes_close(struct delta_changes *changes);

#endif
