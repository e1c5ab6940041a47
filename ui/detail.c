/* ui/detail.c: the detail view of one synced table (Enter on a row): the Overview, Runs,
 * Schema and Log tabs. Runs and events come with the snapshots once the table is focused;
 * the schema is a preview of the source read by the data thread. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "ui/ui.h"
#include "util/clock.h"

static const char *const tab_names[TAB_COUNT] = {
	[TAB_OVERVIEW] = "Overview", [TAB_RUNS] = "Runs", [TAB_SCHEMA] = "Schema",
	[TAB_LOG] = "Log",
};

enum ui_redraw detail_open(struct app *a)
{
	const struct table_view *r = app_selected_row(a);
	if (r == NULL)
		return REDRAW_NONE;
	a->view = VIEW_DETAIL;
	a->tab = TAB_OVERVIEW;
	a->detail_scroll = 0;
	ui_model_focus(a->model, r->table.name);
	return REDRAW_ALL;
}

void detail_close(struct app *a)
{
	if (a->view == VIEW_DETAIL)
		a->view = VIEW_DASHBOARD;
	if (a->model)
		ui_model_focus(a->model, NULL);
	if (a->schema_loaded)
		manage_preview_free(&a->schema);
	a->schema_loaded = a->schema_pending = false;
	a->schema_source[0] = '\0';
}

/* Asks for the source's schema when the Schema tab shows; takes it when ready. */
void detail_poll(struct app *a)
{
	const struct table_view *r = app_selected_row(a);
	if (r == NULL || a->tab != TAB_SCHEMA || r->table.spec.source_table_full_name == NULL)
		return;
	const char *source = r->table.spec.source_table_full_name;
	if (!a->schema_pending && !(a->schema_loaded && strcmp(a->schema_source, source) == 0)) {
		if (a->schema_loaded)
			manage_preview_free(&a->schema);
		a->schema_loaded = false;
		snprintf(a->schema_source, sizeof a->schema_source, "%s", source);
		a->schema_pending = true;
		a->schema_error[0] = '\0';
		ui_model_preview(a->model, source);
		return;
	}
	if (a->schema_pending &&
	    ui_model_take_preview(a->model, a->schema_source, &a->schema, a->schema_error,
				  sizeof a->schema_error)) {
		a->schema_pending = false;
		a->schema_loaded = a->schema_error[0] == '\0';
	}
}

/* A label and a value on one line of the Overview; skips lines scrolled away. */
struct lines {
	int y, top, bottom, skip;
};

static bool line_next(struct lines *l, int *y)
{
	if (l->skip > 0) {
		l->skip--;
		return false;
	}
	if (l->y > l->bottom)
		return false;
	*y = l->y++;
	return true;
}

static void kv(struct lines *l, const char *label, enum ui_color color, const char *value)
{
	int y;
	if (!line_next(l, &y))
		return;
	ui_put(y, 2, 22, UC_DIM, true, label);
	ui_put(y, 24, COLS - 26, color, false, value);
}

static void heading(struct lines *l, const char *text)
{
	int y;
	if (line_next(l, &y))
		ui_put(y, 1, COLS - 2, UC_COLUMN_HEADER, true, text);
}

static void blank(struct lines *l)
{
	int y;
	line_next(l, &y);
}

