/* engine/target.c: the PostgreSQL side of a pipeline: column plan, load table and swap,
 * staging apply (see target.h). */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "api/model.h"
#include "catalog/catalog.h"
#include "delta/delta.h"
#include "engine/target.h"
#include "registry/registry.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* The advisory lock that serialises CREATE SCHEMA ("lakesync" in ASCII, slot 3). */
#define LOCK_CREATE_SCHEMA INT64_C(0x6c616b6573796e03)

/* ---- plan ---------------------------------------------------------------------------- */

bool target_type_storable(const struct delta_type *type)
{
	switch (type->kind) {
	case DELTA_TYPE_VARIANT:
	case DELTA_TYPE_INTERVAL:
		return false;
	case DELTA_TYPE_STRUCT:
		for (size_t i = 0; i < type->n_fields; i++)
			if (!target_type_storable(type->fields[i].type))
				return false;
		return true;
	case DELTA_TYPE_ARRAY:
		return target_type_storable(type->element);
	case DELTA_TYPE_MAP:
		return target_type_storable(type->key) && target_type_storable(type->value);
	default:
		return true;
	}
}

static bool type_is_nested(const struct delta_type *type)
{
	return type->kind == DELTA_TYPE_STRUCT || type->kind == DELTA_TYPE_ARRAY ||
	       type->kind == DELTA_TYPE_MAP;
}

static long plan_find(const struct target_table *t, const char *name)
{
	for (size_t i = 0; i < t->n_columns; i++)
		if (strcmp(t->columns[i].name, name) == 0)
			return (long)i;
	return -1;
}

/* The key or timeseries column `name`, which must exist and be scalar. */
static bool plan_key_column(const struct target_table *t, const struct delta_type *schema,
			    const char *name, const char *role, long *index, struct lk_error *err)
{
	*index = plan_find(t, name);
	if (*index < 0)
		return lk_error_set(err, LK_EINVAL,
				    "synced table %s: %s column '%s' is not a column of the source "
				    "table",
				    t->sync_name, role, name);
	const struct delta_field *f = delta_schema_find(schema, name);
	if (f && type_is_nested(f->type))
		return lk_error_set(err, LK_EINVAL,
				    "synced table %s: %s column '%s' is a nested type; keys must "
				    "be scalar",
				    t->sync_name, role, name);
	return true;
}

/* A name for the load table that fits PostgreSQL's 63 bytes and cannot collide: a prefix,
 * the table name shortened, and a hash of the full synced-table name. */
static char *load_table_name(const char *sync_name, const char *table)
{
	uLong crc = crc32(0L, (const Bytef *)sync_name, (uInt)strlen(sync_name));
	return xasprintf("__lakesync_%.32s_%08lx", table, crc & 0xffffffffUL); /* <= 52 bytes */
}

