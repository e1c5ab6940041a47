/* registry/registry.c: synced tables, runs, events and requests in schema `lakesync` of
 * the state database, with migrations; the cursor in each target database (see
 * registry.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <uuid/uuid.h>

#include "pg/pg.h"
#include "registry/registry.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/* Advisory lock keys (pg_advisory_xact_lock(bigint)): "lakesync" in ASCII, plus a slot. */
#define LOCK_REGISTRY_MIGRATIONS INT64_C(0x6c616b6573796e01)
#define LOCK_CURSOR_MIGRATIONS INT64_C(0x6c616b6573796e02)

struct registry {
	PGconn *conn;
};

/* Numbered migrations of the state database. Never edit one that has shipped: add the
 * next number. */
struct migration {
	int version;
	const char *sql;
};

static const struct migration migrations[] = {
	{ .version = 1,
	  .sql = "CREATE TABLE lakesync.synced_tables ("
		 " name text PRIMARY KEY,"
		 " database_instance_name text,"
		 " logical_database_name text,"
		 " effective_database_instance_name text NOT NULL,"
		 " effective_logical_database_name text NOT NULL,"
		 " spec jsonb NOT NULL,"
		 " status jsonb NOT NULL DEFAULT '{}',"
		 " pipeline_id uuid NOT NULL UNIQUE,"
		 " uc_state text NOT NULL DEFAULT 'PROVISIONING',"
		 " created_at timestamptz NOT NULL DEFAULT now(),"
		 " updated_at timestamptz NOT NULL DEFAULT now());"
		 "CREATE INDEX synced_tables_instance ON lakesync.synced_tables"
		 " (effective_database_instance_name, name);"
		 "CREATE TABLE lakesync.runs ("
		 " run_id bigserial PRIMARY KEY,"
		 " name text NOT NULL REFERENCES lakesync.synced_tables ON DELETE CASCADE,"
		 " kind text NOT NULL CHECK (kind IN ('full', 'incremental')),"
		 " started_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
		 " ended_at timestamptz,"
		 " from_version bigint,"
		 " to_version bigint,"
		 " rows_inserted bigint NOT NULL DEFAULT 0,"
		 " rows_updated bigint NOT NULL DEFAULT 0,"
		 " rows_deleted bigint NOT NULL DEFAULT 0,"
		 " rows_skipped bigint NOT NULL DEFAULT 0,"
		 " outcome text NOT NULL DEFAULT 'running'"
		 "  CHECK (outcome IN ('running', 'succeeded', 'failed', 'cancelled')),"
		 " message text,"
		 " engine text);"
		 "CREATE INDEX runs_by_table ON lakesync.runs (name, run_id DESC);"
		 "CREATE TABLE lakesync.events ("
		 " event_id bigserial PRIMARY KEY,"
		 " name text NOT NULL REFERENCES lakesync.synced_tables ON DELETE CASCADE,"
		 " at timestamptz NOT NULL DEFAULT clock_timestamp(),"
		 " level text NOT NULL,"
		 " message text NOT NULL);"
		 "CREATE INDEX events_by_table ON lakesync.events (name, event_id DESC);"
		 "CREATE TABLE lakesync.requests ("
		 " request_id bigserial PRIMARY KEY,"
		 " name text NOT NULL REFERENCES lakesync.synced_tables ON DELETE CASCADE,"
		 " full_refresh boolean NOT NULL DEFAULT false,"
		 " requested_at timestamptz NOT NULL DEFAULT clock_timestamp(),"
		 " taken_at timestamptz,"
		 " taken_by text,"
		 " done_at timestamptz,"
		 " outcome text,"
		 " message text);"
		 "CREATE INDEX requests_open ON lakesync.requests (request_id) WHERE taken_at IS NULL;" },
};

enum { N_MIGRATIONS = sizeof migrations / sizeof migrations[0] };

static bool exec_in_tx(PGconn *conn, const char *sql, struct lk_error *err)
{
	if (pg_exec(conn, sql, err))
		return true;
	PQclear(PQexec(conn, "ROLLBACK"));
	return false;
}

