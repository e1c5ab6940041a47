/* tests/unit/test_delta_snapshot.c: log replay into a snapshot: reconciliation rules, time
 * travel by version and timestamp, JSON checkpoints, and the fallback to commit 0 when a
 * checkpoint cannot be read (tests/unit/test_delta_checkpoint.c covers Parquet checkpoints). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delta/internal.h"
#include "tests/delta/fixture.h"

#define DV_U1 ",\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"ab^-aqEH.-t@S}K{vb[*k^\",\"offset\":1,\"sizeInBytes\":34,\"cardinality\":1}"
#define DV_U2 ",\"deletionVector\":{\"storageType\":\"u\",\"pathOrInlineDv\":\"ab^-aqEH.-t@S}K{vb[*k^\",\"offset\":43,\"sizeInBytes\":36,\"cardinality\":2}"

static void create_table(struct fx *fx)
{
	fx_init(fx);
	fx_commit(fx, 0, FX_PROTOCOL_1_4, fx_metadata(fx, "\"k\":\"v0\""), fx_add(fx, "a", NULL),
		  NULL);
}

static void test_replay_remove_before_add(void **state)
{
	struct fx fx;
	create_table(&fx);
	/* the add comes first in the file; the remove must still not kill it */
	fx_commit(&fx, 1, fx_add(&fx, "a", NULL), fx_remove(&fx, "a", NULL), NULL);
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_non_null(s);
	assert_int_equal(s->n_files, 1);
	assert_string_equal(s->files[0].path, "a");
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_replay_file_key_includes_dv(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_add(&fx, "a", DV_U1), fx_remove(&fx, "a", NULL), NULL);
	fx_commit(&fx, 2, fx_add(&fx, "a", DV_U2), fx_remove(&fx, "a", DV_U1), NULL);
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_non_null(s);
	assert_int_equal(s->n_files, 1);
	assert_true(s->files[0].has_dv);
	assert_int_equal(s->files[0].dv.cardinality, 2);
	fx_snapshot_unload(s);
	s = fx_snapshot_load(&fx, 1, NULL);
	assert_int_equal(s->n_files, 1);
	assert_int_equal(s->files[0].dv.cardinality, 1);
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_replay_remove_then_readd(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_add(&fx, "b", NULL), fx_remove(&fx, "a", NULL), NULL);
	fx_commit(&fx, 2, fx_add(&fx, "a", NULL), NULL);
	struct delta_snapshot *s = fx_snapshot_load(&fx, 1, NULL);
	assert_int_equal(s->n_files, 1);
	assert_string_equal(s->files[0].path, "b");
	fx_snapshot_unload(s);
	s = fx_snapshot_load(&fx, 2, NULL);
	assert_int_equal(s->n_files, 2);
	assert_string_equal(s->files[0].path, "a"); /* sorted by path */
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_replay_metadata_and_protocol_last_wins(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_metadata(&fx, "\"k\":\"v1\""),
		  "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,"
		  "\"writerFeatures\":[\"appendOnly\"]}}",
		  NULL);
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_string_equal(delta_map_get(&s->metadata.configuration, "k"), "v1");
	assert_int_equal(s->protocol.min_writer_version, 7);
	fx_snapshot_unload(s);
	s = fx_snapshot_load(&fx, 0, NULL);
	assert_string_equal(delta_map_get(&s->metadata.configuration, "k"), "v0");
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_replay_without_metadata_is_corrupt(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, FX_PROTOCOL_1_4, fx_add(&fx, "a", NULL), NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, -1, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "metaData"));
	fx_cleanup(&fx);
}

static void test_replay_without_protocol_is_corrupt(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, fx_metadata(&fx, ""), NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, -1, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "protocol"));
	fx_cleanup(&fx);
}

static void test_replay_txn_and_domain_metadata(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, "{\"txn\":{\"appId\":\"app\",\"version\":1}}",
		  "{\"domainMetadata\":{\"domain\":\"d1\",\"configuration\":\"x\",\"removed\":false}}",
		  "{\"domainMetadata\":{\"domain\":\"d2\",\"configuration\":\"y\",\"removed\":false}}",
		  NULL);
	fx_commit(&fx, 2, "{\"txn\":{\"appId\":\"app\",\"version\":5}}",
		  "{\"domainMetadata\":{\"domain\":\"d1\",\"configuration\":\"\",\"removed\":true}}",
		  NULL);
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_int_equal(s->n_txns, 1);
	assert_int_equal(s->txns[0].version, 5);
	assert_int_equal(s->n_domains, 1);
	assert_string_equal(s->domains[0].domain, "d2");
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_snapshot_commit_info_and_mtime_timestamp(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, "{\"commitInfo\":{\"timestamp\":99,\"operation\":\"DELETE\"}}", NULL);
	fx_commit_mtime(&fx, 1, 1600000000000LL);
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_true(s->has_commit_info);
	assert_string_equal(s->commit_info.operation, "DELETE");
	assert_int_equal(s->commit_timestamp, 1600000000000LL);
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_snapshot_load_at_timestamp_uses_mtime(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, "{\"commitInfo\":{}}", NULL);
	fx_commit(&fx, 2, "{\"commitInfo\":{}}", NULL);
	fx_commit_mtime(&fx, 0, 1000000);
	fx_commit_mtime(&fx, 1, 2000000);
	fx_commit_mtime(&fx, 2, 3000000);
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_snapshot *s = delta_snapshot_load_at(t, 2500000, NULL);
	assert_non_null(s);
	assert_int_equal(s->version, 1);
	delta_snapshot_free(s);
	s = delta_snapshot_load_at(t, 3000000, NULL);
	assert_int_equal(s->version, 2);
	delta_snapshot_free(s);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_snapshot_load_at(t, 999999, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	delta_table_free(t);
	fx_cleanup(&fx);
}

