/* api/view.c: the JSON of lakesync's console endpoints (see view.h): table views and the
 * dashboard, runs, events, catalog names, a source preview and the database instances, each
 * rendered for the daemon and parsed back, strictly typed, for the client. */
#include "config.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/view.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum {
	VIEW_PATH_MAX = 96,   /* "tables[12].engine" and the like */
	VIEW_NAME_MAX = 32,   /* an upper-cased run kind or outcome */
};

/* Integers beyond this would have been rounded by the JSON parser's doubles. */
static const double JSON_EXACT_INT_MAX = 9007199254740992.0;

/* ---- writing ----------------------------------------------------------------------------- */

/* Omitted when unknown (-1). */
static void add_known(cJSON *obj, const char *key, int64_t value)
{
	if (value >= 0)
		model_json_add_i64(obj, key, value);
}

static void add_time(cJSON *obj, const char *key, int64_t us)
{
	char text[LK_RFC3339_MAX];
	lk_time_format_rfc3339(us, LK_TIME_MICROS, text, sizeof text);
	cJSON_AddStringToObject(obj, key, text);
}

/* The registry's names of run kinds and outcomes, in the API's upper case. */
static void add_upper(cJSON *obj, const char *key, const char *name)
{
	char upper[VIEW_NAME_MAX];
	size_t i = 0;
	for (; name[i] && i + 1 < sizeof upper; i++)
		upper[i] = (char)toupper((unsigned char)name[i]);
	upper[i] = '\0';
	cJSON_AddStringToObject(obj, key, upper);
}

static cJSON *string_array(char *const *strings, size_t count)
{
	cJSON *array = cJSON_CreateArray();
	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(array, cJSON_CreateString(strings[i]));
	return array;
}

/* ---- reading ----------------------------------------------------------------------------- */

/* Where in the answer a value is read, for the error messages ("runs[2]"; "" at the top). */
struct reader {
	char path[VIEW_PATH_MAX];
	struct lk_error *err;
};

/* child's path: parent's, then ".key", then "[index]" unless index is NO_INDEX; cut to fit. */
static const size_t NO_INDEX = (size_t)-1;

static void reader_child(struct reader *child, const struct reader *parent, const char *key,
			 size_t index)
{
	struct lk_buf path = LK_BUF_INIT;
	lk_buf_printf(&path, "%s%s%s", parent->path, parent->path[0] ? "." : "", key);
	if (index != NO_INDEX)
		lk_buf_printf(&path, "[%zu]", index);
	size_t len = path.len < sizeof child->path ? path.len : sizeof child->path - 1;
	memcpy(child->path, lk_buf_cstr(&path), len);
	child->path[len] = '\0';
	child->err = parent->err;
	lk_buf_free(&path);
}

static void reader_element(struct reader *child, const struct reader *parent, const char *key,
			   size_t index)
{
	reader_child(child, parent, key, index);
}

static void reader_member(struct reader *child, const struct reader *parent, const char *key)
{
	reader_child(child, parent, key, NO_INDEX);
}

static bool bad_field(const struct reader *r, const char *key, const char *expected)
{
	return lk_error_set(r->err, LK_EINVAL, "field '%s%s%s' must be %s", r->path,
			    r->path[0] && key[0] ? "." : "", key, expected);
}

static bool missing_field(const struct reader *r, const char *key)
{
	return lk_error_set(r->err, LK_EINVAL, "field '%s%s%s' is required", r->path,
			    r->path[0] ? "." : "", key);
}

/* The member, or NULL when absent or null. */
static const cJSON *member(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsNull(v) ? NULL : v;
}

static bool top_object(const cJSON *json, struct lk_error *err)
{
	return cJSON_IsObject(json) || lk_error_set(err, LK_EINVAL, "the answer must be a JSON "
								    "object");
}

static bool element_object(const struct reader *r, const cJSON *item)
{
	return cJSON_IsObject(item) || bad_field(r, "", "an object");
}

