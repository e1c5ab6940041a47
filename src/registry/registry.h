/* registry/registry.h: the state of every synced table, kept in PostgreSQL.
 *
 * The registry lives in schema `lakesync` of the state database (by default the target
 * database): the synced tables (name, spec and status as JSON, pipeline id), their run
 * history, an event log per table (the console's Log tab), and Sync-now requests that one
 * engine leaves for another (a row plus NOTIFY lakesync_requests). It is created and
 * upgraded by numbered migrations, applied under an advisory lock so that engines starting
 * together do not race.
 *
 * The cursor (the Delta version a synced table has reached) does NOT live here: it lives in
 * schema `lakesync` of each TARGET database, because it must be written in the same
 * transaction as the rows it covers (registry_cursor_* take the target connection).
 *
 * A struct registry wraps one libpq connection: one per thread. Failures fill *err
 * (LK_ENOTFOUND, LK_EEXISTS, LK_ECONN for a lost connection, LK_EPG otherwise). */
#ifndef LK_REGISTRY_REGISTRY_H
#define LK_REGISTRY_REGISTRY_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/model.h"
#include "util/error.h"

struct registry;

/* Connects to the state database and applies any pending migrations. */
struct registry *registry_open(const char *conninfo, struct lk_error *err);
void registry_close(struct registry *reg);
PGconn *registry_conn(struct registry *reg);
/* The highest migration applied (for tests and `lakesync version --verbose`). */
int registry_schema_version(struct registry *reg, struct lk_error *err);

/* ---- synced tables ------------------------------------------------------------------- */

/* Stores a new synced table; t->status.pipeline_id is generated when empty. */
bool registry_table_create(struct registry *reg, struct model_table *t, struct lk_error *err);
bool registry_table_get(struct registry *reg, const char *name, struct model_table *out,
			struct lk_error *err);
/* Replaces the stored spec and input fields (PATCH). */
bool registry_table_update_spec(struct registry *reg, const struct model_table *t,
				struct lk_error *err);
bool registry_table_set_status(struct registry *reg, const char *name,
			       const struct model_status *status, struct lk_error *err);
bool registry_table_delete(struct registry *reg, const char *name, struct lk_error *err);

struct registry_page {
	struct model_table *tables;
	size_t count;
	char *next_page_token; /* NULL on the last page */
};

/* Lists synced tables ordered by name; instance NULL lists all. page_token is the
 * next_page_token of the previous page (NULL for the first). */
bool registry_table_list(struct registry *reg, const char *instance, size_t page_size,
			 const char *page_token, struct registry_page *out, struct lk_error *err);
void registry_page_free(struct registry_page *page);

/* ---- runs ---------------------------------------------------------------------------- */

enum registry_run_kind { REGISTRY_RUN_FULL, REGISTRY_RUN_INCREMENTAL };
enum registry_outcome {
	REGISTRY_RUN_RUNNING,
	REGISTRY_RUN_SUCCEEDED,
	REGISTRY_RUN_FAILED,
	REGISTRY_RUN_CANCELLED,
};

struct registry_run {
	int64_t id;
	enum registry_run_kind kind;
	int64_t started_us, ended_us;     /* ended 0 while running */
	int64_t from_version, to_version; /* -1 = unknown */
	int64_t rows_inserted, rows_updated, rows_deleted, rows_skipped;
	enum registry_outcome outcome;
	char *message;
	char *engine;                     /* which engine ran it (host:pid) */
};

const char *registry_outcome_name(enum registry_outcome outcome);
const char *registry_run_kind_name(enum registry_run_kind kind);
/* The enum whose name is text, in either case ("succeeded", "SUCCEEDED"); false when none. */
bool registry_outcome_parse(const char *text, enum registry_outcome *out);
bool registry_run_kind_parse(const char *text, enum registry_run_kind *out);

bool registry_run_begin(struct registry *reg, const char *name, enum registry_run_kind kind,
			int64_t from_version, const char *engine, int64_t *run_id,
			struct lk_error *err);
/* Records the end of a run: outcome, versions, counts, message, and its kind (a run that
 * began incremental may have fallen back to a full load). */
bool registry_run_end(struct registry *reg, int64_t run_id, const struct registry_run *result,
		      struct lk_error *err);
/* The newest runs first, at most limit. Free with registry_runs_free. */
bool registry_runs_list(struct registry *reg, const char *name, size_t limit,
			struct registry_run **runs, size_t *count, struct lk_error *err);
void registry_runs_free(struct registry_run *runs, size_t count);

/* ---- events -------------------------------------------------------------------------- */

bool registry_event_add(struct registry *reg, const char *name, const char *level,
			const char *message, struct lk_error *err);

struct registry_event {
	int64_t id;
	int64_t at_us;
	char level[16];
	char *message;
};

/* The newest events of a table first, at most limit. Free with registry_events_free. */
bool registry_events_list(struct registry *reg, const char *name, size_t limit,
			  struct registry_event **events, size_t *count, struct lk_error *err);
void registry_events_free(struct registry_event *events, size_t count);

/* ---- Sync-now requests (from one engine or a CLI to the engine that holds a table) ---- */

struct registry_request {
	int64_t id;
	char name[256];
	bool full_refresh;
};

/* Files a request and notifies listeners of channel lakesync_requests. */
bool registry_request_sync(struct registry *reg, const char *name, bool full_refresh,
			   int64_t *request_id, struct lk_error *err);
/* Takes the oldest open request (*found false when there is none). */
bool registry_request_take(struct registry *reg, const char *engine,
			   struct registry_request *out, bool *found, struct lk_error *err);
/* Puts a taken request back (another engine holds the table). */
bool registry_request_release(struct registry *reg, int64_t request_id, struct lk_error *err);
bool registry_request_done(struct registry *reg, int64_t request_id, bool succeeded,
			   const char *message, struct lk_error *err);
bool registry_request_status(struct registry *reg, int64_t request_id, bool *done,
			     bool *succeeded, char *message, size_t message_size,
			     struct lk_error *err);

/* ---- cursor (in the TARGET database) ----------------------------------------------- */

/* Creates schema lakesync and its cursor table in the target database if missing. */
bool registry_cursor_prepare(PGconn *target, struct lk_error *err);
/* The applied Delta version, or -1 when this pipeline never loaded the table. The cursor is
 * keyed by the synced table's name and its pipeline id, so a table deleted and created
 * again under the same name starts with a full load. */
bool registry_cursor_get(PGconn *target, const char *name, const char *pipeline_id,
			 int64_t *version, struct lk_error *err);
/* Sets the cursor; call it inside the transaction that writes the rows of `version`. */
bool registry_cursor_set(PGconn *target, const char *name, const char *pipeline_id,
			 int64_t version, int64_t commit_timestamp_us, struct lk_error *err);
bool registry_cursor_delete(PGconn *target, const char *name, struct lk_error *err);

#endif
