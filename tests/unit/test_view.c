/* tests/unit/test_view.c: the JSON of lakesync's console endpoints (api/view.h): every shape
 * survives to_cjson then from_cjson with every field unchanged (microsecond times, unknown
 * values omitted, UTF-8 and quotes in messages); parsers refuse a value of the wrong type
 * naming the field, and ignore keys they do not know; instances never carry a connection
 * string. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "api/view.h"

/* A message a console must show as it is: UTF-8, quotes, a backslash, a newline. */
static const char tricky_message[] = "naïve \"quoted\" — ✓ C:\\path\nsecond line";

/* 2026-11-25T01:51:24.123457Z and a bit later: odd microseconds on purpose. */
static const int64_t start_us = INT64_C(1795571484123457);
static const int64_t end_us = INT64_C(1795571490000001);

static char *print(const cJSON *json)
{
	char *text = cJSON_PrintUnformatted(json);
	assert_non_null(text);
	return text;
}

/* Parses text (as the client receives an answer). */
static cJSON *parse(const char *text)
{
	cJSON *json = cJSON_Parse(text);
	assert_non_null(json);
	return json;
}

static void assert_contains(const char *text, const char *want)
{
	if (strstr(text, want) == NULL)
		fail_msg("'%s' lacks '%s'", text, want);
}

static void assert_lacks(const char *text, const char *unwanted)
{
	if (strstr(text, unwanted) != NULL)
		fail_msg("'%s' holds '%s'", text, unwanted);
}

/* Equal strings, or both NULL. */
static void assert_same_str(const char *got, const char *want)
{
	if (want)
		assert_string_equal(got, want);
	else
		assert_null(got);
}