bool target_plan(const char *sync_name, const char *pipeline_id, const struct delta_type *schema,
		 const struct model_spec *spec, struct target_table *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	out->ts_column = -1;
	struct catalog_name name;
	if (!catalog_name_parse(sync_name, "synced table name", &name, err))
		return false;
	out->sync_name = xstrdup(sync_name);
	out->pipeline_id = xstrdup(pipeline_id ? pipeline_id : "");
	out->schema = name.schema;
	out->table = name.table;
	free(name.catalog);
	out->load_table = load_table_name(sync_name, out->table);
	out->nul_policy = PG_NUL_FAIL;
	if (spec->invalid_characters && !pg_nul_policy_parse(spec->invalid_characters,
							     &out->nul_policy, err))
		goto fail;

	out->columns = xcalloc(schema->n_fields ? schema->n_fields : 1, sizeof *out->columns);
	struct lk_buf unsupported = LK_BUF_INIT;
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct delta_field *f = &schema->fields[i];
		struct target_column *c = &out->columns[out->n_columns++];
		c->name = xstrdup(f->name);
		c->type = delta_type_lk_id(f->type);
		c->precision = f->type->precision;
		c->scale = f->type->scale;
		c->pg_type = pg_type_for(c->type);
		if (!target_type_storable(f->type) || c->pg_type == PG_TYPE_UNSUPPORTED) {
			lk_buf_printf(&unsupported, "%s%s (", unsupported.len ? ", " : "", f->name);
			delta_type_format(f->type, &unsupported);
			lk_buf_append_byte(&unsupported, ')');
		}
		if (strlen(f->name) > 63)
			lk_buf_printf(&unsupported, "%s%s (name longer than 63 bytes)",
				      unsupported.len ? ", " : "", f->name);
	}
	if (unsupported.len) {
		lk_error_set(err, LK_EUNSUPPORTED,
			     "synced table %s: columns of types PostgreSQL cannot hold: %s",
			     sync_name, lk_buf_cstr(&unsupported));
		lk_buf_free(&unsupported);
		goto fail;
	}
	lk_buf_free(&unsupported);

	out->keys = xcalloc(spec->n_primary_key_columns ? spec->n_primary_key_columns : 1,
			    sizeof *out->keys);
	for (size_t k = 0; k < spec->n_primary_key_columns; k++) {
		long index;
		if (!plan_key_column(out, schema, spec->primary_key_columns[k], "primary key",
				     &index, err))
			goto fail;
		out->keys[out->n_keys++] = (size_t)index;
		out->columns[index].is_key = true;
	}
	if (spec->timeseries_key &&
	    !plan_key_column(out, schema, spec->timeseries_key, "timeseries key", &out->ts_column,
			     err))
		goto fail;
	return true;
fail:
	target_table_free(out);
	return false;
}

void target_table_free(struct target_table *t)
{
	for (size_t i = 0; i < t->n_columns; i++)
		free(t->columns[i].name);
	free(t->columns);
	free(t->keys);
	free(t->sync_name);
	free(t->pipeline_id);
	free(t->schema);
	free(t->table);
	free(t->load_table);
	memset(t, 0, sizeof *t);
}

const char **target_column_names(const struct target_table *t)
{
	const char **names = xcalloc(t->n_columns + 1, sizeof *names);
	for (size_t i = 0; i < t->n_columns; i++)
		names[i] = t->columns[i].name;
	return names;
}

/* ---- SQL helpers ----------------------------------------------------------------------- */

static void append_column_list(struct lk_buf *sql, const struct target_table *t,
			       const char *prefix)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		if (i)
			lk_buf_append_str(sql, ", ");
		lk_buf_append_str(sql, prefix);
		pg_quote_ident(sql, t->columns[i].name);
	}
}

static void append_column_defs(struct lk_buf *sql, const struct target_table *t)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		const struct target_column *c = &t->columns[i];
		if (i)
			lk_buf_append_str(sql, ", ");
		pg_quote_ident(sql, c->name);
		lk_buf_append_byte(sql, ' ');
		pg_type_sql(c->type, c->precision, c->scale, sql);
		if (c->is_key)
			lk_buf_append_str(sql, " NOT NULL");
	}
}

/* "a.k1 = b.k1 AND a.k2 = b.k2" */
static void append_key_match(struct lk_buf *sql, const struct target_table *t, const char *a,
			     const char *b)
{
	for (size_t k = 0; k < t->n_keys; k++) {
		const char *col = t->columns[t->keys[k]].name;
		if (k)
			lk_buf_append_str(sql, " AND ");
		lk_buf_printf(sql, "%s.", a);
		pg_quote_ident(sql, col);
		lk_buf_printf(sql, " = %s.", b);
		pg_quote_ident(sql, col);
	}
}

static void append_key_list(struct lk_buf *sql, const struct target_table *t, const char *prefix)
{
	for (size_t k = 0; k < t->n_keys; k++) {
		if (k)
			lk_buf_append_str(sql, ", ");
		lk_buf_append_str(sql, prefix);
		pg_quote_ident(sql, t->columns[t->keys[k]].name);
	}
}

