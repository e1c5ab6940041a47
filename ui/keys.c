/* ui/keys.c: the console's actions and default key bindings as const tables, the key map
 * the config may change, and key names (see keys.h). */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curses.h>

#include "conf/conf.h"
#include "ui/keys.h"
#include "util/xmalloc.h"

const struct ui_action_info ui_actions[ACT_COUNT] = {
	[ACT_NONE] = { .name = "none", .help = "" },
	[ACT_OPEN] = { .name = "open", .help = "Open the selected table (detail view)",
		       .footer = "Open" },
	[ACT_BACK] = { .name = "back", .help = "Back / close / cancel" },
	[ACT_UP] = { .name = "up", .help = "Move up" },
	[ACT_DOWN] = { .name = "down", .help = "Move down" },
	[ACT_TOP] = { .name = "top", .help = "First row" },
	[ACT_BOTTOM] = { .name = "bottom", .help = "Last row" },
	[ACT_PAGE_UP] = { .name = "page_up", .help = "Page up" },
	[ACT_PAGE_DOWN] = { .name = "page_down", .help = "Page down" },
	[ACT_NEXT_TAB] = { .name = "next_tab", .help = "Next tab (detail view)" },
	[ACT_PREV_TAB] = { .name = "prev_tab", .help = "Previous tab (detail view)" },
	[ACT_SYNC_NOW] = { .name = "sync_now", .help = "Sync now: run the table's pipeline",
			   .footer = "Sync", .mutates = true },
	[ACT_FULL_REFRESH] = { .name = "full_refresh",
			       .help = "Full refresh: reload everything (typed confirmation)",
			       .footer = "Full", .mutates = true },
	[ACT_DELETE] = { .name = "delete",
			 .help = "Delete the synced table (purging its PostgreSQL table is a "
				 "separate choice)",
			 .footer = "Delete", .mutates = true },
	[ACT_NEW] = { .name = "new", .help = "New synced table (create wizard)", .footer = "New",
		      .mutates = true },
	[ACT_FILTER] = { .name = "filter", .help = "Filter by name", .footer = "Filter" },
	[ACT_SORT] = { .name = "sort", .help = "Sort by the next column", .footer = "Sort" },
	[ACT_SORT_REVERSE] = { .name = "sort_reverse", .help = "Reverse the sort order" },
	[ACT_REFRESH] = { .name = "refresh", .help = "Refresh now" },
	[ACT_FASTER] = { .name = "faster", .help = "Refresh more often" },
	[ACT_SLOWER] = { .name = "slower", .help = "Refresh less often" },
	[ACT_PAUSE] = { .name = "pause", .help = "Pause / resume live refresh" },
	[ACT_COMMAND] = { .name = "command",
			  .help = "Command line (:sync_now NAME, :sort lag, :filter TEXT, :help)" },
	[ACT_REPAINT] = { .name = "repaint", .help = "Repaint the screen" },
	[ACT_HELP] = { .name = "help", .help = "This help", .footer = "Help" },
	[ACT_QUIT] = { .name = "quit", .help = "Quit (asks only when a run would be cancelled)",
		       .footer = "Quit" },
};

/* Defaults (htop, k9s and lazygit conventions); the help screen lists them in action order. */
static const struct ui_key_binding default_keys[] = {
	{ .key = '\n', .action = ACT_OPEN },
	{ .key = KEY_ENTER, .action = ACT_OPEN },
	{ .key = UI_KEY_ESC, .action = ACT_BACK },
	{ .key = KEY_UP, .action = ACT_UP },
	{ .key = 'k', .action = ACT_UP },
	{ .key = KEY_DOWN, .action = ACT_DOWN },
	{ .key = 'j', .action = ACT_DOWN },
	{ .key = 'g', .action = ACT_TOP },
	{ .key = KEY_HOME, .action = ACT_TOP },
	{ .key = 'G', .action = ACT_BOTTOM },
	{ .key = KEY_END, .action = ACT_BOTTOM },
	{ .key = KEY_PPAGE, .action = ACT_PAGE_UP },
	{ .key = KEY_NPAGE, .action = ACT_PAGE_DOWN },
	{ .key = '\t', .action = ACT_NEXT_TAB },
	{ .key = KEY_RIGHT, .action = ACT_NEXT_TAB },
	{ .key = KEY_BTAB, .action = ACT_PREV_TAB },
	{ .key = KEY_LEFT, .action = ACT_PREV_TAB },
	{ .key = 's', .action = ACT_SYNC_NOW },
	{ .key = 'S', .action = ACT_FULL_REFRESH },
	{ .key = 'd', .action = ACT_DELETE },
	{ .key = 'n', .action = ACT_NEW },
	{ .key = '/', .action = ACT_FILTER },
	{ .key = 'o', .action = ACT_SORT },
	{ .key = 'O', .action = ACT_SORT_REVERSE },
	{ .key = 'r', .action = ACT_REFRESH },
	{ .key = '+', .action = ACT_FASTER },
	{ .key = '-', .action = ACT_SLOWER },
	{ .key = 'Z', .action = ACT_PAUSE },
	{ .key = ':', .action = ACT_COMMAND },
	{ .key = UI_KEY_CTRL_L, .action = ACT_REPAINT },
	{ .key = '?', .action = ACT_HELP },
	{ .key = KEY_F(1), .action = ACT_HELP },
	{ .key = 'q', .action = ACT_QUIT },
};

