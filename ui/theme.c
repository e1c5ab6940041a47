/* ui/theme.c: colour elements as data and the theme loader (see theme.h). */
#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curses.h>
#include <libconfig.h>

#include "ui/theme.h"
#include "util/xmalloc.h"

#define B UI_ATTR_BOLD
#define R UI_ATTR_REVERSE
#define U UI_ATTR_UNDERLINE
#define D UI_ATTR_DIM

/* The built-in defaults are the `default` theme (themes/default.theme says the same). */
const struct ui_color_info ui_colors[UC_COUNT] = {
	[UC_NORMAL] = { "normal", "ordinary text", "default", "default", 0, 0 },
	[UC_TITLE] = { "title", "the top line: program, counts per state", "black", "cyan", B, R },
	[UC_COLUMN_HEADER] = { "column_header", "the dashboard's column names", "black", "green",
			       B, R },
	[UC_SELECTED] = { "selected", "the selected row", "black", "cyan", 0, R },
	[UC_DIM] = { "dim", "secondary text: units, hints, unknown values", "blue", "default",
		     B, D },
	[UC_STATE_ONLINE] = { "state_online", "ONLINE states", "green", "default", B, 0 },
	[UC_STATE_SYNCING] = { "state_syncing", "a run in progress, queued or continuous",
			       "cyan", "default", B, B },
	[UC_STATE_PROVISIONING] = { "state_provisioning", "PROVISIONING states", "yellow",
				    "default", B, U },
	[UC_STATE_FAILED] = { "state_failed", "failed, still serving (PIPELINE_FAILED)", "red",
			      "default", B, B | U },
	[UC_STATE_OFFLINE] = { "state_offline", "OFFLINE states: not serving", "white", "red",
			       B, R },
	[UC_PROGRESS_DONE] = { "progress_done", "the done part of a progress bar", "cyan",
			       "default", B, B },
	[UC_PROGRESS_TODO] = { "progress_todo", "the part still to do", "blue", "default", 0, D },
	[UC_LAG] = { "lag", "versions behind the source", "yellow", "default", B, B },
	[UC_STATUS] = { "status", "the status line", "black", "white", 0, R },
	[UC_BADGE_OK] = { "badge_ok", "connection badge when connected", "black", "green", B, R },
	[UC_BADGE_STALE] = { "badge_stale", "STALE and DISCONNECTED badges", "white", "red", B,
			     R | B },
	[UC_BADGE_PAUSED] = { "badge_paused", "the PAUSED badge", "black", "yellow", B, R },
	[UC_BADGE_READONLY] = { "badge_readonly", "the READ-ONLY badge", "white", "magenta", B,
				R },
	[UC_FOOTER_KEY] = { "footer_key", "keys in the footer", "white", "default", B, B },
	[UC_FOOTER_LABEL] = { "footer_label", "labels in the footer", "black", "cyan", 0, R },
	[UC_DISABLED] = { "disabled", "actions not available (read-only)", "blue", "default", 0,
			  D },
	[UC_TAB_ACTIVE] = { "tab_active", "the active tab", "black", "cyan", B, R },
	[UC_TAB] = { "tab", "other tabs", "default", "default", 0, 0 },
	[UC_DIALOG] = { "dialog", "dialogs and the wizard's panels", "default", "default", 0, 0 },
	[UC_DIALOG_TITLE] = { "dialog_title", "dialog titles", "black", "cyan", B, R },
	[UC_BUTTON] = { "button", "buttons", "default", "default", 0, 0 },
	[UC_BUTTON_FOCUS] = { "button_focus", "the focused button or field", "black", "yellow",
			      B, R },
	[UC_INPUT] = { "input", "text being typed", "default", "default", U, U },
	[UC_ERROR] = { "error", "error messages", "red", "default", B, B },
	[UC_WARNING] = { "warning", "warnings (Change Data Feed off, unsupported columns)",
			 "yellow", "default", B, B },
	[UC_SUCCESS] = { "success", "confirmations", "green", "default", B, 0 },
	[UC_CODE] = { "code", "commands to copy (ALTER TABLE ...)", "cyan", "default", B, U },
};

