/* ui/backend_remote.c: the console's remote backend (backend.h): a `lakesync serve` daemon
 * asked through the REST API, its standard endpoints for the commands and lakesync's
 * console endpoints (doc/api.md) for the dashboard's facts. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "api/client.h"
#include "api/view.h"
#include "ui/backend.h"
#include "util/xmalloc.h"

struct remote_backend {
	struct ui_backend base;
	struct api_client *client;
	/* the daemon's projects, asked once: its configuration does not change while it runs */
	struct conf_project *projects;
	size_t n_projects;
	bool have_projects;
};

static struct remote_backend *remote_of(struct ui_backend *b)
{
	return (struct remote_backend *)b;
}

static bool remote_gather(struct ui_backend *b, int64_t max_age_ms, struct table_view **views,
			  size_t *count, bool *engine_running, struct lk_error *err)
{
	(void)max_age_ms; /* the daemon keeps its own cache of source versions */
	return api_client_dashboard(remote_of(b)->client, views, count, engine_running, err);
}

static bool remote_history(struct ui_backend *b, const char *name, size_t max_runs,
			   struct registry_run **runs, size_t *n_runs, size_t max_events,
			   struct registry_event **events, size_t *n_events, struct lk_error *err)
{
	struct api_client *client = remote_of(b)->client;
	bool ok = api_client_runs(client, name, max_runs, runs, n_runs, err);
	if (!ok) {
		*runs = NULL;
		*n_runs = 0;
	}
	if (!api_client_events(client, name, max_events, events, n_events, err)) {
		*events = NULL;
		*n_events = 0;
		ok = false;
	}
	return ok;
}

static bool remote_sync(struct ui_backend *b, const char *name, bool full_refresh,
			bool held_elsewhere, char *done, size_t done_size, struct lk_error *err)
{
	(void)held_elsewhere; /* the daemon routes the request to whichever engine holds it */
	struct api_update update;
	if (!api_client_sync_start(remote_of(b)->client, name, full_refresh, &update, err))
		return false;
	snprintf(done, done_size, "%s started (update %s)", name, update.update_id);
	return true;
}

static bool remote_create(struct ui_backend *b, struct model_table *t, struct lk_error *err)
{
	struct model_table created;
	if (!api_client_table_create(remote_of(b)->client, t, &created, err))
		return false;
	model_table_free(&created);
	return true;
}

static bool remote_remove(struct ui_backend *b, const char *name, bool purge,
			  struct lk_error *err)
{
	return api_client_table_delete(remote_of(b)->client, name, purge, err);
}

static bool remote_preview(struct ui_backend *b, const char *source,
			   struct manage_preview *out, struct lk_error *err)
{
	return api_client_preview(remote_of(b)->client, source, out, err);
}

static bool remote_catalog(struct ui_backend *b, const char *prefix, struct catalog_list *out,
			   struct lk_error *err)
{
	return api_client_catalog_list(remote_of(b)->client, prefix, out, err);
}

static bool remote_instances(struct ui_backend *b, const struct conf_project **projects,
			     size_t *count, struct lk_error *err)
{
	struct remote_backend *r = remote_of(b);
	if (!r->have_projects) {
		if (!api_client_instances(r->client, &r->projects, &r->n_projects, err))
			return false;
		r->have_projects = true;
	}
	*projects = r->projects;
	*count = r->n_projects;
	return true;
}

static const char *remote_where(const struct ui_backend *b)
{
	return api_client_host(((const struct remote_backend *)b)->client);
}

static void remote_free(struct ui_backend *b)
{
	struct remote_backend *r = remote_of(b);
	view_instances_free(r->projects, r->n_projects);
	api_client_free(r->client);
	free(r);
}

static const struct ui_backend_ops remote_ops = {
	.gather = remote_gather,
	.history = remote_history,
	.sync = remote_sync,
	.create = remote_create,
	.remove = remote_remove,
	.preview = remote_preview,
	.catalog = remote_catalog,
	.instances = remote_instances,
	.where = remote_where,
	.free = remote_free,
};

struct ui_backend *ui_backend_remote(struct api_client *client)
{
	struct remote_backend *r = xcalloc(1, sizeof *r);
	r->base.ops = &remote_ops;
	r->client = client;
	return &r->base;
}
