/* tests/unit/test_parquet_encoding.c: the reader's encodings and codecs on hand-made bytes:
 * the RLE/bit-packed hybrid, legacy BIT_PACKED levels, DELTA_BINARY_PACKED (narrow, 64-bit
 * wide and broken blocks), PLAIN byte arrays, BYTE_STREAM_SPLIT, FLOAT16 and INT96, and
 * every codec: SNAPPY, GZIP (also concatenated members), ZSTD, LZ4_RAW, Hadoop LZ4 framing
 * and raw LZ4, BROTLI, with LZO refused and size mismatches caught. */
#include "config.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <brotli/encode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet/internal.h"
#include "test_parquet_builder.h"

static void test_rle_run_then_bitpacked_run(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	enc_rle_run(&b, 5, 3, 3);
	uint32_t packed[8] = { 0, 1, 2, 3, 4, 5, 6, 7 };
	enc_bitpacked_run(&b, packed, 8, 3);
	struct pq_rle r;
	pq_rle_init(&r, (const uint8_t *)b.data, b.len, 3);
	uint32_t out[13];
	assert_true(pq_rle_get(&r, out, 13));
	uint32_t expect[13] = { 3, 3, 3, 3, 3, 0, 1, 2, 3, 4, 5, 6, 7 };
	assert_memory_equal(out, expect, sizeof expect);
	assert_false(pq_rle_get(&r, out, 1)); /* the data ends */
	lk_buf_free(&b);
}

static void test_rle_wide_values_and_u8_overflow(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	enc_rle_run(&b, 2, 70000, 17);
	struct pq_rle r;
	pq_rle_init(&r, (const uint8_t *)b.data, b.len, 17);
	uint32_t out[2];
	assert_true(pq_rle_get(&r, out, 2));
	assert_int_equal(out[0], 70000);
	pq_rle_init(&r, (const uint8_t *)b.data, b.len, 17);
	uint8_t small[2];
	assert_false(pq_rle_get_u8(&r, small, 2)); /* does not fit a level byte */
	lk_buf_free(&b);
}

static void test_rle_zero_length_run_is_refused(void **state)
{
	const uint8_t data[] = { 0x00, 0x01 }; /* RLE run of 0 values: would loop forever */
	struct pq_rle r;
	pq_rle_init(&r, data, sizeof data, 1);
	uint32_t out[1];
	assert_false(pq_rle_get(&r, out, 1));
}

static void test_rle_truncated_bitpacked_run_keeps_whole_values(void **state)
{
	/* header says 2 groups (16 values of 8 bits) but only 3 bytes follow */
	const uint8_t data[] = { 0x05, 9, 8, 7 };
	struct pq_rle r;
	pq_rle_init(&r, data, sizeof data, 8);
	uint32_t out[4];
	assert_true(pq_rle_get(&r, out, 3));
	assert_int_equal(out[2], 7);
	assert_false(pq_rle_get(&r, out, 1));
}

static void test_legacy_bit_packed_levels_are_msb_first(void **state)
{
	/* values 1,0,1,1 at width 1 -> 1011 0000 */
	const uint8_t data[] = { 0xb0 };
	uint8_t out[4];
	assert_true(pq_bitpacked_legacy_get_u8(data, 1, 1, out, 4));
	uint8_t expect[] = { 1, 0, 1, 1 };
	assert_memory_equal(out, expect, 4);
	assert_false(pq_bitpacked_legacy_get_u8(data, 1, 1, out, 9));
}

static void test_bit_width(void **state)
{
	assert_int_equal(pq_bit_width(0), 0);
	assert_int_equal(pq_bit_width(1), 1);
	assert_int_equal(pq_bit_width(2), 2);
	assert_int_equal(pq_bit_width(255), 8);
	assert_int_equal(pq_bit_width(256), 9);
}

