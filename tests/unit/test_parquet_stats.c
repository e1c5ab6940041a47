/* tests/unit/test_parquet_stats.c: what the reader keeps of column chunk statistics and what
 * pq_file_chunk_all_equal() concludes from them, on files from our writer (several row
 * groups: all equal, mixed, with a null, values past the 64-byte limit, statistics omitted)
 * and on footers built by hand (test_parquet_builder.h: the deprecated min/max, values
 * declared inexact, a missing null count, writers known to get min/max wrong); and
 * pq_reader_skip_row_group(), alone and with pq_reader_set_row_groups(). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch.h"
#include "parquet/parquet.h"
#include "parquet/writer.h"
#include "test_parquet_builder.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/xmalloc.h"

enum {
	ROWS_PER_GROUP = 3,
	N_GROUPS = 5,
	LEAF_ID = 0,
	LEAF_S = 1,
	LEAF_X = 2,
};

/* 65 bytes: one more than the reader keeps. */
static const char LONG_VALUE[] =
	"0123456789012345678901234567890123456789012345678901234567890123x";
/* 64 bytes: exactly what the reader keeps. */
static const char LIMIT_VALUE[] =
	"0123456789012345678901234567890123456789012345678901234567890123";

/* Row groups of three rows each, as (id, s, x):
 *   0: ids 7, 7, 7;  s "a", "a", "a"   all equal
 *   1: ids 1, 2, 3;  s "a", "b", "a"   mixed
 *   2: ids 4, 5, 6;  s "a", null, "a"  a null
 *   3: ids 8, 9, 10; s LONG_VALUE x3   all equal, too long to keep
 *   4: ids 11..13;   s LIMIT_VALUE x3  all equal, just short enough
 * x is a double, 1.0 everywhere. */
static const char *const S_VALUES[N_GROUPS * ROWS_PER_GROUP] = {
	"a", "a", "a", "a", "b", "a", "a", NULL, "a",
	LONG_VALUE, LONG_VALUE, LONG_VALUE, LIMIT_VALUE, LIMIT_VALUE, LIMIT_VALUE,
};
static const int64_t ID_VALUES[N_GROUPS * ROWS_PER_GROUP] = {
	7, 7, 7, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13,
};

static char tmpdir[256];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "/tmp/lk_pqstats_XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	(void)state;
	char cmd[300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static struct lk_batch *sample_batch(void)
{
	size_t n = N_GROUPS * ROWS_PER_GROUP;
	struct lk_batch *b = lk_batch_new(3);
	b->n_rows = n;
	struct lk_vector *id = &b->columns[0], *s = &b->columns[1], *x = &b->columns[2];
	*id = (struct lk_vector){ .name = xstrdup("id"), .type = LK_TYPE_INT64, .length = n };
	id->v.i64 = lk_batch_alloc(b, n * sizeof *id->v.i64);
	memcpy(id->v.i64, ID_VALUES, n * sizeof *id->v.i64);
	*s = (struct lk_vector){ .name = xstrdup("s"), .type = LK_TYPE_STRING, .length = n };
	s->v.bytes = lk_batch_alloc(b, n * sizeof *s->v.bytes);
	s->nulls = lk_batch_alloc(b, n);
	memset(s->nulls, 0, n);
	*x = (struct lk_vector){ .name = xstrdup("x"), .type = LK_TYPE_DOUBLE, .length = n };
	x->v.f64 = lk_batch_alloc(b, n * sizeof *x->v.f64);
	for (size_t i = 0; i < n; i++) {
		x->v.f64[i] = 1.0;
		if (S_VALUES[i] == NULL) {
			s->nulls[i] = 1;
			continue;
		}
		s->v.bytes[i] = (struct lk_bytes){ .ptr = (const uint8_t *)S_VALUES[i],
						   .len = (uint32_t)strlen(S_VALUES[i]) };
	}
	return b;
}

/* Writes the sample with our writer, ROWS_PER_GROUP rows per row group, and opens it. */
static struct pq_file *open_sample(const char *name, bool omit_statistics)
{
	static const struct pq_field fields[] = {
		{ .name = "id", .type = LK_TYPE_INT64, .nullable = true },
		{ .name = "s", .type = LK_TYPE_STRING, .nullable = true },
		{ .name = "x", .type = LK_TYPE_DOUBLE, .nullable = true },
	};
	struct pq_write_schema schema = { .fields = fields, .n_fields = 3 };
	struct pq_writer_options opts = { .row_group_rows = ROWS_PER_GROUP,
					  .omit_statistics = omit_statistics };
	char *path = xasprintf("%s/%s", tmpdir, name);
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, &opts, &err);
	if (w == NULL)
		fail_msg("open: %s", err.message);
	struct lk_batch *b = sample_batch();
	if (!pq_writer_write_batch(w, b, &err) || !pq_writer_close(w, NULL, &err))
		fail_msg("write: %s", err.message);
	lk_batch_free(b);
	struct pq_file *f = pq_file_open(path, &err);
	if (f == NULL)
		fail_msg("read: %s", err.message);
	assert_int_equal(pq_file_num_row_groups(f), N_GROUPS);
	free(path);
	return f;
}

