/* delta/dv.c: deletion vectors. Descriptors to bytes (inline Z85, UUID-named files, absolute
 * paths), the DV file framing (version byte, big-endian size, CRC-32), and the 64-bit
 * "RoaringBitmapArray" (one portable 32-bit CRoaring bitmap per high-32-bit bucket) into a
 * set of row positions that answers "is row r deleted" and set differences for the change
 * feed. Container decoding is CRoaring's; this file only frames it and double-checks it. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <roaring/roaring.h>
#include <zlib.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

enum {
	Z85_BLOCK_CHARS = 5,
	Z85_BLOCK_BYTES = 4,
	DV_UUID_Z85_CHARS = 20,
	DV_FILE_FORMAT_VERSION = 1,
	DV_DEFAULT_OFFSET = 1, /* byte 0 of a DV file is the format version */
	RBA_HEADER_BYTES = 12, /* magic + bucket count */
	RBA_KEY_BYTES = 4,
};

static const uint32_t RBA_MAGIC_PORTABLE = 1681511377u;
static const uint32_t RBA_MAGIC_NATIVE = 1681511376u;

static const char z85_alphabet[] =
	"0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#";

struct dv_bucket {
	uint32_t key; /* high 32 bits of the row positions */
	roaring_bitmap_t *bitmap;
};

struct delta_dv {
	struct dv_bucket *buckets; /* ascending key */
	size_t n, cap;
};

/* ---- unique id ---------------------------------------------------------------------- */

void delta_dv_unique_id(const struct delta_dv_descriptor *dv, struct lk_buf *out)
{
	lk_buf_append_byte(out, (uint8_t)dv->storage_type);
	lk_buf_append_str(out, dv->path_or_inline ? dv->path_or_inline : "");
	if (dv->has_offset)
		lk_buf_printf(out, "@%d", (int)dv->offset);
}

/* ---- Z85 ---------------------------------------------------------------------------- */

static int z85_value(char c)
{
	const char *p = c ? strchr(z85_alphabet, c) : NULL;
	return p ? (int)(p - z85_alphabet) : -1;
}

static bool z85_block(const char *s, size_t n, uint64_t *value)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n; i++) {
		int d = z85_value(s[i]);
		if (d < 0)
			return false;
		v = v * 85 + (uint64_t)d;
	}
	*value = v;
	return true;
}

static void append_be(struct lk_buf *out, uint64_t value, int bytes)
{
	for (int i = bytes - 1; i >= 0; i--)
		lk_buf_append_byte(out, (uint8_t)(value >> (8 * i)));
}

/* The z85 crate's final block: p leading '#' = p bytes missing; the other 5 - p chars are
 * the (4 - p)-byte tail as a big-endian number. */
static bool z85_padded_tail(const char *s, struct lk_buf *out)
{
	int pad = 0;
	while (pad < Z85_BLOCK_CHARS && s[pad] == '#')
		pad++;
	uint64_t v;
	int bytes = Z85_BLOCK_BYTES - pad;
	if (pad == 0 || bytes < 1 || !z85_block(s + pad, (size_t)(Z85_BLOCK_CHARS - pad), &v) ||
	    v >> (8 * bytes) != 0)
		return false;
	append_be(out, v, bytes);
	return true;
}

bool delta_z85_decode(const char *text, size_t len, struct lk_buf *out, struct lk_error *err)
{
	if (len % Z85_BLOCK_CHARS != 0)
		return lk_error_set(err, LK_ECORRUPT, "Z85 text of %zu characters is not a "
						       "multiple of 5", len);
	for (size_t pos = 0; pos < len; pos += Z85_BLOCK_CHARS) {
		const char *block = text + pos;
		bool last = pos + Z85_BLOCK_CHARS == len;
		if (block[0] == '#' && last) {
			if (!z85_padded_tail(block, out))
				return lk_error_set(err, LK_ECORRUPT, "bad padded Z85 tail '%.5s'",
						    block);
			continue;
		}
		uint64_t v;
		if (!z85_block(block, Z85_BLOCK_CHARS, &v))
			return lk_error_set(err, LK_ECORRUPT,
					    "bad Z85 character in block %zu ('%.5s')",
					    pos / Z85_BLOCK_CHARS, block);
		if (v > UINT32_MAX) /* no encoder produces it: the text is damaged */
			return lk_error_set(err, LK_ECORRUPT, "Z85 block %zu ('%.5s') overflows 32 bits",
					    pos / Z85_BLOCK_CHARS, block);
		append_be(out, v, Z85_BLOCK_BYTES);
	}
	return true;
}