static bool exec_buf(PGconn *conn, struct lk_buf *sql, struct lk_error *err)
{
	bool ok = pg_exec(conn, lk_buf_cstr(sql), err);
	lk_buf_reset(sql);
	return ok;
}

static void rollback(PGconn *conn)
{
	PQclear(PQexec(conn, "ROLLBACK"));
}

/* ---- full load ------------------------------------------------------------------------ */

bool target_prepare(PGconn *conn, const struct target_table *t, bool create_schema,
		    struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	bool ok;
	if (create_schema) {
		/* CREATE SCHEMA IF NOT EXISTS races with itself (two pipelines creating one
		 * schema); an advisory lock serialises them. */
		lk_buf_printf(&sql, "BEGIN; SELECT pg_advisory_xact_lock(%" PRId64 ");"
				    " CREATE SCHEMA IF NOT EXISTS ", LOCK_CREATE_SCHEMA);
		pg_quote_ident(&sql, t->schema);
		lk_buf_append_str(&sql, "; COMMIT");
		ok = exec_buf(conn, &sql, err);
		if (!ok)
			rollback(conn);
	} else {
		const char *params[] = { t->schema };
		PGresult *res = pg_query(conn, "SELECT 1 FROM pg_namespace WHERE nspname = $1", 1,
					 params, err);
		ok = res != NULL;
		if (ok && PQntuples(res) == 0)
			ok = lk_error_set(err, LK_ENOTFOUND,
					  "schema %s does not exist in the target database (set "
					  "spec.create_database_objects_if_missing to create it)",
					  t->schema);
		PQclear(res);
	}
	lk_buf_free(&sql);
	return ok && registry_cursor_prepare(conn, err);
}

bool target_load_drop(PGconn *conn, const struct target_table *t, struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_append_str(&sql, "DROP TABLE IF EXISTS ");
	pg_quote_qualified(&sql, t->schema, t->load_table);
	bool ok = exec_buf(conn, &sql, err);
	lk_buf_free(&sql);
	return ok;
}

bool target_load_create(PGconn *conn, const struct target_table *t, struct lk_error *err)
{
	if (!target_load_drop(conn, t, err))
		return false;
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_append_str(&sql, "CREATE TABLE ");
	pg_quote_qualified(&sql, t->schema, t->load_table);
	lk_buf_append_str(&sql, " (");
	append_column_defs(&sql, t);
	lk_buf_append_str(&sql, ")");
	bool ok = exec_buf(conn, &sql, err);
	lk_buf_free(&sql);
	return ok;
}

void target_load_copy_sql(const struct target_table *t, struct lk_buf *out)
{
	lk_buf_append_str(out, "COPY ");
	pg_quote_qualified(out, t->schema, t->load_table);
	lk_buf_append_str(out, " (");
	append_column_list(out, t, "");
	lk_buf_append_str(out, ") FROM STDIN (FORMAT binary)");
}

/* Turns PostgreSQL's unique violation into the API's error class with the key. */
static bool duplicate_key_error(const struct target_table *t, struct lk_error *err)
{
	if (err == NULL || err->code != LK_EPG || strstr(err->message, "23505") == NULL)
		return false;
	const char *key = strstr(err->message, "Key (");
	char detail[512];
	snprintf(detail, sizeof detail, "%s", key ? key + 4 : "(unknown)");
	char *end = strstr(detail, " is duplicated");
	if (end == NULL)
		end = strstr(detail, " already exists");
	if (end)
		*end = '\0';
	return lk_error_set(err, LK_EPK_VIOLATION,
			    "synced table %s: the source has more than one row with primary key "
			    "%s (set spec.timeseries_key to keep the latest one)",
			    t->sync_name, detail);
}

