/* ui/app.c: `lakesync console`: options, the terminal (setup, and restore on every exit
 * path), the embedded engine and data thread, and the draw loop that renders snapshots and
 * turns keys into actions. The one place that checks --readonly is app_do(). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <langinfo.h>
#include <locale.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <curses.h>

#include "api/client.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "ui/backend.h"
#include "ui/ui.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	FLASH_MS = 5000,           /* how long a command's outcome stays in the status line */
	TICK_MS = 1000,            /* "12s ago" columns move once a second */
	MIN_DELAY_MS = 100,
	MAX_DELAY_MS = 60000,
};

/* ---- signals and the terminal -------------------------------------------------------------- */

static volatile sig_atomic_t stop_signal;
static int wake_pipe[2] = { -1, -1 };
static bool curses_active;
static int saved_stderr = -1;

static void on_stop_signal(int sig)
{
	int saved_errno = errno;
	stop_signal = sig;
	char byte = 1;
	ssize_t n = write(wake_pipe[1], &byte, 1);
	(void)n;
	errno = saved_errno;
}

/* Puts the terminal back; safe to call twice. */
static void terminal_restore(void)
{
	if (curses_active) {
		curses_active = false;
		endwin();
	}
	if (saved_stderr >= 0) {
		dup2(saved_stderr, STDERR_FILENO);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

#ifndef __SANITIZE_ADDRESS__
static void on_fatal_signal(int sig)
{
	terminal_restore();
	signal(sig, SIG_DFL);
	raise(sig);
}
#endif

static void signals_install(void)
{
	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
#ifndef __SANITIZE_ADDRESS__
	struct sigaction fatal = { .sa_handler = on_fatal_signal };
	sigemptyset(&fatal.sa_mask);
	sigaction(SIGSEGV, &fatal, NULL);
	sigaction(SIGBUS, &fatal, NULL);
	sigaction(SIGFPE, &fatal, NULL);
	sigaction(SIGABRT, &fatal, NULL);
#endif
	signal(SIGPIPE, SIG_IGN);
}

/* Threads started after this leave the terminal's signals to the draw loop. */
static void signals_block_for_threads(sigset_t *old)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGTSTP);
	sigaddset(&set, SIGCONT);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

/* Sends the log, and anything a library writes to stderr (libpq notices), to a file:
 * never to the screen. The file: --log-file, log.file, else
 * $XDG_STATE_HOME/lakesync/console.log (~/.local/state when unset). */
static void log_to_file(const struct cli_context *ctx, const struct conf *conf)
{
	struct lk_error err = LK_ERROR_INIT;
	char *path = NULL;
	if (ctx->log_file)
		path = xstrdup(ctx->log_file);
	else if (conf->log_file)
		path = xstrdup(conf->log_file);
	else {
		const char *state = getenv("XDG_STATE_HOME");
		const char *home = getenv("HOME");
		char *base = state && *state ? xstrdup(state)
			     : home	     ? xasprintf("%s/.local/state", home)
					     : xstrdup("/tmp");
		char *dir = xasprintf("%s/lakesync", base);
		if (!(state && *state) && home) {
			char *local = xasprintf("%s/.local", home);
			mkdir(local, 0700);
			free(local);
		}
		mkdir(base, 0700);
		mkdir(dir, 0700);
		path = xasprintf("%s/console.log", dir);
		free(base);
		free(dir);
	}
	if (ctx->log_file == NULL && !lk_log_open(path, &err))
		lk_log_set_stream(NULL);
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0600);
	if (fd < 0)
		fd = open("/dev/null", O_WRONLY);
	if (fd >= 0) {
		fflush(stderr);
		saved_stderr = dup(STDERR_FILENO);
		dup2(fd, STDERR_FILENO);
		close(fd);
	}
	free(path);
}

static bool terminal_setup(struct app *a, bool no_color)
{
	if (newterm(NULL, stdout, stdin) == NULL)
		return false;
	curses_active = true;
	set_escdelay(100);
	cbreak();
	noecho();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	curs_set(0);
	const char *nc = getenv("NO_COLOR");
	a->colour = has_colors() && !no_color && !(nc && *nc);
	if (a->colour) {
		start_color();
		use_default_colors();
	}
	return true;
}