/* ---- locating and reading the bytes -------------------------------------------------- */

char *delta_dv_file_path(const struct delta_table *table, const struct delta_dv_descriptor *dv,
			 struct lk_error *err)
{
	const char *s = dv->path_or_inline;
	size_t len = s ? strlen(s) : 0;
	if (dv->storage_type == 'p') {
		char *decoded = delta_path_decode(s ? s : "", err);
		char *path = decoded ? delta_table_resolve_path(table, decoded, err) : NULL;
		free(decoded);
		return path;
	}
	if (dv->storage_type != 'u' || len < DV_UUID_Z85_CHARS) {
		lk_error_set(err, LK_ECORRUPT, "deletion vector '%s' is not a UUID-named file",
			     s ? s : "");
		return NULL;
	}
	struct lk_buf uuid = LK_BUF_INIT;
	size_t prefix_len = len - DV_UUID_Z85_CHARS;
	if (!delta_z85_decode(s + prefix_len, DV_UUID_Z85_CHARS, &uuid, err)) {
		lk_buf_free(&uuid);
		return NULL;
	}
	const uint8_t *u = (const uint8_t *)uuid.data;
	char hex[37];
	snprintf(hex, sizeof hex,
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", u[0], u[1],
		 u[2], u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12], u[13], u[14],
		 u[15]);
	lk_buf_free(&uuid);
	if (prefix_len == 0)
		return xasprintf("%s/deletion_vector_%s.bin", table->root, hex);
	return xasprintf("%s/%.*s/deletion_vector_%s.bin", table->root, (int)prefix_len, s, hex);
}