static bool all_equal_str(const struct pq_file *f, size_t row_group, const char *value)
{
	return pq_file_chunk_all_equal(f, row_group, LEAF_S, value, strlen(value));
}

static void test_string_chunk_all_equal_only_when_proven(void **state)
{
	(void)state;
	struct pq_file *f = open_sample("s.parquet", false);
	assert_true(all_equal_str(f, 0, "a"));
	assert_false(all_equal_str(f, 0, "b"));
	assert_false(all_equal_str(f, 0, "aa"));
	assert_false(all_equal_str(f, 0, ""));
	assert_false(all_equal_str(f, 1, "a")); /* mixed */
	assert_false(all_equal_str(f, 2, "a")); /* a null */
	pq_file_close(f);
}

static void test_values_past_64_bytes_are_not_kept(void **state)
{
	(void)state;
	struct pq_file *f = open_sample("long.parquet", false);
	assert_false(all_equal_str(f, 3, LONG_VALUE));
	assert_true(all_equal_str(f, 4, LIMIT_VALUE));
	pq_file_close(f);
}

static void test_other_physical_types_compare_their_plain_bytes(void **state)
{
	(void)state;
	struct pq_file *f = open_sample("id.parquet", false);
	int64_t seven = 7, one = 1;
	assert_true(pq_file_chunk_all_equal(f, 0, LEAF_ID, &seven, sizeof seven));
	assert_false(pq_file_chunk_all_equal(f, 1, LEAF_ID, &one, sizeof one));
	double x = 1.0; /* all 1.0, but NaN would not show in min and max */
	assert_false(pq_file_chunk_all_equal(f, 0, LEAF_X, &x, sizeof x));
	pq_file_close(f);
}

static void test_out_of_range_indexes_are_false(void **state)
{
	(void)state;
	struct pq_file *f = open_sample("range.parquet", false);
	assert_false(all_equal_str(f, N_GROUPS, "a"));
	assert_false(pq_file_chunk_all_equal(f, 0, 3, "a", 1));
	pq_file_close(f);
}

static void test_omitted_statistics_prove_nothing(void **state)
{
	(void)state;
	struct pq_file *f = open_sample("omit.parquet", true);
	assert_false(all_equal_str(f, 0, "a"));
	int64_t seven = 7;
	assert_false(pq_file_chunk_all_equal(f, 0, LEAF_ID, &seven, sizeof seven));
	pq_file_close(f);
}

/* The ids of every row the reader yields, in order, as "7,7,7,1,...". */
static void read_ids(struct pq_reader *r, struct lk_buf *out)
{
	struct lk_error err = LK_ERROR_INIT;
	for (;;) {
		struct lk_batch *b;
		if (!pq_reader_next(r, &b, &err))
			fail_msg("read: %s", err.message);
		if (b == NULL)
			break;
		for (size_t i = 0; i < b->n_rows; i++)
			lk_buf_printf(out, "%s%lld", out->len ? "," : "",
				      (long long)b->columns[0].v.i64[i]);
		lk_batch_free(b);
	}
}

