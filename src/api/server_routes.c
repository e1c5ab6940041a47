/* api/server_routes.c: the daemon's route table and its handlers. Each handler checks what
 * the URL and body carry, borrows a registry connection and calls the same operations the
 * CLI calls (engine/manage.h, registry/registry.h), or reads what the in-process console
 * reads (engine/observe.h, the catalog) for lakesync's console endpoints (api/view.h): the
 * daemon adds no rules of its own. */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/model.h"
#include "api/server_internal.h"
#include "api/view.h"
#include "catalog/catalog.h"
#include "engine/engine.h"
#include "engine/manage.h"
#include "engine/observe.h"
#include "registry/registry.h"
#include "util/xmalloc.h"

enum {
	LIST_DEFAULT_PAGE_SIZE = 100,
	LIST_MAX_PAGE_SIZE = 1000,
	PIPELINE_SCAN_PAGE = 500,
	RUNS_DEFAULT_RESULTS = 50,
	EVENTS_DEFAULT_RESULTS = 200,
	HISTORY_MAX_RESULTS = 1000,
	DASHBOARD_SOURCE_MAX_AGE_MS = 1000, /* a source's latest version is re-read after this */
};

static const char METRICS_CONTENT_TYPE[] = "text/plain; version=0.0.4; charset=utf-8";

/* ---- helpers ----------------------------------------------------------------------------- */

/* Borrows a registry connection, or answers 503 and returns NULL. */
static struct registry *borrow_registry(struct server *s, struct server_response *resp)
{
	struct lk_error err = LK_ERROR_INIT;
	struct registry *reg = server_pool_acquire(&s->pool, &err);
	if (reg == NULL)
		server_reply_error(resp, MHD_HTTP_SERVICE_UNAVAILABLE, "TEMPORARILY_UNAVAILABLE",
				   "the registry database is unreachable: %s", err.message);
	return reg;
}

/* A synced table name in a URL: catalog.schema.table of [A-Za-z0-9_]+. */
static bool name_checked(const char *name, struct server_response *resp)
{
	struct lk_error err = LK_ERROR_INIT;
	struct catalog_name parsed;
	if (!catalog_name_parse(name, "name", &parsed, &err)) {
		server_reply_lk_error(resp, &err);
		return false;
	}
	catalog_name_free(&parsed);
	return true;
}

static void reply_table(struct server_response *resp, const struct model_table *t)
{
	server_reply_json(resp, MHD_HTTP_OK, model_table_to_cjson(t));
}

/* Parses the body as a SyncedDatabaseTable; answers 400 on failure. */
static bool body_table(const struct server_request *req, struct model_table *out,
		       struct server_response *resp)
{
	struct lk_error err = LK_ERROR_INIT;
	if (req->body_len == 0) {
		server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
				   "the request body is empty: send a SyncedDatabaseTable object");
		return false;
	}
	if (!model_table_parse(req->body, out, &err)) {
		server_reply_lk_error(resp, &err);
		return false;
	}
	return true;
}

/* ?name=true|false; answers 400 and returns false on anything else. */
static bool query_bool(const struct server_request *req, const char *key, bool *out,
		       struct server_response *resp)
{
	const char *v = server_query(req, key);
	*out = false;
	if (v == NULL || strcasecmp(v, "false") == 0)
		return true;
	if (strcasecmp(v, "true") == 0) /* any case: clients print booleans as they like */
		return (*out = true);
	server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
			   "parameter '%s' must be true or false, not '%s'", key, v);
	return false;
}

static bool query_page_size(const struct server_request *req, size_t *out,
			    struct server_response *resp)
{
	const char *v = server_query(req, "page_size");
	*out = LIST_DEFAULT_PAGE_SIZE;
	if (v == NULL || *v == '\0')
		return true;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < 0 || n > LIST_MAX_PAGE_SIZE) {
		server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
				   "parameter 'page_size' must be a number from 0 to %d, not '%s'",
				   LIST_MAX_PAGE_SIZE, v);
		return false;
	}
	if (n > 0)
		*out = (size_t)n;
	return true;
}