/* ---- the view's rows ----------------------------------------------------------------------- */

static const struct app *sort_app;

static int64_t row_lag(const struct table_view *r)
{
	if (!r->table.status.has_last_sync || r->latest_version < 0)
		return r->latest_version >= 0 ? r->latest_version + 1 : 0;
	return r->latest_version - r->table.status.delta_commit_version;
}

static int row_cmp(const void *pa, const void *pb)
{
	const struct table_view *a = &sort_app->snap->rows[*(const size_t *)pa];
	const struct table_view *b = &sort_app->snap->rows[*(const size_t *)pb];
	int c = 0;
	switch (sort_app->sort) {
	case SORT_STATE:
		c = ui_row_look(a)->severity - ui_row_look(b)->severity;
		break;
	case SORT_LAST_SYNC: {
		int64_t ta = a->table.status.has_last_sync ? a->table.status.sync_end_us : 0;
		int64_t tb = b->table.status.has_last_sync ? b->table.status.sync_end_us : 0;
		c = ta < tb ? -1 : ta > tb;
		break;
	}
	case SORT_LAG: {
		int64_t la = row_lag(a), lb = row_lag(b);
		c = la > lb ? -1 : la < lb;
		break;
	}
	default:
		break;
	}
	if (c == 0)
		c = strcmp(a->table.name, b->table.name);
	return sort_app->sort_reverse ? -c : c;
}

static bool name_matches(const char *name, const char *filter)
{
	if (filter[0] == '\0')
		return true;
	size_t n = strlen(filter);
	for (const char *p = name; *p; p++)
		if (strncasecmp(p, filter, n) == 0)
			return true;
	return false;
}

void app_rebuild_order(struct app *a)
{
	free(a->order);
	a->order = NULL;
	a->n_order = 0;
	if (a->snap == NULL)
		return;
	a->order = xcalloc(a->snap->n_rows ? a->snap->n_rows : 1, sizeof *a->order);
	for (size_t i = 0; i < a->snap->n_rows; i++)
		if (name_matches(a->snap->rows[i].table.name, a->filter))
			a->order[a->n_order++] = i;
	sort_app = a;
	qsort(a->order, a->n_order, sizeof *a->order, row_cmp);
	/* keep the selection on the same table */
	a->selected = a->n_order && a->selected >= a->n_order ? a->n_order - 1 : a->selected;
	for (size_t i = 0; i < a->n_order; i++) {
		if (strcmp(a->snap->rows[a->order[i]].table.name, a->selected_name) == 0) {
			a->selected = i;
			break;
		}
	}
	if (a->n_order)
		snprintf(a->selected_name, sizeof a->selected_name, "%s",
			 a->snap->rows[a->order[a->selected]].table.name);
}

const struct table_view *app_selected_row(const struct app *a)
{
	if (a->snap == NULL || a->n_order == 0 || a->selected >= a->n_order)
		return NULL;
	return &a->snap->rows[a->order[a->selected]];
}

void app_select_name(struct app *a, const char *name)
{
	snprintf(a->selected_name, sizeof a->selected_name, "%s", name);
	app_rebuild_order(a);
}

static void select_index(struct app *a, long index)
{
	if (a->n_order == 0)
		return;
	if (index < 0)
		index = 0;
	if ((size_t)index >= a->n_order)
		index = (long)a->n_order - 1;
	a->selected = (size_t)index;
	snprintf(a->selected_name, sizeof a->selected_name, "%s",
		 a->snap->rows[a->order[a->selected]].table.name);
}

void app_flash(struct app *a, bool error, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(a->flash, sizeof a->flash, fmt, ap);
	va_end(ap);
	a->flash_error = error;
	a->flash_until_ms = ui_mono_ms() + FLASH_MS;
}

/* ---- actions ------------------------------------------------------------------------------- */

