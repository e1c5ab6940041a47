/* ui/draw.c: drawing helpers shared by the console's views: text cut to a width, states as
 * word + glyph + colour, relative times, counts, progress bars, boxes and one-line inputs. */
#include "config.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "ui/ui.h"
#include "util/clock.h"

int64_t ui_mono_ms(void)
{
	return lk_clock_monotonic_ns() / 1000000;
}

/* ---- states -------------------------------------------------------------------------------- */

enum look {
	LOOK_UNKNOWN,
	LOOK_PROVISIONING,
	LOOK_ONLINE,
	LOOK_SYNCING,
	LOOK_QUEUED,
	LOOK_FAILED,
	LOOK_OFFLINE,
	LOOK_COUNT
};

static const struct ui_state_look looks[LOOK_COUNT] = {
	[LOOK_UNKNOWN] = { .word = "UNKNOWN", .glyph = "?", .ascii = "?", .color = UC_DIM,
			   .severity = 3 },
	[LOOK_PROVISIONING] = { .word = "PROVISIONING", .glyph = "\u25cc", .ascii = "o",
				.color = UC_STATE_PROVISIONING, .severity = 2 },
	[LOOK_ONLINE] = { .word = "ONLINE", .glyph = "\u2714", .ascii = "+",
			  .color = UC_STATE_ONLINE, .severity = 6 },
	[LOOK_SYNCING] = { .word = "SYNCING", .glyph = "\u21bb", .ascii = "~",
			   .color = UC_STATE_SYNCING, .severity = 4 },
	[LOOK_QUEUED] = { .word = "QUEUED", .glyph = "\u2026", .ascii = ".",
			  .color = UC_STATE_SYNCING, .severity = 5 },
	[LOOK_FAILED] = { .word = "FAILED", .glyph = "\u2718", .ascii = "!",
			  .color = UC_STATE_FAILED, .severity = 1 },
	[LOOK_OFFLINE] = { .word = "OFFLINE", .glyph = "\u2716", .ascii = "X",
			   .color = UC_STATE_OFFLINE, .severity = 0 },
};

const struct ui_state_look *ui_row_look(const struct table_view *row)
{
	enum model_state s = row->table.status.detailed_state;
	switch (s) {
	case MODEL_STATE_PROVISIONING:
	case MODEL_STATE_PROVISIONING_PIPELINE_RESOURCES:
	case MODEL_STATE_PROVISIONING_INITIAL_SNAPSHOT:
		return &looks[LOOK_PROVISIONING];
	case MODEL_STATE_ONLINE_PIPELINE_FAILED:
		return &looks[row->running ? LOOK_SYNCING : LOOK_FAILED];
	case MODEL_STATE_OFFLINE_FAILED:
	case MODEL_STATE_OFFLINE:
		return &looks[row->running ? LOOK_PROVISIONING : LOOK_OFFLINE];
	case MODEL_STATE_UNSET:
	case MODEL_STATE_COUNT:
		return &looks[LOOK_UNKNOWN];
	default:
		break;
	}
	if (row->running || row->table.status.progress.present ||
	    s == MODEL_STATE_ONLINE_TRIGGERED_UPDATE ||
	    s == MODEL_STATE_ONLINE_UPDATING_PIPELINE_RESOURCES)
		return &looks[LOOK_SYNCING];
	if (row->queued)
		return &looks[LOOK_QUEUED];
	return &looks[LOOK_ONLINE];
}

const char *ui_glyph(const struct app *a, const char *utf8, const char *ascii)
{
	return a->utf8 ? utf8 : ascii;
}

/* ---- numbers and times --------------------------------------------------------------------- */

void ui_relative_time(int64_t us, char *buf, size_t size)
{
	if (us <= 0) {
		snprintf(buf, size, "never");
		return;
	}
	int64_t s = (lk_clock_wall_us() - us) / 1000000;
	if (s < 0)
		s = 0;
	if (s < 60)
		snprintf(buf, size, "%" PRId64 "s ago", s);
	else if (s < 3600)
		snprintf(buf, size, "%" PRId64 "m ago", s / 60);
	else if (s < 86400)
		snprintf(buf, size, "%" PRId64 "h ago", s / 3600);
	else
		snprintf(buf, size, "%" PRId64 "d ago", s / 86400);
}

void ui_absolute_time(int64_t us, char *buf, size_t size)
{
	if (us <= 0) {
		snprintf(buf, size, "-");
		return;
	}
	char t[LK_RFC3339_MAX];
	lk_time_format_rfc3339(us, LK_TIME_SECONDS, t, sizeof t);
	snprintf(buf, size, "%s", t);
}

void ui_count(int64_t n, char *buf, size_t size)
{
	if (n < 0)
		snprintf(buf, size, "-");
	else if (n < 10000)
		snprintf(buf, size, "%" PRId64, n);
	else if (n < 1000000)
		snprintf(buf, size, "%.1fk", (double)n / 1e3);
	else if (n < 1000000000)
		snprintf(buf, size, "%.1fM", (double)n / 1e6);
	else
		snprintf(buf, size, "%.1fG", (double)n / 1e9);
}

/* project/branch/database; the branch is the project's default when the instance names
 * none. */
void ui_target(const struct app *a, const struct model_table *t, char *buf, size_t size)
{
	const char *instance = t->effective_database_instance_name
				       ? t->effective_database_instance_name
				       : t->database_instance_name ? t->database_instance_name : "?";
	const char *db = t->effective_logical_database_name ? t->effective_logical_database_name
			 : t->logical_database_name          ? t->logical_database_name
							     : "?";
	if (strchr(instance, '/')) {
		snprintf(buf, size, "%s/%s", instance, db);
		return;
	}
	const struct conf_project *p = NULL;
	for (size_t i = 0; a->snap && i < a->snap->n_projects; i++)
		if (strcmp(a->snap->projects[i].name, instance) == 0)
			p = &a->snap->projects[i];
	const struct conf_branch *b = p ? conf_branch_find(p, "main") : NULL;
	if (p && b == NULL && p->n_branches)
		b = &p->branches[0];
	snprintf(buf, size, "%s/%s/%s", instance, b ? b->name : "main", db);
}

