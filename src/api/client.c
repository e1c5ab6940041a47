/* api/client.c: the REST client: one libcurl easy handle per client, one function per
 * endpoint, JSON in and out through the model (api/model.h) and, for lakesync's console
 * endpoints, the views (api/view.h); the server's errors turned back into lk_error values
 * with its own message. */
#include "config.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/client.h"
#include "api/view.h"
#include "util/buf.h"
#include "util/xmalloc.h"

struct api_client {
	CURL *curl;
	char *host;
	char *auth_header;
	char *ca_file;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_status;

static void curl_init(void)
{
	curl_init_status = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct api_client *api_client_new(const char *host, const char *token, struct lk_error *err)
{
	if (host == NULL || (strncmp(host, "http://", 7) != 0 && strncmp(host, "https://", 8) != 0)) {
		lk_error_set(err, LK_EINVAL, "--host '%s': expected http://HOST:PORT or https://HOST",
			     host ? host : "");
		return NULL;
	}
	pthread_once(&curl_once, curl_init);
	CURL *curl = curl_init_status == CURLE_OK ? curl_easy_init() : NULL;
	if (curl == NULL) {
		lk_error_set(err, LK_EINTERNAL, "libcurl cannot start: %s",
			     curl_easy_strerror(curl_init_status));
		return NULL;
	}
	struct api_client *c = xcalloc(1, sizeof *c);
	c->curl = curl;
	c->host = xstrdup(host);
	size_t len = strlen(c->host);
	while (len > 0 && c->host[len - 1] == '/')
		c->host[--len] = '\0';
	if (token && *token)
		c->auth_header = xasprintf("Authorization: Bearer %s", token);
	return c;
}

void api_client_free(struct api_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c->host);
	free(c->auth_header);
	free(c->ca_file);
	free(c);
}

const char *api_client_host(const struct api_client *c)
{
	return c->host;
}

void api_client_set_ca_file(struct api_client *c, const char *path)
{
	free(c->ca_file);
	c->ca_file = path ? xstrdup(path) : NULL;
}

/* ---- one exchange ------------------------------------------------------------------------ */

struct response {
	struct lk_buf body;
	bool too_large;
};

static size_t on_data(char *data, size_t size, size_t nmemb, void *arg)
{
	struct response *r = arg;
	size_t n = size * nmemb;
	if (r->body.len + n > API_CLIENT_MAX_RESPONSE_BYTES) {
		r->too_large = true;
		return 0; /* makes curl stop with CURLE_WRITE_ERROR */
	}
	lk_buf_append(&r->body, data, n);
	return n;
}

/* The lk_errcode of an error answer: its error_code, else what the status means. */
static enum lk_errcode error_class(long status, const char *error_code)
{
	enum lk_errcode code = error_code ? lk_errcode_from_name(error_code) : LK_ERRCODE_COUNT;
	if (code != LK_ERRCODE_COUNT)
		return code;
	if (status == 401 || status == 403)
		return LK_EAUTH;
	if (status == 404)
		return LK_ENOTFOUND;
	if (status == 409)
		return LK_EEXISTS;
	if (status == 413)
		return LK_ETOOLARGE;
	if (status == 400 || status == 405)
		return LK_EINVAL;
	if (status == 501)
		return LK_EUNSUPPORTED;
	if (status == 503)
		return LK_ETRANSIENT;
	if (status == 502 || status == 504)
		return LK_ECONN;
	return LK_EINTERNAL;
}

static bool error_from_answer(const struct api_client *c, long status, const cJSON *json,
			      struct lk_error *err)
{
	const cJSON *code = cJSON_GetObjectItemCaseSensitive(json, "error_code");
	const cJSON *message = cJSON_GetObjectItemCaseSensitive(json, "message");
	enum lk_errcode class = error_class(status, cJSON_GetStringValue(code));
	if (cJSON_IsString(message))
		return lk_error_set(err, class, "%s", message->valuestring);
	return lk_error_set(err, class, "%s answered HTTP %ld", c->host, status);
}

/* method path (already escaped, with its query) and an optional JSON body; *out gets the
 * parsed answer of a 2xx (NULL when out is NULL). */
static bool exchange(struct api_client *c, const char *method, const char *path,
		     const char *body, cJSON **out, struct lk_error *err)
{
	char *url = xasprintf("%s%s", c->host, path);
	struct curl_slist *headers = curl_slist_append(NULL, "Accept: application/json");
	if (body)
		headers = curl_slist_append(headers, "Content-Type: application/json");
	if (c->auth_header)
		headers = curl_slist_append(headers, c->auth_header);
	struct response r = { .body = LK_BUF_INIT };
	CURL *h = c->curl;
	curl_easy_reset(h);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, (long)API_CLIENT_CONNECT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)API_CLIENT_TIMEOUT_S);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	if (c->ca_file)
		curl_easy_setopt(h, CURLOPT_CAINFO, c->ca_file);
	if (body)
		curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
	CURLcode rc = curl_easy_perform(h);
	long status = 0;
	curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	free(url);
	bool ok = false;
	cJSON *json = NULL;
	if (rc != CURLE_OK)
		lk_error_set(err, r.too_large ? LK_ETOOLARGE : LK_ECONN,
			     "cannot reach the lakesync API at %s: %s", c->host,
			     r.too_large ? "the answer is too large" : curl_easy_strerror(rc));
	else if ((json = cJSON_ParseWithLength(r.body.data ? r.body.data : "", r.body.len)) == NULL)
		lk_error_set(err, status >= 400 ? error_class(status, NULL) : LK_EINTERNAL,
			     "%s answered HTTP %ld with a body that is not JSON", c->host, status);
	else if (status < 200 || status >= 300)
		error_from_answer(c, status, json, err);
	else
		ok = true;
	lk_buf_free(&r.body);
	if (ok && out)
		*out = json;
	else
		cJSON_Delete(json);
	return ok;
}

