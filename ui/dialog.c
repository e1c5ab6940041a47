/* ui/dialog.c: the console's confirmation dialogs: delete (Cancel is the default; dropping
 * the PostgreSQL table is a separate button), full refresh (type the table's name), and
 * quit while a run would be cancelled. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <curses.h>

#include "ui/ui.h"

struct button_set {
	const char *labels[3];
	int count;
};

static const struct button_set delete_buttons = {
	.labels = { "Cancel", "Delete", "Delete and DROP the PostgreSQL table" }, .count = 3
};
static const struct button_set quit_buttons = { .labels = { "Stay", "Quit" }, .count = 2 };

static void buttons_draw(int y, int x, const struct button_set *set, int focus)
{
	for (int i = 0; i < set->count; i++) {
		char label[64];
		snprintf(label, sizeof label, focus == i ? "[>%s<]" : "[ %s ]", set->labels[i]);
		x += ui_put(y, x, COLS - x - 2, focus == i ? UC_BUTTON_FOCUS : UC_BUTTON, false,
			    label) + 2;
	}
}

/* The table part of "catalog.schema.table". */
static const char *short_name(const char *name)
{
	const char *dot = strrchr(name, '.');
	return dot ? dot + 1 : name;
}

void dialog_draw(struct app *a)
{
	int w = COLS - 8 < 76 ? COLS - 8 : 76, x = (COLS - w) / 2, y = LINES / 2 - 5;
	char buf[512];
	switch (a->modal) {
	case MODAL_DELETE: {
		const char *dot = strchr(a->subject, '.');
		ui_box(y, x, 9, w, "Delete synced table");
		snprintf(buf, sizeof buf, "Delete %s?", a->subject);
		ui_put(y + 2, x + 2, w - 4, UC_DIALOG, false, buf);
		snprintf(buf, sizeof buf, "Its PostgreSQL table %s stays unless you choose to drop it.",
			 dot ? dot + 1 : a->subject);
		ui_wrap(y + 3, x + 2, w - 4, 2, UC_DIM, buf);
		buttons_draw(y + 6, x + 2, &delete_buttons, a->choice);
		break;
	}
	case MODAL_FULL_REFRESH:
		ui_box(y, x, 9, w, "Full refresh");
		snprintf(buf, sizeof buf, "Reload every row of %s from the source.", a->subject);
		ui_put(y + 2, x + 2, w - 4, UC_DIALOG, false, buf);
		snprintf(buf, sizeof buf, "Type %s and press Enter to confirm; Esc cancels.",
			 short_name(a->subject));
		ui_put(y + 3, x + 2, w - 4, UC_WARNING, false, buf);
		ui_draw_line_input(y + 5, x + 2, w - 4, "> ", &a->input);
		break;
	case MODAL_QUIT:
		ui_box(y, x, 8, w, "Quit");
		ui_put(y + 2, x + 2, w - 4, UC_WARNING, false,
		       "A sync is running in this console's engine.");
		ui_put(y + 3, x + 2, w - 4, UC_DIALOG, false,
		       "Quitting cancels it (its transaction rolls back; nothing half-applied).");
		buttons_draw(y + 5, x + 2, &quit_buttons, a->choice);
		break;
	default:
		break;
	}
}

static enum ui_redraw buttons_key(struct app *a, int key, int count)
{
	if (key == KEY_LEFT || key == KEY_BTAB || key == 'h')
		a->choice = (a->choice + count - 1) % count;
	else if (key == KEY_RIGHT || key == '\t' || key == 'l')
		a->choice = (a->choice + 1) % count;
	else
		return REDRAW_NONE;
	return REDRAW_ALL;
}

enum ui_redraw dialog_key(struct app *a, int key)
{
	bool enter = key == '\n' || key == KEY_ENTER;
	if (key == UI_KEY_ESC) {
		a->modal = MODAL_NONE;
		return REDRAW_ALL;
	}
	switch (a->modal) {
	case MODAL_DELETE:
		if (!enter)
			return buttons_key(a, key, delete_buttons.count);
		a->modal = MODAL_NONE;
		if (a->choice == 1 || a->choice == 2) {
			ui_model_delete(a->model, a->subject, a->choice == 2);
			app_flash(a, false, "Deleting %s%s...", a->subject,
				  a->choice == 2 ? " and its PostgreSQL table" : "");
			if (a->view == VIEW_DETAIL)
				detail_close(a);
		}
		return REDRAW_ALL;
	case MODAL_FULL_REFRESH:
		if (!enter) {
			ui_line_key(&a->input, key);
			return REDRAW_ALL;
		}
		if (strcmp(a->input.text, short_name(a->subject)) != 0 &&
		    strcmp(a->input.text, a->subject) != 0) {
			app_flash(a, true, "Full refresh not started: the name did not match");
		} else {
			ui_model_sync(a->model, a->subject, true);
			app_flash(a, false, "Full refresh: %s", a->subject);
		}
		a->modal = MODAL_NONE;
		return REDRAW_ALL;
	case MODAL_QUIT:
		if (key == 'y' || key == 'q') {
			a->quit = true;
			return REDRAW_NONE;
		}
		if (key == 'n') {
			a->modal = MODAL_NONE;
			return REDRAW_ALL;
		}
		if (!enter)
			return buttons_key(a, key, quit_buttons.count);
		a->modal = MODAL_NONE;
		if (a->choice == 1)
			a->quit = true;
		return REDRAW_ALL;
	default:
		a->modal = MODAL_NONE;
		return REDRAW_ALL;
	}
}