/* ---- synced tables ----------------------------------------------------------------------- */

static void route_create(struct server *s, const struct server_request *req,
			 struct server_response *resp)
{
	struct model_table t;
	if (!body_table(req, &t, resp))
		return;
	struct registry *reg = borrow_registry(s, resp);
	struct lk_error err = LK_ERROR_INIT;
	if (reg && manage_create(s->conf, reg, &t, &err))
		reply_table(resp, &t);
	else if (reg)
		server_reply_lk_error(resp, &err);
	server_pool_release(&s->pool, reg);
	model_table_free(&t);
}

static void route_get(struct server *s, const struct server_request *req,
		      struct server_response *resp)
{
	const char *name = req->params[0];
	if (!name_checked(name, resp))
		return;
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	struct model_table t;
	struct lk_error err = LK_ERROR_INIT;
	if (registry_table_get(reg, name, &t, &err)) {
		reply_table(resp, &t);
		model_table_free(&t);
	} else {
		server_reply_lk_error(resp, &err);
	}
	server_pool_release(&s->pool, reg);
}

static void route_delete(struct server *s, const struct server_request *req,
			 struct server_response *resp)
{
	const char *name = req->params[0];
	bool purge;
	if (!name_checked(name, resp) || !query_bool(req, "purge_data", &purge, resp))
		return;
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	struct lk_error err = LK_ERROR_INIT;
	if (manage_delete(s->conf, reg, name, purge, &err))
		server_reply_json(resp, MHD_HTTP_OK, cJSON_CreateObject());
	else
		server_reply_lk_error(resp, &err);
	server_pool_release(&s->pool, reg);
}

static void route_update(struct server *s, const struct server_request *req,
			 struct server_response *resp)
{
	const char *name = req->params[0];
	const char *mask = server_query(req, "update_mask");
	if (!name_checked(name, resp))
		return;
	if (mask == NULL || *mask == '\0') {
		server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
				   "parameter 'update_mask' is required (e.g. "
				   "update_mask=spec.scheduling_policy)");
		return;
	}
	struct model_table patch, updated;
	if (!body_table(req, &patch, resp))
		return;
	struct registry *reg = borrow_registry(s, resp);
	struct lk_error err = LK_ERROR_INIT;
	if (reg && manage_update(s->conf, reg, name, &patch, mask, &updated, &err)) {
		reply_table(resp, &updated);
		model_table_free(&updated);
	} else if (reg) {
		server_reply_lk_error(resp, &err);
	}
	server_pool_release(&s->pool, reg);
	model_table_free(&patch);
}

/* An instance no table uses (or not configured) lists nothing, as in-process. */
static void list_tables(struct server *s, const struct server_request *req,
			const char *instance, struct server_response *resp)
{
	size_t page_size;
	if (!query_page_size(req, &page_size, resp))
		return;
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	struct registry_page page;
	struct lk_error err = LK_ERROR_INIT;
	if (registry_table_list(reg, instance, page_size, server_query(req, "page_token"), &page,
				&err)) {
		cJSON *out = cJSON_CreateObject();
		cJSON *array = cJSON_AddArrayToObject(out, "synced_tables");
		for (size_t i = 0; i < page.count; i++)
			cJSON_AddItemToArray(array, model_table_to_cjson(&page.tables[i]));
		if (page.next_page_token)
			cJSON_AddStringToObject(out, "next_page_token", page.next_page_token);
		registry_page_free(&page);
		server_reply_json(resp, MHD_HTTP_OK, out);
	} else {
		server_reply_lk_error(resp, &err);
	}
	server_pool_release(&s->pool, reg);
}

static void route_list_instance(struct server *s, const struct server_request *req,
				struct server_response *resp)
{
	list_tables(s, req, req->params[0], resp);
}

