/* engine/observe.c: gathers the table views of observe.h: the registry's list, the latest
 * version of each source (cached per source), the row estimate of each target table (one
 * catalog query per target database) and the engine's activity. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "engine/engine.h"
#include "engine/observe.h"
#include "engine/pipeline.h"
#include "pg/pg.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum {
	LIST_PAGE_SIZE = 1000,      /* the registry's largest page */
	ACTIVITY_SPARE = 64,        /* engine entries beyond the registry's count */
	TARGET_RETRY_MS = 5000,     /* a target that refused us is tried again after this */
};

/* The latest version of one source table, read at most once per max age. */
struct source_version {
	char *source;
	int64_t version;
	int64_t read_ms;
};

/* One connection per distinct target database, for row counts. */
struct target_conn {
	char *conninfo;
	PGconn *conn;
	int64_t retry_ms;           /* monotonic: do not reconnect before */
};

struct observer {
	const struct conf *conf;
	struct engine *engine;
	struct source_version *versions; /* sorted by source */
	size_t n_versions, cap_versions;
	struct target_conn *targets;
	size_t n_targets;
};

static int64_t mono_ms(void)
{
	return lk_clock_monotonic_ns() / 1000000;
}

struct observer *observer_new(const struct conf *conf, struct engine *engine)
{
	struct observer *o = xcalloc(1, sizeof *o);
	o->conf = conf;
	o->engine = engine;
	return o;
}

void observer_free(struct observer *o)
{
	if (o == NULL)
		return;
	for (size_t i = 0; i < o->n_versions; i++)
		free(o->versions[i].source);
	free(o->versions);
	for (size_t i = 0; i < o->n_targets; i++) {
		if (o->targets[i].conn)
			PQfinish(o->targets[i].conn);
		free(o->targets[i].conninfo);
	}
	free(o->targets);
	free(o);
}

bool observer_has_engine(const struct observer *o)
{
	return o->engine != NULL;
}

/* ---- source versions ----------------------------------------------------------------- */

