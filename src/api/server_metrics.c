/* api/server_metrics.c: GET /metrics: the Prometheus text exposition (format 0.0.4) of every
 * synced table: its state, how far it lags its source (versions and seconds), the rows its
 * recent runs applied, their durations and outcomes, and what the engine is doing with it.
 * The facts are gathered per table first, then written family by family from the table of
 * families below (so HELP, TYPE and doc/api.md cannot drift apart). */
#include "config.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/model.h"
#include "api/server_internal.h"
#include "engine/engine.h"
#include "registry/registry.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum {
	METRICS_RUN_WINDOW = 100, /* runs per table that the run metrics cover */
	METRICS_LIST_PAGE = 500,
};

enum run_op { OP_INSERTED, OP_UPDATED, OP_DELETED, OP_SKIPPED, OP_COUNT };
static const char *const op_names[OP_COUNT] = {
	[OP_INSERTED] = "inserted", [OP_UPDATED] = "updated",
	[OP_DELETED] = "deleted",   [OP_SKIPPED] = "skipped",
};

enum { OUTCOME_COUNT = REGISTRY_RUN_CANCELLED + 1 };

/* What one table's metrics say. NAN = unknown (the sample is left out). */
struct table_facts {
	const struct model_table *table;
	double synced_version, source_version, lag_versions, lag_seconds;
	double rows[OP_COUNT];
	double runs[OUTCOME_COUNT];
	double run_seconds_sum, run_seconds_count, last_run_seconds;
	double running, queued, consecutive_failures;
};

typedef double fact_getter(const struct table_facts *f);

static double get_online(const struct table_facts *f)
{
	return model_state_is_online(f->table->status.detailed_state);
}
static double get_synced(const struct table_facts *f) { return f->synced_version; }
static double get_source(const struct table_facts *f) { return f->source_version; }
static double get_lag_versions(const struct table_facts *f) { return f->lag_versions; }
static double get_lag_seconds(const struct table_facts *f) { return f->lag_seconds; }
static double get_last_run(const struct table_facts *f) { return f->last_run_seconds; }
static double get_running(const struct table_facts *f) { return f->running; }
static double get_queued(const struct table_facts *f) { return f->queued; }
static double get_failures(const struct table_facts *f) { return f->consecutive_failures; }

enum family_kind { FAMILY_VALUE, FAMILY_STATE, FAMILY_ROWS, FAMILY_RUNS, FAMILY_DURATION };

struct metric_family {
	const char *name;
	const char *type;
	const char *help;
	enum family_kind kind;
	fact_getter *get; /* FAMILY_VALUE */
};

static const struct metric_family families[] = {
	{ .name = "lakesync_synced_table_state", .type = "gauge", .kind = FAMILY_STATE,
	  .help = "1 for the synced table's current detailed_state" },
	{ .name = "lakesync_synced_table_online", .type = "gauge", .get = get_online,
	  .help = "1 while the synced table serves data (an ONLINE state)" },
	{ .name = "lakesync_synced_table_synced_version", .type = "gauge", .get = get_synced,
	  .help = "Delta version the PostgreSQL table equals" },
	{ .name = "lakesync_synced_table_source_version", .type = "gauge", .get = get_source,
	  .help = "latest version of the source Delta table" },
	{ .name = "lakesync_synced_table_lag_versions", .type = "gauge",
	  .get = get_lag_versions, .help = "source versions not yet applied" },
	{ .name = "lakesync_synced_table_lag_seconds", .type = "gauge", .get = get_lag_seconds,
	  .help = "0 when caught up, else seconds since the last successful sync ended" },
	{ .name = "lakesync_synced_table_rows_applied", .type = "gauge", .kind = FAMILY_ROWS,
	  .help = "rows applied by the table's latest runs (at most 100), by operation" },
	{ .name = "lakesync_synced_table_runs", .type = "gauge", .kind = FAMILY_RUNS,
	  .help = "the table's latest runs (at most 100), by outcome" },
	{ .name = "lakesync_synced_table_run_duration_seconds", .type = "summary",
	  .kind = FAMILY_DURATION, .help = "durations of the table's latest finished runs" },
	{ .name = "lakesync_synced_table_last_run_duration_seconds", .type = "gauge",
	  .get = get_last_run, .help = "duration of the table's latest finished run" },
	{ .name = "lakesync_synced_table_running", .type = "gauge", .get = get_running,
	  .help = "1 while this daemon's engine runs the table's pipeline" },
	{ .name = "lakesync_synced_table_queued", .type = "gauge", .get = get_queued,
	  .help = "1 while a run of the table waits for a worker of this daemon" },
	{ .name = "lakesync_synced_table_consecutive_failures", .type = "gauge",
	  .get = get_failures, .help = "failed runs in a row in this daemon's engine" },
	{ 0 },
};