static void assert_error(const struct lk_error *err, const char *want)
{
	assert_int_equal(err->code, LK_EINVAL);
	if (strstr(err->message, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err->message, want);
}

/* ---- table views and the dashboard ------------------------------------------------------- */

/* A synced table with every part of the model set. */
static void full_table(struct model_table *t)
{
	model_table_init(t);
	t->name = strdup("lake.sales.orders_synced");
	t->database_instance_name = strdup("prod/dev-2");
	t->logical_database_name = strdup("app");
	t->effective_database_instance_name = strdup("prod/dev-2");
	t->effective_logical_database_name = strdup("app");
	t->spec.source_table_full_name = strdup("lake.sales.orders");
	t->spec.primary_key_columns = calloc(3, sizeof(char *));
	t->spec.primary_key_columns[0] = strdup("id");
	t->spec.primary_key_columns[1] = strdup("day");
	t->spec.n_primary_key_columns = 2;
	t->spec.timeseries_key = strdup("updated_at");
	t->spec.scheduling_policy = MODEL_POLICY_TRIGGERED;
	t->spec.schedule = strdup("5m");
	t->spec.schedule_ms = 300000;
	t->spec.invalid_characters = strdup("replace");
	t->has_status = true;
	t->status.detailed_state = MODEL_STATE_ONLINE_TRIGGERED_UPDATE;
	t->status.message = strdup(tricky_message);
	t->status.pipeline_id = strdup("0b8f5e2c-6a44-4b0e-9a3e-1f3c5d7e9a11");
	t->status.has_last_sync = true;
	t->status.sync_start_us = start_us;
	t->status.sync_end_us = end_us;
	t->status.delta_commit_version = 41;
	t->status.delta_commit_timestamp_us = start_us - 999999;
	t->status.detail = MODEL_DETAIL_TRIGGERED;
	t->status.last_processed_commit_version = 41;
	t->status.detail_timestamp_us = end_us;
	t->status.progress.present = true;
	t->status.progress.latest_version_currently_processing = 42;
	t->status.progress.sync_progress_completion = 0.375;
	t->status.progress.synced_row_count = 3750;
	t->status.progress.total_row_count = 10000;
	t->status.progress.estimated_completion_time_seconds = 12.5;
	t->uc_state = MODEL_UC_ACTIVE;
}

static void assert_tables_equal(const struct model_table *want, const struct model_table *got)
{
	char *a = model_table_to_json(want, false), *b = model_table_to_json(got, false);
	assert_string_equal(b, a);
	free(a);
	free(b);
	assert_same_str(got->name, want->name);
	assert_same_str(got->status.message, want->status.message);
	assert_int_equal(got->status.sync_start_us, want->status.sync_start_us);
	assert_int_equal(got->status.sync_end_us, want->status.sync_end_us);
	assert_int_equal(got->spec.schedule_ms, want->spec.schedule_ms);
	assert_int_equal(got->status.detailed_state, want->status.detailed_state);
	assert_int_equal(got->uc_state, want->uc_state);
}

static void assert_views_equal(const struct table_view *want, const struct table_view *got)
{
	assert_tables_equal(&want->table, &got->table);
	assert_int_equal(got->latest_version, want->latest_version);
	assert_int_equal(got->target_rows, want->target_rows);
	assert_int_equal(got->queued, want->queued);
	assert_int_equal(got->running, want->running);
	assert_int_equal(got->held_elsewhere, want->held_elsewhere);
	assert_int_equal(got->failures, want->failures);
}

static void test_dashboard_round_trip(void **state)
{
	struct table_view views[2] = {
		{ .latest_version = 7, .target_rows = 1000, .queued = false, .running = true,
		  .held_elsewhere = true, .failures = 3 },
		{ .latest_version = -1, .target_rows = -1, .queued = true },
	};
	full_table(&views[0].table);
	model_table_init(&views[1].table);
	views[1].table.name = strdup("lake.fx.kitchen_synced");
	views[1].table.spec.source_table_full_name = strdup("lake.fx.kitchen");

	cJSON *json = view_dashboard_to_cjson(views, 2, true);
	char *text = print(json);
	cJSON_Delete(json);
	assert_contains(text, "\"source_latest_version\":7,\"target_row_count\":1000,"
			      "\"engine\":{\"queued\":false,\"running\":true,"
			      "\"held_elsewhere\":true,\"consecutive_failures\":3}");
	assert_contains(text, "\"engine_running\":true");
	const char *second = strstr(text, "lake.fx.kitchen_synced");
	assert_non_null(second);
	assert_lacks(second, "source_latest_version"); /* unknown: omitted */
	assert_lacks(second, "target_row_count");

	json = parse(text);
	struct table_view *got;
	size_t count;
	bool engine_running = false;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_dashboard_from_cjson(json, &got, &count, &engine_running, &err));
	cJSON_Delete(json);
	assert_int_equal(count, 2);
	assert_true(engine_running);
	assert_views_equal(&views[0], &got[0]);
	assert_views_equal(&views[1], &got[1]);
	table_views_free(got, count);
	free(text);
	model_table_free(&views[0].table);
	model_table_free(&views[1].table);
}

static void test_dashboard_empty_and_engine_idle(void **state)
{
	cJSON *json = view_dashboard_to_cjson(NULL, 0, false);
	char *text = print(json);
	assert_string_equal(text, "{\"tables\":[],\"engine_running\":false}");
	struct table_view *got;
	size_t count = 99;
	bool engine_running = true;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_dashboard_from_cjson(json, &got, &count, &engine_running, &err));
	assert_int_equal(count, 0);
	assert_false(engine_running);
	table_views_free(got, count);
	cJSON_Delete(json);
	free(text);
}

/* ---- runs and events --------------------------------------------------------------------- */

static void assert_runs_equal(const struct registry_run *want, const struct registry_run *got)
{
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->kind, want->kind);
	assert_int_equal(got->started_us, want->started_us);
	assert_int_equal(got->ended_us, want->ended_us);
	assert_int_equal(got->from_version, want->from_version);
	assert_int_equal(got->to_version, want->to_version);
	assert_int_equal(got->rows_inserted, want->rows_inserted);
	assert_int_equal(got->rows_updated, want->rows_updated);
	assert_int_equal(got->rows_deleted, want->rows_deleted);
	assert_int_equal(got->rows_skipped, want->rows_skipped);
	assert_int_equal(got->outcome, want->outcome);
	assert_same_str(got->message, want->message);
	assert_same_str(got->engine, want->engine);
}

