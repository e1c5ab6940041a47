/* ui/model.c: the console's data thread (see model.h): refreshes snapshots of the synced
 * tables from its backend and serves the screen's commands, so that the draw loop never
 * waits on I/O. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ui/backend.h"
#include "ui/model.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	FOCUS_RUNS = 50,
	FOCUS_EVENTS = 200,
	MIN_REFRESH_MS = 100,
};

enum command_kind { CMD_SYNC, CMD_CREATE, CMD_DELETE, CMD_PREVIEW, CMD_CATALOG };

struct command {
	struct command *next;
	enum command_kind kind;
	char name[400];            /* table, source or catalog prefix */
	bool flag;                 /* full refresh (sync), purge (delete) */
	struct model_table table;  /* create */
};

/* A background read whose result the screen takes once: the preview of a source, the
 * listing of a catalog level. Only the latest request (key) is kept. */
struct result_slot {
	char key[400];
	bool armed, ready, ok;
	void *payload;             /* heap; freed by payload_free unless taken */
	void (*payload_free)(void *payload);
	char error[512];
};

struct ui_model {
	struct ui_model_options options;
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool stopping, paused, poked;
	struct ui_snapshot *current;
	char focus[256];
	struct command *head, *tail;
	struct ui_message message;
	struct result_slot preview, catalog;
	/* owned by the data thread */
	struct ui_backend *backend;
	const struct conf_project *projects;
	size_t n_projects;
	bool have_projects;
	uint64_t generation;
	int64_t last_ok_ms;
};

static int64_t mono_ms(void)
{
	return lk_clock_monotonic_ns() / 1000000;
}

static int64_t thread_cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void model_wake_screen(struct ui_model *m)
{
	if (m->options.wake_fd < 0)
		return;
	char byte = 1;
	ssize_t n = write(m->options.wake_fd, &byte, 1);
	(void)n; /* a full pipe already holds a wake-up */
}

/* ---- snapshots ----------------------------------------------------------------------------- */

static void snapshot_free(struct ui_snapshot *s)
{
	table_views_free(s->rows, s->n_rows);
	registry_runs_free(s->runs, s->n_runs);
	registry_events_free(s->events, s->n_events);
	free(s);
}

struct ui_snapshot *ui_model_acquire(struct ui_model *m)
{
	pthread_mutex_lock(&m->lock);
	struct ui_snapshot *s = m->current;
	if (s)
		s->refcount++;
	pthread_mutex_unlock(&m->lock);
	return s;
}

