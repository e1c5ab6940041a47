/* tests/unit/test_delta_log.c: _delta_log file names, listing, _last_checkpoint as a hint,
 * checkpoint choice, and how gaps and cleaned-away history are told apart. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delta/internal.h"
#include "tests/delta/fixture.h"

/* ---- names -------------------------------------------------------------------------- */

static void test_log_classify_commit_and_checkpoints(void **state)
{
	struct delta_log_file f;
	assert_true(delta_log_classify("00000000000000000007.json", &f));
	assert_int_equal(f.kind, DELTA_LOG_COMMIT);
	assert_int_equal(f.version, 7);
	assert_true(delta_log_classify("00000000000000000010.checkpoint.parquet", &f));
	assert_int_equal(f.kind, DELTA_LOG_CHECKPOINT_CLASSIC);
	assert_true(f.is_parquet);
	assert_true(delta_log_classify("00000000000000000001.checkpoint.0000000002.0000000005.parquet",
				       &f));
	assert_int_equal(f.kind, DELTA_LOG_CHECKPOINT_MULTIPART);
	assert_int_equal(f.part, 2);
	assert_int_equal(f.parts, 5);
	assert_true(delta_log_classify(
		"00000000000000000006.checkpoint.2a15d0c6-8b11-4a98-bab4-957905d62f7f.json", &f));
	assert_int_equal(f.kind, DELTA_LOG_CHECKPOINT_UUID);
	assert_false(f.is_parquet);
	assert_true(delta_log_classify("00000000000000000006.00000000000000000010.compacted.json",
				       &f));
	assert_int_equal(f.kind, DELTA_LOG_COMPACTION);
	assert_int_equal(f.version, 6);
	assert_int_equal(f.end_version, 10);
	assert_true(delta_log_classify("00000000000000000003.crc", &f));
	assert_int_equal(f.kind, DELTA_LOG_CRC);
}

static void test_log_classify_rejects_junk(void **state)
{
	struct delta_log_file f;
	static const char *const junk[] = {
		".00000000000000000000.json.crc",
		"._00000000000000000000.json",
		"0000000000000000000.json",   /* 19 digits */
		"000000000000000000001.json", /* 21 digits */
		"00000000000000000001.json.tmp",
		"00000000000000000001.checkpoint.0000000003.0000000002.parquet", /* part > parts */
		"00000000000000000001.checkpoint.not-a-uuid.json",
		"00000000000000000005.00000000000000000001.compacted.json",       /* y < x */
		"_last_checkpoint",
		"_commits",
		".DS_Store",
	};
	for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
		assert_false(delta_log_classify(junk[i], &f));
}

/* ---- listing and segments ----------------------------------------------------------- */

static void commit_basic(struct fx *fx, long long v)
{
	if (v == 0)
		fx_commit(fx, 0, FX_PROTOCOL_1_4, fx_metadata(fx, ""), fx_add(fx, "a.parquet", NULL),
			  NULL);
	else
		fx_commit(fx, v, "{\"commitInfo\":{\"timestamp\":5}}", NULL);
}