#undef B
#undef R
#undef U
#undef D

static int element_attr[UC_COUNT];

struct colour_name {
	const char *name;
	int number;
};

static const struct colour_name colour_names[] = {
	{ "default", -1 }, { "black", COLOR_BLACK }, { "red", COLOR_RED },
	{ "green", COLOR_GREEN }, { "yellow", COLOR_YELLOW }, { "blue", COLOR_BLUE },
	{ "magenta", COLOR_MAGENTA }, { "cyan", COLOR_CYAN }, { "white", COLOR_WHITE },
};

/* "red", "bright-red", "color202" or "202"; -2 when unknown. *bold is set when a bright
 * colour is asked of a terminal with 8 colours. */
static int colour_parse(const char *text, bool *bold)
{
	bool bright = strncmp(text, "bright-", 7) == 0;
	const char *base = bright ? text + 7 : text;
	for (size_t i = 0; i < sizeof colour_names / sizeof colour_names[0]; i++) {
		if (strcmp(base, colour_names[i].name) != 0)
			continue;
		int n = colour_names[i].number;
		if (bright && n >= 0) {
			if (COLORS >= 16)
				return n + 8;
			*bold = true;
		}
		return n;
	}
	if (strncmp(text, "color", 5) == 0)
		text += 5;
	char *end;
	long n = strtol(text, &end, 10);
	if (*text && *end == '\0' && n >= 0 && n < 256)
		return n < COLORS ? (int)n : (int)(n % 8);
	return -2;
}

static int attrs_to_curses(int attrs)
{
	int a = 0;
	if (attrs & UI_ATTR_BOLD)
		a |= A_BOLD;
	if (attrs & UI_ATTR_REVERSE)
		a |= A_REVERSE;
	if (attrs & UI_ATTR_UNDERLINE)
		a |= A_UNDERLINE;
	if (attrs & UI_ATTR_DIM)
		a |= A_DIM;
	return a;
}

static bool attrs_parse(const config_setting_t *list, int *out, struct lk_error *err,
			const char *path)
{
	static const struct { const char *name; int bit; } names[] = {
		{ "bold", UI_ATTR_BOLD }, { "reverse", UI_ATTR_REVERSE },
		{ "underline", UI_ATTR_UNDERLINE }, { "dim", UI_ATTR_DIM },
	};
	*out = 0;
	int n = config_setting_is_aggregate(list) ? config_setting_length(list) : 0;
	for (int i = 0; i < n; i++) {
		const char *s = config_setting_get_string_elem(list, i);
		bool found = false;
		for (size_t k = 0; s && k < sizeof names / sizeof names[0]; k++) {
			if (strcmp(s, names[k].name) == 0) {
				*out |= names[k].bit;
				found = true;
			}
		}
		if (!found)
			return lk_error_set(err, LK_ECONFIG,
					    "%s:%u: unknown attribute '%s' (bold, reverse, "
					    "underline, dim)",
					    path, config_setting_source_line(list), s ? s : "?");
	}
	return true;
}

static void set_element(enum ui_color e, int fg, int bg, int attrs)
{
	short pair = (short)(e + 1);
	init_pair(pair, (short)fg, (short)bg);
	element_attr[e] = COLOR_PAIR(pair) | attrs_to_curses(attrs);
}

static void apply_defaults(bool colour)
{
	for (int e = 0; e < UC_COUNT; e++) {
		if (!colour) {
			element_attr[e] = attrs_to_curses(ui_colors[e].mono_attrs);
			continue;
		}
		bool bold = false;
		int fg = colour_parse(ui_colors[e].fg, &bold);
		int bg = colour_parse(ui_colors[e].bg, &bold);
		set_element((enum ui_color)e, fg, bg, ui_colors[e].attrs | (bold ? UI_ATTR_BOLD : 0));
	}
}