bool target_load_finish(PGconn *conn, const struct target_table *t, struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	bool ok = true;
	if (t->ts_column >= 0) {
		/* keep the row with the latest timeseries value per key (nulls lose; ties keep
		 * the row loaded last) */
		const char *ts = t->columns[t->ts_column].name;
		lk_buf_append_str(&sql, "DELETE FROM ");
		pg_quote_qualified(&sql, t->schema, t->load_table);
		lk_buf_append_str(&sql, " a USING ");
		pg_quote_qualified(&sql, t->schema, t->load_table);
		lk_buf_append_str(&sql, " b WHERE ");
		append_key_match(&sql, t, "a", "b");
		lk_buf_append_str(&sql, " AND (b.");
		pg_quote_ident(&sql, ts);
		lk_buf_append_str(&sql, " > a.");
		pg_quote_ident(&sql, ts);
		lk_buf_append_str(&sql, " OR (a.");
		pg_quote_ident(&sql, ts);
		lk_buf_append_str(&sql, " IS NULL AND b.");
		pg_quote_ident(&sql, ts);
		lk_buf_append_str(&sql, " IS NOT NULL) OR (a.");
		pg_quote_ident(&sql, ts);
		lk_buf_append_str(&sql, " IS NOT DISTINCT FROM b.");
		pg_quote_ident(&sql, ts);
		lk_buf_append_str(&sql, " AND b.ctid > a.ctid))");
		ok = exec_buf(conn, &sql, err);
	}
	if (ok) {
		char *pkey = xasprintf("%s_pkey", t->load_table);
		lk_buf_append_str(&sql, "ALTER TABLE ");
		pg_quote_qualified(&sql, t->schema, t->load_table);
		lk_buf_append_str(&sql, " ADD CONSTRAINT ");
		pg_quote_ident(&sql, pkey);
		lk_buf_append_str(&sql, " PRIMARY KEY (");
		free(pkey);
		append_key_list(&sql, t, "");
		lk_buf_append_str(&sql, ")");
		ok = exec_buf(conn, &sql, err);
		if (!ok)
			duplicate_key_error(t, err);
	}
	if (ok) {
		lk_buf_append_str(&sql, "ANALYZE ");
		pg_quote_qualified(&sql, t->schema, t->load_table);
		ok = exec_buf(conn, &sql, err);
	}
	lk_buf_free(&sql);
	return ok;
}

/* The statements that re-create the old table's user indexes and grants on the new one:
 * index definitions name the table, which the new table takes over by rename. */
static bool swap_collect_extras(PGconn *conn, const struct target_table *t, struct lk_buf *extras,
				struct lk_error *err)
{
	const char *params[] = { t->schema, t->table };
	PGresult *res = pg_query(
		conn,
		"SELECT pg_get_indexdef(i.indexrelid) FROM pg_index i"
		" JOIN pg_class c ON c.oid = i.indrelid"
		" JOIN pg_namespace n ON n.oid = c.relnamespace"
		" WHERE n.nspname = $1 AND c.relname = $2"
		" AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)"
		" ORDER BY i.indexrelid",
		2, params, err);
	if (res == NULL)
		return false;
	for (int r = 0; r < PQntuples(res); r++)
		lk_buf_printf(extras, "%s;\n", PQgetvalue(res, r, 0));
	PQclear(res);
	res = pg_query(conn,
		       "SELECT a.privilege_type, CASE WHEN a.grantee = 0 THEN 'PUBLIC'"
		       " ELSE quote_ident(pg_get_userbyid(a.grantee)) END, a.is_grantable"
		       " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace,"
		       " aclexplode(c.relacl) a"
		       " WHERE n.nspname = $1 AND c.relname = $2 AND a.grantee <> c.relowner",
		       2, params, err);
	if (res == NULL)
		return false;
	for (int r = 0; r < PQntuples(res); r++) {
		lk_buf_printf(extras, "GRANT %s ON ", PQgetvalue(res, r, 0));
		pg_quote_qualified(extras, t->schema, t->table);
		lk_buf_printf(extras, " TO %s%s;\n", PQgetvalue(res, r, 1),
			      strcmp(PQgetvalue(res, r, 2), "t") == 0 ? " WITH GRANT OPTION" : "");
	}
	PQclear(res);
	return true;
}