/* ---- gathering --------------------------------------------------------------------------- */

static void facts_from_runs(struct table_facts *f, const struct registry_run *runs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct registry_run *r = &runs[i];
		if ((int)r->outcome < (int)OUTCOME_COUNT)
			f->runs[r->outcome]++;
		f->rows[OP_INSERTED] += (double)r->rows_inserted;
		f->rows[OP_UPDATED] += (double)r->rows_updated;
		f->rows[OP_DELETED] += (double)r->rows_deleted;
		f->rows[OP_SKIPPED] += (double)r->rows_skipped;
		if (r->ended_us <= 0)
			continue;
		double seconds = (double)(r->ended_us - r->started_us) / 1e6;
		if (isnan(f->last_run_seconds))
			f->last_run_seconds = seconds; /* newest first */
		f->run_seconds_sum += seconds;
		f->run_seconds_count++;
	}
}

static void facts_from_activity(struct table_facts *f, const struct engine_activity *act,
				size_t n_act)
{
	for (size_t i = 0; i < n_act; i++) {
		if (strcmp(act[i].name, f->table->name) != 0)
			continue;
		f->running = act[i].running;
		f->queued = act[i].queued;
		f->consecutive_failures = act[i].failures;
	}
}

static void facts_lag(struct server *s, struct table_facts *f)
{
	const struct model_table *t = f->table;
	int64_t latest = engine_source_latest_version(s->conf, t->spec.source_table_full_name);
	if (latest >= 0)
		f->source_version = (double)latest;
	if (t->status.has_last_sync)
		f->synced_version = (double)t->status.delta_commit_version;
	if (latest < 0)
		return;
	int64_t synced = t->status.has_last_sync ? t->status.delta_commit_version : -1;
	f->lag_versions = (double)(latest > synced ? latest - synced : 0);
	if (latest <= synced)
		f->lag_seconds = 0;
	else if (t->status.has_last_sync)
		f->lag_seconds = (double)(lk_clock_wall_us() - t->status.sync_end_us) / 1e6;
}

static void facts_gather(struct server *s, struct registry *reg, struct table_facts *f,
			 const struct engine_activity *act, size_t n_act)
{
	f->synced_version = f->source_version = f->lag_versions = f->lag_seconds = NAN;
	f->last_run_seconds = NAN;
	facts_lag(s, f);
	struct registry_run *runs = NULL;
	size_t n = 0;
	struct lk_error err = LK_ERROR_INIT;
	if (registry_runs_list(reg, f->table->name, METRICS_RUN_WINDOW, &runs, &n, &err))
		facts_from_runs(f, runs, n);
	registry_runs_free(runs, n);
	facts_from_activity(f, act, n_act);
}

/* ---- writing ----------------------------------------------------------------------------- */

static void label_value(struct lk_buf *out, const char *v)
{
	for (; v && *v; v++) {
		if (*v == '\\' || *v == '"')
			lk_buf_printf(out, "\\%c", *v);
		else if (*v == '\n')
			lk_buf_append_str(out, "\\n");
		else
			lk_buf_append_byte(out, (uint8_t)*v);
	}
}