static void test_log_listing_ignores_hidden_and_sidecars(void **state)
{
	struct fx fx;
	fx_init(&fx);
	commit_basic(&fx, 0);
	fx_write(&fx, "_delta_log/._00000000000000000000.json", "junk");
	fx_write(&fx, "_delta_log/.00000000000000000000.json.crc", "junk");
	fx_mkdir(&fx, "_delta_log/_sidecars");
	fx_write(&fx, "_delta_log/_sidecars/00000000000000000001.json", "junk");
	fx_mkdir(&fx, "_delta_log/_commits");
	struct delta_table *t = delta_table_open(fx.root, NULL);
	assert_non_null(t);
	struct delta_listing ls;
	assert_true(delta_log_list(t, &ls, NULL));
	assert_int_equal(ls.n, 1);
	assert_int_equal(ls.latest_version, 0);
	delta_listing_free(&ls);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_log_gap_is_error(void **state)
{
	struct fx fx;
	fx_init(&fx);
	for (int v = 0; v <= 3; v++)
		commit_basic(&fx, v);
	fx_remove_log_file(&fx, "00000000000000000002.json");
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_snapshot_load(t, -1, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "commit 2 "));
	/* the version before the gap still loads */
	struct delta_snapshot *s = delta_snapshot_load(t, 1, &err);
	assert_non_null(s);
	delta_snapshot_free(s);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_log_cleaned_history_is_truncated(void **state)
{
	struct fx fx;
	fx_init(&fx);
	for (int v = 0; v <= 4; v++)
		commit_basic(&fx, v);
	fx_remove_log_file(&fx, "00000000000000000000.json");
	fx_remove_log_file(&fx, "00000000000000000001.json");
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_snapshot_load(t, 3, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_log_version_past_latest_not_found(void **state)
{
	struct fx fx;
	fx_init(&fx);
	commit_basic(&fx, 0);
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_snapshot_load(t, 5, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_log_not_a_table(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_table_open("/nonexistent/lakesync/table", &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
}

static void test_log_incomplete_multipart_checkpoint_skipped(void **state)
{
	struct fx fx;
	fx_init(&fx);
	for (int v = 0; v <= 3; v++)
		commit_basic(&fx, v);
	fx_write(&fx, "_delta_log/00000000000000000002.checkpoint.0000000001.0000000002.parquet", "x");
	fx_write(&fx, "_delta_log/00000000000000000001.checkpoint.parquet", "x");
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_listing ls;
	assert_true(delta_log_list(t, &ls, NULL));
	struct delta_segment seg;
	assert_true(delta_segment_build(t, &ls, -1, &seg, NULL));
	assert_true(seg.has_checkpoint);
	assert_int_equal(seg.checkpoint.version, 1); /* v2 lacks part 2 of 2 */
	assert_int_equal(seg.n_commits, 2);
	assert_true(seg.commits_from_zero);
	delta_segment_free(&seg);
	delta_listing_free(&ls);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_log_newest_checkpoint_at_or_before_version(void **state)
{
	struct fx fx;
	fx_init(&fx);
	for (int v = 0; v <= 5; v++)
		commit_basic(&fx, v);
	fx_write(&fx, "_delta_log/00000000000000000002.checkpoint.parquet", "x");
	fx_write(&fx, "_delta_log/00000000000000000004.checkpoint.parquet", "x");
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_listing ls;
	assert_true(delta_log_list(t, &ls, NULL));
	struct delta_segment seg;
	assert_true(delta_segment_build(t, &ls, 3, &seg, NULL));
	assert_int_equal(seg.checkpoint.version, 2);
	assert_int_equal(seg.n_commits, 1);
	assert_int_equal(seg.commits[0]->version, 3);
	delta_segment_free(&seg);
	delta_listing_free(&ls);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_log_corrupt_last_checkpoint_is_only_a_hint(void **state)
{
	struct fx fx;
	fx_init(&fx);
	for (int v = 0; v <= 2; v++)
		commit_basic(&fx, v);
	fx_write(&fx, "_delta_log/_last_checkpoint", "{\"version\": 1, \"size\"");
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_listing ls;
	assert_true(delta_log_list(t, &ls, NULL));
	struct delta_segment seg;
	assert_true(delta_segment_build(t, &ls, -1, &seg, NULL));
	assert_int_equal(seg.hint, DELTA_HINT_CORRUPT);
	assert_false(seg.has_checkpoint);
	delta_segment_free(&seg);
	delta_listing_free(&ls);
	struct delta_snapshot *s = delta_snapshot_load(t, -1, NULL);
	assert_non_null(s);
	assert_int_equal(s->version, 2);
	delta_snapshot_free(s);
	delta_table_free(t);
	fx_cleanup(&fx);
}

static void test_log_stale_last_checkpoint_is_only_a_hint(void **state)
{
	struct fx fx;
	fx_init(&fx);
	for (int v = 0; v <= 2; v++)
		commit_basic(&fx, v);
	fx_write(&fx, "_delta_log/_last_checkpoint", "{\"version\":9,\"size\":3}");
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_listing ls;
	assert_true(delta_log_list(t, &ls, NULL));
	struct delta_segment seg;
	assert_true(delta_segment_build(t, &ls, -1, &seg, NULL));
	assert_int_equal(seg.hint, DELTA_HINT_STALE);
	assert_int_equal(seg.version, 2);
	delta_segment_free(&seg);
	delta_listing_free(&ls);
	delta_table_free(t);
	fx_cleanup(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_log_classify_commit_and_checkpoints),
		cmocka_unit_test(test_log_classify_rejects_junk),
		cmocka_unit_test(test_log_listing_ignores_hidden_and_sidecars),
		cmocka_unit_test(test_log_gap_is_error),
		cmocka_unit_test(test_log_cleaned_history_is_truncated),
		cmocka_unit_test(test_log_version_past_latest_not_found),
		cmocka_unit_test(test_log_not_a_table),
		cmocka_unit_test(test_log_incomplete_multipart_checkpoint_skipped),
		cmocka_unit_test(test_log_newest_checkpoint_at_or_before_version),
		cmocka_unit_test(test_log_corrupt_last_checkpoint_is_only_a_hint),
		cmocka_unit_test(test_log_stale_last_checkpoint_is_only_a_hint),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