static char *escape(struct api_client *c, const char *segment)
{
	char *e = curl_easy_escape(c->curl, segment, 0);
	char *copy = xstrdup(e ? e : "");
	curl_free(e);
	return copy;
}

static bool answer_table(cJSON *json, struct model_table *out, struct lk_error *err)
{
	bool ok = model_table_from_cjson(json, out, err);
	cJSON_Delete(json);
	return ok || lk_error_prefix(err, "the server's answer");
}

/* ---- synced tables ----------------------------------------------------------------------- */

static const char SYNCED_TABLES[] = "/api/2.0/database/synced_tables";

bool api_client_table_create(struct api_client *c, const struct model_table *request,
			     struct model_table *out, struct lk_error *err)
{
	char *body = model_table_to_json(request, false);
	cJSON *json;
	bool ok = exchange(c, "POST", SYNCED_TABLES, body, &json, err);
	free(body);
	return ok && answer_table(json, out, err);
}

bool api_client_table_get(struct api_client *c, const char *name, struct model_table *out,
			  struct lk_error *err)
{
	char *e = escape(c, name);
	char *path = xasprintf("%s/%s", SYNCED_TABLES, e);
	cJSON *json;
	bool ok = exchange(c, "GET", path, NULL, &json, err);
	free(path);
	free(e);
	return ok && answer_table(json, out, err);
}

static bool answer_page(cJSON *json, struct registry_page *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	const cJSON *tables = cJSON_GetObjectItemCaseSensitive(json, "synced_tables");
	const cJSON *token = cJSON_GetObjectItemCaseSensitive(json, "next_page_token");
	bool ok = tables == NULL || cJSON_IsArray(tables);
	size_t n = ok && tables ? (size_t)cJSON_GetArraySize(tables) : 0;
	out->tables = xcalloc(n + 1, sizeof *out->tables);
	for (const cJSON *item = ok && tables ? tables->child : NULL; item && ok; item = item->next) {
		ok = model_table_from_cjson(item, &out->tables[out->count], err);
		if (ok)
			out->count++;
	}
	if (ok && cJSON_IsString(token) && *token->valuestring)
		out->next_page_token = xstrdup(token->valuestring);
	cJSON_Delete(json);
	if (!ok) {
		registry_page_free(out);
		return lk_error_prefix(err, "the server's list");
	}
	return true;
}

bool api_client_table_list(struct api_client *c, const char *instance, size_t page_size,
			   const char *page_token, struct registry_page *out, struct lk_error *err)
{
	struct lk_buf path = LK_BUF_INIT;
	if (instance) {
		char *e = escape(c, instance);
		lk_buf_printf(&path, "/api/2.0/database/instances/%s/synced_tables", e);
		free(e);
	} else {
		lk_buf_append_str(&path, SYNCED_TABLES);
	}
	char sep = '?';
	if (page_size) {
		lk_buf_printf(&path, "%cpage_size=%zu", sep, page_size);
		sep = '&';
	}
	if (page_token && *page_token) {
		char *e = escape(c, page_token);
		lk_buf_printf(&path, "%cpage_token=%s", sep, e);
		free(e);
	}
	cJSON *json;
	bool ok = exchange(c, "GET", lk_buf_cstr(&path), NULL, &json, err);
	lk_buf_free(&path);
	return ok && answer_page(json, out, err);
}

