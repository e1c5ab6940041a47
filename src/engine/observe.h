/* engine/observe.h: what an operator watches about every synced table at a glance: the
 * table as the registry has it (spec and status), the latest version of its source, the
 * rows of its PostgreSQL table and what an engine in this process is doing with it. The
 * console's dashboard is drawn from it, and the daemon serves it (doc/api.md,
 * GET /api/2.0/lakesync/dashboard) so that a remote console shows the same.
 *
 * An observer keeps what makes gathering cheap between calls: one connection per distinct
 * target database (for the row counts, retried at most every few seconds when down) and
 * the latest source versions (each re-read at most once per max_age_ms). Use one observer
 * from one thread at a time. */
#ifndef LK_ENGINE_OBSERVE_H
#define LK_ENGINE_OBSERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/model.h"
#include "conf/conf.h"
#include "registry/registry.h"
#include "util/error.h"

struct engine;
struct observer;

struct table_view {
	struct model_table table;
	int64_t latest_version;   /* the source's latest Delta version; -1 = unknown */
	int64_t target_rows;      /* rows in the PostgreSQL table (estimate); -1 = unknown */
	bool queued, running;     /* in the observing process's engine */
	bool held_elsewhere;      /* another engine holds the pipeline */
	int failures;             /* consecutive failed runs in that engine */
};

/* engine: the engine of this process whose activity the views carry, or NULL. conf must
 * outlive the observer. */
struct observer *observer_new(const struct conf *conf, struct engine *engine);
void observer_free(struct observer *observer);
bool observer_has_engine(const struct observer *observer);

/* Every synced table of the registry, ordered by name, with the facts above. Fails only
 * when the registry cannot be listed; facts that cannot be read now stay unknown. */
bool observer_gather(struct observer *observer, struct registry *reg, int64_t max_age_ms,
		     struct table_view **out, size_t *count, struct lk_error *err);

void table_view_free(struct table_view *view);
void table_views_free(struct table_view *views, size_t count);
void table_view_copy(struct table_view *dst, const struct table_view *src);

#endif