struct key_name {
	const char *name;
	int key;
};

static const struct key_name key_names[] = {
	{ "Enter", '\n' }, { "Esc", UI_KEY_ESC }, { "Tab", '\t' }, { "BTab", KEY_BTAB },
	{ "Up", KEY_UP }, { "Down", KEY_DOWN }, { "Left", KEY_LEFT }, { "Right", KEY_RIGHT },
	{ "Home", KEY_HOME }, { "End", KEY_END }, { "PgUp", KEY_PPAGE }, { "PgDn", KEY_NPAGE },
	{ "Backspace", KEY_BACKSPACE }, { "Delete", KEY_DC }, { "Space", ' ' },
	{ "Enter", KEY_ENTER },
};

bool ui_key_parse(const char *name, int *key)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (strcasecmp(name, key_names[i].name) == 0) {
			*key = key_names[i].key;
			return true;
		}
	}
	if ((name[0] == 'F' || name[0] == 'f') && name[1] >= '1' && name[1] <= '9') {
		int n = atoi(name + 1);
		if (n >= 1 && n <= 12) {
			*key = KEY_F(n);
			return true;
		}
	}
	if (name[0] == '^' && name[1] >= '@' && name[2] == '\0') {
		*key = ui_key_ctrl(name[1]);
		return true;
	}
	if (name[0] > ' ' && name[0] < 127 && name[1] == '\0') {
		*key = name[0];
		return true;
	}
	return false;
}

void ui_key_name(int key, char *buf, size_t size)
{
	for (size_t i = 0; i < sizeof key_names / sizeof key_names[0]; i++) {
		if (key_names[i].key == key) {
			snprintf(buf, size, "%s", key_names[i].name);
			return;
		}
	}
	if (key >= KEY_F(1) && key <= KEY_F(12))
		snprintf(buf, size, "F%d", key - KEY_F(0));
	else if (key > 0 && key < 32)
		snprintf(buf, size, "^%c", key + '@');
	else if (key >= 32 && key < 127)
		snprintf(buf, size, "%c", key);
	else
		snprintf(buf, size, "key %d", key);
}

enum ui_action ui_action_find(const char *name)
{
	for (int a = 1; a < ACT_COUNT; a++)
		if (strcmp(ui_actions[a].name, name) == 0)
			return (enum ui_action)a;
	return ACT_NONE;
}

static void keymap_add(struct ui_keymap *map, int key, enum ui_action action)
{
	map->bindings = xreallocarray(map->bindings, map->count + 1, sizeof *map->bindings);
	map->bindings[map->count++] = (struct ui_key_binding){ .key = key, .action = action };
}

bool ui_keymap_init(struct ui_keymap *map, const struct conf_console *console,
		    struct lk_error *err)
{
	map->bindings = NULL;
	map->count = 0;
	size_t n_over = console ? console->n_keys : 0;
	bool overridden[ACT_COUNT] = { false };
	enum ui_action *over_action = xcalloc(n_over ? n_over : 1, sizeof *over_action);
	int *over_key = xcalloc(n_over ? n_over : 1, sizeof *over_key);
	for (size_t i = 0; i < n_over; i++) {
		over_action[i] = ui_action_find(console->keys[i].action);
		if (over_action[i] == ACT_NONE) {
			lk_error_set(err, LK_ECONFIG, "console.keys: unknown action '%s'",
				     console->keys[i].action);
			goto fail;
		}
		if (!ui_key_parse(console->keys[i].key, &over_key[i])) {
			lk_error_set(err, LK_ECONFIG, "console.keys.%s: unknown key name '%s'",
				     console->keys[i].action, console->keys[i].key);
			goto fail;
		}
		overridden[over_action[i]] = true;
	}
	/* the config's keys come first, so they win over a default bound to another action */
	for (size_t i = 0; i < n_over; i++)
		keymap_add(map, over_key[i], over_action[i]);
	for (size_t i = 0; i < sizeof default_keys / sizeof default_keys[0]; i++)
		if (!overridden[default_keys[i].action])
			keymap_add(map, default_keys[i].key, default_keys[i].action);
	free(over_action);
	free(over_key);
	return true;
fail:
	free(over_action);
	free(over_key);
	ui_keymap_free(map);
	return false;
}

void ui_keymap_free(struct ui_keymap *map)
{
	free(map->bindings);
	map->bindings = NULL;
	map->count = 0;
}

enum ui_action ui_keymap_lookup(const struct ui_keymap *map, int key)
{
	for (size_t i = 0; i < map->count; i++)
		if (map->bindings[i].key == key)
			return map->bindings[i].action;
	return ACT_NONE;
}

void ui_keymap_describe(const struct ui_keymap *map, enum ui_action action, char *buf,
			size_t size)
{
	size_t len = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < map->count && len + 1 < size; i++) {
		if (map->bindings[i].action != action || map->bindings[i].key == KEY_ENTER)
			continue;
		char name[16];
		ui_key_name(map->bindings[i].key, name, sizeof name);
		int n = snprintf(buf + len, size - len, "%s%s", len ? ", " : "", name);
		if (n < 0 || (size_t)n >= size - len)
			break;
		len += (size_t)n;
	}
}
