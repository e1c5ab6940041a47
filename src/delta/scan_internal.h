/* delta/scan_internal.h: what the data reader's files share (scan_plan.c, scan_file.c,
 * scan_conform.c, scan.c, changes.c). Not for callers outside src/delta's data reader.
 *
 * A scan_plan says which columns to produce (logical names, their Delta fields, where a file
 * keeps them); a scan_file reads one data or cdc file row group by row group into batches of
 * exactly those columns (conformed to the table schema, partition values filled), leaving
 * deletion vectors and change columns to scan.c and changes.c. */
#ifndef LK_DELTA_SCAN_INTERNAL_H
#define LK_DELTA_SCAN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delta/delta.h"
#include "delta/scan.h"
#include "parquet/parquet.h"

/* One data column of the output. */
struct scan_target {
	const struct delta_field *field; /* in the plan's schema */
	bool partition;
	const char *physical;            /* name in data files and partitionValues */
	bool has_id;                     /* column mapping id mode: the Parquet field id */
	int32_t id;
};

struct scan_plan {
	struct delta_table *table;       /* borrowed */
	int64_t version;                 /* for messages */
	enum delta_column_mapping_mode mode;
	struct delta_type *schema;       /* owned clone of the table schema */
	struct scan_target *targets;
	size_t n_targets;
	struct delta_scan_schema out;    /* targets (+ the change columns) as callers see them */
};

/* Resolves the requested columns (NULL/0: all) against schema. LK_ENOTFOUND for an unknown
 * one, LK_EINVAL for a duplicate. With change_columns, names of the change columns are
 * accepted (and skipped) and out gets the three change columns appended. */
bool scan_plan_init(struct scan_plan *plan, struct delta_table *table, int64_t version,
		    const struct delta_type *schema, char *const *partition_columns,
		    size_t n_partition_columns, enum delta_column_mapping_mode mode,
		    const char *const *columns, size_t n_columns, bool change_columns,
		    struct lk_error *err);
void scan_plan_clear(struct scan_plan *plan);

struct scan_file;

/* Opens one file of the table (path as in the log, percent-decoded). A missing file is
 * LK_ELOG_TRUNCATED. Each batch gets n_extra zeroed columns after the targets for the caller
 * to fill; with read_change_type (n_extra >= 1) the first of them holds the file's
 * _change_type values (nulls when the file has none). */
struct scan_file *scan_file_open(const struct scan_plan *plan, const char *path,
				 const struct delta_map *partition_values, bool read_change_type,
				 size_t n_extra, struct lk_error *err);
/* Reads only row groups first .. first + count - 1 of the file (call before the first
 * scan_file_next); row positions for deletion vectors stay those of the whole file. */
void scan_file_set_row_groups(struct scan_file *file, size_t first, size_t count);
/* Leaves out the row groups (not yet read) whose _change_type the file's Parquet statistics
 * prove to be change_type in every row; they are never read, but their rows still count
 * for row positions. Does nothing unless the file's _change_type string column is read
 * (read_change_type). Call before scan_file_next reaches them. */
void scan_file_skip_change_type(struct scan_file *file, const char *change_type);
/* Decodes each row group's columns on up to `threads` threads (pq_reader_set_decode_threads). */
void scan_file_set_decode_threads(struct scan_file *f, int threads);
/* The next row group as a batch of the plan's targets; *first_row receives the physical
 * position of its first row in the file (for deletion vectors). *out = NULL at the end. */
bool scan_file_next(struct scan_file *file, struct lk_batch **out, uint64_t *first_row,
		    struct lk_error *err);
void scan_file_close(struct scan_file *file);
/* Sets batch->selection to the rows with keep[row] != 0 (left NULL when all are kept);
 * returns the number of live rows. */
size_t scan_select(struct lk_batch *batch, const uint8_t *keep);

/* Loads a deletion vector, turning a missing DV file into LK_ELOG_TRUNCATED. */
struct delta_dv *scan_dv_load(const struct scan_plan *plan, const char *data_path,
			      const struct delta_dv_descriptor *dv, struct lk_error *err);

/* ---- conforming file vectors to the table schema (scan_conform.c) ------------------ */

struct scan_conform_ctx {
	struct lk_batch *batch;
	enum delta_column_mapping_mode mode;
	const char *where;               /* "table T, version V, file F" for messages */
};

/* Turns vec (as the Parquet reader produced it from node) into a vector of delta type
 * `type`: nested fields matched by physical name or field id and put in schema order with
 * logical names, missing fields as nulls, old types widened. `column` names it in errors. */
bool scan_conform(const struct scan_conform_ctx *ctx, struct lk_vector *vec,
		  const struct pq_schema_node *node, bool node_consumed,
		  const struct delta_type *type, const char *column, struct lk_error *err);
/* The index of field's column among node's children (by field id in id mode when the file
 * has ids, else by physical name; case-insensitively without column mapping), or -1. */
long scan_find_field(const struct pq_schema_node *node, const struct delta_field *field,
		     enum delta_column_mapping_mode mode);
/* Makes vec an all-null vector of type with n entries (children too, for nested types). */
void scan_null_vector(struct lk_batch *batch, struct lk_vector *vec, const struct delta_type *type,
		      size_t n);
/* Frees a vector's name and children (not its batch-owned arrays). */
void scan_vector_release(struct lk_vector *vec);
/* The lakesync type, precision and scale of a Delta type. */
void scan_lk_type(const struct delta_type *type, enum lk_type_id *id, uint8_t *precision,
		  uint8_t *scale);

#endif