bool target_swap(PGconn *conn, const struct target_table *t, int64_t version,
		 int64_t commit_timestamp_us, struct lk_error *err)
{
	bool exists;
	if (!pg_exec(conn, "BEGIN; SET LOCAL lock_timeout = '60s'", err))
		return false;
	if (!target_exists(conn, t, &exists, err))
		goto fail;
	struct lk_buf sql = LK_BUF_INIT, extras = LK_BUF_INIT;
	bool ok = true;
	if (exists) {
		lk_buf_append_str(&sql, "LOCK TABLE ");
		pg_quote_qualified(&sql, t->schema, t->table);
		lk_buf_append_str(&sql, " IN ACCESS EXCLUSIVE MODE");
		ok = exec_buf(conn, &sql, err) && swap_collect_extras(conn, t, &extras, err);
		if (ok) {
			lk_buf_append_str(&sql, "DROP TABLE ");
			pg_quote_qualified(&sql, t->schema, t->table);
			ok = exec_buf(conn, &sql, err);
		}
	}
	if (ok) {
		char *pkey = xasprintf("%s_pkey", t->load_table);
		char *new_pkey = xasprintf("%.58s_pkey", t->table);
		lk_buf_append_str(&sql, "ALTER TABLE ");
		pg_quote_qualified(&sql, t->schema, t->load_table);
		lk_buf_append_str(&sql, " RENAME TO ");
		pg_quote_ident(&sql, t->table);
		lk_buf_append_str(&sql, "; ALTER INDEX ");
		pg_quote_qualified(&sql, t->schema, pkey);
		lk_buf_append_str(&sql, " RENAME TO ");
		pg_quote_ident(&sql, new_pkey);
		ok = exec_buf(conn, &sql, err);
		free(pkey);
		free(new_pkey);
	}
	if (ok && extras.len)
		ok = pg_exec(conn, lk_buf_cstr(&extras), err);
	ok = ok && registry_cursor_set(conn, t->sync_name, t->pipeline_id, version, commit_timestamp_us, err) &&
	     pg_exec(conn, "COMMIT", err);
	lk_buf_free(&sql);
	lk_buf_free(&extras);
	if (ok)
		return true;
fail:
	rollback(conn);
	return lk_error_prefix(err, "synced table %s: swapping in the new table", t->sync_name);
}

bool target_exists(PGconn *conn, const struct target_table *t, bool *exists,
		   struct lk_error *err)
{
	const char *params[] = { t->schema, t->table };
	PGresult *res = pg_query(conn,
				 "SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
				 " WHERE n.nspname = $1 AND c.relname = $2 AND c.relkind IN ('r', 'p')",
				 2, params, err);
	if (res == NULL)
		return false;
	*exists = PQntuples(res) > 0;
	PQclear(res);
	return true;
}

bool target_drop(PGconn *conn, const char *schema, const char *table, struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_append_str(&sql, "DROP TABLE IF EXISTS ");
	pg_quote_qualified(&sql, schema, table);
	bool ok = exec_buf(conn, &sql, err);
	lk_buf_free(&sql);
	return ok;
}

/* ---- incremental apply ---------------------------------------------------------------- */

static const char STAGE[] = "lakesync_stage";
static const char NET[] = "lakesync_net";