static void test_runs_round_trip(void **state)
{
	struct registry_run runs[] = {
		{ .id = 9007199254740991, .kind = REGISTRY_RUN_INCREMENTAL, .started_us = start_us,
		  .ended_us = end_us, .from_version = 1, .to_version = 2, .rows_inserted = 11,
		  .rows_updated = 5, .rows_deleted = 1, .rows_skipped = 2,
		  .outcome = REGISTRY_RUN_FAILED, .message = (char *)tricky_message,
		  .engine = (char *)"db-host-1:4242" },
		{ .id = 3, .kind = REGISTRY_RUN_FULL, .started_us = end_us, .ended_us = 0,
		  .from_version = -1, .to_version = -1, .outcome = REGISTRY_RUN_RUNNING },
		{ .id = 2, .kind = REGISTRY_RUN_FULL, .started_us = start_us, .ended_us = end_us,
		  .from_version = -1, .to_version = 0, .outcome = REGISTRY_RUN_CANCELLED,
		  .message = (char *)"" },
		{ .id = 1, .kind = REGISTRY_RUN_FULL, .started_us = start_us, .ended_us = end_us,
		  .from_version = 0, .to_version = 0, .outcome = REGISTRY_RUN_SUCCEEDED },
	};
	size_t n = sizeof runs / sizeof runs[0];
	cJSON *json = view_runs_to_cjson(runs, n);
	char *text = print(json);
	cJSON_Delete(json);
	assert_contains(text, "{\"run_id\":9007199254740991,\"kind\":\"INCREMENTAL\","
			      "\"start_time\":\"2026-11-25T01:51:24.123457Z\","
			      "\"end_time\":\"2026-11-25T01:51:30.000001Z\",\"from_version\":1,"
			      "\"to_version\":2,\"rows_inserted\":11,\"rows_updated\":5,"
			      "\"rows_deleted\":1,\"rows_skipped\":2,\"outcome\":\"FAILED\"");
	assert_contains(text, "{\"run_id\":3,\"kind\":\"FULL\",\"start_time\":"
			      "\"2026-11-25T01:51:30.000001Z\",\"rows_inserted\":0,");
	assert_contains(text, "\"outcome\":\"RUNNING\"},");

	json = parse(text);
	struct registry_run *got;
	size_t count;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_runs_from_cjson(json, &got, &count, &err));
	cJSON_Delete(json);
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++)
		assert_runs_equal(&runs[i], &got[i]);
	registry_runs_free(got, count);
	free(text);
}

static void test_runs_accept_the_registry_lower_case(void **state)
{
	cJSON *json = parse("{\"runs\":[{\"run_id\":1,\"kind\":\"full\",\"outcome\":\"succeeded\","
			    "\"start_time\":\"2026-11-25T01:51:24Z\"}]}");
	struct registry_run *got;
	size_t count;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_runs_from_cjson(json, &got, &count, &err));
	assert_int_equal(got[0].kind, REGISTRY_RUN_FULL);
	assert_int_equal(got[0].outcome, REGISTRY_RUN_SUCCEEDED);
	assert_int_equal(got[0].from_version, -1); /* absent: unknown */
	assert_int_equal(got[0].ended_us, 0);
	registry_runs_free(got, count);
	cJSON_Delete(json);
}

static void test_events_round_trip(void **state)
{
	struct registry_event events[] = {
		{ .id = 12, .at_us = end_us, .level = "error", .message = (char *)tricky_message },
		{ .id = 11, .at_us = start_us, .level = "info", .message = (char *)"" },
		{ .id = 10, .at_us = start_us - 1, .level = "warn", .message = NULL },
	};
	size_t n = sizeof events / sizeof events[0];
	cJSON *json = view_events_to_cjson(events, n);
	char *text = print(json);
	cJSON_Delete(json);
	assert_contains(text, "{\"event_id\":11,\"time\":\"2026-11-25T01:51:24.123457Z\","
			      "\"level\":\"info\",\"message\":\"\"}");
	json = parse(text);
	struct registry_event *got;
	size_t count;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_events_from_cjson(json, &got, &count, &err));
	cJSON_Delete(json);
	assert_int_equal(count, n);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(got[i].id, events[i].id);
		assert_int_equal(got[i].at_us, events[i].at_us);
		assert_string_equal(got[i].level, events[i].level);
		assert_same_str(got[i].message, events[i].message);
	}
	registry_events_free(got, count);
	free(text);
}