static bool any_run_here(const struct app *a)
{
	for (size_t i = 0; a->snap && i < a->snap->n_rows; i++)
		if (a->snap->rows[i].running)
			return true;
	return false;
}

/* The table an action is about: the open one in the detail view, else the selected row. */
static const struct table_view *action_row(struct app *a)
{
	const struct table_view *r = app_selected_row(a);
	if (r == NULL)
		app_flash(a, true, "No synced table selected");
	return r;
}

static enum ui_redraw move_by(struct app *a, long delta)
{
	if (a->view == VIEW_DETAIL) {
		a->detail_scroll += (int)delta;
		if (a->detail_scroll < 0)
			a->detail_scroll = 0;
		return REDRAW_BODY;
	}
	select_index(a, (long)a->selected + delta);
	return REDRAW_BODY;
}

enum ui_redraw app_do(struct app *a, enum ui_action action)
{
	/* --readonly: the one check */
	if (a->readonly && ui_actions[action].mutates) {
		app_flash(a, true, "Read-only console: %s is disabled", ui_actions[action].name);
		return REDRAW_STATUS;
	}
	const struct table_view *r;
	long page = LINES > 6 ? LINES - 6 : 1;
	switch (action) {
	case ACT_NONE:
		return REDRAW_NONE;
	case ACT_OPEN:
		if (a->view == VIEW_DASHBOARD && app_selected_row(a))
			return detail_open(a);
		return REDRAW_NONE;
	case ACT_BACK:
		if (a->view == VIEW_DETAIL) {
			detail_close(a);
			return REDRAW_ALL;
		}
		if (a->filter[0]) {
			a->filter[0] = '\0';
			app_rebuild_order(a);
			return REDRAW_ALL;
		}
		return REDRAW_NONE;
	case ACT_UP: return move_by(a, -1);
	case ACT_DOWN: return move_by(a, 1);
	case ACT_PAGE_UP: return move_by(a, -page);
	case ACT_PAGE_DOWN: return move_by(a, page);
	case ACT_TOP:
		a->detail_scroll = 0;
		select_index(a, 0);
		return REDRAW_BODY;
	case ACT_BOTTOM:
		select_index(a, (long)a->n_order - 1);
		return REDRAW_BODY;
	case ACT_NEXT_TAB:
	case ACT_PREV_TAB:
		if (a->view != VIEW_DETAIL)
			return REDRAW_NONE;
		a->tab = (enum ui_tab)((a->tab + (action == ACT_NEXT_TAB ? 1 : TAB_COUNT - 1)) %
				       TAB_COUNT);
		a->detail_scroll = 0;
		return REDRAW_BODY;
	case ACT_SYNC_NOW:
		if ((r = action_row(a)) == NULL)
			return REDRAW_STATUS;
		ui_model_sync(a->model, r->table.name, false);
		app_flash(a, false, "Sync now: %s", r->table.name);
		return REDRAW_STATUS;
	case ACT_FULL_REFRESH:
		if ((r = action_row(a)) == NULL)
			return REDRAW_STATUS;
		a->modal = MODAL_FULL_REFRESH;
		snprintf(a->subject, sizeof a->subject, "%s", r->table.name);
		ui_line_set(&a->input, "");
		return REDRAW_ALL;
	case ACT_DELETE:
		if ((r = action_row(a)) == NULL)
			return REDRAW_STATUS;
		a->modal = MODAL_DELETE;
		a->choice = 0; /* Cancel */
		snprintf(a->subject, sizeof a->subject, "%s", r->table.name);
		return REDRAW_ALL;
	case ACT_NEW:
		wizard_free(a->wizard);
		a->wizard = wizard_new(a);
		a->view = VIEW_WIZARD;
		return REDRAW_ALL;
	case ACT_FILTER:
		a->modal = MODAL_FILTER;
		ui_line_set(&a->input, a->filter);
		return REDRAW_STATUS;
	case ACT_SORT:
		a->sort = (enum ui_sort)((a->sort + 1) % SORT_COUNT);
		app_rebuild_order(a);
		return REDRAW_ALL;
	case ACT_SORT_REVERSE:
		a->sort_reverse = !a->sort_reverse;
		app_rebuild_order(a);
		return REDRAW_ALL;
	case ACT_REFRESH:
		ui_model_refresh_now(a->model);
		return REDRAW_STATUS;
	case ACT_FASTER:
	case ACT_SLOWER:
		a->refresh_ms = action == ACT_FASTER ? a->refresh_ms / 2 : a->refresh_ms * 2;
		if (a->refresh_ms < MIN_DELAY_MS)
			a->refresh_ms = MIN_DELAY_MS;
		if (a->refresh_ms > MAX_DELAY_MS)
			a->refresh_ms = MAX_DELAY_MS;
		ui_model_set_interval(a->model, a->refresh_ms);
		return REDRAW_STATUS;
	case ACT_PAUSE:
		a->paused = !a->paused;
		ui_model_set_paused(a->model, a->paused);
		return REDRAW_STATUS;
	case ACT_COMMAND:
		a->modal = MODAL_COMMAND;
		ui_line_set(&a->input, "");
		return REDRAW_STATUS;
	case ACT_REPAINT:
		return REDRAW_CLEAR;
	case ACT_HELP:
		if (a->view != VIEW_HELP)
			a->help_return = a->view;
		a->view = VIEW_HELP;
		a->help_scroll = 0;
		return REDRAW_ALL;
	case ACT_QUIT:
		if (any_run_here(a)) {
			a->modal = MODAL_QUIT;
			a->choice = 0;
			return REDRAW_ALL;
		}
		a->quit = true;
		return REDRAW_NONE;
	case ACT_COUNT:
		break;
	}
	return REDRAW_NONE;
}

