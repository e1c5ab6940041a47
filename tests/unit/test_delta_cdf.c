/* tests/unit/test_delta_cdf.c: change feed planning: valid and invalid ranges, CDF switched
 * off inside a range, schema changes, cdc files taking precedence, add/remove as inserts and
 * deletes, DV updates, commit timestamps; and the table facts of info.c. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "delta/internal.h"
#include "tests/delta/fixture.h"

#define CDF_ON "\"delta.enableChangeDataFeed\":\"true\""
#define CDF_OFF "\"delta.enableChangeDataFeed\":\"false\""
#define SCHEMA_ID_NAME                                                                       \
	"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":" \
	"\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}},{\\\"name\\\":\\\"name\\\","  \
	"\\\"type\\\":\\\"string\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}"
#define METADATA_WITH_NAME                                                                   \
	"{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\"},\"schemaString\":\"" \
	SCHEMA_ID_NAME "\",\"partitionColumns\":[],\"configuration\":{" CDF_ON "}}}"
#define CDC_LINE \
	"{\"cdc\":{\"path\":\"_change_data/c%201\",\"partitionValues\":{\"p\":\"x\"},\"size\":3,\"dataChange\":false}}"
#define DV_I1 ",\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"abcde\",\"sizeInBytes\":4,\"cardinality\":1}"
#define DV_I2 ",\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"fghij\",\"sizeInBytes\":4,\"cardinality\":2}"

static struct delta_cdf_plan *plan(struct fx *fx, int64_t start, int64_t end,
				   const struct delta_cdf_options *opts, struct lk_error *err)
{
	struct delta_table *t = delta_table_open(fx->root, err);
	assert_non_null(t);
	struct delta_cdf_plan *p = delta_cdf_plan_build(t, start, end, opts, err);
	delta_table_free(t);
	return p;
}

/* Like table-with-cdf: v0 on, v1 cdc + remove, v2 off, v3 on, v4 on with a schema change. */
static void create_switching_table(struct fx *fx)
{
	fx_init(fx);
	fx_commit(fx, 0, FX_PROTOCOL_1_4, fx_metadata(fx, CDF_ON), fx_add(fx, "f1", NULL), NULL);
	fx_commit(fx, 1, CDC_LINE, fx_remove(fx, "f1", NULL), NULL);
	fx_commit(fx, 2, fx_metadata(fx, CDF_OFF), NULL);
	fx_commit(fx, 3, fx_metadata(fx, CDF_ON), NULL);
	fx_commit(fx, 4, METADATA_WITH_NAME, NULL);
}

static void test_cdf_valid_ranges(void **state)
{
	struct fx fx;
	create_switching_table(&fx);
	static const int64_t ok[][2] = { { 0, 1 }, { 0, 0 }, { 1, 1 }, { 3, 3 } };
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		struct lk_error err = LK_ERROR_INIT;
		struct delta_cdf_plan *p = plan(&fx, ok[i][0], ok[i][1], NULL, &err);
		if (p == NULL)
			fail_msg("%lld..%lld: %s", (long long)ok[i][0], (long long)ok[i][1], err.message);
		assert_int_equal(p->n_commits, ok[i][1] - ok[i][0] + 1);
		delta_cdf_plan_free(p);
	}
	fx_cleanup(&fx);
}

static void test_cdf_disabled_inside_range(void **state)
{
	struct fx fx;
	create_switching_table(&fx);
	static const int64_t bad[][2] = { { 0, 2 }, { 1, 2 }, { 2, 2 }, { 2, 3 } };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lk_error err = LK_ERROR_INIT;
		assert_null(plan(&fx, bad[i][0], bad[i][1], NULL, &err));
		assert_int_equal(err.code, LK_ECDF_DISABLED);
		assert_non_null(strstr(err.message, "change data was not recorded for version 2"));
	}
	fx_cleanup(&fx);
}

static void test_cdf_schema_change_refused_unless_additive_allowed(void **state)
{
	struct fx fx;
	create_switching_table(&fx);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(plan(&fx, 3, 4, NULL, &err));
	assert_int_equal(err.code, LK_ESCHEMA_CHANGE);
	assert_non_null(strstr(err.message, "additive"));
	struct delta_cdf_options opts = { .allow_additive_schema = true };
	struct delta_cdf_plan *p = plan(&fx, 3, 4, &opts, &err);
	assert_non_null(p);
	assert_int_equal(p->schema_change, DELTA_SCHEMA_ADDITIVE);
	assert_int_equal(p->schema->n_fields, 2);
	delta_cdf_plan_free(p);
	fx_cleanup(&fx);
}