/* ---- names, preview, instances ----------------------------------------------------------- */

static void test_names_round_trip(void **state)
{
	char *names[] = { "a", "b_2", "ünï" };
	struct catalog_list list = { .names = names, .count = 3 };
	cJSON *json = view_names_to_cjson(&list);
	char *text = print(json);
	cJSON_Delete(json);
	assert_string_equal(text, "{\"names\":[\"a\",\"b_2\",\"ünï\"]}");
	json = parse(text);
	struct catalog_list got;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_names_from_cjson(json, &got, &err));
	cJSON_Delete(json);
	assert_int_equal(got.count, 3);
	for (size_t i = 0; i < 3; i++)
		assert_string_equal(got.names[i], names[i]);
	catalog_list_free(&got);
	free(text);

	struct catalog_list empty = { 0 };
	json = view_names_to_cjson(&empty);
	assert_true(view_names_from_cjson(json, &got, &err));
	assert_int_equal(got.count, 0);
	catalog_list_free(&got);
	cJSON_Delete(json);
}

static void assert_previews_equal(const struct manage_preview *want,
				  const struct manage_preview *got)
{
	assert_string_equal(got->source_root, want->source_root);
	assert_int_equal(got->version, want->version);
	assert_int_equal(got->commit_timestamp_ms, want->commit_timestamp_ms);
	assert_int_equal(got->cdf_enabled, want->cdf_enabled);
	assert_string_equal(got->enable_cdf_sql, want->enable_cdf_sql);
	assert_int_equal(got->n_columns, want->n_columns);
	for (size_t i = 0; i < want->n_columns; i++) {
		const struct manage_preview_column *w = &want->columns[i], *g = &got->columns[i];
		assert_string_equal(g->name, w->name);
		assert_string_equal(g->source_type, w->source_type);
		assert_same_str(g->target_type, w->target_type);
		assert_int_equal(g->nullable, w->nullable);
		assert_int_equal(g->suggested_key, w->suggested_key);
	}
	assert_int_equal(got->n_unsupported, want->n_unsupported);
	assert_int_equal(got->n_partition_columns, want->n_partition_columns);
	for (size_t i = 0; i < want->n_partition_columns; i++)
		assert_string_equal(got->partition_columns[i], want->partition_columns[i]);
	assert_int_equal(got->n_files, want->n_files);
	assert_int_equal(got->row_estimate, want->row_estimate);
}

static void preview_round_trip(const struct manage_preview *p, const char *want_json_part,
			       const char *unwanted)
{
	cJSON *json = view_preview_to_cjson("lake.sales.orders", p);
	char *text = print(json);
	cJSON_Delete(json);
	assert_contains(text, want_json_part);
	if (unwanted)
		assert_lacks(text, unwanted);
	json = parse(text);
	struct manage_preview got;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_preview_from_cjson(json, &got, &err));
	cJSON_Delete(json);
	assert_previews_equal(p, &got);
	manage_preview_free(&got);
	free(text);
}