static int64_t source_latest_version(struct observer *o, const char *source, int64_t now,
				     int64_t max_age_ms)
{
	size_t lo = 0, hi = o->n_versions;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strcmp(o->versions[mid].source, source);
		if (c == 0) {
			struct source_version *v = &o->versions[mid];
			if (now - v->read_ms >= max_age_ms) {
				v->version = engine_source_latest_version(o->conf, source);
				v->read_ms = now;
			}
			return v->version;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (o->n_versions == o->cap_versions) {
		o->cap_versions = o->cap_versions ? o->cap_versions * 2 : 16;
		o->versions = xreallocarray(o->versions, o->cap_versions, sizeof *o->versions);
	}
	memmove(&o->versions[lo + 1], &o->versions[lo], (o->n_versions - lo) * sizeof *o->versions);
	o->n_versions++;
	o->versions[lo] = (struct source_version){
		.source = xstrdup(source),
		.version = engine_source_latest_version(o->conf, source),
		.read_ms = now,
	};
	return o->versions[lo].version;
}

/* ---- engine activity ----------------------------------------------------------------- */

static int activity_cmp(const void *a, const void *b)
{
	return strcmp(((const struct engine_activity *)a)->name,
		      ((const struct engine_activity *)b)->name);
}

static void merge_activity(struct observer *o, struct table_view *views, size_t n)
{
	if (o->engine == NULL)
		return;
	size_t max = n + ACTIVITY_SPARE;
	struct engine_activity *acts = xcalloc(max, sizeof *acts);
	size_t got = engine_activity(o->engine, acts, max);
	qsort(acts, got, sizeof *acts, activity_cmp);
	for (size_t i = 0; i < n; i++) {
		struct engine_activity key;
		snprintf(key.name, sizeof key.name, "%s", views[i].table.name);
		const struct engine_activity *a = bsearch(&key, acts, got, sizeof *acts,
							  activity_cmp);
		if (a == NULL)
			continue;
		views[i].queued = a->queued;
		views[i].running = a->running;
		views[i].held_elsewhere = a->held_elsewhere;
		views[i].failures = a->failures;
	}
	free(acts);
}

/* ---- target row counts --------------------------------------------------------------- */

static struct target_conn *target_get(struct observer *o, const char *conninfo)
{
	for (size_t i = 0; i < o->n_targets; i++)
		if (strcmp(o->targets[i].conninfo, conninfo) == 0)
			return &o->targets[i];
	o->targets = xreallocarray(o->targets, o->n_targets + 1, sizeof *o->targets);
	struct target_conn *t = &o->targets[o->n_targets++];
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

/* A live connection to t, or NULL while it cannot be had. */
static PGconn *target_connect(struct target_conn *t)
{
	if (t->conn && PQstatus(t->conn) != CONNECTION_OK) {
		PQfinish(t->conn);
		t->conn = NULL;
	}
	if (t->conn == NULL && mono_ms() >= t->retry_ms) {
		struct lk_error err = LK_ERROR_INIT;
		t->conn = pg_connect(t->conninfo, "lakesync observer", &err);
		if (t->conn == NULL)
			t->retry_ms = mono_ms() + TARGET_RETRY_MS;
	}
	return t->conn;
}

/* Fills target_rows of the views whose target is t, from one catalog query. */
static void target_rows_fill(struct target_conn *t, struct table_view *views,
			     const int *target_of, size_t n, int target_index)
{
	struct lk_error err = LK_ERROR_INIT;
	PGconn *conn = target_connect(t);
	if (conn == NULL)
		return;
	PGresult *res = pg_query(conn,
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
		const char *dot = strchr(views[i].table.name, '.'); /* skip the catalog */
		if (dot == NULL)
			continue;
		struct rel_rows key = { .name = dot + 1 };
		const struct rel_rows *r = bsearch(&key, rels, (size_t)count, sizeof *rels,
						   rel_rows_cmp);
		if (r && r->rows >= 0)
			views[i].target_rows = r->rows;
	}
	free(rels);
	PQclear(res);
}

static void gather_target_rows(struct observer *o, struct table_view *views, size_t n)
{
	int *target_of = xcalloc(n ? n : 1, sizeof *target_of);
	struct lk_buf conninfo = LK_BUF_INIT;
	const char *last = NULL;
	int last_index = -1;
	for (size_t i = 0; i < n; i++) {
		lk_buf_reset(&conninfo);
		target_of[i] = -1;
		if (!pipeline_target_conninfo(o->conf, &views[i].table, &conninfo, NULL))
			continue;
		if (last && strcmp(last, lk_buf_cstr(&conninfo)) == 0) {
			target_of[i] = last_index;
			continue;
		}
		struct target_conn *t = target_get(o, lk_buf_cstr(&conninfo));
		target_of[i] = (int)(t - o->targets);
		last = t->conninfo;
		last_index = target_of[i];
	}
	lk_buf_free(&conninfo);
	for (size_t k = 0; k < o->n_targets; k++)
		target_rows_fill(&o->targets[k], views, target_of, n, (int)k);
	free(target_of);
}

/* ---- the list ------------------------------------------------------------------------ */

/* Every synced table of the registry, paged through, as views with unknown facts. */
static bool list_tables(struct registry *reg, struct table_view **out, size_t *count,
			struct lk_error *err)
{
	struct table_view *views = NULL;
	size_t n = 0, cap = 0;
	char *token = NULL;
	bool ok;
	do {
		struct registry_page page;
		ok = registry_table_list(reg, NULL, LIST_PAGE_SIZE, token, &page, err);
		free(token);
		token = NULL;
		if (!ok)
			break;
		if (n + page.count > cap) {
			cap = n + page.count;
			views = xreallocarray(views, cap ? cap : 1, sizeof *views);
		}
		for (size_t i = 0; i < page.count; i++) {
			struct table_view *v = &views[n++];
			*v = (struct table_view){ .table = page.tables[i], /* moved */
						  .latest_version = -1, .target_rows = -1 };
			model_table_init(&page.tables[i]);
		}
		token = page.next_page_token ? xstrdup(page.next_page_token) : NULL;
		registry_page_free(&page);
	} while (token);
	if (!ok) {
		table_views_free(views, n);
		return false;
	}
	*out = views;
	*count = n;
	return true;
}

bool observer_gather(struct observer *o, struct registry *reg, int64_t max_age_ms,
		     struct table_view **out, size_t *count, struct lk_error *err)
{
	*out = NULL;
	*count = 0;
	struct table_view *views;
	size_t n;
	if (!list_tables(reg, &views, &n, err))
		return false;
	int64_t now = mono_ms();
	for (size_t i = 0; i < n; i++) {
		const char *source = views[i].table.spec.source_table_full_name;
		if (source)
			views[i].latest_version = source_latest_version(o, source, now, max_age_ms);
	}
	merge_activity(o, views, n);
	gather_target_rows(o, views, n);
	*out = views;
	*count = n;
	return true;
}

/* ---- views --------------------------------------------------------------------------- */

void table_view_free(struct table_view *v)
{
	model_table_free(&v->table);
}

void table_views_free(struct table_view *views, size_t count)
{
	for (size_t i = 0; i < count; i++)
		table_view_free(&views[i]);
	free(views);
}

void table_view_copy(struct table_view *dst, const struct table_view *src)
{
	*dst = *src;
	model_table_copy(&dst->table, &src->table);
}