/* block 128, 1 miniblock of 128: count values with one width */
static void delta_block(struct lk_buf *b, uint64_t count, int64_t first, int64_t min_delta,
			int width, const uint64_t *adjusted, size_t n_adjusted)
{
	enc_uleb(b, 128);
	enc_uleb(b, 1);
	enc_uleb(b, count);
	enc_uleb(b, ((uint64_t)first << 1) ^ (uint64_t)(first >> 63));
	if (count <= 1)
		return;
	enc_uleb(b, ((uint64_t)min_delta << 1) ^ (uint64_t)(min_delta >> 63));
	lk_buf_append_byte(b, (uint8_t)width);
	uint8_t body[128 * 8] = { 0 };
	for (size_t i = 0; i < n_adjusted; i++)
		for (int bit = 0; bit < width; bit++)
			if ((adjusted[i] >> bit) & 1) {
				size_t pos = i * (size_t)width + (size_t)bit;
				body[pos / 8] |= (uint8_t)(1u << (pos % 8));
			}
	lk_buf_append(b, body, 128 * (size_t)width / 8);
}

static void test_delta_binary_packed_decodes_and_reports_bytes_used(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	uint64_t adjusted[] = { 2, 0, 5 };
	delta_block(&b, 4, -3, -1, 3, adjusted, 3);
	lk_buf_append_str(&b, "tail");
	int64_t out[8];
	size_t count, used;
	const char *why = NULL;
	assert_true(pq_delta_decode((const uint8_t *)b.data, b.len, out, 8, &count, &used, &why));
	assert_int_equal(count, 4);
	assert_int_equal(out[0], -3);
	assert_int_equal(out[1], -2); /* -3 + (-1 + 2) */
	assert_int_equal(out[2], -3);
	assert_int_equal(out[3], 1);
	assert_int_equal(used, b.len - 4);
	lk_buf_free(&b);
}

static void test_delta_binary_packed_64_bit_widths_wrap(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	uint64_t adjusted[] = { UINT64_MAX, 0 };
	delta_block(&b, 3, INT64_MAX, 0, 64, adjusted, 2);
	int64_t out[3];
	size_t count, used;
	const char *why = NULL;
	assert_true(pq_delta_decode((const uint8_t *)b.data, b.len, out, 3, &count, &used, &why));
	assert_int_equal(out[1], INT64_MAX - 1); /* wrapping add of 2^64 - 1 */
	assert_int_equal(out[2], INT64_MAX - 1);
	lk_buf_free(&b);
}

static void test_delta_binary_packed_failures(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	uint64_t adjusted[] = { 1 };
	delta_block(&b, 3, 0, 0, 8, adjusted, 1);
	int64_t out[4];
	size_t count, used;
	const char *why = NULL;
	assert_false(pq_delta_decode((const uint8_t *)b.data, b.len - 10, out, 4, &count, &used,
				     &why));
	assert_string_equal(why, "truncated DELTA_BINARY_PACKED miniblock");
	assert_false(pq_delta_decode((const uint8_t *)b.data, b.len, out, 2, &count, &used, &why));
	assert_string_equal(why, "DELTA_BINARY_PACKED holds more values than the page");
	const uint8_t bad_layout[] = { 100, 1, 1, 0 }; /* block size 100 */
	assert_false(pq_delta_decode(bad_layout, sizeof bad_layout, out, 4, &count, &used, &why));
	assert_string_equal(why, "impossible DELTA_BINARY_PACKED block layout");
	lk_buf_free(&b);
}

static void test_plain_byte_arrays_are_bounded(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	const char *v[] = { "", "abc" };
	enc_plain_strings(&b, v, 2);
	struct lk_bytes out[3];
	size_t used;
	assert_true(pq_plain_byte_array((const uint8_t *)b.data, b.len, out, 2, &used));
	assert_int_equal(out[0].len, 0);
	assert_int_equal(out[1].len, 3);
	assert_memory_equal(out[1].ptr, "abc", 3);
	assert_int_equal(used, b.len);
	assert_false(pq_plain_byte_array((const uint8_t *)b.data, b.len, out, 3, &used));
	assert_false(pq_plain_byte_array((const uint8_t *)b.data, b.len - 1, out, 2, &used));
	lk_buf_free(&b);
}

