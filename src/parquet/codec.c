/* parquet/codec.c: page decompression for every Parquet codec lakesync reads (UNCOMPRESSED,
 * SNAPPY, GZIP with concatenated members, ZSTD, LZ4_RAW, Hadoop-framed LZ4 with a raw-block
 * fallback, BROTLI). The output size is always the page header's: a page that decompresses
 * to more or fewer bytes is corrupt. LZO is refused. */
#include "config.h"

#include <limits.h>
#include <string.h>

#include <brotli/decode.h>
#include <lz4.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet/internal.h"

static const char *const codec_names[] = {
	[PQ_COMPRESSION_UNCOMPRESSED] = "UNCOMPRESSED",
	[PQ_COMPRESSION_SNAPPY] = "SNAPPY",
	[PQ_COMPRESSION_GZIP] = "GZIP",
	[PQ_COMPRESSION_LZO] = "LZO",
	[PQ_COMPRESSION_BROTLI] = "BROTLI",
	[PQ_COMPRESSION_LZ4] = "LZ4",
	[PQ_COMPRESSION_ZSTD] = "ZSTD",
	[PQ_COMPRESSION_LZ4_RAW] = "LZ4_RAW",
};

const char *pq_compression_name(int codec)
{
	if (codec < 0 || (size_t)codec >= sizeof codec_names / sizeof codec_names[0])
		return "unknown";
	return codec_names[codec];
}

static bool fail(const char **why, const char *reason)
{
	*why = reason;
	return false;
}

static bool decompress_snappy(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
			      const char **why)
{
	size_t expect;
	if (snappy_uncompressed_length((const char *)src, src_len, &expect) != SNAPPY_OK)
		return fail(why, "bad Snappy data");
	if (expect != dst_len)
		return fail(why, "Snappy data does not match the page size");
	size_t out_len = dst_len;
	if (snappy_uncompress((const char *)src, src_len, (char *)dst, &out_len) != SNAPPY_OK ||
	    out_len != dst_len)
		return fail(why, "bad Snappy data");
	return true;
}

/* GZIP (or zlib) members, one after another, until the input ends. */
static bool decompress_gzip(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
			    const char **why)
{
	if (src_len > UINT_MAX || dst_len > UINT_MAX)
		return fail(why, "GZIP page too large");
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	if (inflateInit2(&zs, 15 + 32) != Z_OK)
		return fail(why, "zlib initialisation failed");
	zs.next_in = (Bytef *)src;
	zs.avail_in = (uInt)src_len;
	zs.next_out = dst;
	zs.avail_out = (uInt)dst_len;
	bool ok = true;
	for (;;) {
		int rc = inflate(&zs, Z_FINISH);
		if (rc == Z_STREAM_END) {
			if (zs.avail_in == 0 || zs.avail_out == 0)
				break;
			if (inflateReset(&zs) != Z_OK) {
				ok = fail(why, "bad GZIP data");
				break;
			}
			continue;
		}
		ok = fail(why, rc == Z_BUF_ERROR && zs.avail_out == 0
				       ? "GZIP data larger than the page size"
				       : "bad GZIP data");
		break;
	}
	if (ok && zs.avail_out != 0)
		ok = fail(why, "GZIP data shorter than the page size");
	inflateEnd(&zs);
	return ok;
}

static bool decompress_zstd(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
			    const char **why)
{
	size_t n = ZSTD_decompress(dst, dst_len, src, src_len);
	if (ZSTD_isError(n))
		return fail(why, "bad ZSTD data");
	if (n != dst_len)
		return fail(why, "ZSTD data does not match the page size");
	return true;
}

static bool decompress_lz4_raw(const uint8_t *src, size_t src_len, uint8_t *dst,
			       size_t dst_len, const char **why)
{
	if (src_len > INT_MAX || dst_len > INT_MAX)
		return fail(why, "LZ4 page too large");
	int n = LZ4_decompress_safe((const char *)src, (char *)dst, (int)src_len, (int)dst_len);
	if (n < 0 || (size_t)n != dst_len)
		return fail(why, "bad LZ4 data");
	return true;
}

static uint32_t load_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Hadoop's framing: blocks of [u32 BE uncompressed][u32 BE compressed][LZ4 block]. */
static bool decompress_lz4_hadoop(const uint8_t *src, size_t src_len, uint8_t *dst,
				  size_t dst_len)
{
	size_t in = 0, out = 0;
	while (in < src_len) {
		if (src_len - in < 8)
			return false;
		uint32_t raw = load_be32(src + in);
		uint32_t packed = load_be32(src + in + 4);
		in += 8;
		if (packed > src_len - in || raw > dst_len - out || packed > INT_MAX)
			return false;
		int n = LZ4_decompress_safe((const char *)src + in, (char *)dst + out,
					    (int)packed, (int)raw);
		if (n < 0 || (uint32_t)n != raw)
			return false;
		in += packed;
		out += raw;
	}
	return out == dst_len;
}

static bool decompress_brotli(const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
			      const char **why)
{
	size_t out_len = dst_len;
	BrotliDecoderResult rc = BrotliDecoderDecompress(src_len, src, &out_len, dst);
	if (rc != BROTLI_DECODER_RESULT_SUCCESS)
		return fail(why, rc == BROTLI_DECODER_RESULT_NEEDS_MORE_OUTPUT
					 ? "BROTLI data larger than the page size"
					 : "bad BROTLI data");
	if (out_len != dst_len)
		return fail(why, "BROTLI data shorter than the page size");
	return true;
}

bool pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
		   const char **why)
{
	switch (codec) {
	case PQ_COMPRESSION_UNCOMPRESSED:
		if (src_len != dst_len)
			return fail(why, "uncompressed page sizes disagree");
		if (dst_len)
			memcpy(dst, src, dst_len);
		return true;
	case PQ_COMPRESSION_SNAPPY: return decompress_snappy(src, src_len, dst, dst_len, why);
	case PQ_COMPRESSION_GZIP: return decompress_gzip(src, src_len, dst, dst_len, why);
	case PQ_COMPRESSION_ZSTD: return decompress_zstd(src, src_len, dst, dst_len, why);
	case PQ_COMPRESSION_LZ4_RAW: return decompress_lz4_raw(src, src_len, dst, dst_len, why);
	case PQ_COMPRESSION_LZ4:
		if (decompress_lz4_hadoop(src, src_len, dst, dst_len))
			return true;
		return decompress_lz4_raw(src, src_len, dst, dst_len, why);
	case PQ_COMPRESSION_BROTLI: return decompress_brotli(src, src_len, dst, dst_len, why);
	case PQ_COMPRESSION_LZO: return fail(why, "the LZO codec is not supported");
	default: return fail(why, "unknown compression codec");
	}
}
