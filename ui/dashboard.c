/* ui/dashboard.c: the dashboard (one row per synced table), the title, status and footer
 * lines every view shares, the help screen generated from the key tables, and the
 * "terminal too small" screen. */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "ui/ui.h"

enum column_id { COL_NAME, COL_STATE, COL_MODE, COL_LAST, COL_VERSION, COL_ROWS, COL_TARGET,
		 COL_PROGRESS, COL_COUNT };

struct column {
	const char *title;
	int width;        /* 0 = takes what is left (at least min_width) */
	int min_width;
	int drop_order;   /* dropped first when narrow: highest first; 0 = never */
	bool right;
};

static const struct column columns[COL_COUNT] = {
	[COL_NAME] = { .title = "NAME", .min_width = 24 },
	[COL_STATE] = { .title = "STATE", .width = 14 },
	[COL_MODE] = { .title = "MODE", .width = 10, .drop_order = 3 },
	[COL_LAST] = { .title = "LAST SYNC", .width = 9 },
	[COL_VERSION] = { .title = "VERSION", .width = 11 },
	[COL_ROWS] = { .title = "ROWS", .width = 7, .drop_order = 4, .right = true },
	[COL_TARGET] = { .title = "TARGET", .width = 22, .drop_order = 5 },
	[COL_PROGRESS] = { .title = "PROGRESS", .width = 14, .drop_order = 2 },
};

static const char *const sort_names[SORT_COUNT] = {
	[SORT_NAME] = "name", [SORT_STATE] = "state", [SORT_LAST_SYNC] = "last sync",
	[SORT_LAG] = "lag",
};

/* Which columns fit in `cols` cells, and the name column's width. */
static int layout(int cols, bool shown[COL_COUNT])
{
	int used = 0;
	for (int c = 0; c < COL_COUNT; c++) {
		shown[c] = true;
		used += (columns[c].width ? columns[c].width : columns[c].min_width) + 1;
	}
	for (int drop = 5; drop > 0 && used > cols; drop--) {
		for (int c = 0; c < COL_COUNT; c++) {
			if (shown[c] && columns[c].drop_order == drop) {
				shown[c] = false;
				used -= columns[c].width + 1;
			}
		}
	}
	return columns[COL_NAME].min_width + (cols - used);
}

static void row_cells(struct app *a, int y, const struct table_view *r, bool selected,
		      const bool shown[COL_COUNT], int name_width)
{
	const struct model_table *t = &r->table;
	const struct ui_state_look *look = ui_row_look(r);
	enum ui_color base = selected ? UC_SELECTED : UC_NORMAL;
	int x = 0;
	char buf[256];
	if (selected)
		ui_fill(y, 0, COLS, UC_SELECTED);
	for (int c = 0; c < COL_COUNT; c++) {
		if (!shown[c])
			continue;
		int w = c == COL_NAME ? name_width : columns[c].width;
		switch ((enum column_id)c) {
		case COL_NAME:
			ui_put(y, x, w, base, true, t->name);
			break;
		case COL_STATE:
			snprintf(buf, sizeof buf, "%s %s", ui_glyph(a, look->glyph, look->ascii),
				 look->word);
			ui_put(y, x, w, selected ? UC_SELECTED : look->color, true, buf);
			break;
		case COL_MODE:
			ui_put(y, x, w, base, true, model_policy_name(t->spec.scheduling_policy));
			break;
		case COL_LAST:
			ui_relative_time(t->status.has_last_sync ? t->status.sync_end_us : 0, buf,
					 sizeof buf);
			ui_put(y, x, w, t->status.has_last_sync ? base : UC_DIM, true, buf);
			break;
		case COL_VERSION: {
			char synced[24] = "-", latest[24] = "?";
			if (t->status.has_last_sync)
				snprintf(synced, sizeof synced, "%" PRId64,
					 t->status.delta_commit_version);
			if (r->latest_version >= 0)
				snprintf(latest, sizeof latest, "%" PRId64, r->latest_version);
			int64_t lag = t->status.has_last_sync && r->latest_version >= 0
					      ? r->latest_version - t->status.delta_commit_version
					      : 0;
			snprintf(buf, sizeof buf, "%s/%s", synced, latest);
			int used = ui_put(y, x, w, base, false, buf);
			if (lag > 0) {
				char lagbuf[24];
				snprintf(lagbuf, sizeof lagbuf, " -%" PRId64, lag);
				ui_put(y, x + used, w - used, selected ? UC_SELECTED : UC_LAG, false,
				       lagbuf);
			}
			break;
		}
		case COL_ROWS: {
			int64_t rows = t->status.progress.present ? t->status.progress.synced_row_count
								  : r->target_rows;
			ui_count(rows, buf, sizeof buf);
			int len = (int)strlen(buf);
			ui_fill(y, x, w, base);
			ui_put(y, x + (len < w ? w - len : 0), w, rows < 0 ? UC_DIM : base, false, buf);
			break;
		}
		case COL_TARGET:
			ui_target(a, t, buf, sizeof buf);
			ui_put(y, x, w, base, true, buf);
			break;
		case COL_PROGRESS:
			if (t->status.progress.present)
				ui_progress_bar(a, y, x, w, t->status.progress.sync_progress_completion);
			else if (r->running)
				ui_put(y, x, w, selected ? UC_SELECTED : UC_STATE_SYNCING, true,
				       "running...");
			else if (r->held_elsewhere)
				ui_put(y, x, w, selected ? UC_SELECTED : UC_DIM, true,
				       "other engine");
			else if (r->queued)
				ui_put(y, x, w, selected ? UC_SELECTED : UC_DIM, true, "queued");
			break;
		case COL_COUNT:
			break;
		}
		x += w + 1;
	}
}

