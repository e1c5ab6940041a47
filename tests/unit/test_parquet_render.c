/* tests/unit/test_parquet_render.c: the JSON rendering rules of batch/render.c
 * (doc/value-format.md), one rule per test, on vectors built by hand. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "batch/batch.h"
#include "util/buf.h"

static void assert_renders(const struct lk_vector *vec, size_t row, const char *expected)
{
	struct lk_buf out = LK_BUF_INIT;
	lk_render_json_value(vec, row, &out);
	assert_string_equal(lk_buf_cstr(&out), expected);
	lk_buf_free(&out);
}

static void test_integers_are_exact(void **state)
{
	int64_t i64[] = { INT64_MIN, INT64_MAX, -1 };
	struct lk_vector v = { .type = LK_TYPE_INT64, .length = 3, .v.i64 = i64 };
	assert_renders(&v, 0, "-9223372036854775808");
	assert_renders(&v, 1, "9223372036854775807");
	v.type = LK_TYPE_UINT64;
	assert_renders(&v, 2, "18446744073709551615");
	int32_t u16[] = { 65535 };
	struct lk_vector w = { .type = LK_TYPE_UINT16, .length = 1, .v.i32 = u16 };
	assert_renders(&w, 0, "65535");
}

static void test_floats_are_shortest_round_trip(void **state)
{
	double d[] = { 0.1, 1e21, 1e-7, 123456789.125, -0.0, 1.0 / 3 };
	struct lk_vector v = { .type = LK_TYPE_DOUBLE, .length = 6, .v.f64 = d };
	assert_renders(&v, 0, "0.1");
	assert_renders(&v, 1, "1e+21");
	assert_renders(&v, 2, "1e-7");
	assert_renders(&v, 3, "123456789.125");
	assert_renders(&v, 4, "-0");
	assert_renders(&v, 5, "0.3333333333333333");
	float f[] = { 1.1f, 16777216.0f };
	struct lk_vector w = { .type = LK_TYPE_FLOAT, .length = 2, .v.f32 = f };
	assert_renders(&w, 0, "1.1");
	assert_renders(&w, 1, "16777216");
}

static void test_non_finite_floats_are_strings(void **state)
{
	double d[] = { NAN, INFINITY, -INFINITY };
	struct lk_vector v = { .type = LK_TYPE_DOUBLE, .length = 3, .v.f64 = d };
	assert_renders(&v, 0, "\"NaN\"");
	assert_renders(&v, 1, "\"Infinity\"");
	assert_renders(&v, 2, "\"-Infinity\"");
}

static void test_decimals_keep_their_scale(void **state)
{
	int64_t d[] = { -1230, 5, 0, INT64_MIN };
	struct lk_vector v = { .type = LK_TYPE_DECIMAL, .precision = 18, .scale = 2, .length = 4,
			       .v.i64 = d };
	assert_renders(&v, 0, "\"-12.30\"");
	assert_renders(&v, 1, "\"0.05\"");
	assert_renders(&v, 2, "\"0.00\"");
	assert_renders(&v, 3, "\"-92233720368547758.08\"");
	v.scale = 0;
	assert_renders(&v, 1, "\"5\"");
}

static void test_wide_decimals_from_big_endian_bytes(void **state)
{
	/* 10^38 - 1 = 0x4B3B4CA85A86C47A098A223FFFFFFFFF */
	const uint8_t max38[] = { 0x4b, 0x3b, 0x4c, 0xa8, 0x5a, 0x86, 0xc4, 0x7a,
				  0x09, 0x8a, 0x22, 0x3f, 0xff, 0xff, 0xff, 0xff };
	const uint8_t minus_one[] = { 0xff, 0xff, 0xff };
	struct lk_bytes b[] = { { max38, 16 }, { minus_one, 3 } };
	struct lk_vector v = { .type = LK_TYPE_DECIMAL, .precision = 38, .scale = 4, .length = 2,
			       .v.bytes = b };
	assert_renders(&v, 0, "\"9999999999999999999999999999999999.9999\"");
	assert_renders(&v, 1, "\"-0.0001\"");
}

static void test_strings_binary_and_uuid(void **state)
{
	const uint8_t raw[] = { 0x00, 0xff, 'a' };
	const uint8_t uuid[] = { 0x12, 0x3e, 0x45, 0x67, 0xe8, 0x9b, 0x12, 0xd3,
				 0xa4, 0x56, 0x42, 0x66, 0x14, 0x17, 0x40, 0x00 };
	struct lk_bytes b[] = { { (const uint8_t *)"say \"hi\"\n", 9 }, { raw, 3 }, { uuid, 16 } };
	struct lk_vector v = { .type = LK_TYPE_STRING, .length = 3, .v.bytes = b };
	assert_renders(&v, 0, "\"say \\\"hi\\\"\\n\"");
	v.type = LK_TYPE_BINARY;
	assert_renders(&v, 1, "\"\\\\x00ff61\"");
	v.type = LK_TYPE_UUID;
	assert_renders(&v, 2, "\"123e4567-e89b-12d3-a456-426614174000\"");
}

