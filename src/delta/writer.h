/* delta/writer.h: a small Delta Lake writer for local table directories.
 *
 * What it does: creates a table (commit 0: protocol, metaData, commitInfo), then commits
 * versions built from batches: data files (Parquet, snappy, Hive-style partition
 * directories) with `add` actions and per-file stats, `remove` actions for live files, change
 * data files under `_change_data/` with `cdc` actions, additive schema changes and table
 * property changes (metaData, plus a protocol upgrade when a property or type needs one), and
 * application transaction ids (`txn`). It writes classic single-file Parquet checkpoints and
 * `_last_checkpoint`, on request or every N commits. Tests build fixture tables with it and
 * `lakesync demo` a sample lakehouse that keeps changing. doc/delta-writer.md says what it
 * writes, which protocol it declares and its limits.
 *
 * Commits are atomic and exclusive: the commit file is written under a temporary name and
 * linked into place, which fails if the version exists. A writer that lost the race gets
 * LK_EEXISTS and must reopen the table (delta_writer_open) to see the winner's commit; there
 * is no conflict resolution or retry here. Data and change files of a commit that is aborted
 * or fails are removed, so a commit is either complete or leaves nothing behind.
 *
 * A writer keeps the state of the version it last wrote or opened (protocol, metadata, live
 * files, recent removes, txns) in memory; the checkpoint is written from that state.
 *
 * Ownership: the writer owns its state; delta_writer_close() frees it. A commit belongs to
 * its writer (one open commit at a time) and is freed by delta_commit_finish() (on success
 * and failure) or delta_commit_abort(). Batches and strings passed in are only read during
 * the call. Not thread-safe: one writer (and its commit) per thread; several writers on one
 * table, in threads or processes, are safe (one wins each version).
 * Failures: functions return false/NULL and fill *err with a code from util/error.h and a
 * message naming the table root, the version and the file. Nothing here prints or exits. */
#ifndef LK_DELTA_WRITER_H
#define LK_DELTA_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "delta/delta.h"
#include "util/buf.h"
#include "util/error.h"

/* A table property (metaData.configuration entry). */
struct delta_property {
	const char *key;
	const char *value;
};

/* What a new table looks like. schema_json is a Delta schemaString (a struct type);
 * partition columns must be top-level primitive columns of it (not binary). */
struct delta_table_spec {
	const char *schema_json;
	const char *const *partition_columns;
	size_t n_partition_columns;
	const struct delta_property *properties; /* e.g. delta.enableChangeDataFeed=true */
	size_t n_properties;
	const char *name;        /* metaData.name, or NULL */
	const char *description; /* metaData.description, or NULL */
};

/* Options; NULL or a zeroed struct means the defaults. */
struct delta_writer_options {
	int64_t checkpoint_interval; /* > 0: checkpoint after every version divisible by it */
	bool no_fsync;               /* skip fsync of files and directories (tests, scratch) */
	size_t row_group_rows;       /* Parquet row group size; 0: one row group per batch */
};

struct delta_writer;
struct delta_commit;

/* Creates the table directory (parents must exist; the directory may exist if it has no
 * `_delta_log/`) and commits version 0. LK_EEXISTS when root already holds a Delta table,
 * LK_EINVAL for a bad schema or partition column, LK_EUNSUPPORTED for a type or property
 * this writer cannot honour (variant, column mapping, deletion vectors, ...). */
struct delta_writer *delta_writer_create(const char *root, const struct delta_table_spec *spec,
					 const struct delta_writer_options *opts,
					 struct lk_error *err);
/* Continues an existing table at its latest version (read with delta_snapshot_load).
 * LK_ENOTFOUND when root is not a Delta table, LK_EUNSUPPORTED when its protocol needs a
 * writer feature this writer does not implement. */
struct delta_writer *delta_writer_open(const char *root, const struct delta_writer_options *opts,
				       struct lk_error *err);
void delta_writer_close(struct delta_writer *w);

