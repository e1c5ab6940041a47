/* ui/wizard.c: the create wizard, mirroring the steps of the create dialog: pick the
 * source in a catalog > schema > table browser (with / search), see its columns and
 * Change Data Feed state (and, when CDF is off, the exact ALTER TABLE command, Snapshot
 * mode or a re-check), configure (name validated as you type, database type, mode with its
 * trade-off, project, branch, database, primary key, timeseries key, with a type-mapping
 * preview), review, create. The source is read by the data thread; the create is a command
 * to it, whose outcome comes back as a message. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "catalog/catalog.h"
#include "ui/ui.h"
#include "util/xmalloc.h"

enum step { STEP_SOURCE, STEP_CDF, STEP_CONFIGURE, STEP_REVIEW, STEP_CREATING, STEP_COUNT };

static const char *const step_names[STEP_COUNT] = {
	[STEP_SOURCE] = "Source", [STEP_CDF] = "Change Data Feed", [STEP_CONFIGURE] = "Configure",
	[STEP_REVIEW] = "Review", [STEP_CREATING] = "Create",
};

enum field {
	F_NAME, F_DBTYPE, F_MODE, F_PROJECT, F_BRANCH, F_DATABASE, F_PKEY, F_TSKEY, F_COUNT
};

struct field_info {
	const char *label;
	bool text;           /* typed; else a choice cycled with Left/Right */
};

static const struct field_info fields[F_COUNT] = {
	[F_NAME] = { .label = "Table name", .text = true },
	[F_DBTYPE] = { .label = "Database type" },
	[F_MODE] = { .label = "Sync mode" },
	[F_PROJECT] = { .label = "Project" },
	[F_BRANCH] = { .label = "Branch" },
	[F_DATABASE] = { .label = "Database", .text = true },
	[F_PKEY] = { .label = "Primary key", .text = true },
	[F_TSKEY] = { .label = "Timeseries key", .text = true },
};

struct mode_info {
	enum model_policy policy;
	const char *tradeoff;
	bool needs_cdf;
};

static const struct mode_info modes[] = {
	{ MODEL_POLICY_SNAPSHOT, "a full copy at every run: simplest, no CDF needed, costly for "
				 "big tables", false },
	{ MODEL_POLICY_TRIGGERED, "changes only, when you press Sync now or on a schedule: "
				  "cheap, as fresh as you ask", true },
	{ MODEL_POLICY_CONTINUOUS, "follows every new commit within a second: freshest, a "
				   "pipeline always busy", true },
};
enum { N_MODES = sizeof modes / sizeof modes[0] };

static const char *const db_types[] = { "PostgreSQL" };

enum { TYPEAHEAD_MAX = 32 };

struct wizard {
	enum step step;
	/* the browser */
	int level;                  /* 0 catalogs, 1 schemas, 2 tables */
	char catalog[128], schema[128];
	struct catalog_list list;
	char list_prefix[300];      /* the level being listed */
	bool list_pending;          /* asked of the data thread, not answered yet */
	int typeahead[TYPEAHEAD_MAX]; /* keys pressed while the list was pending, replayed */
	size_t n_typeahead;
	char list_error[512];
	size_t cursor, scroll;
	bool searching;
	struct ui_line search;
	/* the source */
	char source[400];
	bool preview_pending, preview_loaded;
	struct manage_preview preview;
	char preview_error[512];
	/* the form */
	enum field focus;
	struct ui_line text[F_COUNT];
	int mode, project, branch, dbtype;
	char error[512];            /* the create's outcome, when it failed */
	char created[512];
};

/* ---- the browser --------------------------------------------------------------------------- */

/* Asks the data thread for the current level's names (the catalog may be remote). */
static void browser_load(struct app *a, struct wizard *w)
{
	catalog_list_free(&w->list);
	w->list_error[0] = '\0';
	w->cursor = w->scroll = 0;
	w->searching = false;
	ui_line_set(&w->search, "");
	w->list_prefix[0] = '\0';
	if (w->level == 1)
		snprintf(w->list_prefix, sizeof w->list_prefix, "%s", w->catalog);
	else if (w->level == 2)
		snprintf(w->list_prefix, sizeof w->list_prefix, "%s.%s", w->catalog, w->schema);
	w->list_pending = true;
	ui_model_catalog(a->model, w->list_prefix);
}