static void overview_draw(struct app *a, const struct table_view *r, struct lines *l)
{
	const struct model_table *t = &r->table;
	const struct model_status *st = &t->status;
	const struct ui_state_look *look = ui_row_look(r);
	char buf[1024], when[64], ago[32];
	heading(l, " Sync status");
	snprintf(buf, sizeof buf, "%s %s  (%s)", ui_glyph(a, look->glyph, look->ascii), look->word,
		 model_state_name(st->detailed_state));
	kv(l, "State", look->color, buf);
	if (st->message && st->message[0] && st->detail != MODEL_DETAIL_FAILED)
		kv(l, "Message", UC_NORMAL, st->message);
	blank(l);
	heading(l, " Configuration");
	kv(l, "Source", UC_NORMAL, t->spec.source_table_full_name ? t->spec.source_table_full_name
								  : "-");
	buf[0] = '\0';
	for (size_t i = 0; i < t->spec.n_primary_key_columns; i++)
		snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s", i ? ", " : "",
			 t->spec.primary_key_columns[i]);
	kv(l, "Primary key", UC_NORMAL, buf[0] ? buf : "-");
	kv(l, "Timeseries key", t->spec.timeseries_key ? UC_NORMAL : UC_DIM,
	   t->spec.timeseries_key ? t->spec.timeseries_key : "none");
	kv(l, "Mode", UC_NORMAL, model_policy_name(t->spec.scheduling_policy));
	kv(l, "Schedule", t->spec.schedule ? UC_NORMAL : UC_DIM,
	   t->spec.schedule ? t->spec.schedule
	   : t->spec.scheduling_policy == MODEL_POLICY_CONTINUOUS ? "follows every new commit"
								 : "on demand (Sync now)");
	ui_target(a, t, buf, sizeof buf);
	const char *dot = t->name ? strchr(t->name, '.') : NULL;
	char target[512];
	snprintf(target, sizeof target, "%s  table %s", buf, dot ? dot + 1 : "?");
	kv(l, "Target", UC_NORMAL, target);
	blank(l);
	heading(l, " Pipeline");
	kv(l, "Pipeline id", UC_NORMAL, st->pipeline_id ? st->pipeline_id : "-");
	const char *engine = r->running	       ? "running in this console's engine"
			     : r->queued       ? "queued in this console's engine"
			     : r->held_elsewhere ? "held by another engine (Sync now asks it)"
			     : r->failures      ? "waiting (failed runs need Sync now or a fix)"
						: "idle";
	kv(l, "Engine", r->held_elsewhere ? UC_WARNING : UC_NORMAL, engine);
	if (st->progress.present) {
		int y;
		if (line_next(l, &y)) {
			ui_put(y, 2, 22, UC_DIM, true, "Progress");
			ui_progress_bar(a, y, 24, 30, st->progress.sync_progress_completion);
			char rows[32], total[32];
			ui_count(st->progress.synced_row_count, rows, sizeof rows);
			ui_count(st->progress.total_row_count, total, sizeof total);
			ui_putf(y, 56, COLS - 58, UC_NORMAL, "%s / %s rows, version %" PRId64
				", ETA %.0fs", rows, total,
				st->progress.latest_version_currently_processing,
				st->progress.estimated_completion_time_seconds);
		}
	} else {
		kv(l, "Current run", UC_DIM, r->running ? "starting" : "none");
	}
	blank(l);
	heading(l, " Last sync");
	if (st->has_last_sync) {
		ui_absolute_time(st->sync_end_us, when, sizeof when);
		ui_relative_time(st->sync_end_us, ago, sizeof ago);
		snprintf(buf, sizeof buf, "%s (%s)", when, ago);
		kv(l, "Synced at", UC_NORMAL, buf);
		ui_absolute_time(st->delta_commit_timestamp_us, when, sizeof when);
		snprintf(buf, sizeof buf, "%" PRId64 ", committed %s", st->delta_commit_version, when);
		kv(l, "Delta version", UC_NORMAL, buf);
	} else {
		kv(l, "Synced at", UC_DIM, "never");
	}
	if (r->latest_version >= 0) {
		int64_t lag = st->has_last_sync ? r->latest_version - st->delta_commit_version : -1;
		if (lag > 0)
			snprintf(buf, sizeof buf, "%" PRId64 " (%" PRId64 " behind)", r->latest_version,
				 lag);
		else
			snprintf(buf, sizeof buf, "%" PRId64 "%s", r->latest_version,
				 lag == 0 ? " (up to date)" : "");
		kv(l, "Source latest", lag > 0 ? UC_LAG : UC_NORMAL, buf);
	} else {
		kv(l, "Source latest", UC_DIM, "unknown (source unreadable)");
	}
	if (st->detail == MODEL_DETAIL_FAILED || model_state_is_failed(st->detailed_state)) {
		blank(l);
		heading(l, " Last error");
		int y;
		if (st->message && line_next(l, &y))
			l->y += ui_wrap(y, 2, COLS - 4, l->bottom - y + 1, UC_ERROR, st->message) - 1;
	}
}

static void runs_draw(struct app *a, struct lines *l)
{
	const struct ui_snapshot *s = a->snap;
	int y = l->y;
	ui_put(y, 0, COLS, UC_COLUMN_HEADER, true,
	       " STARTED              DURATION KIND         VERSIONS      INSERTED  UPDATED  "
	       "DELETED OUTCOME    ENGINE");
	l->y++;
	if (s->n_runs == 0) {
		ui_put(l->y, 2, COLS - 4, UC_DIM, false, "No runs yet.");
		return;
	}
	for (size_t i = (size_t)l->skip; i < s->n_runs && l->y <= l->bottom; i++) {
		const struct registry_run *run = &s->runs[i];
		char started[40], dur[32], versions[64], from[24] = "-", to[24] = "-";
		ui_absolute_time(run->started_us, started, sizeof started);
		if (run->ended_us)
			snprintf(dur, sizeof dur, "%.1fs",
				 (double)(run->ended_us - run->started_us) / 1e6);
		else
			snprintf(dur, sizeof dur, "running");
		if (run->from_version >= 0)
			snprintf(from, sizeof from, "%" PRId64, run->from_version);
		if (run->to_version >= 0)
			snprintf(to, sizeof to, "%" PRId64, run->to_version);
		snprintf(versions, sizeof versions, "%s -> %s", from, to);
		enum ui_color oc = run->outcome == REGISTRY_RUN_SUCCEEDED ? UC_STATE_ONLINE
				   : run->outcome == REGISTRY_RUN_RUNNING ? UC_STATE_SYNCING
									  : UC_STATE_FAILED;
		int x = ui_putf(l->y, 1, COLS - 1, UC_NORMAL,
				"%-20s %8s %-12s %-12s %9" PRId64 " %8" PRId64 " %8" PRId64 " ",
				started, dur, registry_run_kind_name(run->kind), versions,
				run->rows_inserted, run->rows_updated, run->rows_deleted);
		x += ui_putf(l->y, 1 + x, 11, oc, "%-10s", registry_outcome_name(run->outcome));
		ui_put(l->y, 2 + x, COLS - x - 2, UC_DIM, false, run->engine ? run->engine : "");
		l->y++;
		if (run->message && run->outcome != REGISTRY_RUN_SUCCEEDED && l->y <= l->bottom) {
			ui_put(l->y, 4, COLS - 5, UC_ERROR, false, run->message);
			l->y++;
		}
	}
}

