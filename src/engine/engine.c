/* engine/engine.c: the scheduler and its workers (see engine.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <sys/inotify.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/model.h"
#include "catalog/catalog.h"
#include "delta/delta.h"
#include "engine/engine.h"
#include "pg/pg.h"
#include "registry/registry.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	RETRY_CAP_MS = 5 * 60 * 1000,  /* longest wait between retries */
	REGISTRY_RETRY_MS = 5000,      /* wait before reconnecting to the registry */
	WAIT_POLL_MS = 250,            /* engine_sync_once: how often a request is checked */
	NAME_MAX_LEN = 256,
};

struct table_state {
	char name[NAME_MAX_LEN];
	char pipeline_id[40];         /* a table deleted and created again gets a new one */
	enum model_policy policy;
	int64_t schedule_ms;
	bool ever_synced;
	int64_t synced_version;       /* -1 when never synced */
	char *source_name;            /* catalog.schema.table of the source */
	int64_t last_start_ms;        /* monotonic; 0 = never started here */
	int64_t retry_at_ms;          /* monotonic; 0 = no retry pending */
	int failures;
	bool blocked;                 /* failed in a way only the operator can fix */
	bool queued, running, held_elsewhere;
	bool seen;                    /* still in the registry at the last refresh */
	int watch;                    /* inotify watch of a CONTINUOUS source's log, or -1 */
};

struct job {
	char name[NAME_MAX_LEN];
	bool full_refresh;
	bool explicit_request;        /* a Sync now of this process (not the scheduler's) */
	int64_t request_id;           /* 0 when not from the registry */
};

struct engine {
	const struct conf *conf;
	char id[128];
	pthread_mutex_t lock;
	pthread_cond_t work_cond;
	struct job *queue;
	size_t n_queue, cap_queue;
	struct table_state *tables;
	size_t n_tables, cap_tables;
	bool stopping;
	atomic_bool cancel;
	pthread_t scheduler;
	pthread_t *workers;
	size_t n_workers;
	int wake[2];                  /* a byte here wakes the scheduler */
	int inotify;                  /* new commits of CONTINUOUS sources wake it too; -1 if none */
};

void engine_make_id(char *buf, size_t size)
{
	char host[64] = "localhost";
	gethostname(host, sizeof host - 1);
	snprintf(buf, size, "%s:%ld", host, (long)getpid());
}

const char *engine_id(const struct engine *engine)
{
	return engine->id;
}

static int64_t mono_ms(void)
{
	return lk_clock_monotonic_ns() / 1000000;
}

static void engine_wake(struct engine *e)
{
	char byte = 1;
	ssize_t n = write(e->wake[1], &byte, 1);
	(void)n; /* a full pipe already holds a wake-up */
}

/* ---- table states (callers hold e->lock) ----------------------------------------------- */

static struct table_state *state_find(struct engine *e, const char *name)
{
	for (size_t i = 0; i < e->n_tables; i++)
		if (strcmp(e->tables[i].name, name) == 0)
			return &e->tables[i];
	return NULL;
}

static struct table_state *state_get(struct engine *e, const char *name)
{
	struct table_state *s = state_find(e, name);
	if (s)
		return s;
	if (e->n_tables == e->cap_tables) {
		e->cap_tables = e->cap_tables ? e->cap_tables * 2 : 16;
		e->tables = xreallocarray(e->tables, e->cap_tables, sizeof *e->tables);
	}
	s = &e->tables[e->n_tables++];
	memset(s, 0, sizeof *s);
	snprintf(s->name, sizeof s->name, "%s", name);
	s->synced_version = -1;
	s->watch = -1;
	return s;
}

static void state_remove_unseen(struct engine *e)
{
	size_t kept = 0;
	for (size_t i = 0; i < e->n_tables; i++) {
		struct table_state *s = &e->tables[i];
		if (s->seen || s->running || s->queued) {
			e->tables[kept++] = *s;
		} else {
			if (s->watch >= 0 && e->inotify >= 0)
				inotify_rm_watch(e->inotify, s->watch);
			free(s->source_name);
		}
	}
	e->n_tables = kept;
}