/* name{name="x"[,key="value"]} value */
static void sample(struct lk_buf *out, const char *family, const char *suffix,
		   const struct table_facts *f, const char *key, const char *value, double v)
{
	if (isnan(v))
		return;
	lk_buf_printf(out, "%s%s{name=\"", family, suffix);
	label_value(out, f->table->name);
	if (key) {
		lk_buf_printf(out, "\",%s=\"", key);
		label_value(out, value);
	}
	lk_buf_printf(out, "\"} %.17g\n", v);
}

static void family_write(struct lk_buf *out, const struct metric_family *m,
			 const struct table_facts *facts, size_t n)
{
	lk_buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", m->name, m->help, m->name, m->type);
	for (size_t i = 0; i < n; i++) {
		const struct table_facts *f = &facts[i];
		switch (m->kind) {
		case FAMILY_VALUE:
			sample(out, m->name, "", f, NULL, NULL, m->get(f));
			break;
		case FAMILY_STATE:
			sample(out, m->name, "", f, "state",
			       model_state_name(f->table->status.detailed_state), 1);
			break;
		case FAMILY_ROWS:
			for (int op = 0; op < OP_COUNT; op++)
				sample(out, m->name, "", f, "op", op_names[op], f->rows[op]);
			break;
		case FAMILY_RUNS:
			for (int o = 0; o < OUTCOME_COUNT; o++)
				sample(out, m->name, "", f, "outcome",
				       registry_outcome_name((enum registry_outcome)o), f->runs[o]);
			break;
		case FAMILY_DURATION:
			sample(out, m->name, "_sum", f, NULL, NULL, f->run_seconds_sum);
			sample(out, m->name, "_count", f, NULL, NULL, f->run_seconds_count);
			break;
		}
	}
}

/* Every synced table (all pages). */
static bool list_all(struct registry *reg, struct model_table **tables, size_t *n,
		     struct lk_error *err)
{
	*tables = NULL;
	*n = 0;
	char *token = NULL;
	do {
		struct registry_page page;
		bool ok = registry_table_list(reg, NULL, METRICS_LIST_PAGE, token, &page, err);
		free(token);
		token = NULL;
		if (!ok)
			return false;
		*tables = xreallocarray(*tables, *n + page.count + 1, sizeof **tables);
		for (size_t i = 0; i < page.count; i++)
			model_table_copy(&(*tables)[(*n)++], &page.tables[i]);
		if (page.next_page_token)
			token = xstrdup(page.next_page_token);
		registry_page_free(&page);
	} while (token);
	return true;
}

bool server_metrics_render(struct server *s, struct registry *reg, struct lk_buf *out,
			   struct lk_error *err)
{
	struct model_table *tables;
	size_t n;
	if (!list_all(reg, &tables, &n, err))
		return false;
	size_t max_act = n * 2 + 16;
	struct engine_activity *act = xcalloc(max_act, sizeof *act);
	size_t n_act = s->engine ? engine_activity(s->engine, act, max_act) : 0;
	struct table_facts *facts = xcalloc(n + 1, sizeof *facts);
	for (size_t i = 0; i < n; i++) {
		facts[i].table = &tables[i];
		facts_gather(s, reg, &facts[i], act, n_act);
	}
	lk_buf_printf(out, "# HELP lakesync_up 1 while the daemon answers\n"
			   "# TYPE lakesync_up gauge\nlakesync_up 1\n"
			   "# HELP lakesync_synced_tables synced tables in the registry\n"
			   "# TYPE lakesync_synced_tables gauge\nlakesync_synced_tables %zu\n",
		      n);
	for (const struct metric_family *m = families; m->name; m++)
		family_write(out, m, facts, n);
	free(facts);
	free(act);
	for (size_t i = 0; i < n; i++)
		model_table_free(&tables[i]);
	free(tables);
	return true;
}
