/* ui/model.c: the console's data thread (see model.h): refreshes snapshots of the synced
 * tables and serves the screen's commands, so that the draw loop never waits on I/O. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/engine.h"
#include "engine/manage.h"
#include "engine/pipeline.h"
#include "pg/pg.h"
#include "ui/model.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	LIST_PAGE_SIZE = 1000,     /* the registry's largest page */
	FOCUS_RUNS = 50,
	FOCUS_EVENTS = 200,
	ACTIVITY_SPARE = 64,       /* engine entries beyond the registry's count */
	MIN_REFRESH_MS = 100,
};

enum command_kind { CMD_SYNC, CMD_CREATE, CMD_DELETE, CMD_PREVIEW };

struct command {
	struct command *next;
	enum command_kind kind;
	char name[256];
	bool flag;                 /* full refresh (sync), purge (delete) */
	struct model_table table;  /* create */
};

/* The latest version of one source table, read at most once per refresh interval. */
struct source_version {
	char *source;
	int64_t version;
	int64_t read_ms;
};

/* One connection per distinct target database, for row counts. */
struct target_conn {
	char *conninfo;
	PGconn *conn;
	int64_t retry_ms;          /* monotonic: do not reconnect before */
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
	/* the preview slot */
	char preview_source[256];
	bool preview_ready, preview_ok;
	struct manage_preview preview;
	char preview_error[512];
	/* owned by the data thread */
	struct registry *reg;
	int64_t reg_retry_ms;
	struct source_version *versions;
	size_t n_versions, cap_versions;
	struct target_conn *targets;
	size_t n_targets;
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
	for (size_t i = 0; i < s->n_rows; i++)
		model_table_free(&s->rows[i].table);
	free(s->rows);
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

/* ---- the registry connection --------------------------------------------------------------- */

static struct registry *model_registry(struct ui_model *m, struct lk_error *err)
{
	if (m->reg && PQstatus(registry_conn(m->reg)) == CONNECTION_OK)
		return m->reg;
	registry_close(m->reg);
	m->reg = NULL;
	if (mono_ms() < m->reg_retry_ms) {
		lk_error_set(err, LK_ECONN, "the registry database is unreachable");
		return NULL;
	}
	m->reg = manage_open_registry(m->options.conf, err);
	if (m->reg == NULL)
		m->reg_retry_ms = mono_ms() + 2000;
	return m->reg;
}

/* ---- what a refresh gathers ---------------------------------------------------------------- */

static int64_t source_latest_version(struct ui_model *m, const char *source, int64_t now,
				     int64_t max_age_ms)
{
	size_t lo = 0, hi = m->n_versions;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(m->versions[mid].source, source);
		if (c == 0) {
			struct source_version *v = &m->versions[mid];
			if (now - v->read_ms >= max_age_ms) {
				v->version = engine_source_latest_version(m->options.conf, source);
				v->read_ms = now;
			}
			return v->version;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (m->n_versions == m->cap_versions) {
		m->cap_versions = m->cap_versions ? m->cap_versions * 2 : 16;
		m->versions = xreallocarray(m->versions, m->cap_versions, sizeof *m->versions);
	}
	memmove(&m->versions[lo + 1], &m->versions[lo], (m->n_versions - lo) * sizeof *m->versions);
	m->n_versions++;
	m->versions[lo] = (struct source_version){
		.source = xstrdup(source),
		.version = engine_source_latest_version(m->options.conf, source),
		.read_ms = now,
	};
	return m->versions[lo].version;
}

static int activity_cmp(const void *a, const void *b)
{
	return strcmp(((const struct engine_activity *)a)->name,
		      ((const struct engine_activity *)b)->name);
}

static void merge_activity(struct ui_model *m, struct ui_row *rows, size_t n)
{
	if (m->options.engine == NULL)
		return;
	size_t max = n + ACTIVITY_SPARE;
	struct engine_activity *acts = xcalloc(max, sizeof *acts);
	size_t got = engine_activity(m->options.engine, acts, max);
	qsort(acts, got, sizeof *acts, activity_cmp);
	for (size_t i = 0; i < n; i++) {
		struct engine_activity key;
		snprintf(key.name, sizeof key.name, "%s", rows[i].table.name);
		const struct engine_activity *a = bsearch(&key, acts, got, sizeof *acts,
							  activity_cmp);
		if (a == NULL)
			continue;
		rows[i].queued = a->queued;
		rows[i].running = a->running;
		rows[i].held_elsewhere = a->held_elsewhere;
		rows[i].failures = a->failures;
	}
	free(acts);
}

static struct target_conn *target_get(struct ui_model *m, const char *conninfo)
{
	for (size_t i = 0; i < m->n_targets; i++)
		if (strcmp(m->targets[i].conninfo, conninfo) == 0)
			return &m->targets[i];
	m->targets = xreallocarray(m->targets, m->n_targets + 1, sizeof *m->targets);
	struct target_conn *t = &m->targets[m->n_targets++];
	*t = (struct target_conn){ .conninfo = xstrdup(conninfo) };
	return t;
}

struct rel_rows {
	const char *name; /* "schema.table", pointing into a PGresult */
	int64_t rows;
};

static int rel_rows_cmp(const void *a, const void *b)
{
	return strcmp(((const struct rel_rows *)a)->name, ((const struct rel_rows *)b)->name);
}

/* Fills target_rows of the rows whose target is t, from one catalog query. */
static void target_rows_fill(struct ui_model *m, struct target_conn *t, struct ui_row *rows,
			     const int *target_of, size_t n, int target_index)
{
	struct lk_error err = LK_ERROR_INIT;
	if (t->conn && PQstatus(t->conn) != CONNECTION_OK) {
		PQfinish(t->conn);
		t->conn = NULL;
	}
	if (t->conn == NULL) {
		if (mono_ms() < t->retry_ms)
			return;
		t->conn = pg_connect(t->conninfo, "lakesync console", &err);
		if (t->conn == NULL) {
			t->retry_ms = mono_ms() + 5000;
			return;
		}
	}
	PGresult *res = pg_query(t->conn,
				 "SELECT n.nspname || '.' || c.relname,"
				 " COALESCE(s.n_live_tup, c.reltuples::bigint)"
				 " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
				 " LEFT JOIN pg_stat_user_tables s ON s.relid = c.oid"
				 " WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN"
				 " ('pg_catalog', 'information_schema', 'pg_toast', 'lakesync')",
				 0, NULL, &err);
	if (res == NULL)
		return;
	int count = PQntuples(res);
	struct rel_rows *rels = xcalloc(count ? (size_t)count : 1, sizeof *rels);
	for (int i = 0; i < count; i++)
		rels[i] = (struct rel_rows){ .name = PQgetvalue(res, i, 0),
					     .rows = strtoll(PQgetvalue(res, i, 1), NULL, 10) };
	qsort(rels, (size_t)count, sizeof *rels, rel_rows_cmp);
	for (size_t i = 0; i < n; i++) {
		if (target_of[i] != target_index)
			continue;
		const char *dot = strchr(rows[i].table.name, '.'); /* skip the catalog */
		if (dot == NULL)
			continue;
		struct rel_rows key = { .name = dot + 1 };
		const struct rel_rows *r = bsearch(&key, rels, (size_t)count, sizeof *rels,
						   rel_rows_cmp);
		if (r && r->rows >= 0)
			rows[i].target_rows = r->rows;
	}
	free(rels);
	PQclear(res);
}

static void gather_target_rows(struct ui_model *m, struct ui_row *rows, size_t n)
{
	int *target_of = xcalloc(n ? n : 1, sizeof *target_of);
	struct lk_buf conninfo = LK_BUF_INIT;
	const char *last = NULL;
	int last_index = -1;
	for (size_t i = 0; i < n; i++) {
		lk_buf_reset(&conninfo);
		target_of[i] = -1;
		if (!pipeline_target_conninfo(m->options.conf, &rows[i].table, &conninfo, NULL))
			continue;
		if (last && strcmp(last, lk_buf_cstr(&conninfo)) == 0) {
			target_of[i] = last_index;
			continue;
		}
		struct target_conn *t = target_get(m, lk_buf_cstr(&conninfo));
		target_of[i] = (int)(t - m->targets);
		last = t->conninfo;
		last_index = target_of[i];
	}
	lk_buf_free(&conninfo);
	for (size_t k = 0; k < m->n_targets; k++)
		target_rows_fill(m, &m->targets[k], rows, target_of, n, (int)k);
	free(target_of);
}

static void gather_focus(struct ui_model *m, struct registry *reg, struct ui_snapshot *s)
{
	pthread_mutex_lock(&m->lock);
	snprintf(s->focus, sizeof s->focus, "%s", m->focus);
	pthread_mutex_unlock(&m->lock);
	if (s->focus[0] == '\0')
		return;
	struct lk_error err = LK_ERROR_INIT;
	if (!registry_runs_list(reg, s->focus, FOCUS_RUNS, &s->runs, &s->n_runs, &err)) {
		s->runs = NULL;
		s->n_runs = 0;
	}
	if (!registry_events_list(reg, s->focus, FOCUS_EVENTS, &s->events, &s->n_events, &err)) {
		s->events = NULL;
		s->n_events = 0;
	}
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
			s->rows[i] = old->rows[i];
			model_table_copy(&s->rows[i].table, &old->rows[i].table);
			s->rows[i].running = s->rows[i].queued = false;
		}
		s->n_rows = old->n_rows;
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
	struct registry *reg = model_registry(m, &err);
	struct ui_snapshot *s = NULL;
	if (reg) {
		s = xcalloc(1, sizeof *s);
		size_t cap = 0;
		char *token = NULL;
		bool ok;
		do {
			struct registry_page page;
			ok = registry_table_list(reg, NULL, LIST_PAGE_SIZE, token, &page, &err);
			free(token);
			token = NULL;
			if (!ok)
				break;
			if (s->n_rows + page.count > cap) {
				cap = s->n_rows + page.count;
				s->rows = xreallocarray(s->rows, cap ? cap : 1, sizeof *s->rows);
			}
			for (size_t i = 0; i < page.count; i++) {
				struct ui_row *r = &s->rows[s->n_rows++];
				memset(r, 0, sizeof *r);
				r->table = page.tables[i]; /* moved */
				model_table_init(&page.tables[i]);
			}
			token = page.next_page_token ? xstrdup(page.next_page_token) : NULL;
			registry_page_free(&page);
		} while (token);
		if (!ok) {
			snapshot_free(s);
			s = NULL;
		}
	}
	if (s == NULL) {
		lk_log(LK_LOG_WARN, "console: refresh failed: %s", err.message);
		s = snapshot_disconnected(m, err.message);
		s->refreshed_ms = m->last_ok_ms;
	} else {
		int64_t now = mono_ms();
		pthread_mutex_lock(&m->lock);
		int64_t max_age = m->options.refresh_ms;
		pthread_mutex_unlock(&m->lock);
		for (size_t i = 0; i < s->n_rows; i++) {
			struct ui_row *r = &s->rows[i];
			r->target_rows = -1;
			r->latest_version = r->table.spec.source_table_full_name
						    ? source_latest_version(
							      m, r->table.spec.source_table_full_name,
							      now, max_age)
						    : -1;
		}
		merge_activity(m, s->rows, s->n_rows);
		gather_target_rows(m, s->rows, s->n_rows);
		gather_focus(m, reg, s);
		s->connected = true;
		m->last_ok_ms = s->refreshed_ms = mono_ms();
	}
	s->engine_embedded = m->options.engine != NULL;
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
	if (m->options.engine && !held_elsewhere(m, c->name)) {
		engine_sync_now(m->options.engine, c->name, c->flag);
		message_set(m, true, "sync", c->name, "%s: %s queued", what, c->name);
		return;
	}
	/* no engine here, or another one holds the table: ask it through the registry */
	struct lk_error err = LK_ERROR_INIT;
	struct registry *reg = model_registry(m, &err);
	int64_t request_id = 0;
	if (reg && registry_request_sync(reg, c->name, c->flag, &request_id, &err))
		message_set(m, true, "sync", c->name,
			    "%s: asked the engine that holds %s (request %lld)", what, c->name,
			    (long long)request_id);
	else
		message_set(m, false, "sync", c->name, "%s of %s failed: %s", what, c->name,
			    err.message);
}

static void command_create(struct ui_model *m, struct command *c)
{
	struct lk_error err = LK_ERROR_INIT;
	struct registry *reg = model_registry(m, &err);
	if (reg && manage_create(m->options.conf, reg, &c->table, &err))
		message_set(m, true, "create", c->table.name, "Created %s: provisioning",
			    c->table.name);
	else
		message_set(m, false, "create", c->table.name ? c->table.name : "",
			    "Create failed: %s", err.message);
}

static void command_delete(struct ui_model *m, const struct command *c)
{
	struct lk_error err = LK_ERROR_INIT;
	struct registry *reg = model_registry(m, &err);
	if (reg && manage_delete(m->options.conf, reg, c->name, c->flag, &err))
		message_set(m, true, "delete", c->name, "Deleted %s%s", c->name,
			    c->flag ? " and dropped its PostgreSQL table" : "");
	else
		message_set(m, false, "delete", c->name, "Delete of %s failed: %s", c->name,
			    err.message);
}

static void command_preview(struct ui_model *m, const struct command *c)
{
	struct manage_preview p;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = manage_preview(m->options.conf, c->name, &p, &err);
	pthread_mutex_lock(&m->lock);
	if (strcmp(m->preview_source, c->name) == 0 && !m->preview_ready) {
		m->preview_ready = true;
		m->preview_ok = ok;
		if (ok)
			m->preview = p;
		else
			snprintf(m->preview_error, sizeof m->preview_error, "%s", err.message);
		ok = false; /* handed over */
	}
	pthread_mutex_unlock(&m->lock);
	if (ok)
		manage_preview_free(&p);
	model_wake_screen(m);
}

static void command_run(struct ui_model *m, struct command *c)
{
	switch (c->kind) {
	case CMD_SYNC: command_sync(m, c); break;
	case CMD_CREATE: command_create(m, c); break;
	case CMD_DELETE: command_delete(m, c); break;
	case CMD_PREVIEW: command_preview(m, c); break;
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
	if (m->preview_ready && m->preview_ok)
		manage_preview_free(&m->preview);
	snprintf(m->preview_source, sizeof m->preview_source, "%s", source);
	m->preview_ready = false;
	pthread_mutex_unlock(&m->lock);
	command_push(m, command_new(CMD_PREVIEW, source, false));
}

bool ui_model_take_preview(struct ui_model *m, const char *source, struct manage_preview *out,
			   char *error, size_t error_size)
{
	bool taken = false;
	memset(out, 0, sizeof *out);
	if (error_size)
		error[0] = '\0';
	pthread_mutex_lock(&m->lock);
	if (m->preview_ready && strcmp(m->preview_source, source) == 0) {
		taken = true;
		if (m->preview_ok)
			*out = m->preview;
		else
			snprintf(error, error_size, "%s", m->preview_error);
		memset(&m->preview, 0, sizeof m->preview);
		m->preview_source[0] = '\0';
		m->preview_ready = false;
	}
	pthread_mutex_unlock(&m->lock);
	return taken;
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
			bool changes = c->kind != CMD_PREVIEW;
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
	if (m->options.refresh_ms < MIN_REFRESH_MS)
		m->options.refresh_ms = MIN_REFRESH_MS;
	pthread_mutex_init(&m->lock, NULL);
	pthread_condattr_t attr;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&m->cond, &attr);
	pthread_condattr_destroy(&attr);
	if (pthread_create(&m->thread, NULL, model_main, m) != 0) {
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
	if (m->preview_ready && m->preview_ok)
		manage_preview_free(&m->preview);
	for (size_t i = 0; i < m->n_versions; i++)
		free(m->versions[i].source);
	free(m->versions);
	for (size_t i = 0; i < m->n_targets; i++) {
		if (m->targets[i].conn)
			PQfinish(m->targets[i].conn);
		free(m->targets[i].conninfo);
	}
	free(m->targets);
	registry_close(m->reg);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->cond);
	free(m);
}