void title_draw(struct app *a, const char *where)
{
	ui_fill(0, 0, COLS, UC_TITLE);
	char buf[512];
	int x = ui_putf(0, 0, COLS, UC_TITLE, " lakesync console%s%s ", where ? " > " : "",
			where ? where : "");
	if (a->snap == NULL) {
		ui_put(0, x, COLS - x, UC_TITLE, false, " loading...");
		return;
	}
	/* counts per state, word and glyph */
	static const char *const words[] = { "ONLINE", "SYNCING", "QUEUED", "PROVISIONING",
					     "FAILED", "OFFLINE" };
	size_t counts[6] = { 0 };
	const struct ui_state_look *look_of[6] = { NULL };
	for (size_t i = 0; i < a->snap->n_rows; i++) {
		const struct ui_state_look *look = ui_row_look(&a->snap->rows[i]);
		for (size_t w = 0; w < 6; w++) {
			if (strcmp(look->word, words[w]) == 0) {
				counts[w]++;
				look_of[w] = look;
			}
		}
	}
	snprintf(buf, sizeof buf, " %zu table%s:", a->snap->n_rows,
		 a->snap->n_rows == 1 ? "" : "s");
	x += ui_put(0, x, COLS - x, UC_TITLE, false, buf);
	for (size_t w = 0; w < 6; w++) {
		if (counts[w] == 0 && w != 0 && w != 4 && w != 5)
			continue;
		if (look_of[w])
			snprintf(buf, sizeof buf, " %s %zu %s", ui_glyph(a, look_of[w]->glyph,
									 look_of[w]->ascii),
				 counts[w], words[w]);
		else
			snprintf(buf, sizeof buf, " %zu %s", counts[w], words[w]);
		x += ui_put(0, x, COLS - x, UC_TITLE, false, buf);
	}
}