/* Queues a job unless one for the table is queued already (a full refresh wins). */
static void queue_push(struct engine *e, const char *name, bool full_refresh, bool explicit_request,
		       int64_t request_id)
{
	for (size_t i = 0; i < e->n_queue; i++) {
		if (strcmp(e->queue[i].name, name) == 0) {
			e->queue[i].full_refresh |= full_refresh;
			e->queue[i].explicit_request |= explicit_request;
			if (request_id && !e->queue[i].request_id)
				e->queue[i].request_id = request_id;
			return;
		}
	}
	if (e->n_queue == e->cap_queue) {
		e->cap_queue = e->cap_queue ? e->cap_queue * 2 : 16;
		e->queue = xreallocarray(e->queue, e->cap_queue, sizeof *e->queue);
	}
	struct job *j = &e->queue[e->n_queue++];
	snprintf(j->name, sizeof j->name, "%s", name);
	j->full_refresh = full_refresh;
	j->explicit_request = explicit_request;
	j->request_id = request_id;
	struct table_state *s = state_get(e, name);
	s->queued = true;
	pthread_cond_signal(&e->work_cond);
}

void engine_sync_now(struct engine *e, const char *name, bool full_refresh)
{
	pthread_mutex_lock(&e->lock);
	struct table_state *s = state_get(e, name);
	s->blocked = false;
	s->retry_at_ms = 0;
	queue_push(e, name, full_refresh, true, 0);
	pthread_mutex_unlock(&e->lock);
}

size_t engine_activity(struct engine *e, struct engine_activity *out, size_t max)
{
	pthread_mutex_lock(&e->lock);
	size_t n = e->n_tables < max ? e->n_tables : max;
	for (size_t i = 0; i < n; i++) {
		const struct table_state *s = &e->tables[i];
		snprintf(out[i].name, sizeof out[i].name, "%s", s->name);
		out[i].queued = s->queued;
		out[i].running = s->running;
		out[i].held_elsewhere = s->held_elsewhere;
		out[i].failures = s->failures;
	}
	pthread_mutex_unlock(&e->lock);
	return n;
}

/* ---- workers ----------------------------------------------------------------------------- */

static int64_t retry_delay_ms(const struct engine *e, int failures)
{
	int64_t delay = e->conf->engine.retry_backoff_ms;
	for (int i = 1; i < failures && delay < RETRY_CAP_MS; i++)
		delay *= 2;
	if (delay > RETRY_CAP_MS)
		delay = RETRY_CAP_MS;
	return delay - delay / 5 + (int64_t)(rand() % (int)(delay / 5 * 2 + 1)); /* ±20% */
}

/* Records a finished run in the table's state. */
static void worker_record(struct engine *e, const struct job *job, bool ok,
			  const struct pipeline_result *result, const struct lk_error *err)
{
	pthread_mutex_lock(&e->lock);
	struct table_state *s = state_get(e, job->name);
	s->running = false;
	s->held_elsewhere = !ok && err->code == LK_EBUSY;
	if (ok) {
		s->failures = 0;
		s->blocked = false;
		s->retry_at_ms = 0;
		s->ever_synced = true;
		if (result->to_version >= 0)
			s->synced_version = result->to_version;
	} else if (err->code == LK_EBUSY) {
		/* the other engine runs it; nothing to count */
	} else if ((err->code == LK_ECONN || err->code == LK_ETRANSIENT) &&
		   s->failures < e->conf->engine.retry_max) {
		s->failures++;
		s->retry_at_ms = mono_ms() + retry_delay_ms(e, s->failures);
	} else {
		s->failures++;
		s->blocked = true;
	}
	pthread_mutex_unlock(&e->lock);
}

static bool worker_take(struct engine *e, struct job *job)
{
	pthread_mutex_lock(&e->lock);
	while (!e->stopping && e->n_queue == 0)
		pthread_cond_wait(&e->work_cond, &e->lock);
	bool got = !e->stopping;
	if (got) {
		*job = e->queue[0];
		memmove(e->queue, e->queue + 1, (e->n_queue - 1) * sizeof *e->queue);
		e->n_queue--;
		struct table_state *s = state_get(e, job->name);
		s->queued = false;
		s->running = true;
		s->last_start_ms = mono_ms();
	}
	pthread_mutex_unlock(&e->lock);
	return got;
}