/* Absent members leave *out as it is (the caller's default). */
static bool read_i64(const struct reader *r, const cJSON *obj, const char *key, int64_t *out)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		return true;
	if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
	    fabs(v->valuedouble) > JSON_EXACT_INT_MAX)
		return bad_field(r, key, "an integer");
	*out = (int64_t)v->valuedouble;
	return true;
}

static bool read_int(const struct reader *r, const cJSON *obj, const char *key, int *out)
{
	int64_t v = *out;
	if (!read_i64(r, obj, key, &v))
		return false;
	if (v < INT_MIN || v > INT_MAX)
		return bad_field(r, key, "an integer of at most 31 bits");
	*out = (int)v;
	return true;
}

static bool read_size(const struct reader *r, const cJSON *obj, const char *key, size_t *out)
{
	int64_t v = (int64_t)*out;
	if (!read_i64(r, obj, key, &v))
		return false;
	if (v < 0)
		return bad_field(r, key, "a count (0 or more)");
	*out = (size_t)v;
	return true;
}

static bool read_bool(const struct reader *r, const cJSON *obj, const char *key, bool *out)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		return true;
	if (!cJSON_IsBool(v))
		return bad_field(r, key, "true or false");
	*out = cJSON_IsTrue(v);
	return true;
}

static bool read_str(const struct reader *r, const cJSON *obj, const char *key, char **out)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		return true;
	if (!cJSON_IsString(v))
		return bad_field(r, key, "a string");
	free(*out);
	*out = xstrdup(v->valuestring);
	return true;
}

static bool read_required_str(const struct reader *r, const cJSON *obj, const char *key,
			      char **out)
{
	return read_str(r, obj, key, out) && (*out != NULL || missing_field(r, key));
}

static bool read_time(const struct reader *r, const cJSON *obj, const char *key, int64_t *us)
{
	const cJSON *v = member(obj, key);
	if (v == NULL)
		return true;
	if (!cJSON_IsString(v) || !lk_time_parse_rfc3339(v->valuestring, us, NULL))
		return bad_field(r, key, "an RFC 3339 timestamp");
	return true;
}

static bool read_array(const struct reader *r, const cJSON *obj, const char *key,
		       const cJSON **out)
{
	*out = member(obj, key);
	return *out == NULL || cJSON_IsArray(*out) || bad_field(r, key, "an array");
}

static bool read_object(const struct reader *r, const cJSON *obj, const char *key,
			const cJSON **out)
{
	*out = member(obj, key);
	return *out == NULL || cJSON_IsObject(*out) || bad_field(r, key, "an object");
}

static size_t array_size(const cJSON *array)
{
	return array ? (size_t)cJSON_GetArraySize(array) : 0;
}

/* An array of strings into a NULL-terminated heap array (*count strings). */
static bool read_strings(const struct reader *r, const cJSON *obj, const char *key,
			 char ***out, size_t *count)
{
	const cJSON *array;
	*out = NULL;
	*count = 0;
	if (!read_array(r, obj, key, &array))
		return false;
	*out = xcalloc(array_size(array) + 1, sizeof **out);
	for (const cJSON *item = array ? array->child : NULL; item; item = item->next) {
		if (!cJSON_IsString(item)) {
			struct reader ri;
			reader_element(&ri, r, key, *count);
			return bad_field(&ri, "", "a string");
		}
		(*out)[(*count)++] = xstrdup(item->valuestring);
	}
	return true;
}

/* Parses one element of an array of objects into *element (zeroed beforehand). */
typedef bool element_parser(const struct reader *r, const cJSON *item, void *element);

/* The array of objects obj[key] into a calloc'd array of *count elements of size bytes.
 * Even on failure *out and *count hold the array (the elements not reached zeroed), so the
 * caller frees it with the type's free function. */
