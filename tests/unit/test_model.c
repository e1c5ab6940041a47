/* tests/unit/test_model.c: the SyncedDatabaseTable model: parsing the documented create
 * request, validation errors naming the field, rendering with unset fields omitted and
 * exact int64s, round trips of spec and status, and update masks. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "api/model.h"

/* The create body of the hosted service's documentation, with only names changed. */
static const char create_body[] =
	"{\"name\": \"main.gold.user_profiles_synced\","
	" \"database_instance_name\": \"my-instance\","
	" \"logical_database_name\": \"databricks_postgres\","
	" \"spec\": {\"source_table_full_name\": \"main.gold.user_profiles\","
	"  \"primary_key_columns\": [\"user_id\"],"
	"  \"scheduling_policy\": \"TRIGGERED\","
	"  \"new_pipeline_spec\": {\"storage_catalog\": \"main\", \"storage_schema\": \"pipelines\"},"
	"  \"create_database_objects_if_missing\": true}}";

static void test_parse_documented_create_request(void **state)
{
	struct model_table t;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(model_table_parse(create_body, &t, &err));
	assert_string_equal(t.name, "main.gold.user_profiles_synced");
	assert_string_equal(t.database_instance_name, "my-instance");
	assert_string_equal(t.spec.source_table_full_name, "main.gold.user_profiles");
	assert_int_equal(t.spec.n_primary_key_columns, 1);
	assert_string_equal(t.spec.primary_key_columns[0], "user_id");
	assert_int_equal(t.spec.scheduling_policy, MODEL_POLICY_TRIGGERED);
	assert_true(t.spec.has_new_pipeline_spec);
	assert_string_equal(t.spec.storage_schema, "pipelines");
	assert_int_equal(t.spec.create_database_objects_if_missing, 1);
	assert_true(model_table_validate_create(&t, &err));
	free(t.database_instance_name);
	t.database_instance_name = strdup("prod/dev-2"); /* a project's branch */
	assert_true(model_table_validate_create(&t, &err));
	model_table_free(&t);
}

