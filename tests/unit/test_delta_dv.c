/* tests/unit/test_delta_dv.c: deletion vectors: Z85 (both tail paddings), UUID file names,
 * the DV file framing and CRC, the RoaringBitmapArray layout (built here with CRoaring),
 * cardinality checks, membership, sorted rows and the set difference the change feed uses. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <zlib.h>

#include "delta/internal.h"
#include "tests/delta/fixture.h"

static const char Z85[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

/* delta-spark style: zero-pad to a multiple of 4, then plain Z85. */
static char *z85_encode(const uint8_t *data, size_t len)
{
	size_t padded = (len + 3) / 4 * 4;
	char *out = calloc(padded / 4 * 5 + 1, 1);
	for (size_t i = 0, k = 0; i < padded; i += 4) {
		uint32_t v = 0;
		for (size_t j = 0; j < 4; j++)
			v = v << 8 | (i + j < len ? data[i + j] : 0);
		for (int j = 4; j >= 0; j--) {
			out[k + (size_t)j] = Z85[v % 85];
			v /= 85;
		}
		k += 5;
	}
	return out;
}

static struct delta_dv *dv_of(const uint64_t *rows, size_t n)
{
	struct delta_dv *dv = delta_dv_new();
	for (size_t i = 0; i < n; i++)
		delta_dv_add(dv, rows[i]);
	return dv;
}

static struct delta_dv_descriptor inline_descriptor(const char *z85, int size, long long card)
{
	return (struct delta_dv_descriptor){ .storage_type = 'i', .path_or_inline = (char *)z85,
					     .size_in_bytes = size, .cardinality = card };
}

static void assert_rows(const struct delta_dv *dv, const uint64_t *rows, size_t n)
{
	size_t got_n;
	uint64_t *got = delta_dv_to_array(dv, &got_n);
	assert_int_equal(got_n, n);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(got[i], rows[i]);
	free(got);
}

static void test_dv_inline_z85_spark_padding(void **state)
{
	/* cdf-table-with-dv, version 3: rows {0, 1, 4, 5} */
	struct delta_dv_descriptor d =
		inline_descriptor("^Bg9^0rr910000000000iXQKl0rr91000935c8Xg000311onP9", 40, 4);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_dv *dv = delta_dv_load(NULL, &d, &err);
	assert_non_null(dv);
	static const uint64_t rows[] = { 0, 1, 4, 5 };
	assert_rows(dv, rows, 4);
	delta_dv_free(dv);
}

static void test_dv_inline_z85_padded_tail(void **state)
{
	/* cdf-table-with-dv, version 5: 34 bytes, final block "##093" = bytes 03 00 */
	struct delta_dv_descriptor d =
		inline_descriptor("^Bg9^0rr910000000000iXQKl0rr91000005c8Xg##093", 34, 1);
	struct lk_error err = LK_ERROR_INIT;
	struct delta_dv *dv = delta_dv_load(NULL, &d, &err);
	if (dv == NULL)
		fail_msg("%s", err.message);
	static const uint64_t rows[] = { 3 };
	assert_rows(dv, rows, 1);
	delta_dv_free(dv);
}

static void test_dv_z85_bad_input(void **state)
{
	struct lk_buf out = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_z85_decode("abcd", 4, &out, &err)); /* not a multiple of 5 */
	assert_false(delta_z85_decode("ab\"cd", 5, &out, &err));
	assert_false(delta_z85_decode("#####", 5, &out, &err));
	assert_false(delta_z85_decode("##zzz", 5, &out, &err)); /* tail value too large */
	assert_false(delta_z85_decode("##09300000", 10, &out, &err)); /* '#' only at the end */
	lk_buf_free(&out);
}

