/* ui/backend.h: where the console's data thread gets its facts and sends its commands.
 * Two backends answer the same operations: the local one reads the registry, the catalog
 * and this process's engine (engine/observe.h, engine/manage.h); the remote one asks a
 * `lakesync serve` daemon through the REST API (api/client.h) — the console endpoints
 * give it the same facts, so that both draw the same dashboard.
 *
 * Each operation runs in the data thread only (a backend is not shared between threads)
 * and may block on the network; the draw loop never calls it. Failures are values. */
#ifndef LK_UI_BACKEND_H
#define LK_UI_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/model.h"
#include "catalog/catalog.h"
#include "conf/conf.h"
#include "engine/manage.h"
#include "engine/observe.h"
#include "registry/registry.h"
#include "util/error.h"

struct api_client;
struct engine;
struct ui_backend;

struct ui_backend_ops {
	/* Every synced table with its facts, ordered by name; *engine_running tells whether
	 * an engine (here, or in the daemon) runs the pipelines. */
	bool (*gather)(struct ui_backend *b, int64_t max_age_ms, struct table_view **views,
		       size_t *count, bool *engine_running, struct lk_error *err);
	/* The newest runs and events of one table (at most the limits); best effort. */
	bool (*history)(struct ui_backend *b, const char *name, size_t max_runs,
			struct registry_run **runs, size_t *n_runs, size_t max_events,
			struct registry_event **events, size_t *n_events, struct lk_error *err);
	/* Sync now. held_elsewhere: the last gather saw another engine hold the table. On
	 * success, done says what happened ("queued", "asked the engine that holds it"). */
	bool (*sync)(struct ui_backend *b, const char *name, bool full_refresh,
		     bool held_elsewhere, char *done, size_t done_size, struct lk_error *err);
	bool (*create)(struct ui_backend *b, struct model_table *t, struct lk_error *err);
	bool (*remove)(struct ui_backend *b, const char *name, bool purge, struct lk_error *err);
	bool (*preview)(struct ui_backend *b, const char *source, struct manage_preview *out,
			struct lk_error *err);
	bool (*catalog)(struct ui_backend *b, const char *prefix, struct catalog_list *out,
			struct lk_error *err);
	/* The projects (database instances) a synced table may target, with their branches'
	 * names. The array stays valid and unchanged until the backend is freed. */
	bool (*instances)(struct ui_backend *b, const struct conf_project **projects,
			  size_t *count, struct lk_error *err);
	/* Where the data comes from, for the status line: "" in-process, else the host. */
	const char *(*where)(const struct ui_backend *b);
	void (*free)(struct ui_backend *b);
};

struct ui_backend {
	const struct ui_backend_ops *ops;
};

/* conf must outlive the backend; engine may be NULL (no engine in this process). */
struct ui_backend *ui_backend_local(const struct conf *conf, struct engine *engine);
/* Takes ownership of client. */
struct ui_backend *ui_backend_remote(struct api_client *client);

#endif