/* A registry connection that survives a database restart: reconnects when broken. */
static struct registry *worker_registry(struct engine *e, struct registry *reg)
{
	if (reg && PQstatus(registry_conn(reg)) == CONNECTION_OK)
		return reg;
	registry_close(reg);
	struct lk_buf conninfo = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	reg = conf_state_conninfo(e->conf, &conninfo, &err)
		      ? registry_open(lk_buf_cstr(&conninfo), &err)
		      : NULL;
	if (reg == NULL)
		lk_log(LK_LOG_ERROR, "engine: registry unavailable: %s", err.message);
	lk_buf_free(&conninfo);
	return reg;
}

static void worker_finish_request(struct registry *reg, const struct job *job, bool ok,
				  const struct lk_error *err)
{
	if (job->request_id == 0 || reg == NULL)
		return;
	struct lk_error e2 = LK_ERROR_INIT;
	if (!ok && err->code == LK_EBUSY) /* leave it to the engine that holds the table */
		registry_request_release(reg, job->request_id, &e2);
	else
		registry_request_done(reg, job->request_id, ok, ok ? NULL : err->message, &e2);
}

static void *worker_main(void *arg)
{
	struct engine *e = arg;
	struct registry *reg = NULL;
	struct job job;
	while (worker_take(e, &job)) {
		struct pipeline_result result;
		struct lk_error err = LK_ERROR_INIT;
		reg = worker_registry(e, reg);
		bool ok = false;
		if (reg == NULL) {
			lk_error_set(&err, LK_ECONN, "the registry database is unreachable");
		} else {
			struct pipeline_env env = { .conf = e->conf, .reg = reg, .engine_id = e->id,
						    .cancel = &e->cancel };
			ok = pipeline_run(&env, job.name, job.full_refresh, &result, &err);
		}
		if (ok)
			lk_log(LK_LOG_INFO, "%s: synced to version %" PRId64 " (%s%s)", job.name,
			       result.to_version, result.full_load ? "full load" : "incremental",
			       result.nothing_to_do ? ", nothing to do" : "");
		else if (err.code == LK_EBUSY && job.explicit_request && reg)
			/* a Sync now: ask the engine that holds it, through the registry */
			registry_request_sync(reg, job.name, job.full_refresh, &(int64_t){ 0 }, NULL);
		else if (err.code != LK_EBUSY)
			lk_log(LK_LOG_ERROR, "%s: %s", job.name, err.message);
		worker_finish_request(reg, &job, ok, &err);
		worker_record(e, &job, ok, &result, &err);
	}
	registry_close(reg);
	return NULL;
}

/* ---- scheduler --------------------------------------------------------------------------- */

int64_t engine_source_latest_version(const struct conf *conf, const char *source_name)
{
	struct catalog_name name;
	struct lk_error err = LK_ERROR_INIT;
	if (!catalog_name_parse(source_name, "source", &name, &err))
		return -1;
	char *root = catalog_table_root(conf->catalog_root, &name, &err);
	catalog_name_free(&name);
	int64_t version = -1;
	struct delta_table *table = root ? delta_table_open(root, &err) : NULL;
	if (table && !delta_table_latest_version(table, &version, &err))
		version = -1;
	if (table)
		delta_table_free(table);
	free(root);
	return version;
}