static void route_list_all(struct server *s, const struct server_request *req,
			   struct server_response *resp)
{
	list_tables(s, req, NULL, resp);
}

/* ---- pipelines (Sync now) ---------------------------------------------------------------- */

/* The name of the synced table whose pipeline is pipeline_id (*name NULL when none). */
static bool table_of_pipeline(struct registry *reg, const char *pipeline_id, char **name,
			      struct lk_error *err)
{
	*name = NULL;
	char *token = NULL;
	do {
		struct registry_page page;
		bool ok = registry_table_list(reg, NULL, PIPELINE_SCAN_PAGE, token, &page, err);
		free(token);
		token = NULL;
		if (!ok)
			return false;
		for (size_t i = 0; i < page.count && *name == NULL; i++) {
			const char *id = page.tables[i].status.pipeline_id;
			if (id && strcmp(id, pipeline_id) == 0)
				*name = xstrdup(page.tables[i].name);
		}
		if (*name == NULL && page.next_page_token)
			token = xstrdup(page.next_page_token);
		registry_page_free(&page);
	} while (token);
	return true;
}

/* Finds the pipeline's table or answers 404. */
static char *pipeline_table(struct registry *reg, const char *pipeline_id,
			    struct server_response *resp)
{
	char *name;
	struct lk_error err = LK_ERROR_INIT;
	if (!table_of_pipeline(reg, pipeline_id, &name, &err))
		server_reply_lk_error(resp, &err);
	else if (name == NULL)
		server_reply_error(resp, MHD_HTTP_NOT_FOUND, "RESOURCE_DOES_NOT_EXIST",
				   "pipeline %s does not exist", pipeline_id);
	return name;
}

/* The StartUpdate body: {"full_refresh": bool, "cause": "..."}; others are refused. */
static bool parse_update_body(const struct server_request *req, bool *full_refresh,
			      struct server_response *resp)
{
	*full_refresh = false;
	if (req->body_len == 0)
		return true;
	cJSON *body = cJSON_ParseWithLength(req->body, req->body_len);
	bool ok = cJSON_IsObject(body);
	if (!ok)
		server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
				   "malformed JSON: the body must be an object such as "
				   "{\"full_refresh\": true}");
	for (cJSON *f = ok ? body->child : NULL; f && ok; f = f->next) {
		if (strcmp(f->string, "full_refresh") == 0 && cJSON_IsBool(f))
			*full_refresh = cJSON_IsTrue(f);
		else if (strcmp(f->string, "cause") == 0 && cJSON_IsString(f))
			continue;
		else
			ok = false;
		if (!ok)
			server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
					   "field '%s' is not supported here (full_refresh must be "
					   "a boolean)",
					   f->string);
	}
	cJSON_Delete(body);
	return ok;
}

/* Sync now: a request the engine takes at once (NOTIFY), whichever engine holds the table;
 * the update id is the request's id. */
static void route_pipeline_start(struct server *s, const struct server_request *req,
				 struct server_response *resp)
{
	bool full_refresh;
	if (!parse_update_body(req, &full_refresh, resp))
		return;
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	char *name = pipeline_table(reg, req->params[0], resp);
	int64_t request_id;
	struct lk_error err = LK_ERROR_INIT;
	if (name && registry_request_sync(reg, name, full_refresh, &request_id, &err)) {
		char id[32];
		snprintf(id, sizeof id, "%" PRId64, request_id);
		cJSON *out = cJSON_CreateObject();
		cJSON_AddStringToObject(out, "update_id", id);
		server_reply_json(resp, MHD_HTTP_OK, out);
	} else if (name) {
		server_reply_lk_error(resp, &err);
	}
	free(name);
	server_pool_release(&s->pool, reg);
}