void status_draw(struct app *a)
{
	int y = LINES - 2;
	ui_fill(y, 0, COLS, UC_STATUS);
	if (a->modal == MODAL_FILTER) {
		ui_draw_line_input(y, 0, COLS, " Filter: ", &a->input);
		return;
	}
	if (a->modal == MODAL_COMMAND) {
		ui_draw_line_input(y, 0, COLS, " :", &a->input);
		return;
	}
	int x = 0;
	char buf[768];
	const struct ui_snapshot *s = a->snap;
	int64_t age_ms = s && s->refreshed_ms ? ui_mono_ms() - s->refreshed_ms : -1;
	bool stale = !a->paused && (age_ms < 0 ? s != NULL : age_ms > 3 * a->refresh_ms + 2000);
	if (s == NULL)
		x += ui_put(y, x, COLS - x, UC_BADGE_PAUSED, false, " CONNECTING ");
	else if (!s->connected)
		x += ui_put(y, x, COLS - x, UC_BADGE_STALE, false, " DISCONNECTED ");
	else
		x += ui_put(y, x, COLS - x, UC_BADGE_OK, false, " CONNECTED ");
	if (stale)
		x += ui_put(y, x + 1, COLS - x - 1, UC_BADGE_STALE, false, " STALE ") + 1;
	if (a->paused)
		x += ui_put(y, x + 1, COLS - x - 1, UC_BADGE_PAUSED, false, " PAUSED ") + 1;
	if (a->readonly)
		x += ui_put(y, x + 1, COLS - x - 1, UC_BADGE_READONLY, false, " READ-ONLY ") + 1;
	if (a->flash[0] && ui_mono_ms() < a->flash_until_ms) {
		/* a command's outcome takes the rest of the line */
		snprintf(buf, sizeof buf, " %s ", a->flash);
		ui_put(y, x + 1, COLS - x - 1, a->flash_error ? UC_ERROR : UC_SUCCESS, false, buf);
		return;
	}
	if (age_ms >= 0)
		snprintf(buf, sizeof buf, " refreshed %.1fs ago, every %.1fs", (double)age_ms / 1000.0,
			 (double)a->refresh_ms / 1000.0);
	else
		snprintf(buf, sizeof buf, " never refreshed, every %.1fs",
			 (double)a->refresh_ms / 1000.0);
	x += ui_put(y, x, COLS - x, UC_STATUS, false, buf);
	snprintf(buf, sizeof buf, " | sort: %s %s", sort_names[a->sort],
		 a->sort_reverse ? ui_glyph(a, "\u25bc", "v") : ui_glyph(a, "\u25b2", "^"));
	x += ui_put(y, x, COLS - x, UC_STATUS, false, buf);
	if (a->filter[0]) {
		snprintf(buf, sizeof buf, " | filter: %s", a->filter);
		x += ui_put(y, x, COLS - x, UC_STATUS, false, buf);
	}
	if (s && s->remote[0]) {
		snprintf(buf, sizeof buf, " | remote: %s", s->remote);
		x += ui_put(y, x, COLS - x, UC_STATUS, false, buf);
	}
	if (s && !s->engine_running)
		x += ui_put(y, x, COLS - x, UC_STATUS, false,
			    s->remote[0] ? " | engine: none" : " | engine: none here");
	if (s && !s->connected && s->error[0]) {
		snprintf(buf, sizeof buf, " %s", s->error);
		ui_put(y, x, COLS - x, UC_ERROR, false, buf);
	}
}

void footer_draw(struct app *a)
{
	static const enum ui_action dashboard_footer[] = {
		ACT_OPEN, ACT_SYNC_NOW, ACT_FULL_REFRESH, ACT_DELETE, ACT_NEW, ACT_FILTER,
		ACT_SORT, ACT_HELP, ACT_QUIT,
	};
	static const enum ui_action detail_footer[] = {
		ACT_BACK, ACT_NEXT_TAB, ACT_SYNC_NOW, ACT_FULL_REFRESH, ACT_DELETE, ACT_HELP,
		ACT_QUIT,
	};
	const enum ui_action *list = a->view == VIEW_DETAIL ? detail_footer : dashboard_footer;
	size_t n = a->view == VIEW_DETAIL ? sizeof detail_footer / sizeof detail_footer[0]
					  : sizeof dashboard_footer / sizeof dashboard_footer[0];
	int y = LINES - 1, x = 0;
	ui_fill(y, 0, COLS, UC_FOOTER_LABEL);
	for (size_t i = 0; i < n && x < COLS; i++) {
		char keys[32];
		ui_keymap_describe(&a->keys, list[i], keys, sizeof keys);
		char *more = strstr(keys, ", ");
		if (more)
			*more = '\0';
		bool off = a->readonly && ui_actions[list[i]].mutates;
		const char *label = ui_actions[list[i]].footer ? ui_actions[list[i]].footer
							       : ui_actions[list[i]].name;
		if (list[i] == ACT_BACK)
			label = "Back";
		if (list[i] == ACT_NEXT_TAB)
			label = "Tabs";
		x += ui_put(y, x, COLS - x, off ? UC_DISABLED : UC_FOOTER_KEY, false, keys);
		char lab[40];
		snprintf(lab, sizeof lab, " %s ", label);
		x += ui_put(y, x, COLS - x, off ? UC_DISABLED : UC_FOOTER_LABEL, false, lab);
	}
}