static void test_dv_uuid_file_name_spec_example(void **state)
{
	struct delta_table t = { .root = "/t", .log_dir = "/t/_delta_log" };
	struct delta_dv_descriptor d = { .storage_type = 'u',
					 .path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^" };
	char *path = delta_dv_file_path(&t, &d, NULL);
	assert_string_equal(path, "/t/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
	free(path);
	d.path_or_inline = "^-aqEH.-t@S}K{vb[*k^";
	path = delta_dv_file_path(&t, &d, NULL);
	assert_string_equal(path, "/t/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin");
	free(path);
}

static void test_dv_unique_id_includes_offset(void **state)
{
	struct delta_dv_descriptor d = { .storage_type = 'u', .path_or_inline = "abc",
					 .has_offset = true, .offset = 43 };
	struct lk_buf id = LK_BUF_INIT;
	delta_dv_unique_id(&d, &id);
	assert_string_equal(lk_buf_cstr(&id), "uabc@43");
	lk_buf_reset(&id);
	d.has_offset = false;
	delta_dv_unique_id(&d, &id);
	assert_string_equal(lk_buf_cstr(&id), "uabc");
	lk_buf_free(&id);
}

static void test_dv_roundtrip_two_buckets_inline(void **state)
{
	static const uint64_t rows[] = { 5, 70000, (UINT64_C(1) << 33) + 7 };
	struct delta_dv *src = dv_of(rows, 3);
	struct lk_buf bytes = LK_BUF_INIT;
	delta_dv_serialize(src, &bytes);
	char *text = z85_encode((const uint8_t *)bytes.data, bytes.len);
	struct delta_dv_descriptor d = inline_descriptor(text, (int)bytes.len, 3);
	struct delta_dv *dv = delta_dv_load(NULL, &d, NULL);
	assert_non_null(dv);
	assert_rows(dv, rows, 3);
	assert_true(delta_dv_contains(dv, (UINT64_C(1) << 33) + 7));
	assert_false(delta_dv_contains(dv, 7));
	assert_int_equal(delta_dv_cardinality(dv), 3);
	delta_dv_free(dv);
	delta_dv_free(src);
	free(text);
	lk_buf_free(&bytes);
}

static void test_dv_cardinality_mismatch_is_corrupt(void **state)
{
	static const uint64_t rows[] = { 1, 2 };
	struct delta_dv *src = dv_of(rows, 2);
	struct lk_buf bytes = LK_BUF_INIT;
	delta_dv_serialize(src, &bytes);
	char *text = z85_encode((const uint8_t *)bytes.data, bytes.len);
	struct delta_dv_descriptor d = inline_descriptor(text, (int)bytes.len, 3);
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_dv_load(NULL, &d, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "descriptor says 3"));
	delta_dv_free(src);
	free(text);
	lk_buf_free(&bytes);
}

static void test_dv_native_magic_rejected(void **state)
{
	uint8_t bytes[16] = { 0xD0, 0xD3, 0x39, 0x64 }; /* 1681511376 */
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_dv_deserialize(bytes, sizeof bytes, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	bytes[0] = 0x00;
	assert_null(delta_dv_deserialize(bytes, sizeof bytes, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
}

static void test_dv_truncated_bitmap_rejected(void **state)
{
	static const uint64_t rows[] = { 1, 2, 3 };
	struct delta_dv *src = dv_of(rows, 3);
	struct lk_buf bytes = LK_BUF_INIT;
	delta_dv_serialize(src, &bytes);
	struct lk_error err = LK_ERROR_INIT;
	for (size_t cut = 0; cut < bytes.len; cut++)
		assert_null(delta_dv_deserialize((const uint8_t *)bytes.data, cut, &err));
	lk_buf_append_byte(&bytes, 0);
	assert_null(delta_dv_deserialize((const uint8_t *)bytes.data, bytes.len, &err));
	delta_dv_free(src);
	lk_buf_free(&bytes);
}

static void test_dv_negative_container_count_rejected(void **state)
{
	/* found by fuzz_delta: a portable header (cookie 12346) whose 32-bit container count is
	 * negative made CRoaring 0.2 try a huge allocation and print to stderr */
	static const uint8_t bytes[] = {
		0xd1, 0xd3, 0x39, 0x64, 1, 0, 0, 0, 0, 0, 0, 0, /* magic, 1 bucket */
		0, 0, 0, 0,                                     /* key 0 */
		0x3a, 0x30, 0, 0, 0x01, 0, 0, 0x80,             /* cookie, count 0x80000001 */
		0x02, 0x2d, 0x10, 0x39, 0x2d, 0x38, 0x20, 0, 0, 0, 0, 0,
	};
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_dv_deserialize(bytes, sizeof bytes, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "bucket 0"));
}

static void put_be32(struct lk_buf *b, uint32_t v)
{
	for (int i = 3; i >= 0; i--)
		lk_buf_append_byte(b, (uint8_t)(v >> (8 * i)));
}

/* Writes a DV file holding two DVs (at offsets 1 and second_offset) into the fixture and
 * returns the 'u' descriptor's pathOrInlineDv for it. */
static void write_dv_file(struct fx *fx, const struct lk_buf *a, const struct lk_buf *b,
			  int32_t *second_offset, bool break_crc)
{
	struct lk_buf file = LK_BUF_INIT;
	lk_buf_append_byte(&file, 1);
	put_be32(&file, (uint32_t)a->len);
	lk_buf_append(&file, a->data, a->len);
	put_be32(&file, (uint32_t)crc32(0, (const Bytef *)a->data, (uInt)a->len));
	*second_offset = (int32_t)file.len;
	put_be32(&file, (uint32_t)b->len);
	lk_buf_append(&file, b->data, b->len);
	put_be32(&file, (uint32_t)crc32(0, (const Bytef *)b->data, (uInt)b->len) ^ (break_crc ? 1 : 0));
	fx_mkdir(fx, "ab");
	char path[512];
	snprintf(path, sizeof path, "%s/ab/deletion_vector_d2c639aa-8816-431a-aaf6-d3fe2512ff61.bin",
		 fx->root);
	FILE *fp = fopen(path, "wb");
	fwrite(file.data, 1, file.len, fp);
	fclose(fp);
	lk_buf_free(&file);
}

static void test_dv_file_two_dvs_at_offsets(void **state)
{
	struct fx fx;
	fx_init(&fx);
	static const uint64_t rows_a[] = { 0, 9 }, rows_b[] = { 2, 3, 100000 };
	struct delta_dv *a = dv_of(rows_a, 2), *b = dv_of(rows_b, 3);
	struct lk_buf sa = LK_BUF_INIT, sb = LK_BUF_INIT;
	delta_dv_serialize(a, &sa);
	delta_dv_serialize(b, &sb);
	int32_t second;
	write_dv_file(&fx, &sa, &sb, &second, false);
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_dv_descriptor d = { .storage_type = 'u',
					 .path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^",
					 .has_offset = true, .offset = second,
					 .size_in_bytes = (int32_t)sb.len, .cardinality = 3 };
	struct lk_error err = LK_ERROR_INIT;
	struct delta_dv *dv = delta_dv_load(t, &d, &err);
	if (dv == NULL)
		fail_msg("%s", err.message);
	assert_rows(dv, rows_b, 3);
	delta_dv_free(dv);
	d.has_offset = false; /* absent offset = 1, the first DV */
	d.size_in_bytes = (int32_t)sa.len;
	d.cardinality = 2;
	dv = delta_dv_load(t, &d, &err);
	assert_non_null(dv);
	assert_rows(dv, rows_a, 2);
	delta_dv_free(dv);
	d.size_in_bytes += 1;
	assert_null(delta_dv_load(t, &d, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	delta_table_free(t);
	delta_dv_free(a);
	delta_dv_free(b);
	lk_buf_free(&sa);
	lk_buf_free(&sb);
	fx_cleanup(&fx);
}

static void test_dv_file_crc_mismatch_is_corrupt(void **state)
{
	struct fx fx;
	fx_init(&fx);
	static const uint64_t rows[] = { 4 };
	struct delta_dv *a = dv_of(rows, 1);
	struct lk_buf sa = LK_BUF_INIT;
	delta_dv_serialize(a, &sa);
	int32_t second;
	write_dv_file(&fx, &sa, &sa, &second, true);
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_dv_descriptor d = { .storage_type = 'u',
					 .path_or_inline = "ab^-aqEH.-t@S}K{vb[*k^",
					 .has_offset = true, .offset = second,
					 .size_in_bytes = (int32_t)sa.len, .cardinality = 1 };
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_dv_load(t, &d, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "CRC-32"));
	d.path_or_inline = "ab^-aqEH.-t@S}K{vb[*k0"; /* another UUID: no such file */
	assert_null(delta_dv_load(t, &d, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);
	delta_table_free(t);
	delta_dv_free(a);
	lk_buf_free(&sa);
	fx_cleanup(&fx);
}

static void test_dv_difference_for_change_feed(void **state)
{
	static const uint64_t old_rows[] = { 0, 1, 4, 5 }, new_rows[] = { 0, 5, 7 };
	struct delta_dv *old_dv = dv_of(old_rows, 4), *new_dv = dv_of(new_rows, 3);
	struct delta_dv *deleted = delta_dv_difference(new_dv, old_dv);
	struct delta_dv *restored = delta_dv_difference(old_dv, new_dv);
	static const uint64_t want_deleted[] = { 7 }, want_restored[] = { 1, 4 };
	assert_rows(deleted, want_deleted, 1);
	assert_rows(restored, want_restored, 2);
	struct delta_dv *all = delta_dv_difference(new_dv, NULL);
	assert_int_equal(delta_dv_cardinality(all), 3);
	delta_dv_free(all);
	delta_dv_free(deleted);
	delta_dv_free(restored);
	delta_dv_free(old_dv);
	delta_dv_free(new_dv);
}

static void test_dv_mask_marks_deleted_rows(void **state)
{
	static const uint64_t rows[] = { 2, 3, 10 };
	struct delta_dv *dv = dv_of(rows, 3);
	uint8_t mask[8];
	delta_dv_mask(dv, 2, sizeof mask, mask);
	static const uint8_t want[8] = { 1, 1, 0, 0, 0, 0, 0, 0 };
	assert_memory_equal(mask, want, sizeof want);
	delta_dv_mask(dv, 8, 4, mask);
	assert_int_equal(mask[2], 1);
	assert_int_equal(mask[3], 0);
	delta_dv_free(dv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dv_inline_z85_spark_padding),
		cmocka_unit_test(test_dv_inline_z85_padded_tail),
		cmocka_unit_test(test_dv_z85_bad_input),
		cmocka_unit_test(test_dv_uuid_file_name_spec_example),
		cmocka_unit_test(test_dv_unique_id_includes_offset),
		cmocka_unit_test(test_dv_roundtrip_two_buckets_inline),
		cmocka_unit_test(test_dv_cardinality_mismatch_is_corrupt),
		cmocka_unit_test(test_dv_native_magic_rejected),
		cmocka_unit_test(test_dv_truncated_bitmap_rejected),
		cmocka_unit_test(test_dv_negative_container_count_rejected),
		cmocka_unit_test(test_dv_file_two_dvs_at_offsets),
		cmocka_unit_test(test_dv_file_crc_mismatch_is_corrupt),
		cmocka_unit_test(test_dv_difference_for_change_feed),
		cmocka_unit_test(test_dv_mask_marks_deleted_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