void ui_model_release(struct ui_model *m, struct ui_snapshot *s)
{
	if (s == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	bool last = --s->refcount == 0;
	pthread_mutex_unlock(&m->lock);
	if (last)
		snapshot_free(s);
}

static void snapshot_publish(struct ui_model *m, struct ui_snapshot *s)
{
	s->refcount = 1;
	pthread_mutex_lock(&m->lock);
	struct ui_snapshot *old = m->current;
	m->current = s;
	bool last = old && --old->refcount == 0;
	pthread_mutex_unlock(&m->lock);
	if (last)
		snapshot_free(old);
	model_wake_screen(m);
}

/* ---- refreshes ----------------------------------------------------------------------------- */

static void gather_focus(struct ui_model *m, struct ui_snapshot *s)
{
	pthread_mutex_lock(&m->lock);
	snprintf(s->focus, sizeof s->focus, "%s", m->focus);
	pthread_mutex_unlock(&m->lock);
	if (s->focus[0] == '\0')
		return;
	struct lk_error err = LK_ERROR_INIT;
	m->backend->ops->history(m->backend, s->focus, FOCUS_RUNS, &s->runs, &s->n_runs,
				 FOCUS_EVENTS, &s->events, &s->n_events, &err);
}

/* The instances, asked of the backend until it could tell once; only after a refresh that
 * reached it (an unreachable daemon costs one timeout per refresh, not two). */
static void gather_projects(struct ui_model *m, struct ui_snapshot *s)
{
	struct lk_error err = LK_ERROR_INIT;
	if (!m->have_projects && s->connected)
		m->have_projects = m->backend->ops->instances(m->backend, &m->projects,
							      &m->n_projects, &err);
	s->projects = m->projects;
	s->n_projects = m->n_projects;
}

/* A snapshot that keeps the last rows but says the registry did not answer. */
static struct ui_snapshot *snapshot_disconnected(struct ui_model *m, const char *why)
{
	struct ui_snapshot *s = xcalloc(1, sizeof *s);
	pthread_mutex_lock(&m->lock);
	const struct ui_snapshot *old = m->current;
	if (old) {
		s->rows = xcalloc(old->n_rows ? old->n_rows : 1, sizeof *s->rows);
		for (size_t i = 0; i < old->n_rows; i++) {
			table_view_copy(&s->rows[i], &old->rows[i]);
			s->rows[i].running = s->rows[i].queued = false;
		}
		s->n_rows = old->n_rows;
		s->engine_running = old->engine_running;
	}
	pthread_mutex_unlock(&m->lock);
	s->connected = false;
	snprintf(s->error, sizeof s->error, "%s", why);
	return s;
}

static void model_refresh(struct ui_model *m)
{
	int64_t cpu_start = thread_cpu_us();
	struct lk_error err = LK_ERROR_INIT;
	pthread_mutex_lock(&m->lock);
	int64_t max_age = m->options.refresh_ms;
	pthread_mutex_unlock(&m->lock);
	struct table_view *views;
	size_t n;
	bool engine_running;
	struct ui_snapshot *s;
	if (m->backend->ops->gather(m->backend, max_age, &views, &n, &engine_running, &err)) {
		s = xcalloc(1, sizeof *s);
		s->rows = views;
		s->n_rows = n;
		s->engine_running = engine_running;
		gather_focus(m, s);
		s->connected = true;
		m->last_ok_ms = s->refreshed_ms = mono_ms();
	} else {
		lk_log(LK_LOG_WARN, "console: refresh failed: %s", err.message);
		s = snapshot_disconnected(m, err.message);
		s->refreshed_ms = m->last_ok_ms;
	}
	gather_projects(m, s);
	snprintf(s->remote, sizeof s->remote, "%s", m->backend->ops->where(m->backend));
	s->generation = ++m->generation;
	s->fetch_cpu_us = thread_cpu_us() - cpu_start;
	snapshot_publish(m, s);
}

/* ---- commands ------------------------------------------------------------------------------ */

static void message_set(struct ui_model *m, bool ok, const char *kind, const char *subject,
			const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void message_set(struct ui_model *m, bool ok, const char *kind, const char *subject,
			const char *fmt, ...)
{
	va_list ap;
	pthread_mutex_lock(&m->lock);
	m->message.seq++;
	m->message.ok = ok;
	snprintf(m->message.kind, sizeof m->message.kind, "%s", kind);
	snprintf(m->message.subject, sizeof m->message.subject, "%s", subject);
	va_start(ap, fmt);
	vsnprintf(m->message.text, sizeof m->message.text, fmt, ap);
	va_end(ap);
	pthread_mutex_unlock(&m->lock);
	lk_log(ok ? LK_LOG_INFO : LK_LOG_WARN, "console: %s", m->message.text);
	model_wake_screen(m);
}

/* Whether the last snapshot saw another engine holding `name`. */
static bool held_elsewhere(struct ui_model *m, const char *name)
{
	bool held = false;
	pthread_mutex_lock(&m->lock);
	const struct ui_snapshot *s = m->current;
	for (size_t i = 0; s && i < s->n_rows; i++)
		if (strcmp(s->rows[i].table.name, name) == 0)
			held = s->rows[i].held_elsewhere;
	pthread_mutex_unlock(&m->lock);
	return held;
}

static void command_sync(struct ui_model *m, const struct command *c)
{
	const char *what = c->flag ? "Full refresh" : "Sync now";
	struct lk_error err = LK_ERROR_INIT;
	char done[400];
	if (m->backend->ops->sync(m->backend, c->name, c->flag, held_elsewhere(m, c->name), done,
				  sizeof done, &err))
		message_set(m, true, "sync", c->name, "%s: %s", what, done);
	else
		message_set(m, false, "sync", c->name, "%s of %s failed: %s", what, c->name,
			    err.message);
}

static void command_create(struct ui_model *m, struct command *c)
{
	struct lk_error err = LK_ERROR_INIT;
	if (m->backend->ops->create(m->backend, &c->table, &err))
		message_set(m, true, "create", c->table.name, "Created %s: provisioning",
			    c->table.name);
	else
		message_set(m, false, "create", c->table.name ? c->table.name : "",
			    "Create failed: %s", err.message);
}

static void command_delete(struct ui_model *m, const struct command *c)
{
	struct lk_error err = LK_ERROR_INIT;
	if (m->backend->ops->remove(m->backend, c->name, c->flag, &err))
		message_set(m, true, "delete", c->name, "Deleted %s%s", c->name,
			    c->flag ? " and dropped its PostgreSQL table" : "");
	else
		message_set(m, false, "delete", c->name, "Delete of %s failed: %s", c->name,
			    err.message);
}

/* ---- result slots -------------------------------------------------------------------------- */

/* A new request for key: forgets what the slot held. Under the lock. */
static void slot_arm(struct result_slot *slot, const char *key)
{
	if (slot->ready && slot->ok)
		slot->payload_free(slot->payload);
	slot->payload = NULL;
	snprintf(slot->key, sizeof slot->key, "%s", key);
	slot->armed = true;
	slot->ready = false;
}

/* The data thread's answer for key (payload on success, taken over); dropped when the
 * screen asked for something else meanwhile. */
static void slot_fill(struct ui_model *m, struct result_slot *slot, const char *key, bool ok,
		      void *payload, const char *error)
{
	pthread_mutex_lock(&m->lock);
	bool wanted = slot->armed && !slot->ready && strcmp(slot->key, key) == 0;
	if (wanted) {
		slot->ready = true;
		slot->ok = ok;
		slot->payload = ok ? payload : NULL;
		snprintf(slot->error, sizeof slot->error, "%s", ok ? "" : error);
	}
	pthread_mutex_unlock(&m->lock);
	if (!wanted && ok)
		slot->payload_free(payload);
	else if (!ok)
		free(payload);
	model_wake_screen(m);
}

/* Moves the answer for key out (payload_size bytes into out); see ui_model_take_preview. */
static bool slot_take(struct ui_model *m, struct result_slot *slot, const char *key, void *out,
		      size_t payload_size, char *error, size_t error_size)
{
	bool taken = false;
	memset(out, 0, payload_size);
	if (error_size)
		error[0] = '\0';
	pthread_mutex_lock(&m->lock);
	if (slot->armed && slot->ready && strcmp(slot->key, key) == 0) {
		taken = true;
		if (slot->ok) {
			memcpy(out, slot->payload, payload_size);
			free(slot->payload); /* the struct moved; what it points to is the caller's */
		} else {
			snprintf(error, error_size, "%s", slot->error);
		}
		slot->payload = NULL;
		slot->armed = slot->ready = false;
	}
	pthread_mutex_unlock(&m->lock);
	return taken;
}

static void preview_payload_free(void *payload)
{
	manage_preview_free(payload);
	free(payload);
}

static void catalog_payload_free(void *payload)
{
	catalog_list_free(payload);
	free(payload);
}

static void command_preview(struct ui_model *m, const struct command *c)
{
	struct manage_preview *p = xcalloc(1, sizeof *p);
	struct lk_error err = LK_ERROR_INIT;
	bool ok = m->backend->ops->preview(m->backend, c->name, p, &err);
	slot_fill(m, &m->preview, c->name, ok, p, err.message);
}

static void command_catalog(struct ui_model *m, const struct command *c)
{
	struct catalog_list *list = xcalloc(1, sizeof *list);
	struct lk_error err = LK_ERROR_INIT;
	bool ok = m->backend->ops->catalog(m->backend, c->name, list, &err);
	slot_fill(m, &m->catalog, c->name, ok, list, err.message);
}

static void command_run(struct ui_model *m, struct command *c)
{
	switch (c->kind) {
	case CMD_SYNC: command_sync(m, c); break;
	case CMD_CREATE: command_create(m, c); break;
	case CMD_DELETE: command_delete(m, c); break;
	case CMD_PREVIEW: command_preview(m, c); break;
	case CMD_CATALOG: command_catalog(m, c); break;
	}
	model_table_free(&c->table);
	free(c);
}

static void command_push(struct ui_model *m, struct command *c)
{
	pthread_mutex_lock(&m->lock);
	if (m->tail)
		m->tail->next = c;
	else
		m->head = c;
	m->tail = c;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

static struct command *command_new(enum command_kind kind, const char *name, bool flag)
{
	struct command *c = xcalloc(1, sizeof *c);
	c->kind = kind;
	snprintf(c->name, sizeof c->name, "%s", name ? name : "");
	c->flag = flag;
	model_table_init(&c->table);
	return c;
}

void ui_model_sync(struct ui_model *m, const char *name, bool full_refresh)
{
	command_push(m, command_new(CMD_SYNC, name, full_refresh));
}

void ui_model_create(struct ui_model *m, struct model_table *t)
{
	struct command *c = command_new(CMD_CREATE, t->name, false);
	c->table = *t;
	model_table_init(t);
	command_push(m, c);
}

void ui_model_delete(struct ui_model *m, const char *name, bool purge)
{
	command_push(m, command_new(CMD_DELETE, name, purge));
}

void ui_model_preview(struct ui_model *m, const char *source)
{
	pthread_mutex_lock(&m->lock);
	slot_arm(&m->preview, source);
	pthread_mutex_unlock(&m->lock);
	command_push(m, command_new(CMD_PREVIEW, source, false));
}

bool ui_model_take_preview(struct ui_model *m, const char *source, struct manage_preview *out,
			   char *error, size_t error_size)
{
	return slot_take(m, &m->preview, source, out, sizeof *out, error, error_size);
}

void ui_model_catalog(struct ui_model *m, const char *prefix)
{
	pthread_mutex_lock(&m->lock);
	slot_arm(&m->catalog, prefix);
	pthread_mutex_unlock(&m->lock);
	command_push(m, command_new(CMD_CATALOG, prefix, false));
}

bool ui_model_take_catalog(struct ui_model *m, const char *prefix, struct catalog_list *out,
			   char *error, size_t error_size)
{
	return slot_take(m, &m->catalog, prefix, out, sizeof *out, error, error_size);
}

bool ui_model_take_message(struct ui_model *m, uint64_t after_seq, struct ui_message *out)
{
	pthread_mutex_lock(&m->lock);
	bool fresh = m->message.seq > after_seq;
	if (fresh)
		*out = m->message;
	pthread_mutex_unlock(&m->lock);
	return fresh;
}

/* ---- refresh control ----------------------------------------------------------------------- */

void ui_model_refresh_now(struct ui_model *m)
{
	pthread_mutex_lock(&m->lock);
	m->poked = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

void ui_model_set_interval(struct ui_model *m, int64_t refresh_ms)
{
	pthread_mutex_lock(&m->lock);
	m->options.refresh_ms = refresh_ms < MIN_REFRESH_MS ? MIN_REFRESH_MS : refresh_ms;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

void ui_model_set_paused(struct ui_model *m, bool paused)
{
	pthread_mutex_lock(&m->lock);
	m->paused = paused;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
}

void ui_model_focus(struct ui_model *m, const char *name)
{
	pthread_mutex_lock(&m->lock);
	bool changed = strcmp(m->focus, name ? name : "") != 0;
	snprintf(m->focus, sizeof m->focus, "%s", name ? name : "");
	if (changed) {
		m->poked = true;
		pthread_cond_signal(&m->cond);
	}
	pthread_mutex_unlock(&m->lock);
}

/* ---- the thread ---------------------------------------------------------------------------- */

static void deadline_after(struct timespec *ts, int64_t ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000;
	if (ts->tv_nsec >= 1000000000) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000;
	}
}

static void *model_main(void *arg)
{
	struct ui_model *m = arg;
	int64_t next_refresh = 0;
	pthread_mutex_lock(&m->lock);
	while (!m->stopping) {
		if (m->head) {
			struct command *c = m->head;
			m->head = c->next;
			if (m->head == NULL)
				m->tail = NULL;
			pthread_mutex_unlock(&m->lock);
			bool changes = c->kind != CMD_PREVIEW && c->kind != CMD_CATALOG;
			command_run(m, c);
			pthread_mutex_lock(&m->lock);
			if (changes)
				m->poked = true;
			continue;
		}
		int64_t now = mono_ms();
		if (!m->paused && (m->poked || now >= next_refresh)) {
			m->poked = false;
			pthread_mutex_unlock(&m->lock);
			model_refresh(m);
			pthread_mutex_lock(&m->lock);
			next_refresh = mono_ms() + m->options.refresh_ms;
			continue;
		}
		struct timespec deadline;
		int64_t wait_ms = m->paused ? 1000 : next_refresh - now;
		deadline_after(&deadline, wait_ms > 0 ? wait_ms : 1);
		pthread_cond_timedwait(&m->cond, &m->lock, &deadline);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

struct ui_model *ui_model_start(const struct ui_model_options *options)
{
	struct ui_model *m = xcalloc(1, sizeof *m);
	m->options = *options;
	m->backend = options->backend;
	m->preview.payload_free = preview_payload_free;
	m->catalog.payload_free = catalog_payload_free;
	if (m->options.refresh_ms < MIN_REFRESH_MS)
		m->options.refresh_ms = MIN_REFRESH_MS;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&m->thread, NULL, model_main, m) != 0) {
		m->backend->ops->free(m->backend);
		pthread_mutex_destroy(&m->lock);
		pthread_cond_destroy(&m->cond);
		free(m);
		return NULL;
	}
	return m;
}

void ui_model_stop(struct ui_model *m)
{
	if (m == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	m->stopping = true;
	pthread_cond_signal(&m->cond);
	pthread_mutex_unlock(&m->lock);
	pthread_join(m->thread, NULL);
	while (m->head) {
		struct command *c = m->head;
		m->head = c->next;
		model_table_free(&c->table);
		free(c);
	}
	if (m->current && --m->current->refcount == 0)
		snapshot_free(m->current);
	slot_arm(&m->preview, "");
	slot_arm(&m->catalog, "");
	m->backend->ops->free(m->backend);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m);
}