static void test_byte_stream_split_any_width(void **state)
{
	/* three 3-byte values 0x010203, 0x040506, 0x070809 split into streams */
	const uint8_t split[] = { 1, 4, 7, 2, 5, 8, 3, 6, 9 };
	uint8_t out[9];
	assert_true(pq_byte_stream_split(split, 9, 3, out, 3));
	const uint8_t expect[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	assert_memory_equal(out, expect, 9);
	assert_false(pq_byte_stream_split(split, 8, 3, out, 3));
	assert_false(pq_byte_stream_split(split, 9, 3, out, 4));
}

static void test_half_floats(void **state)
{
	assert_true(pq_half_to_float(0x3c00) == 1.0f);
	assert_true(pq_half_to_float(0xc000) == -2.0f);
	assert_true(pq_half_to_float(0x0001) == ldexpf(1, -24));
	assert_true(isinf(pq_half_to_float(0x7c00)));
	assert_true(isnan(pq_half_to_float(0x7e00)));
	assert_true(signbit(pq_half_to_float(0x8000)));
}

static void test_int96_timestamps(void **state)
{
	uint8_t v[12];
	int64_t nanos = INT64_C(3723000001000); /* 01:02:03.000001 */
	uint32_t julian = 2440589;              /* 1970-01-02 */
	memcpy(v, &nanos, 8);
	memcpy(v + 8, &julian, 4);
	assert_int_equal(pq_int96_to_micros(v), INT64_C(86400000000) + INT64_C(3723000001));
}

/* ---- codecs -------------------------------------------------------------------------- */

static const char PLAIN_TEXT[] = "lakesync lakesync lakesync parquet parquet parquet 0123456789";

static void assert_decompresses(int codec, const uint8_t *packed, size_t packed_len)
{
	uint8_t out[sizeof PLAIN_TEXT];
	const char *why = NULL;
	if (!pq_decompress(codec, packed, packed_len, out, sizeof PLAIN_TEXT, &why))
		fail_msg("%s: %s", pq_compression_name(codec), why);
	assert_memory_equal(out, PLAIN_TEXT, sizeof PLAIN_TEXT);
	/* a wrong expected size is an error, never an overrun */
	uint8_t small[8];
	assert_false(pq_decompress(codec, packed, packed_len, small, sizeof small, &why));
}

static void test_snappy(void **state)
{
	char packed[256];
	size_t n = sizeof packed;
	assert_int_equal(snappy_compress(PLAIN_TEXT, sizeof PLAIN_TEXT, packed, &n), SNAPPY_OK);
	assert_decompresses(PQ_COMPRESSION_SNAPPY, (uint8_t *)packed, n);
}

static size_t gzip_member(const void *src, size_t len, uint8_t *dst, size_t cap)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)len;
	zs.next_out = dst;
	zs.avail_out = (uInt)cap;
	assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
	size_t n = cap - zs.avail_out;
	deflateEnd(&zs);
	return n;
}

static void test_gzip_single_and_concatenated_members(void **state)
{
	uint8_t packed[512];
	size_t n = gzip_member(PLAIN_TEXT, sizeof PLAIN_TEXT, packed, sizeof packed);
	assert_decompresses(PQ_COMPRESSION_GZIP, packed, n);
	size_t half = sizeof PLAIN_TEXT / 2;
	n = gzip_member(PLAIN_TEXT, half, packed, sizeof packed);
	n += gzip_member(PLAIN_TEXT + half, sizeof PLAIN_TEXT - half, packed + n, sizeof packed - n);
	assert_decompresses(PQ_COMPRESSION_GZIP, packed, n);
}

static void test_zstd(void **state)
{
	uint8_t packed[512];
	size_t n = ZSTD_compress(packed, sizeof packed, PLAIN_TEXT, sizeof PLAIN_TEXT, 3);
	assert_false(ZSTD_isError(n));
	assert_decompresses(PQ_COMPRESSION_ZSTD, packed, n);
}