static bool read_elements(const struct reader *r, const cJSON *obj, const char *key,
			  size_t size, element_parser *parse, void **out, size_t *count)
{
	const cJSON *array;
	*out = NULL;
	*count = 0;
	if (!read_array(r, obj, key, &array))
		return false;
	*count = array_size(array);
	*out = xcalloc(*count ? *count : 1, size);
	size_t i = 0;
	for (const cJSON *item = array ? array->child : NULL; item; item = item->next, i++) {
		struct reader ri;
		reader_element(&ri, r, key, i);
		if (!element_object(&ri, item) || !parse(&ri, item, (char *)*out + i * size))
			return false;
	}
	return true;
}

/* ---- table views and the dashboard ------------------------------------------------------- */

static cJSON *table_view_to_cjson(const struct table_view *v)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "synced_table", model_table_to_cjson(&v->table));
	add_known(o, "source_latest_version", v->latest_version);
	add_known(o, "target_row_count", v->target_rows);
	cJSON *engine = cJSON_AddObjectToObject(o, "engine");
	cJSON_AddBoolToObject(engine, "queued", v->queued);
	cJSON_AddBoolToObject(engine, "running", v->running);
	cJSON_AddBoolToObject(engine, "held_elsewhere", v->held_elsewhere);
	model_json_add_i64(engine, "consecutive_failures", v->failures);
	return o;
}

cJSON *view_dashboard_to_cjson(const struct table_view *views, size_t count,
			       bool engine_running)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *tables = cJSON_AddArrayToObject(o, "tables");
	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(tables, table_view_to_cjson(&views[i]));
	cJSON_AddBoolToObject(o, "engine_running", engine_running);
	return o;
}

static bool engine_from_cjson(const struct reader *r, const cJSON *obj, struct table_view *v)
{
	const cJSON *engine;
	if (!read_object(r, obj, "engine", &engine))
		return false;
	if (engine == NULL)
		return true;
	struct reader re;
	reader_member(&re, r, "engine");
	return read_bool(&re, engine, "queued", &v->queued) &&
	       read_bool(&re, engine, "running", &v->running) &&
	       read_bool(&re, engine, "held_elsewhere", &v->held_elsewhere) &&
	       read_int(&re, engine, "consecutive_failures", &v->failures);
}

/* An element_parser: *element is freeable with table_view_free whatever happens. */
static bool table_view_from_cjson(const struct reader *r, const cJSON *obj, void *element)
{
	struct table_view *v = element;
	*v = (struct table_view){ .latest_version = -1, .target_rows = -1 };
	model_table_init(&v->table);
	const cJSON *table;
	if (!read_object(r, obj, "synced_table", &table))
		return false;
	if (table == NULL)
		return missing_field(r, "synced_table");
	if (!model_table_from_cjson(table, &v->table, r->err))
		return lk_error_prefix(r->err, "field '%s.synced_table'", r->path);
	return read_i64(r, obj, "source_latest_version", &v->latest_version) &&
	       read_i64(r, obj, "target_row_count", &v->target_rows) &&
	       engine_from_cjson(r, obj, v);
}

bool view_dashboard_from_cjson(const cJSON *json, struct table_view **views, size_t *count,
			       bool *engine_running, struct lk_error *err)
{
	struct reader r = { .path = "", .err = err };
	void *read = NULL;
	size_t n = 0;
	*engine_running = false;
	bool ok = top_object(json, err) &&
		  read_elements(&r, json, "tables", sizeof **views, table_view_from_cjson, &read,
				&n) &&
		  read_bool(&r, json, "engine_running", engine_running);
	if (!ok) {
		table_views_free(read, n);
		read = NULL;
		n = 0;
	}
	*views = read;
	*count = n;
	return ok;
}

/* ---- runs -------------------------------------------------------------------------------- */

