/* parquet/column.c: decodes one column chunk of one row group: walks its pages (dictionary,
 * data v1 and v2), decompresses them, decodes repetition and definition levels, and decodes
 * the non-null values of each page at once into one dense typed array of the lakesync
 * storage type (conversions such as timestamp units, INT96, FLOAT16 and decimals are done
 * here, once per page, or once per dictionary). Strings point into page buffers that are
 * handed to the batch. Knows encodings and levels; knows nothing of nesting. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/internal.h"
#include "util/xmalloc.h"

enum {
	PQ_INDEX_CHUNK = 1024, /* dictionary indexes decoded per step */
};

struct colstate {
	const struct pq_read_ctx *ctx;
	const struct pq_schema_node *leaf;
	const struct pq_column_meta *meta;
	struct lk_batch *batch;
	struct pq_column_data *out;
	struct lk_error *err;
	enum pq_storage st;
	size_t vsize;
	void *dict;          /* dictionary values in output storage */
	size_t dict_n;
	bool have_dict;
	uint8_t *scratch;    /* reused page buffer for columns whose values are copied */
	size_t scratch_cap;
	size_t cap_levels;
};

static bool col_fail(struct colstate *s, enum lk_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static bool col_fail(struct colstate *s, enum lk_errcode code, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return lk_error_set(s->err, code, "%s: row group %zu, column %s: %s", s->ctx->file_name,
			    s->ctx->row_group, s->leaf->path, msg);
}

/* Counts bytes against the batch's cap before they are allocated (the columns of one row
 * group may be decoded by two threads: the count is shared). */
static bool charge(struct colstate *s, size_t bytes)
{
	size_t used = atomic_load(s->ctx->bytes_used);
	do {
		if (bytes > s->ctx->max_bytes || used > s->ctx->max_bytes - bytes)
			return col_fail(s, LK_ETOOLARGE,
					"value too large: the row group needs more than %zu bytes "
					"(the limit of one batch)",
					s->ctx->max_bytes);
	} while (!atomic_compare_exchange_weak(s->ctx->bytes_used, &used, used + bytes));
	return true;
}

enum pq_storage pq_storage_of(enum lk_type_id type)
{
	switch (type) {
	case LK_TYPE_BOOLEAN: return PQ_ST_U8;
	case LK_TYPE_INT8:
	case LK_TYPE_INT16:
	case LK_TYPE_INT32:
	case LK_TYPE_UINT8:
	case LK_TYPE_UINT16:
	case LK_TYPE_DATE: return PQ_ST_I32;
	case LK_TYPE_INT64:
	case LK_TYPE_UINT32:
	case LK_TYPE_UINT64:
	case LK_TYPE_TIME:
	case LK_TYPE_TIMESTAMP:
	case LK_TYPE_TIMESTAMP_NTZ: return PQ_ST_I64;
	case LK_TYPE_FLOAT: return PQ_ST_F32;
	case LK_TYPE_DOUBLE: return PQ_ST_F64;
	case LK_TYPE_STRING:
	case LK_TYPE_JSON:
	case LK_TYPE_BINARY:
	case LK_TYPE_UUID:
	case LK_TYPE_INTERVAL:
	case LK_TYPE_VARIANT: return PQ_ST_BYTES;
	default: return PQ_ST_NONE;
	}
}

size_t pq_storage_size(enum pq_storage st)
{
	switch (st) {
	case PQ_ST_U8: return 1;
	case PQ_ST_I32:
	case PQ_ST_F32: return 4;
	case PQ_ST_I64:
	case PQ_ST_F64: return 8;
	case PQ_ST_BYTES: return sizeof(struct lk_bytes);
	default: return 0;
	}
}

static enum pq_storage leaf_storage(const struct pq_schema_node *leaf)
{
	if (leaf->type == LK_TYPE_DECIMAL)
		return leaf->precision <= 18 ? PQ_ST_I64 : PQ_ST_BYTES;
	return pq_storage_of(leaf->type);
}

/* ---- conversions from physical values to the output storage ---------------------------- */

/* A big-endian two's complement integer of up to 8 significant bytes. */
static bool be_to_i64(const uint8_t *p, size_t len, int64_t *out)
{
	if (len == 0) {
		*out = 0;
		return true;
	}
	uint8_t sign = (p[0] & 0x80) ? 0xff : 0x00;
	while (len > 8) {
		if (p[0] != sign)
			return false;
		p++;
		len--;
	}
	uint64_t v = (p[0] & 0x80) ? UINT64_MAX : 0;
	for (size_t i = 0; i < len; i++)
		v = (v << 8) | p[i];
	*out = (int64_t)v;
	return true;
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return q - ((a % b != 0) && ((a < 0) != (b < 0)));
}

static void convert_i64_units(const struct pq_schema_node *leaf, int64_t *v, size_t n)
{
	if (leaf->unit == PQ_UNIT_MILLIS) {
		for (size_t i = 0; i < n; i++)
			v[i] = (int64_t)((uint64_t)v[i] * 1000u);
	} else if (leaf->unit == PQ_UNIT_NANOS) {
		for (size_t i = 0; i < n; i++)
			v[i] = floor_div(v[i], 1000);
	}
}

/* count INT32 values (little-endian at src) into dst of the output storage. */
static void emit_int32(struct colstate *s, const uint8_t *src, size_t count, void *dst)
{
	const struct pq_schema_node *leaf = s->leaf;
	if (s->st == PQ_ST_I32) {
		int32_t *out = dst;
		memcpy(out, src, count * 4);
		if (leaf->type == LK_TYPE_UINT8)
			for (size_t i = 0; i < count; i++)
				out[i] &= 0xff;
		else if (leaf->type == LK_TYPE_UINT16)
			for (size_t i = 0; i < count; i++)
				out[i] &= 0xffff;
		return;
	}
	int64_t *out = dst;
	if (leaf->type == LK_TYPE_UINT32) {
		for (size_t i = 0; i < count; i++) {
			uint32_t v;
			memcpy(&v, src + 4 * i, 4);
			out[i] = v;
		}
		return;
	}
	int64_t factor = leaf->type == LK_TYPE_TIME ? 1000 : 1;
	for (size_t i = 0; i < count; i++) {
		int32_t v;
		memcpy(&v, src + 4 * i, 4);
		out[i] = (int64_t)v * factor;
	}
}

static bool emit_flba(struct colstate *s, const uint8_t *src, size_t count, void *dst)
{
	size_t width = (size_t)s->leaf->type_length;
	if (s->st == PQ_ST_BYTES) {
		struct lk_bytes *out = dst;
		for (size_t i = 0; i < count; i++) {
			out[i].ptr = src + i * width;
			out[i].len = (uint32_t)width;
		}
		return true;
	}
	if (s->st == PQ_ST_F32) {
		float *out = dst;
		for (size_t i = 0; i < count; i++) {
			uint16_t half;
			memcpy(&half, src + i * width, 2);
			out[i] = pq_half_to_float(half);
		}
		return true;
	}
	if (s->st == PQ_ST_I64) {
		int64_t *out = dst;
		for (size_t i = 0; i < count; i++)
			if (!be_to_i64(src + i * width, width, &out[i]))
				return col_fail(s, LK_ECORRUPT,
						"decimal value wider than its precision %u",
						s->leaf->precision);
		return true;
	}
	return true;
}

static size_t physical_width(const struct pq_schema_node *leaf)
{
	switch (leaf->physical) {
	case PQ_INT32:
	case PQ_FLOAT: return 4;
	case PQ_INT64:
	case PQ_DOUBLE: return 8;
	case PQ_INT96: return 12;
	case PQ_FIXED_LEN_BYTE_ARRAY: return (size_t)leaf->type_length;
	default: return 0;
	}
}

/* count fixed-width physical values at src (count * width bytes, checked by the caller)
 * into dst. For FIXED_LEN_BYTE_ARRAY strings, src must outlive the batch. */
static bool emit_fixed(struct colstate *s, const uint8_t *src, size_t count, void *dst)
{
	if (s->st == PQ_ST_NONE || count == 0)
		return true;
	switch (s->leaf->physical) {
	case PQ_INT32:
		emit_int32(s, src, count, dst);
		return true;
	case PQ_INT64:
		memcpy(dst, src, count * 8);
		if (s->leaf->type == LK_TYPE_TIME || s->leaf->type == LK_TYPE_TIMESTAMP ||
		    s->leaf->type == LK_TYPE_TIMESTAMP_NTZ)
			convert_i64_units(s->leaf, dst, count);
		return true;
	case PQ_INT96: {
		int64_t *out = dst;
		for (size_t i = 0; i < count; i++)
			out[i] = pq_int96_to_micros(src + 12 * i);
		return true;
	}
	case PQ_FLOAT:
	case PQ_DOUBLE:
		memcpy(dst, src, count * physical_width(s->leaf));
		return true;
	case PQ_FIXED_LEN_BYTE_ARRAY:
		return emit_flba(s, src, count, dst);
	default:
		return col_fail(s, LK_EINTERNAL, "fixed-width decode of a variable type");
	}
}

/* Byte arrays already split into (ptr, len) at dst: converts decimals in place. */
static bool finish_byte_arrays(struct colstate *s, struct lk_bytes *items, size_t count,
			       void *dst)
{
	if (s->st == PQ_ST_BYTES) {
		if ((void *)items != dst)
			memcpy(dst, items, count * sizeof *items);
		return true;
	}
	if (s->st == PQ_ST_I64) {
		int64_t *out = dst;
		for (size_t i = 0; i < count; i++)
			if (!be_to_i64(items[i].ptr, items[i].len, &out[i]))
				return col_fail(s, LK_ECORRUPT,
						"decimal value wider than its precision %u",
						s->leaf->precision);
	}
	return true;
}

/* ---- PLAIN ------------------------------------------------------------------------------ */

static bool decode_plain(struct colstate *s, const uint8_t *data, size_t len, size_t count,
			 void *dst)
{
	if (s->leaf->physical == PQ_BOOLEAN) {
		if (len * 8 < count)
			return col_fail(s, LK_ECORRUPT, "PLAIN booleans end early");
		if (s->st != PQ_ST_U8)
			return true;
		uint8_t *out = dst;
		for (size_t i = 0; i < count; i++)
			out[i] = (data[i >> 3] >> (i & 7)) & 1;
		return true;
	}
	if (s->leaf->physical == PQ_BYTE_ARRAY) {
		struct lk_bytes *items = s->st == PQ_ST_BYTES ? dst
					 : xcalloc(count ? count : 1, sizeof *items);
		size_t used;
		bool ok = pq_plain_byte_array(data, len, items, count, &used);
		if (!ok)
			col_fail(s, LK_ECORRUPT, "PLAIN byte array runs past the page (%zu bytes)",
				 len);
		else if (s->st != PQ_ST_NONE)
			ok = finish_byte_arrays(s, items, count, dst);
		if ((void *)items != dst)
			free(items);
		return ok;
	}
	size_t width = physical_width(s->leaf);
	if (width == 0 || len / width < count)
		return col_fail(s, LK_ECORRUPT,
				"page holds %zu bytes, too few for %zu PLAIN values", len, count);
	return emit_fixed(s, data, count, dst);
}

/* ---- dictionaries ----------------------------------------------------------------------- */

static bool read_dictionary(struct colstate *s, const struct pq_page_header *hdr,
			    const uint8_t *page, size_t len)
{
	if (s->have_dict)
		return col_fail(s, LK_ECORRUPT, "a second dictionary page");
	if (hdr->dict_num_values < 0)
		return col_fail(s, LK_ECORRUPT, "dictionary page with %d values",
				hdr->dict_num_values);
	if (hdr->dict_encoding != PQ_ENC_PLAIN && hdr->dict_encoding != PQ_ENC_PLAIN_DICTIONARY)
		return col_fail(s, LK_EUNSUPPORTED, "dictionary page encoding %d",
				hdr->dict_encoding);
	size_t n = (size_t)hdr->dict_num_values;
	if (s->leaf->physical != PQ_BOOLEAN && n > len)
		return col_fail(s, LK_ECORRUPT,
				"dictionary page claims %zu values in %zu bytes", n, len);
	if (s->vsize && !charge(s, n * s->vsize))
		return false;
	s->dict = xcalloc(n ? n : 1, s->vsize ? s->vsize : 1);
	s->dict_n = n;
	s->have_dict = true;
	return decode_plain(s, page, len, n, s->dict);
}

static void gather(const void *dict, size_t vsize, const uint32_t *idx, size_t n, void *dst)
{
	switch (vsize) {
	case 1: {
		const uint8_t *d = dict;
		uint8_t *o = dst;
		for (size_t i = 0; i < n; i++)
			o[i] = d[idx[i]];
		break;
	}
	case 4: {
		const uint32_t *d = dict;
		uint32_t *o = dst;
		for (size_t i = 0; i < n; i++)
			o[i] = d[idx[i]];
		break;
	}
	case 8: {
		const uint64_t *d = dict;
		uint64_t *o = dst;
		for (size_t i = 0; i < n; i++)
			o[i] = d[idx[i]];
		break;
	}
	default: {
		const struct lk_bytes *d = dict;
		struct lk_bytes *o = dst;
		for (size_t i = 0; i < n; i++)
			o[i] = d[idx[i]];
		break;
	}
	}
}

static bool decode_dictionary_indexes(struct colstate *s, const uint8_t *data, size_t len,
				      size_t count, void *dst)
{
	if (!s->have_dict)
		return col_fail(s, LK_ECORRUPT, "dictionary-encoded page without a dictionary");
	if (count == 0)
		return true;
	if (len < 1)
		return col_fail(s, LK_ECORRUPT, "dictionary-encoded page without a bit width");
	int width = data[0];
	if (width > 32)
		return col_fail(s, LK_ECORRUPT, "dictionary index bit width %d", width);
	struct pq_rle rle;
	pq_rle_init(&rle, data + 1, len - 1, width);
	uint32_t idx[PQ_INDEX_CHUNK];
	uint8_t *out = dst;
	for (size_t done = 0; done < count;) {
		size_t take = count - done < PQ_INDEX_CHUNK ? count - done : PQ_INDEX_CHUNK;
		if (!pq_rle_get(&rle, idx, take))
			return col_fail(s, LK_ECORRUPT,
					"dictionary indexes end after %zu of %zu values", done,
					count);
		uint32_t max = 0;
		for (size_t i = 0; i < take; i++)
			max = idx[i] > max ? idx[i] : max;
		if (max >= s->dict_n)
			return col_fail(s, LK_ECORRUPT,
					"dictionary index %u out of range (dictionary has %zu "
					"values)",
					max, s->dict_n);
		if (s->vsize)
			gather(s->dict, s->vsize, idx, take, out + done * s->vsize);
		done += take;
	}
	return true;
}

/* ---- other encodings -------------------------------------------------------------------- */

static bool decode_rle_booleans(struct colstate *s, const uint8_t *data, size_t len,
				size_t count, void *dst)
{
	if (s->leaf->physical != PQ_BOOLEAN)
		return col_fail(s, LK_EUNSUPPORTED, "RLE encoding of a non-boolean column");
	if (len < 4)
		return col_fail(s, LK_ECORRUPT, "RLE booleans without a length");
	uint32_t n;
	memcpy(&n, data, 4);
	if (n > len - 4)
		return col_fail(s, LK_ECORRUPT, "RLE booleans longer than the page");
	struct pq_rle rle;
	pq_rle_init(&rle, data + 4, n, 1);
	uint8_t *tmp = s->st == PQ_ST_U8 ? dst : xmalloc(count ? count : 1);
	bool ok = pq_rle_get_u8(&rle, tmp, count);
	if ((void *)tmp != dst)
		free(tmp);
	return ok || col_fail(s, LK_ECORRUPT, "RLE booleans end early");
}

static bool decode_delta_ints(struct colstate *s, const uint8_t *data, size_t len,
			      size_t count, void *dst)
{
	if (s->leaf->physical != PQ_INT32 && s->leaf->physical != PQ_INT64)
		return col_fail(s, LK_EUNSUPPORTED, "DELTA_BINARY_PACKED on a non-integer column");
	int64_t *tmp = xmalloc((count ? count : 1) * sizeof *tmp);
	size_t got, used;
	const char *why = NULL;
	bool ok = pq_delta_decode(data, len, tmp, count, &got, &used, &why);
	if (!ok) {
		free(tmp);
		return col_fail(s, LK_ECORRUPT, "%s", why);
	}
	if (got != count) {
		free(tmp);
		return col_fail(s, LK_ECORRUPT, "DELTA_BINARY_PACKED holds %zu of %zu values", got,
				count);
	}
	if (s->leaf->physical == PQ_INT32) {
		/* narrow in place to little-endian int32 */
		int32_t *narrow = (int32_t *)tmp;
		for (size_t i = 0; i < count; i++)
			narrow[i] = (int32_t)(uint32_t)(uint64_t)tmp[i];
	}
	ok = emit_fixed(s, (const uint8_t *)tmp, count, dst);
	free(tmp);
	return ok;
}

/* Lengths (DELTA_BINARY_PACKED) followed by the concatenated bytes. */
static bool split_delta_lengths(struct colstate *s, const uint8_t *data, size_t len,
				size_t count, struct lk_bytes *items, size_t *used_out)
{
	int64_t *lengths = xmalloc((count ? count : 1) * sizeof *lengths);
	size_t got, used;
	const char *why = NULL;
	if (!pq_delta_decode(data, len, lengths, count, &got, &used, &why)) {
		free(lengths);
		return col_fail(s, LK_ECORRUPT, "lengths: %s", why);
	}
	if (got != count) {
		free(lengths);
		return col_fail(s, LK_ECORRUPT, "%zu lengths for %zu values", got, count);
	}
	const uint8_t *pos = data + used, *end = data + len;
	for (size_t i = 0; i < count; i++) {
		if (lengths[i] < 0 || (uint64_t)lengths[i] > (uint64_t)(end - pos)) {
			long long bad = (long long)lengths[i];
			free(lengths);
			return col_fail(s, LK_ECORRUPT, "byte array length %lld runs past the page",
					bad);
		}
		items[i].ptr = pos;
		items[i].len = (uint32_t)lengths[i];
		pos += lengths[i];
	}
	free(lengths);
	*used_out = (size_t)(pos - data);
	return true;
}

static bool decode_delta_length(struct colstate *s, const uint8_t *data, size_t len,
				size_t count, void *dst)
{
	if (s->leaf->physical != PQ_BYTE_ARRAY)
		return col_fail(s, LK_EUNSUPPORTED, "DELTA_LENGTH_BYTE_ARRAY on a non-binary column");
	struct lk_bytes *items = xcalloc(count ? count : 1, sizeof *items);
	size_t used;
	bool ok = split_delta_lengths(s, data, len, count, items, &used) &&
		  finish_byte_arrays(s, items, count, dst);
	free(items);
	return ok;
}

static bool decode_delta_byte_array(struct colstate *s, const uint8_t *data, size_t len,
				    size_t count, void *dst)
{
	if (s->leaf->physical != PQ_BYTE_ARRAY && s->leaf->physical != PQ_FIXED_LEN_BYTE_ARRAY)
		return col_fail(s, LK_EUNSUPPORTED, "DELTA_BYTE_ARRAY on a non-binary column");
	int64_t *prefix = xmalloc((count ? count : 1) * sizeof *prefix);
	struct lk_bytes *items = xcalloc(count ? count : 1, sizeof *items);
	size_t got, used, used2;
	const char *why = NULL;
	bool ok = pq_delta_decode(data, len, prefix, count, &got, &used, &why);
	if (!ok)
		col_fail(s, LK_ECORRUPT, "prefix lengths: %s", why);
	else if (got != count)
		ok = col_fail(s, LK_ECORRUPT, "%zu prefix lengths for %zu values", got, count);
	ok = ok && split_delta_lengths(s, data + used, len - used, count, items, &used2);
	/* Total size first, so that a hostile page cannot make us allocate unboundedly. */
	uint64_t total = 0, prev_len = 0;
	for (size_t i = 0; ok && i < count; i++) {
		if (prefix[i] < 0 || (uint64_t)prefix[i] > prev_len)
			ok = col_fail(s, LK_ECORRUPT, "prefix length %lld longer than the previous "
						      "value (%llu)",
				      (long long)prefix[i], (unsigned long long)prev_len);
		prev_len = (uint64_t)prefix[i] + items[i].len;
		if (prev_len > UINT32_MAX)
			ok = col_fail(s, LK_ETOOLARGE, "value too large (%llu bytes)",
				      (unsigned long long)prev_len);
		total += prev_len;
	}
	uint8_t *buf = NULL;
	if (ok && total > s->ctx->max_bytes)
		ok = charge(s, SIZE_MAX);
	if (ok && (ok = charge(s, (size_t)total))) {
		buf = xmalloc(total ? (size_t)total : 1);
		lk_batch_keep(s->batch, buf, (size_t)total);
		uint8_t *pos = buf;
		const uint8_t *prev = buf;
		for (size_t i = 0; i < count; i++) {
			size_t p = (size_t)prefix[i];
			memmove(pos, prev, p);
			memcpy(pos + p, items[i].ptr, items[i].len);
			items[i].ptr = pos;
			items[i].len = (uint32_t)(p + items[i].len);
			prev = pos;
			pos += items[i].len;
		}
		if (s->leaf->physical == PQ_FIXED_LEN_BYTE_ARRAY) {
			for (size_t i = 0; ok && i < count; i++)
				if (items[i].len != (uint32_t)s->leaf->type_length)
					ok = col_fail(s, LK_ECORRUPT,
						      "DELTA_BYTE_ARRAY value of %u bytes in a "
						      "column of width %d",
						      items[i].len, s->leaf->type_length);
			/* FLBA conversions read fixed-width values one after another */
			ok = ok && emit_fixed(s, buf, count, dst);
		} else {
			ok = finish_byte_arrays(s, items, count, dst);
		}
	}
	free(prefix);
	free(items);
	return ok;
}

static bool decode_byte_stream_split(struct colstate *s, const uint8_t *data, size_t len,
				     size_t count, void *dst)
{
	size_t width = physical_width(s->leaf);
	if (width == 0 || s->leaf->physical == PQ_INT96)
		return col_fail(s, LK_EUNSUPPORTED, "BYTE_STREAM_SPLIT on this column type");
	if (len / width < count)
		return col_fail(s, LK_ECORRUPT, "BYTE_STREAM_SPLIT page too short");
	bool keep = s->leaf->physical == PQ_FIXED_LEN_BYTE_ARRAY && s->st == PQ_ST_BYTES;
	size_t bytes = count * width;
	if (keep && !charge(s, bytes))
		return false;
	uint8_t *buf = xmalloc(bytes ? bytes : 1);
	if (!pq_byte_stream_split(data, len, width, buf, count)) {
		free(buf);
		return col_fail(s, LK_ECORRUPT, "BYTE_STREAM_SPLIT page of %zu bytes is not a "
						"whole number of %zu-byte values",
				len, width);
	}
	bool ok = emit_fixed(s, buf, count, dst);
	if (keep)
		lk_batch_keep(s->batch, buf, bytes);
	else
		free(buf);
	return ok;
}

/* ---- pages -------------------------------------------------------------------------------- */

static bool ensure_values(struct colstate *s, size_t extra)
{
	struct pq_column_data *out = s->out;
	if (s->vsize == 0 || out->n_values + extra <= out->cap_values)
		return true;
	size_t want = out->n_values + extra;
	size_t cap = out->cap_values ? out->cap_values : want;
	while (cap < want)
		cap *= 2;
	if (!charge(s, (cap - out->cap_values) * s->vsize))
		return false;
	out->values = xreallocarray(out->values, cap, s->vsize);
	out->cap_values = cap;
	return true;
}

static bool ensure_levels(struct colstate *s, size_t extra)
{
	struct pq_column_data *out = s->out;
	size_t want = out->n_levels + extra;
	if (want <= s->cap_levels)
		return true;
	size_t cap = s->cap_levels ? s->cap_levels : want;
	while (cap < want)
		cap *= 2;
	size_t per = (s->leaf->max_def > 0) + (s->leaf->max_rep > 0);
	if (!charge(s, (cap - s->cap_levels) * per))
		return false;
	if (s->leaf->max_def > 0)
		out->def = xrealloc(out->def, cap);
	if (s->leaf->max_rep > 0)
		out->rep = xrealloc(out->rep, cap);
	s->cap_levels = cap;
	return true;
}

static bool decode_values(struct colstate *s, int encoding, const uint8_t *data, size_t len,
			  size_t count)
{
	if (count == 0)
		return true; /* an all-null page: nothing to decode */
	if (!ensure_values(s, count))
		return false;
	void *dst = (uint8_t *)s->out->values + s->out->n_values * s->vsize;
	bool ok;
	switch (encoding) {
	case PQ_ENC_PLAIN: ok = decode_plain(s, data, len, count, dst); break;
	case PQ_ENC_PLAIN_DICTIONARY:
	case PQ_ENC_RLE_DICTIONARY: ok = decode_dictionary_indexes(s, data, len, count, dst); break;
	case PQ_ENC_RLE: ok = decode_rle_booleans(s, data, len, count, dst); break;
	case PQ_ENC_DELTA_BINARY_PACKED: ok = decode_delta_ints(s, data, len, count, dst); break;
	case PQ_ENC_DELTA_LENGTH_BYTE_ARRAY: ok = decode_delta_length(s, data, len, count, dst); break;
	case PQ_ENC_DELTA_BYTE_ARRAY: ok = decode_delta_byte_array(s, data, len, count, dst); break;
	case PQ_ENC_BYTE_STREAM_SPLIT: ok = decode_byte_stream_split(s, data, len, count, dst); break;
	default: return col_fail(s, LK_EUNSUPPORTED, "value encoding %d is not supported", encoding);
	}
	if (ok)
		s->out->n_values += count;
	return ok;
}

/* Decodes n levels into out; *used receives the bytes taken (v1 RLE has a length prefix). */
static bool decode_levels(struct colstate *s, const char *what, int encoding, int max_level,
			  const uint8_t *data, size_t len, bool length_prefix, size_t n,
			  uint8_t *out, size_t *used)
{
	int width = pq_bit_width((uint32_t)max_level);
	if (encoding == PQ_ENC_BIT_PACKED) {
		size_t bytes = (n * (size_t)width + 7) / 8;
		if (bytes > len || !pq_bitpacked_legacy_get_u8(data, len, width, out, n))
			return col_fail(s, LK_ECORRUPT, "%s levels end early", what);
		*used = bytes;
	} else if (encoding == PQ_ENC_RLE) {
		size_t body = len, skip = 0;
		if (length_prefix) {
			uint32_t n_bytes;
			if (len < 4)
				return col_fail(s, LK_ECORRUPT, "%s levels without a length", what);
			memcpy(&n_bytes, data, 4);
			if (n_bytes > len - 4)
				return col_fail(s, LK_ECORRUPT,
						"%s levels of %u bytes in a page of %zu", what,
						n_bytes, len);
			body = n_bytes;
			skip = 4;
		}
		struct pq_rle rle;
		pq_rle_init(&rle, data + skip, body, width);
		if (!pq_rle_get_u8(&rle, out, n))
			return col_fail(s, LK_ECORRUPT, "%s levels end early", what);
		*used = skip + body;
	} else {
		return col_fail(s, LK_EUNSUPPORTED, "%s level encoding %d", what, encoding);
	}
	for (size_t i = 0; i < n; i++)
		if (out[i] > max_level)
			return col_fail(s, LK_ECORRUPT, "%s level %u above the maximum %d", what,
					out[i], max_level);
	return true;
}

static size_t count_present(const struct colstate *s, size_t first, size_t n)
{
	if (s->leaf->max_def == 0)
		return n;
	const uint8_t *def = s->out->def + first;
	uint8_t max = (uint8_t)s->leaf->max_def;
	size_t present = 0;
	for (size_t i = 0; i < n; i++)
		present += def[i] == max;
	return present;
}

/* A buffer for one decompressed page: kept by the batch when strings may point into it. */
static uint8_t *page_buffer(struct colstate *s, size_t size, bool *kept)
{
	*kept = s->st == PQ_ST_BYTES;
	if (*kept) {
		uint8_t *buf = xmalloc(size ? size : 1);
		lk_batch_keep(s->batch, buf, size);
		return buf;
	}
	if (s->scratch_cap < size) {
		free(s->scratch);
		s->scratch = xmalloc(size);
		s->scratch_cap = size;
	}
	return s->scratch;
}

/* Returns the page's bytes uncompressed (the input itself when possible). */
static bool page_bytes(struct colstate *s, const uint8_t *src, size_t src_len,
		       size_t out_len, bool compressed, const uint8_t **out)
{
	int codec = s->meta->codec;
	if (!compressed || codec == PQ_COMPRESSION_UNCOMPRESSED) {
		if (src_len < out_len)
			return col_fail(s, LK_ECORRUPT, "page of %zu bytes holds only %zu", out_len,
					src_len);
		if (s->st != PQ_ST_BYTES || out_len == 0) {
			*out = src;
			return true;
		}
		codec = PQ_COMPRESSION_UNCOMPRESSED;
		src_len = out_len;
	}
	if (codec == PQ_COMPRESSION_LZO)
		return col_fail(s, LK_EUNSUPPORTED, "the LZO codec is not supported");
	if (!charge(s, out_len))
		return false;
	bool kept;
	uint8_t *buf = page_buffer(s, out_len, &kept);
	const char *why = NULL;
	if (!pq_decompress(codec, src, src_len, buf, out_len, &why))
		return col_fail(s, LK_ECORRUPT, "%s page: %s", pq_compression_name(codec), why);
	*out = buf;
	return true;
}

static bool read_data_page_v1(struct colstate *s, const struct pq_page_header *hdr,
			      const uint8_t *page, size_t len)
{
	if (hdr->num_values < 0)
		return col_fail(s, LK_ECORRUPT, "data page with %d values", hdr->num_values);
	size_t n = (size_t)hdr->num_values;
	if (!ensure_levels(s, n))
		return false;
	size_t first = s->out->n_levels, pos = 0, used;
	if (s->leaf->max_rep > 0) {
		if (!decode_levels(s, "repetition", hdr->rep_encoding, s->leaf->max_rep, page, len,
				   true, n, s->out->rep + first, &used))
			return false;
		pos += used;
	}
	if (s->leaf->max_def > 0) {
		if (!decode_levels(s, "definition", hdr->def_encoding, s->leaf->max_def,
				   page + pos, len - pos, true, n, s->out->def + first, &used))
			return false;
		pos += used;
	}
	s->out->n_levels += n;
	return decode_values(s, hdr->encoding, page + pos, len - pos, count_present(s, first, n));
}

static bool read_data_page_v2(struct colstate *s, const struct pq_page_header *hdr,
			      const uint8_t *raw, size_t raw_len)
{
	if (hdr->v2_num_values < 0 || hdr->v2_rep_length < 0 || hdr->v2_def_length < 0)
		return col_fail(s, LK_ECORRUPT, "data page v2 with negative sizes");
	size_t n = (size_t)hdr->v2_num_values;
	size_t rep_len = (size_t)hdr->v2_rep_length, def_len = (size_t)hdr->v2_def_length;
	if (rep_len + def_len > raw_len || rep_len + def_len > (size_t)hdr->uncompressed_size)
		return col_fail(s, LK_ECORRUPT, "data page v2 levels larger than the page");
	if (!ensure_levels(s, n))
		return false;
	size_t first = s->out->n_levels, used;
	if (s->leaf->max_rep > 0 &&
	    !decode_levels(s, "repetition", PQ_ENC_RLE, s->leaf->max_rep, raw, rep_len, false,
			   n, s->out->rep + first, &used))
		return false;
	if (s->leaf->max_def > 0 &&
	    !decode_levels(s, "definition", PQ_ENC_RLE, s->leaf->max_def, raw + rep_len,
			   def_len, false, n, s->out->def + first, &used))
		return false;
	s->out->n_levels += n;
	size_t levels = rep_len + def_len;
	size_t values_len = (size_t)hdr->uncompressed_size - levels;
	const uint8_t *values = raw + levels;
	if (values_len > 0 &&
	    !page_bytes(s, raw + levels, raw_len - levels, values_len, hdr->v2_is_compressed,
			&values))
		return false;
	return decode_values(s, hdr->v2_encoding, values, values_len,
			     count_present(s, first, n));
}

/* The byte range of the chunk in the file. */
static bool chunk_range(struct colstate *s, size_t *start, size_t *len)
{
	const struct pq_column_meta *m = s->meta;
	int64_t begin = m->data_page_offset;
	if (m->has_dictionary_page_offset && m->dictionary_page_offset > 0 &&
	    m->dictionary_page_offset < begin)
		begin = m->dictionary_page_offset;
	int64_t size = m->total_compressed_size;
	if (begin < 4 || size < 0 || (uint64_t)begin > s->ctx->file_size ||
	    (uint64_t)size > s->ctx->file_size - (uint64_t)begin)
		return col_fail(s, LK_ECORRUPT,
				"column chunk at offset %lld of %lld bytes lies outside the file "
				"(%zu bytes)",
				(long long)begin, (long long)size, s->ctx->file_size);
	*start = (size_t)begin;
	*len = (size_t)size;
	return true;
}

static bool read_page(struct colstate *s, const struct pq_page_header *hdr, const uint8_t *raw,
		      size_t raw_len)
{
	const uint8_t *page;
	switch (hdr->type) {
	case PQ_PAGE_DICTIONARY:
		if (!hdr->has_dictionary)
			return col_fail(s, LK_ECORRUPT, "dictionary page without its header");
		if (!page_bytes(s, raw, raw_len, (size_t)hdr->uncompressed_size, true, &page))
			return false;
		/* dictionary values are copied out except strings, which point into page */
		return read_dictionary(s, hdr, page, (size_t)hdr->uncompressed_size);
	case PQ_PAGE_DATA:
		if (!hdr->has_data)
			return col_fail(s, LK_ECORRUPT, "data page without its header");
		if (!page_bytes(s, raw, raw_len, (size_t)hdr->uncompressed_size, true, &page))
			return false;
		return read_data_page_v1(s, hdr, page, (size_t)hdr->uncompressed_size);
	case PQ_PAGE_DATA_V2:
		if (!hdr->has_data_v2)
			return col_fail(s, LK_ECORRUPT, "data page v2 without its header");
		return read_data_page_v2(s, hdr, raw, raw_len);
	default:
		return true; /* index pages and unknown pages are skipped */
	}
}

static bool read_pages(struct colstate *s)
{
	size_t start = 0, len = 0;
	if (!chunk_range(s, &start, &len))
		return false;
	const uint8_t *chunk = s->ctx->file_data + start;
	size_t pos = 0;
	/* Some writers leave the dictionary page out of total_compressed_size: pages may run
	 * past the declared end, up to the end of the file; num_values says when to stop. */
	len = s->ctx->file_size - start;
	/* Size the arrays once from the chunk's value count (levels; values are fewer), so
	 * pages append without reallocating. The count is only trusted as far as the chunk's
	 * bytes make plausible (8 values a byte); beyond that the arrays grow as pages come. */
	uint64_t expected = s->meta->num_values > 0 ? (uint64_t)s->meta->num_values : 0;
	uint64_t plausible = (uint64_t)s->meta->total_compressed_size * 8 + PQ_INDEX_CHUNK;
	uint64_t reserve = expected < plausible ? expected : plausible;
	if (reserve > SIZE_MAX / 16)
		return charge(s, SIZE_MAX);
	if (reserve > 0 && (!ensure_levels(s, (size_t)reserve) ||
			    !ensure_values(s, (size_t)reserve)))
		return false;
	while (pos < len && s->out->n_levels < expected) {
		struct pq_page_header hdr;
		size_t hlen;
		if (!pq_page_header_parse(chunk + pos, len - pos, &hdr, &hlen, s->err))
			return lk_error_prefix(s->err, "%s: row group %zu, column %s, offset %zu",
					       s->ctx->file_name, s->ctx->row_group,
					       s->leaf->path, start + pos);
		pos += hlen;
		if ((size_t)hdr.compressed_size > len - pos)
			return col_fail(s, LK_ECORRUPT,
					"page of %d bytes runs past the end of the file (%zu bytes left)",
					hdr.compressed_size, len - pos);
		if (!read_page(s, &hdr, chunk + pos, (size_t)hdr.compressed_size))
			return false;
		pos += (size_t)hdr.compressed_size;
	}
	if (s->out->n_levels < expected)
		return col_fail(s, LK_ECORRUPT, "column chunk ends after %zu of %llu values",
				s->out->n_levels, (unsigned long long)expected);
	return true;
}

bool pq_column_read(const struct pq_read_ctx *ctx, const struct pq_column_chunk *chunk,
		    const struct pq_schema_node *leaf, struct lk_batch *batch,
		    struct pq_column_data *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	out->leaf = leaf;
	struct colstate s = {
		.ctx = ctx,
		.leaf = leaf,
		.meta = &chunk->meta,
		.batch = batch,
		.out = out,
		.err = err,
		.st = leaf_storage(leaf),
	};
	s.vsize = pq_storage_size(s.st);
	if (!chunk->has_meta)
		return col_fail(&s, LK_ECORRUPT, "column chunk without metadata");
	if (chunk->encrypted)
		return col_fail(&s, LK_EUNSUPPORTED, "encrypted Parquet is not supported");
	if (chunk->external)
		return col_fail(&s, LK_EUNSUPPORTED, "column chunk stored in another file");
	if (chunk->meta.type != (int32_t)leaf->physical)
		return col_fail(&s, LK_ECORRUPT, "column chunk of physical type %d, schema says %d",
				chunk->meta.type, (int)leaf->physical);
	bool ok = read_pages(&s);
	free(s.scratch);
	free(s.dict);
	if (!ok)
		pq_column_data_free(out);
	return ok;
}

void pq_column_data_free(struct pq_column_data *col)
{
	free(col->def);
	free(col->rep);
	if (!col->values_in_batch)
		free(col->values);
	col->values_in_batch = false;
	col->def = col->rep = NULL;
	col->values = NULL;
	col->n_levels = col->n_values = col->cap_values = 0;
}
