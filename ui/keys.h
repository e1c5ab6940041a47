/* ui/keys.h: what the console's keys do, as data. The action table says what each action
 * is called (in the config file and on the command line), its help text, its footer label
 * and whether it changes anything (--readonly refuses exactly those, in one place); the
 * default key table binds keys to actions. The help screen, doc/console.md and the tests
 * read these tables. Keys may be rebound in the config (console.keys). Not thread-safe:
 * the draw loop owns the key map. */
#ifndef LK_UI_KEYS_H
#define LK_UI_KEYS_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum ui_action {
	ACT_NONE = 0,
	ACT_OPEN,
	ACT_BACK,
	ACT_UP,
	ACT_DOWN,
	ACT_TOP,
	ACT_BOTTOM,
	ACT_PAGE_UP,
	ACT_PAGE_DOWN,
	ACT_NEXT_TAB,
	ACT_PREV_TAB,
	ACT_SYNC_NOW,
	ACT_FULL_REFRESH,
	ACT_DELETE,
	ACT_NEW,
	ACT_FILTER,
	ACT_SORT,
	ACT_SORT_REVERSE,
	ACT_REFRESH,
	ACT_FASTER,
	ACT_SLOWER,
	ACT_PAUSE,
	ACT_COMMAND,
	ACT_REPAINT,
	ACT_HELP,
	ACT_QUIT,
	ACT_COUNT
};

struct ui_action_info {
	const char *name;    /* in console.keys and the `:` command line */
	const char *help;    /* one line for the help screen */
	const char *footer;  /* a short label for the footer, or NULL */
	bool mutates;        /* changes a synced table: refused by --readonly */
};

extern const struct ui_action_info ui_actions[ACT_COUNT];

struct ui_key_binding {
	int key;             /* a curses key code or a character */
	enum ui_action action;
};

/* The bindings in force: the defaults, with console.keys applied. */
struct ui_keymap {
	struct ui_key_binding *bindings;
	size_t count;
};

struct conf_console;

/* Builds the key map from the default table and the config's overrides (an action listed
 * there loses its default keys). Fails on an unknown action or key name. */
bool ui_keymap_init(struct ui_keymap *map, const struct conf_console *console,
		    struct lk_error *err);
void ui_keymap_free(struct ui_keymap *map);
enum ui_action ui_keymap_lookup(const struct ui_keymap *map, int key);
/* The keys bound to an action, written as "s" or "Up, k" (NUL-terminated, cut to size). */
void ui_keymap_describe(const struct ui_keymap *map, enum ui_action action, char *buf,
			size_t size);
enum ui_action ui_action_find(const char *name);

/* Key names: "s", "Enter", "Esc", "Tab", "BTab", "Up", "Down", "Left", "Right", "Home",
 * "End", "PgUp", "PgDn", "Backspace", "Space", "F1".."F12", "^L" (Ctrl). */
bool ui_key_parse(const char *name, int *key);
void ui_key_name(int key, char *buf, size_t size);

enum { UI_KEY_ESC = 27, UI_KEY_CTRL_L = 12 };

static inline int ui_key_ctrl(char c)
{
	return c & 0x1f;
}

#endif