/* `:` commands: any action by name (":sync_now", ":help"), an action with a table name
 * (":sync_now lake.sales.orders_synced"), and a few settings. */
static enum ui_redraw command_run(struct app *a, const char *line)
{
	char word[64] = "", arg[256] = "";
	if (sscanf(line, " %63s %255[^\n]", word, arg) < 1)
		return REDRAW_STATUS;
	if (strcmp(word, "q") == 0)
		snprintf(word, sizeof word, "quit");
	if (strcmp(word, "filter") == 0) {
		snprintf(a->filter, sizeof a->filter, "%s", arg);
		app_rebuild_order(a);
		return REDRAW_ALL;
	}
	if (strcmp(word, "sort") == 0) {
		static const char *const names[SORT_COUNT] = { "name", "state", "last", "lag" };
		for (int s = 0; s < SORT_COUNT; s++)
			if (strncmp(arg, names[s], strlen(names[s])) == 0)
				a->sort = (enum ui_sort)s;
		app_rebuild_order(a);
		return REDRAW_ALL;
	}
	if (strcmp(word, "delay") == 0) {
		int64_t ms;
		if (!lk_duration_parse(arg, &ms, NULL) || ms < MIN_DELAY_MS) {
			app_flash(a, true, "delay: expected a duration such as 500ms or 2s");
			return REDRAW_STATUS;
		}
		a->refresh_ms = ms;
		ui_model_set_interval(a->model, ms);
		return REDRAW_STATUS;
	}
	if (strcmp(word, "theme") == 0) {
		struct lk_error err = LK_ERROR_INIT;
		if (!ui_theme_load(arg, a->colour, &err))
			app_flash(a, true, "%s", err.message);
		return REDRAW_CLEAR;
	}
	enum ui_action action = ui_action_find(word);
	if (action == ACT_NONE) {
		app_flash(a, true, "Unknown command '%s' (see ? for the actions)", word);
		return REDRAW_STATUS;
	}
	if (arg[0]) {
		app_select_name(a, arg);
		const struct table_view *r = app_selected_row(a);
		if (r == NULL || strcmp(r->table.name, arg) != 0) {
			app_flash(a, true, "No synced table named %s", arg);
			return REDRAW_STATUS;
		}
	}
	return app_do(a, action);
}