/* The path of theme `name`, or NULL. */
static char *theme_find(const char *name)
{
	if (strchr(name, '/'))
		return access(name, R_OK) == 0 ? xstrdup(name) : NULL;
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	exe[n > 0 ? n : 0] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	const char *env = getenv("LAKESYNC_THEMES_DIR");
	char *candidates[] = {
		env && *env ? xasprintf("%s/%s.theme", env, name) : NULL,
		xasprintf("%s/%s.theme", LK_THEMES_DIR, name),
		n > 0 ? xasprintf("%s/../share/lakesync/themes/%s.theme", exe, name) : NULL,
		n > 0 ? xasprintf("%s/../themes/%s.theme", exe, name) : NULL,
		n > 0 ? xasprintf("%s/themes/%s.theme", exe, name) : NULL,
	};
	char *found = NULL;
	for (size_t i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
		if (found == NULL && candidates[i] && access(candidates[i], R_OK) == 0)
			found = candidates[i];
		else
			free(candidates[i]);
	}
	return found;
}

static bool theme_apply_file(const char *path, bool colour, struct lk_error *err)
{
	config_t cfg;
	config_init(&cfg);
	bool ok = config_read_file(&cfg, path) == CONFIG_TRUE;
	if (!ok) {
		lk_error_set(err, LK_ECONFIG, "%s:%d: %s", path, config_error_line(&cfg),
			     config_error_text(&cfg));
		config_destroy(&cfg);
		return false;
	}
	const config_setting_t *colors = config_lookup(&cfg, "colors");
	if (colors == NULL || !config_setting_is_group(colors)) {
		config_destroy(&cfg);
		return lk_error_set(err, LK_ECONFIG, "%s: a theme needs a group colors = { ... }",
				    path);
	}
	int n = config_setting_length(colors);
	for (int i = 0; ok && i < n; i++) {
		const config_setting_t *el = config_setting_get_elem(colors, (unsigned)i);
		const char *name = config_setting_name(el);
		int e = 0;
		while (e < UC_COUNT && strcmp(ui_colors[e].name, name) != 0)
			e++;
		if (e == UC_COUNT) {
			ok = lk_error_set(err, LK_ECONFIG, "%s:%u: unknown colour element '%s'",
					  path, config_setting_source_line(el), name);
			break;
		}
		const char *fg_name = ui_colors[e].fg, *bg_name = ui_colors[e].bg;
		config_setting_lookup_string(el, "fg", &fg_name);
		config_setting_lookup_string(el, "bg", &bg_name);
		int attrs = ui_colors[e].attrs;
		const config_setting_t *list = config_setting_get_member(el, "attrs");
		if (list && !attrs_parse(list, &attrs, err, path)) {
			ok = false;
			break;
		}
		bool bold = false;
		int fg = colour_parse(fg_name, &bold), bg = colour_parse(bg_name, &bold);
		if (fg == -2 || bg == -2) {
			ok = lk_error_set(err, LK_ECONFIG, "%s:%u: %s: unknown colour '%s'", path,
					  config_setting_source_line(el), name,
					  fg == -2 ? fg_name : bg_name);
			break;
		}
		if (colour)
			set_element((enum ui_color)e, fg, bg, attrs | (bold ? UI_ATTR_BOLD : 0));
		else if (list)
			element_attr[e] = attrs_to_curses(attrs | ui_colors[e].mono_attrs);
	}
	config_destroy(&cfg);
	return ok;
}

bool ui_theme_load(const char *name, bool colour, struct lk_error *err)
{
	apply_defaults(colour);
	if (name == NULL || strcmp(name, "builtin") == 0)
		return true;
	char *path = theme_find(name);
	if (path == NULL)
		return lk_error_set(err, LK_ENOTFOUND,
				    "theme '%s' not found (set LAKESYNC_THEMES_DIR, or install "
				    "themes into %s); using the built-in colours",
				    name, LK_THEMES_DIR);
	bool ok = theme_apply_file(path, colour, err);
	if (!ok)
		apply_defaults(colour);
	free(path);
	return ok;
}

int ui_theme_attr(enum ui_color element)
{
	return element_attr[element];
}