static bool registry_migrate(PGconn *conn, struct lk_error *err)
{
	char lock[96];
	snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%" PRId64 ")",
		 LOCK_REGISTRY_MIGRATIONS);
	if (!pg_exec(conn, "BEGIN", err) || !exec_in_tx(conn, lock, err) ||
	    !exec_in_tx(conn,
			"CREATE SCHEMA IF NOT EXISTS lakesync;"
			"CREATE TABLE IF NOT EXISTS lakesync.schema_migrations ("
			" version integer PRIMARY KEY,"
			" applied_at timestamptz NOT NULL DEFAULT now())",
			err))
		return lk_error_prefix(err, "registry migrations");
	PGresult *res = pg_query(conn, "SELECT coalesce(max(version), 0) FROM "
				       "lakesync.schema_migrations", 0, NULL, err);
	if (res == NULL) {
		PQclear(PQexec(conn, "ROLLBACK"));
		return lk_error_prefix(err, "registry migrations");
	}
	int current = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	if (current > migrations[N_MIGRATIONS - 1].version) {
		PQclear(PQexec(conn, "ROLLBACK"));
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "the registry schema is at version %d, newer than this lakesync "
				    "knows (%d): upgrade lakesync",
				    current, migrations[N_MIGRATIONS - 1].version);
	}
	for (size_t i = 0; i < N_MIGRATIONS; i++) {
		if (migrations[i].version <= current)
			continue;
		char record[96];
		snprintf(record, sizeof record,
			 "INSERT INTO lakesync.schema_migrations (version) VALUES (%d)",
			 migrations[i].version);
		if (!exec_in_tx(conn, migrations[i].sql, err) || !exec_in_tx(conn, record, err))
			return lk_error_prefix(err, "registry migration %d", migrations[i].version);
	}
	return pg_exec(conn, "COMMIT", err);
}

struct registry *registry_open(const char *conninfo, struct lk_error *err)
{
	PGconn *conn = pg_connect(conninfo, "lakesync registry", err);
	if (conn == NULL)
		return NULL;
	if (!pg_exec(conn, "SET TIME ZONE 'UTC'", err) || !registry_migrate(conn, err)) {
		PQfinish(conn);
		return NULL;
	}
	struct registry *reg = xcalloc(1, sizeof *reg);
	reg->conn = conn;
	return reg;
}

void registry_close(struct registry *reg)
{
	if (reg == NULL)
		return;
	PQfinish(reg->conn);
	free(reg);
}

PGconn *registry_conn(struct registry *reg)
{
	return reg->conn;
}

int registry_schema_version(struct registry *reg, struct lk_error *err)
{
	PGresult *res = pg_query(reg->conn, "SELECT max(version) FROM lakesync.schema_migrations",
				 0, NULL, err);
	if (res == NULL)
		return -1;
	int v = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return v;
}

/* ---- synced tables ------------------------------------------------------------------- */

static const char TABLE_COLUMNS[] =
	"name, database_instance_name, logical_database_name, effective_database_instance_name,"
	" effective_logical_database_name, spec::text, status::text, pipeline_id::text, uc_state";

static const char *nullable(const PGresult *res, int row, int col)
{
	return PQgetisnull(res, row, col) ? NULL : PQgetvalue(res, row, col);
}

static char *dup_nullable(const PGresult *res, int row, int col)
{
	const char *v = nullable(res, row, col);
	return v ? xstrdup(v) : NULL;
}

static bool table_from_row(const PGresult *res, int row, struct model_table *t,
			   struct lk_error *err)
{
	model_table_init(t);
	t->name = dup_nullable(res, row, 0);
	t->database_instance_name = dup_nullable(res, row, 1);
	t->logical_database_name = dup_nullable(res, row, 2);
	t->effective_database_instance_name = dup_nullable(res, row, 3);
	t->effective_logical_database_name = dup_nullable(res, row, 4);
	if (!model_spec_parse(PQgetvalue(res, row, 5), &t->spec, err) ||
	    !model_status_parse(PQgetvalue(res, row, 6), &t->status, err)) {
		lk_error_prefix(err, "registry: synced table %s", t->name);
		model_table_free(t);
		return false;
	}
	t->has_status = true;
	free(t->status.pipeline_id);
	t->status.pipeline_id = dup_nullable(res, row, 7);
	const char *uc = PQgetvalue(res, row, 8);
	for (int s = 1; s < MODEL_UC_COUNT; s++)
		if (strcmp(uc, model_uc_state_name((enum model_uc_state)s)) == 0)
			t->uc_state = (enum model_uc_state)s;
	return true;
}