static enum ui_redraw input_key(struct app *a, int key)
{
	if (key == UI_KEY_ESC) {
		if (a->modal == MODAL_FILTER) {
			a->filter[0] = '\0';
			app_rebuild_order(a);
		}
		a->modal = MODAL_NONE;
		return REDRAW_ALL;
	}
	if (key == '\n' || key == KEY_ENTER) {
		enum ui_modal was = a->modal;
		a->modal = MODAL_NONE;
		if (was == MODAL_COMMAND)
			return command_run(a, a->input.text) | REDRAW_STATUS;
		return REDRAW_ALL;
	}
	if (!ui_line_key(&a->input, key))
		return REDRAW_NONE;
	if (a->modal == MODAL_FILTER) {
		snprintf(a->filter, sizeof a->filter, "%s", a->input.text);
		a->selected = 0;
		app_rebuild_order(a);
		return REDRAW_ALL;
	}
	return REDRAW_STATUS;
}

static enum ui_redraw key_dispatch(struct app *a, int key)
{
	if (key == KEY_RESIZE)
		return REDRAW_CLEAR;
	if (a->modal == MODAL_FILTER || a->modal == MODAL_COMMAND)
		return input_key(a, key);
	if (a->modal != MODAL_NONE)
		return dialog_key(a, key);
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES) {
		if (key == 'q' || ui_keymap_lookup(&a->keys, key) == ACT_QUIT)
			a->quit = true;
		return REDRAW_NONE;
	}
	if (a->view == VIEW_HELP) {
		enum ui_action act = ui_keymap_lookup(&a->keys, key);
		if (act == ACT_DOWN || act == ACT_PAGE_DOWN) {
			if (a->help_scroll + 1 < ACT_COUNT)
				a->help_scroll++;
			return REDRAW_BODY;
		}
		if (act == ACT_UP || act == ACT_PAGE_UP) {
			if (a->help_scroll > 0)
				a->help_scroll--;
			return REDRAW_BODY;
		}
		a->view = a->help_return;
		return REDRAW_ALL;
	}
	if (a->view == VIEW_WIZARD)
		return wizard_key(a, key);
	if (a->view == VIEW_DETAIL && key >= '1' && key < '1' + TAB_COUNT) {
		a->tab = (enum ui_tab)(key - '1');
		a->detail_scroll = 0;
		return REDRAW_BODY;
	}
	return app_do(a, ui_keymap_lookup(&a->keys, key));
}

/* ---- drawing ------------------------------------------------------------------------------- */

static int64_t thread_cpu_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void app_draw(struct app *a, bool clear_first)
{
	if (clear_first)
		clearok(curscr, TRUE);
	erase();
	if (COLS < UI_MIN_COLS || LINES < UI_MIN_LINES) {
		too_small_draw();
	} else {
		switch (a->view) {
		case VIEW_DASHBOARD: dashboard_draw(a); break;
		case VIEW_DETAIL: detail_draw(a); break;
		case VIEW_WIZARD: wizard_draw(a); break;
		case VIEW_HELP: help_draw(a); break;
		}
		if (a->view != VIEW_WIZARD) {
			status_draw(a);
			footer_draw(a);
		}
		dialog_draw(a);
	}
	wnoutrefresh(stdscr);
	doupdate();
}

/* Takes the newest snapshot; true when it is new. */
static bool snapshot_pull(struct app *a)
{
	struct ui_snapshot *s = ui_model_acquire(a->model);
	if (s == NULL)
		return false;
	if (a->snap && s->generation == a->generation) {
		ui_model_release(a->model, s);
		return false;
	}
	ui_model_release(a->model, a->snap);
	a->snap = s;
	a->generation = s->generation;
	app_rebuild_order(a);
	a->refreshes_seen++;
	a->fetch_cpu_us_total += s->fetch_cpu_us;
	return true;
}