static void test_preview_round_trip(void **state)
{
	struct manage_preview_column columns[] = {
		{ .name = "id", .source_type = "long", .target_type = "bigint", .nullable = false,
		  .suggested_key = true },
		{ .name = "amount", .source_type = "decimal(12,2)", .target_type = "numeric(12,2)",
		  .nullable = true },
		{ .name = "blob", .source_type = "variant", .target_type = NULL, .nullable = true },
	};
	char *partitions[] = { "day", "region" };
	struct manage_preview p = {
		.source_root = "/data/lake/sales/orders", .version = 4,
		.commit_timestamp_ms = 1795571484123, .cdf_enabled = true,
		.enable_cdf_sql = "ALTER TABLE lake.sales.orders SET TBLPROPERTIES "
				  "(delta.enableChangeDataFeed = true)",
		.columns = columns, .n_columns = 3, .n_unsupported = 1,
		.partition_columns = partitions, .n_partition_columns = 2, .n_files = 3,
		.row_estimate = 1000,
	};
	preview_round_trip(&p, "{\"source_table_full_name\":\"lake.sales.orders\","
			       "\"storage_location\":\"/data/lake/sales/orders\",\"version\":4,"
			       "\"commit_time\":\"2026-11-25T01:51:24.123000Z\","
			       "\"change_data_feed_enabled\":true",
			   NULL);
	p.row_estimate = -1;
	p.cdf_enabled = false;
	p.n_partition_columns = 0;
	preview_round_trip(&p, "\"columns\":[{\"name\":\"id\",\"source_type\":\"long\","
			       "\"target_type\":\"bigint\",\"nullable\":false,"
			       "\"suggested_key\":true},",
			   "row_estimate");
	preview_round_trip(&p, "{\"name\":\"blob\",\"source_type\":\"variant\","
			       "\"nullable\":true,\"suggested_key\":false}],"
			       "\"unsupported_column_count\":1,\"partition_columns\":[],"
			       "\"file_count\":3}",
			   NULL);
}

static void test_instances_round_trip_without_conninfo(void **state)
{
	struct conf_branch prod_branches[] = {
		{ .name = "main", .conninfo = "host=db.example.com user=sync password=s3cret",
		  .default_database = "app" },
		{ .name = "dev-2", .conninfo = "postgresql://u:pw@dev/x", .default_database = NULL },
	};
	struct conf_branch default_branches[] = { { .name = "main", .conninfo = "" } };
	struct conf_project projects[] = {
		{ .name = "default", .branches = default_branches, .n_branches = 1 },
		{ .name = "prod", .branches = prod_branches, .n_branches = 2 },
	};
	struct conf conf = { .projects = projects, .n_projects = 2 };
	cJSON *json = view_instances_to_cjson(&conf);
	char *text = print(json);
	cJSON_Delete(json);
	assert_string_equal(text, "{\"instances\":[{\"name\":\"default\",\"branches\":"
				  "[{\"name\":\"main\"}]},{\"name\":\"prod\",\"branches\":"
				  "[{\"name\":\"main\",\"default_database\":\"app\"},"
				  "{\"name\":\"dev-2\"}]}]}");
	assert_lacks(text, "conninfo");
	assert_lacks(text, "host=");
	assert_lacks(text, "password");
	assert_lacks(text, "s3cret");
	assert_lacks(text, "postgresql://");

	json = parse(text);
	struct conf_project *got;
	size_t count;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(view_instances_from_cjson(json, &got, &count, &err));
	cJSON_Delete(json);
	assert_int_equal(count, 2);
	for (size_t i = 0; i < count; i++) {
		assert_string_equal(got[i].name, projects[i].name);
		assert_int_equal(got[i].n_branches, projects[i].n_branches);
		for (size_t k = 0; k < got[i].n_branches; k++) {
			const struct conf_branch *w = &projects[i].branches[k];
			assert_string_equal(got[i].branches[k].name, w->name);
			assert_null(got[i].branches[k].conninfo);
			assert_same_str(got[i].branches[k].default_database,
					w->default_database);
		}
	}
	view_instances_free(got, count);
	free(text);
}

/* ---- strict types, unknown keys ---------------------------------------------------------- */

enum shape { DASHBOARD, RUNS, EVENTS, NAMES, PREVIEW, INSTANCES };