/* The version the writer's state is at (the last version it wrote or read). */
int64_t delta_writer_version(const struct delta_writer *w);
/* The current table schema (owned by the writer; valid until the next commit). */
const struct delta_type *delta_writer_schema(const struct delta_writer *w);
/* The live data files of the current version, sorted by path (paths percent-decoded,
 * relative to the root). Owned by the writer; valid until the next commit. */
const struct delta_file *delta_writer_files(const struct delta_writer *w, size_t *n_files);
/* Change Data Feed is recorded at the current version. */
bool delta_writer_cdf_enabled(const struct delta_writer *w);
/* The error of the last automatic checkpoint (checkpoint_interval), or NULL when it
 * succeeded or none was due. A failed checkpoint never undoes the commit before it. */
const struct lk_error *delta_writer_checkpoint_error(const struct delta_writer *w);

/* Writes `<version>.checkpoint.parquet` of the current version and `_last_checkpoint`.
 * Rows: protocol, metaData, txns, live adds (with stats as JSON), and removes younger
 * than delta.deletedFileRetentionDuration (default one week) as tombstones. */
bool delta_writer_checkpoint(struct delta_writer *w, struct lk_error *err);

/* ---- commits ------------------------------------------------------------------------ */

/* Starts a commit of version delta_writer_version(w) + 1. NULL (LK_EINVAL) when another
 * commit of this writer is open. A call below that fails leaves the commit open and usable,
 * but it may hold part of what the call meant to do (delta_commit_rewrite: the remove
 * without the add): abort the commit unless the caller knows better. */
struct delta_commit *delta_commit_begin(struct delta_writer *w, struct lk_error *err);

/* Writes the batch's rows as one data file and records an `add`. The batch's columns are the
 * table's non-partition columns in schema order (names and types must match; a column of
 * type NULL is accepted for a nullable field); a batch with a row selection is refused.
 * partition_values holds one serialized value per partition column in the table's
 * partition column order (NULL = null; see delta_partition_value_format), or is NULL for
 * an unpartitioned table. The add path is returned in *path when path is not NULL (owned
 * by the commit until it ends). An empty batch writes nothing. */
bool delta_commit_add(struct delta_commit *c, const struct lk_batch *batch,
		      const char *const *partition_values, const char **path,
		      struct lk_error *err);
/* Records a `remove` of a live file (path as delta_writer_files lists it), with its
 * partition values and size. LK_ENOTFOUND when the file is not live; LK_EUNSUPPORTED on an
 * append-only table (delta.appendOnly=true). */
bool delta_commit_remove(struct delta_commit *c, const char *path, struct lk_error *err);
/* Writes a change data file: the batch's columns are the non-partition columns followed by
 * `_change_type` (string: insert, delete, update_preimage or update_postimage, never null);
 * partition values as for delta_commit_add. LK_ECDF_DISABLED when the Change Data Feed is
 * off for this commit. Once a commit has a cdc file, its changes are exactly its cdc files. */
bool delta_commit_add_cdc(struct delta_commit *c, const struct lk_batch *batch,
			  const char *const *partition_values, struct lk_error *err);
/* UPDATE/DELETE the way Databricks writes them (copy-on-write): removes old_path, adds
 * `rewritten` (the file's rows after the change; NULL or empty when none are left) in the
 * same partition, and, when the Change Data Feed is on, writes `changes` (rows with
 * `_change_type` update_preimage / update_postimage / delete) as a cdc file. The caller
 * computes both batches; this only writes them. */
bool delta_commit_rewrite(struct delta_commit *c, const char *old_path,
			  const struct lk_batch *rewritten, const struct lk_batch *changes,
			  struct lk_error *err);
/* Replaces the schema (metaData action): the same columns plus new nullable top-level
 * columns at the end (delta_schema_compare ADDITIVE). Later adds of this commit use it.
 * LK_ESCHEMA_CHANGE for anything else. */
bool delta_commit_set_schema(struct delta_commit *c, const char *schema_json,
			     struct lk_error *err);
/* Sets (value != NULL) or unsets a table property in this commit's metaData, e.g.
 * delta.enableChangeDataFeed. The protocol is upgraded when the property needs it.
 * LK_EUNSUPPORTED for properties this writer cannot honour. */
