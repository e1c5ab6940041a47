/* engine/engine.h: the sync engine: a scheduler thread that decides which synced tables
 * need a run, and worker threads that run their pipelines.
 *
 * What makes a run due: a table never loaded; CONTINUOUS tables whose source has a version
 * newer than the one synced (the log is polled every engine.poll_interval, 1 s by default);
 * TRIGGERED tables whose spec.schedule interval has passed; Sync-now requests, made in this
 * process (engine_sync_now) or by another process through the registry (a request row and
 * NOTIFY lakesync_requests, which wakes the scheduler at once). Runs that fail on a
 * connection-class or transient error (LK_ECONN, LK_ETRANSIENT) are retried with capped
 * exponential backoff and jitter; other failures wait for the operator (Sync now, a full
 * refresh, a spec update).
 * Several engines may share one registry: a per-table advisory lock makes sure only one runs
 * a pipeline; a request for a table another engine is running is left to that engine.
 *
 * The console and `lakesync run` start an engine; engine_stop() cancels running pipelines
 * at their next batch (their transaction rolls back: nothing half-applied) and joins every
 * thread. The engine keeps a snapshot of its activity for the console (engine_activity).
 * Thread-safe: every function may be called from any thread. */
#ifndef LK_ENGINE_ENGINE_H
#define LK_ENGINE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "engine/pipeline.h"
#include "util/error.h"

struct engine;

/* Starts the scheduler and engine.workers worker threads. conf must outlive the engine. */
struct engine *engine_start(const struct conf *conf, struct lk_error *err);
/* Stops cleanly; frees the engine. */
void engine_stop(struct engine *engine);
/* Queues a run of `name` now (a Sync now). */
void engine_sync_now(struct engine *engine, const char *name, bool full_refresh);
/* The engine's id ("host:pid"), as recorded in runs. */
const char *engine_id(const struct engine *engine);

/* What the engine is doing with one table (for the console). */
struct engine_activity {
	char name[256];
	bool queued;
	bool running;
	bool held_elsewhere;   /* another engine holds the table's lock */
	int failures;          /* consecutive failed runs */
};

/* Copies up to max entries of the engine's activity; returns the number copied. */
size_t engine_activity(struct engine *engine, struct engine_activity *out, size_t max);

/* Runs `name` once in this process, or, when another engine holds it, files a request for
 * that engine and (with wait) waits for its outcome. For `lakesync sync`. */
bool engine_sync_once(const struct conf *conf, const char *name, bool full_refresh, bool wait,
		      struct pipeline_result *result, struct lk_error *err);

/* The latest version of a source table (catalog.schema.table), or -1 when it cannot be
 * read now. Lists the table's log: cheap, but not free. */
int64_t engine_source_latest_version(const struct conf *conf, const char *source_full_name);

/* "host:pid", for run records. */
void engine_make_id(char *buf, size_t size);

#endif