/* Parses text as shape; returns whether it parsed (freeing what it got). */
static bool parse_as(enum shape shape, const char *text, struct lk_error *err)
{
	cJSON *json = parse(text);
	bool ok = false, flag;
	size_t count = 0;
	union {
		struct table_view *views;
		struct registry_run *runs;
		struct registry_event *events;
		struct conf_project *projects;
	} u;
	struct catalog_list names;
	struct manage_preview preview;
	switch (shape) {
	case DASHBOARD:
		if ((ok = view_dashboard_from_cjson(json, &u.views, &count, &flag, err)))
			table_views_free(u.views, count);
		break;
	case RUNS:
		if ((ok = view_runs_from_cjson(json, &u.runs, &count, err)))
			registry_runs_free(u.runs, count);
		break;
	case EVENTS:
		if ((ok = view_events_from_cjson(json, &u.events, &count, err)))
			registry_events_free(u.events, count);
		break;
	case NAMES:
		if ((ok = view_names_from_cjson(json, &names, err)))
			catalog_list_free(&names);
		break;
	case PREVIEW:
		if ((ok = view_preview_from_cjson(json, &preview, err)))
			manage_preview_free(&preview);
		break;
	case INSTANCES:
		if ((ok = view_instances_from_cjson(json, &u.projects, &count, err)))
			view_instances_free(u.projects, count);
		break;
	}
	cJSON_Delete(json);
	return ok;
}

static void assert_refused(enum shape shape, const char *text, const char *want)
{
	struct lk_error err = LK_ERROR_INIT;
	if (parse_as(shape, text, &err))
		fail_msg("accepted: %s", text);
	assert_error(&err, want);
}

#define TABLE "\"synced_table\":{\"name\":\"a.b.c\"}"
#define RUN "\"run_id\":1,\"kind\":\"FULL\",\"outcome\":\"SUCCEEDED\""

static void test_wrong_types_name_the_field(void **state)
{
	assert_refused(DASHBOARD, "{\"tables\":[{" TABLE ",\"target_row_count\":\"1000\"}]}",
		       "field 'tables[0].target_row_count' must be an integer");
	assert_refused(DASHBOARD, "{\"tables\":[{" TABLE "},{" TABLE
				  ",\"engine\":{\"running\":\"yes\"}}]}",
		       "field 'tables[1].engine.running' must be true or false");
	assert_refused(DASHBOARD, "{\"tables\":[{" TABLE ",\"source_latest_version\":1.5}]}",
		       "field 'tables[0].source_latest_version' must be an integer");
	assert_refused(DASHBOARD, "{\"tables\":{}}", "field 'tables' must be an array");
	assert_refused(DASHBOARD, "{\"tables\":[7]}", "field 'tables[0]' must be an object");
	assert_refused(DASHBOARD, "{\"tables\":[{}]}", "field 'tables[0].synced_table' is required");
	assert_refused(DASHBOARD, "{\"tables\":[{\"synced_table\":{\"name\":7}}]}",
		       "field 'tables[0].synced_table': field 'name' must be a string");
	assert_refused(DASHBOARD, "{\"tables\":[],\"engine_running\":1}",
		       "field 'engine_running' must be true or false");
	assert_refused(DASHBOARD, "[]", "the answer must be a JSON object");
	assert_refused(RUNS, "{\"runs\":[{\"run_id\":\"3\",\"kind\":\"FULL\"}]}",
		       "field 'runs[0].run_id' must be an integer");
	assert_refused(RUNS, "{\"runs\":[{" RUN "},{" RUN ",\"rows_updated\":\"5\"}]}",
		       "field 'runs[1].rows_updated' must be an integer");
	assert_refused(RUNS, "{\"runs\":[{" RUN ",\"start_time\":1700000000}]}",
		       "field 'runs[0].start_time' must be an RFC 3339 timestamp");
	assert_refused(RUNS, "{\"runs\":[{" RUN ",\"end_time\":\"yesterday\"}]}",
		       "field 'runs[0].end_time' must be an RFC 3339 timestamp");
	assert_refused(RUNS, "{\"runs\":[{\"run_id\":1,\"kind\":\"SOMETIMES\",\"outcome\":\"FAILED\"}]}",
		       "field 'runs[0].kind' must be FULL or INCREMENTAL");
	assert_refused(RUNS, "{\"runs\":[{\"run_id\":1,\"kind\":\"FULL\"}]}",
		       "field 'runs[0].outcome' is required");
	assert_refused(RUNS, "{\"runs\":[{" RUN ",\"message\":42}]}",
		       "field 'runs[0].message' must be a string");
	assert_refused(EVENTS, "{\"events\":[{\"event_id\":1,\"time\":42}]}",
		       "field 'events[0].time' must be an RFC 3339 timestamp");
	assert_refused(EVENTS, "{\"events\":[{\"event_id\":true}]}",
		       "field 'events[0].event_id' must be an integer");
	assert_refused(EVENTS, "{\"events\":[{\"level\":\"a-very-long-level-name\"}]}",
		       "field 'events[0].level' must be a level name");
	assert_refused(NAMES, "{\"names\":[\"a\",5]}", "field 'names[1]' must be a string");
	assert_refused(NAMES, "{\"names\":\"a\"}", "field 'names' must be an array");
	assert_refused(PREVIEW, "{\"version\":\"4\"}", "field 'version' must be an integer");
	assert_refused(PREVIEW, "{\"columns\":[{\"name\":\"id\"},{\"name\":\"x\",\"nullable\":\"no\"}]}",
		       "field 'columns[1].nullable' must be true or false");
	assert_refused(PREVIEW, "{\"columns\":[{\"source_type\":\"long\"}]}",
		       "field 'columns[0].name' is required");
	assert_refused(PREVIEW, "{\"partition_columns\":[\"day\",1]}",
		       "field 'partition_columns[1]' must be a string");
	assert_refused(PREVIEW, "{\"unsupported_column_count\":-1}",
		       "field 'unsupported_column_count' must be a count");
	assert_refused(PREVIEW, "{\"commit_time\":\"soon\"}",
		       "field 'commit_time' must be an RFC 3339 timestamp");
	assert_refused(INSTANCES, "{\"instances\":[{\"name\":\"p\",\"branches\":[{\"name\":7}]}]}",
		       "field 'instances[0].branches[0].name' must be a string");
	assert_refused(INSTANCES, "{\"instances\":[{\"branches\":[]}]}",
		       "field 'instances[0].name' is required");
}