bool target_stage_create(PGconn *conn, const struct target_table *t, struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_printf(&sql, "CREATE TEMP TABLE %s (", STAGE);
	append_column_defs(&sql, t);
	lk_buf_append_str(&sql, ", _change_type text NOT NULL, _commit_version bigint NOT NULL,"
				" _seq bigint NOT NULL) ON COMMIT DROP");
	bool ok = exec_buf(conn, &sql, err);
	lk_buf_free(&sql);
	return ok;
}

void target_stage_copy_sql(const struct target_table *t, struct lk_buf *out)
{
	lk_buf_printf(out, "COPY %s (", STAGE);
	append_column_list(out, t, "");
	lk_buf_append_str(out, ", _change_type, _commit_version, _seq) FROM STDIN (FORMAT binary)");
}

/* Runs a query whose first row, if any, describes a duplicate key; fails with it. */
static bool check_duplicates(PGconn *conn, const struct target_table *t, struct lk_buf *sql,
			     struct lk_error *err)
{
	PGresult *res = pg_query(conn, lk_buf_cstr(sql), 0, NULL, err);
	lk_buf_reset(sql);
	if (res == NULL)
		return false;
	bool dup = PQntuples(res) > 0;
	if (dup)
		lk_error_set(err, LK_EPK_VIOLATION,
			     "synced table %s: the change feed inserts primary key %s, which "
			     "already exists (set spec.timeseries_key to keep the latest row)",
			     t->sync_name, PQgetvalue(res, 0, 0));
	PQclear(res);
	return !dup;
}

/* "(k1, k2)=(v1, v2)" as a SQL text expression, for the duplicate-key message. */
static void append_key_text(struct lk_buf *sql, const struct target_table *t, const char *alias)
{
	struct lk_buf names = LK_BUF_INIT;
	lk_buf_append_byte(&names, '(');
	for (size_t k = 0; k < t->n_keys; k++)
		lk_buf_printf(&names, "%s%s", k ? ", " : "", t->columns[t->keys[k]].name);
	lk_buf_append_str(&names, ")=(");
	pg_quote_literal(sql, lk_buf_cstr(&names));
	lk_buf_free(&names);
	lk_buf_append_str(sql, " || concat_ws(', '");
	for (size_t k = 0; k < t->n_keys; k++) {
		lk_buf_printf(sql, ", %s.", alias);
		pg_quote_ident(sql, t->columns[t->keys[k]].name);
	}
	lk_buf_append_str(sql, ") || ')'");
}

/* Without a timeseries key, a key inserted twice in one version, or inserted while it
 * exists in the target and was not deleted before, means the source has duplicates. */
static bool stage_check_duplicates(PGconn *conn, const struct target_table *t,
				   struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_append_str(&sql, "SELECT ");
	append_key_text(&sql, t, STAGE);
	lk_buf_printf(&sql, " FROM %s GROUP BY ", STAGE);
	append_key_list(&sql, t, "");
	lk_buf_append_str(&sql, ", _commit_version HAVING count(*) FILTER (WHERE _change_type ="
				" 'insert') > 1 + count(*) FILTER (WHERE _change_type = 'delete')"
				" LIMIT 1");
	if (!check_duplicates(conn, t, &sql, err)) {
		lk_buf_free(&sql);
		return false;
	}
	lk_buf_append_str(&sql, "SELECT ");
	append_key_text(&sql, t, "s");
	lk_buf_printf(&sql, " FROM %s s JOIN ", STAGE);
	pg_quote_qualified(&sql, t->schema, t->table);
	lk_buf_append_str(&sql, " x ON ");
	append_key_match(&sql, t, "s", "x");
	lk_buf_printf(&sql, " WHERE s._change_type = 'insert' AND NOT EXISTS (SELECT 1 FROM %s d"
			    " WHERE ", STAGE);
	append_key_match(&sql, t, "d", "s");
	lk_buf_append_str(&sql, " AND d._change_type = 'delete' AND (d._commit_version, d._seq) <"
				" (s._commit_version, s._seq)) LIMIT 1");
	bool ok = check_duplicates(conn, t, &sql, err);
	lk_buf_free(&sql);
	return ok;
}