#define ICT_PROTOCOL \
	"{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":7,\"writerFeatures\":[\"inCommitTimestamp\"]}}"

static void test_snapshot_load_at_timestamp_uses_ict(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, "{\"commitInfo\":{\"inCommitTimestamp\":100}}", ICT_PROTOCOL,
		  fx_metadata(&fx, "\"delta.enableInCommitTimestamps\":\"true\""), NULL);
	fx_commit(&fx, 1, "{\"commitInfo\":{\"inCommitTimestamp\":200}}", NULL);
	fx_commit(&fx, 2, "{\"commitInfo\":{\"inCommitTimestamp\":300}}", NULL);
	fx_commit_mtime(&fx, 0, 9000000); /* mtimes say otherwise: must be ignored */
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_snapshot *s = delta_snapshot_load_at(t, 250, NULL);
	assert_non_null(s);
	assert_int_equal(s->version, 1);
	assert_int_equal(s->commit_timestamp, 200);
	delta_snapshot_free(s);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_snapshot_ict_missing_is_corrupt(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0, "{\"commitInfo\":{\"inCommitTimestamp\":100}}", ICT_PROTOCOL,
		  fx_metadata(&fx, "\"delta.enableInCommitTimestamps\":\"true\""), NULL);
	fx_commit(&fx, 1, "{\"commitInfo\":{}}", NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, -1, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	fx_cleanup(&fx);
}

#define V2_CHECKPOINT_NAME "00000000000000000001.checkpoint.2a15d0c6-8b11-4a98-bab4-957905d62f7f.json"

static void test_checkpoint_json_v2_inline_replaces_commits(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_add(&fx, "b", NULL), NULL);
	fx_commit(&fx, 2, fx_add(&fx, "c", NULL), NULL);
	char *cp = NULL;
	if (asprintf(&cp, "{\"checkpointMetadata\":{\"version\":1}}\n%s\n%s\n%s\n", FX_PROTOCOL_1_4,
		     fx_metadata(&fx, "\"k\":\"from-checkpoint\""), fx_add(&fx, "from-cp", NULL)) < 0)
		abort();
	fx_write(&fx, "_delta_log/" V2_CHECKPOINT_NAME, cp);
	free(cp);
	fx_remove_log_file(&fx, "00000000000000000000.json");
	fx_commit_mtime(&fx, 1, 1500000000000LL);
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 1);
	assert_null(s->checkpoint_skipped);
	assert_string_equal(delta_map_get(&s->metadata.configuration, "k"), "from-checkpoint");
	assert_int_equal(s->n_files, 2);
	assert_string_equal(s->files[0].path, "c");
	assert_string_equal(s->files[1].path, "from-cp");
	fx_snapshot_unload(s);
	/* at the checkpoint's own version the commitInfo still comes from the commit file */
	s = fx_snapshot_load(&fx, 1, NULL);
	assert_int_equal(s->checkpoint_version, 1);
	assert_int_equal(s->n_files, 1);
	assert_true(s->has_commit_info == false);
	assert_int_equal(s->commit_timestamp, 1500000000000LL);
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

/* A checkpoint lakesync cannot read (here an encrypted Parquet file) is passed over when every
 * commit from 0 is still there. */
static void test_checkpoint_unreadable_parquet_falls_back_to_commit_zero(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_add(&fx, "b", NULL), NULL);
	fx_commit(&fx, 2, fx_remove(&fx, "a", NULL), NULL);
	fx_write(&fx, "_delta_log/00000000000000000001.checkpoint.parquet", "PARE encrypted PARE");
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, -1);
	assert_non_null(s->checkpoint_skipped);
	assert_non_null(strstr(s->checkpoint_skipped, "encrypted Parquet is not supported"));
	assert_non_null(strstr(s->checkpoint_skipped, "00000000000000000001.checkpoint.parquet"));
	assert_int_equal(s->n_files, 1);
	assert_string_equal(s->files[0].path, "b");
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_checkpoint_truncated_parquet_without_full_log_fails(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_add(&fx, "b", NULL), NULL);
	fx_commit(&fx, 2, fx_remove(&fx, "a", NULL), NULL);
	fx_write(&fx, "_delta_log/00000000000000000001.checkpoint.parquet", "PAR1 cut short");
	fx_remove_log_file(&fx, "00000000000000000000.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, -1, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "checkpoint 1 (00000000000000000001.checkpoint.parquet)"));
	assert_non_null(strstr(err.message, "not a Parquet file"));
	fx_cleanup(&fx);
}