/* ---- text ---------------------------------------------------------------------------------- */

static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

int ui_put(int y, int x, int width, enum ui_color color, bool pad, const char *text)
{
	if (width <= 0 || y < 0 || y >= LINES || x >= COLS)
		return 0;
	if (x + width > COLS)
		width = COLS - x;
	int cells = 0;
	size_t bytes = 0, len = strlen(text);
	/* how many cells the text needs */
	int need = 0;
	for (size_t i = 0; i < len; i += utf8_len((unsigned char)text[i]))
		need++;
	int fit = need <= width ? need : width - 1;
	while (bytes < len && cells < fit) {
		bytes += utf8_len((unsigned char)text[bytes]);
		cells++;
	}
	if (bytes > len)
		bytes = len;
	attrset(ui_theme_attr(color));
	mvaddnstr(y, x, text, (int)bytes);
	if (need > width && width > 0) {
		addstr("~");
		cells++;
	}
	if (pad)
		for (; cells < width; cells++)
			addch(' ');
	attrset(A_NORMAL);
	return cells;
}

int ui_putf(int y, int x, int width, enum ui_color color, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	return ui_put(y, x, width, color, false, buf);
}

void ui_fill(int y, int x, int width, enum ui_color color)
{
	ui_put(y, x, width, color, true, "");
}

void ui_progress_bar(const struct app *a, int y, int x, int width, double done)
{
	if (width < 8)
		return;
	if (done < 0)
		done = 0;
	if (done > 1)
		done = 1;
	char pct[8];
	snprintf(pct, sizeof pct, "%3d%%", (int)(done * 100.0 + 0.5));
	int bar = width - 5;
	int full = (int)(done * bar + 0.5);
	move(y, x);
	attrset(ui_theme_attr(UC_PROGRESS_DONE));
	for (int i = 0; i < full; i++)
		addstr(a->utf8 ? "\u2588" : "#");
	attrset(ui_theme_attr(UC_PROGRESS_TODO));
	for (int i = full; i < bar; i++)
		addstr(a->utf8 ? "\u2591" : "-");
	attrset(A_NORMAL);
	ui_put(y, x + bar, 5, UC_NORMAL, true, pct);
}

void ui_box(int y, int x, int h, int w, const char *title)
{
	attrset(ui_theme_attr(UC_DIALOG));
	for (int r = 0; r < h; r++) {
		move(y + r, x);
		for (int c = 0; c < w; c++)
			addch(' ');
	}
	mvhline(y, x, 0, w);
	mvhline(y + h - 1, x, 0, w);
	mvvline(y, x, 0, h);
	mvvline(y, x + w - 1, 0, h);
	mvaddch(y, x, ACS_ULCORNER);
	mvaddch(y, x + w - 1, ACS_URCORNER);
	mvaddch(y + h - 1, x, ACS_LLCORNER);
	mvaddch(y + h - 1, x + w - 1, ACS_LRCORNER);
	attrset(A_NORMAL);
	if (title) {
		char t[256];
		snprintf(t, sizeof t, " %s ", title);
		ui_put(y, x + 2, w - 4, UC_DIALOG_TITLE, false, t);
	}
}

/* Word-wraps text into width columns from line y; returns the lines used. */
int ui_wrap(int y, int x, int width, int max_lines, enum ui_color color, const char *text)
{
	int used = 0;
	const char *p = text;
	while (*p && used < max_lines && width > 0) {
		size_t n = strlen(p);
		const char *nl = strchr(p, '\n');
		size_t line = nl && (size_t)(nl - p) < n ? (size_t)(nl - p) : n;
		if (line > (size_t)width) {
			line = (size_t)width;
			while (line > (size_t)width / 2 && p[line] != ' ')
				line--;
			if (p[line] != ' ')
				line = (size_t)width;
		}
		char buf[1024];
		snprintf(buf, sizeof buf, "%.*s", (int)line, p);
		ui_put(y + used, x, width, color, false, buf);
		used++;
		p += line;
		while (*p == ' ' || *p == '\n')
			p++;
	}
	return used;
}

void ui_draw_line_input(int y, int x, int width, const char *prompt, const struct ui_line *line)
{
	int used = ui_put(y, x, width, UC_STATUS, false, prompt);
	ui_put(y, x + used, width - used, UC_INPUT, true, line->text);
	int cursor = x + used + (int)line->len;
	if (cursor < x + width)
		ui_put(y, cursor, 1, UC_BUTTON_FOCUS, false, " ");
}

bool ui_is_back_key(int key)
{
	return key == KEY_BACKSPACE || key == 127 || key == 8;
}

bool ui_line_key(struct ui_line *line, int key)
{
	if (ui_is_back_key(key)) {
		if (line->len)
			line->text[--line->len] = '\0';
		return true;
	}
	if (key == ui_key_ctrl('U')) {
		line->len = 0;
		line->text[0] = '\0';
		return true;
	}
	if (key >= ' ' && key < 127 && line->len + 1 < sizeof line->text) {
		line->text[line->len++] = (char)key;
		line->text[line->len] = '\0';
		return true;
	}
	return false;
}

void ui_line_set(struct ui_line *line, const char *text)
{
	snprintf(line->text, sizeof line->text, "%s", text ? text : "");
	line->len = strlen(line->text);
}