static bool stage_build_net(PGconn *conn, const struct target_table *t, struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_printf(&sql, "CREATE TEMP TABLE %s ON COMMIT DROP AS SELECT DISTINCT ON (", NET);
	append_key_list(&sql, t, "");
	lk_buf_printf(&sql, ") * FROM %s WHERE _change_type <> 'update_preimage' ORDER BY ", STAGE);
	append_key_list(&sql, t, "");
	if (t->ts_column >= 0) {
		lk_buf_append_str(&sql, ", ");
		pg_quote_ident(&sql, t->columns[t->ts_column].name);
		lk_buf_append_str(&sql, " DESC NULLS LAST");
	}
	lk_buf_append_str(&sql, ", _commit_version DESC, _seq DESC");
	bool ok = exec_buf(conn, &sql, err);
	lk_buf_free(&sql);
	return ok;
}

/* `changes` is the net-change table, or the stage itself when its keys are unique. */
static bool stage_delete(PGconn *conn, const struct target_table *t, const char *changes,
			 int64_t *deleted, struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_append_str(&sql, "DELETE FROM ");
	pg_quote_qualified(&sql, t->schema, t->table);
	lk_buf_printf(&sql, " x USING %s n WHERE ", changes);
	append_key_match(&sql, t, "x", "n");
	lk_buf_append_str(&sql, " AND n._change_type = 'delete'");
	PGresult *res = pg_query(conn, lk_buf_cstr(&sql), 0, NULL, err);
	lk_buf_free(&sql);
	if (res == NULL)
		return false;
	*deleted = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	return true;
}

/* Upserts the inserts and post-images of `changes`. The split of the rows it wrote into
 * inserted and updated follows the change types (updates = post-images, at most all the
 * rows written): asking PostgreSQL per row (RETURNING xmax) costs more than it tells. */
static bool stage_upsert(PGconn *conn, const struct target_table *t, const char *changes,
			 int64_t postimages, struct target_apply_counts *counts,
			 struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_append_str(&sql, "INSERT INTO ");
	pg_quote_qualified(&sql, t->schema, t->table);
	lk_buf_append_str(&sql, " AS x (");
	append_column_list(&sql, t, "");
	lk_buf_append_str(&sql, ") SELECT ");
	append_column_list(&sql, t, "");
	lk_buf_printf(&sql, " FROM %s WHERE _change_type IN ('insert', 'update_postimage')"
			    " ON CONFLICT (", changes);
	append_key_list(&sql, t, "");
	bool any_value = t->n_keys < t->n_columns;
	if (!any_value) {
		lk_buf_append_str(&sql, ") DO NOTHING");
	} else {
		lk_buf_append_str(&sql, ") DO UPDATE SET ");
		bool first = true;
		for (size_t i = 0; i < t->n_columns; i++) {
			if (t->columns[i].is_key)
				continue;
			lk_buf_append_str(&sql, first ? "" : ", ");
			pg_quote_ident(&sql, t->columns[i].name);
			lk_buf_append_str(&sql, " = EXCLUDED.");
			pg_quote_ident(&sql, t->columns[i].name);
			first = false;
		}
		if (t->ts_column >= 0) { /* an older row never overwrites a newer one */
			lk_buf_append_str(&sql, " WHERE x.");
			pg_quote_ident(&sql, t->columns[t->ts_column].name);
			lk_buf_append_str(&sql, " IS NULL OR x.");
			pg_quote_ident(&sql, t->columns[t->ts_column].name);
			lk_buf_append_str(&sql, " <= EXCLUDED.");
			pg_quote_ident(&sql, t->columns[t->ts_column].name);
		}
	}
	PGresult *res = pg_query(conn, lk_buf_cstr(&sql), 0, NULL, err);
	lk_buf_free(&sql);
	if (res == NULL) {
		duplicate_key_error(t, err);
		return false;
	}
	int64_t written = strtoll(PQcmdTuples(res), NULL, 10);
	PQclear(res);
	counts->updated = postimages < written ? postimages : written;
	counts->inserted = written - counts->updated;
	return true;
}