static cJSON *run_to_cjson(const struct registry_run *run)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "kind", registry_run_kind_name(run->kind));
	cJSON_AddStringToObject(o, "outcome", registry_outcome_name(run->outcome));
	cJSON_AddNumberToObject(o, "from_version", (double)run->from_version);
	cJSON_AddNumberToObject(o, "to_version", (double)run->to_version);
	cJSON_AddNumberToObject(o, "rows_inserted", (double)run->rows_inserted);
	cJSON_AddNumberToObject(o, "rows_updated", (double)run->rows_updated);
	cJSON_AddNumberToObject(o, "rows_deleted", (double)run->rows_deleted);
	cJSON_AddNumberToObject(o, "rows_skipped", (double)run->rows_skipped);
	if (run->message && *run->message)
		cJSON_AddStringToObject(o, "message", run->message);
	return o;
}

/* {"update": {"pipeline_id", "update_id", "state": QUEUED|COMPLETED|FAILED, ...}}; a
 * finished update also carries the table's latest run (lakesync's extension). */
static cJSON *update_to_cjson(struct registry *reg, const char *pipeline_id,
			      const char *update_id, const char *name, bool done,
			      bool succeeded, const char *message)
{
	cJSON *out = cJSON_CreateObject();
	cJSON *u = cJSON_AddObjectToObject(out, "update");
	cJSON_AddStringToObject(u, "pipeline_id", pipeline_id);
	cJSON_AddStringToObject(u, "update_id", update_id);
	cJSON_AddStringToObject(u, "state", !done ? "RUNNING" : succeeded ? "COMPLETED" : "FAILED");
	if (*message)
		cJSON_AddStringToObject(u, "message", message);
	struct registry_run *runs = NULL;
	size_t n = 0;
	struct lk_error err = LK_ERROR_INIT;
	if (done && registry_runs_list(reg, name, 1, &runs, &n, &err) && n == 1)
		cJSON_AddItemToObject(u, "last_run", run_to_cjson(&runs[0]));
	registry_runs_free(runs, n);
	return out;
}

static void route_pipeline_update_get(struct server *s, const struct server_request *req,
				      struct server_response *resp)
{
	char *end;
	errno = 0;
	long long id = strtoll(req->params[1], &end, 10);
	if (errno || *end || id <= 0) {
		server_reply_error(resp, MHD_HTTP_NOT_FOUND, "RESOURCE_DOES_NOT_EXIST",
				   "update %s does not exist", req->params[1]);
		return;
	}
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	char *name = pipeline_table(reg, req->params[0], resp);
	bool done = false, succeeded = false;
	char message[LK_ERROR_MESSAGE_MAX] = "";
	struct lk_error err = LK_ERROR_INIT;
	if (name && registry_request_status(reg, id, &done, &succeeded, message, sizeof message,
					    &err))
		server_reply_json(resp, MHD_HTTP_OK,
				  update_to_cjson(reg, req->params[0], req->params[1], name, done,
						  succeeded, message));
	else if (name)
		server_reply_lk_error(resp, &err);
	free(name);
	server_pool_release(&s->pool, reg);
}

/* ---- health and metrics ------------------------------------------------------------------ */

static void route_healthz(struct server *s, const struct server_request *req,
			  struct server_response *resp)
{
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	cJSON *out = cJSON_CreateObject();
	cJSON_AddStringToObject(out, "status", "ok");
	cJSON_AddStringToObject(out, "engine", engine_id(s->engine));
	server_reply_json(resp, MHD_HTTP_OK, out);
	server_pool_release(&s->pool, reg);
}

static void route_metrics(struct server *s, const struct server_request *req,
			  struct server_response *resp)
{
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	struct lk_error err = LK_ERROR_INIT;
	struct lk_buf text = LK_BUF_INIT;
	if (server_metrics_render(s, reg, &text, &err)) {
		resp->status = MHD_HTTP_OK;
		resp->content_type = METRICS_CONTENT_TYPE;
		lk_buf_reset(&resp->body);
		lk_buf_append(&resp->body, text.data, text.len);
	} else {
		server_reply_lk_error(resp, &err);
	}
	lk_buf_free(&text);
	server_pool_release(&s->pool, reg);
}

