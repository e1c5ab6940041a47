/* api/client.h: a client of the synced-tables REST API (libcurl): the same operations as
 * engine/manage.h and the registry's reads, against a `lakesync serve` daemon, or any
 * workspace that serves the same API (doc/api.md), at `host` with a bearer token.
 *
 * Objects come back as the model's structs (api/model.h), parsed from the server's JSON,
 * so a face prints or shows them exactly as it would in-process. Errors carry the server's
 * message verbatim and the lk_errcode its error_code names (UNAUTHENTICATED and
 * PERMISSION_DENIED both read as LK_EAUTH; an unreachable server is LK_ECONN), so that
 * remote and local mode fail with the same words.
 * One struct api_client holds one libcurl handle (connections are kept alive between
 * calls): use it from one thread at a time; make one per thread otherwise. Functions that
 * fill a struct leave the caller to free it (model_table_free, registry_page_free). */
#ifndef LK_API_CLIENT_H
#define LK_API_CLIENT_H

#include <stdbool.h>
#include <stddef.h>

#include "api/model.h"
#include "catalog/catalog.h"
#include "conf/conf.h"
#include "engine/manage.h"
#include "engine/observe.h"
#include "engine/pipeline.h"
#include "registry/registry.h"
#include "util/error.h"

struct api_client;

enum {
	API_CLIENT_CONNECT_TIMEOUT_S = 10,
	API_CLIENT_TIMEOUT_S = 120,
	API_CLIENT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024,
};

/* host: "http://127.0.0.1:8080" or "https://workspace.example.com" (a trailing '/' is
 * dropped); token: the bearer token, or NULL to send none. Both are copied. */
struct api_client *api_client_new(const char *host, const char *token, struct lk_error *err);
void api_client_free(struct api_client *client);
const char *api_client_host(const struct api_client *client);
/* Trusts the CA certificates in the PEM file at path (a daemon with a private or
 * self-signed certificate) instead of the system's; NULL goes back to the system's. */
void api_client_set_ca_file(struct api_client *client, const char *path);

/* POST /api/2.0/database/synced_tables: request as parsed by model_table_parse. */
bool api_client_table_create(struct api_client *client, const struct model_table *request,
			     struct model_table *out, struct lk_error *err);
bool api_client_table_get(struct api_client *client, const char *name, struct model_table *out,
			  struct lk_error *err);
/* instance NULL: every table; page_size 0: the server's default; page_token NULL: the
 * first page. */
bool api_client_table_list(struct api_client *client, const char *instance, size_t page_size,
			   const char *page_token, struct registry_page *out,
			   struct lk_error *err);
bool api_client_table_update(struct api_client *client, const char *name,
			     const struct model_table *patch, const char *update_mask,
			     struct model_table *out, struct lk_error *err);
bool api_client_table_delete(struct api_client *client, const char *name, bool purge,
			     struct lk_error *err);

/* A pipeline update (Sync now) as the server reports it. */
enum api_update_state { API_UPDATE_RUNNING, API_UPDATE_COMPLETED, API_UPDATE_FAILED };

struct api_update {
	char pipeline_id[64];
	char update_id[64];
	enum api_update_state state;
	char message[LK_ERROR_MESSAGE_MAX];  /* why it failed */
	bool has_run;                        /* result holds the table's latest run */
	struct pipeline_result result;
};

/* Sync now: looks up the table's pipeline and starts an update (POST .../updates). */
bool api_client_sync_start(struct api_client *client, const char *name, bool full_refresh,
			   struct api_update *out, struct lk_error *err);
/* GET .../updates/{update_id}: refreshes *update. */
bool api_client_update_get(struct api_client *client, struct api_update *update,
			   struct lk_error *err);

/* ---- lakesync's console endpoints (api/view.h, doc/api.md): what a remote console reads ---- */

/* GET /api/2.0/lakesync/dashboard: every synced table with its facts; *engine_running
 * tells whether the daemon runs an engine. Free with table_views_free. */
bool api_client_dashboard(struct api_client *client, struct table_view **views, size_t *count,
			  bool *engine_running, struct lk_error *err);
/* GET /api/2.0/lakesync/synced_tables/{name}/runs?max_results=limit (newest first). */
bool api_client_runs(struct api_client *client, const char *name, size_t limit,
		     struct registry_run **runs, size_t *count, struct lk_error *err);
/* GET /api/2.0/lakesync/synced_tables/{name}/events?max_results=limit (newest first). */
bool api_client_events(struct api_client *client, const char *name, size_t limit,
		       struct registry_event **events, size_t *count, struct lk_error *err);
/* GET /api/2.0/lakesync/catalog?prefix=: catalogs (""), schemas ("c") or tables ("c.s"). */
bool api_client_catalog_list(struct api_client *client, const char *prefix,
			     struct catalog_list *out, struct lk_error *err);
/* GET /api/2.0/lakesync/sources/{source}/preview. Free with manage_preview_free. */
bool api_client_preview(struct api_client *client, const char *source_full_name,
			struct manage_preview *out, struct lk_error *err);
/* GET /api/2.0/lakesync/instances. Free with view_instances_free. */
bool api_client_instances(struct api_client *client, struct conf_project **projects,
			  size_t *count, struct lk_error *err);

#endif