/* Logs how long each step of an apply took, at debug level. */
static void log_step(const struct target_table *t, const char *step, int64_t *since_ns)
{
	int64_t now = lk_clock_monotonic_ns();
	lk_log(LK_LOG_DEBUG, "%s: apply: %s took %.1f ms", t->sync_name, step,
	       (double)(now - *since_ns) / 1e6);
	*since_ns = now;
}

bool target_stage_apply(PGconn *conn, const struct target_table *t, int64_t version,
			int64_t commit_timestamp_us, const struct target_stage_facts *facts,
			struct target_apply_counts *counts, struct lk_error *err)
{
	bool has_inserts = facts->inserts > 0;
	memset(counts, 0, sizeof *counts);
	int64_t t0 = lk_clock_monotonic_ns();
	/* Temporary tables get no autovacuum statistics. The duplicate checks join the stage
	 * with the synced table and need them; the apply's own statements plan well from the
	 * table's size alone (measured with bench/sync), so updates and deletes skip it. */
	if (t->ts_column < 0 && has_inserts &&
	    (!pg_exec(conn, "ANALYZE lakesync_stage", err) || !stage_check_duplicates(conn, t, err)))
		return false;
	log_step(t, "duplicate-key checks", &t0);
	/* With every key staged once, the stage is its own net change. */
	const char *changes = facts->keys_unique ? STAGE : NET;
	if (!facts->keys_unique && !stage_build_net(conn, t, err))
		return false;
	log_step(t, "net change", &t0);
	if (!stage_delete(conn, t, changes, &counts->deleted, err))
		return false;
	log_step(t, "delete", &t0);
	if (!stage_upsert(conn, t, changes, facts->postimages, counts, err))
		return false;
	log_step(t, "upsert", &t0);
	return registry_cursor_set(conn, t->sync_name, t->pipeline_id, version, commit_timestamp_us, err);
}

bool target_add_missing_columns(PGconn *conn, const struct target_table *t, size_t *added,
				struct lk_error *err)
{
	*added = 0;
	const char *params[] = { t->schema, t->table };
	/* pg_catalog, not information_schema: the same answer in a fraction of the time, on
	 * the path of every incremental transaction */
	PGresult *res = pg_query(conn,
				 "SELECT a.attname FROM pg_attribute a"
				 " JOIN pg_class c ON c.oid = a.attrelid"
				 " JOIN pg_namespace n ON n.oid = c.relnamespace"
				 " WHERE n.nspname = $1 AND c.relname = $2"
				 " AND a.attnum > 0 AND NOT a.attisdropped",
				 2, params, err);
	if (res == NULL)
		return false;
	struct lk_buf sql = LK_BUF_INIT;
	bool ok = true;
	for (size_t i = 0; i < t->n_columns && ok; i++) {
		bool present = false;
		for (int r = 0; r < PQntuples(res) && !present; r++)
			present = strcmp(PQgetvalue(res, r, 0), t->columns[i].name) == 0;
		if (present)
			continue;
		lk_buf_append_str(&sql, "ALTER TABLE ");
		pg_quote_qualified(&sql, t->schema, t->table);
		lk_buf_append_str(&sql, " ADD COLUMN ");
		pg_quote_ident(&sql, t->columns[i].name);
		lk_buf_append_byte(&sql, ' ');
		pg_type_sql(t->columns[i].type, t->columns[i].precision, t->columns[i].scale, &sql);
		ok = exec_buf(conn, &sql, err);
		(*added)++;
	}
	PQclear(res);
	lk_buf_free(&sql);
	return ok;
}