bool registry_table_create(struct registry *reg, struct model_table *t, struct lk_error *err)
{
	if (t->status.pipeline_id == NULL || t->status.pipeline_id[0] == '\0') {
		uuid_t id;
		char text[37];
		uuid_generate_random(id);
		uuid_unparse_lower(id, text);
		free(t->status.pipeline_id);
		t->status.pipeline_id = xstrdup(text);
	}
	if (t->uc_state == MODEL_UC_UNSET)
		t->uc_state = MODEL_UC_PROVISIONING;
	if (t->status.detailed_state == MODEL_STATE_UNSET)
		t->status.detailed_state = MODEL_STATE_PROVISIONING;
	t->has_status = true;
	char *spec = model_spec_to_json(&t->spec);
	char *status = model_status_to_json(&t->status);
	const char *params[] = { t->name, t->database_instance_name, t->logical_database_name,
				 t->effective_database_instance_name,
				 t->effective_logical_database_name, spec, status,
				 t->status.pipeline_id, model_uc_state_name(t->uc_state) };
	PGresult *res = pg_query(reg->conn,
				 "INSERT INTO lakesync.synced_tables (name, database_instance_name,"
				 " logical_database_name, effective_database_instance_name,"
				 " effective_logical_database_name, spec, status, pipeline_id, uc_state)"
				 " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
				 " ON CONFLICT (name) DO NOTHING",
				 9, params, err);
	free(spec);
	free(status);
	if (res == NULL)
		return false;
	bool inserted = strcmp(PQcmdTuples(res), "1") == 0;
	PQclear(res);
	if (!inserted)
		return lk_error_set(err, LK_EEXISTS, "synced table %s already exists", t->name);
	return true;
}

bool registry_table_get(struct registry *reg, const char *name, struct model_table *out,
			struct lk_error *err)
{
	char sql[512];
	snprintf(sql, sizeof sql, "SELECT %s FROM lakesync.synced_tables WHERE name = $1",
		 TABLE_COLUMNS);
	const char *params[] = { name };
	PGresult *res = pg_query(reg->conn, sql, 1, params, err);
	if (res == NULL)
		return false;
	bool ok;
	if (PQntuples(res) == 0)
		ok = lk_error_set(err, LK_ENOTFOUND, "synced table %s does not exist", name);
	else
		ok = table_from_row(res, 0, out, err);
	PQclear(res);
	return ok;
}

/* Runs an UPDATE/DELETE of one synced table; LK_ENOTFOUND when no row matched. */
static bool exec_one_row(struct registry *reg, const char *sql, int n, const char *const *params,
			 const char *name, struct lk_error *err)
{
	PGresult *res = pg_query(reg->conn, sql, n, params, err);
	if (res == NULL)
		return false;
	bool found = strcmp(PQcmdTuples(res), "0") != 0;
	PQclear(res);
	if (!found)
		return lk_error_set(err, LK_ENOTFOUND, "synced table %s does not exist", name);
	return true;
}

bool registry_table_update_spec(struct registry *reg, const struct model_table *t,
				struct lk_error *err)
{
	char *spec = model_spec_to_json(&t->spec);
	const char *params[] = { t->name, spec };
	bool ok = exec_one_row(reg,
			       "UPDATE lakesync.synced_tables SET spec = $2, updated_at = now()"
			       " WHERE name = $1",
			       2, params, t->name, err);
	free(spec);
	return ok;
}

/* The catalog-side state that goes with a pipeline state. */
static enum model_uc_state uc_state_for(enum model_state state)
{
	if (state == MODEL_STATE_ONLINE_PIPELINE_FAILED)
		return MODEL_UC_DEGRADED;
	if (model_state_is_online(state))
		return MODEL_UC_ACTIVE;
	if (model_state_is_failed(state))
		return MODEL_UC_FAILED;
	return MODEL_UC_PROVISIONING;
}

