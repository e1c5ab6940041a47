/* tests/unit/test_pg_copy.c: the COPY BINARY encoder's bytes, the type map and identifier
 * rules, without a server (tests/pg/test_pg_copy_server.c loads the same data into a real
 * PostgreSQL). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg/pg.h"

static struct lk_batch *one_column_batch(enum lk_type_id type, size_t n_rows)
{
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = n_rows;
	b->columns[0].type = type;
	b->columns[0].length = n_rows;
	return b;
}

/* Encodes column 0 of batch into a fresh buffer (no header) and returns it. */
static bool encode_one(struct lk_batch *batch, enum pg_type_id type, enum pg_nul_policy policy,
		       struct lk_buf *out, struct lk_error *err)
{
	struct pg_copy_column col = { .vec = &batch->columns[0], .name = "c", .type = type };
	struct pg_copy_request req = { .columns = &col, .n_columns = 1, .n_rows = batch->n_rows,
				       .table = "s.t", .nul_policy = policy };
	struct pg_copy_encoder *enc = pg_copy_encoder_new();
	bool ok = pg_copy_encode(enc, &req, out, err);
	pg_copy_encoder_free(enc);
	return ok;
}

static void test_header_and_trailer(void **state)
{
	struct lk_buf out = LK_BUF_INIT;
	pg_copy_begin(&out);
	pg_copy_end(&out);
	static const uint8_t expected[21] = { 'P', 'G', 'C', 'O', 'P', 'Y', '\n', 0xff, '\r',
					      '\n', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	assert_int_equal(out.len, sizeof expected);
	assert_memory_equal(out.data, expected, sizeof expected);
	lk_buf_free(&out);
}

static void test_int64_with_null(void **state)
{
	struct lk_batch *b = one_column_batch(LK_TYPE_INT64, 2);
	b->columns[0].v.i64 = lk_batch_alloc(b, 2 * sizeof(int64_t));
	b->columns[0].nulls = lk_batch_alloc(b, 2);
	b->columns[0].v.i64[0] = -2;
	b->columns[0].nulls[1] = 1;
	struct lk_buf out = LK_BUF_INIT;
	assert_true(encode_one(b, PG_TYPE_BIGINT, PG_NUL_FAIL, &out, NULL));
	static const uint8_t expected[] = { 0, 1, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					    0xff, 0xfe, 0, 1, 0xff, 0xff, 0xff, 0xff };
	assert_int_equal(out.len, sizeof expected);
	assert_memory_equal(out.data, expected, sizeof expected);
	lk_buf_free(&out);
	lk_batch_free(b);
}

/* The numeric's 16-bit words after the 4-byte field length. */
static void assert_numeric(int64_t unscaled, unsigned scale, const uint16_t *words, size_t n)
{
	struct lk_batch *b = one_column_batch(LK_TYPE_DECIMAL, 1);
	b->columns[0].precision = 18;
	b->columns[0].scale = (uint8_t)scale;
	b->columns[0].v.i64 = lk_batch_alloc(b, sizeof(int64_t));
	b->columns[0].v.i64[0] = unscaled;
	struct lk_buf out = LK_BUF_INIT;
	assert_true(encode_one(b, PG_TYPE_NUMERIC, PG_NUL_FAIL, &out, NULL));
	assert_int_equal(out.len, 2 + 4 + 2 * n);
	const uint8_t *p = (const uint8_t *)out.data + 6;
	for (size_t i = 0; i < n; i++)
		assert_int_equal((p[2 * i] << 8) | p[2 * i + 1], words[i]);
	lk_buf_free(&out);
	lk_batch_free(b);
}

static void test_numeric_encoding(void **state)
{
	/* ndigits, weight, sign, dscale, digits... */
	assert_numeric(1230, 2, (const uint16_t[]){ 2, 0, 0, 2, 12, 3000 }, 6);       /* 12.30 */
	assert_numeric(-1230, 2, (const uint16_t[]){ 2, 0, 0x4000, 2, 12, 3000 }, 6); /* -12.30 */
	assert_numeric(0, 3, (const uint16_t[]){ 0, 0, 0, 3 }, 4);                     /* 0.000 */
	assert_numeric(5, 4, (const uint16_t[]){ 1, 0xffff, 0, 4, 5 }, 5);            /* 0.0005 */
	assert_numeric(100000000, 0, (const uint16_t[]){ 1, 2, 0, 0, 1 }, 5);         /* 1e8 */
	assert_numeric(INT64_MIN, 0,                                  /* -9223372036854775808 */
		       (const uint16_t[]){ 5, 4, 0x4000, 0, 922, 3372, 368, 5477, 5808 }, 9);
}

static void test_wide_decimal_from_big_endian_bytes(void **state)
{
	/* -1 as 16 bytes of 0xff, scale 0, precision 38 */
	struct lk_batch *b = one_column_batch(LK_TYPE_DECIMAL, 1);
	b->columns[0].precision = 38;
	b->columns[0].v.bytes = lk_batch_alloc(b, sizeof(struct lk_bytes));
	static const uint8_t minus_one[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
					       0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	b->columns[0].v.bytes[0] = (struct lk_bytes){ .ptr = minus_one, .len = 16 };
	struct lk_buf out = LK_BUF_INIT;
	assert_true(encode_one(b, PG_TYPE_NUMERIC, PG_NUL_FAIL, &out, NULL));
	static const uint8_t expected[] = { 0, 1, 0, 0, 0, 10, 0, 1, 0, 0, 0x40, 0, 0, 0, 0, 1 };
	assert_int_equal(out.len, sizeof expected);
	assert_memory_equal(out.data, expected, sizeof expected);
	lk_buf_free(&out);
	lk_batch_free(b);
}

static struct lk_batch *text_batch(const char *value, size_t len)
{
	struct lk_batch *b = one_column_batch(LK_TYPE_STRING, 1);
	b->columns[0].v.bytes = lk_batch_alloc(b, sizeof(struct lk_bytes));
	b->columns[0].v.bytes[0] = (struct lk_bytes){ .ptr = (const uint8_t *)value,
						      .len = (uint32_t)len };
	return b;
}

static void test_text_nul_fail_names_table_and_column(void **state)
{
	struct lk_batch *b = text_batch("a\0b", 3);
	struct lk_buf out = LK_BUF_INIT;
	lk_buf_append_str(&out, "keep");
	struct lk_error err = LK_ERROR_INIT;
	assert_false(encode_one(b, PG_TYPE_TEXT, PG_NUL_FAIL, &out, &err));
	assert_int_equal(err.code, LK_EBAD_CHARACTER);
	assert_non_null(strstr(err.message, "table s.t: column c:"));
	assert_non_null(strstr(err.message, "NUL byte"));
	assert_string_equal(lk_buf_cstr(&out), "keep"); /* nothing appended */
	lk_buf_free(&out);
	lk_batch_free(b);
}

static void test_text_nul_strip_and_replace(void **state)
{
	struct lk_batch *b = text_batch("a\0b\0", 4);
	struct lk_buf out = LK_BUF_INIT;
	assert_true(encode_one(b, PG_TYPE_TEXT, PG_NUL_STRIP, &out, NULL));
	assert_int_equal(out.len, 2 + 4 + 2);
	assert_memory_equal(out.data + 6, "ab", 2);
	lk_buf_reset(&out);
	assert_true(encode_one(b, PG_TYPE_TEXT, PG_NUL_REPLACE, &out, NULL));
	assert_int_equal(out.len, 2 + 4 + 8);
	assert_memory_equal(out.data + 6, "a\xef\xbf\xbd" "b\xef\xbf\xbd", 8);
	lk_buf_free(&out);
	lk_batch_free(b);
}

static void test_type_mismatch_is_an_error(void **state)
{
	struct lk_batch *b = text_batch("x", 1);
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(encode_one(b, PG_TYPE_BIGINT, PG_NUL_FAIL, &out, &err));
	assert_non_null(strstr(err.message, "cannot write string values into a bigint column"));
	lk_buf_free(&out);
	lk_batch_free(b);
}

static void test_type_map_follows_the_spec(void **state)
{
	struct { enum lk_type_id in; unsigned p, s; const char *sql; } cases[] = {
		{ LK_TYPE_INT64, 0, 0, "bigint" },
		{ LK_TYPE_BINARY, 0, 0, "bytea" },
		{ LK_TYPE_BOOLEAN, 0, 0, "boolean" },
		{ LK_TYPE_DATE, 0, 0, "date" },
		{ LK_TYPE_DECIMAL, 12, 2, "numeric(12,2)" },
		{ LK_TYPE_DOUBLE, 0, 0, "double precision" },
		{ LK_TYPE_FLOAT, 0, 0, "real" },
		{ LK_TYPE_INT32, 0, 0, "integer" },
		{ LK_TYPE_INT16, 0, 0, "smallint" },
		{ LK_TYPE_INT8, 0, 0, "smallint" },
		{ LK_TYPE_STRING, 0, 0, "text" },
		{ LK_TYPE_TIMESTAMP, 0, 0, "timestamp with time zone" },
		{ LK_TYPE_TIMESTAMP_NTZ, 0, 0, "timestamp without time zone" },
		{ LK_TYPE_LIST, 0, 0, "jsonb" },
		{ LK_TYPE_MAP, 0, 0, "jsonb" },
		{ LK_TYPE_STRUCT, 0, 0, "jsonb" },
		{ LK_TYPE_INTERVAL, 0, 0, "interval" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct lk_buf out = LK_BUF_INIT;
		assert_true(pg_type_sql(cases[i].in, cases[i].p, cases[i].s, &out));
		assert_string_equal(lk_buf_cstr(&out), cases[i].sql);
		lk_buf_free(&out);
	}
	struct lk_buf out = LK_BUF_INIT;
	assert_false(pg_type_sql(LK_TYPE_VARIANT, 0, 0, &out));
	assert_int_equal(pg_type_for(LK_TYPE_VARIANT), PG_TYPE_UNSUPPORTED);
	lk_buf_free(&out);
}

static void test_names_and_quoting(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_true(pg_name_validate("user_profiles_2", "table name", &err));
	assert_false(pg_name_validate("user-profiles", "table name", &err));
	assert_non_null(strstr(err.message, "table name 'user-profiles' has the character '-' at "
					    "position 5"));
	assert_false(pg_name_validate("", "schema name", &err));
	assert_false(pg_name_validate("a\"b", "schema name", &err));
	char long_name[70];
	memset(long_name, 'a', 64);
	long_name[64] = '\0';
	assert_false(pg_name_validate(long_name, "table name", &err));
	assert_non_null(strstr(err.message, "at most 63"));
	struct lk_buf out = LK_BUF_INIT;
	pg_quote_qualified(&out, "gold", "we\"ird");
	lk_buf_append_byte(&out, ' ');
	pg_quote_literal(&out, "it's");
	assert_string_equal(lk_buf_cstr(&out), "\"gold\".\"we\"\"ird\" 'it''s'");
	lk_buf_free(&out);
	enum pg_nul_policy policy;
	assert_true(pg_nul_policy_parse("replace", &policy, &err));
	assert_int_equal(policy, PG_NUL_REPLACE);
	assert_false(pg_nul_policy_parse("ignore", &policy, &err));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_and_trailer),
		cmocka_unit_test(test_int64_with_null),
		cmocka_unit_test(test_numeric_encoding),
		cmocka_unit_test(test_wide_decimal_from_big_endian_bytes),
		cmocka_unit_test(test_text_nul_fail_names_table_and_column),
		cmocka_unit_test(test_text_nul_strip_and_replace),
		cmocka_unit_test(test_type_mismatch_is_an_error),
		cmocka_unit_test(test_type_map_follows_the_spec),
		cmocka_unit_test(test_names_and_quoting),
	};
	return cmocka_run_group_tests_name("pg_copy", tests, NULL, NULL);
}