void dashboard_draw(struct app *a)
{
	title_draw(a, NULL);
	bool shown[COL_COUNT];
	int name_width = layout(COLS, shown);
	ui_fill(1, 0, COLS, UC_COLUMN_HEADER);
	int x = 0;
	for (int c = 0; c < COL_COUNT; c++) {
		if (!shown[c])
			continue;
		int w = c == COL_NAME ? name_width : columns[c].width;
		char title[32];
		if (columns[c].right)
			snprintf(title, sizeof title, "%*s", w, columns[c].title);
		else
			snprintf(title, sizeof title, "%s", columns[c].title);
		ui_put(1, x, w, UC_COLUMN_HEADER, false, title);
		x += w + 1;
	}
	int top = 2, height = LINES - 4;
	if (a->snap == NULL) {
		ui_put(top, 1, COLS - 2, UC_DIM, false, "Reading the registry...");
		return;
	}
	if (a->n_order == 0) {
		ui_put(top, 1, COLS - 2, UC_DIM, false,
		       a->filter[0] ? "No synced table matches the filter (Esc in / clears it)."
				    : "No synced tables yet. Press n to create one.");
		return;
	}
	if (a->selected < a->scroll)
		a->scroll = a->selected;
	if (a->selected >= a->scroll + (size_t)height)
		a->scroll = a->selected - (size_t)height + 1;
	for (int i = 0; i < height && a->scroll + (size_t)i < a->n_order; i++) {
		size_t idx = a->scroll + (size_t)i;
		row_cells(a, top + i, &a->snap->rows[a->order[idx]], idx == a->selected, shown,
			  name_width);
	}
}

void help_draw(struct app *a)
{
	title_draw(a, "help");
	int y = 2;
	ui_put(y++, 2, COLS - 4, UC_DIM, false,
	       "Keys (from the key table; rebind them in the config: console.keys). "
	       "Up/Down scroll; any other key goes back.");
	y++;
	int skip = a->help_scroll;
	for (int act = 1; act < ACT_COUNT && y < LINES - 3; act++) {
		char keys[64];
		ui_keymap_describe(&a->keys, (enum ui_action)act, keys, sizeof keys);
		if (keys[0] == '\0' || skip-- > 0)
			continue;
		bool off = a->readonly && ui_actions[act].mutates;
		ui_put(y, 2, 18, off ? UC_DISABLED : UC_FOOTER_KEY, true, keys);
		char line[256];
		snprintf(line, sizeof line, "%s%s", ui_actions[act].help,
			 off ? "  (read-only)" : "");
		ui_put(y, 21, COLS - 38, off ? UC_DISABLED : UC_NORMAL, true, line);
		ui_putf(y, COLS - 16, 15, UC_DIM, ":%s", ui_actions[act].name);
		y++;
	}
	y++;
	if (y < LINES - 3)
		ui_put(y, 2, COLS - 4, UC_DIM, false,
		       "States: ONLINE, SYNCING, QUEUED, PROVISIONING, FAILED (still serving), "
		       "OFFLINE (not serving): word + glyph + colour.");
}

void too_small_draw(void)
{
	erase();
	char line[80];
	snprintf(line, sizeof line, "Terminal too small: %dx%d", COLS, LINES);
	int y = LINES / 2 - 1;
	if (y < 0)
		y = 0;
	ui_put(y, 0, COLS, UC_ERROR, false, line);
	snprintf(line, sizeof line, "Need at least %dx%d. Resize, or q to quit.", UI_MIN_COLS,
		 UI_MIN_LINES);
	ui_put(y + 1, 0, COLS, UC_NORMAL, false, line);
}