static cJSON *run_to_cjson(const struct registry_run *run)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_i64(o, "run_id", run->id);
	add_upper(o, "kind", registry_run_kind_name(run->kind));
	add_time(o, "start_time", run->started_us);
	if (run->ended_us != 0)
		add_time(o, "end_time", run->ended_us);
	add_known(o, "from_version", run->from_version);
	add_known(o, "to_version", run->to_version);
	model_json_add_i64(o, "rows_inserted", run->rows_inserted);
	model_json_add_i64(o, "rows_updated", run->rows_updated);
	model_json_add_i64(o, "rows_deleted", run->rows_deleted);
	model_json_add_i64(o, "rows_skipped", run->rows_skipped);
	add_upper(o, "outcome", registry_outcome_name(run->outcome));
	model_json_add_str(o, "message", run->message);
	model_json_add_str(o, "engine", run->engine);
	return o;
}

cJSON *view_runs_to_cjson(const struct registry_run *runs, size_t count)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *array = cJSON_AddArrayToObject(o, "runs");
	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(array, run_to_cjson(&runs[i]));
	return o;
}

static bool run_enums_from_cjson(const struct reader *r, const cJSON *obj,
				 struct registry_run *run)
{
	char *kind = NULL, *outcome = NULL;
	bool ok = read_required_str(r, obj, "kind", &kind) &&
		  read_required_str(r, obj, "outcome", &outcome);
	if (ok && !registry_run_kind_parse(kind, &run->kind))
		ok = bad_field(r, "kind", "FULL or INCREMENTAL");
	if (ok && !registry_outcome_parse(outcome, &run->outcome))
		ok = bad_field(r, "outcome", "RUNNING, SUCCEEDED, FAILED or CANCELLED");
	free(kind);
	free(outcome);
	return ok;
}

/* An element_parser. */
static bool run_from_cjson(const struct reader *r, const cJSON *obj, void *element)
{
	struct registry_run *run = element;
	*run = (struct registry_run){ .from_version = -1, .to_version = -1 };
	return read_i64(r, obj, "run_id", &run->id) && run_enums_from_cjson(r, obj, run) &&
	       read_time(r, obj, "start_time", &run->started_us) &&
	       read_time(r, obj, "end_time", &run->ended_us) &&
	       read_i64(r, obj, "from_version", &run->from_version) &&
	       read_i64(r, obj, "to_version", &run->to_version) &&
	       read_i64(r, obj, "rows_inserted", &run->rows_inserted) &&
	       read_i64(r, obj, "rows_updated", &run->rows_updated) &&
	       read_i64(r, obj, "rows_deleted", &run->rows_deleted) &&
	       read_i64(r, obj, "rows_skipped", &run->rows_skipped) &&
	       read_str(r, obj, "message", &run->message) &&
	       read_str(r, obj, "engine", &run->engine);
}

bool view_runs_from_cjson(const cJSON *json, struct registry_run **runs, size_t *count,
			  struct lk_error *err)
{
	struct reader r = { .path = "", .err = err };
	void *read = NULL;
	size_t n = 0;
	bool ok = top_object(json, err) &&
		  read_elements(&r, json, "runs", sizeof **runs, run_from_cjson, &read, &n);
	if (!ok) {
		registry_runs_free(read, n);
		read = NULL;
		n = 0;
	}
	*runs = read;
	*count = n;
	return ok;
}

/* ---- events ------------------------------------------------------------------------------ */

static cJSON *event_to_cjson(const struct registry_event *event)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_i64(o, "event_id", event->id);
	add_time(o, "time", event->at_us);
	cJSON_AddStringToObject(o, "level", event->level);
	model_json_add_str(o, "message", event->message);
	return o;
}

cJSON *view_events_to_cjson(const struct registry_event *events, size_t count)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *array = cJSON_AddArrayToObject(o, "events");
	for (size_t i = 0; i < count; i++)
		cJSON_AddItemToArray(array, event_to_cjson(&events[i]));
	return o;
}

static bool event_level_from_cjson(const struct reader *r, const cJSON *obj,
				   struct registry_event *event)
{
	char *level = NULL;
	bool ok = read_str(r, obj, "level", &level);
	if (ok && level && strlen(level) >= sizeof event->level)
		ok = bad_field(r, "level", "a level name (info, warn, error)");
	if (ok && level)
		snprintf(event->level, sizeof event->level, "%s", level);
	free(level);
	return ok;
}

