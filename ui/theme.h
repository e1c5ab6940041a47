/* ui/theme.h: the console's colour elements and the themes that colour them.
 * Each element (a table of names, doc/console.md lists them) gets a foreground, a
 * background and attributes from a theme file, themes/<name>.theme (libconfig), or from the
 * built-in defaults. With NO_COLOR, --no-color or a terminal without colours every element
 * falls back to attributes only (bold, reverse, underline), so state never depends on
 * colour. The draw loop owns the theme; not thread-safe. */
#ifndef LK_UI_THEME_H
#define LK_UI_THEME_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

enum ui_color {
	UC_NORMAL = 0,
	UC_TITLE,
	UC_COLUMN_HEADER,
	UC_SELECTED,
	UC_DIM,
	UC_STATE_ONLINE,
	UC_STATE_SYNCING,
	UC_STATE_PROVISIONING,
	UC_STATE_FAILED,
	UC_STATE_OFFLINE,
	UC_PROGRESS_DONE,
	UC_PROGRESS_TODO,
	UC_LAG,
	UC_STATUS,
	UC_BADGE_OK,
	UC_BADGE_STALE,
	UC_BADGE_PAUSED,
	UC_BADGE_READONLY,
	UC_FOOTER_KEY,
	UC_FOOTER_LABEL,
	UC_DISABLED,
	UC_TAB_ACTIVE,
	UC_TAB,
	UC_DIALOG,
	UC_DIALOG_TITLE,
	UC_BUTTON,
	UC_BUTTON_FOCUS,
	UC_INPUT,
	UC_ERROR,
	UC_WARNING,
	UC_SUCCESS,
	UC_CODE,
	UC_COUNT
};

struct ui_color_info {
	const char *name;        /* in theme files */
	const char *description; /* for doc/console.md */
	const char *fg, *bg;     /* the built-in defaults */
	int attrs;               /* UI_ATTR_* */
	int mono_attrs;          /* without colour */
};

enum {
	UI_ATTR_BOLD = 1,
	UI_ATTR_REVERSE = 2,
	UI_ATTR_UNDERLINE = 4,
	UI_ATTR_DIM = 8,
};

extern const struct ui_color_info ui_colors[UC_COUNT];

/* Where theme files are looked for: $LAKESYNC_THEMES_DIR, the installed directory, then
 * ../share/lakesync/themes and ../themes beside the binary. A name containing '/' is a
 * path. Loads the theme into the element table; with colour false every element keeps
 * only its mono_attrs. Call after initscr()/start_color(). On failure the built-in
 * defaults stay in force and *err says why. */
bool ui_theme_load(const char *name, bool colour, struct lk_error *err);
/* The curses attribute (colour pair and attributes) of an element. */
int ui_theme_attr(enum ui_color element);

#endif