static void test_dates_times_and_timestamps(void **state)
{
	int32_t days[] = { 0, -1, 2932896 };
	struct lk_vector d = { .type = LK_TYPE_DATE, .length = 3, .v.i32 = days };
	assert_renders(&d, 0, "\"1970-01-01\"");
	assert_renders(&d, 1, "\"1969-12-31\"");
	assert_renders(&d, 2, "\"9999-12-31\"");
	int64_t us[] = { INT64_C(1700000000123456), -1, INT64_C(45296000007) };
	struct lk_vector t = { .type = LK_TYPE_TIMESTAMP, .length = 3, .v.i64 = us };
	assert_renders(&t, 0, "\"2023-11-14T22:13:20.123456Z\"");
	assert_renders(&t, 1, "\"1969-12-31T23:59:59.999999Z\"");
	t.type = LK_TYPE_TIMESTAMP_NTZ;
	assert_renders(&t, 0, "\"2023-11-14T22:13:20.123456\"");
	t.type = LK_TYPE_TIME;
	assert_renders(&t, 2, "\"12:34:56.000007\"");
}

static void test_interval_is_an_iso_duration(void **state)
{
	const uint8_t raw[12] = { 14, 0, 0, 0, 3, 0, 0, 0, 0x39, 0x30, 0, 0 }; /* 12345 ms */
	struct lk_bytes b[] = { { raw, 12 } };
	struct lk_vector v = { .type = LK_TYPE_INTERVAL, .length = 1, .v.bytes = b };
	assert_renders(&v, 0, "\"P14M3DT12.345S\"");
}

static void test_nested_values_and_nulls(void **state)
{
	/* list<int32>: [1, null], null, [] */
	int32_t elems[] = { 1, 0 };
	uint8_t elem_nulls[] = { 0, 1 };
	uint32_t offsets[] = { 0, 2, 2, 2 };
	uint8_t list_nulls[] = { 0, 1, 0 };
	struct lk_vector element = { .type = LK_TYPE_INT32, .length = 2, .nulls = elem_nulls,
				     .v.i32 = elems };
	struct lk_vector list = { .type = LK_TYPE_LIST, .length = 3, .nulls = list_nulls,
				  .offsets = offsets, .children = &element, .n_children = 1 };
	assert_renders(&list, 0, "[1,null]");
	assert_renders(&list, 1, "null");
	assert_renders(&list, 2, "[]");
	/* struct {a: list} */
	struct lk_vector field = list;
	field.name = "a";
	struct lk_vector st = { .type = LK_TYPE_STRUCT, .length = 3, .children = &field,
				.n_children = 1 };
	assert_renders(&st, 0, "{\"a\":[1,null]}");
	struct lk_vector null_vec = { .type = LK_TYPE_NULL, .length = 1 };
	assert_renders(&null_vec, 0, "null");
}

static void test_maps_key_by_text(void **state)
{
	int32_t keys[] = { 7, 19723 };
	struct lk_bytes vals[] = { { (const uint8_t *)"x", 1 }, { (const uint8_t *)"y", 1 } };
	uint32_t offsets[] = { 0, 2 };
	struct lk_vector kv[2] = {
		{ .type = LK_TYPE_INT32, .length = 2, .v.i32 = keys },
		{ .type = LK_TYPE_STRING, .length = 2, .v.bytes = vals },
	};
	struct lk_vector map = { .type = LK_TYPE_MAP, .length = 1, .offsets = offsets,
				 .children = kv, .n_children = 2 };
	assert_renders(&map, 0, "{\"7\":\"x\",\"19723\":\"y\"}");
	kv[0].type = LK_TYPE_DATE;
	assert_renders(&map, 0, "{\"1970-01-08\":\"x\",\"2024-01-01\":\"y\"}");
}

static void test_rows_are_objects_in_column_order(void **state)
{
	struct lk_batch *batch = lk_batch_new(2);
	batch->n_rows = 1;
	int32_t *ids = lk_batch_alloc(batch, sizeof *ids);
	ids[0] = 3;
	batch->columns[0] = (struct lk_vector){ .type = LK_TYPE_INT32, .length = 1, .v.i32 = ids };
	batch->columns[0].name = strdup("id");
	batch->columns[1] = (struct lk_vector){ .type = LK_TYPE_NULL, .length = 1 };
	batch->columns[1].name = strdup("n\"x");
	struct lk_buf out = LK_BUF_INIT;
	lk_render_json_row(batch, 0, &out);
	assert_string_equal(lk_buf_cstr(&out), "{\"id\":3,\"n\\\"x\":null}");
	lk_buf_free(&out);
	lk_batch_free(batch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_integers_are_exact),
		cmocka_unit_test(test_floats_are_shortest_round_trip),
		cmocka_unit_test(test_non_finite_floats_are_strings),
		cmocka_unit_test(test_decimals_keep_their_scale),
		cmocka_unit_test(test_wide_decimals_from_big_endian_bytes),
		cmocka_unit_test(test_strings_binary_and_uuid),
		cmocka_unit_test(test_dates_times_and_timestamps),
		cmocka_unit_test(test_interval_is_an_iso_duration),
		cmocka_unit_test(test_nested_values_and_nulls),
		cmocka_unit_test(test_maps_key_by_text),
		cmocka_unit_test(test_rows_are_objects_in_column_order),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
