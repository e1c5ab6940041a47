/* ui/ui.h: the console's screen state shared by its views (dashboard, detail, wizard,
 * dialogs, help) and the drawing helpers they use. Private to ui/. Everything here runs on
 * the draw loop's thread; the data comes from immutable snapshots (model.h). Actions
 * return what must be redrawn (enum ui_redraw). */
#ifndef LK_UI_UI_H
#define LK_UI_UI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"
#include "engine/manage.h"
#include "ui/keys.h"
#include "ui/model.h"
#include "ui/theme.h"

enum { UI_MIN_COLS = 80, UI_MIN_LINES = 24 };

enum ui_redraw {
	REDRAW_NONE = 0,
	REDRAW_STATUS = 1,     /* the status line only */
	REDRAW_BODY = 2,       /* the view */
	REDRAW_ALL = 3,
	REDRAW_CLEAR = 4,      /* forget what the terminal shows and repaint (Ctrl-L) */
};

enum ui_view { VIEW_DASHBOARD, VIEW_DETAIL, VIEW_WIZARD, VIEW_HELP };

enum ui_sort { SORT_NAME, SORT_STATE, SORT_LAST_SYNC, SORT_LAG, SORT_COUNT };

enum ui_modal {
	MODAL_NONE,
	MODAL_FILTER,          /* typing the filter in the status line */
	MODAL_COMMAND,         /* typing a `:` command */
	MODAL_DELETE,          /* Cancel / Delete / Delete and drop */
	MODAL_FULL_REFRESH,    /* type the table name to confirm */
	MODAL_QUIT,            /* a run would be cancelled */
};

enum ui_tab { TAB_OVERVIEW, TAB_RUNS, TAB_SCHEMA, TAB_LOG, TAB_COUNT };

/* A one-line text field. */
struct ui_line {
	char text[256];
	size_t len;
};

/* What a state looks like: word, glyph and colour (never colour alone). */
struct ui_state_look {
	const char *word;
	const char *glyph;       /* UTF-8 */
	const char *ascii;       /* outside UTF-8 locales */
	enum ui_color color;
	int severity;            /* for sorting: failures first */
};

struct wizard;

struct app {
	const struct conf *conf;
	struct ui_model *model;
	struct ui_keymap keys;
	bool readonly, utf8, colour;
	const char *theme_name;
	struct ui_snapshot *snap;
	uint64_t generation;
	size_t *order;              /* rows shown: indices into snap->rows, filtered, sorted */
	size_t n_order;
	char selected_name[256];    /* follows the row across refreshes */
	size_t selected, scroll;
	enum ui_view view, help_return;
	enum ui_tab tab;
	int detail_scroll;
	int help_scroll;
	enum ui_sort sort;
	bool sort_reverse;
	char filter[256];
	enum ui_modal modal;
	struct ui_line input;
	int choice;                 /* the focused button of a dialog */
	char subject[256];          /* the table a dialog is about */
	bool paused;
	int64_t refresh_ms;
	uint64_t message_seq;
	char flash[512];
	bool flash_error;
	int64_t flash_until_ms;
	bool quit;
	long refreshes_seen, exit_after;
	struct wizard *wizard;
	/* the Schema tab's source preview */
	char schema_source[256];
	bool schema_pending, schema_loaded;
	struct manage_preview schema;
	char schema_error[256];
	/* measurements (--stats) */
	int64_t frame_cpu_us_total, frame_cpu_us_max, fetch_cpu_us_total;
	long frames;
};

/* app.c */
enum ui_redraw app_do(struct app *a, enum ui_action action);
void app_flash(struct app *a, bool error, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
const struct table_view *app_selected_row(const struct app *a);
void app_select_name(struct app *a, const char *name);
void app_rebuild_order(struct app *a);

/* draw.c: helpers */
int64_t ui_mono_ms(void);
const struct ui_state_look *ui_row_look(const struct table_view *row);
const char *ui_glyph(const struct app *a, const char *utf8, const char *ascii);
void ui_relative_time(int64_t us, char *buf, size_t size);
void ui_absolute_time(int64_t us, char *buf, size_t size);
void ui_count(int64_t n, char *buf, size_t size);
void ui_target(const struct app *a, const struct model_table *t, char *buf, size_t size);
/* Writes text at (y, x) in at most width cells, padded with spaces when pad. Returns the
 * cells used. Text is UTF-8; cut with a marker when too long. */
int ui_put(int y, int x, int width, enum ui_color color, bool pad, const char *text);
int ui_putf(int y, int x, int width, enum ui_color color, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void ui_fill(int y, int x, int width, enum ui_color color);
void ui_progress_bar(const struct app *a, int y, int x, int width, double done);
void ui_box(int y, int x, int h, int w, const char *title);
int ui_wrap(int y, int x, int width, int max_lines, enum ui_color color, const char *text);
void ui_draw_line_input(int y, int x, int width, const char *prompt, const struct ui_line *line);
/* Edits a line with a key; returns true when the key was taken. */
bool ui_line_key(struct ui_line *line, int key);
void ui_line_set(struct ui_line *line, const char *text);
bool ui_is_back_key(int key);

/* dashboard.c */
void dashboard_draw(struct app *a);
void title_draw(struct app *a, const char *where);
void status_draw(struct app *a);
void footer_draw(struct app *a);
void help_draw(struct app *a);
void too_small_draw(void);

/* detail.c */
void detail_draw(struct app *a);
enum ui_redraw detail_open(struct app *a);
void detail_poll(struct app *a);
void detail_close(struct app *a);

/* dialog.c */
void dialog_draw(struct app *a);
enum ui_redraw dialog_key(struct app *a, int key);

/* wizard.c */
struct wizard *wizard_new(struct app *a);
void wizard_free(struct wizard *w);
void wizard_draw(struct app *a);
enum ui_redraw wizard_key(struct app *a, int key);
/* Called each loop: takes a finished preview or create outcome. */
enum ui_redraw wizard_poll(struct app *a, const struct ui_message *msg);

#endif
