/* tests/unit/test_delta_actions.c: commit lines into typed actions: every action type, unknown
 * actions and fields skipped, paths decoded exactly once, errors that name file and line. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "delta/internal.h"

static bool parse(const char *line, struct delta_action *a)
{
	bool known = false;
	struct lk_error err = LK_ERROR_INIT;
	if (!delta_action_parse(line, strlen(line), a, &known, &err))
		fail_msg("%s", err.message);
	return known;
}

static void test_actions_protocol_with_features(void **state)
{
	struct delta_action a;
	assert_true(parse("{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
			  "\"readerFeatures\":[\"deletionVectors\"],\"writerFeatures\":[\"a\",\"b\"]}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_PROTOCOL);
	assert_int_equal(a.u.protocol.min_reader_version, 3);
	assert_int_equal(a.u.protocol.n_reader_features, 1);
	assert_string_equal(a.u.protocol.reader_features[0], "deletionVectors");
	assert_int_equal(a.u.protocol.n_writer_features, 2);
	delta_action_clear(&a);
}

static void test_actions_metadata_fields(void **state)
{
	struct delta_action a;
	assert_true(parse("{\"metaData\":{\"id\":\"x\",\"format\":{\"provider\":\"parquet\"},"
			  "\"schemaString\":\"{}\",\"partitionColumns\":[\"p\"],"
			  "\"configuration\":{\"k\":\"v\",\"n\":null},\"createdTime\":1234}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_METADATA);
	assert_string_equal(a.u.metadata.id, "x");
	assert_string_equal(a.u.metadata.format_provider, "parquet");
	assert_string_equal(a.u.metadata.partition_columns[0], "p");
	assert_string_equal(delta_map_get(&a.u.metadata.configuration, "k"), "v");
	assert_true(delta_map_has(&a.u.metadata.configuration, "n"));
	assert_null(delta_map_get(&a.u.metadata.configuration, "n"));
	assert_true(a.u.metadata.has_created_time);
	assert_int_equal(a.u.metadata.created_time, 1234);
	delta_action_clear(&a);
}

static void test_actions_add_with_dv_and_null_offset(void **state)
{
	struct delta_action a;
	assert_true(parse("{\"add\":{\"path\":\"f.parquet\",\"partitionValues\":{\"p\":null},"
			  "\"size\":5,\"modificationTime\":7,\"dataChange\":true,\"stats\":\"{}\","
			  "\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"abc\","
			  "\"offset\":null,\"sizeInBytes\":40,\"cardinality\":4}}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_ADD);
	assert_string_equal(a.u.file.path, "f.parquet");
	assert_true(a.u.file.data_change);
	assert_true(a.u.file.has_dv);
	assert_int_equal(a.u.file.dv.storage_type, 'i');
	assert_false(a.u.file.dv.has_offset);
	assert_int_equal(a.u.file.dv.cardinality, 4);
	assert_null(delta_map_get(&a.u.file.partition_values, "p"));
	delta_action_clear(&a);
}

static void test_actions_remove_cdc_txn_domain(void **state)
{
	struct delta_action a;
	assert_true(parse("{\"remove\":{\"path\":\"r\",\"deletionTimestamp\":9,\"dataChange\":false,"
			  "\"extendedFileMetadata\":true,\"size\":3}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_REMOVE);
	assert_false(a.u.file.data_change);
	assert_true(a.u.file.extended_file_metadata);
	assert_int_equal(a.u.file.deletion_timestamp, 9);
	delta_action_clear(&a);
	assert_true(parse("{\"cdc\":{\"path\":\"_change_data/c\",\"partitionValues\":{},\"size\":1,"
			  "\"dataChange\":false}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_CDC);
	delta_action_clear(&a);
	assert_true(parse("{\"txn\":{\"appId\":\"app\",\"version\":3,\"lastUpdated\":200}}", &a));
	assert_int_equal(a.type, DELTA_ACTION_TXN);
	assert_string_equal(a.u.txn.app_id, "app");
	assert_int_equal(a.u.txn.version, 3);
	delta_action_clear(&a);
	assert_true(parse("{\"domainMetadata\":{\"domain\":\"d\",\"configuration\":\"{}\","
			  "\"removed\":true}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_DOMAIN_METADATA);
	assert_true(a.u.domain.removed);
	delta_action_clear(&a);
}

static void test_actions_commit_info_ict_and_operation(void **state)
{
	struct delta_action a;
	assert_true(parse("{\"commitInfo\":{\"inCommitTimestamp\":1700000000123,\"timestamp\":17,"
			  "\"operation\":\"WRITE\",\"operationParameters\":{\"x\":[1,2]}}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_COMMIT_INFO);
	assert_true(a.u.commit_info.has_in_commit_timestamp);
	assert_int_equal(a.u.commit_info.in_commit_timestamp, 1700000000123LL);
	assert_string_equal(a.u.commit_info.operation, "WRITE");
	delta_action_clear(&a);
}

static void test_actions_sidecar_and_checkpoint_metadata(void **state)
{
	struct delta_action a;
	assert_true(parse("{\"sidecar\":{\"path\":\"s%20x.parquet\",\"sizeInBytes\":12,"
			  "\"modificationTime\":3}}",
			  &a));
	assert_int_equal(a.type, DELTA_ACTION_SIDECAR);
	assert_string_equal(a.u.sidecar.path, "s x.parquet");
	delta_action_clear(&a);
	assert_true(parse("{\"checkpointMetadata\":{\"version\":6,\"tags\":{}}}", &a));
	assert_int_equal(a.type, DELTA_ACTION_CHECKPOINT_METADATA);
	assert_int_equal(a.u.checkpoint_metadata.version, 6);
	delta_action_clear(&a);
}

static void test_actions_unknown_action_and_fields_ignored(void **state)
{
	struct delta_action a;
	assert_false(parse("{\"futureAction\":{\"x\":1}}", &a));
	assert_false(parse("   ", &a));
	assert_true(parse("{\"txn\":{\"appId\":\"a\",\"version\":1,\"newField\":{\"deep\":[1]}}}", &a));
	delta_action_clear(&a);
}

static void test_actions_path_decoded_exactly_once(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	char *p = delta_path_decode("_2=bar+%252521/part%20x.parquet", &err);
	assert_string_equal(p, "_2=bar+%2521/part x.parquet");
	free(p);
	assert_null(delta_path_decode("bad%2", &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_null(delta_path_decode("nul%00byte", &err));
	assert_null(delta_path_decode("bad%zz", &err));
}

static void test_actions_wrong_type_is_corrupt(void **state)
{
	struct delta_action a;
	bool known;
	struct lk_error err = LK_ERROR_INIT;
	const char *line = "{\"add\":{\"path\":7}}";
	assert_false(delta_action_parse(line, strlen(line), &a, &known, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "add.path"));
	line = "{\"protocol\":{\"minReaderVersion\":1.5,\"minWriterVersion\":2}}";
	assert_false(delta_action_parse(line, strlen(line), &a, &known, &err));
	line = "{\"add\":{\"path\":\"x\",\"deletionVector\":{\"storageType\":\"z\","
	       "\"pathOrInlineDv\":\"a\",\"sizeInBytes\":1,\"cardinality\":1}}}";
	assert_false(delta_action_parse(line, strlen(line), &a, &known, &err));
	assert_non_null(strstr(err.message, "storageType"));
}

static enum delta_visit count_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	(*(int *)ctx)++;
	return DELTA_VISIT_CONTINUE;
}

static void test_actions_error_names_file_and_line(void **state)
{
	const char *text = "{\"commitInfo\":{}}\n{\"txn\":{\"appId\":\"a\",\"version\":1}}\n{oops\n";
	int n = 0;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_actions_read_buffer(text, strlen(text), "table /t: commit 4", count_action,
					       &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "table /t: commit 4, line 3"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_actions_protocol_with_features),
		cmocka_unit_test(test_actions_metadata_fields),
		cmocka_unit_test(test_actions_add_with_dv_and_null_offset),
		cmocka_unit_test(test_actions_remove_cdc_txn_domain),
		cmocka_unit_test(test_actions_commit_info_ict_and_operation),
		cmocka_unit_test(test_actions_sidecar_and_checkpoint_metadata),
		cmocka_unit_test(test_actions_unknown_action_and_fields_ignored),
		cmocka_unit_test(test_actions_path_decoded_exactly_once),
		cmocka_unit_test(test_actions_wrong_type_is_corrupt),
		cmocka_unit_test(test_actions_error_names_file_and_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
