/* engine/target.h: the synced table's PostgreSQL side, as the engine drives it: the column
 * plan derived from the source schema and the spec, the load table of a full load and its
 * atomic swap, and the staging-table apply of incremental changes. Every statement quotes
 * its identifiers. The cursor is written inside the same transactions (invariant 1).
 * Engine-internal header; functions take the connection they work on and fail with *err. */
#ifndef LK_ENGINE_TARGET_H
#define LK_ENGINE_TARGET_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "pg/pg.h"
#include "util/error.h"

struct delta_type;
struct model_spec;

struct target_column {
	char *name;
	enum lk_type_id type;
	uint8_t precision, scale;
	enum pg_type_id pg_type;
	bool is_key;
};

struct target_table {
	char *sync_name;   /* catalog.schema.table of the synced table */
	char *pipeline_id; /* keys the cursor together with sync_name */
	char *schema;      /* PostgreSQL schema */
	char *table;       /* PostgreSQL table */
	char *load_table;  /* the full load's new table, in the same schema */
	struct target_column *columns;
	size_t n_columns;
	size_t *keys;      /* indexes of the primary-key columns, in key order */
	size_t n_keys;
	long ts_column;    /* timeseries key column, or -1 */
	enum pg_nul_policy nul_policy;
};

/* Whether a (possibly nested) type can be stored: VARIANT and intervals cannot. */
bool target_type_storable(const struct delta_type *type);
/* Builds the plan from the source schema (a struct type) and the spec. Refuses, naming
 * every offending column: unsupported types (VARIANT, intervals), primary-key or timeseries
 * columns that do not exist or are not scalar. */
bool target_plan(const char *sync_name, const char *pipeline_id, const struct delta_type *schema,
		 const struct model_spec *spec, struct target_table *out, struct lk_error *err);
void target_table_free(struct target_table *t);
/* The column names in plan order, for the scan projection (pointers into t). */
const char **target_column_names(const struct target_table *t);

/* Creates the schema if missing (when allowed) and the cursor table. */
bool target_prepare(PGconn *conn, const struct target_table *t, bool create_schema,
		    struct lk_error *err);
/* Drops a leftover load table of an interrupted load and creates it empty. */
bool target_load_create(PGconn *conn, const struct target_table *t, struct lk_error *err);
bool target_load_drop(PGconn *conn, const struct target_table *t, struct lk_error *err);
/* The COPY statement that fills the load table (binary). */
void target_load_copy_sql(const struct target_table *t, struct lk_buf *out);
/* Keeps the latest row per key when a timeseries key is set, then builds the primary key.
 * Duplicate keys fail with LK_EPK_VIOLATION naming the key. */
bool target_load_finish(PGconn *conn, const struct target_table *t, struct lk_error *err);
/* One transaction: the load table replaces the synced table (its user indexes and grants
 * re-created), and the cursor moves to version. */
bool target_swap(PGconn *conn, const struct target_table *t, int64_t version,
		 int64_t commit_timestamp_us, struct lk_error *err);

/* Incremental apply, inside a transaction the caller opened: */
/* Creates the temporary staging table (target columns + _change_type, _commit_version,
 * _seq), dropped at commit. */
bool target_stage_create(PGconn *conn, const struct target_table *t, struct lk_error *err);
void target_stage_copy_sql(const struct target_table *t, struct lk_buf *out);
struct target_apply_counts {
	int64_t inserted, updated, deleted;
};
/* What the caller saw of the staged rows while encoding them. */
struct target_stage_facts {
	int64_t inserts;      /* rows of change type insert */
	int64_t postimages;   /* rows of change type update_postimage */
	bool keys_unique;     /* no key was staged twice (then no net-change step is needed) */
};

/* Applies the net change per key of the staged rows to the synced table and moves the
 * cursor; the caller commits. The staged change types must be insert, delete or
 * update_postimage (the caller checks them as it encodes). LK_EPK_VIOLATION for duplicate
 * keys, which only inserts can cause: no inserts skips that check. */
bool target_stage_apply(PGconn *conn, const struct target_table *t, int64_t version,
			int64_t commit_timestamp_us, const struct target_stage_facts *facts,
			struct target_apply_counts *counts, struct lk_error *err);
/* Adds columns of the plan that the synced table lacks (an additive schema change);
 * *added says how many. Inside the caller's transaction. */
bool target_add_missing_columns(PGconn *conn, const struct target_table *t, size_t *added,
				struct lk_error *err);
/* Whether the synced table exists. */
bool target_exists(PGconn *conn, const struct target_table *t, bool *exists,
		   struct lk_error *err);
/* Drops the synced table (delete with purge). */
bool target_drop(PGconn *conn, const char *schema, const char *table, struct lk_error *err);

#endif