bool delta_commit_set_property(struct delta_commit *c, const char *key, const char *value,
			       struct lk_error *err);
/* Records a `txn` (application transaction id) for app_id. */
void delta_commit_set_txn(struct delta_commit *c, const char *app_id, int64_t txn_version);
/* Writes `_delta_log/<version>.json` (commitInfo with `operation`, then protocol and
 * metaData if changed, txns, removes, adds, cdc files) and frees the commit. *version gets
 * the committed version. LK_EEXISTS when another writer committed that version first; then
 * (as on any failure) the commit's files are removed and the writer's state is unchanged. */
bool delta_commit_finish(struct delta_commit *c, const char *operation, int64_t *version,
			 struct lk_error *err);
/* Removes the files the commit wrote and frees it. NULL is a no-op. */
void delta_commit_abort(struct delta_commit *c);

/* ---- the pieces below the commit (what the writer uses; tests may use them directly) ---- */

/* Where and how one data or change data file is written. */
struct delta_write_target {
	const char *root;
	int64_t version;                   /* for error messages */
	const struct delta_type *schema;   /* the table schema */
	const char *const *partition_columns;
	size_t n_partition_columns;
	const struct delta_map *partition_values; /* serialized; NULL value = null */
	bool cdc;                          /* a change data file (under _change_data/) */
	bool fsync;
	size_t row_group_rows;
};

struct delta_written_file {
	char *path;       /* relative to the root, not percent-encoded */
	char *local_path; /* on disk */
	int64_t size;
	char *stats;      /* the stats JSON (data files only), else NULL */
};

/* Writes a Parquet file (snappy) under `<root>/[_change_data/]<k=v/...>` named
 * part-00000-<uuid>-c000.snappy.parquet (cdc-00000-<uuid>.c000.snappy.parquet for change
 * data) and computes its stats: numRecords, and minValues / maxValues / nullCount for
 * columns outside lists and maps (strings cut to 32 characters, timestamps to ms). The
 * caller frees the strings of *out. */
bool delta_data_file_write(const struct delta_write_target *target, const struct lk_batch *batch,
			   struct delta_written_file *out, struct lk_error *err);

/* A table state to checkpoint. */
struct delta_checkpoint_state {
	int64_t version;
	const struct delta_protocol *protocol;
	const struct delta_metadata *metadata;
	const struct delta_file *files;
	size_t n_files;
	const struct delta_file_action *tombstones; /* removes still to keep */
	size_t n_tombstones;
	const struct delta_txn *txns;
	size_t n_txns;
	const struct delta_domain_metadata *domains;
	size_t n_domains;
};

/* Writes `<root>/_delta_log/<version>.checkpoint.parquet` (classic, V1 spec: one row per
 * action with top-level struct columns txn, add, remove, metaData, protocol,
 * domainMetadata) and then `_last_checkpoint`, each atomically (temporary file + rename). */
bool delta_checkpoint_write(const char *root, const struct delta_checkpoint_state *state,
			    bool fsync, struct lk_error *err);

/* Appends path (relative, as on disk) percent-encoded for the log and checkpoints: the
 * inverse of delta_path_decode ("a=x%3Ay/f" -> "a=x%253Ay/f"). */
void delta_path_encode(const char *path, struct lk_buf *out);

/* ---- partition values ----------------------------------------------------------------- */

/* Appends the Delta serialization of vec's value at row (the form partitionValues use):
 * integers and decimals as plain digits, floats in shortest round-trip form, booleans
 * true/false, dates YYYY-MM-DD, timestamps YYYY-MM-DDTHH:MM:SS.ffffffZ (UTC), timestamp_ntz
 * YYYY-MM-DD HH:MM:SS.ffffff, strings as they are. Sets *is_null (and appends nothing)
 * for a null. LK_EUNSUPPORTED for binary, nested and other types that cannot partition. */
bool delta_partition_value_format(const struct lk_vector *vec, size_t row, struct lk_buf *out,
				  bool *is_null, struct lk_error *err);

#endif