bool registry_table_set_status(struct registry *reg, const char *name,
			       const struct model_status *status, struct lk_error *err)
{
	char *json = model_status_to_json(status);
	const char *uc = model_uc_state_name(uc_state_for(status->detailed_state));
	const char *params[] = { name, json, uc };
	bool ok = exec_one_row(reg,
			       "UPDATE lakesync.synced_tables SET status = $2, uc_state = $3,"
			       " updated_at = now() WHERE name = $1",
			       3, params, name, err);
	free(json);
	return ok;
}

bool registry_table_delete(struct registry *reg, const char *name, struct lk_error *err)
{
	const char *params[] = { name };
	return exec_one_row(reg, "DELETE FROM lakesync.synced_tables WHERE name = $1", 1, params,
			    name, err);
}

bool registry_table_list(struct registry *reg, const char *instance, size_t page_size,
			 const char *page_token, struct registry_page *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	if (page_size == 0 || page_size > 1000)
		page_size = 1000;
	char sql[640], limit[24];
	snprintf(sql, sizeof sql,
		 "SELECT %s FROM lakesync.synced_tables"
		 " WHERE ($1::text IS NULL OR effective_database_instance_name = $1)"
		 " AND ($2::text IS NULL OR name > $2) ORDER BY name LIMIT $3::int + 1",
		 TABLE_COLUMNS);
	snprintf(limit, sizeof limit, "%zu", page_size);
	const char *params[] = { instance, page_token && *page_token ? page_token : NULL, limit };
	PGresult *res = pg_query(reg->conn, sql, 3, params, err);
	if (res == NULL)
		return false;
	size_t rows = (size_t)PQntuples(res);
	size_t n = rows > page_size ? page_size : rows;
	out->tables = xcalloc(n ? n : 1, sizeof *out->tables);
	for (size_t i = 0; i < n; i++) {
		if (!table_from_row(res, (int)i, &out->tables[i], err)) {
			PQclear(res);
			registry_page_free(out);
			return false;
		}
		out->count++;
	}
	if (rows > page_size)
		out->next_page_token = xstrdup(out->tables[n - 1].name);
	PQclear(res);
	return true;
}

void registry_page_free(struct registry_page *page)
{
	for (size_t i = 0; i < page->count; i++)
		model_table_free(&page->tables[i]);
	free(page->tables);
	free(page->next_page_token);
	memset(page, 0, sizeof *page);
}

/* ---- runs ---------------------------------------------------------------------------- */

static const char *const outcome_names[] = {
	[REGISTRY_RUN_RUNNING] = "running",
	[REGISTRY_RUN_SUCCEEDED] = "succeeded",
	[REGISTRY_RUN_FAILED] = "failed",
	[REGISTRY_RUN_CANCELLED] = "cancelled",
};

static const char *const kind_names[] = {
	[REGISTRY_RUN_FULL] = "full",
	[REGISTRY_RUN_INCREMENTAL] = "incremental",
};

const char *registry_outcome_name(enum registry_outcome outcome)
{
	return outcome_names[outcome];
}

const char *registry_run_kind_name(enum registry_run_kind kind)
{
	return kind_names[kind];
}