/* Copies what the scheduler needs of the registry's tables into the states. */
static bool scheduler_refresh(struct engine *e, struct registry *reg, struct lk_error *err)
{
	char *token = NULL;
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->n_tables; i++)
		e->tables[i].seen = false;
	pthread_mutex_unlock(&e->lock);
	bool ok = true;
	do {
		struct registry_page page;
		ok = registry_table_list(reg, NULL, 500, token, &page, err);
		free(token);
		token = NULL;
		if (!ok)
			break;
		pthread_mutex_lock(&e->lock);
		for (size_t i = 0; i < page.count; i++) {
			const struct model_table *t = &page.tables[i];
			struct table_state *s = state_get(e, t->name);
			const char *pid = t->status.pipeline_id ? t->status.pipeline_id : "";
			if (strcmp(s->pipeline_id, pid) != 0 && !s->running && !s->queued) {
				/* a new table under this name: forget the old one's runs */
				free(s->source_name);
				if (s->watch >= 0 && e->inotify >= 0)
					inotify_rm_watch(e->inotify, s->watch);
				memset(s, 0, sizeof *s);
				snprintf(s->name, sizeof s->name, "%s", t->name);
				snprintf(s->pipeline_id, sizeof s->pipeline_id, "%s", pid);
				s->synced_version = -1;
				s->watch = -1;
			}
			s->seen = true;
			s->policy = t->spec.scheduling_policy;
			s->schedule_ms = t->spec.schedule_ms;
			if (!s->running) {
				s->ever_synced = t->status.has_last_sync;
				s->synced_version = t->status.has_last_sync
							    ? t->status.delta_commit_version
							    : -1;
			}
			if (s->source_name == NULL ||
			    strcmp(s->source_name, t->spec.source_table_full_name) != 0) {
				free(s->source_name);
				s->source_name = xstrdup(t->spec.source_table_full_name);
			}
		}
		pthread_mutex_unlock(&e->lock);
		token = page.next_page_token ? xstrdup(page.next_page_token) : NULL;
		registry_page_free(&page);
	} while (token);
	if (ok) {
		pthread_mutex_lock(&e->lock);
		state_remove_unseen(e);
		pthread_mutex_unlock(&e->lock);
	}
	return ok;
}

/* Watches the _delta_log directory of each CONTINUOUS source, so that a new commit wakes the
 * scheduler at once instead of at the next poll. Only finished files count (closed after
 * writing, or renamed into place), never a commit still being written. Watches are a
 * speed-up only: the poll still finds every commit (and covers sources inotify cannot
 * watch). */
static void scheduler_watch_sources(struct engine *e)
{
	if (e->inotify < 0)
		return;
	pthread_mutex_lock(&e->lock);
	for (size_t i = 0; i < e->n_tables; i++) {
		struct table_state *s = &e->tables[i];
		if (s->policy != MODEL_POLICY_CONTINUOUS || s->watch >= 0 || s->source_name == NULL)
			continue;
		struct catalog_name name;
		struct lk_error err = LK_ERROR_INIT;
		if (!catalog_name_parse(s->source_name, "source", &name, &err))
			continue;
		char *root = catalog_table_root(e->conf->catalog_root, &name, &err);
		catalog_name_free(&name);
		if (root == NULL)
			continue;
		char *log_dir = xasprintf("%s/_delta_log", root);
		s->watch = inotify_add_watch(e->inotify, log_dir, IN_MOVED_TO | IN_CLOSE_WRITE);
		free(log_dir);
		free(root);
	}
	pthread_mutex_unlock(&e->lock);
}

/* Whether a table needs a run now; reads its source's latest version when continuous. */
static bool scheduler_due(struct engine *e, struct table_state *s, int64_t now)
{
	if (s->queued || s->running || s->blocked)
		return false;
	if (s->retry_at_ms)
		return now >= s->retry_at_ms;
	if (!s->ever_synced)
		return s->last_start_ms == 0;
	switch (s->policy) {
	case MODEL_POLICY_CONTINUOUS: {
		char *source = xstrdup(s->source_name);
		int64_t synced = s->synced_version;
		pthread_mutex_unlock(&e->lock); /* reading the log must not hold the lock */
		int64_t latest = engine_source_latest_version(e->conf, source);
		pthread_mutex_lock(&e->lock);
		free(source);
		return latest > synced;
	}
	case MODEL_POLICY_TRIGGERED:
		return s->schedule_ms > 0 &&
		       (s->last_start_ms == 0 || now - s->last_start_ms >= s->schedule_ms);
	default:
		return false;
	}
}