static void assert_ids_read(struct pq_file *f, size_t first, size_t count, const size_t *skip,
			    size_t n_skip, const char *expected)
{
	struct lk_error err = LK_ERROR_INIT;
	const char *const columns[] = { "id" };
	struct pq_reader *r = pq_reader_open(f, columns, 1, &err);
	assert_non_null(r);
	if (count > 0)
		pq_reader_set_row_groups(r, first, count);
	for (size_t i = 0; i < n_skip; i++)
		pq_reader_skip_row_group(r, skip[i]);
	struct lk_buf ids = LK_BUF_INIT;
	read_ids(r, &ids);
	assert_string_equal(lk_buf_cstr(&ids), expected);
	lk_buf_free(&ids);
	pq_reader_close(r);
}

static void test_reader_skips_exactly_the_row_groups_left_out(void **state)
{
	(void)state;
	struct pq_file *f = open_sample("skip.parquet", false);
	assert_ids_read(f, 0, 0, NULL, 0, "7,7,7,1,2,3,4,5,6,8,9,10,11,12,13");
	assert_ids_read(f, 0, 0, (const size_t[]){ 1 }, 1, "7,7,7,4,5,6,8,9,10,11,12,13");
	assert_ids_read(f, 0, 0, (const size_t[]){ 0, 4 }, 2, "1,2,3,4,5,6,8,9,10");
	assert_ids_read(f, 0, 0, (const size_t[]){ 0, 1, 2, 3, 4 }, 5, "");
	assert_ids_read(f, 0, 0, (const size_t[]){ N_GROUPS, 99 }, 2,
			"7,7,7,1,2,3,4,5,6,8,9,10,11,12,13");
	pq_file_close(f);
}

static void test_reader_skip_combines_with_a_row_group_range(void **state)
{
	(void)state;
	struct pq_file *f = open_sample("skip_range.parquet", false);
	assert_ids_read(f, 1, 3, (const size_t[]){ 2 }, 1, "1,2,3,8,9,10");
	assert_ids_read(f, 1, 2, (const size_t[]){ 0, 1 }, 2, "4,5,6");
	pq_file_close(f);
}

/* ---- footers built by hand ------------------------------------------------------------- */

/* s: optional STRING, two rows "x", "x", with the given statistics. */
static struct pq_file *open_built(const struct pqb_stats *stats, const char *created_by)
{
	static const struct pqb_element schema[] = {
		{ .name = "schema", .type = PQB_GROUP, .repetition = -1, .num_children = 1,
		  .converted = PQB_NONE, .field_id = PQB_NONE },
		{ .name = "s", .type = 6, .repetition = 1, .converted = PQB_NONE, .logical = 1,
		  .field_id = PQB_NONE },
	};
	struct pqb_chunk chunk = { .physical = 6, .num_values = 2, .n_pages = 1, .stats = stats };
	chunk.pages[0] = (struct pqb_page){ .type = 0, .num_values = 2, .encoding = 0 };
	uint8_t def[] = { 1, 1 };
	enc_levels(&chunk.pages[0].body, def, 2, 1, true);
	const char *values[] = { "x", "x" };
	enc_plain_strings(&chunk.pages[0].body, values, 2);
	struct lk_buf file = LK_BUF_INIT;
	pqb_file_by(&file, schema, 2, &chunk, 1, 2, created_by);
	struct lk_error err = LK_ERROR_INIT;
	struct pq_file *f = pq_file_open_memory(file.data, file.len, "t.parquet", &err);
	if (f == NULL)
		fail_msg("open: %s", err.message);
	lk_buf_free(&file);
	return f;
}

static bool built_all_equal(const struct pqb_stats *stats, const char *created_by,
			    const char *value)
{
	struct pq_file *f = open_built(stats, created_by);
	bool equal = pq_file_chunk_all_equal(f, 0, 0, value, strlen(value));
	pq_file_close(f);
	return equal;
}

static void test_current_bounds_with_a_zero_null_count_prove_equality(void **state)
{
	(void)state;
	struct pqb_stats st = { .has_null_count = true, .min_value = "x", .max_value = "x" };
	assert_true(built_all_equal(&st, "w", "x"));
	assert_false(built_all_equal(&st, "w", "y"));
	st.has_exact = true;
	st.exact = true;
	assert_true(built_all_equal(&st, "w", "x"));
}