static void test_unknown_keys_are_ignored(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_true(parse_as(DASHBOARD, "{\"tables\":[{" TABLE ",\"new\":{\"x\":1},"
					"\"engine\":{\"running\":true,\"paused\":false}}],"
					"\"engine_running\":true,\"version\":\"2\"}", &err));
	assert_true(parse_as(RUNS, "{\"runs\":[{" RUN ",\"duration_ms\":\"12\"}],\"more\":1}", &err));
	assert_true(parse_as(EVENTS, "{\"events\":[{\"event_id\":1,\"source\":\"engine\"}]}", &err));
	assert_true(parse_as(NAMES, "{\"names\":[],\"kind\":\"catalogs\"}", &err));
	assert_true(parse_as(PREVIEW, "{\"columns\":[{\"name\":\"id\",\"comment\":\"pk\"}],"
				      "\"owner\":\"x\"}", &err));
	assert_true(parse_as(INSTANCES, "{\"instances\":[{\"name\":\"p\",\"region\":\"eu\","
					"\"branches\":[{\"name\":\"main\",\"size\":3}]}]}", &err));
	assert_int_equal(err.code, LK_OK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dashboard_round_trip),
		cmocka_unit_test(test_dashboard_empty_and_engine_idle),
		cmocka_unit_test(test_runs_round_trip),
		cmocka_unit_test(test_runs_accept_the_registry_lower_case),
		cmocka_unit_test(test_events_round_trip),
		cmocka_unit_test(test_names_round_trip),
		cmocka_unit_test(test_preview_round_trip),
		cmocka_unit_test(test_instances_round_trip_without_conninfo),
		cmocka_unit_test(test_wrong_types_name_the_field),
		cmocka_unit_test(test_unknown_keys_are_ignored),
	};
	return cmocka_run_group_tests_name("view", tests, NULL, NULL);
}