/* ---- lakesync's console endpoints (api/view.h) ------------------------------------------ */

static void route_dashboard(struct server *s, const struct server_request *req,
			    struct server_response *resp)
{
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return;
	struct table_view *views;
	size_t count;
	struct lk_error err = LK_ERROR_INIT;
	pthread_mutex_lock(&s->observer_lock);
	bool ok = observer_gather(s->observer, reg, DASHBOARD_SOURCE_MAX_AGE_MS, &views, &count,
				  &err);
	pthread_mutex_unlock(&s->observer_lock);
	server_pool_release(&s->pool, reg);
	if (!ok) {
		server_reply_lk_error(resp, &err);
		return;
	}
	server_reply_json(resp, MHD_HTTP_OK,
			  view_dashboard_to_cjson(views, count, s->engine != NULL));
	table_views_free(views, count);
}

/* ?max_results=N of 1..HISTORY_MAX_RESULTS (fallback when absent); answers 400 otherwise. */
static bool query_max_results(const struct server_request *req, size_t fallback, size_t *out,
			      struct server_response *resp)
{
	const char *v = server_query(req, "max_results");
	*out = fallback;
	if (v == NULL)
		return true;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || end == v || *end || n < 1 || n > HISTORY_MAX_RESULTS) {
		server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
				   "parameter 'max_results' must be a number from 1 to %d, not '%s'",
				   HISTORY_MAX_RESULTS, v);
		return false;
	}
	*out = (size_t)n;
	return true;
}

/* The checks of a table's runs or events: the name, max_results, and that the table exists
 * (404 as GET synced_tables/{name} answers). Returns the borrowed registry, or NULL when it
 * answered. */
static struct registry *history_begin(struct server *s, const struct server_request *req,
				      size_t fallback, size_t *limit,
				      struct server_response *resp)
{
	if (!name_checked(req->params[0], resp) ||
	    !query_max_results(req, fallback, limit, resp))
		return NULL;
	struct registry *reg = borrow_registry(s, resp);
	if (reg == NULL)
		return NULL;
	struct model_table t;
	struct lk_error err = LK_ERROR_INIT;
	if (registry_table_get(reg, req->params[0], &t, &err)) {
		model_table_free(&t);
		return reg;
	}
	server_reply_lk_error(resp, &err);
	server_pool_release(&s->pool, reg);
	return NULL;
}

static void route_runs(struct server *s, const struct server_request *req,
		       struct server_response *resp)
{
	size_t limit;
	struct registry *reg = history_begin(s, req, RUNS_DEFAULT_RESULTS, &limit, resp);
	if (reg == NULL)
		return;
	struct registry_run *runs;
	size_t count;
	struct lk_error err = LK_ERROR_INIT;
	if (registry_runs_list(reg, req->params[0], limit, &runs, &count, &err)) {
		server_reply_json(resp, MHD_HTTP_OK, view_runs_to_cjson(runs, count));
		registry_runs_free(runs, count);
	} else {
		server_reply_lk_error(resp, &err);
	}
	server_pool_release(&s->pool, reg);
}

static void route_events(struct server *s, const struct server_request *req,
			 struct server_response *resp)
{
	size_t limit;
	struct registry *reg = history_begin(s, req, EVENTS_DEFAULT_RESULTS, &limit, resp);
	if (reg == NULL)
		return;
	struct registry_event *events;
	size_t count;
	struct lk_error err = LK_ERROR_INIT;
	if (registry_events_list(reg, req->params[0], limit, &events, &count, &err)) {
		server_reply_json(resp, MHD_HTTP_OK, view_events_to_cjson(events, count));
		registry_events_free(events, count);
	} else {
		server_reply_lk_error(resp, &err);
	}
	server_pool_release(&s->pool, reg);
}