/* A damaged checkpoint is only a lost shortcut while the whole log is there. */
static void test_checkpoint_truncated_parquet_with_full_log_falls_back(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_add(&fx, "b", NULL), NULL);
	fx_commit(&fx, 2, fx_remove(&fx, "a", NULL), NULL);
	fx_write(&fx, "_delta_log/00000000000000000001.checkpoint.parquet", "PAR1 cut short");
	struct delta_snapshot *s = fx_snapshot_load(&fx, -1, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, -1);
	assert_non_null(s->checkpoint_skipped);
	assert_non_null(strstr(s->checkpoint_skipped, "not a Parquet file"));
	assert_int_equal(s->n_files, 1);
	assert_string_equal(s->files[0].path, "b");
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_checkpoint_v2_json_missing_sidecar_is_log_truncated(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 1, fx_add(&fx, "b", NULL), NULL);
	char *cp = NULL;
	if (asprintf(&cp, "{\"checkpointMetadata\":{\"version\":1}}\n%s\n%s\n"
			  "{\"sidecar\":{\"path\":\"x.parquet\",\"sizeInBytes\":1,\"modificationTime\":1}}\n",
		     FX_PROTOCOL_1_4, fx_metadata(&fx, "\"k\":\"from-checkpoint\"")) < 0)
		abort();
	fx_write(&fx, "_delta_log/" V2_CHECKPOINT_NAME, cp);
	free(cp);
	fx_remove_log_file(&fx, "00000000000000000000.json"); /* no replay from commit 0 */
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, -1, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);
	assert_non_null(strstr(err.message, "sidecar x.parquet"));
	assert_non_null(strstr(err.message, V2_CHECKPOINT_NAME));
	fx_cleanup(&fx);
}

static void test_snapshot_unknown_reader_feature_refused(void **state)
{
	struct fx fx;
	fx_init(&fx);
	fx_commit(&fx, 0,
		  "{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7,"
		  "\"readerFeatures\":[\"catalogManaged\"],\"writerFeatures\":[]}}",
		  fx_metadata(&fx, ""), NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, -1, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	assert_non_null(strstr(err.message, "catalogManaged"));
	fx_cleanup(&fx);
}

static void test_snapshot_resolve_paths(void **state)
{
	struct fx fx;
	create_table(&fx);
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct lk_error err = LK_ERROR_INIT;
	char *p = delta_table_resolve_path(t, "part=1/f.parquet", &err);
	assert_non_null(strstr(p, "/part=1/f.parquet"));
	assert_true(strncmp(p, fx.root, strlen(fx.root)) == 0);
	free(p);
	p = delta_table_resolve_path(t, "time=1971-07-22T03:06:40.000000Z/f.parquet", &err);
	assert_non_null(p); /* a colon in a partition directory is not a URI scheme */
	free(p);
	p = delta_table_resolve_path(t, "file:///data/x.parquet", &err);
	assert_string_equal(p, "/data/x.parquet");
	free(p);
	assert_null(delta_table_resolve_path(t, "s3://bucket/x.parquet", &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	delta_table_free(t);
	fx_cleanup(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_replay_remove_before_add),
		cmocka_unit_test(test_replay_file_key_includes_dv),
		cmocka_unit_test(test_replay_remove_then_readd),
		cmocka_unit_test(test_replay_metadata_and_protocol_last_wins),
		cmocka_unit_test(test_replay_without_metadata_is_corrupt),
		cmocka_unit_test(test_replay_without_protocol_is_corrupt),
		cmocka_unit_test(test_replay_txn_and_domain_metadata),
		cmocka_unit_test(test_snapshot_commit_info_and_mtime_timestamp),
		cmocka_unit_test(test_snapshot_load_at_timestamp_uses_mtime),
		cmocka_unit_test(test_snapshot_load_at_timestamp_uses_ict),
		cmocka_unit_test(test_snapshot_ict_missing_is_corrupt),
		cmocka_unit_test(test_checkpoint_json_v2_inline_replaces_commits),
		cmocka_unit_test(test_checkpoint_unreadable_parquet_falls_back_to_commit_zero),
		cmocka_unit_test(test_checkpoint_truncated_parquet_without_full_log_fails),
		cmocka_unit_test(test_checkpoint_truncated_parquet_with_full_log_falls_back),
		cmocka_unit_test(test_checkpoint_v2_json_missing_sidecar_is_log_truncated),
		cmocka_unit_test(test_snapshot_unknown_reader_feature_refused),
		cmocka_unit_test(test_snapshot_resolve_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