static void test_missing_null_count_or_bound_proves_nothing(void **state)
{
	(void)state;
	struct pqb_stats no_nulls = { .min_value = "x", .max_value = "x" };
	assert_false(built_all_equal(&no_nulls, "w", "x"));
	struct pqb_stats no_min = { .has_null_count = true, .max_value = "x" };
	assert_false(built_all_equal(&no_min, "w", "x"));
	struct pqb_stats no_max = { .has_null_count = true, .min_value = "x" };
	assert_false(built_all_equal(&no_max, "w", "x"));
	struct pqb_stats nulls = { .has_null_count = true, .null_count = 1, .min_value = "x",
				   .max_value = "x" };
	assert_false(built_all_equal(&nulls, "w", "x"));
}

static void test_bounds_declared_inexact_prove_nothing(void **state)
{
	(void)state;
	struct pqb_stats st = { .has_null_count = true, .min_value = "x", .max_value = "x",
				.has_exact = true, .exact = false };
	assert_false(built_all_equal(&st, "w", "x"));
}

static void test_deprecated_bounds_serve_only_when_current_ones_are_absent(void **state)
{
	(void)state;
	struct pqb_stats old = { .has_null_count = true, .min = "x", .max = "x" };
	assert_true(built_all_equal(&old, "w", "x"));
	assert_false(built_all_equal(&old, "w", "y"));
	/* The current pair wins even where the deprecated one would prove equality. */
	struct pqb_stats both = { .has_null_count = true, .min = "x", .max = "x",
				  .min_value = "x", .max_value = "y" };
	assert_false(built_all_equal(&both, "w", "x"));
}

static void test_deprecated_bounds_of_old_parquet_mr_prove_nothing(void **state)
{
	(void)state;
	struct pqb_stats old = { .has_null_count = true, .min = "x", .max = "x" };
	assert_false(built_all_equal(&old, "parquet-mr version 1.7.0 (build abc)", "x"));
	assert_false(built_all_equal(&old, "parquet-mr version 1.6.0", "x"));
	assert_false(built_all_equal(&old, "parquet-mr version unknown", "x"));
	assert_true(built_all_equal(&old, "parquet-mr version 1.8.0 (build abc)", "x"));
	assert_true(built_all_equal(&old, "parquet-mr version 1.12.3 (build abc)", "x"));
	/* Its current bounds are fine. */
	struct pqb_stats current = { .has_null_count = true, .min_value = "x", .max_value = "x" };
	assert_true(built_all_equal(&current, "parquet-mr version 1.7.0 (build abc)", "x"));
}

static void test_footer_bounds_past_the_limit_are_dropped(void **state)
{
	(void)state;
	size_t huge_len = 1 << 20;
	char *huge = xmalloc(huge_len + 1);
	memset(huge, 'z', huge_len);
	huge[huge_len] = '\0';
	struct pqb_stats st = { .has_null_count = true, .min_value = huge, .max_value = huge };
	assert_false(built_all_equal(&st, "w", huge));
	struct pqb_stats limit = { .has_null_count = true, .min_value = LIMIT_VALUE,
				   .max_value = LIMIT_VALUE };
	assert_true(built_all_equal(&limit, "w", LIMIT_VALUE));
	struct pqb_stats over = { .has_null_count = true, .min_value = LONG_VALUE,
				  .max_value = LONG_VALUE };
	assert_false(built_all_equal(&over, "w", LONG_VALUE));
	free(huge);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_string_chunk_all_equal_only_when_proven),
		cmocka_unit_test(test_values_past_64_bytes_are_not_kept),
		cmocka_unit_test(test_other_physical_types_compare_their_plain_bytes),
		cmocka_unit_test(test_out_of_range_indexes_are_false),
		cmocka_unit_test(test_omitted_statistics_prove_nothing),
		cmocka_unit_test(test_reader_skips_exactly_the_row_groups_left_out),
		cmocka_unit_test(test_reader_skip_combines_with_a_row_group_range),
		cmocka_unit_test(test_current_bounds_with_a_zero_null_count_prove_equality),
		cmocka_unit_test(test_missing_null_count_or_bound_proves_nothing),
		cmocka_unit_test(test_bounds_declared_inexact_prove_nothing),
		cmocka_unit_test(test_deprecated_bounds_serve_only_when_current_ones_are_absent),
		cmocka_unit_test(test_deprecated_bounds_of_old_parquet_mr_prove_nothing),
		cmocka_unit_test(test_footer_bounds_past_the_limit_are_dropped),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