bool api_client_table_update(struct api_client *c, const char *name,
			     const struct model_table *patch, const char *update_mask,
			     struct model_table *out, struct lk_error *err)
{
	char *e = escape(c, name), *m = escape(c, update_mask);
	char *path = xasprintf("%s/%s?update_mask=%s", SYNCED_TABLES, e, m);
	char *body = model_table_to_json(patch, false);
	cJSON *json;
	bool ok = exchange(c, "PATCH", path, body, &json, err);
	free(body);
	free(path);
	free(m);
	free(e);
	return ok && answer_table(json, out, err);
}

bool api_client_table_delete(struct api_client *c, const char *name, bool purge,
			     struct lk_error *err)
{
	char *e = escape(c, name);
	char *path = xasprintf("%s/%s%s", SYNCED_TABLES, e, purge ? "?purge_data=true" : "");
	bool ok = exchange(c, "DELETE", path, NULL, NULL, err);
	free(path);
	free(e);
	return ok;
}

/* ---- Sync now ---------------------------------------------------------------------------- */

static int64_t json_i64(const cJSON *obj, const char *key, int64_t fallback)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsNumber(v))
		return (int64_t)v->valuedouble;
	if (cJSON_IsString(v))
		return strtoll(v->valuestring, NULL, 10);
	return fallback;
}

static void run_from_cjson(const cJSON *run, struct api_update *u)
{
	struct pipeline_result *r = &u->result;
	memset(r, 0, sizeof *r);
	u->has_run = cJSON_IsObject(run);
	if (!u->has_run)
		return;
	const char *kind = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(run, "kind"));
	const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(run,
										     "message"));
	r->full_load = kind && strcmp(kind, "full") == 0;
	r->from_version = json_i64(run, "from_version", -1);
	r->to_version = json_i64(run, "to_version", -1);
	r->rows_inserted = json_i64(run, "rows_inserted", 0);
	r->rows_updated = json_i64(run, "rows_updated", 0);
	r->rows_deleted = json_i64(run, "rows_deleted", 0);
	r->rows_skipped = json_i64(run, "rows_skipped", 0);
	snprintf(r->message, sizeof r->message, "%s", message ? message : "");
}

static bool answer_update(cJSON *json, struct api_update *u, struct lk_error *err)
{
	const cJSON *update = cJSON_GetObjectItemCaseSensitive(json, "update");
	const char *state = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(update,
										   "state"));
	const char *message = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(update,
										     "message"));
	bool ok = state != NULL;
	if (!ok)
		lk_error_set(err, LK_EINTERNAL, "the server's answer about update %s has no state",
			     u->update_id);
	else if (strcmp(state, "COMPLETED") == 0)
		u->state = API_UPDATE_COMPLETED;
	else if (strcmp(state, "FAILED") == 0 || strcmp(state, "CANCELED") == 0)
		u->state = API_UPDATE_FAILED;
	else
		u->state = API_UPDATE_RUNNING;
	snprintf(u->message, sizeof u->message, "%s", message ? message : "");
	if (ok)
		run_from_cjson(cJSON_GetObjectItemCaseSensitive(update, "last_run"), u);
	cJSON_Delete(json);
	return ok;
}

bool api_client_update_get(struct api_client *c, struct api_update *u, struct lk_error *err)
{
	char *p = escape(c, u->pipeline_id), *id = escape(c, u->update_id);
	char *path = xasprintf("/api/2.0/pipelines/%s/updates/%s", p, id);
	cJSON *json;
	bool ok = exchange(c, "GET", path, NULL, &json, err);
	free(path);
	free(id);
	free(p);
	return ok && answer_update(json, u, err);
}

