/* tests/unit/test_delta_partition.c: serialized partition values of every type into typed
 * constants, the null forms, exact decimals, both timestamp forms, and constant columns. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delta/internal.h"
#include "util/clock.h"

static struct delta_type type_of(enum delta_type_kind kind)
{
	return (struct delta_type){ .kind = kind };
}

static struct delta_value parse_ok(enum delta_type_kind kind, const char *text)
{
	struct delta_type t = type_of(kind);
	struct delta_value v;
	struct lk_error err = LK_ERROR_INIT;
	if (!delta_partition_value_parse(&t, text, "col", &v, &err))
		fail_msg("%s", err.message);
	return v;
}

static void test_partition_value_null_forms(void **state)
{
	struct delta_value v = parse_ok(DELTA_TYPE_INTEGER, NULL);
	assert_true(v.is_null);
	v = parse_ok(DELTA_TYPE_DATE, "");
	assert_true(v.is_null);
	v = parse_ok(DELTA_TYPE_STRING, "");
	assert_true(v.is_null);
}

static void test_partition_value_null_string_is_literal(void **state)
{
	struct delta_value v = parse_ok(DELTA_TYPE_STRING, "null");
	assert_false(v.is_null);
	assert_string_equal(v.bytes, "null");
	assert_int_equal(v.type, LK_TYPE_STRING);
	delta_value_clear(&v);
}

static void test_partition_value_integers_and_ranges(void **state)
{
	assert_int_equal(parse_ok(DELTA_TYPE_LONG, "-9223372036854775808").i64, INT64_MIN);
	assert_int_equal(parse_ok(DELTA_TYPE_BYTE, "-128").i64, -128);
	struct delta_type t = type_of(DELTA_TYPE_BYTE);
	struct delta_value v;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_partition_value_parse(&t, "128", "small", &v, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "small"));
	assert_non_null(strstr(err.message, "'128'"));
	t = type_of(DELTA_TYPE_INTEGER);
	assert_false(delta_partition_value_parse(&t, "12x", "c", &v, &err));
}

static void test_partition_value_floats_and_booleans(void **state)
{
	assert_true(parse_ok(DELTA_TYPE_DOUBLE, "1.5").f64 == 1.5);
	assert_true(parse_ok(DELTA_TYPE_FLOAT, "-0.25").f64 == -0.25);
	assert_true(parse_ok(DELTA_TYPE_DOUBLE, "NaN").f64 != parse_ok(DELTA_TYPE_DOUBLE, "NaN").f64);
	assert_true(parse_ok(DELTA_TYPE_DOUBLE, "-Infinity").f64 < -1e308);
	assert_true(parse_ok(DELTA_TYPE_BOOLEAN, "true").b);
	assert_false(parse_ok(DELTA_TYPE_BOOLEAN, "false").b);
}

static struct delta_value decimal(int p, int s, const char *text, bool *ok)
{
	struct delta_type t = { .kind = DELTA_TYPE_DECIMAL, .precision = (uint8_t)p,
				.scale = (uint8_t)s };
	struct delta_value v;
	*ok = delta_partition_value_parse(&t, text, "d", &v, NULL);
	return v;
}

static void test_partition_value_decimal_exact(void **state)
{
	bool ok;
	assert_int_equal(decimal(12, 5, "-2342342.23423", &ok).i64, -234234223423LL);
	assert_true(ok);
	assert_int_equal(decimal(12, 5, "0.00004", &ok).i64, 4);
	assert_int_equal(decimal(10, 2, "1.5", &ok).i64, 150);
	assert_int_equal(decimal(10, 2, "1E+2", &ok).i64, 10000);
	assert_int_equal(decimal(10, 7, "1E-7", &ok).i64, 1);
	decimal(10, 2, "1.234", &ok);
	assert_false(ok); /* would round */
	decimal(3, 0, "1000", &ok);
	assert_false(ok); /* too many digits */
	struct delta_value big = decimal(38, 0, "-1", &ok);
	assert_true(ok);
	for (int i = 0; i < 16; i++)
		assert_int_equal(big.decimal_be[i], 0xff);
	big = decimal(38, 2, "12345678901234567890123456789012345.67", &ok);
	assert_true(ok);
	assert_int_equal(big.decimal_be[15], 0x87); /* the unscaled value mod 256 */
}