static void scheduler_take_requests(struct engine *e, struct registry *reg)
{
	for (;;) {
		struct registry_request req;
		bool found = false;
		struct lk_error err = LK_ERROR_INIT;
		if (!registry_request_take(reg, e->id, &req, &found, &err) || !found)
			return;
		pthread_mutex_lock(&e->lock);
		struct table_state *s = state_get(e, req.name);
		s->blocked = false;
		s->retry_at_ms = 0;
		queue_push(e, req.name, req.full_refresh, false, req.id);
		pthread_mutex_unlock(&e->lock);
	}
}

static void scheduler_dispatch(struct engine *e)
{
	int64_t now = mono_ms();
	pthread_mutex_lock(&e->lock);
	/* names first: scheduler_due may drop the lock, and the array may move meanwhile */
	size_t n = e->n_tables;
	char (*names)[NAME_MAX_LEN] = xcalloc(n ? n : 1, NAME_MAX_LEN);
	for (size_t i = 0; i < n; i++)
		memcpy(names[i], e->tables[i].name, NAME_MAX_LEN);
	for (size_t i = 0; i < n && !e->stopping; i++) {
		struct table_state *s = state_find(e, names[i]);
		if (s && scheduler_due(e, s, now) && (s = state_find(e, names[i])) != NULL)
			queue_push(e, s->name, false, false, 0);
	}
	pthread_mutex_unlock(&e->lock);
	free(names);
}

/* Sleeps up to timeout_ms, waking early for a wake-up byte, a NOTIFY or a new commit. */
static void scheduler_wait(struct engine *e, struct registry *reg, int64_t timeout_ms)
{
	struct pollfd fds[3] = { { .fd = e->wake[0], .events = POLLIN },
				 { .fd = e->inotify, .events = POLLIN },
				 { .fd = reg ? PQsocket(registry_conn(reg)) : -1,
				   .events = POLLIN } };
	int n = poll(fds, reg ? 3 : 2, (int)timeout_ms);
	char buf[4096] __attribute__((aligned(8)));
	if (n > 0 && (fds[0].revents & POLLIN))
		while (read(e->wake[0], buf, sizeof buf) > 0)
			;
	if (n > 0 && (fds[1].revents & POLLIN))
		while (read(e->inotify, buf, sizeof buf) > 0)
			;
	if (reg && n > 0 && (fds[2].revents & POLLIN)) {
		PGconn *conn = registry_conn(reg);
		PQconsumeInput(conn);
		PGnotify *note;
		while ((note = PQnotifies(conn)) != NULL)
			PQfreemem(note);
	}
}

static bool scheduler_stopping(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	bool stopping = e->stopping;
	pthread_mutex_unlock(&e->lock);
	return stopping;
}

static void *scheduler_main(void *arg)
{
	struct engine *e = arg;
	struct registry *reg = NULL;
	while (!scheduler_stopping(e)) {
		struct lk_error err = LK_ERROR_INIT;
		if (reg == NULL || PQstatus(registry_conn(reg)) != CONNECTION_OK) {
			registry_close(reg);
			reg = worker_registry(e, NULL);
			if (reg && !pg_exec(registry_conn(reg), "LISTEN lakesync_requests", &err))
				lk_log(LK_LOG_WARN, "engine: LISTEN failed: %s", err.message);
			if (reg == NULL) {
				scheduler_wait(e, NULL, REGISTRY_RETRY_MS);
				continue;
			}
		}
		if (!scheduler_refresh(e, reg, &err))
			lk_log(LK_LOG_WARN, "engine: cannot list synced tables: %s", err.message);
		scheduler_watch_sources(e);
		scheduler_take_requests(e, reg);
		scheduler_dispatch(e);
		scheduler_wait(e, reg, e->conf->engine.poll_interval_ms);
	}
	registry_close(reg);
	return NULL;
}

/* ---- start, stop ------------------------------------------------------------------------- */