bool api_client_sync_start(struct api_client *c, const char *name, bool full_refresh,
			   struct api_update *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	struct model_table t;
	if (!api_client_table_get(c, name, &t, err))
		return false;
	snprintf(out->pipeline_id, sizeof out->pipeline_id, "%s",
		 t.status.pipeline_id ? t.status.pipeline_id : "");
	model_table_free(&t);
	if (out->pipeline_id[0] == '\0')
		return lk_error_set(err, LK_EINTERNAL, "synced table %s has no pipeline id", name);
	char *p = escape(c, out->pipeline_id);
	char *path = xasprintf("/api/2.0/pipelines/%s/updates", p);
	cJSON *json;
	bool ok = exchange(c, "POST", path, full_refresh ? "{\"full_refresh\":true}" : "{}", &json,
			   err);
	free(path);
	free(p);
	if (!ok)
		return false;
	const char *id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(json, "update_id"));
	snprintf(out->update_id, sizeof out->update_id, "%s", id ? id : "");
	cJSON_Delete(json);
	out->state = API_UPDATE_RUNNING;
	return id != NULL ||
	       lk_error_set(err, LK_EINTERNAL, "the server started an update without an id");
}

/* ---- lakesync's console endpoints -------------------------------------------------------- */

static const char LAKESYNC_API[] = "/api/2.0/lakesync";

/* GET path (freed here): the answer's JSON, or NULL with *err filled. */
static cJSON *get_answer(struct api_client *c, char *path, struct lk_error *err)
{
	cJSON *json = NULL;
	bool ok = exchange(c, "GET", path, NULL, &json, err);
	free(path);
	return ok ? json : NULL;
}

/* Frees the answer a view parser read; a parse failure says it was the server's answer. */
static bool answer_view(cJSON *json, bool parsed, struct lk_error *err)
{
	cJSON_Delete(json);
	return parsed || lk_error_prefix(err, "the server's answer");
}

bool api_client_dashboard(struct api_client *c, struct table_view **views, size_t *count,
			  bool *engine_running, struct lk_error *err)
{
	*views = NULL;
	*count = 0;
	*engine_running = false;
	cJSON *json = get_answer(c, xasprintf("%s/dashboard", LAKESYNC_API), err);
	return json && answer_view(json, view_dashboard_from_cjson(json, views, count,
								   engine_running, err),
				   err);
}

/* .../synced_tables/{name}/{what}[?max_results=limit] */
static char *table_history_path(struct api_client *c, const char *name, const char *what,
				size_t limit)
{
	char *e = escape(c, name);
	struct lk_buf path = LK_BUF_INIT;
	lk_buf_printf(&path, "%s/synced_tables/%s/%s", LAKESYNC_API, e, what);
	if (limit)
		lk_buf_printf(&path, "?max_results=%zu", limit);
	free(e);
	return lk_buf_detach(&path);
}

bool api_client_runs(struct api_client *c, const char *name, size_t limit,
		     struct registry_run **runs, size_t *count, struct lk_error *err)
{
	*runs = NULL;
	*count = 0;
	cJSON *json = get_answer(c, table_history_path(c, name, "runs", limit), err);
	return json && answer_view(json, view_runs_from_cjson(json, runs, count, err), err);
}

bool api_client_events(struct api_client *c, const char *name, size_t limit,
		       struct registry_event **events, size_t *count, struct lk_error *err)
{
	*events = NULL;
	*count = 0;
	cJSON *json = get_answer(c, table_history_path(c, name, "events", limit), err);
	return json && answer_view(json, view_events_from_cjson(json, events, count, err), err);
}

bool api_client_catalog_list(struct api_client *c, const char *prefix,
			     struct catalog_list *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	char *e = escape(c, prefix ? prefix : "");
	cJSON *json = get_answer(c, xasprintf("%s/catalog?prefix=%s", LAKESYNC_API, e), err);
	free(e);
	return json && answer_view(json, view_names_from_cjson(json, out, err), err);
}

bool api_client_preview(struct api_client *c, const char *source_full_name,
			struct manage_preview *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	char *e = escape(c, source_full_name);
	cJSON *json = get_answer(c, xasprintf("%s/sources/%s/preview", LAKESYNC_API, e), err);
	free(e);
	return json && answer_view(json, view_preview_from_cjson(json, out, err), err);
}

bool api_client_instances(struct api_client *c, struct conf_project **projects, size_t *count,
			  struct lk_error *err)
{
	*projects = NULL;
	*count = 0;
	cJSON *json = get_answer(c, xasprintf("%s/instances", LAKESYNC_API), err);
	return json && answer_view(json, view_instances_from_cjson(json, projects, count, err),
				   err);
}
