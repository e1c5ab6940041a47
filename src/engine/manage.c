/* engine/manage.c: create, update and delete synced tables with their checks (see
 * manage.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "catalog/catalog.h"
#include "delta/delta.h"
#include "engine/manage.h"
#include "engine/pipeline.h"
#include "engine/target.h"
#include "pg/pg.h"
#include "util/buf.h"
#include "util/xmalloc.h"

struct registry *manage_open_registry(const struct conf *conf, struct lk_error *err)
{
	struct lk_buf conninfo = LK_BUF_INIT;
	struct registry *reg = conf_state_conninfo(conf, &conninfo, err)
				       ? registry_open(lk_buf_cstr(&conninfo), err)
				       : NULL;
	lk_buf_free(&conninfo);
	return reg;
}

/* The project part of an instance name "project[/branch]" must be configured. */
static bool resolve_instance(const struct conf *conf, struct model_table *t,
			     struct lk_error *err)
{
	const char *instance = t->database_instance_name;
	if (instance == NULL) {
		const struct conf_project *p = conf_project_find(conf, "default");
		instance = p ? p->name : conf->projects[0].name;
	}
	char *project = xstrdup(instance);
	char *branch = strchr(project, '/');
	if (branch)
		*branch++ = '\0';
	const struct conf_project *p = conf_project_find(conf, project);
	bool ok = p != NULL;
	if (!ok)
		lk_error_set(err, LK_ENOTFOUND,
			     "database instance '%s' is not configured (projects: see the "
			     "configuration file)",
			     project);
	else if (branch && conf_branch_find(p, branch) == NULL)
		ok = lk_error_set(err, LK_ENOTFOUND, "project '%s' has no branch '%s'", project,
				  branch);
	free(project);
	if (ok) {
		free(t->effective_database_instance_name);
		t->effective_database_instance_name = xstrdup(instance);
	}
	return ok;
}

/* The database rows go to: the request's, the branch's default, or libpq's default
 * (asked of the server, so that the stored name is concrete). */
