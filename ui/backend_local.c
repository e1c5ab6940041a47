/* ui/backend_local.c: the console's in-process backend (backend.h): the registry database,
 * the catalog directory and the engine running in this process. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/manage.h"
#include "pg/pg.h"
#include "ui/backend.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum { REGISTRY_RETRY_MS = 2000 };

struct local_backend {
	struct ui_backend base;
	const struct conf *conf;
	struct engine *engine;
	struct observer *observer;
	struct registry *reg;
	int64_t reg_retry_ms;      /* monotonic: do not reconnect before */
};

static struct local_backend *local_of(struct ui_backend *b)
{
	return (struct local_backend *)b;
}

static int64_t mono_ms(void)
{
	return lk_clock_monotonic_ns() / 1000000;
}

/* The registry connection, reconnected when it broke (at most every two seconds). */
static struct registry *local_registry(struct local_backend *l, struct lk_error *err)
{
	if (l->reg && PQstatus(registry_conn(l->reg)) == CONNECTION_OK)
		return l->reg;
	registry_close(l->reg);
	l->reg = NULL;
	if (mono_ms() < l->reg_retry_ms) {
		lk_error_set(err, LK_ECONN, "the registry database is unreachable");
		return NULL;
	}
	l->reg = manage_open_registry(l->conf, err);
	if (l->reg == NULL)
		l->reg_retry_ms = mono_ms() + REGISTRY_RETRY_MS;
	return l->reg;
}

static bool local_gather(struct ui_backend *b, int64_t max_age_ms, struct table_view **views,
			 size_t *count, bool *engine_running, struct lk_error *err)
{
	struct local_backend *l = local_of(b);
	*engine_running = l->engine != NULL;
	struct registry *reg = local_registry(l, err);
	return reg && observer_gather(l->observer, reg, max_age_ms, views, count, err);
}

static bool local_history(struct ui_backend *b, const char *name, size_t max_runs,
			  struct registry_run **runs, size_t *n_runs, size_t max_events,
			  struct registry_event **events, size_t *n_events, struct lk_error *err)
{
	struct registry *reg = local_registry(local_of(b), err);
	if (reg == NULL)
		return false;
	bool ok = registry_runs_list(reg, name, max_runs, runs, n_runs, err);
	if (!ok) {
		*runs = NULL;
		*n_runs = 0;
	}
	if (!registry_events_list(reg, name, max_events, events, n_events, err)) {
		*events = NULL;
		*n_events = 0;
		ok = false;
	}
	return ok;
}

static bool local_sync(struct ui_backend *b, const char *name, bool full_refresh,
		       bool held_elsewhere, char *done, size_t done_size, struct lk_error *err)
{
	struct local_backend *l = local_of(b);
	if (l->engine && !held_elsewhere) {
		engine_sync_now(l->engine, name, full_refresh);
		snprintf(done, done_size, "%s queued", name);
		return true;
	}
	/* no engine here, or another one holds the table: ask it through the registry */
	struct registry *reg = local_registry(l, err);
	int64_t request_id = 0;
	if (reg == NULL || !registry_request_sync(reg, name, full_refresh, &request_id, err))
		return false;
	snprintf(done, done_size, "asked the engine that holds %s (request %lld)", name,
		 (long long)request_id);
	return true;
}

static bool local_create(struct ui_backend *b, struct model_table *t, struct lk_error *err)
{
	struct local_backend *l = local_of(b);
	struct registry *reg = local_registry(l, err);
	return reg && manage_create(l->conf, reg, t, err);
}

static bool local_remove(struct ui_backend *b, const char *name, bool purge,
			 struct lk_error *err)
{
	struct local_backend *l = local_of(b);
	struct registry *reg = local_registry(l, err);
	return reg && manage_delete(l->conf, reg, name, purge, err);
}

static bool local_preview(struct ui_backend *b, const char *source, struct manage_preview *out,
			  struct lk_error *err)
{
	return manage_preview(local_of(b)->conf, source, out, err);
}

static bool local_catalog(struct ui_backend *b, const char *prefix, struct catalog_list *out,
			  struct lk_error *err)
{
	const struct conf *conf = local_of(b)->conf;
	if (conf->catalog_root == NULL) {
		lk_error_set(err, LK_EINVAL, "No catalog configured: set $LAKESYNC_CATALOG or "
					     "`catalog` in the config.");
		return false;
	}
	return catalog_list(conf->catalog_root, prefix, out, err);
}

static bool local_instances(struct ui_backend *b, const struct conf_project **projects,
			    size_t *count, struct lk_error *err)
{
	(void)err;
	const struct conf *conf = local_of(b)->conf;
	*projects = conf->projects;
	*count = conf->n_projects;
	return true;
}

static const char *local_where(const struct ui_backend *b)
{
	(void)b;
	return "";
}

static void local_free(struct ui_backend *b)
{
	struct local_backend *l = local_of(b);
	observer_free(l->observer);
	registry_close(l->reg);
	free(l);
}

static const struct ui_backend_ops local_ops = {
	.gather = local_gather,
	.history = local_history,
	.sync = local_sync,
	.create = local_create,
	.remove = local_remove,
	.preview = local_preview,
	.catalog = local_catalog,
	.instances = local_instances,
	.where = local_where,
	.free = local_free,
};

struct ui_backend *ui_backend_local(const struct conf *conf, struct engine *engine)
{
	struct local_backend *l = xcalloc(1, sizeof *l);
	l->base.ops = &local_ops;
	l->conf = conf;
	l->engine = engine;
	l->observer = observer_new(conf, engine);
	return &l->base;
}