/* An element_parser. */
static bool event_from_cjson(const struct reader *r, const cJSON *obj, void *element)
{
	struct registry_event *event = element;
	*event = (struct registry_event){ 0 };
	return read_i64(r, obj, "event_id", &event->id) &&
	       read_time(r, obj, "time", &event->at_us) &&
	       event_level_from_cjson(r, obj, event) &&
	       read_str(r, obj, "message", &event->message);
}

bool view_events_from_cjson(const cJSON *json, struct registry_event **events, size_t *count,
			    struct lk_error *err)
{
	struct reader r = { .path = "", .err = err };
	void *read = NULL;
	size_t n = 0;
	bool ok = top_object(json, err) &&
		  read_elements(&r, json, "events", sizeof **events, event_from_cjson, &read, &n);
	if (!ok) {
		registry_events_free(read, n);
		read = NULL;
		n = 0;
	}
	*events = read;
	*count = n;
	return ok;
}

/* ---- catalog names ----------------------------------------------------------------------- */

cJSON *view_names_to_cjson(const struct catalog_list *list)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "names", string_array(list->names, list->count));
	return o;
}

bool view_names_from_cjson(const cJSON *json, struct catalog_list *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	struct reader r = { .path = "", .err = err };
	if (!top_object(json, err))
		return false;
	if (read_strings(&r, json, "names", &out->names, &out->count))
		return true;
	catalog_list_free(out);
	return false;
}

/* ---- source preview ---------------------------------------------------------------------- */

static cJSON *preview_column_to_cjson(const struct manage_preview_column *c)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_str(o, "name", c->name);
	model_json_add_str(o, "source_type", c->source_type);
	model_json_add_str(o, "target_type", c->target_type);
	cJSON_AddBoolToObject(o, "nullable", c->nullable);
	cJSON_AddBoolToObject(o, "suggested_key", c->suggested_key);
	return o;
}

cJSON *view_preview_to_cjson(const char *source_full_name, const struct manage_preview *p)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_str(o, "source_table_full_name", source_full_name);
	model_json_add_str(o, "storage_location", p->source_root);
	add_known(o, "version", p->version);
	add_time(o, "commit_time", p->commit_timestamp_ms * 1000);
	cJSON_AddBoolToObject(o, "change_data_feed_enabled", p->cdf_enabled);
	model_json_add_str(o, "enable_cdf_sql", p->enable_cdf_sql);
	cJSON *columns = cJSON_AddArrayToObject(o, "columns");
	for (size_t i = 0; i < p->n_columns; i++)
		cJSON_AddItemToArray(columns, preview_column_to_cjson(&p->columns[i]));
	model_json_add_i64(o, "unsupported_column_count", (int64_t)p->n_unsupported);
	cJSON_AddItemToObject(o, "partition_columns",
			      string_array(p->partition_columns, p->n_partition_columns));
	model_json_add_i64(o, "file_count", p->n_files);
	add_known(o, "row_estimate", p->row_estimate);
	return o;
}

/* An element_parser. */
static bool preview_column_from_cjson(const struct reader *r, const cJSON *obj, void *element)
{
	struct manage_preview_column *c = element;
	return read_required_str(r, obj, "name", &c->name) &&
	       read_str(r, obj, "source_type", &c->source_type) &&
	       read_str(r, obj, "target_type", &c->target_type) &&
	       read_bool(r, obj, "nullable", &c->nullable) &&
	       read_bool(r, obj, "suggested_key", &c->suggested_key);
}

/* On failure the columns stay in p for manage_preview_free. */
static bool preview_columns_from_cjson(const struct reader *r, const cJSON *obj,
				       struct manage_preview *p)
{
	void *read = NULL;
	bool ok = read_elements(r, obj, "columns", sizeof *p->columns, preview_column_from_cjson,
				&read, &p->n_columns);
	p->columns = read;
	return ok;
}