struct engine *engine_start(const struct conf *conf, struct lk_error *err)
{
	struct engine *e = xcalloc(1, sizeof *e);
	e->conf = conf;
	engine_make_id(e->id, sizeof e->id);
	if (pipe(e->wake) != 0) {
		lk_error_set_errno(err, LK_EINTERNAL, errno, "engine: pipe");
		free(e);
		return NULL;
	}
	fcntl(e->wake[0], F_SETFL, O_NONBLOCK);
	fcntl(e->wake[1], F_SETFL, O_NONBLOCK);
	e->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->work_cond, NULL);
	srand((unsigned)(lk_clock_monotonic_ns() ^ getpid()));
	e->n_workers = (size_t)conf->engine.workers;
	e->workers = xcalloc(e->n_workers, sizeof *e->workers);
	for (size_t i = 0; i < e->n_workers; i++) {
		if (pthread_create(&e->workers[i], NULL, worker_main, e) != 0) {
			e->n_workers = i;
			break;
		}
	}
	if (e->n_workers == 0 || pthread_create(&e->scheduler, NULL, scheduler_main, e) != 0) {
		lk_error_set(err, LK_EINTERNAL, "engine: cannot start threads");
		e->stopping = true;
		pthread_cond_broadcast(&e->work_cond);
		for (size_t i = 0; i < e->n_workers; i++)
			pthread_join(e->workers[i], NULL);
		free(e->workers);
		close(e->wake[0]);
		close(e->wake[1]);
		if (e->inotify >= 0)
			close(e->inotify);
		free(e);
		return NULL;
	}
	lk_log(LK_LOG_INFO, "engine %s started with %zu worker(s)", e->id, e->n_workers);
	return e;
}

void engine_stop(struct engine *e)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->lock);
	e->stopping = true;
	pthread_cond_broadcast(&e->work_cond);
	pthread_mutex_unlock(&e->lock);
	atomic_store(&e->cancel, true);
	engine_wake(e);
	pthread_join(e->scheduler, NULL);
	for (size_t i = 0; i < e->n_workers; i++)
		pthread_join(e->workers[i], NULL);
	for (size_t i = 0; i < e->n_tables; i++)
		free(e->tables[i].source_name);
	free(e->tables);
	free(e->queue);
	free(e->workers);
	close(e->wake[0]);
	close(e->wake[1]);
	if (e->inotify >= 0)
		close(e->inotify);
	pthread_mutex_destroy(&e->lock);
	pthread_cond_destroy(&e->work_cond);
	lk_log(LK_LOG_INFO, "engine %s stopped", e->id);
	free(e);
}

/* ---- one-shot runs (lakesync sync) ---------------------------------------------------------- */

static bool wait_for_request(struct registry *reg, int64_t request_id, struct lk_error *err)
{
	for (;;) {
		bool done = false, succeeded = false;
		char message[LK_ERROR_MESSAGE_MAX];
		if (!registry_request_status(reg, request_id, &done, &succeeded, message,
					     sizeof message, err))
			return false;
		if (done)
			return succeeded || lk_error_set(err, LK_EINTERNAL, "%s", message);
		usleep(WAIT_POLL_MS * 1000);
	}
}

bool engine_sync_once(const struct conf *conf, const char *name, bool full_refresh, bool wait,
		      struct pipeline_result *result, struct lk_error *err)
{
	struct lk_buf conninfo = LK_BUF_INIT;
	struct registry *reg = conf_state_conninfo(conf, &conninfo, err)
				       ? registry_open(lk_buf_cstr(&conninfo), err)
				       : NULL;
	lk_buf_free(&conninfo);
	if (reg == NULL)
		return false;
	char id[128];
	engine_make_id(id, sizeof id);
	struct pipeline_env env = { .conf = conf, .reg = reg, .engine_id = id };
	bool ok = pipeline_run(&env, name, full_refresh, result, err);
	if (!ok && err->code == LK_EBUSY) {
		int64_t request_id;
		lk_error_clear(err);
		ok = registry_request_sync(reg, name, full_refresh, &request_id, err);
		snprintf(result->message, sizeof result->message,
			 "another engine holds %s: request %" PRId64 " filed", name, request_id);
		if (ok && wait)
			ok = wait_for_request(reg, request_id, err);
	}
	registry_close(reg);
	return ok;
}