static void test_lz4_raw_hadoop_and_fallback(void **state)
{
	char block[512];
	int n = LZ4_compress_default(PLAIN_TEXT, block, sizeof PLAIN_TEXT, sizeof block);
	assert_true(n > 0);
	assert_decompresses(PQ_COMPRESSION_LZ4_RAW, (uint8_t *)block, (size_t)n);
	/* LZ4 without framing falls back to a raw block */
	assert_decompresses(PQ_COMPRESSION_LZ4, (uint8_t *)block, (size_t)n);
	/* Hadoop framing: BE uncompressed size, BE compressed size, block */
	uint8_t framed[600];
	uint32_t raw = sizeof PLAIN_TEXT, packed = (uint32_t)n;
	uint8_t header[8] = { (uint8_t)(raw >> 24), (uint8_t)(raw >> 16), (uint8_t)(raw >> 8),
			      (uint8_t)raw, (uint8_t)(packed >> 24), (uint8_t)(packed >> 16),
			      (uint8_t)(packed >> 8), (uint8_t)packed };
	memcpy(framed, header, 8);
	memcpy(framed + 8, block, (size_t)n);
	assert_decompresses(PQ_COMPRESSION_LZ4, framed, (size_t)n + 8);
}

static void test_brotli(void **state)
{
	uint8_t packed[512];
	size_t n = sizeof packed;
	assert_true(BrotliEncoderCompress(5, 22, BROTLI_MODE_GENERIC, sizeof PLAIN_TEXT,
					  (const uint8_t *)PLAIN_TEXT, &n, packed));
	assert_decompresses(PQ_COMPRESSION_BROTLI, packed, n);
}

static void test_uncompressed_lzo_and_garbage(void **state)
{
	assert_decompresses(PQ_COMPRESSION_UNCOMPRESSED, (const uint8_t *)PLAIN_TEXT,
			    sizeof PLAIN_TEXT);
	uint8_t out[16];
	const char *why = NULL;
	assert_false(pq_decompress(PQ_COMPRESSION_LZO, (const uint8_t *)"x", 1, out, 16, &why));
	assert_string_equal(why, "the LZO codec is not supported");
	const uint8_t garbage[] = { 0xff, 0xfe, 0xfd, 0xfc, 0x00, 0x13 };
	for (int codec = 1; codec <= 7; codec++)
		assert_false(pq_decompress(codec, garbage, sizeof garbage, out, 16, &why));
	assert_false(pq_decompress(42, garbage, sizeof garbage, out, 16, &why));
	assert_string_equal(why, "unknown compression codec");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rle_run_then_bitpacked_run),
		cmocka_unit_test(test_rle_wide_values_and_u8_overflow),
		cmocka_unit_test(test_rle_zero_length_run_is_refused),
		cmocka_unit_test(test_rle_truncated_bitpacked_run_keeps_whole_values),
		cmocka_unit_test(test_legacy_bit_packed_levels_are_msb_first),
		cmocka_unit_test(test_bit_width),
		cmocka_unit_test(test_delta_binary_packed_decodes_and_reports_bytes_used),
		cmocka_unit_test(test_delta_binary_packed_64_bit_widths_wrap),
		cmocka_unit_test(test_delta_binary_packed_failures),
		cmocka_unit_test(test_plain_byte_arrays_are_bounded),
		cmocka_unit_test(test_byte_stream_split_any_width),
		cmocka_unit_test(test_half_floats),
		cmocka_unit_test(test_int96_timestamps),
		cmocka_unit_test(test_snappy),
		cmocka_unit_test(test_gzip_single_and_concatenated_members),
		cmocka_unit_test(test_zstd),
		cmocka_unit_test(test_lz4_raw_hadoop_and_fallback),
		cmocka_unit_test(test_brotli),
		cmocka_unit_test(test_uncompressed_lzo_and_garbage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