/* The daemon's catalog, or a 400 that says how to configure one (the catalog's own error,
 * LK_ECONFIG, would read as a 500). */
static bool catalog_configured(const struct server *s, struct server_response *resp)
{
	const char *root = s->conf->catalog_root;
	if (root != NULL && root[0] != '\0')
		return true;
	server_reply_error(resp, MHD_HTTP_BAD_REQUEST, "INVALID_PARAMETER_VALUE",
			   "no catalog configured: set $LAKESYNC_CATALOG or `catalog` in the "
			   "daemon's configuration");
	return false;
}

static void route_catalog(struct server *s, const struct server_request *req,
			  struct server_response *resp)
{
	const char *prefix = server_query(req, "prefix");
	if (!catalog_configured(s, resp))
		return;
	struct catalog_list list;
	struct lk_error err = LK_ERROR_INIT;
	if (catalog_list(s->conf->catalog_root, prefix ? prefix : "", &list, &err)) {
		server_reply_json(resp, MHD_HTTP_OK, view_names_to_cjson(&list));
		catalog_list_free(&list);
	} else {
		server_reply_lk_error(resp, &err);
	}
}

static void route_preview(struct server *s, const struct server_request *req,
			  struct server_response *resp)
{
	const char *source = req->params[0];
	if (!catalog_configured(s, resp))
		return;
	struct manage_preview preview;
	struct lk_error err = LK_ERROR_INIT;
	if (manage_preview(s->conf, source, &preview, &err)) {
		server_reply_json(resp, MHD_HTTP_OK, view_preview_to_cjson(source, &preview));
		manage_preview_free(&preview);
	} else {
		server_reply_lk_error(resp, &err);
	}
}

static void route_instances(struct server *s, const struct server_request *req,
			    struct server_response *resp)
{
	server_reply_json(resp, MHD_HTTP_OK, view_instances_to_cjson(s->conf));
}

/* ---- the table --------------------------------------------------------------------------- */

#define SYNCED_TABLES "/api/2.0/database/synced_tables"
#define LAKESYNC_API "/api/2.0/lakesync"

const struct server_route server_routes[] = {
	{ .method = "POST", .pattern = SYNCED_TABLES, .handler = route_create },
	{ .method = "GET", .pattern = SYNCED_TABLES, .handler = route_list_all },
	{ .method = "GET", .pattern = SYNCED_TABLES "/{}", .handler = route_get },
	{ .method = "DELETE", .pattern = SYNCED_TABLES "/{}", .handler = route_delete },
	{ .method = "PATCH", .pattern = SYNCED_TABLES "/{}", .handler = route_update },
	{ .method = "GET", .pattern = "/api/2.0/database/instances/{}/synced_tables",
	  .handler = route_list_instance },
	{ .method = "POST", .pattern = "/api/2.0/pipelines/{}/updates",
	  .handler = route_pipeline_start },
	{ .method = "GET", .pattern = "/api/2.0/pipelines/{}/updates/{}",
	  .handler = route_pipeline_update_get },
	{ .method = "GET", .pattern = LAKESYNC_API "/dashboard", .handler = route_dashboard },
	{ .method = "GET", .pattern = LAKESYNC_API "/synced_tables/{}/runs",
	  .handler = route_runs },
	{ .method = "GET", .pattern = LAKESYNC_API "/synced_tables/{}/events",
	  .handler = route_events },
	{ .method = "GET", .pattern = LAKESYNC_API "/catalog", .handler = route_catalog },
	{ .method = "GET", .pattern = LAKESYNC_API "/sources/{}/preview",
	  .handler = route_preview },
	{ .method = "GET", .pattern = LAKESYNC_API "/instances", .handler = route_instances },
	{ .method = "GET", .pattern = "/healthz", .handler = route_healthz, .public = true },
	{ .method = "GET", .pattern = "/metrics", .handler = route_metrics },
	{ 0 },
};
