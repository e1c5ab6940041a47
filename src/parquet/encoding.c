/* parquet/encoding.c: the value and level encodings that are more than a memcpy: the
 * RLE/bit-packed hybrid (levels, dictionary indexes, booleans), legacy BIT_PACKED levels,
 * DELTA_BINARY_PACKED, PLAIN byte arrays, BYTE_STREAM_SPLIT, and the FLOAT16 and INT96
 * conversions. Every reader is bounded by its input length and reports running out. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "parquet/internal.h"

int pq_bit_width(uint32_t max_value)
{
	int width = 0;
	while (max_value) {
		width++;
		max_value >>= 1;
	}
	return width;
}

static bool read_uleb(const uint8_t **pos, const uint8_t *end, uint64_t *out)
{
	uint64_t value = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (*pos >= end)
			return false;
		uint8_t byte = *(*pos)++;
		value |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*out = value;
			return true;
		}
	}
	return false;
}

/* Loads 8 bytes little-endian at p, reading no further than end (zero beyond). */
static inline uint64_t load_le64(const uint8_t *p, const uint8_t *end)
{
	uint64_t word = 0;
	if (end - p >= 8) {
		memcpy(&word, p, 8);
	} else if (end > p) {
		memcpy(&word, p, (size_t)(end - p));
	}
	return word;
}

/* The value of `width` (<= 64) bits starting at bit `bit` of data[0..len). */
static inline uint64_t read_bits(const uint8_t *data, const uint8_t *end, uint64_t bit,
				 int width)
{
	const uint8_t *p = data + (bit >> 3);
	unsigned shift = bit & 7;
	uint64_t word = load_le64(p, end) >> shift;
	if (shift + (unsigned)width > 64) {
		uint64_t high = p + 8 < end ? p[8] : 0;
		word |= high << (64 - shift);
	}
	return width == 64 ? word : word & ((UINT64_C(1) << width) - 1);
}

void pq_rle_init(struct pq_rle *r, const uint8_t *data, size_t len, int bit_width)
{
	memset(r, 0, sizeof *r);
	r->pos = data;
	r->end = data + len;
	r->bit_width = bit_width;
}

/* Starts the next run; false when the data ends or the run header is impossible. */
static bool rle_next_run(struct pq_rle *r)
{
	uint64_t header;
	if (!read_uleb(&r->pos, r->end, &header))
		return false;
	if (header & 1) {
		uint64_t groups = header >> 1;
		if (groups == 0 || groups > (UINT32_MAX / 8))
			return false;
		size_t want = (size_t)groups * (size_t)r->bit_width;
		size_t have = (size_t)(r->end - r->pos);
		size_t bytes = want < have ? want : have;
		/* The last run may be cut short by lenient writers: keep the whole values. */
		uint64_t values = r->bit_width ? (uint64_t)bytes * 8 / (uint64_t)r->bit_width
					       : groups * 8;
		if (values > groups * 8)
			values = groups * 8;
		if (values == 0)
			return false;
		r->bp = r->pos;
		r->bp_bytes = bytes;
		r->bp_index = 0;
		r->bp_count = (uint32_t)values;
		r->pos += bytes;
		return true;
	}
	uint64_t count = header >> 1;
	if (count == 0 || count > UINT32_MAX)
		return false;
	size_t value_bytes = ((size_t)r->bit_width + 7) / 8;
	if ((size_t)(r->end - r->pos) < value_bytes)
		return false;
	uint32_t value = 0;
	for (size_t i = 0; i < value_bytes; i++)
		value |= (uint32_t)r->pos[i] << (8 * i);
	r->pos += value_bytes;
	r->rle_value = value;
	r->rle_left = (uint32_t)count;
	return true;
}