static bool resolve_database(const struct conf *conf, struct model_table *t,
			     struct lk_error *err)
{
	free(t->effective_logical_database_name);
	t->effective_logical_database_name = NULL;
	if (t->logical_database_name) {
		t->effective_logical_database_name = xstrdup(t->logical_database_name);
		return true;
	}
	struct lk_buf conninfo = LK_BUF_INIT;
	bool ok = pipeline_target_conninfo(conf, t, &conninfo, err);
	PGconn *conn = ok ? pg_connect(lk_buf_cstr(&conninfo), "lakesync", err) : NULL;
	lk_buf_free(&conninfo);
	if (conn == NULL)
		return false;
	PGresult *res = pg_query(conn, "SELECT current_database()", 0, NULL, err);
	if (res)
		t->effective_logical_database_name = xstrdup(PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(conn);
	return res != NULL;
}

/* Checks the source table against the spec (columns, types, Change Data Feed). */
static bool check_source(const struct conf *conf, const struct model_table *t,
			 struct lk_error *err)
{
	struct catalog_name name;
	if (!catalog_name_parse(t->spec.source_table_full_name, "spec.source_table_full_name",
				&name, err))
		return false;
	char *root = catalog_table_root(conf->catalog_root, &name, err);
	catalog_name_free(&name);
	struct delta_table *table = root ? delta_table_open(root, err) : NULL;
	struct delta_snapshot *snap = table ? delta_snapshot_load(table, -1, err) : NULL;
	bool ok = snap != NULL;
	struct target_table plan;
	if (ok && (ok = target_plan(t->name, NULL, snap->schema, &t->spec, &plan, err)))
		target_table_free(&plan);
	if (ok && t->spec.scheduling_policy != MODEL_POLICY_SNAPSHOT &&
	    !delta_cdf_enabled(&snap->protocol, &snap->metadata))
		ok = lk_error_set(err, LK_ECDF_DISABLED,
				  "%s scheduling needs Change Data Feed on the source table %s. Run "
				  "ALTER TABLE %s SET TBLPROPERTIES (delta.enableChangeDataFeed = "
				  "true) or use SNAPSHOT",
				  model_policy_name(t->spec.scheduling_policy),
				  t->spec.source_table_full_name, t->spec.source_table_full_name);
	if (snap)
		delta_snapshot_free(snap);
	if (table)
		delta_table_free(table);
	free(root);
	return ok;
}

bool manage_create(const struct conf *conf, struct registry *reg, struct model_table *t,
		   struct lk_error *err)
{
	model_table_clear_output(t); /* output-only fields of a request are ignored */
	if (!model_table_validate_create(t, err))
		return false;
	struct model_table existing;
	struct lk_error get_err = LK_ERROR_INIT;
	if (registry_table_get(reg, t->name, &existing, &get_err)) {
		model_table_free(&existing);
		return lk_error_set(err, LK_EEXISTS, "synced table %s already exists", t->name);
	}
	if (get_err.code != LK_ENOTFOUND) {
		if (err)
			*err = get_err;
		return false;
	}
	if (!resolve_instance(conf, t, err) || !check_source(conf, t, err) ||
	    !resolve_database(conf, t, err))
		return false;
	t->has_status = true;
	t->status.detailed_state = MODEL_STATE_PROVISIONING;
	t->uc_state = MODEL_UC_PROVISIONING;
	return registry_table_create(reg, t, err);
}

bool manage_update(const struct conf *conf, struct registry *reg, const char *name,
		   const struct model_table *patch, const char *update_mask,
		   struct model_table *out, struct lk_error *err)
{
	if (!registry_table_get(reg, name, out, err))
		return false;
	bool ok = model_table_apply_update(out, patch, update_mask, err) &&
		  check_source(conf, out, err) && registry_table_update_spec(reg, out, err);
	if (!ok)
		model_table_free(out);
	return ok;
}

bool manage_delete(const struct conf *conf, struct registry *reg, const char *name, bool purge,
		   struct lk_error *err)
{
	struct model_table t;
	if (!registry_table_get(reg, name, &t, err))
		return false;
	/* the pipeline's lock: no run may be writing while the table goes away */
	const char *params[] = { name };
	PGresult *res = pg_query(registry_conn(reg),
				 "SELECT pg_try_advisory_lock(hashtextextended($1, 27499))", 1,
				 params, err);
	bool ok = res != NULL;
	if (ok && strcmp(PQgetvalue(res, 0, 0), "t") != 0)
		ok = lk_error_set(err, LK_EBUSY,
				  "synced table %s is being synced right now; try again when the run "
				  "ends",
				  name);
	bool locked = ok;
	PQclear(res);
	if (ok && purge) {
		struct catalog_name parts;
		struct lk_buf conninfo = LK_BUF_INIT;
		PGconn *target = NULL;
		ok = catalog_name_parse(name, "name", &parts, err) &&
		     pipeline_target_conninfo(conf, &t, &conninfo, err) &&
		     (target = pg_connect(lk_buf_cstr(&conninfo), "lakesync", err)) != NULL &&
		     registry_cursor_prepare(target, err) &&
		     pg_exec(target, "BEGIN", err) &&
		     target_drop(target, parts.schema, parts.table, err) &&
		     registry_cursor_delete(target, name, err) && pg_exec(target, "COMMIT", err);
		if (!ok && target)
			PQclear(PQexec(target, "ROLLBACK"));
		if (parts.catalog)
			catalog_name_free(&parts);
		PQfinish(target);
		lk_buf_free(&conninfo);
	}
	if (ok)
		ok = registry_table_delete(reg, name, err);
	if (locked)
		PQclear(PQexecParams(registry_conn(reg),
				     "SELECT pg_advisory_unlock(hashtextextended($1, 27499))", 1, NULL,
				     params, NULL, NULL, 0));
	model_table_free(&t);
	return ok;
}

/* ---- preview --------------------------------------------------------------------------- */

static bool name_ends_with(const char *name, const char *suffix)
{
	size_t n = strlen(name), k = strlen(suffix);
	return n > k && strcmp(name + n - k, suffix) == 0;
}

static void preview_suggest_key(struct manage_preview *p)
{
	for (size_t i = 0; i < p->n_columns; i++) {
		if (strcmp(p->columns[i].name, "id") == 0 && p->columns[i].target_type) {
			p->columns[i].suggested_key = true;
			return;
		}
	}
	for (size_t i = 0; i < p->n_columns; i++) {
		const char *name = p->columns[i].name;
		if ((name_ends_with(name, "_id") || name_ends_with(name, "_key")) &&
		    p->columns[i].target_type && strcmp(p->columns[i].target_type, "jsonb") != 0) {
			p->columns[i].suggested_key = true;
			return;
		}
	}
}

static int64_t preview_rows(const struct delta_snapshot *snap)
{
	int64_t rows = 0;
	for (size_t i = 0; i < snap->n_files; i++) {
		int64_t file_rows = delta_file_live_rows(&snap->files[i]);
		if (file_rows < 0)
			return -1;
		rows += file_rows;
	}
	return rows;
}

bool manage_preview(const struct conf *conf, const char *source_full_name,
		    struct manage_preview *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	struct catalog_name name;
	if (!catalog_name_parse(source_full_name, "source table", &name, err))
		return false;
	out->source_root = catalog_table_root(conf->catalog_root, &name, err);
	catalog_name_free(&name);
	struct delta_table *table = out->source_root ? delta_table_open(out->source_root, err)
						     : NULL;
	struct delta_snapshot *snap = table ? delta_snapshot_load(table, -1, err) : NULL;
	if (snap == NULL) {
		if (table)
			delta_table_free(table);
		manage_preview_free(out);
		return false;
	}
	out->version = snap->version;
	out->commit_timestamp_ms = snap->commit_timestamp;
	out->cdf_enabled = delta_cdf_enabled(&snap->protocol, &snap->metadata);
	out->enable_cdf_sql = xasprintf("ALTER TABLE %s SET TBLPROPERTIES "
					"(delta.enableChangeDataFeed = true)",
					source_full_name);
	const struct delta_type *schema = snap->schema;
	out->columns = xcalloc(schema->n_fields ? schema->n_fields : 1, sizeof *out->columns);
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct delta_field *f = &schema->fields[i];
		struct manage_preview_column *c = &out->columns[out->n_columns++];
		struct lk_buf type = LK_BUF_INIT;
		c->name = xstrdup(f->name);
		delta_type_format(f->type, &type);
		c->source_type = lk_buf_detach(&type);
		c->nullable = f->nullable;
		enum lk_type_id id = delta_type_lk_id(f->type);
		if (target_type_storable(f->type) &&
		    pg_type_sql(id, f->type->precision, f->type->scale, &type))
			c->target_type = lk_buf_detach(&type);
		else
			out->n_unsupported++;
		lk_buf_free(&type);
	}
	out->n_partition_columns = snap->metadata.n_partition_columns;
	out->partition_columns = xcalloc(out->n_partition_columns + 1, sizeof(char *));
	for (size_t i = 0; i < out->n_partition_columns; i++)
		out->partition_columns[i] = xstrdup(snap->metadata.partition_columns[i]);
	out->n_files = (int64_t)snap->n_files;
	out->row_estimate = preview_rows(snap);
	preview_suggest_key(out);
	delta_snapshot_free(snap);
	delta_table_free(table);
	return true;
}

void manage_preview_free(struct manage_preview *p)
{
	for (size_t i = 0; i < p->n_columns; i++) {
		free(p->columns[i].name);
		free(p->columns[i].source_type);
		free(p->columns[i].target_type);
	}
	free(p->columns);
	for (size_t i = 0; i < p->n_partition_columns; i++)
		free(p->partition_columns[i]);
	free(p->partition_columns);
	free(p->source_root);
	free(p->enable_cdf_sql);
	memset(p, 0, sizeof *p);
}