/* Parses body and asserts it fails, at parse or validation, with a message holding want. */
static void assert_rejected(const char *body, const char *want)
{
	struct model_table t;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = model_table_parse(body, &t, &err);
	if (ok) {
		ok = model_table_validate_create(&t, &err);
		model_table_free(&t);
	}
	if (ok)
		fail_msg("accepted: %s", body);
	assert_int_equal(err.code, LK_EINVAL);
	if (strstr(err.message, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err.message, want);
}

#define SPEC_OK "\"source_table_full_name\":\"a.b.c\",\"primary_key_columns\":[\"id\"],\"scheduling_policy\":\"SNAPSHOT\""

static void test_rejections_name_the_field(void **state)
{
	assert_rejected("{\"name\": ", "malformed JSON near byte");
	assert_rejected("[1]", "must be a JSON object");
	assert_rejected("{\"nme\":\"a.b.c\"}", "unknown field 'nme'");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{" SPEC_OK ",\"primary_keys\":[]}}",
			"unknown field 'spec.primary_keys'");
	assert_rejected("{\"name\":7}", "field 'name' must be a string");
	assert_rejected("{\"spec\":{" SPEC_OK "}}", "field 'name' is required");
	assert_rejected("{\"name\":\"a.b-c.d\",\"spec\":{" SPEC_OK "}}",
			"name 'a.b-c.d': the schema name must be");
	assert_rejected("{\"name\":\"a.b\",\"spec\":{" SPEC_OK "}}", "is not a three-part name");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{\"source_table_full_name\":\"x.y\","
			"\"primary_key_columns\":[\"id\"],\"scheduling_policy\":\"SNAPSHOT\"}}",
			"spec.source_table_full_name 'x.y'");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{\"source_table_full_name\":\"a.b.d\","
			"\"scheduling_policy\":\"SNAPSHOT\"}}",
			"'spec.primary_key_columns' is required");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{\"source_table_full_name\":\"a.b.d\","
			"\"primary_key_columns\":[\"id\",\"id\"],\"scheduling_policy\":\"SNAPSHOT\"}}",
			"names 'id' twice");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{\"source_table_full_name\":\"a.b.d\","
			"\"primary_key_columns\":[\"id\"],\"scheduling_policy\":\"SOMETIMES\"}}",
			"'spec.scheduling_policy' is 'SOMETIMES'");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{\"source_table_full_name\":\"a.b.d\","
			"\"primary_key_columns\":[\"id\"]}}", "'spec.scheduling_policy' is required");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{" SPEC_OK ",\"schedule\":\"5m\"}}",
			"applies to TRIGGERED tables only");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{" SPEC_OK ",\"invalid_characters\":\"x\"}}",
			"expected fail, strip or replace");
	assert_rejected("{\"name\":\"a.b.c\",\"spec\":{" SPEC_OK ",\"existing_pipeline_id\":\"p\","
			"\"new_pipeline_spec\":{}}}", "at most one of");
	assert_rejected("{\"name\":\"a.b.c\",\"logical_database_name\":\"my-db\",\"spec\":{" SPEC_OK
			"}}", "'logical_database_name' 'my-db'");
	assert_rejected("{\"name\":\"a.b.c\",\"database_instance_name\":\"p/b/c\",\"spec\":{" SPEC_OK
			"}}", "'database_instance_name' 'p/b/c' must be a project name, or project/branch");
	assert_rejected("{\"name\":\"a.b.c\",\"database_instance_name\":\"p/\",\"spec\":{" SPEC_OK
			"}}", "must be a project name");
}

static void test_render_omits_unset_and_keeps_int64_exact(void **state)
{
	struct model_table t;
	model_table_init(&t);
	t.name = strdup("a.b.c");
	t.spec.scheduling_policy = MODEL_POLICY_CONTINUOUS;
	t.has_status = true;
	t.status.detailed_state = MODEL_STATE_ONLINE_CONTINUOUS_UPDATE;
	t.status.has_last_sync = true;
	t.status.delta_commit_version = INT64_C(9007199254740993); /* 2^53 + 1 */
	t.status.delta_commit_timestamp_us = INT64_C(1795571484123456);
	t.status.detail = MODEL_DETAIL_CONTINUOUS;
	t.status.last_processed_commit_version = 12;
	t.status.progress.present = true;
	t.status.progress.synced_row_count = 5;
	t.status.progress.total_row_count = 10;
	t.status.progress.sync_progress_completion = 0.5;
	char *json = model_table_to_json(&t, false);
	assert_non_null(strstr(json, "\"delta_commit_version\":9007199254740993"));
	assert_non_null(strstr(json, "\"delta_commit_timestamp\":\"2026-11-25T01:51:24.123456Z\""));
	assert_non_null(strstr(json, "\"continuous_update_status\":{\"last_processed_commit_version\":12"));
	assert_non_null(strstr(json, "\"initial_pipeline_sync_progress\""));
	assert_null(strstr(json, "database_instance_name")); /* unset: omitted */
	assert_null(strstr(json, "triggered_update_status"));
	assert_null(strstr(json, "timeseries_key"));

	/* and back: numbers and strings both accepted for int64 */
	struct model_table back;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(model_table_parse(json, &back, &err));
	assert_int_equal(back.status.detailed_state, MODEL_STATE_ONLINE_CONTINUOUS_UPDATE);
	assert_int_equal(back.status.detail, MODEL_DETAIL_CONTINUOUS);
	assert_int_equal(back.status.delta_commit_timestamp_us, INT64_C(1795571484123456));
	assert_int_equal(back.status.progress.total_row_count, 10);
	model_table_free(&back);
	free(json);
	assert_true(model_table_parse("{\"data_synchronization_status\":{\"last_sync\":"
				      "{\"delta_table_sync_info\":{\"delta_commit_version\":"
				      "\"9007199254740993\"}}}}", &back, &err));
	assert_int_equal(back.status.delta_commit_version, INT64_C(9007199254740993));
	model_table_free(&back);
	model_table_free(&t);
}

static void test_spec_round_trip_with_extensions(void **state)
{
	struct model_spec spec;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(model_spec_parse("{\"source_table_full_name\":\"a.b.c\",\"primary_key_columns\""
				     ":[\"k1\",\"k2\"],\"timeseries_key\":\"ts\",\"scheduling_policy\""
				     ":\"TRIGGERED\",\"schedule\":\"1h30m\",\"invalid_characters\""
				     ":\"replace\"}", &spec, &err));
	assert_int_equal(spec.schedule_ms, 5400000);
	char *json = model_spec_to_json(&spec);
	assert_string_equal(json, "{\"source_table_full_name\":\"a.b.c\",\"primary_key_columns\":"
				  "[\"k1\",\"k2\"],\"timeseries_key\":\"ts\",\"scheduling_policy\":"
				  "\"TRIGGERED\",\"schedule\":\"1h30m\",\"invalid_characters\":"
				  "\"replace\"}");
	free(json);
	struct model_table t;
	model_table_init(&t);
	t.spec = spec;
	model_table_free(&t);
	assert_false(model_spec_parse("{\"schedule\":\"soon\"}", &spec, &err));
	assert_non_null(strstr(err.message, "'spec.schedule': 'soon' is not a duration"));
}

static void test_update_mask(void **state)
{
	struct model_table t, patch;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(model_table_parse(create_body, &t, &err));
	assert_true(model_table_parse("{\"spec\":{\"scheduling_policy\":\"TRIGGERED\",\"schedule\":"
				      "\"5m\",\"primary_key_columns\":[\"a\",\"b\"]}}", &patch, &err));
	assert_true(model_table_apply_update(&t, &patch, "spec.schedule, spec.primary_key_columns",
					     &err));
	assert_string_equal(t.spec.schedule, "5m");
	assert_int_equal(t.spec.schedule_ms, 300000);
	assert_int_equal(t.spec.n_primary_key_columns, 2);
	assert_string_equal(t.spec.primary_key_columns[1], "b");
	assert_string_equal(t.spec.source_table_full_name, "main.gold.user_profiles"); /* kept */

	assert_false(model_table_apply_update(&t, &patch, "spec.source_table_full_name", &err));
	assert_non_null(strstr(err.message, "'spec.source_table_full_name' cannot be updated"));
	assert_false(model_table_apply_update(&t, &patch, "", &err));
	/* an update that breaks validation leaves the table as it was */
	struct model_table bad;
	assert_true(model_table_parse("{\"spec\":{\"scheduling_policy\":\"SNAPSHOT\"}}", &bad, &err));
	assert_false(model_table_apply_update(&t, &bad, "spec.scheduling_policy", &err));
	assert_non_null(strstr(err.message, "TRIGGERED tables only"));
	assert_int_equal(t.spec.scheduling_policy, MODEL_POLICY_TRIGGERED);
	model_table_free(&bad);
	model_table_free(&patch);
	model_table_free(&t);
}

static void test_enum_names(void **state)
{
	assert_string_equal(model_state_name(MODEL_STATE_OFFLINE), "SYNCED_TABLED_OFFLINE");
	enum model_state s;
	assert_true(model_state_parse("SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE", &s));
	assert_int_equal(s, MODEL_STATE_ONLINE_NO_PENDING_UPDATE);
	assert_false(model_state_parse("SYNCED_TABLE_OFFLINE", &s)); /* the real enum's typo */
	assert_true(model_state_is_online(MODEL_STATE_ONLINE_PIPELINE_FAILED));
	assert_true(model_state_is_failed(MODEL_STATE_ONLINE_PIPELINE_FAILED));
	assert_false(model_state_is_online(MODEL_STATE_PROVISIONING_INITIAL_SNAPSHOT));
	assert_false(model_state_is_online(MODEL_STATE_OFFLINE_FAILED));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_documented_create_request),
		cmocka_unit_test(test_rejections_name_the_field),
		cmocka_unit_test(test_render_omits_unset_and_keeps_int64_exact),
		cmocka_unit_test(test_spec_round_trip_with_extensions),
		cmocka_unit_test(test_update_mask),
		cmocka_unit_test(test_enum_names),
	};
	return cmocka_run_group_tests_name("model", tests, NULL, NULL);
}
