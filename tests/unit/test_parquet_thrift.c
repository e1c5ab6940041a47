/* tests/unit/test_parquet_thrift.c: the Thrift compact-protocol reader and the footer and
 * page-header parsers on hand-encoded bytes: short and long field headers, zigzag varints,
 * booleans in the type nibble, skipping unknown fields of every type, and the failures
 * (truncation, lists longer than their bytes, nesting too deep, wrong types). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "parquet/internal.h"
#include "test_parquet_builder.h"

static void test_field_headers_short_and_long(void **state)
{
	struct tw w = { 0 };
	tw_i32(&w, 1, -5);       /* delta 1 */
	tw_i64(&w, 300, 1LL << 40); /* long form */
	tw_bool(&w, 301, true);
	lk_buf_append_byte(&w.b, 0);
	struct pq_thrift t;
	pq_thrift_init(&t, w.b.data, w.b.len);
	int16_t last = 0, id;
	uint8_t type;
	int64_t v;
	bool b;
	assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
	assert_int_equal(id, 1);
	assert_true(pq_thrift_int(&t, type, &v));
	assert_int_equal(v, -5);
	assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
	assert_int_equal(id, 300);
	assert_true(pq_thrift_int(&t, type, &v));
	assert_int_equal(v, 1LL << 40);
	assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 1);
	assert_true(pq_thrift_bool(&t, type, &b));
	assert_true(b);
	assert_int_equal(pq_thrift_field(&t, &last, &id, &type), 0);
	lk_buf_free(&w.b);
}

static void test_skips_every_type(void **state)
{
	struct tw w = { 0 };
	tw_struct_begin(&w, 0);
	tw_field(&w, 1, 7); /* double */
	lk_buf_append(&w.b, "12345678", 8);
	tw_binary(&w, 2, "abc", 3);
	tw_list_begin(&w, 3, 1, 2); /* list of bools: one byte each */
	lk_buf_append(&w.b, "\x01\x02", 2);
	tw_field(&w, 4, 11); /* map<i32, string> of one entry */
	tw_varint(&w, 1);
	lk_buf_append_byte(&w.b, 0x58);
	tw_varint(&w, 2);
	tw_varint(&w, 1);
	lk_buf_append_byte(&w.b, 'z');
	tw_struct_begin(&w, 5);
	tw_i32(&w, 1, 9);
	tw_struct_end(&w);
	tw_field(&w, 6, 3); /* byte */
	lk_buf_append_byte(&w.b, 0x80);
	tw_struct_end(&w);
	struct pq_thrift t;
	pq_thrift_init(&t, w.b.data, w.b.len);
	assert_true(pq_thrift_skip(&t, PQ_T_STRUCT));
	assert_null(t.error);
	assert_ptr_equal(t.pos, t.end);
	lk_buf_free(&w.b);
}

static void test_truncation_and_lies_fail(void **state)
{
	struct pq_thrift t;
	const uint8_t truncated_varint[] = { 0x15, 0x80, 0x80 };
	pq_thrift_init(&t, truncated_varint, sizeof truncated_varint);
	assert_false(pq_thrift_skip(&t, PQ_T_STRUCT));
	assert_string_equal(t.error, "truncated varint");

	const uint8_t long_list[] = { 0xf5, 0xff, 0xff, 0xff, 0x0f, 0x00 };
	pq_thrift_init(&t, long_list, sizeof long_list);
	uint8_t elem;
	size_t n;
	assert_false(pq_thrift_list(&t, PQ_T_LIST, &elem, &n));
	assert_string_equal(t.error, "list longer than the data left");

	const uint8_t long_binary[] = { 0x10 };
	pq_thrift_init(&t, long_binary, sizeof long_binary);
	const uint8_t *data;
	size_t len;
	assert_false(pq_thrift_binary(&t, PQ_T_BINARY, &data, &len));

	const uint8_t wrong_type[] = { 0x02 };
	pq_thrift_init(&t, wrong_type, sizeof wrong_type);
	int32_t v;
	assert_false(pq_thrift_i32(&t, PQ_T_BINARY, &v));
	assert_string_equal(t.error, "integer field of another type");
}

static void test_nesting_is_limited(void **state)
{
	uint8_t deep[200];
	memset(deep, 0x1c, sizeof deep); /* field 1: struct, again and again */
	struct pq_thrift t;
	pq_thrift_init(&t, deep, sizeof deep);
	assert_false(pq_thrift_skip(&t, PQ_T_STRUCT));
	assert_string_equal(t.error, "structs nested too deeply");
}

static void test_footer_without_schema_is_corrupt(void **state)
{
	struct tw w = { 0 };
	tw_struct_begin(&w, 0);
	tw_i32(&w, 1, 1);
	tw_i64(&w, 3, 0);
	tw_struct_end(&w);
	struct pq_file_meta meta;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(pq_meta_parse((const uint8_t *)w.b.data, w.b.len, &meta, &err));
	assert_string_equal(err.message, "corrupt footer: no schema");
	lk_buf_free(&w.b);
}

static void test_page_header_fields(void **state)
{
	struct tw w = { 0 };
	tw_struct_begin(&w, 0);
	tw_i32(&w, 1, 3);
	tw_i32(&w, 2, 100);
	tw_i32(&w, 3, 60);
	tw_i32(&w, 4, 1234); /* crc: ignored */
	tw_struct_begin(&w, 8);
	tw_i32(&w, 1, 10);
	tw_i32(&w, 2, 1);
	tw_i32(&w, 3, 10);
	tw_i32(&w, 4, 8);
	tw_i32(&w, 5, 3);
	tw_i32(&w, 6, 0);
	tw_bool(&w, 7, false);
	tw_struct_end(&w);
	tw_struct_end(&w);
	lk_buf_append_str(&w.b, "page bytes");
	struct pq_page_header h;
	size_t hlen;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(pq_page_header_parse((const uint8_t *)w.b.data, w.b.len, &h, &hlen, &err));
	assert_int_equal(hlen, w.b.len - strlen("page bytes"));
	assert_int_equal(h.type, PQ_PAGE_DATA_V2);
	assert_true(h.has_data_v2);
	assert_int_equal(h.v2_num_values, 10);
	assert_int_equal(h.v2_encoding, 8);
	assert_int_equal(h.v2_def_length, 3);
	assert_false(h.v2_is_compressed);
	lk_buf_free(&w.b);

	struct tw neg = { 0 };
	tw_struct_begin(&neg, 0);
	tw_i32(&neg, 1, 0);
	tw_i32(&neg, 2, -1);
	tw_i32(&neg, 3, 5);
	tw_struct_end(&neg);
	assert_false(pq_page_header_parse((const uint8_t *)neg.b.data, neg.b.len, &h, &hlen, &err));
	assert_non_null(strstr(err.message, "negative page size"));
	lk_buf_free(&neg.b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_field_headers_short_and_long),
		cmocka_unit_test(test_skips_every_type),
		cmocka_unit_test(test_truncation_and_lies_fail),
		cmocka_unit_test(test_nesting_is_limited),
		cmocka_unit_test(test_footer_without_schema_is_corrupt),
		cmocka_unit_test(test_page_header_fields),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