static void messages_pull(struct app *a, enum ui_redraw *redraw)
{
	struct ui_message msg;
	if (!ui_model_take_message(a->model, a->message_seq, &msg))
		return;
	a->message_seq = msg.seq;
	if (a->view == VIEW_WIZARD)
		*redraw |= wizard_poll(a, &msg);
	else
		app_flash(a, !msg.ok, "%s", msg.text);
	*redraw |= REDRAW_STATUS;
}

static void drain_wake_pipe(void)
{
	char buf[64];
	while (read(wake_pipe[0], buf, sizeof buf) > 0)
		;
}

static void app_loop(struct app *a)
{
	enum ui_redraw redraw = REDRAW_CLEAR;
	int64_t last_tick = 0;
	while (!a->quit && !stop_signal) {
		int64_t frame_start = thread_cpu_us();
		bool fresh = snapshot_pull(a);
		if (fresh)
			redraw |= REDRAW_ALL;
		messages_pull(a, &redraw);
		if (a->view == VIEW_WIZARD)
			redraw |= wizard_poll(a, NULL);
		if (a->view == VIEW_DETAIL)
			detail_poll(a);
		int64_t now = ui_mono_ms();
		if (now - last_tick >= TICK_MS) {
			redraw |= REDRAW_ALL; /* relative times and the refresh age move */
			last_tick = now;
		}
		if (redraw) {
			app_draw(a, redraw & REDRAW_CLEAR);
			redraw = REDRAW_NONE;
			if (fresh) {
				int64_t cpu = thread_cpu_us() - frame_start;
				a->frames++;
				a->frame_cpu_us_total += cpu;
				if (cpu > a->frame_cpu_us_max)
					a->frame_cpu_us_max = cpu;
			}
		}
		if (fresh && a->exit_after > 0 && a->refreshes_seen >= a->exit_after)
			break;
		/* wait for a key, a new snapshot, a signal, or the next tick */
		int64_t wait_ms = TICK_MS - (ui_mono_ms() - last_tick);
		if (wait_ms < 0)
			wait_ms = 0;
		struct pollfd fds[2] = { { .fd = STDIN_FILENO, .events = POLLIN },
					 { .fd = wake_pipe[0], .events = POLLIN } };
		int n = poll(fds, 2, (int)wait_ms);
		if (n > 0 && (fds[1].revents & POLLIN))
			drain_wake_pipe();
		if (n > 0 && (fds[0].revents & (POLLHUP | POLLERR)) && !(fds[0].revents & POLLIN))
			break; /* the terminal went away */
		int key;
		while ((key = getch()) != ERR) {
			redraw |= key_dispatch(a, key);
			if (a->quit)
				break;
		}
	}
}

/* ---- options ------------------------------------------------------------------------------- */

struct console_options {
	bool readonly, no_color, stats, no_engine;
	const char *theme;
	int64_t delay_ms;        /* 0 = the config's */
	long exit_after;
};

static void console_usage(FILE *out)
{
	fprintf(out,
		"Usage: lakesync console [OPTIONS]\n"
		"\n"
		"Opens the operator console: the synced tables, their state and freshness; Sync\n"
		"now, full refresh, delete and the create wizard. Runs an engine in this process.\n"
		"\n"
		"Options:\n"
		"  --readonly           look, do not touch: every mutating action is disabled\n"
		"  --no-color           no colours (also when NO_COLOR is set)\n"
		"  --theme NAME         a theme from themes/ (default, light, monochrome,\n"
		"                       high-contrast) or a path to a .theme file\n"
		"  -d, --delay DELAY    refresh interval: tenths of a second (htop's -d) or a\n"
		"                       duration such as 500ms or 2s (default: console.refresh)\n"
		"  --no-engine          do not run an engine here (Sync now goes to another engine)\n"
		"  --exit-after N       quit after N refreshes (for tests and valgrind)\n"
		"  --stats              print the CPU time of the refreshes on exit\n"
		"  -h, --help           print this help\n"
		"\n"
		"Keys: press ? in the console. Environment: NO_COLOR, LAKESYNC_THEMES_DIR,\n"
		"LAKESYNC_FIXED_NOW (an RFC 3339 time that pins the clock, for tests).\n");
}