static void test_cdf_bad_ranges_are_invalid(void **state)
{
	struct fx fx;
	create_switching_table(&fx);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(plan(&fx, 1, 0, NULL, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_null(plan(&fx, 5, 6, NULL, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_null(plan(&fx, 0, 9, NULL, &err));
	assert_int_equal(err.code, LK_EINVAL);
	fx_cleanup(&fx);
}

static void test_cdf_missing_commit_is_truncated(void **state)
{
	struct fx fx;
	create_switching_table(&fx);
	fx_write(&fx, "_delta_log/00000000000000000003.checkpoint.2a15d0c6-8b11-4a98-bab4-957905d62f7f.json",
		 "{\"checkpointMetadata\":{\"version\":3}}\n" FX_PROTOCOL_1_4 "\n");
	fx_remove_log_file(&fx, "00000000000000000000.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(plan(&fx, 0, 1, NULL, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);
	fx_cleanup(&fx);
}

static void test_cdf_cdc_files_take_precedence(void **state)
{
	struct fx fx;
	create_switching_table(&fx);
	struct delta_cdf_plan *p = plan(&fx, 0, 1, NULL, NULL);
	assert_non_null(p);
	const struct delta_change_commit *c0 = &p->commits[0], *c1 = &p->commits[1];
	assert_false(c0->has_cdc);
	assert_int_equal(c0->n_files, 1);
	assert_int_equal(c0->files[0].source, DELTA_CHANGE_INSERT);
	assert_true(c1->has_cdc);
	assert_int_equal(c1->n_files, 1);
	assert_int_equal(c1->files[0].source, DELTA_CHANGE_CDC);
	assert_string_equal(c1->files[0].path, "_change_data/c 1");
	assert_string_equal(delta_map_get(&c1->files[0].partition_values, "p"), "x");
	delta_cdf_plan_free(p);
	fx_cleanup(&fx);
}

static void test_cdf_data_change_false_produces_nothing(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, FX_PROTOCOL_1_4, fx_metadata(&fx, CDF_ON), fx_add(&fx, "a", NULL),
		  fx_add(&fx, "b", NULL), NULL);
	fx_commit(&fx, 1,
		  "{\"add\":{\"path\":\"ab\",\"partitionValues\":{},\"size\":1,\"dataChange\":false}}",
		  "{\"remove\":{\"path\":\"a\",\"dataChange\":false}}",
		  "{\"remove\":{\"path\":\"b\",\"dataChange\":false}}", NULL);
	fx_commit(&fx, 2, fx_remove(&fx, "ab", NULL), NULL);
	struct delta_cdf_plan *p = plan(&fx, 0, -1, NULL, NULL);
	assert_non_null(p);
	assert_int_equal(p->end, 2);
	assert_int_equal(p->commits[0].n_files, 2);
	assert_int_equal(p->commits[1].n_files, 0);
	assert_int_equal(p->commits[2].n_files, 1);
	assert_int_equal(p->commits[2].files[0].source, DELTA_CHANGE_DELETE);
	delta_cdf_plan_free(p);
	fx_cleanup(&fx);
}

static void test_cdf_dv_update_pairs_remove_and_add(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, FX_PROTOCOL_1_4, fx_metadata(&fx, CDF_ON), fx_add(&fx, "a", NULL), NULL);
	fx_commit(&fx, 1, fx_remove(&fx, "a", NULL), fx_add(&fx, "a", DV_I1), NULL);
	fx_commit(&fx, 2, fx_add(&fx, "a", DV_I2), fx_remove(&fx, "a", DV_I1), NULL);
	struct delta_cdf_plan *p = plan(&fx, 1, 2, NULL, NULL);
	assert_non_null(p);
	const struct delta_change_file *f1 = &p->commits[0].files[0];
	assert_int_equal(p->commits[0].n_files, 1);
	assert_int_equal(f1->source, DELTA_CHANGE_DV_UPDATE);
	assert_false(f1->has_old_dv);
	assert_true(f1->has_dv);
	const struct delta_change_file *f2 = &p->commits[1].files[0];
	assert_int_equal(p->commits[1].n_files, 1);
	assert_int_equal(f2->source, DELTA_CHANGE_DV_UPDATE);
	assert_string_equal(f2->old_dv.path_or_inline, "abcde");
	assert_string_equal(f2->dv.path_or_inline, "fghij");
	delta_cdf_plan_free(p);
	fx_cleanup(&fx);
}

#define ICT_CDF_PROTOCOL                                                                 \
	"{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,\"writerFeatures\":" \
	"[\"inCommitTimestamp\",\"changeDataFeed\"]}}"

static void test_cdf_commit_timestamps_ict_else_mtime(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, ICT_CDF_PROTOCOL, fx_metadata(&fx, CDF_ON), NULL);
	fx_commit(&fx, 1, "{\"commitInfo\":{\"inCommitTimestamp\":5000}}",
		  fx_metadata(&fx, CDF_ON ",\"delta.enableInCommitTimestamps\":\"true\","
				  "\"delta.inCommitTimestampEnablementVersion\":\"1\""),
		  NULL);
	fx_commit_mtime(&fx, 0, 1234000);
	fx_commit_mtime(&fx, 1, 9999000);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_cdf_plan *p = plan(&fx, 0, 1, NULL, &err);
	if (p == NULL)
		fail_msg("%s", err.message);
	assert_false(p->commits[0].timestamp_is_ict);
	assert_int_equal(p->commits[0].timestamp, 1234000);
	assert_true(p->commits[1].timestamp_is_ict);
	assert_int_equal(p->commits[1].timestamp, 5000);
	delta_cdf_plan_free(p);
	fx_cleanup(&fx);
}

static void test_cdf_unreadable_protocol_inside_range(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, FX_PROTOCOL_1_4, fx_metadata(&fx, CDF_ON), NULL);
	fx_commit(&fx, 1, "{\"protocol\":{\"minReaderVersion\":4,\"minWriterVersion\":7}}", NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(plan(&fx, 0, 1, NULL, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	fx_cleanup(&fx);
}

static void test_info_counts_files_rows_and_renders_json(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, FX_PROTOCOL_1_4, fx_metadata(&fx, CDF_ON),
		  fx_add(&fx, "a", ",\"stats\":\"{\\\"numRecords\\\":10}\""),
		  fx_add(&fx, "b", ",\"stats\":\"{\\\"numRecords\\\":5}\"" DV_I2), fx_add(&fx, "c", NULL),
		  NULL);
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_table_info info;
	assert_true(delta_table_info_get(t, &info, NULL));
	assert_int_equal(info.version, 0);
	assert_int_equal(info.n_files, 3);
	assert_int_equal(info.row_estimate, 13);
	assert_int_equal(info.files_without_stats, 1);
	assert_int_equal(info.files_with_dv, 1);
	assert_true(info.cdf_enabled);
	assert_int_equal(info.size_bytes, 30);
	cJSON *json = delta_table_info_to_json(&info);
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(json, "change_data_feed")));
	assert_int_equal(cJSON_GetObjectItem(json, "files")->valueint, 3);
	const cJSON *schema = cJSON_GetObjectItem(json, "schema");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(schema, 0), "lakesync_type")->valuestring,
			    "int64");
	cJSON_Delete(json);
	delta_table_info_clear(&info);
	delta_table_free(t);
	fx_cleanup(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cdf_valid_ranges),
		cmocka_unit_test(test_cdf_disabled_inside_range),
		cmocka_unit_test(test_cdf_schema_change_refused_unless_additive_allowed),
		cmocka_unit_test(test_cdf_bad_ranges_are_invalid),
		cmocka_unit_test(test_cdf_missing_commit_is_truncated),
		cmocka_unit_test(test_cdf_cdc_files_take_precedence),
		cmocka_unit_test(test_cdf_data_change_false_produces_nothing),
		cmocka_unit_test(test_cdf_dv_update_pairs_remove_and_add),
		cmocka_unit_test(test_cdf_commit_timestamps_ict_else_mtime),
		cmocka_unit_test(test_cdf_unreadable_protocol_inside_range),
		cmocka_unit_test(test_info_counts_files_rows_and_renders_json),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