static bool search_matches(const struct wizard *w, const char *name)
{
	if (w->search.len == 0)
		return true;
	for (const char *p = name; *p; p++)
		if (strncasecmp(p, w->search.text, w->search.len) == 0)
			return true;
	return false;
}

/* The visible entries (search applied): their indices into w->list. */
static size_t browser_visible(const struct wizard *w, size_t *out)
{
	size_t n = 0;
	for (size_t i = 0; i < w->list.count; i++)
		if (search_matches(w, w->list.names[i]))
			out[n++] = i;
	return n;
}

/* The database instances (projects) a synced table may target, as the backend tells; a
 * lone `default` until it has. */
static const struct conf_project *wizard_projects(const struct app *a, size_t *count)
{
	static const struct conf_project fallback = { .name = (char *)"default" };
	if (a->snap && a->snap->n_projects) {
		*count = a->snap->n_projects;
		return a->snap->projects;
	}
	*count = 1;
	return &fallback;
}

struct wizard *wizard_new(struct app *a)
{
	struct wizard *w = xcalloc(1, sizeof *w);
	w->step = STEP_SOURCE;
	size_t n_projects;
	const struct conf_project *projects = wizard_projects(a, &n_projects);
	for (size_t p = 0; p < n_projects; p++)
		if (strcmp(projects[p].name, "default") == 0)
			w->project = (int)p;
	browser_load(a, w);
	return w;
}

void wizard_free(struct wizard *w)
{
	if (w == NULL)
		return;
	catalog_list_free(&w->list);
	if (w->preview_loaded)
		manage_preview_free(&w->preview);
	free(w);
}

static void source_select(struct app *a, struct wizard *w, const char *table)
{
	snprintf(w->source, sizeof w->source, "%s.%s.%s", w->catalog, w->schema, table);
	if (w->preview_loaded)
		manage_preview_free(&w->preview);
	w->preview_loaded = false;
	w->preview_pending = true;
	w->preview_error[0] = '\0';
	ui_model_preview(a->model, w->source);
	w->step = STEP_CDF;
}

/* ---- the form ------------------------------------------------------------------------------ */

static const struct conf_project *form_project(const struct app *a, const struct wizard *w)
{
	size_t n;
	const struct conf_project *projects = wizard_projects(a, &n);
	return &projects[(size_t)w->project < n ? (size_t)w->project : 0];
}

static void form_defaults(struct app *a, struct wizard *w)
{
	const char *dot = strrchr(w->source, '.');
	char name[200];
	snprintf(name, sizeof name, "%.180s_synced", dot ? dot + 1 : w->source);
	ui_line_set(&w->text[F_NAME], name);
	char key[256] = "";
	for (size_t i = 0; i < w->preview.n_columns; i++)
		if (w->preview.columns[i].suggested_key)
			snprintf(key + strlen(key), sizeof key - strlen(key), "%s%s", key[0] ? "," : "",
				 w->preview.columns[i].name);
	ui_line_set(&w->text[F_PKEY], key);
	ui_line_set(&w->text[F_TSKEY], "");
	ui_line_set(&w->text[F_DATABASE], "");
	w->mode = w->preview.cdf_enabled ? 1 : 0; /* TRIGGERED, or SNAPSHOT without CDF */
	w->focus = F_NAME;
	w->branch = 0;
	const struct conf_project *p = form_project(a, w);
	for (size_t b = 0; b < p->n_branches; b++)
		if (strcmp(p->branches[b].name, "main") == 0)
			w->branch = (int)b;
}

static bool name_valid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

static bool is_column(const struct wizard *w, const char *name)
{
	for (size_t i = 0; i < w->preview.n_columns; i++)
		if (strcmp(w->preview.columns[i].name, name) == 0)
			return true;
	return false;
}

static bool is_key_column(const struct wizard *w, const char *name)
{
	char keys[256];
	snprintf(keys, sizeof keys, "%s", w->text[F_PKEY].text);
	char *save = NULL;
	for (char *k = strtok_r(keys, ", ", &save); k; k = strtok_r(NULL, ", ", &save))
		if (strcmp(k, name) == 0)
			return true;
	return false;
}