/* Returns -1 to go on, else an exit status. */
static int options_parse(int argc, char **argv, struct console_options *o)
{
	enum { OPT_READONLY = 256, OPT_NO_COLOR, OPT_THEME, OPT_EXIT_AFTER, OPT_STATS,
	       OPT_NO_ENGINE };
	static const struct option longopts[] = {
		{ "readonly", no_argument, NULL, OPT_READONLY },
		{ "no-color", no_argument, NULL, OPT_NO_COLOR },
		{ "theme", required_argument, NULL, OPT_THEME },
		{ "delay", required_argument, NULL, 'd' },
		{ "exit-after", required_argument, NULL, OPT_EXIT_AFTER },
		{ "stats", no_argument, NULL, OPT_STATS },
		{ "no-engine", no_argument, NULL, OPT_NO_ENGINE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":d:h", longopts, NULL)) != -1) {
		char *end;
		switch (opt) {
		case OPT_READONLY: o->readonly = true; break;
		case OPT_NO_COLOR: o->no_color = true; break;
		case OPT_THEME: o->theme = optarg; break;
		case OPT_STATS: o->stats = true; break;
		case OPT_NO_ENGINE: o->no_engine = true; break;
		case 'd': {
			long tenths = strtol(optarg, &end, 10);
			int64_t ms = tenths * 100;
			if ((*end != '\0' || end == optarg) && !lk_duration_parse(optarg, &ms, NULL))
				return cli_command_usage_error("console", "bad delay '%s'", optarg);
			if (ms < MIN_DELAY_MS || ms > MAX_DELAY_MS)
				return cli_command_usage_error(
					"console", "delay '%s' must be between 100ms and 60s", optarg);
			o->delay_ms = ms;
			break;
		}
		case OPT_EXIT_AFTER:
			o->exit_after = strtol(optarg, &end, 10);
			if (*end != '\0' || o->exit_after <= 0)
				return cli_command_usage_error("console", "--exit-after needs a "
									  "positive count");
			break;
		case 'h': console_usage(stdout); return CLI_EXIT_OK;
		case ':':
			return cli_command_usage_error("console", "option '%s' needs an argument",
						       argv[optind - 1]);
		default:
			return cli_command_usage_error("console", "unknown option '%s'",
						       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_command_usage_error("console", "unexpected argument '%s'", argv[optind]);
	return -1;
}

static bool fixed_clock(void)
{
	const char *fixed = getenv("LAKESYNC_FIXED_NOW");
	if (fixed == NULL || *fixed == '\0')
		return true;
	int64_t us;
	struct lk_error err = LK_ERROR_INIT;
	if (!lk_time_parse_rfc3339(fixed, &us, &err)) {
		fprintf(stderr, "lakesync: LAKESYNC_FIXED_NOW: %s\n", err.message);
		return false;
	}
	lk_clock_set_fixed_wall_us(us);
	return true;
}

/* ---- entry --------------------------------------------------------------------------------- */

static void app_free(struct app *a)
{
	if (a->wizard)
		wizard_free(a->wizard);
	detail_close(a);
	if (a->model && a->snap)
		ui_model_release(a->model, a->snap);
	a->snap = NULL;
	free(a->order);
	ui_keymap_free(&a->keys);
}

static void print_stats(const struct app *a, const struct console_options *o)
{
	if (!o->stats)
		return;
	size_t rows = a->snap ? a->snap->n_rows : 0;
	fprintf(stderr, "console: %zu synced tables, %ld refreshes drawn\n", rows, a->frames);
	fprintf(stderr, "console: dashboard refresh (snapshot, filter, sort, draw) CPU: mean %.3f ms, "
			"max %.3f ms\n",
		a->frames ? (double)a->frame_cpu_us_total / (double)a->frames / 1000.0 : 0.0,
		(double)a->frame_cpu_us_max / 1000.0);
	fprintf(stderr, "console: data thread fetch CPU: mean %.3f ms\n",
		a->refreshes_seen ? (double)a->fetch_cpu_us_total / (double)a->refreshes_seen / 1000.0
				  : 0.0);
}

int cmd_console(struct cli_context *ctx, int argc, char **argv)
{
	struct console_options o = { 0 };
	int status = options_parse(argc, argv, &o);
	if (status >= 0)
		return status;
	if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
		fprintf(stderr, "lakesync: the console needs a terminal (stdin and stdout)\n");
		return CLI_EXIT_FAILURE;
	}
	if (!fixed_clock())
		return CLI_EXIT_USAGE;
	struct conf conf;
	if (!cli_conf_load(ctx, &conf))
		return CLI_EXIT_FAILURE;
	struct app a = { .conf = &conf, .readonly = o.readonly, .exit_after = o.exit_after };
	struct lk_error err = LK_ERROR_INIT;
	if (!ui_keymap_init(&a.keys, &conf.console, &err)) {
		conf_free(&conf);
		return cli_fail(&err);
	}
	a.refresh_ms = o.delay_ms ? o.delay_ms : conf.console.refresh_ms;
	a.theme_name = o.theme ? o.theme : conf.console.theme;
	setlocale(LC_ALL, "");
	a.utf8 = strcmp(nl_langinfo(CODESET), "UTF-8") == 0;
	if (pipe(wake_pipe) != 0) {
		ui_keymap_free(&a.keys);
		conf_free(&conf);
		return cli_fail(&(struct lk_error){ .code = LK_EINTERNAL, .message = "pipe failed" });
	}
	fcntl(wake_pipe[0], F_SETFL, O_NONBLOCK);
	fcntl(wake_pipe[1], F_SETFL, O_NONBLOCK);
	/* remote mode (--host): the data and the engine are the daemon's */
	struct api_client *client = NULL;
	if (ctx->host && (client = cli_client_open(ctx)) == NULL) {
		ui_keymap_free(&a.keys);
		close(wake_pipe[0]);
		close(wake_pipe[1]);
		conf_free(&conf);
		return CLI_EXIT_FAILURE;
	}
	stop_signal = 0;
	signals_install();
	log_to_file(ctx, &conf);
	atexit(terminal_restore);

	sigset_t old_mask;
	signals_block_for_threads(&old_mask);
	struct engine *engine = NULL;
	struct ui_backend *backend;
	if (client) {
		backend = ui_backend_remote(client); /* the daemon runs the engine */
	} else {
		if (!o.readonly && !o.no_engine) {
			engine = engine_start(&conf, &err);
			if (engine == NULL)
				lk_log(LK_LOG_ERROR, "console: no embedded engine: %s", err.message);
		}
		backend = ui_backend_local(&conf, engine);
	}
	struct ui_model_options mo = { .backend = backend, .refresh_ms = a.refresh_ms,
				       .wake_fd = wake_pipe[1] };
	a.model = ui_model_start(&mo);
	pthread_sigmask(SIG_SETMASK, &old_mask, NULL);

	int rc = CLI_EXIT_OK;
	if (a.model == NULL || !terminal_setup(&a, o.no_color)) {
		terminal_restore();
		fprintf(stderr, "lakesync: cannot open the console on this terminal (TERM=%s)\n",
			getenv("TERM") ? getenv("TERM") : "");
		rc = CLI_EXIT_FAILURE;
	} else {
		if (!ui_theme_load(a.theme_name, a.colour, &err))
			lk_log(LK_LOG_WARN, "console: %s", err.message);
		app_loop(&a);
		terminal_restore();
	}
	if (stop_signal)
		lk_log(LK_LOG_INFO, "console: stopped by signal %d", (int)stop_signal);
	print_stats(&a, &o);
	app_free(&a);
	ui_model_stop(a.model);
	engine_stop(engine);
	lk_log_close();
	close(wake_pipe[0]);
	close(wake_pipe[1]);
	wake_pipe[0] = wake_pipe[1] = -1;
	conf_free(&conf);
	return rc;
}
