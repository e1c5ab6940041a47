/* ui/model.h: the console's data layer. A background thread with a backend of its own
 * (ui/backend.h: in-process, or a remote daemon) refreshes a snapshot of every synced table
 * (spec, status, the latest version of its source, the rows of its target, what the engine
 * is doing with it) every refresh interval, and serves the commands the screen sends (Sync
 * now, create, delete, a source preview, a catalog listing, the runs and events of one
 * table). The draw loop only reads snapshots and sends commands: nothing here blocks it on
 * the network or the database.
 *
 * Knows nothing of curses. Snapshots are immutable and reference-counted: take one with
 * ui_model_acquire(), give it back with ui_model_release(). Every function is thread-safe.
 * Command outcomes come back as a message (ui_model_take_message). */
#ifndef LK_UI_MODEL_H
#define LK_UI_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/model.h"
#include "catalog/catalog.h"
#include "conf/conf.h"
#include "engine/manage.h"
#include "engine/observe.h"
#include "registry/registry.h"

struct ui_backend;
struct ui_model;

struct ui_snapshot {
	uint64_t generation;      /* grows by one with every refresh */
	struct table_view *rows;  /* ordered by name */
	size_t n_rows;
	bool connected;           /* the last refresh reached the registry (or the daemon) */
	char error[256];          /* why not, when !connected */
	int64_t refreshed_ms;     /* monotonic time of the last successful refresh; 0 = never */
	int64_t fetch_cpu_us;     /* CPU time the refresh took in the data thread */
	bool engine_running;      /* an engine runs the pipelines: here, or in the daemon */
	char remote[160];         /* the daemon's URL in remote mode; "" in-process */
	/* the database instances a new synced table may target (valid while the model runs;
	 * none until the backend could tell) */
	const struct conf_project *projects;
	size_t n_projects;
	/* the focused table's history (ui_model_focus) */
	char focus[256];
	struct registry_run *runs;
	size_t n_runs;
	struct registry_event *events;
	size_t n_events;
	int refcount;             /* private */
};

struct ui_model_options {
	struct ui_backend *backend; /* taken over: freed by ui_model_stop */
	int64_t refresh_ms;
	int wake_fd;              /* a byte is written here after each refresh and message; -1 */
};

struct ui_model *ui_model_start(const struct ui_model_options *options);
void ui_model_stop(struct ui_model *model);

struct ui_snapshot *ui_model_acquire(struct ui_model *model);
void ui_model_release(struct ui_model *model, struct ui_snapshot *snap);

/* Refresh control. */
void ui_model_refresh_now(struct ui_model *model);
void ui_model_set_interval(struct ui_model *model, int64_t refresh_ms);
void ui_model_set_paused(struct ui_model *model, bool paused);
/* The table whose runs and events the snapshots carry (NULL for none). */
void ui_model_focus(struct ui_model *model, const char *name);

/* Commands, served in order by the data thread. */
void ui_model_sync(struct ui_model *model, const char *name, bool full_refresh);
/* Takes ownership of *t (left zeroed). */
void ui_model_create(struct ui_model *model, struct model_table *t);
void ui_model_delete(struct ui_model *model, const char *name, bool purge);
/* Reads a source table's schema and facts (manage_preview) in the background. */
void ui_model_preview(struct ui_model *model, const char *source_full_name);
/* Lists the catalog in the background: catalogs (prefix ""), schemas ("c"), tables ("c.s"). */
void ui_model_catalog(struct ui_model *model, const char *prefix);

/* The last command's outcome, once: returns false when there is nothing new. ok tells
 * success; kind is the command ("sync", "create", "delete"); subject its table. */
struct ui_message {
	uint64_t seq;
	bool ok;
	char kind[16];
	char subject[256];
	char text[512];
};
bool ui_model_take_message(struct ui_model *model, uint64_t after_seq, struct ui_message *out);

/* The preview of `source`, once ready: moves it to *out (free with manage_preview_free).
 * Returns false while it is being read; *error is set (and true returned, out zeroed)
 * when it failed. */
bool ui_model_take_preview(struct ui_model *model, const char *source,
			   struct manage_preview *out, char *error, size_t error_size);
/* The listing of `prefix`, once ready, as ui_model_take_preview (free with
 * catalog_list_free). */
bool ui_model_take_catalog(struct ui_model *model, const char *prefix, struct catalog_list *out,
			   char *error, size_t error_size);

#endif