static uint32_t read_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static bool pread_exact(int fd, void *buf, size_t len, off_t offset, const char *path,
			struct lk_error *err)
{
	size_t done = 0;
	while (done < len) {
		ssize_t got = pread(fd, (char *)buf + done, len - done, offset + (off_t)done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return lk_error_set_errno(err, LK_EIO, errno, "deletion vector file %s", path);
		if (got == 0)
			return lk_error_set(err, LK_ECORRUPT,
					    "deletion vector file %s ends before byte %lld", path,
					    (long long)(offset + (off_t)len));
		done += (size_t)got;
	}
	return true;
}

/* Reads the framed bitmap at the descriptor's offset: BE size, bytes, BE CRC-32. */
static bool dv_file_read(const char *path, const struct delta_dv_descriptor *dv,
			 struct lk_buf *out, struct lk_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return lk_error_set_errno(err, errno == ENOENT ? LK_ELOG_TRUNCATED : LK_EIO, errno,
					  "deletion vector file %s", path);
	off_t offset = dv->has_offset ? dv->offset : DV_DEFAULT_OFFSET;
	uint8_t version = 0, be[4];
	size_t size = (size_t)dv->size_in_bytes;
	bool ok = pread_exact(fd, &version, 1, 0, path, err) &&
		  (version == DV_FILE_FORMAT_VERSION ||
		   lk_error_set(err, LK_ECORRUPT, "deletion vector file %s: format version %u",
				path, version)) &&
		  pread_exact(fd, be, 4, offset, path, err) &&
		  (read_be32(be) == size ||
		   lk_error_set(err, LK_ECORRUPT,
				"deletion vector file %s at offset %lld: size %u, descriptor says %zu",
				path, (long long)offset, read_be32(be), size));
	if (ok) {
		lk_buf_reserve(out, size);
		ok = pread_exact(fd, out->data, size, offset + 4, path, err) &&
		     pread_exact(fd, be, 4, offset + 4 + (off_t)size, path, err);
		if (ok) {
			out->len = size;
			out->data[size] = '\0';
		}
	}
	close(fd);
	uLong crc = ok ? crc32(crc32(0L, Z_NULL, 0), (const Bytef *)out->data, (uInt)size) : 0;
	if (ok && crc != read_be32(be))
		return lk_error_set(err, LK_ECORRUPT,
				    "deletion vector file %s at offset %lld: CRC-32 mismatch", path,
				    (long long)offset);
	return ok;
}

static bool dv_inline_bytes(const struct delta_dv_descriptor *dv, struct lk_buf *out,
			    struct lk_error *err)
{
	const char *s = dv->path_or_inline ? dv->path_or_inline : "";
	if (!delta_z85_decode(s, strlen(s), out, err))
		return lk_error_prefix(err, "inline deletion vector");
	if (out->len < (size_t)dv->size_in_bytes)
		return lk_error_set(err, LK_ECORRUPT,
				    "inline deletion vector decodes to %zu bytes, sizeInBytes is %d",
				    out->len, (int)dv->size_in_bytes);
	lk_buf_truncate(out, (size_t)dv->size_in_bytes);
	return true;
}

/* ---- the set ----------------------------------------------------------------------- */

struct delta_dv *delta_dv_new(void)
{
	return xcalloc(1, sizeof(struct delta_dv));
}

void delta_dv_free(struct delta_dv *dv)
{
	if (dv == NULL)
		return;
	for (size_t i = 0; i < dv->n; i++)
		roaring_bitmap_free(dv->buckets[i].bitmap);
	free(dv->buckets);
	free(dv);
}

static void bucket_append(struct delta_dv *dv, uint32_t key, roaring_bitmap_t *bitmap)
{
	if (dv->n == dv->cap) {
		dv->cap = dv->cap ? dv->cap * 2 : 4;
		dv->buckets = xreallocarray(dv->buckets, dv->cap, sizeof *dv->buckets);
	}
	dv->buckets[dv->n].key = key;
	dv->buckets[dv->n].bitmap = bitmap;
	dv->n++;
}

static const struct dv_bucket *bucket_find(const struct delta_dv *dv, uint32_t key)
{
	size_t lo = 0, hi = dv->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dv->buckets[mid].key == key)
			return &dv->buckets[mid];
		if (dv->buckets[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

void delta_dv_add(struct delta_dv *dv, uint64_t row)
{
	uint32_t key = (uint32_t)(row >> 32);
	const struct dv_bucket *b = bucket_find(dv, key);
	if (b == NULL) {
		bucket_append(dv, key, roaring_bitmap_create());
		for (size_t i = dv->n - 1; i > 0 && dv->buckets[i - 1].key > key; i--) {
			struct dv_bucket t = dv->buckets[i];
			dv->buckets[i] = dv->buckets[i - 1];
			dv->buckets[i - 1] = t;
		}
		b = bucket_find(dv, key);
	}
	roaring_bitmap_add(b->bitmap, (uint32_t)row);
}

bool delta_dv_contains(const struct delta_dv *dv, uint64_t row)
{
	const struct dv_bucket *b = bucket_find(dv, (uint32_t)(row >> 32));
	return b != NULL && roaring_bitmap_contains(b->bitmap, (uint32_t)row);
}

uint64_t delta_dv_cardinality(const struct delta_dv *dv)
{
	uint64_t total = 0;
	for (size_t i = 0; i < dv->n; i++)
		total += roaring_bitmap_get_cardinality(dv->buckets[i].bitmap);
	return total;
}

void delta_dv_mask(const struct delta_dv *dv, uint64_t first_row, size_t n, uint8_t *deleted)
{
	for (size_t i = 0; i < n; i++)
		deleted[i] = dv != NULL && delta_dv_contains(dv, first_row + i);
}

struct collect_ctx {
	uint64_t high;
	uint64_t *rows;
	size_t n;
};

static bool collect_row(uint32_t value, void *param)
{
	struct collect_ctx *c = param;
	c->rows[c->n++] = c->high | value;
	return true;
}

uint64_t *delta_dv_to_array(const struct delta_dv *dv, size_t *n_rows)
{
	uint64_t card = delta_dv_cardinality(dv);
	struct collect_ctx c = { .rows = xcalloc(card ? card : 1, sizeof(uint64_t)) };
	for (size_t i = 0; i < dv->n; i++) {
		c.high = (uint64_t)dv->buckets[i].key << 32;
		roaring_iterate(dv->buckets[i].bitmap, collect_row, &c);
	}
	*n_rows = c.n;
	return c.rows;
}

struct delta_dv *delta_dv_difference(const struct delta_dv *a, const struct delta_dv *b)
{
	struct delta_dv *out = delta_dv_new();
	for (size_t i = 0; a != NULL && i < a->n; i++) {
		const struct dv_bucket *other = b ? bucket_find(b, a->buckets[i].key) : NULL;
		roaring_bitmap_t *diff = other ? roaring_bitmap_andnot(a->buckets[i].bitmap,
								       other->bitmap)
					       : roaring_bitmap_copy(a->buckets[i].bitmap);
		if (roaring_bitmap_is_empty(diff))
			roaring_bitmap_free(diff);
		else
			bucket_append(out, a->buckets[i].key, diff);
	}
	return out;
}

static void append_le32(struct lk_buf *out, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		lk_buf_append_byte(out, (uint8_t)(v >> (8 * i)));
}

void delta_dv_serialize(const struct delta_dv *dv, struct lk_buf *out)
{
	append_le32(out, RBA_MAGIC_PORTABLE);
	append_le32(out, (uint32_t)dv->n);
	append_le32(out, 0);
	for (size_t i = 0; i < dv->n; i++) {
		append_le32(out, dv->buckets[i].key);
		size_t size = roaring_bitmap_portable_size_in_bytes(dv->buckets[i].bitmap);
		lk_buf_reserve(out, size);
		roaring_bitmap_portable_serialize(dv->buckets[i].bitmap, out->data + out->len);
		out->len += size;
		out->data[out->len] = '\0';
	}
}

/* ---- deserializing ----------------------------------------------------------------- */

static uint32_t read_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Values must come out strictly ascending and as many as the header claims; CRoaring's
 * safe deserializer checks bounds but not container contents. */
struct check_ctx {
	uint64_t count;
	int64_t last;
	bool ascending;
};

static bool check_value(uint32_t value, void *param)
{
	struct check_ctx *c = param;
	if ((int64_t)value <= c->last) {
		c->ascending = false;
		return false;
	}
	c->last = value;
	c->count++;
	return true;
}

static bool bitmap_consistent(const roaring_bitmap_t *bitmap)
{
	struct check_ctx c = { .last = -1, .ascending = true };
	roaring_iterate(bitmap, check_value, &c);
	return c.ascending && c.count == roaring_bitmap_get_cardinality(bitmap);
}

/* The container count in a portable bitmap's header, checked before CRoaring sees it:
 * CRoaring 0.2 trusts a negative 32-bit count and tries to allocate for it (then prints to
 * stderr). Only the header is read here; the containers stay CRoaring's business. */
static bool portable_header_ok(const uint8_t *buf, size_t len)
{
	enum { COOKIE_NO_RUNS = 12346, COOKIE_RUNS = 12347, PORTABLE_CONTAINERS_MAX = 1 << 16 };
	if (len < 4)
		return false;
	uint32_t cookie = read_le32(buf);
	if ((cookie & 0xFFFF) == COOKIE_RUNS)
		return true; /* count = (cookie >> 16) + 1, at most 65536 */
	return cookie == COOKIE_NO_RUNS && len >= 8 && read_le32(buf + 4) <= PORTABLE_CONTAINERS_MAX;
}

static bool dv_read_bucket(struct delta_dv *dv, const uint8_t *data, size_t len, size_t *pos,
			   uint64_t index, struct lk_error *err)
{
	if (len - *pos < RBA_KEY_BYTES)
		return lk_error_set(err, LK_ECORRUPT, "deletion vector bucket %llu is cut short",
				    (unsigned long long)index);
	uint32_t key = read_le32(data + *pos);
	*pos += RBA_KEY_BYTES;
	if (key > INT32_MAX || (dv->n > 0 && key <= dv->buckets[dv->n - 1].key))
		return lk_error_set(err, LK_ECORRUPT,
				    "deletion vector bucket %llu: key %u out of order or too large",
				    (unsigned long long)index, key);
	const char *buf = (const char *)data + *pos;
	size_t size = portable_header_ok(data + *pos, len - *pos)
			      ? roaring_bitmap_portable_deserialize_size(buf, len - *pos)
			      : 0;
	roaring_bitmap_t *bitmap = size ? roaring_bitmap_portable_deserialize_safe(buf, size) : NULL;
	if (bitmap == NULL || !bitmap_consistent(bitmap)) {
		if (bitmap != NULL) /* CRoaring 0.2 does not accept NULL */
			roaring_bitmap_free(bitmap);
		return lk_error_set(err, LK_ECORRUPT,
				    "deletion vector bucket %llu: not a portable Roaring bitmap",
				    (unsigned long long)index);
	}
	*pos += size;
	bucket_append(dv, key, bitmap);
	return true;
}

struct delta_dv *delta_dv_deserialize(const uint8_t *data, size_t len, struct lk_error *err)
{
	if (len < RBA_HEADER_BYTES) {
		lk_error_set(err, LK_ECORRUPT, "deletion vector of %zu bytes is too short", len);
		return NULL;
	}
	uint32_t magic = read_le32(data);
	if (magic != RBA_MAGIC_PORTABLE) {
		lk_error_set(err, magic == RBA_MAGIC_NATIVE ? LK_EUNSUPPORTED : LK_ECORRUPT,
			     magic == RBA_MAGIC_NATIVE
				     ? "deletion vector uses the native Roaring layout (magic %u)"
				     : "deletion vector has a bad magic number %u",
			     magic);
		return NULL;
	}
	uint64_t n_buckets = (uint64_t)read_le32(data + 4) | (uint64_t)read_le32(data + 8) << 32;
	size_t pos = RBA_HEADER_BYTES;
	if (n_buckets > (len - pos) / (RBA_KEY_BYTES + 8)) {
		lk_error_set(err, LK_ECORRUPT, "deletion vector claims %llu buckets in %zu bytes",
			     (unsigned long long)n_buckets, len);
		return NULL;
	}
	struct delta_dv *dv = delta_dv_new();
	for (uint64_t i = 0; i < n_buckets; i++) {
		if (!dv_read_bucket(dv, data, len, &pos, i, err)) {
			delta_dv_free(dv);
			return NULL;
		}
	}
	if (pos != len) {
		lk_error_set(err, LK_ECORRUPT, "deletion vector has %zu bytes after its last bucket",
			     len - pos);
		delta_dv_free(dv);
		return NULL;
	}
	return dv;
}

struct delta_dv *delta_dv_load(const struct delta_table *table,
			       const struct delta_dv_descriptor *d, struct lk_error *err)
{
	struct lk_buf bytes = LK_BUF_INIT;
	bool ok;
	if (d->storage_type == 'i') {
		ok = dv_inline_bytes(d, &bytes, err);
	} else {
		char *path = delta_dv_file_path(table, d, err);
		ok = path != NULL && dv_file_read(path, d, &bytes, err);
		free(path);
	}
	struct delta_dv *dv = ok ? delta_dv_deserialize((const uint8_t *)bytes.data, bytes.len, err)
				 : NULL;
	lk_buf_free(&bytes);
	if (dv != NULL && delta_dv_cardinality(dv) != (uint64_t)d->cardinality) {
		lk_error_set(err, LK_ECORRUPT,
			     "deletion vector '%s' holds %llu rows, its descriptor says %lld",
			     d->path_or_inline ? d->path_or_inline : "",
			     (unsigned long long)delta_dv_cardinality(dv), (long long)d->cardinality);
		delta_dv_free(dv);
		return NULL;
	}
	return dv;
}