/* Either case: the API writes the names in upper case ("SUCCEEDED"), the registry in lower. */
static bool name_index(const char *const *names, size_t count, const char *text, size_t *out)
{
	for (size_t i = 0; i < count; i++) {
		if (strcasecmp(names[i], text) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

bool registry_outcome_parse(const char *text, enum registry_outcome *out)
{
	size_t i;
	if (!name_index(outcome_names, sizeof outcome_names / sizeof outcome_names[0], text, &i))
		return false;
	*out = (enum registry_outcome)i;
	return true;
}

bool registry_run_kind_parse(const char *text, enum registry_run_kind *out)
{
	size_t i;
	if (!name_index(kind_names, sizeof kind_names / sizeof kind_names[0], text, &i))
		return false;
	*out = (enum registry_run_kind)i;
	return true;
}

static void format_i64(char *buf, size_t size, int64_t v)
{
	snprintf(buf, size, "%" PRId64, v);
}

bool registry_run_begin(struct registry *reg, const char *name, enum registry_run_kind kind,
			int64_t from_version, const char *engine, int64_t *run_id,
			struct lk_error *err)
{
	char from[24];
	format_i64(from, sizeof from, from_version);
	const char *params[] = { name, kind_names[kind], from_version >= 0 ? from : NULL, engine };
	PGresult *res = pg_query(reg->conn,
				 "INSERT INTO lakesync.runs (name, kind, from_version, engine)"
				 " VALUES ($1, $2, $3, $4) RETURNING run_id",
				 4, params, err);
	if (res == NULL)
		return false;
	*run_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return true;
}

bool registry_run_end(struct registry *reg, int64_t run_id, const struct registry_run *r,
		      struct lk_error *err)
{
	char id[24], to[24], ins[24], upd[24], del[24], skip[24];
	format_i64(id, sizeof id, run_id);
	format_i64(to, sizeof to, r->to_version);
	format_i64(ins, sizeof ins, r->rows_inserted);
	format_i64(upd, sizeof upd, r->rows_updated);
	format_i64(del, sizeof del, r->rows_deleted);
	format_i64(skip, sizeof skip, r->rows_skipped);
	const char *params[] = { id, r->to_version >= 0 ? to : NULL, ins, upd, del, skip,
				 outcome_names[r->outcome], r->message, kind_names[r->kind] };
	PGresult *res = pg_query(reg->conn,
				 "UPDATE lakesync.runs SET ended_at = clock_timestamp(),"
				 " to_version = $2, rows_inserted = $3, rows_updated = $4,"
				 " rows_deleted = $5, rows_skipped = $6, outcome = $7, message = $8,"
				 " kind = $9 WHERE run_id = $1",
				 9, params, err);
	PQclear(res);
	return res != NULL;
}

static int64_t row_i64(const PGresult *res, int row, int col, int64_t if_null)
{
	return PQgetisnull(res, row, col) ? if_null : strtoll(PQgetvalue(res, row, col), NULL, 10);
}

bool registry_runs_list(struct registry *reg, const char *name, size_t limit,
			struct registry_run **runs, size_t *count, struct lk_error *err)
{
	char lim[24];
	snprintf(lim, sizeof lim, "%zu", limit ? limit : 100);
	const char *params[] = { name, lim };
	PGresult *res = pg_query(
		reg->conn,
		"SELECT run_id, kind, (extract(epoch FROM started_at) * 1000000)::bigint,"
		" (extract(epoch FROM ended_at) * 1000000)::bigint, from_version, to_version,"
		" rows_inserted, rows_updated, rows_deleted, rows_skipped, outcome, message, engine"
		" FROM lakesync.runs WHERE name = $1 ORDER BY run_id DESC LIMIT $2::int",
		2, params, err);
	if (res == NULL)
		return false;
	*count = (size_t)PQntuples(res);
	*runs = xcalloc(*count ? *count : 1, sizeof **runs);
	for (size_t i = 0; i < *count; i++) {
		struct registry_run *r = &(*runs)[i];
		int row = (int)i;
		r->id = row_i64(res, row, 0, 0);
		r->kind = strcmp(PQgetvalue(res, row, 1), "full") == 0 ? REGISTRY_RUN_FULL
									 : REGISTRY_RUN_INCREMENTAL;
		r->started_us = row_i64(res, row, 2, 0);
		r->ended_us = row_i64(res, row, 3, 0);
		r->from_version = row_i64(res, row, 4, -1);
		r->to_version = row_i64(res, row, 5, -1);
		r->rows_inserted = row_i64(res, row, 6, 0);
		r->rows_updated = row_i64(res, row, 7, 0);
		r->rows_deleted = row_i64(res, row, 8, 0);
		r->rows_skipped = row_i64(res, row, 9, 0);
		for (size_t o = 0; o < sizeof outcome_names / sizeof outcome_names[0]; o++)
			if (strcmp(PQgetvalue(res, row, 10), outcome_names[o]) == 0)
				r->outcome = (enum registry_outcome)o;
		r->message = dup_nullable(res, row, 11);
		r->engine = dup_nullable(res, row, 12);
	}
	PQclear(res);
	return true;
}

void registry_runs_free(struct registry_run *runs, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		free(runs[i].message);
		free(runs[i].engine);
	}
	free(runs);
}

bool registry_event_add(struct registry *reg, const char *name, const char *level,
			const char *message, struct lk_error *err)
{
	const char *params[] = { name, level, message };
	PGresult *res = pg_query(reg->conn,
				 "INSERT INTO lakesync.events (name, level, message) VALUES ($1, $2, $3)",
				 3, params, err);
	PQclear(res);
	return res != NULL;
}

bool registry_events_list(struct registry *reg, const char *name, size_t limit,
			  struct registry_event **events, size_t *count, struct lk_error *err)
{
	char lim[24];
	snprintf(lim, sizeof lim, "%zu", limit ? limit : 100);
	const char *params[] = { name, lim };
	PGresult *res = pg_query(reg->conn,
				 "SELECT event_id, (extract(epoch FROM at) * 1000000)::bigint, level,"
				 " message FROM lakesync.events WHERE name = $1"
				 " ORDER BY event_id DESC LIMIT $2::int",
				 2, params, err);
	if (res == NULL)
		return false;
	*count = (size_t)PQntuples(res);
	*events = xcalloc(*count ? *count : 1, sizeof **events);
	for (size_t i = 0; i < *count; i++) {
		struct registry_event *ev = &(*events)[i];
		ev->id = row_i64(res, (int)i, 0, 0);
		ev->at_us = row_i64(res, (int)i, 1, 0);
		snprintf(ev->level, sizeof ev->level, "%s", PQgetvalue(res, (int)i, 2));
		ev->message = xstrdup(PQgetvalue(res, (int)i, 3));
	}
	PQclear(res);
	return true;
}

void registry_events_free(struct registry_event *events, size_t count)
{
	for (size_t i = 0; i < count; i++)
		free(events[i].message);
	free(events);
}

/* ---- cursor -------------------------------------------------------------------------- */

bool registry_cursor_prepare(PGconn *target, struct lk_error *err)
{
	char lock[96];
	snprintf(lock, sizeof lock, "SELECT pg_advisory_xact_lock(%" PRId64 ")",
		 LOCK_CURSOR_MIGRATIONS);
	if (!pg_exec(target, "BEGIN", err) || !exec_in_tx(target, lock, err) ||
	    !exec_in_tx(target,
			"CREATE SCHEMA IF NOT EXISTS lakesync;"
			"CREATE TABLE IF NOT EXISTS lakesync.cursors ("
			" synced_table text PRIMARY KEY,"
			" pipeline_id text NOT NULL,"
			" delta_version bigint NOT NULL,"
			" delta_commit_timestamp timestamptz,"
			" updated_at timestamptz NOT NULL DEFAULT now())",
			err))
		return lk_error_prefix(err, "preparing the cursor table");
	return pg_exec(target, "COMMIT", err);
}

bool registry_cursor_get(PGconn *target, const char *name, const char *pipeline_id,
			 int64_t *version, struct lk_error *err)
{
	const char *params[] = { name, pipeline_id };
	PGresult *res = pg_query(target,
				 "SELECT delta_version FROM lakesync.cursors WHERE synced_table = $1"
				 " AND pipeline_id = $2",
				 2, params, err);
	if (res == NULL)
		return false;
	*version = PQntuples(res) ? strtoll(PQgetvalue(res, 0, 0), NULL, 10) : -1;
	PQclear(res);
	return true;
}

bool registry_cursor_set(PGconn *target, const char *name, const char *pipeline_id,
			 int64_t version, int64_t commit_timestamp_us, struct lk_error *err)
{
	char v[24], ts[LK_RFC3339_MAX];
	format_i64(v, sizeof v, version);
	if (commit_timestamp_us)
		lk_time_format_rfc3339(commit_timestamp_us, LK_TIME_MICROS, ts, sizeof ts);
	const char *params[] = { name, v, commit_timestamp_us ? ts : NULL, pipeline_id };
	PGresult *res = pg_query(target,
				 "INSERT INTO lakesync.cursors (synced_table, delta_version,"
				 " delta_commit_timestamp, pipeline_id) VALUES ($1, $2, $3, $4)"
				 " ON CONFLICT (synced_table) DO UPDATE SET delta_version = $2,"
				 " delta_commit_timestamp = $3, pipeline_id = $4, updated_at = now()",
				 4, params, err);
	PQclear(res);
	return res != NULL;
}

bool registry_cursor_delete(PGconn *target, const char *name, struct lk_error *err)
{
	const char *params[] = { name };
	PGresult *res = pg_query(target, "DELETE FROM lakesync.cursors WHERE synced_table = $1", 1,
				 params, err);
	PQclear(res);
	return res != NULL;
}

/* ---- Sync-now requests ------------------------------------------------------------------ */

bool registry_request_sync(struct registry *reg, const char *name, bool full_refresh,
			   int64_t *request_id, struct lk_error *err)
{
	const char *params[] = { name, full_refresh ? "true" : "false" };
	PGresult *res = pg_query(reg->conn,
				 "WITH r AS (INSERT INTO lakesync.requests (name, full_refresh)"
				 " SELECT name, $2::boolean FROM lakesync.synced_tables WHERE name = $1"
				 " RETURNING request_id)"
				 " SELECT request_id, pg_notify('lakesync_requests', $1) FROM r",
				 2, params, err);
	if (res == NULL)
		return false;
	bool found = PQntuples(res) > 0;
	if (found)
		*request_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	if (!found)
		return lk_error_set(err, LK_ENOTFOUND, "synced table %s does not exist", name);
	return true;
}

bool registry_request_take(struct registry *reg, const char *engine,
			   struct registry_request *out, bool *found, struct lk_error *err)
{
	const char *params[] = { engine };
	PGresult *res = pg_query(reg->conn,
				 "UPDATE lakesync.requests SET taken_at = clock_timestamp(), taken_by = $1"
				 " WHERE request_id = (SELECT request_id FROM lakesync.requests"
				 " WHERE taken_at IS NULL ORDER BY request_id LIMIT 1"
				 " FOR UPDATE SKIP LOCKED)"
				 " RETURNING request_id, name, full_refresh",
				 1, params, err);
	if (res == NULL)
		return false;
	*found = PQntuples(res) > 0;
	if (*found) {
		out->id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
		snprintf(out->name, sizeof out->name, "%s", PQgetvalue(res, 0, 1));
		out->full_refresh = strcmp(PQgetvalue(res, 0, 2), "t") == 0;
	}
	PQclear(res);
	return true;
}

bool registry_request_release(struct registry *reg, int64_t request_id, struct lk_error *err)
{
	char id[24];
	format_i64(id, sizeof id, request_id);
	const char *params[] = { id };
	PGresult *res = pg_query(reg->conn,
				 "UPDATE lakesync.requests SET taken_at = NULL, taken_by = NULL"
				 " WHERE request_id = $1",
				 1, params, err);
	PQclear(res);
	return res != NULL;
}

bool registry_request_done(struct registry *reg, int64_t request_id, bool succeeded,
			   const char *message, struct lk_error *err)
{
	char id[24];
	format_i64(id, sizeof id, request_id);
	const char *params[] = { id, succeeded ? "succeeded" : "failed", message };
	PGresult *res = pg_query(reg->conn,
				 "UPDATE lakesync.requests SET done_at = clock_timestamp(), outcome = $2,"
				 " message = $3 WHERE request_id = $1",
				 3, params, err);
	PQclear(res);
	return res != NULL;
}

bool registry_request_status(struct registry *reg, int64_t request_id, bool *done,
			     bool *succeeded, char *message, size_t message_size,
			     struct lk_error *err)
{
	char id[24];
	format_i64(id, sizeof id, request_id);
	const char *params[] = { id };
	PGresult *res = pg_query(reg->conn,
				 "SELECT done_at IS NOT NULL, outcome, coalesce(message, '')"
				 " FROM lakesync.requests WHERE request_id = $1",
				 1, params, err);
	if (res == NULL)
		return false;
	bool ok = PQntuples(res) == 1;
	if (ok) {
		*done = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
		*succeeded = strcmp(PQgetvalue(res, 0, 1), "succeeded") == 0;
		snprintf(message, message_size, "%s", PQgetvalue(res, 0, 2));
	} else {
		lk_error_set(err, LK_ENOTFOUND, "request %s vanished (its table was deleted)", id);
	}
	PQclear(res);
	return ok;
}