static bool preview_commit_time_from_cjson(const struct reader *r, const cJSON *obj,
					   struct manage_preview *p)
{
	int64_t us = 0;
	if (!read_time(r, obj, "commit_time", &us))
		return false;
	p->commit_timestamp_ms = us / 1000;
	return true;
}

bool view_preview_from_cjson(const cJSON *json, struct manage_preview *out,
			     struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	out->version = -1;
	out->row_estimate = -1;
	struct reader r = { .path = "", .err = err };
	bool ok = top_object(json, err) &&
		  read_str(&r, json, "storage_location", &out->source_root) &&
		  read_i64(&r, json, "version", &out->version) &&
		  preview_commit_time_from_cjson(&r, json, out) &&
		  read_bool(&r, json, "change_data_feed_enabled", &out->cdf_enabled) &&
		  read_str(&r, json, "enable_cdf_sql", &out->enable_cdf_sql) &&
		  preview_columns_from_cjson(&r, json, out) &&
		  read_size(&r, json, "unsupported_column_count", &out->n_unsupported) &&
		  read_strings(&r, json, "partition_columns", &out->partition_columns,
			       &out->n_partition_columns) &&
		  read_i64(&r, json, "file_count", &out->n_files) &&
		  read_i64(&r, json, "row_estimate", &out->row_estimate);
	if (!ok)
		manage_preview_free(out);
	return ok;
}

/* ---- database instances ------------------------------------------------------------------ */

static cJSON *branch_to_cjson(const struct conf_branch *b)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_str(o, "name", b->name);
	model_json_add_str(o, "default_database", b->default_database);
	return o; /* never b->conninfo: it may hold a host, a user or a password */
}

cJSON *view_instances_to_cjson(const struct conf *conf)
{
	cJSON *o = cJSON_CreateObject();
	cJSON *instances = cJSON_AddArrayToObject(o, "instances");
	for (size_t i = 0; i < conf->n_projects; i++) {
		const struct conf_project *p = &conf->projects[i];
		cJSON *project = cJSON_CreateObject();
		model_json_add_str(project, "name", p->name);
		cJSON *branches = cJSON_AddArrayToObject(project, "branches");
		for (size_t k = 0; k < p->n_branches; k++)
			cJSON_AddItemToArray(branches, branch_to_cjson(&p->branches[k]));
		cJSON_AddItemToArray(instances, project);
	}
	return o;
}

/* An element_parser. */
static bool branch_from_cjson(const struct reader *r, const cJSON *obj, void *element)
{
	struct conf_branch *b = element;
	return read_required_str(r, obj, "name", &b->name) &&
	       read_str(r, obj, "default_database", &b->default_database);
}

/* An element_parser: on failure the branches stay in the project for view_instances_free. */
static bool project_from_cjson(const struct reader *r, const cJSON *obj, void *element)
{
	struct conf_project *p = element;
	void *read = NULL;
	bool ok = read_required_str(r, obj, "name", &p->name) &&
		  read_elements(r, obj, "branches", sizeof *p->branches, branch_from_cjson, &read,
				&p->n_branches);
	p->branches = read;
	return ok;
}

bool view_instances_from_cjson(const cJSON *json, struct conf_project **projects,
			       size_t *count, struct lk_error *err)
{
	struct reader r = { .path = "", .err = err };
	void *read = NULL;
	size_t n = 0;
	bool ok = top_object(json, err) &&
		  read_elements(&r, json, "instances", sizeof **projects, project_from_cjson, &read,
				&n);
	if (!ok) {
		view_instances_free(read, n);
		read = NULL;
		n = 0;
	}
	*projects = read;
	*count = n;
	return ok;
}

void view_instances_free(struct conf_project *projects, size_t count)
{
	for (size_t i = 0; i < count; i++) {
		for (size_t k = 0; k < projects[i].n_branches; k++) {
			free(projects[i].branches[k].name);
			free(projects[i].branches[k].conninfo);
			free(projects[i].branches[k].default_database);
		}
		free(projects[i].branches);
		free(projects[i].name);
	}
	free(projects);
}