static void full_name(const struct wizard *w, char *buf, size_t size)
{
	snprintf(buf, size, "%.127s.%.127s.%.200s", w->catalog, w->schema, w->text[F_NAME].text);
}

/* What is wrong with a field, or NULL. */
static const char *field_problem(const struct app *a, const struct wizard *w, enum field f,
				 char *buf, size_t size)
{
	switch (f) {
	case F_NAME: {
		if (!name_valid(w->text[F_NAME].text))
			return "letters, digits and underscores only ([A-Za-z0-9_]+)";
		char name[512];
		full_name(w, name, sizeof name);
		for (size_t i = 0; a->snap && i < a->snap->n_rows; i++)
			if (strcmp(a->snap->rows[i].table.name, name) == 0)
				return "a synced table of this name exists";
		if (strcmp(name, w->source) == 0)
			return "the same name as the source table";
		return NULL;
	}
	case F_MODE:
		if (modes[w->mode].needs_cdf && !w->preview.cdf_enabled)
			return "needs Change Data Feed on the source: choose SNAPSHOT or enable CDF";
		return NULL;
	case F_DATABASE:
		if (w->text[F_DATABASE].len && !name_valid(w->text[F_DATABASE].text))
			return "letters, digits and underscores only";
		return NULL;
	case F_PKEY: {
		if (w->text[F_PKEY].len == 0)
			return "a primary key is required (one column, or several with commas)";
		char keys[256];
		snprintf(keys, sizeof keys, "%s", w->text[F_PKEY].text);
		char *save = NULL;
		for (char *k = strtok_r(keys, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
			if (!is_column(w, k)) {
				snprintf(buf, size, "'%.200s' is not a column of the source", k);
				return buf;
			}
		}
		return NULL;
	}
	case F_TSKEY:
		if (w->text[F_TSKEY].len && !is_column(w, w->text[F_TSKEY].text)) {
			snprintf(buf, size, "'%.200s' is not a column of the source",
				 w->text[F_TSKEY].text);
			return buf;
		}
		return NULL;
	default:
		return NULL;
	}
}

static bool form_valid(const struct app *a, struct wizard *w, char *why, size_t size)
{
	char buf[256];
	for (int f = 0; f < F_COUNT; f++) {
		const char *p = field_problem(a, w, (enum field)f, buf, sizeof buf);
		if (p) {
			snprintf(why, size, "%s: %s", fields[f].label, p);
			w->focus = (enum field)f;
			return false;
		}
	}
	if (w->preview.n_unsupported) {
		snprintf(why, size, "%zu column(s) have no PostgreSQL type; the source cannot be "
				    "synced as it is",
			 w->preview.n_unsupported);
		return false;
	}
	return true;
}

static void choice_text(const struct app *a, const struct wizard *w, enum field f, char *buf,
			size_t size)
{
	const struct conf_project *p = form_project(a, w);
	switch (f) {
	case F_DBTYPE: snprintf(buf, size, "%s", db_types[w->dbtype]); break;
	case F_MODE: snprintf(buf, size, "%s", model_policy_name(modes[w->mode].policy)); break;
	case F_PROJECT: snprintf(buf, size, "%s", p->name); break;
	case F_BRANCH:
		snprintf(buf, size, "%s", p->n_branches ? p->branches[w->branch].name : "-");
		break;
	default: buf[0] = '\0'; break;
	}
}

static void choice_step(const struct app *a, struct wizard *w, int delta)
{
	const struct conf_project *p = form_project(a, w);
	switch (w->focus) {
	case F_DBTYPE: break;
	case F_MODE: w->mode = (w->mode + N_MODES + delta) % N_MODES; break;
	case F_PROJECT: {
		size_t n;
		wizard_projects(a, &n);
		w->project = (w->project + (int)n + delta) % (int)n;
		w->branch = 0;
		break;
	}
	case F_BRANCH:
		if (p->n_branches)
			w->branch = (w->branch + (int)p->n_branches + delta) % (int)p->n_branches;
		break;
	default: break;
	}
}

/* The request the form describes. */
static void form_request(const struct app *a, const struct wizard *w, struct model_table *t)
{
	model_table_init(t);
	char name[512];
	full_name(w, name, sizeof name);
	t->name = xstrdup(name);
	const struct conf_project *p = form_project(a, w);
	const char *branch = p->n_branches ? p->branches[w->branch].name : NULL;
	bool default_branch = branch == NULL || w->branch == 0 || strcmp(branch, "main") == 0;
	t->database_instance_name = default_branch ? xstrdup(p->name)
						   : xasprintf("%s/%s", p->name, branch);
	if (w->text[F_DATABASE].len)
		t->logical_database_name = xstrdup(w->text[F_DATABASE].text);
	t->spec.source_table_full_name = xstrdup(w->source);
	t->spec.scheduling_policy = modes[w->mode].policy;
	if (w->text[F_TSKEY].len)
		t->spec.timeseries_key = xstrdup(w->text[F_TSKEY].text);
	char keys[256];
	snprintf(keys, sizeof keys, "%s", w->text[F_PKEY].text);
	char *save = NULL;
	for (char *k = strtok_r(keys, ", ", &save); k; k = strtok_r(NULL, ", ", &save)) {
		t->spec.primary_key_columns = xreallocarray(t->spec.primary_key_columns,
							    t->spec.n_primary_key_columns + 1,
							    sizeof(char *));
		t->spec.primary_key_columns[t->spec.n_primary_key_columns++] = xstrdup(k);
	}
}

/* ---- drawing ------------------------------------------------------------------------------- */

static void steps_draw(const struct wizard *w)
{
	int x = 1;
	ui_fill(1, 0, COLS, UC_TAB);
	for (int s = 0; s < STEP_CREATING; s++) {
		char label[48];
		snprintf(label, sizeof label, " %d %s ", s + 1, step_names[s]);
		x += ui_put(1, x, COLS - x, s == (int)w->step ? UC_TAB_ACTIVE : UC_TAB, false, label);
		x += ui_put(1, x, COLS - x, UC_TAB, false, s + 1 < STEP_CREATING ? " > " : "");
	}
}

static void hint(const char *text)
{
	ui_fill(LINES - 1, 0, COLS, UC_FOOTER_LABEL);
	ui_put(LINES - 1, 1, COLS - 2, UC_FOOTER_LABEL, false, text);
}

static void source_draw(struct app *a, struct wizard *w)
{
	static const char *const level_names[] = { "catalog", "schema", "table" };
	char where[400];
	snprintf(where, sizeof where, "Choose a %s%s%s%s%s", level_names[w->level],
		 w->level ? " in " : "", w->level ? w->catalog : "", w->level == 2 ? "." : "",
		 w->level == 2 ? w->schema : "");
	ui_put(3, 2, COLS - 4, UC_NORMAL, false, where);
	if (w->list_error[0]) {
		ui_wrap(5, 2, COLS - 4, 3, UC_ERROR, w->list_error);
	} else if (w->list_pending) {
		ui_put(5, 4, COLS - 8, UC_DIM, false, "Reading the catalog...");
	} else {
		size_t *vis = xcalloc(w->list.count ? w->list.count : 1, sizeof *vis);
		size_t n = browser_visible(w, vis);
		int height = LINES - 9;
		if (w->cursor >= n)
			w->cursor = n ? n - 1 : 0;
		if (w->cursor < w->scroll)
			w->scroll = w->cursor;
		if (w->cursor >= w->scroll + (size_t)height)
			w->scroll = w->cursor - (size_t)height + 1;
		if (n == 0)
			ui_put(5, 4, COLS - 8, UC_DIM, false,
			       w->list.count ? "Nothing matches the search." : "(empty)");
		for (int i = 0; i < height && w->scroll + (size_t)i < n; i++) {
			size_t k = w->scroll + (size_t)i;
			char line[300];
			snprintf(line, sizeof line, "%s %s", w->level < 2 ? ui_glyph(a, "\u25b8", ">")
									  : " ",
				 w->list.names[vis[k]]);
			ui_put(5 + i, 4, COLS - 8, k == w->cursor ? UC_SELECTED : UC_NORMAL, true, line);
		}
		free(vis);
	}
	if (w->searching || w->search.len)
		ui_draw_line_input(LINES - 2, 0, COLS, " Search: ", &w->search);
	hint(w->searching ? "type to search   Enter done   Esc clear"
			  : "Up/Down move   Enter open   / search   Backspace up a level   Esc cancel");
}

static void columns_draw(struct app *a, struct wizard *w, int y, int bottom, bool marks)
{
	const struct manage_preview *p = &w->preview;
	ui_put(y++, 2, COLS - 4, UC_COLUMN_HEADER, true,
	       " KEY COLUMN                     SOURCE TYPE            POSTGRES TYPE");
	for (size_t i = 0; i < p->n_columns && y <= bottom; i++, y++) {
		const struct manage_preview_column *c = &p->columns[i];
		bool key = marks ? is_key_column(w, c->name) : c->suggested_key;
		ui_put(y, 2, 5, UC_WARNING, true, key ? ui_glyph(a, "  \u26bf", " PK") : "");
		ui_put(y, 7, 30, UC_NORMAL, true, c->name);
		ui_put(y, 38, 22, UC_NORMAL, true, c->source_type);
		if (c->target_type)
			ui_put(y, 61, COLS - 63, UC_NORMAL, true, c->target_type);
		else
			ui_put(y, 61, COLS - 63, UC_ERROR, true,
			       ui_glyph(a, "\u2716 UNSUPPORTED: no PostgreSQL type",
					"X UNSUPPORTED: no PostgreSQL type"));
	}
}

static void cdf_draw(struct app *a, struct wizard *w)
{
	ui_putf(3, 2, COLS - 4, UC_NORMAL, "Source: %s", w->source);
	if (w->preview_pending) {
		ui_put(5, 2, COLS - 4, UC_DIM, false, "Reading the table's log...");
		hint("Esc back");
		return;
	}
	if (!w->preview_loaded) {
		ui_wrap(5, 2, COLS - 4, 4, UC_ERROR, w->preview_error);
		hint("r re-check   Esc back");
		return;
	}
	const struct manage_preview *p = &w->preview;
	char rows[32];
	ui_count(p->row_estimate, rows, sizeof rows);
	ui_putf(4, 2, COLS - 4, UC_DIM, "version %" PRId64 ", %" PRId64 " file(s), %s rows, %zu "
		"column(s)", p->version, p->n_files, rows, p->n_columns);
	int y = 6;
	if (p->cdf_enabled) {
		ui_put(y++, 2, COLS - 4, UC_SUCCESS, false,
		       ui_glyph(a, "\u2714 Change Data Feed is on: every sync mode is available.",
				"+ Change Data Feed is on: every sync mode is available."));
		hint("Enter continue   Esc back");
	} else {
		ui_put(y++, 2, COLS - 4, UC_WARNING, false,
		       ui_glyph(a, "\u26a0 Change Data Feed is OFF for this table.",
				"! Change Data Feed is OFF for this table."));
		ui_put(y++, 4, COLS - 6, UC_NORMAL, false,
		       "TRIGGERED and CONTINUOUS need it. To turn it on, run in your lakehouse:");
		ui_wrap(y, 6, COLS - 8, 2, UC_CODE, p->enable_cdf_sql);
		y += 2;
		ui_put(y++, 4, COLS - 6, UC_NORMAL, false,
		       "then press r to re-check; or press s to use SNAPSHOT mode (full copies).");
		hint("s use SNAPSHOT   r re-check   Esc back");
	}
	y++;
	columns_draw(a, w, y, LINES - 3, false);
}

static void configure_draw(struct app *a, struct wizard *w)
{
	ui_putf(3, 2, COLS - 4, UC_DIM, "Source: %s  (Change Data Feed %s)", w->source,
		w->preview.cdf_enabled ? "on" : "off");
	int y = 5;
	char buf[512], problem[256];
	for (int f = 0; f < F_COUNT; f++, y++) {
		bool focus = w->focus == (enum field)f;
		ui_put(y, 2, 18, focus ? UC_BUTTON_FOCUS : UC_DIM, true, fields[f].label);
		int x = 21;
		if (f == F_NAME) {
			snprintf(buf, sizeof buf, "%s.%s.", w->catalog, w->schema);
			x += ui_put(y, x, COLS - x, UC_DIM, false, buf);
		}
		if (fields[f].text) {
			const char *text = w->text[f].text;
			if (f == F_DATABASE && w->text[f].len == 0 && !focus)
				text = "(the branch's default)";
			if (f == F_TSKEY && w->text[f].len == 0 && !focus)
				text = "(none)";
			int used = ui_put(y, x, 32, focus ? UC_INPUT : UC_NORMAL, focus, text);
			if (focus)
				ui_put(y, x + (int)w->text[f].len, 1, UC_BUTTON_FOCUS, false, " ");
			x += used > 32 ? used : 32;
		} else {
			choice_text(a, w, (enum field)f, buf, sizeof buf);
			char shown[300];
			snprintf(shown, sizeof shown, "%s %s %s", ui_glyph(a, "\u25c2", "<"), buf,
				 ui_glyph(a, "\u25b8", ">"));
			x += ui_put(y, x, 32, focus ? UC_BUTTON_FOCUS : UC_NORMAL, true, shown);
		}
		const char *p = field_problem(a, w, (enum field)f, problem, sizeof problem);
		if (p)
			ui_putf(y, x + 1, COLS - x - 2, UC_ERROR, "%s %s", ui_glyph(a, "\u2716", "X"),
				p);
		else if (f == F_MODE)
			ui_put(y, x + 1, COLS - x - 2, UC_DIM, false, modes[w->mode].tradeoff);
		else if (f == F_NAME || f == F_PKEY)
			ui_put(y, x + 1, COLS - x - 2, UC_SUCCESS, false, ui_glyph(a, "\u2714", "ok"));
	}
	y++;
	if (w->preview.n_unsupported)
		ui_putf(y++, 2, COLS - 4, UC_ERROR, "%zu column(s) have no PostgreSQL type (below): "
			"the create will be refused.", w->preview.n_unsupported);
	ui_put(y++, 2, COLS - 4, UC_NORMAL, false, "Type mapping:");
	columns_draw(a, w, y, LINES - 3, true);
	if (w->error[0])
		ui_put(LINES - 2, 1, COLS - 2, UC_ERROR, false, w->error);
	hint("Up/Down/Tab field   Left/Right choose   type to edit   Enter review   Esc back");
}

static void review_draw(struct app *a, struct wizard *w)
{
	struct model_table t;
	form_request(a, w, &t);
	int y = 3;
	char buf[512];
	ui_put(y++, 2, COLS - 4, UC_NORMAL, false, "Create this synced table?");
	y++;
	struct { const char *k; const char *v; } rows[] = {
		{ "Name", t.name },
		{ "Source", t.spec.source_table_full_name },
		{ "Mode", model_policy_name(t.spec.scheduling_policy) },
		{ "Instance", t.database_instance_name },
		{ "Database", t.logical_database_name ? t.logical_database_name
						      : "(the branch's default)" },
		{ "Primary key", w->text[F_PKEY].text },
		{ "Timeseries key", t.spec.timeseries_key ? t.spec.timeseries_key : "(none)" },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++, y++) {
		ui_put(y, 4, 18, UC_DIM, true, rows[i].k);
		ui_put(y, 22, COLS - 24, UC_NORMAL, false, rows[i].v);
	}
	y++;
	snprintf(buf, sizeof buf, "Then the engine loads it: the row shows PROVISIONING with "
				  "progress on the dashboard.");
	ui_put(y++, 2, COLS - 4, UC_DIM, false, buf);
	char *json = model_table_to_json(&t, true);
	y++;
	ui_put(y++, 2, COLS - 4, UC_DIM, false, "Request:");
	y += ui_wrap(y, 4, COLS - 8, LINES - y - 5, UC_CODE, json);
	free(json);
	model_table_free(&t);
	if (w->step == STEP_CREATING)
		ui_put(LINES - 2, 2, COLS - 4, UC_DIM, false, "Creating...");
	else if (w->error[0])
		ui_wrap(LINES - 4, 2, COLS - 4, 2, UC_ERROR, w->error);
	hint("Enter create   Esc back");
}

void wizard_draw(struct app *a)
{
	struct wizard *w = a->wizard;
	title_draw(a, "new synced table");
	steps_draw(w);
	switch (w->step) {
	case STEP_SOURCE: source_draw(a, w); break;
	case STEP_CDF: cdf_draw(a, w); break;
	case STEP_CONFIGURE: configure_draw(a, w); break;
	case STEP_REVIEW:
	case STEP_CREATING: review_draw(a, w); break;
	case STEP_COUNT: break;
	}
}

/* ---- keys ---------------------------------------------------------------------------------- */

static enum ui_redraw wizard_cancel(struct app *a)
{
	wizard_free(a->wizard);
	a->wizard = NULL;
	a->view = VIEW_DASHBOARD;
	return REDRAW_ALL;
}

static enum ui_redraw source_key(struct app *a, struct wizard *w, int key)
{
	if (w->searching) {
		if (key == '\n' || key == KEY_ENTER) {
			w->searching = false;
		} else if (key == UI_KEY_ESC) {
			w->searching = false;
			ui_line_set(&w->search, "");
		} else if (ui_line_key(&w->search, key)) {
			w->cursor = 0;
		}
		return REDRAW_ALL;
	}
	size_t *vis = xcalloc(w->list.count ? w->list.count : 1, sizeof *vis);
	size_t n = browser_visible(w, vis);
	enum ui_redraw redraw = REDRAW_ALL;
	if (key == KEY_UP || key == 'k') {
		if (w->cursor)
			w->cursor--;
	} else if (key == KEY_DOWN || key == 'j') {
		if (w->cursor + 1 < n)
			w->cursor++;
	} else if (key == KEY_HOME || key == 'g') {
		w->cursor = 0;
	} else if (key == KEY_END || key == 'G') {
		w->cursor = n ? n - 1 : 0;
	} else if (key == '/') {
		w->searching = true;
	} else if ((key == '\n' || key == KEY_ENTER || key == KEY_RIGHT) && n) {
		const char *name = w->list.names[vis[w->cursor]];
		if (w->level == 0) {
			snprintf(w->catalog, sizeof w->catalog, "%s", name);
			w->level = 1;
			browser_load(a, w);
		} else if (w->level == 1) {
			snprintf(w->schema, sizeof w->schema, "%s", name);
			w->level = 2;
			browser_load(a, w);
		} else {
			source_select(a, w, name);
		}
	} else if (ui_is_back_key(key) || key == KEY_LEFT || key == UI_KEY_ESC) {
		if (w->search.len) {
			ui_line_set(&w->search, "");
		} else if (w->level > 0) {
			w->level--;
			browser_load(a, w);
		} else if (key == UI_KEY_ESC) {
			free(vis);
			return wizard_cancel(a);
		}
	} else {
		redraw = REDRAW_NONE;
	}
	free(vis);
	return redraw;
}

static enum ui_redraw cdf_key(struct app *a, struct wizard *w, int key)
{
	if (key == UI_KEY_ESC || ui_is_back_key(key)) {
		w->step = STEP_SOURCE;
		return REDRAW_ALL;
	}
	if (key == 'r') {
		source_select(a, w, strrchr(w->source, '.') + 1);
		return REDRAW_ALL;
	}
	if (!w->preview_loaded)
		return REDRAW_NONE;
	if ((key == '\n' || key == KEY_ENTER) && w->preview.cdf_enabled) {
		form_defaults(a, w);
		w->step = STEP_CONFIGURE;
		return REDRAW_ALL;
	}
	if (key == 's' && !w->preview.cdf_enabled) {
		form_defaults(a, w);
		w->mode = 0;
		w->step = STEP_CONFIGURE;
		return REDRAW_ALL;
	}
	return REDRAW_NONE;
}

static enum ui_redraw configure_key(struct app *a, struct wizard *w, int key)
{
	w->error[0] = '\0';
	if (key == UI_KEY_ESC) {
		w->step = STEP_CDF;
		return REDRAW_ALL;
	}
	if (key == KEY_UP || key == KEY_BTAB) {
		w->focus = (enum field)((w->focus + F_COUNT - 1) % F_COUNT);
		return REDRAW_ALL;
	}
	if (key == KEY_DOWN || key == '\t') {
		w->focus = (enum field)((w->focus + 1) % F_COUNT);
		return REDRAW_ALL;
	}
	if (key == '\n' || key == KEY_ENTER) {
		if (form_valid(a, w, w->error, sizeof w->error))
			w->step = STEP_REVIEW;
		return REDRAW_ALL;
	}
	if (!fields[w->focus].text) {
		if (key == KEY_LEFT || key == KEY_RIGHT || key == ' ') {
			choice_step(a, w, key == KEY_LEFT ? -1 : 1);
			return REDRAW_ALL;
		}
		return REDRAW_NONE;
	}
	return ui_line_key(&w->text[w->focus], key) ? REDRAW_ALL : REDRAW_NONE;
}

static enum ui_redraw review_key(struct app *a, struct wizard *w, int key)
{
	if (w->step == STEP_CREATING)
		return REDRAW_NONE;
	if (key == UI_KEY_ESC || ui_is_back_key(key)) {
		w->step = STEP_CONFIGURE;
		return REDRAW_ALL;
	}
	if (key != '\n' && key != KEY_ENTER)
		return REDRAW_NONE;
	struct model_table t;
	form_request(a, w, &t);
	full_name(w, w->created, sizeof w->created);
	w->error[0] = '\0';
	w->step = STEP_CREATING;
	ui_model_create(a->model, &t);
	model_table_free(&t);
	return REDRAW_ALL;
}

enum ui_redraw wizard_key(struct app *a, int key)
{
	struct wizard *w = a->wizard;
	if (w == NULL)
		return wizard_cancel(a);
	if (key == KEY_RESIZE)
		return REDRAW_CLEAR;
	/* Keys typed while a catalog level loads (a remote catalog takes a round trip) act
	 * on it once it is there, as if it had been there; Esc alone still leaves. */
	if (w->step == STEP_SOURCE && w->list_pending &&
	    (w->n_typeahead > 0 || key != UI_KEY_ESC)) {
		if (w->n_typeahead < TYPEAHEAD_MAX)
			w->typeahead[w->n_typeahead++] = key;
		return REDRAW_NONE;
	}
	switch (w->step) {
	case STEP_SOURCE: return source_key(a, w, key);
	case STEP_CDF: return cdf_key(a, w, key);
	case STEP_CONFIGURE: return configure_key(a, w, key);
	case STEP_REVIEW:
	case STEP_CREATING: return review_key(a, w, key);
	case STEP_COUNT: break;
	}
	return REDRAW_NONE;
}

/* Replays the keys typed while the list loaded, until one loads another level (the rest
 * wait for it) or closes the wizard. */
static void typeahead_replay(struct app *a, struct wizard *w)
{
	while (w->n_typeahead > 0 && !w->list_pending) {
		int key = w->typeahead[0];
		memmove(w->typeahead, w->typeahead + 1, --w->n_typeahead * sizeof *w->typeahead);
		wizard_key(a, key);
		if (a->wizard != w)
			return; /* the wizard closed: w is gone */
	}
}

enum ui_redraw wizard_poll(struct app *a, const struct ui_message *msg)
{
	struct wizard *w = a->wizard;
	if (w == NULL)
		return REDRAW_NONE;
	if (msg) {
		if (strcmp(msg->kind, "create") != 0 || w->step != STEP_CREATING) {
			app_flash(a, !msg->ok, "%s", msg->text);
			return REDRAW_STATUS;
		}
		if (!msg->ok) {
			snprintf(w->error, sizeof w->error, "%s", msg->text);
			w->step = STEP_REVIEW;
			return REDRAW_ALL;
		}
		char created[512];
		snprintf(created, sizeof created, "%s", w->created);
		wizard_cancel(a);
		app_flash(a, false, "%s", msg->text);
		a->filter[0] = '\0';
		ui_model_refresh_now(a->model);
		app_select_name(a, created);
		return REDRAW_ALL;
	}
	if (w->list_pending &&
	    ui_model_take_catalog(a->model, w->list_prefix, &w->list, w->list_error,
				  sizeof w->list_error)) {
		w->list_pending = false;
		typeahead_replay(a, w);
		return REDRAW_ALL;
	}
	if (w->preview_pending &&
	    ui_model_take_preview(a->model, w->source, &w->preview, w->preview_error,
				  sizeof w->preview_error)) {
		w->preview_pending = false;
		w->preview_loaded = w->preview_error[0] == '\0';
		return REDRAW_ALL;
	}
	return REDRAW_NONE;
}