static void schema_draw(struct app *a, const struct table_view *r, struct lines *l)
{
	if (a->schema_pending) {
		ui_put(l->y, 2, COLS - 4, UC_DIM, false, "Reading the source table's schema...");
		return;
	}
	if (!a->schema_loaded) {
		ui_put(l->y, 2, COLS - 4, UC_ERROR, false,
		       a->schema_error[0] ? a->schema_error : "The schema is not available.");
		return;
	}
	const struct manage_preview *p = &a->schema;
	ui_putf(l->y++, 2, COLS - 4, UC_DIM, "Source %s at version %" PRId64 "; Change Data Feed %s",
		r->table.spec.source_table_full_name, p->version, p->cdf_enabled ? "on" : "off");
	ui_put(l->y++, 0, COLS, UC_COLUMN_HEADER, true,
	       " KEY COLUMN                     SOURCE TYPE                POSTGRES TYPE");
	for (size_t i = (size_t)l->skip; i < p->n_columns && l->y <= l->bottom; i++) {
		const struct manage_preview_column *c = &p->columns[i];
		bool key = false;
		for (size_t k = 0; k < r->table.spec.n_primary_key_columns; k++)
			if (strcmp(r->table.spec.primary_key_columns[k], c->name) == 0)
				key = true;
		ui_put(l->y, 1, 4, key ? UC_WARNING : UC_NORMAL, true,
		       key ? ui_glyph(a, " \u26bf", " PK") : "");
		ui_put(l->y, 5, 30, UC_NORMAL, true, c->name);
		ui_put(l->y, 36, 26, UC_NORMAL, true, c->source_type);
		ui_put(l->y, 63, COLS - 64, c->target_type ? UC_NORMAL : UC_ERROR, true,
		       c->target_type ? c->target_type : "UNSUPPORTED");
		l->y++;
	}
}

static void log_draw(struct app *a, struct lines *l)
{
	const struct ui_snapshot *s = a->snap;
	if (s->n_events == 0) {
		ui_put(l->y, 2, COLS - 4, UC_DIM, false, "No events yet.");
		return;
	}
	for (size_t i = (size_t)l->skip; i < s->n_events && l->y <= l->bottom; i++) {
		const struct registry_event *e = &s->events[i];
		char when[40];
		ui_absolute_time(e->at_us, when, sizeof when);
		enum ui_color c = strcmp(e->level, "error") == 0 ? UC_ERROR
				  : strcmp(e->level, "warn") == 0 ? UC_WARNING
								  : UC_NORMAL;
		ui_put(l->y, 1, 21, UC_DIM, true, when);
		ui_put(l->y, 22, 6, c, true, e->level);
		ui_put(l->y, 28, COLS - 29, c, false, e->message);
		l->y++;
	}
}

void detail_draw(struct app *a)
{
	const struct table_view *r = app_selected_row(a);
	title_draw(a, r ? r->table.name : "?");
	ui_fill(1, 0, COLS, UC_TAB);
	int x = 1;
	for (int t = 0; t < TAB_COUNT; t++) {
		char label[32];
		snprintf(label, sizeof label, " %d %s ", t + 1, tab_names[t]);
		x += ui_put(1, x, COLS - x, t == (int)a->tab ? UC_TAB_ACTIVE : UC_TAB, false, label);
		x += 1;
	}
	if (r == NULL) {
		ui_put(3, 2, COLS - 4, UC_WARNING, false,
		       "This synced table is gone (deleted?). Esc goes back.");
		return;
	}
	struct lines l = { .y = 3, .top = 3, .bottom = LINES - 3, .skip = a->detail_scroll };
	bool focused = a->snap && strcmp(a->snap->focus, r->table.name) == 0;
	switch (a->tab) {
	case TAB_OVERVIEW: overview_draw(a, r, &l); break;
	case TAB_RUNS:
		if (focused)
			runs_draw(a, &l);
		else
			ui_put(3, 2, COLS - 4, UC_DIM, false, "Loading the runs...");
		break;
	case TAB_SCHEMA: schema_draw(a, r, &l); break;
	case TAB_LOG:
		if (focused)
			log_draw(a, &l);
		else
			ui_put(3, 2, COLS - 4, UC_DIM, false, "Loading the log...");
		break;
	case TAB_COUNT: break;
	}
}