static void test_partition_value_date(void **state)
{
	assert_int_equal(parse_ok(DELTA_TYPE_DATE, "1970-01-02").i64, 1);
	assert_int_equal(parse_ok(DELTA_TYPE_DATE, "2021-09-08").i64, 18878);
	struct delta_type t = type_of(DELTA_TYPE_DATE);
	struct delta_value v;
	assert_false(delta_partition_value_parse(&t, "2021-02-30", "d", &v, NULL));
	assert_false(delta_partition_value_parse(&t, "2021-9-8", "d", &v, NULL));
}

static void test_partition_value_timestamp_both_forms(void **state)
{
	/* 2021-09-08T11:11:11Z = 1631099471 s */
	int64_t zone_less = parse_ok(DELTA_TYPE_TIMESTAMP, "2021-09-08 11:11:11").i64;
	int64_t iso = parse_ok(DELTA_TYPE_TIMESTAMP, "2021-09-08T11:11:11.000000Z").i64;
	assert_int_equal(zone_less, INT64_C(1631099471000000));
	assert_int_equal(iso, zone_less);
	assert_int_equal(parse_ok(DELTA_TYPE_TIMESTAMP, "1971-07-22T03:06:40.000000Z").i64,
			 INT64_C(49000000000000));
	assert_int_equal(parse_ok(DELTA_TYPE_TIMESTAMP, "2021-09-08 11:11:11.5").i64,
			 INT64_C(1631099471500000));
	assert_int_equal(parse_ok(DELTA_TYPE_TIMESTAMP, "2021-09-08T13:11:11+02:00").i64,
			 INT64_C(1631099471000000));
}

static void test_partition_value_timestamp_ntz(void **state)
{
	struct delta_value v = parse_ok(DELTA_TYPE_TIMESTAMP_NTZ, "2013-07-05 17:01:00.123456");
	assert_int_equal(v.type, LK_TYPE_TIMESTAMP_NTZ);
	assert_int_equal(v.i64, INT64_C(1373043660123456));
	struct delta_type t = type_of(DELTA_TYPE_TIMESTAMP_NTZ);
	assert_false(delta_partition_value_parse(&t, "2013-07-05 17:01:00+02:00", "c", &v, NULL));
}

static void test_partition_value_binary_and_unsupported(void **state)
{
	struct delta_value v = parse_ok(DELTA_TYPE_BINARY, "\x01\x02");
	assert_int_equal(v.len, 2);
	assert_int_equal(v.type, LK_TYPE_BINARY);
	delta_value_clear(&v);
	struct delta_type t = type_of(DELTA_TYPE_STRUCT);
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_partition_value_parse(&t, "x", "c", &v, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
}

static void test_partition_value_fills_constant_column(void **state)
{
	struct delta_value v = parse_ok(DELTA_TYPE_STRING, "abc");
	struct lk_batch *batch = lk_batch_new(2);
	delta_value_fill_vector(&v, batch, &batch->columns[0], 3);
	assert_int_equal(batch->columns[0].type, LK_TYPE_STRING);
	assert_int_equal(batch->columns[0].v.bytes[2].len, 3);
	assert_memory_equal(batch->columns[0].v.bytes[2].ptr, "abc", 3);
	delta_value_clear(&v);
	v = parse_ok(DELTA_TYPE_INTEGER, NULL);
	delta_value_fill_vector(&v, batch, &batch->columns[1], 3);
	assert_true(lk_vector_is_null(&batch->columns[1], 1));
	lk_batch_free(batch);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_partition_value_null_forms),
		cmocka_unit_test(test_partition_value_null_string_is_literal),
		cmocka_unit_test(test_partition_value_integers_and_ranges),
		cmocka_unit_test(test_partition_value_floats_and_booleans),
		cmocka_unit_test(test_partition_value_decimal_exact),
		cmocka_unit_test(test_partition_value_date),
		cmocka_unit_test(test_partition_value_timestamp_both_forms),
		cmocka_unit_test(test_partition_value_timestamp_ntz),
		cmocka_unit_test(test_partition_value_binary_and_unsupported),
		cmocka_unit_test(test_partition_value_fills_constant_column),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
