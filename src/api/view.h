/* api/view.h: the JSON of lakesync's own API extensions (doc/api.md, "Console endpoints"),
 * which serve a remote console what the in-process one reads from the registry, the
 * catalog and the engine: the dashboard's table views, a table's runs and events, the
 * catalog's names, a source table's preview and the database instances a synced table may
 * target. The daemon renders with the *_to_cjson functions; the client parses with the
 * *_from_cjson ones, and every value survives the round trip unchanged (times keep their
 * microseconds), so that the two consoles draw the same screen.
 *
 * Shapes (keys snake_case; a field that is unknown (-1) or NULL is omitted):
 *   table view  {"synced_table": <SyncedDatabaseTable>, "source_latest_version": 7,
 *                "target_row_count": 1000, "engine": {"queued": false, "running": true,
 *                "held_elsewhere": false, "consecutive_failures": 0}}
 *   dashboard   {"tables": [<table view>...], "engine_running": true}
 *   run         {"run_id": 3, "kind": "INCREMENTAL", "start_time": "<RFC 3339>",
 *                "end_time": "<RFC 3339>", "from_version": 1, "to_version": 2,
 *                "rows_inserted": 0, "rows_updated": 5, "rows_deleted": 1,
 *                "rows_skipped": 0, "outcome": "SUCCEEDED", "message": "...",
 *                "engine": "host:pid"}                 (kind/outcome: the registry's names)
 *   runs        {"runs": [<run>...]}          newest first
 *   event       {"event_id": 9, "time": "<RFC 3339>", "level": "info", "message": "..."}
 *   events      {"events": [<event>...]}      newest first
 *   names       {"names": ["a", "b"]}         sorted
 *   preview     {"source_table_full_name": "c.s.t", "storage_location": "/path",
 *                "version": 4, "commit_time": "<RFC 3339>",
 *                "change_data_feed_enabled": true, "enable_cdf_sql": "ALTER TABLE ...",
 *                "columns": [{"name": "id", "source_type": "long", "target_type": "bigint",
 *                             "nullable": false, "suggested_key": true}],
 *                "unsupported_column_count": 0, "partition_columns": ["day"],
 *                "file_count": 3, "row_estimate": 1000}
 *   instances   {"instances": [{"name": "default", "branches": [{"name": "main",
 *                "default_database": "app"}]}]}   (never a connection string)
 *
 * Parsers are strict about types (a string where a number belongs is LK_EINVAL naming the
 * field) and ignore unknown keys, so that a newer daemon can add fields. */
#ifndef LK_API_VIEW_H
#define LK_API_VIEW_H

#include <stdbool.h>
#include <stddef.h>

#include "catalog/catalog.h"
#include "conf/conf.h"
#include "engine/manage.h"
#include "engine/observe.h"
#include "registry/registry.h"
#include "util/error.h"

struct cJSON;

struct cJSON *view_dashboard_to_cjson(const struct table_view *views, size_t count,
				      bool engine_running);
bool view_dashboard_from_cjson(const struct cJSON *json, struct table_view **views,
			       size_t *count, bool *engine_running, struct lk_error *err);

struct cJSON *view_runs_to_cjson(const struct registry_run *runs, size_t count);
/* Free with registry_runs_free. */
bool view_runs_from_cjson(const struct cJSON *json, struct registry_run **runs, size_t *count,
			  struct lk_error *err);

struct cJSON *view_events_to_cjson(const struct registry_event *events, size_t count);
/* Free with registry_events_free. */
bool view_events_from_cjson(const struct cJSON *json, struct registry_event **events,
			    size_t *count, struct lk_error *err);

struct cJSON *view_names_to_cjson(const struct catalog_list *list);
/* Free with catalog_list_free. */
bool view_names_from_cjson(const struct cJSON *json, struct catalog_list *out,
			   struct lk_error *err);

struct cJSON *view_preview_to_cjson(const char *source_full_name,
				    const struct manage_preview *preview);
/* Free with manage_preview_free. */
bool view_preview_from_cjson(const struct cJSON *json, struct manage_preview *out,
			     struct lk_error *err);

/* The projects of conf with their branches' names and default databases only. */
struct cJSON *view_instances_to_cjson(const struct conf *conf);
/* Fills name, and per branch name and default_database (conninfo stays NULL). Free with
 * view_instances_free. */
bool view_instances_from_cjson(const struct cJSON *json, struct conf_project **projects,
			       size_t *count, struct lk_error *err);
void view_instances_free(struct conf_project *projects, size_t count);

#endif