bool pq_rle_get(struct pq_rle *r, uint32_t *out, size_t n)
{
	if (r->bit_width < 0 || r->bit_width > 32)
		return false;
	size_t done = 0;
	while (done < n) {
		if (r->rle_left > 0) {
			size_t take = n - done < r->rle_left ? n - done : r->rle_left;
			for (size_t i = 0; i < take; i++)
				out[done + i] = r->rle_value;
			r->rle_left -= (uint32_t)take;
			done += take;
		} else if (r->bp_index < r->bp_count) {
			size_t take = n - done < r->bp_count - r->bp_index
					      ? n - done
					      : r->bp_count - r->bp_index;
			const uint8_t *end = r->bp + r->bp_bytes;
			uint64_t bit = (uint64_t)r->bp_index * (uint64_t)r->bit_width;
			int width = r->bit_width;
			for (size_t i = 0; i < take; i++, bit += (uint64_t)width)
				out[done + i] = (uint32_t)read_bits(r->bp, end, bit, width);
			r->bp_index += (uint32_t)take;
			done += take;
		} else if (!rle_next_run(r)) {
			return false;
		}
	}
	return true;
}

bool pq_rle_get_u8(struct pq_rle *r, uint8_t *out, size_t n)
{
	uint32_t chunk[256];
	size_t done = 0;
	while (done < n) {
		if (r->rle_left > 0) {
			size_t take = n - done < r->rle_left ? n - done : r->rle_left;
			if (r->rle_value > 255)
				return false;
			memset(out + done, (int)r->rle_value, take);
			r->rle_left -= (uint32_t)take;
			done += take;
			continue;
		}
		size_t take = n - done < 256 ? n - done : 256;
		if (r->bp_index < r->bp_count && take > r->bp_count - r->bp_index)
			take = r->bp_count - r->bp_index;
		if (!pq_rle_get(r, chunk, take))
			return false;
		for (size_t i = 0; i < take; i++) {
			if (chunk[i] > 255)
				return false;
			out[done + i] = (uint8_t)chunk[i];
		}
		done += take;
	}
	return true;
}

bool pq_bitpacked_legacy_get_u8(const uint8_t *data, size_t len, int bit_width, uint8_t *out,
				size_t n)
{
	if ((uint64_t)n * (uint64_t)bit_width > (uint64_t)len * 8)
		return false;
	uint64_t bit = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t value = 0;
		for (int b = 0; b < bit_width; b++, bit++) {
			uint8_t byte = data[bit >> 3];
			value = (value << 1) | ((byte >> (7 - (bit & 7))) & 1);
		}
		if (value > 255)
			return false;
		out[i] = (uint8_t)value;
	}
	return true;
}

static int64_t zigzag64(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

enum {
	PQ_DELTA_MAX_MINIBLOCKS = 1 << 16,
	PQ_DELTA_MAX_BLOCK = 1 << 20,
};

struct delta_header {
	uint64_t block_size, miniblocks, total;
	int64_t first;
};

static bool delta_read_header(const uint8_t **pos, const uint8_t *end, struct delta_header *h,
			      const char **why)
{
	uint64_t first;
	if (!read_uleb(pos, end, &h->block_size) || !read_uleb(pos, end, &h->miniblocks) ||
	    !read_uleb(pos, end, &h->total) || !read_uleb(pos, end, &first)) {
		*why = "truncated DELTA_BINARY_PACKED header";
		return false;
	}
	h->first = zigzag64(first);
	if (h->block_size == 0 || h->block_size % 128 != 0 || h->block_size > PQ_DELTA_MAX_BLOCK ||
	    h->miniblocks == 0 || h->miniblocks > PQ_DELTA_MAX_MINIBLOCKS ||
	    h->block_size % h->miniblocks != 0 || (h->block_size / h->miniblocks) % 32 != 0) {
		*why = "impossible DELTA_BINARY_PACKED block layout";
		return false;
	}
	return true;
}

bool pq_delta_count(const uint8_t *data, size_t len, size_t *count, const char **why)
{
	const uint8_t *pos = data;
	struct delta_header h;
	if (!delta_read_header(&pos, data + len, &h, why))
		return false;
	if (h.total > len * 64 + 1) {
		*why = "DELTA_BINARY_PACKED count larger than its data allows";
		return false;
	}
	*count = (size_t)h.total;
	return true;
}

bool pq_delta_decode(const uint8_t *data, size_t len, int64_t *out, size_t max, size_t *count,
		     size_t *used, const char **why)
{
	const uint8_t *pos = data, *end = data + len;
	struct delta_header h;
	if (!delta_read_header(&pos, end, &h, why))
		return false;
	if (h.total > max) {
		*why = "DELTA_BINARY_PACKED holds more values than the page";
		return false;
	}
	size_t total = (size_t)h.total;
	*count = total;
	if (total == 0) {
		*used = (size_t)(pos - data);
		return true;
	}
	uint64_t value = (uint64_t)h.first; /* wrapping arithmetic, as the format intends */
	out[0] = h.first;
	size_t done = 1;
	size_t per_mini = (size_t)(h.block_size / h.miniblocks);
	while (done < total) {
		uint64_t min_raw;
		if (!read_uleb(&pos, end, &min_raw)) {
			*why = "truncated DELTA_BINARY_PACKED block";
			return false;
		}
		uint64_t min_delta = (uint64_t)zigzag64(min_raw);
		size_t n_mini = (size_t)h.miniblocks;
		if ((size_t)(end - pos) < n_mini) {
			*why = "truncated DELTA_BINARY_PACKED bit widths";
			return false;
		}
		const uint8_t *width_bytes = pos;
		pos += n_mini;
		for (size_t m = 0; m < n_mini && done < total; m++) {
			int width = width_bytes[m];
			if (width > 64) {
				*why = "DELTA_BINARY_PACKED bit width above 64";
				return false;
			}
			size_t bytes = per_mini * (size_t)width / 8;
			if ((size_t)(end - pos) < bytes) {
				*why = "truncated DELTA_BINARY_PACKED miniblock";
				return false;
			}
			size_t take = total - done < per_mini ? total - done : per_mini;
			const uint8_t *mend = pos + bytes;
			if (width == 0) {
				for (size_t i = 0; i < take; i++) {
					value += min_delta;
					out[done++] = (int64_t)value;
				}
			} else {
				uint64_t bit = 0;
				for (size_t i = 0; i < take; i++, bit += (uint64_t)width) {
					value += min_delta + read_bits(pos, mend, bit, width);
					out[done++] = (int64_t)value;
				}
			}
			pos = mend;
		}
	}
	*used = (size_t)(pos - data);
	return true;
}

bool pq_plain_byte_array(const uint8_t *data, size_t len, struct lk_bytes *out, size_t n,
			 size_t *used)
{
	const uint8_t *pos = data, *end = data + len;
	for (size_t i = 0; i < n; i++) {
		if (end - pos < 4)
			return false;
		uint32_t item;
		memcpy(&item, pos, 4);
		pos += 4;
		if ((size_t)(end - pos) < item)
			return false;
		out[i].ptr = pos;
		out[i].len = item;
		pos += item;
	}
	*used = (size_t)(pos - data);
	return true;
}

bool pq_byte_stream_split(const uint8_t *data, size_t len, size_t width, uint8_t *out,
			  size_t n)
{
	if (width == 0 || len % width != 0)
		return false;
	size_t stride = len / width;
	if (stride < n)
		return false;
	for (size_t b = 0; b < width; b++) {
		const uint8_t *stream = data + b * stride;
		for (size_t i = 0; i < n; i++)
			out[i * width + b] = stream[i];
	}
	return true;
}

float pq_half_to_float(uint16_t half)
{
	int sign = half >> 15;
	int exponent = (half >> 10) & 0x1f;
	int mantissa = half & 0x3ff;
	float value;
	if (exponent == 0)
		value = ldexpf((float)mantissa, -24);
	else if (exponent == 31)
		value = mantissa ? NAN : INFINITY;
	else
		value = ldexpf((float)(mantissa | 0x400), exponent - 25);
	return sign ? -value : value;
}

enum {
	PQ_JULIAN_UNIX_EPOCH = 2440588,
};

int64_t pq_int96_to_micros(const uint8_t *v)
{
	int64_t nanos;
	uint32_t julian;
	memcpy(&nanos, v, 8);
	memcpy(&julian, v + 8, 4);
	int64_t days = (int64_t)julian - PQ_JULIAN_UNIX_EPOCH;
	/* floor division keeps pre-epoch sub-microsecond parts consistent */
	int64_t micros = nanos / 1000 - (nanos % 1000 < 0);
	/* Far-away days overflow int64 µs: wrap (as other readers do) instead of UB. */
	return (int64_t)((uint64_t)days * UINT64_C(86400000000) + (uint64_t)micros);
}
