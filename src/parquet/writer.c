/* parquet/writer.c: writes Parquet files from batches (see writer.h).
 *
 * Per leaf column, rows are shredded into definition and repetition levels plus the indices of
 * the non-null values in the leaf vector; the indices are then PLAIN-encoded in bulk (one type
 * switch per chunk of values, not per value) while the chunk statistics are updated. A page is
 * cut at a row boundary once it passes the target size, compressed and appended to the column's
 * in-memory chunk; a finished row group is written column after column, and its metadata is
 * serialised at once so the footer only concatenates. With a dictionary, encoded values are
 * moved into the chunk's dictionary and the page keeps their indices; the dictionary page is
 * written ahead of the chunk's data pages. Knows nothing of Delta. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include "parquet/thrift_write.h"
#include "parquet/writer.h"
#include "util/buf.h"
#include "util/xmalloc.h"

enum {
	PQ_MAX_DEPTH = 64,              /* schema nodes from a top-level column down to a leaf */
	PQ_ENCODE_CHUNK = 1024,         /* value indices gathered before they are encoded */
	PQ_FOOTER_STAT_MAX_BYTES = 4096, /* longer min/max values stay out of the footer */
	PQ_BITPACK_MAX_GROUPS = 63,     /* groups of 8 per bit-packed run, as common writers do */
	PQ_MIN_RLE_RUN = 8,             /* shorter runs of one level are bit-packed */
	PQ_DECIMAL_MAX_PRECISION = 38,
	PQ_DECIMAL_MAX_BYTES = 16,
};

static const char PQ_MAGIC[4] = { 'P', 'A', 'R', '1' };

/* ---- Parquet's enum values (parquet.thrift) --------------------------------------------- */

enum physical_type {
	PHYS_BOOLEAN = 0,
	PHYS_INT32 = 1,
	PHYS_INT64 = 2,
	PHYS_FLOAT = 4,
	PHYS_DOUBLE = 5,
	PHYS_BYTE_ARRAY = 6,
	PHYS_FIXED = 7,
};

enum converted_type {
	CONV_NONE = -1,
	CONV_UTF8 = 0,
	CONV_MAP = 1,
	CONV_LIST = 3,
	CONV_DECIMAL = 5,
	CONV_DATE = 6,
	CONV_TIMESTAMP_MICROS = 10,
	CONV_UINT_8 = 11,
	CONV_UINT_16 = 12,
	CONV_UINT_32 = 13,
	CONV_UINT_64 = 14,
	CONV_INT_8 = 15,
	CONV_INT_16 = 16,
	CONV_JSON = 19,
	CONV_INTERVAL = 21,
};

/* LogicalType union members; LOG_NONE writes no logicalType. */
enum logical_type_id {
	LOG_NONE = 0,
	LOG_STRING = 1,
	LOG_MAP = 2,
	LOG_LIST = 3,
	LOG_DECIMAL = 5,
	LOG_DATE = 6,
	LOG_TIME = 7,
	LOG_TIMESTAMP = 8,
	LOG_INTEGER = 10,
	LOG_UNKNOWN = 11,
	LOG_JSON = 12,
	LOG_UUID = 14,
};

enum page_encoding { ENCODING_PLAIN = 0, ENCODING_RLE = 3, ENCODING_RLE_DICTIONARY = 8 };
enum repetition_type { REP_REQUIRED = 0, REP_OPTIONAL = 1, REP_REPEATED = 2 };
enum page_type { PAGE_DATA = 0, PAGE_DICTIONARY = 2, PAGE_DATA_V2 = 3 };

/* Where a leaf's values come from in the vector and how they become PLAIN bytes. */
enum value_source {
	SRC_NONE,          /* NULL type: no values */
	SRC_BOOL,          /* v.u8 -> bits */
	SRC_I32,           /* v.i32 -> INT32 */
	SRC_U32_FROM_I64,  /* v.i64 (UINT32 bits) -> INT32 */
	SRC_I64,           /* v.i64 -> INT64 */
	SRC_DECIMAL_I32,   /* v.i64 unscaled -> INT32 */
	SRC_DECIMAL_I64,   /* v.i64 unscaled -> INT64 */
	SRC_F32,
	SRC_F64,
	SRC_BYTES,         /* v.bytes -> BYTE_ARRAY */
	SRC_FIXED,         /* v.bytes of exactly the fixed length -> FIXED_LEN_BYTE_ARRAY */
	SRC_DECIMAL_FIXED, /* v.bytes big-endian, sign-extended to the fixed length */
};

/* How min and max compare. */
enum stat_order {
	ORDER_NONE,     /* no min/max (INTERVAL, NULL) */
	ORDER_SIGNED,   /* .i64, signed */
	ORDER_UNSIGNED, /* .i64 holding unsigned bits */
	ORDER_FLOAT,    /* .f64, NaN skipped */
	ORDER_BYTES,    /* unsigned byte-wise */
	ORDER_DECIMAL,  /* big-endian two's complement of one fixed length */
};

/* A logical type's Parquet form. DECIMAL's physical type depends on the precision and is
 * chosen in leaf_type_init(). */
struct type_map {
	bool supported;
	enum physical_type physical;
	enum converted_type converted;
	enum logical_type_id logical;
	int8_t int_bits;       /* LOG_INTEGER */
	bool int_signed;       /* LOG_INTEGER */
	bool adjusted_to_utc;  /* LOG_TIME, LOG_TIMESTAMP */
	int32_t fixed_len;     /* PHYS_FIXED */
	enum value_source source;
	enum stat_order order;
};

static const struct type_map type_maps[LK_TYPE_COUNT] = {
	[LK_TYPE_NULL] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_NONE,
		.logical = LOG_UNKNOWN, .source = SRC_NONE, .order = ORDER_NONE },
	[LK_TYPE_BOOLEAN] = { .supported = true, .physical = PHYS_BOOLEAN, .converted = CONV_NONE,
		.source = SRC_BOOL, .order = ORDER_SIGNED },
	[LK_TYPE_INT8] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_INT_8,
		.logical = LOG_INTEGER, .int_bits = 8, .int_signed = true, .source = SRC_I32,
		.order = ORDER_SIGNED },
	[LK_TYPE_INT16] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_INT_16,
		.logical = LOG_INTEGER, .int_bits = 16, .int_signed = true, .source = SRC_I32,
		.order = ORDER_SIGNED },
	[LK_TYPE_INT32] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_NONE,
		.source = SRC_I32, .order = ORDER_SIGNED },
	[LK_TYPE_INT64] = { .supported = true, .physical = PHYS_INT64, .converted = CONV_NONE,
		.source = SRC_I64, .order = ORDER_SIGNED },
	[LK_TYPE_UINT8] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_UINT_8,
		.logical = LOG_INTEGER, .int_bits = 8, .source = SRC_I32, .order = ORDER_UNSIGNED },
	[LK_TYPE_UINT16] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_UINT_16,
		.logical = LOG_INTEGER, .int_bits = 16, .source = SRC_I32,
		.order = ORDER_UNSIGNED },
	[LK_TYPE_UINT32] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_UINT_32,
		.logical = LOG_INTEGER, .int_bits = 32, .source = SRC_U32_FROM_I64,
		.order = ORDER_UNSIGNED },
	[LK_TYPE_UINT64] = { .supported = true, .physical = PHYS_INT64, .converted = CONV_UINT_64,
		.logical = LOG_INTEGER, .int_bits = 64, .source = SRC_I64,
		.order = ORDER_UNSIGNED },
	[LK_TYPE_FLOAT] = { .supported = true, .physical = PHYS_FLOAT, .converted = CONV_NONE,
		.source = SRC_F32, .order = ORDER_FLOAT },
	[LK_TYPE_DOUBLE] = { .supported = true, .physical = PHYS_DOUBLE, .converted = CONV_NONE,
		.source = SRC_F64, .order = ORDER_FLOAT },
	[LK_TYPE_DECIMAL] = { .supported = true, .converted = CONV_DECIMAL, .logical = LOG_DECIMAL,
		.order = ORDER_SIGNED },
	[LK_TYPE_STRING] = { .supported = true, .physical = PHYS_BYTE_ARRAY, .converted = CONV_UTF8,
		.logical = LOG_STRING, .source = SRC_BYTES, .order = ORDER_BYTES },
	[LK_TYPE_JSON] = { .supported = true, .physical = PHYS_BYTE_ARRAY, .converted = CONV_JSON,
		.logical = LOG_JSON, .source = SRC_BYTES, .order = ORDER_BYTES },
	[LK_TYPE_BINARY] = { .supported = true, .physical = PHYS_BYTE_ARRAY,
		.converted = CONV_NONE, .source = SRC_BYTES, .order = ORDER_BYTES },
	[LK_TYPE_UUID] = { .supported = true, .physical = PHYS_FIXED, .converted = CONV_NONE,
		.logical = LOG_UUID, .fixed_len = 16, .source = SRC_FIXED, .order = ORDER_BYTES },
	[LK_TYPE_DATE] = { .supported = true, .physical = PHYS_INT32, .converted = CONV_DATE,
		.logical = LOG_DATE, .source = SRC_I32, .order = ORDER_SIGNED },
	/* A time of day carries no zone: isAdjustedToUTC = false, which no converted type means. */
	[LK_TYPE_TIME] = { .supported = true, .physical = PHYS_INT64, .converted = CONV_NONE,
		.logical = LOG_TIME, .source = SRC_I64, .order = ORDER_SIGNED },
	[LK_TYPE_TIMESTAMP] = { .supported = true, .physical = PHYS_INT64,
		.converted = CONV_TIMESTAMP_MICROS, .logical = LOG_TIMESTAMP,
		.adjusted_to_utc = true,
		.source = SRC_I64, .order = ORDER_SIGNED },
	/* TIMESTAMP_MICROS would tell converted-type readers the values are UTC instants. */
	[LK_TYPE_TIMESTAMP_NTZ] = { .supported = true, .physical = PHYS_INT64,
		.converted = CONV_NONE, .logical = LOG_TIMESTAMP, .source = SRC_I64,
		.order = ORDER_SIGNED },
	[LK_TYPE_INTERVAL] = { .supported = true, .physical = PHYS_FIXED,
		.converted = CONV_INTERVAL, .fixed_len = 12, .source = SRC_FIXED,
		.order = ORDER_NONE },
};

/* The largest decimal precision n bytes of two's complement hold, n = index + 1. */
static const uint8_t decimal_precision_for_bytes[PQ_DECIMAL_MAX_BYTES] = {
	2, 4, 6, 9, 11, 14, 16, 18, 21, 23, 26, 28, 31, 33, 35, 38,
};

static const int64_t pow10_i64[19] = {
	INT64_C(1), INT64_C(10), INT64_C(100), INT64_C(1000), INT64_C(10000), INT64_C(100000),
	INT64_C(1000000), INT64_C(10000000), INT64_C(100000000), INT64_C(1000000000),
	INT64_C(10000000000), INT64_C(100000000000), INT64_C(1000000000000),
	INT64_C(10000000000000), INT64_C(100000000000000), INT64_C(1000000000000000),
	INT64_C(10000000000000000), INT64_C(100000000000000000),
	INT64_C(1000000000000000000),
};

struct codec_info {
	const char *name;
	int parquet_id; /* CompressionCodec */
};

static const struct codec_info codecs[PQ_CODEC_COUNT] = {
	[PQ_CODEC_DEFAULT] = { .name = "default", .parquet_id = 1 },
	[PQ_CODEC_UNCOMPRESSED] = { .name = "uncompressed", .parquet_id = 0 },
	[PQ_CODEC_SNAPPY] = { .name = "snappy", .parquet_id = 1 },
	[PQ_CODEC_GZIP] = { .name = "gzip", .parquet_id = 2 },
	[PQ_CODEC_ZSTD] = { .name = "zstd", .parquet_id = 6 },
};

/* ---- the writer's state ----------------------------------------------------------------- */

/* A schema field, copied from the caller's struct pq_field. */
struct schema_node {
	char *name;
	enum lk_type_id type;
	uint8_t precision, scale;
	bool nullable;
	bool has_field_id;
	int32_t field_id;
	struct schema_node *children;
	size_t n_children;
};

/* A leaf's physical form, resolved from its type (and a decimal's precision). */
struct leaf_type {
	enum physical_type physical;
	int32_t fixed_len;
	enum value_source source;
	enum stat_order order;
};

struct value_stats {
	int64_t num_values;
	int64_t null_count;
	int64_t nan_count;
	bool has_min_max;
	int64_t min_i, max_i;
	double min_f, max_f;
	struct lk_buf min_b, max_b;
};

/* A column chunk's dictionary: the distinct PLAIN-encoded values, found again through an
 * open-addressing hash table. Reset at every row group. */
struct dictionary {
	struct lk_buf entries; /* the dictionary page's body */
	uint32_t *starts;      /* entry i is entries[starts[i] .. starts[i + 1]) */
	size_t cap_starts;
	uint32_t count;
	uint32_t *slots;       /* entry index + 1; 0 is an empty slot */
	size_t n_slots;        /* a power of two, or 0 */
};

struct leaf_column {
	/* The route from the top-level column to the leaf: steps[0] is the top-level field;
	 * child_at[i] picks the child vector of steps[i] (STRUCT field, MAP key or value);
	 * rep_at[i] is the repetition level of steps[i]'s repeated group (LIST and MAP). */
	size_t top;
	const struct schema_node *steps[PQ_MAX_DEPTH];
	uint32_t child_at[PQ_MAX_DEPTH];
	uint8_t rep_at[PQ_MAX_DEPTH];
	size_t n_steps;
	int max_def, max_rep;
	struct leaf_type type;
	char **path; /* Parquet path, "list"/"element"/"key_value" included */
	size_t path_len;
	char *dotted; /* path joined with '.', for messages */

	/* the page being built */
	struct lk_buf def_levels, rep_levels; /* one byte per level */
	struct lk_buf values;                 /* PLAIN bytes; booleans one byte each */
	size_t page_levels;
	size_t page_nulls;
	size_t page_rows;

	/* dictionary encoding: indices of the page being built, and the chunk's dictionary */
	bool dict_enabled;
	bool dict_fallback;       /* the dictionary grew too large: PLAIN for the chunk's rest */
	struct lk_buf indices;    /* uint32_t per value */
	struct dictionary dict;
	int64_t dict_page_bytes;  /* the dictionary page as written, header included */

	/* the row group's column chunk */
	struct lk_buf chunk;      /* data page headers and compressed bodies */
	int64_t chunk_levels;
	int64_t chunk_uncompressed;
	struct value_stats chunk_stats;

	struct value_stats file_stats;
};

struct pq_writer {
	char *path;     /* the final name */
	char *tmp_path; /* where the bytes go until close */
	int fd;
	int64_t file_pos;
	bool failed;

	struct schema_node *fields;
	size_t n_fields;
	struct leaf_column *leaves;
	size_t n_leaves, cap_leaves;

	enum pq_codec codec;
	int compression_level;
	size_t row_group_rows;
	size_t page_bytes;
	bool fsync;
	bool write_statistics;
	bool dictionary;
	size_t dictionary_max_bytes;
	bool data_page_v2;
	char *created_by;
	struct pq_key_value *metadata;
	size_t n_metadata;

	int64_t rows_in_group;
	int64_t num_rows;
	int64_t num_row_groups;
	struct lk_buf row_groups; /* serialised RowGroup structs, concatenated */

	/* scratch, reused */
	uint32_t *pending; /* value indices awaiting encoding */
	size_t n_pending, cap_pending;
	struct lk_buf page_body;
	struct lk_buf compressed;
	struct lk_buf header;
};

/* ---- small helpers ---------------------------------------------------------------------- */

static void put_le32(struct lk_buf *out, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	lk_buf_append(out, b, sizeof b);
}

static void put_le64(struct lk_buf *out, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	lk_buf_append(out, b, sizeof b);
}

static unsigned bit_width(unsigned max_value)
{
	unsigned width = 0;
	while (max_value >> width)
		width++;
	return width;
}

static char *join_path(char **parts, size_t n)
{
	struct lk_buf b = LK_BUF_INIT;
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			lk_buf_append_byte(&b, '.');
		lk_buf_append_str(&b, parts[i]);
	}
	return lk_buf_detach(&b);
}

static bool fail(struct pq_writer *w, struct lk_error *err, enum lk_errcode code,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Marks the writer failed and sets "<path>: <message>". */
static bool fail(struct pq_writer *w, struct lk_error *err, enum lk_errcode code,
		 const char *fmt, ...)
{
	w->failed = true;
	char message[LK_ERROR_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	return lk_error_set(err, code, "%s: %s", w->path, message);
}

const char *pq_codec_name(enum pq_codec codec)
{
	if ((unsigned)codec >= PQ_CODEC_COUNT)
		return NULL;
	return codecs[codec].name;
}

bool pq_codec_from_name(const char *name, enum pq_codec *codec)
{
	for (int i = 0; i < PQ_CODEC_COUNT; i++) {
		if (strcmp(codecs[i].name, name) == 0) {
			*codec = (enum pq_codec)i;
			return true;
		}
	}
	return false;
}

/* ---- dictionary encoding ---------------------------------------------------------------- */

static uint64_t hash_bytes(const uint8_t *p, size_t n)
{
	uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * UINT64_C(1099511628211);
	return h;
}

static void dict_free(struct dictionary *d)
{
	lk_buf_free(&d->entries);
	free(d->starts);
	free(d->slots);
}

static void dict_reset(struct dictionary *d)
{
	lk_buf_reset(&d->entries);
	d->count = 0;
	if (d->n_slots)
		memset(d->slots, 0, d->n_slots * sizeof *d->slots);
}

static const uint8_t *dict_entry(const struct dictionary *d, uint32_t e, size_t *len)
{
	*len = d->starts[e + 1] - d->starts[e];
	return (const uint8_t *)d->entries.data + d->starts[e];
}

static void dict_rehash(struct dictionary *d, size_t n_slots)
{
	free(d->slots);
	d->slots = xcalloc(n_slots, sizeof *d->slots);
	d->n_slots = n_slots;
	for (uint32_t e = 0; e < d->count; e++) {
		size_t len;
		const uint8_t *p = dict_entry(d, e, &len);
		size_t s = (size_t)hash_bytes(p, len) & (n_slots - 1);
		while (d->slots[s] != 0)
			s = (s + 1) & (n_slots - 1);
		d->slots[s] = e + 1;
	}
}

/* The index of the value with PLAIN bytes p[0..n), added when new. */
static uint32_t dict_index(struct dictionary *d, const uint8_t *p, size_t n)
{
	if (((size_t)d->count + 1) * 2 > d->n_slots)
		dict_rehash(d, d->n_slots ? 2 * d->n_slots : 1024);
	size_t mask = d->n_slots - 1;
	for (size_t s = (size_t)hash_bytes(p, n) & mask;; s = (s + 1) & mask) {
		if (d->slots[s] == 0) {
			if ((size_t)d->count + 2 > d->cap_starts) {
				d->cap_starts = d->cap_starts ? 2 * d->cap_starts : 1024;
				d->starts = xreallocarray(d->starts, d->cap_starts,
							  sizeof *d->starts);
			}
			d->starts[d->count] = (uint32_t)d->entries.len;
			lk_buf_append(&d->entries, p, n);
			d->starts[d->count + 1] = (uint32_t)d->entries.len;
			d->slots[s] = ++d->count;
			return d->count - 1;
		}
		size_t len;
		const uint8_t *entry = dict_entry(d, d->slots[s] - 1, &len);
		if (len == n && memcmp(entry, p, n) == 0)
			return d->slots[s] - 1;
	}
}

static bool leaf_uses_dict(const struct leaf_column *leaf)
{
	return leaf->dict_enabled && !leaf->dict_fallback;
}

/* Moves the PLAIN values encoded since `from` into the dictionary, leaving their indices. */
static void dict_absorb(struct leaf_column *leaf, size_t from)
{
	const uint8_t *p = (const uint8_t *)leaf->values.data + from;
	const uint8_t *end = (const uint8_t *)leaf->values.data + leaf->values.len;
	size_t width = leaf->type.physical == PHYS_INT32 || leaf->type.physical == PHYS_FLOAT ? 4
		       : leaf->type.physical == PHYS_FIXED ? (size_t)leaf->type.fixed_len
							   : 8;
	while (p < end) {
		size_t n = width;
		if (leaf->type.physical == PHYS_BYTE_ARRAY)
			n = 4 + (p[0] | p[1] << 8 | p[2] << 16 | (size_t)p[3] << 24);
		uint32_t index = dict_index(&leaf->dict, p, n);
		lk_buf_append(&leaf->indices, &index, sizeof index);
		p += n;
	}
	lk_buf_truncate(&leaf->values, from);
}

/* ---- schema: copy and check ------------------------------------------------------------- */

static bool field_check(const struct pq_field *f, const char *where, struct lk_error *err)
{
	if (f->name == NULL || f->name[0] == '\0')
		return lk_error_set(err, LK_EINVAL, "%s: a field has no name", where);
	if ((unsigned)f->type >= LK_TYPE_COUNT)
		return lk_error_set(err, LK_EINVAL, "%s: column %s: bad type %d", where, f->name,
				    (int)f->type);
	switch (f->type) {
	case LK_TYPE_STRUCT:
		if (f->n_children == 0)
			return lk_error_set(err, LK_EUNSUPPORTED,
					    "%s: column %s: a struct needs at least one field "
					    "(Parquet has no empty groups)", where, f->name);
		return true;
	case LK_TYPE_LIST:
		if (f->n_children != 1)
			return lk_error_set(err, LK_EINVAL,
					    "%s: column %s: a list needs exactly one child (the "
					    "element), not %zu", where, f->name, f->n_children);
		return true;
	case LK_TYPE_MAP:
		if (f->n_children != 2)
			return lk_error_set(err, LK_EINVAL,
					    "%s: column %s: a map needs two children (key, value), "
					    "not %zu", where, f->name, f->n_children);
		if (f->children[0].nullable)
			return lk_error_set(err, LK_EINVAL,
					    "%s: column %s: map keys cannot be nullable", where,
					    f->name);
		return true;
	case LK_TYPE_DECIMAL:
		if (f->precision < 1 || f->precision > PQ_DECIMAL_MAX_PRECISION ||
		    f->scale > f->precision)
			return lk_error_set(err, LK_EUNSUPPORTED,
					    "%s: column %s: decimal(%u,%u) needs 1 <= precision <= "
					    "%d and scale <= precision", where, f->name,
					    f->precision, f->scale, PQ_DECIMAL_MAX_PRECISION);
		break;
	case LK_TYPE_NULL:
		if (!f->nullable)
			return lk_error_set(err, LK_EINVAL,
					    "%s: column %s: a null-typed column must be nullable",
					    where, f->name);
		break;
	default:
		break;
	}
	if (!type_maps[f->type].supported)
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "%s: column %s: the Parquet writer does not support type %s",
				    where, f->name, lk_type_name(f->type));
	if (f->n_children != 0)
		return lk_error_set(err, LK_EINVAL, "%s: column %s: a %s has no children", where,
				    f->name, lk_type_name(f->type));
	return true;
}

static void node_free(struct schema_node *node)
{
	for (size_t i = 0; i < node->n_children; i++)
		node_free(&node->children[i]);
	free(node->children);
	free(node->name);
}

static bool node_copy(struct schema_node *node, const struct pq_field *f, size_t depth,
		      const char *where, struct lk_error *err)
{
	if (depth >= PQ_MAX_DEPTH)
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "%s: column %s: nested deeper than %d levels", where,
				    f->name ? f->name : "?", PQ_MAX_DEPTH);
	if (!field_check(f, where, err))
		return false;
	*node = (struct schema_node){
		.name = xstrdup(f->name),
		.type = f->type,
		.precision = f->precision,
		.scale = f->scale,
		.nullable = f->nullable,
		.has_field_id = f->has_field_id,
		.field_id = f->field_id,
	};
	if (f->n_children == 0)
		return true;
	node->children = xcalloc(f->n_children, sizeof *node->children);
	for (size_t i = 0; i < f->n_children; i++) {
		node->n_children = i + 1; /* a half-copied child is freed with the rest */
		if (!node_copy(&node->children[i], &f->children[i], depth + 1, where, err))
			return false;
	}
	if (f->type == LK_TYPE_MAP)
		node->children[0].nullable = false;
	return true;
}

/* ---- leaves ----------------------------------------------------------------------------- */

static struct leaf_type leaf_type_of(const struct schema_node *node)
{
	const struct type_map *map = &type_maps[node->type];
	struct leaf_type t = {
		.physical = map->physical,
		.fixed_len = map->fixed_len,
		.source = map->source,
		.order = map->order,
	};
	if (node->type != LK_TYPE_DECIMAL)
		return t;
	if (node->precision <= 9) {
		t.physical = PHYS_INT32;
		t.source = SRC_DECIMAL_I32;
	} else if (node->precision <= 18) {
		t.physical = PHYS_INT64;
		t.source = SRC_DECIMAL_I64;
	} else {
		t.physical = PHYS_FIXED;
		t.source = SRC_DECIMAL_FIXED;
		t.order = ORDER_DECIMAL;
		for (int n = 0; n < PQ_DECIMAL_MAX_BYTES; n++) {
			if (decimal_precision_for_bytes[n] >= node->precision) {
				t.fixed_len = n + 1;
				break;
			}
		}
	}
	return t;
}

/* The names a leaf's Parquet path adds below steps[i]. */
static size_t step_path_names(const struct leaf_column *leaf, size_t i, const char *names[3])
{
	const struct schema_node *node = leaf->steps[i];
	size_t n = 0;
	if (i == 0)
		names[n++] = node->name;
	if (node->type == LK_TYPE_LIST) {
		names[n++] = "list";
		names[n++] = "element";
	} else if (node->type == LK_TYPE_MAP) {
		names[n++] = "key_value";
		names[n++] = leaf->child_at[i] == 0 ? "key" : "value";
	} else if (node->type == LK_TYPE_STRUCT) {
		names[n++] = node->children[leaf->child_at[i]].name;
	}
	return n;
}

/* Fills levels, type and path once the route (steps, child_at) is known. */
static void leaf_finish(struct leaf_column *leaf)
{
	int def = 0, rep = 0;
	size_t path_cap = 0;
	for (size_t i = 0; i < leaf->n_steps; i++) {
		const struct schema_node *node = leaf->steps[i];
		def += node->nullable;
		if (node->type == LK_TYPE_LIST || node->type == LK_TYPE_MAP) {
			def++;
			rep++;
		}
		leaf->rep_at[i] = (uint8_t)rep;
		path_cap += 3;
	}
	leaf->max_def = def;
	leaf->max_rep = rep;
	leaf->type = leaf_type_of(leaf->steps[leaf->n_steps - 1]);
	leaf->path = xcalloc(path_cap, sizeof *leaf->path);
	for (size_t i = 0; i < leaf->n_steps; i++) {
		const char *names[3];
		size_t n = step_path_names(leaf, i, names);
		for (size_t k = 0; k < n; k++)
			leaf->path[leaf->path_len++] = xstrdup(names[k]);
	}
	leaf->dotted = join_path(leaf->path, leaf->path_len);
}

static void leaves_collect(struct pq_writer *w, struct leaf_column *route,
			   const struct schema_node *node, size_t depth)
{
	route->steps[depth] = node;
	route->n_steps = depth + 1;
	if (node->n_children == 0) {
		if (w->n_leaves == w->cap_leaves) {
			w->cap_leaves = w->cap_leaves ? 2 * w->cap_leaves : 16;
			w->leaves = xreallocarray(w->leaves, w->cap_leaves, sizeof *w->leaves);
		}
		struct leaf_column *leaf = &w->leaves[w->n_leaves++];
		*leaf = *route;
		leaf_finish(leaf);
		leaf->dict_enabled = w->dictionary && leaf->type.physical != PHYS_BOOLEAN &&
				     leaf->type.source != SRC_NONE;
		return;
	}
	/* A LIST's one child is its element: child 0, like a map's key. */
	for (size_t i = 0; i < node->n_children; i++) {
		route->child_at[depth] = (uint32_t)i;
		leaves_collect(w, route, &node->children[i], depth + 1);
	}
}

static void stats_free(struct value_stats *s)
{
	lk_buf_free(&s->min_b);
	lk_buf_free(&s->max_b);
}

static void stats_reset(struct value_stats *s)
{
	s->num_values = 0;
	s->null_count = 0;
	s->nan_count = 0;
	s->has_min_max = false;
	lk_buf_reset(&s->min_b);
	lk_buf_reset(&s->max_b);
}

static void leaf_free(struct leaf_column *leaf)
{
	for (size_t i = 0; i < leaf->path_len; i++)
		free(leaf->path[i]);
	free(leaf->path);
	free(leaf->dotted);
	lk_buf_free(&leaf->def_levels);
	lk_buf_free(&leaf->rep_levels);
	lk_buf_free(&leaf->values);
	lk_buf_free(&leaf->chunk);
	lk_buf_free(&leaf->indices);
	dict_free(&leaf->dict);
	stats_free(&leaf->chunk_stats);
	stats_free(&leaf->file_stats);
}

/* ---- statistics ------------------------------------------------------------------------- */

static void stats_int(struct value_stats *s, int64_t v, bool is_unsigned)
{
	if (!s->has_min_max) {
		s->min_i = s->max_i = v;
		s->has_min_max = true;
		return;
	}
	if (is_unsigned) {
		if ((uint64_t)v < (uint64_t)s->min_i)
			s->min_i = v;
		if ((uint64_t)v > (uint64_t)s->max_i)
			s->max_i = v;
	} else {
		if (v < s->min_i)
			s->min_i = v;
		if (v > s->max_i)
			s->max_i = v;
	}
}

static void stats_float(struct value_stats *s, double v)
{
	if (isnan(v)) {
		s->nan_count++;
		return;
	}
	if (!s->has_min_max) {
		s->min_f = s->max_f = v;
		s->has_min_max = true;
	} else {
		if (v < s->min_f)
			s->min_f = v;
		if (v > s->max_f)
			s->max_f = v;
	}
	/* Parquet asks for -0.0 as a zero minimum and +0.0 as a zero maximum. */
	if (s->min_f == 0.0)
		s->min_f = -0.0;
	if (s->max_f == 0.0)
		s->max_f = 0.0;
}

static int bytes_compare(const uint8_t *a, size_t alen, const uint8_t *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0;
	if (c != 0)
		return c;
	return alen < blen ? -1 : alen > blen;
}

/* Fixed-length big-endian two's complement: the sign byte decides first. */
static int decimal_compare(const uint8_t *a, const uint8_t *b, size_t len)
{
	if (a[0] != b[0])
		return (int8_t)a[0] < (int8_t)b[0] ? -1 : 1;
	return memcmp(a + 1, b + 1, len - 1);
}

static void stats_bytes(struct value_stats *s, const uint8_t *p, size_t len, bool decimal)
{
	if (!s->has_min_max) {
		lk_buf_append(&s->min_b, p, len);
		lk_buf_append(&s->max_b, p, len);
		s->has_min_max = true;
		return;
	}
	const uint8_t *min = (const uint8_t *)s->min_b.data, *max = (const uint8_t *)s->max_b.data;
	int below = decimal ? decimal_compare(p, min, len)
			    : bytes_compare(p, len, min, s->min_b.len);
	if (below < 0) {
		lk_buf_reset(&s->min_b);
		lk_buf_append(&s->min_b, p, len);
	}
	int above = decimal ? decimal_compare(p, max, len)
			    : bytes_compare(p, len, max, s->max_b.len);
	if (above > 0) {
		lk_buf_reset(&s->max_b);
		lk_buf_append(&s->max_b, p, len);
	}
}

/* Folds a row group's statistics into the file's. */
static void stats_merge(struct value_stats *into, const struct value_stats *from,
			enum stat_order order)
{
	into->num_values += from->num_values;
	into->null_count += from->null_count;
	into->nan_count += from->nan_count;
	if (!from->has_min_max)
		return;
	switch (order) {
	case ORDER_SIGNED:
	case ORDER_UNSIGNED:
		stats_int(into, from->min_i, order == ORDER_UNSIGNED);
		stats_int(into, from->max_i, order == ORDER_UNSIGNED);
		break;
	case ORDER_FLOAT:
		stats_float(into, from->min_f);
		stats_float(into, from->max_f);
		break;
	case ORDER_BYTES:
	case ORDER_DECIMAL:
		stats_bytes(into, (const uint8_t *)from->min_b.data, from->min_b.len,
			    order == ORDER_DECIMAL);
		stats_bytes(into, (const uint8_t *)from->max_b.data, from->max_b.len,
			    order == ORDER_DECIMAL);
		break;
	case ORDER_NONE:
		break;
	}
}

/* ---- shredding: levels and value indices ------------------------------------------------ */

static void push_levels(struct leaf_column *leaf, unsigned def, unsigned rep)
{
	if (leaf->max_def > 0)
		lk_buf_append_byte(&leaf->def_levels, (uint8_t)def);
	if (leaf->max_rep > 0)
		lk_buf_append_byte(&leaf->rep_levels, (uint8_t)rep);
	leaf->page_levels++;
	leaf->page_rows += rep == 0;
	leaf->chunk_stats.num_values++;
}

static void push_null(struct leaf_column *leaf, unsigned def, unsigned rep)
{
	push_levels(leaf, def, rep);
	leaf->page_nulls++;
	leaf->chunk_stats.null_count++;
}

static void push_value(struct pq_writer *w, struct leaf_column *leaf, size_t idx, unsigned def,
		       unsigned rep)
{
	push_levels(leaf, def, rep);
	if (w->n_pending == w->cap_pending) {
		w->cap_pending = w->cap_pending ? 2 * w->cap_pending : PQ_ENCODE_CHUNK;
		w->pending = xreallocarray(w->pending, w->cap_pending, sizeof *w->pending);
	}
	w->pending[w->n_pending++] = (uint32_t)idx;
}

static bool shred_entry(struct pq_writer *w, struct leaf_column *leaf, size_t step,
			const struct lk_vector *vec, size_t idx, unsigned def, unsigned rep,
			struct lk_error *err);

/* A LIST or MAP entry: each element one level deeper; an empty one is a slot of its own. */
static bool shred_repeated(struct pq_writer *w, struct leaf_column *leaf, size_t step,
			   const struct lk_vector *vec, size_t idx, unsigned def, unsigned rep,
			   struct lk_error *err)
{
	const struct lk_vector *child = &vec->children[leaf->child_at[step]];
	uint32_t start = vec->offsets[idx], end = vec->offsets[idx + 1];
	if (end < start || end > child->length)
		return fail(w, err, LK_EINVAL,
			    "column %s: entry %zu has offsets %u..%u outside its %zu elements",
			    leaf->dotted, idx, start, end, child->length);
	if (start == end) {
		push_null(leaf, def, rep);
		return true;
	}
	for (uint32_t j = start; j < end; j++) {
		unsigned elem_rep = j == start ? rep : leaf->rep_at[step];
		if (!shred_entry(w, leaf, step + 1, child, j, def + 1, elem_rep, err))
			return false;
	}
	return true;
}

static bool shred_entry(struct pq_writer *w, struct leaf_column *leaf, size_t step,
			const struct lk_vector *vec, size_t idx, unsigned def, unsigned rep,
			struct lk_error *err)
{
	const struct schema_node *node = leaf->steps[step];
	if (lk_vector_is_null(vec, idx)) {
		if (!node->nullable)
			return fail(w, err, LK_EINVAL,
				    "column %s: null in non-nullable field %s (entry %zu)",
				    leaf->dotted, node->name, idx);
		push_null(leaf, def, rep);
		return true;
	}
	def += node->nullable;
	switch (node->type) {
	case LK_TYPE_STRUCT:
		return shred_entry(w, leaf, step + 1, &vec->children[leaf->child_at[step]], idx,
				   def, rep, err);
	case LK_TYPE_LIST:
	case LK_TYPE_MAP:
		return shred_repeated(w, leaf, step, vec, idx, def, rep, err);
	default:
		push_value(w, leaf, idx, def, rep);
		return true;
	}
}

/* ---- PLAIN encoding of the gathered values ---------------------------------------------- */

static bool decimal_i64_check(const struct leaf_column *leaf, int64_t v)
{
	int64_t limit = pow10_i64[leaf->steps[leaf->n_steps - 1]->precision];
	return v > -limit && v < limit;
}

/* Sign-extends a big-endian two's complement value into out[len]; false when it does not fit. */
static bool decimal_widen(const struct lk_bytes *in, uint8_t *out, size_t len)
{
	if (in->len == 0)
		return false;
	uint8_t sign = (in->ptr[0] & 0x80) ? 0xFF : 0x00;
	if (in->len > len) {
		size_t extra = in->len - len;
		for (size_t i = 0; i < extra; i++)
			if (in->ptr[i] != sign)
				return false;
		/* The bytes kept must still carry the sign. */
		if (((in->ptr[extra] & 0x80) ? 0xFF : 0x00) != sign)
			return false;
		memcpy(out, in->ptr + extra, len);
		return true;
	}
	memset(out, sign, len - in->len);
	memcpy(out + (len - in->len), in->ptr, in->len);
	return true;
}

static bool encode_fixed(struct pq_writer *w, struct leaf_column *leaf, const struct lk_vector *vec)
{
	struct value_stats *st = &leaf->chunk_stats;
	size_t len = (size_t)leaf->type.fixed_len;
	for (size_t i = 0; i < w->n_pending; i++) {
		const struct lk_bytes *b = &vec->v.bytes[w->pending[i]];
		uint8_t wide[PQ_DECIMAL_MAX_BYTES];
		const uint8_t *p = b->ptr;
		if (leaf->type.source == SRC_DECIMAL_FIXED) {
			if (!decimal_widen(b, wide, len))
				return false;
			p = wide;
		} else if (b->len != len) {
			return false;
		}
		lk_buf_append(&leaf->values, p, len);
		if (leaf->type.order != ORDER_NONE)
			stats_bytes(st, p, len, leaf->type.order == ORDER_DECIMAL);
	}
	return true;
}

static bool encode_pending(struct pq_writer *w, struct leaf_column *leaf,
			   const struct lk_vector *vec, struct lk_error *err)
{
	struct lk_buf *out = &leaf->values;
	size_t from = out->len;
	struct value_stats *st = &leaf->chunk_stats;
	const uint32_t *idx = w->pending;
	size_t n = w->n_pending;
	bool is_unsigned = leaf->type.order == ORDER_UNSIGNED;
	switch (leaf->type.source) {
	case SRC_NONE:
		break;
	case SRC_BOOL:
		for (size_t i = 0; i < n; i++) {
			uint8_t b = vec->v.u8[idx[i]] ? 1 : 0;
			lk_buf_append_byte(out, b);
			stats_int(st, b, false);
		}
		break;
	case SRC_I32:
		for (size_t i = 0; i < n; i++) {
			int32_t v = vec->v.i32[idx[i]];
			put_le32(out, (uint32_t)v);
			stats_int(st, v, false);
		}
		break;
	case SRC_U32_FROM_I64:
		for (size_t i = 0; i < n; i++) {
			uint32_t v = (uint32_t)vec->v.i64[idx[i]];
			put_le32(out, v);
			stats_int(st, v, false);
		}
		break;
	case SRC_I64:
		for (size_t i = 0; i < n; i++) {
			int64_t v = vec->v.i64[idx[i]];
			put_le64(out, (uint64_t)v);
			stats_int(st, v, is_unsigned);
		}
		break;
	case SRC_DECIMAL_I32:
	case SRC_DECIMAL_I64:
		for (size_t i = 0; i < n; i++) {
			int64_t v = vec->v.i64[idx[i]];
			if (!decimal_i64_check(leaf, v))
				return fail(w, err, LK_EINVAL,
					    "column %s: unscaled decimal %lld has more than %u "
					    "digits", leaf->dotted, (long long)v,
					    leaf->steps[leaf->n_steps - 1]->precision);
			if (leaf->type.source == SRC_DECIMAL_I32)
				put_le32(out, (uint32_t)(int32_t)v);
			else
				put_le64(out, (uint64_t)v);
			stats_int(st, v, false);
		}
		break;
	case SRC_F32:
		for (size_t i = 0; i < n; i++) {
			float v = vec->v.f32[idx[i]];
			uint32_t bits;
			memcpy(&bits, &v, sizeof bits);
			put_le32(out, bits);
			stats_float(st, v);
		}
		break;
	case SRC_F64:
		for (size_t i = 0; i < n; i++) {
			double v = vec->v.f64[idx[i]];
			uint64_t bits;
			memcpy(&bits, &v, sizeof bits);
			put_le64(out, bits);
			stats_float(st, v);
		}
		break;
	case SRC_BYTES:
		for (size_t i = 0; i < n; i++) {
			const struct lk_bytes *b = &vec->v.bytes[idx[i]];
			put_le32(out, b->len);
			lk_buf_append(out, b->ptr, b->len);
			stats_bytes(st, b->ptr, b->len, false);
		}
		break;
	case SRC_FIXED:
	case SRC_DECIMAL_FIXED:
		if (!encode_fixed(w, leaf, vec))
			return fail(w, err, LK_EINVAL,
				    leaf->type.source == SRC_FIXED
					    ? "column %s: a value is not %d bytes long"
					    : "column %s: a decimal does not fit %d bytes",
				    leaf->dotted, leaf->type.fixed_len);
		break;
	}
	if (leaf_uses_dict(leaf))
		dict_absorb(leaf, from);
	w->n_pending = 0;
	return true;
}

/* ---- pages ------------------------------------------------------------------------------ */

/* Levels are one byte each, dictionary indices four. */
static inline uint32_t value_at(const void *values, size_t elem_size, size_t i)
{
	if (elem_size == 1)
		return ((const uint8_t *)values)[i];
	return ((const uint32_t *)values)[i];
}

static size_t run_length(const void *values, size_t elem_size, size_t i, size_t n, size_t limit)
{
	uint32_t first = value_at(values, elem_size, i);
	size_t run = 1;
	while (i + run < n && run < limit && value_at(values, elem_size, i + run) == first)
		run++;
	return run;
}

/* RLE/bit-packed hybrid (Encodings.md): runs of PQ_MIN_RLE_RUN or more equal values as RLE
 * runs, the rest bit-packed in groups of eight (the last group padded with zeros). */
static void hybrid_encode(struct lk_buf *out, const void *values, size_t elem_size, size_t n,
			  unsigned width)
{
	size_t value_bytes = (width + 7) / 8;
	size_t i = 0;
	while (i < n) {
		size_t run = run_length(values, elem_size, i, n, SIZE_MAX);
		if (run >= PQ_MIN_RLE_RUN) {
			uint32_t v = value_at(values, elem_size, i);
			thrift_write_varint(out, (uint64_t)run << 1);
			for (size_t b = 0; b < value_bytes; b++)
				lk_buf_append_byte(out, (uint8_t)(v >> (8 * b)));
			i += run;
			continue;
		}
		/* Bit-pack groups of 8 until a long run starts at a group boundary. */
		size_t groups = 0, j = i;
		while (j < n && groups < PQ_BITPACK_MAX_GROUPS) {
			groups++;
			j += 8;
			if (j < n &&
			    run_length(values, elem_size, j, n, PQ_MIN_RLE_RUN) >= PQ_MIN_RLE_RUN)
				break;
		}
		thrift_write_varint(out, (uint64_t)groups << 1 | 1);
		size_t packed_bytes = groups * width; /* 8 values of width bits = width bytes */
		lk_buf_reserve(out, packed_bytes);
		uint8_t *p = (uint8_t *)out->data + out->len;
		memset(p, 0, packed_bytes);
		for (size_t k = 0; k < groups * 8 && i + k < n; k++) {
			uint32_t v = value_at(values, elem_size, i + k);
			size_t bit = k * width;
			for (unsigned b = 0; b < width; b++, bit++)
				if (v >> b & 1)
					p[bit / 8] |= (uint8_t)(1u << (bit % 8));
		}
		out->len += packed_bytes;
		out->data[out->len] = '\0';
		i = j < n ? j : n;
	}
}

static void levels_append(struct lk_buf *body, const struct lk_buf *levels, size_t n, int max)
{
	size_t at = body->len;
	put_le32(body, 0); /* the length, patched below */
	hybrid_encode(body, levels->data, 1, n, bit_width((unsigned)max));
	uint32_t len = (uint32_t)(body->len - at - 4);
	uint8_t *p = (uint8_t *)body->data + at;
	p[0] = (uint8_t)len;
	p[1] = (uint8_t)(len >> 8);
	p[2] = (uint8_t)(len >> 16);
	p[3] = (uint8_t)(len >> 24);
}

static void booleans_pack(struct lk_buf *body, const struct lk_buf *bytes)
{
	size_t n = bytes->len, packed = (n + 7) / 8;
	lk_buf_reserve(body, packed);
	uint8_t *p = (uint8_t *)body->data + body->len;
	memset(p, 0, packed);
	for (size_t i = 0; i < n; i++)
		if (bytes->data[i])
			p[i / 8] |= (uint8_t)(1u << (i % 8));
	body->len += packed;
	body->data[body->len] = '\0';
}

static bool compress_gzip(const void *in, size_t len, struct lk_buf *out, int level)
{
	z_stream zs;
	memset(&zs, 0, sizeof zs);
	/* windowBits 15 + 16: a gzip wrapper, which Parquet's GZIP means. */
	if (deflateInit2(&zs, level ? level : Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return false;
	size_t cap = deflateBound(&zs, (uLong)len);
	lk_buf_reserve(out, cap);
	zs.next_in = (Bytef *)in;
	zs.avail_in = (uInt)len;
	zs.next_out = (Bytef *)out->data;
	zs.avail_out = (uInt)cap;
	int rc = deflate(&zs, Z_FINISH);
	out->len = zs.total_out;
	deflateEnd(&zs);
	return rc == Z_STREAM_END;
}

/* Compresses in[0..len) into w->compressed; false with a reason in *why. */
static bool page_compress(struct pq_writer *w, const char *in, size_t len, const char **why)
{
	struct lk_buf *out = &w->compressed;
	lk_buf_reset(out);
	in = in ? in : "";
	bool ok = true;
	switch (w->codec) {
	case PQ_CODEC_DEFAULT:
	case PQ_CODEC_SNAPPY: {
		size_t cap = snappy_max_compressed_length(len);
		lk_buf_reserve(out, cap);
		size_t out_len = cap;
		ok = snappy_compress(in, len, out->data, &out_len) == SNAPPY_OK;
		out->len = ok ? out_len : 0;
		*why = "snappy failed";
		break;
	}
	case PQ_CODEC_GZIP:
		ok = compress_gzip(in, len, out, w->compression_level);
		*why = "zlib deflate failed";
		break;
	case PQ_CODEC_ZSTD: {
		size_t cap = ZSTD_compressBound(len);
		lk_buf_reserve(out, cap);
		int level = w->compression_level ? w->compression_level : ZSTD_CLEVEL_DEFAULT;
		size_t out_len = ZSTD_compress(out->data, cap, in, len, level);
		ok = !ZSTD_isError(out_len);
		out->len = ok ? out_len : 0;
		*why = ok ? "" : ZSTD_getErrorName(out_len);
		break;
	}
	case PQ_CODEC_UNCOMPRESSED:
	case PQ_CODEC_COUNT:
		lk_buf_append(out, in, len);
		break;
	}
	out->data[out->len] = '\0';
	return ok;
}

/* What a data page header says besides its sizes. */
struct page_counts {
	size_t num_values; /* levels */
	size_t num_nulls;
	size_t num_rows;
	size_t def_bytes, rep_bytes; /* v2: the levels' sizes */
	enum page_encoding encoding;
};

static void page_header_write(const struct pq_writer *w, struct lk_buf *out, size_t uncompressed,
			      size_t compressed, const struct page_counts *c)
{
	struct thrift_writer t;
	thrift_writer_init(&t, out);
	thrift_write_struct_begin(&t);
	thrift_write_field_i32(&t, 1, w->data_page_v2 ? PAGE_DATA_V2 : PAGE_DATA);
	thrift_write_field_i32(&t, 2, (int32_t)uncompressed);
	thrift_write_field_i32(&t, 3, (int32_t)compressed);
	if (!w->data_page_v2) {
		thrift_write_field_struct(&t, 5); /* DataPageHeader */
		thrift_write_field_i32(&t, 1, (int32_t)c->num_values);
		thrift_write_field_i32(&t, 2, c->encoding);
		thrift_write_field_i32(&t, 3, ENCODING_RLE);
		thrift_write_field_i32(&t, 4, ENCODING_RLE);
	} else {
		thrift_write_field_struct(&t, 8); /* DataPageHeaderV2 */
		thrift_write_field_i32(&t, 1, (int32_t)c->num_values);
		thrift_write_field_i32(&t, 2, (int32_t)c->num_nulls);
		thrift_write_field_i32(&t, 3, (int32_t)c->num_rows);
		thrift_write_field_i32(&t, 4, c->encoding);
		thrift_write_field_i32(&t, 5, (int32_t)c->def_bytes);
		thrift_write_field_i32(&t, 6, (int32_t)c->rep_bytes);
		thrift_write_field_bool(&t, 7, w->codec != PQ_CODEC_UNCOMPRESSED);
	}
	thrift_write_struct_end(&t);
	thrift_write_struct_end(&t);
}

/* Appends the page's values section and returns its encoding. */
static enum page_encoding values_append(struct leaf_column *leaf, struct lk_buf *body)
{
	if (leaf_uses_dict(leaf)) {
		/* RLE_DICTIONARY: the bit width in one byte, then the indices' hybrid runs. */
		unsigned width = bit_width(leaf->dict.count > 0 ? leaf->dict.count - 1 : 0);
		width = width ? width : 1;
		lk_buf_append_byte(body, (uint8_t)width);
		hybrid_encode(body, leaf->indices.data, sizeof(uint32_t),
			      leaf->indices.len / sizeof(uint32_t), width);
		return ENCODING_RLE_DICTIONARY;
	}
	if (leaf->type.physical == PHYS_BOOLEAN)
		booleans_pack(body, &leaf->values);
	else
		lk_buf_append(body, leaf->values.data, leaf->values.len);
	return ENCODING_PLAIN;
}

/* Builds the page body in w->page_body: v1 puts length-prefixed levels and values together
 * and compresses all of it; v2 keeps bare levels uncompressed ahead of the compressed values.
 * Returns the number of leading bytes that stay uncompressed. */
static size_t page_body_build(struct pq_writer *w, struct leaf_column *leaf,
			      struct page_counts *c)
{
	struct lk_buf *body = &w->page_body;
	lk_buf_reset(body);
	size_t n = leaf->page_levels;
	if (!w->data_page_v2) {
		if (leaf->max_rep > 0)
			levels_append(body, &leaf->rep_levels, n, leaf->max_rep);
		if (leaf->max_def > 0)
			levels_append(body, &leaf->def_levels, n, leaf->max_def);
		c->encoding = values_append(leaf, body);
		return 0;
	}
	if (leaf->max_rep > 0)
		hybrid_encode(body, leaf->rep_levels.data, 1, n,
			      bit_width((unsigned)leaf->max_rep));
	c->rep_bytes = body->len;
	if (leaf->max_def > 0)
		hybrid_encode(body, leaf->def_levels.data, 1, n,
			      bit_width((unsigned)leaf->max_def));
	c->def_bytes = body->len - c->rep_bytes;
	size_t levels = body->len;
	c->encoding = values_append(leaf, body);
	return levels;
}

/* Turns the page being built into a data page at the end of the column chunk. */
static bool page_flush(struct pq_writer *w, struct leaf_column *leaf, struct lk_error *err)
{
	if (leaf->page_levels == 0)
		return true;
	struct page_counts c = {
		.num_values = leaf->page_levels,
		.num_nulls = leaf->page_nulls,
		.num_rows = leaf->page_rows,
	};
	size_t plain = page_body_build(w, leaf, &c);
	const struct lk_buf *body = &w->page_body;
	if (body->len > INT32_MAX || leaf->page_levels > INT32_MAX)
		return fail(w, err, LK_ETOOLARGE, "column %s: a page of %zu bytes is too large",
			    leaf->dotted, body->len);
	const char *why = "";
	if (!page_compress(w, body->data + plain, body->len - plain, &why))
		return fail(w, err, LK_EINTERNAL, "column %s: compressing a page: %s",
			    leaf->dotted, why);
	lk_buf_reset(&w->header);
	page_header_write(w, &w->header, body->len, plain + w->compressed.len, &c);
	lk_buf_append(&leaf->chunk, w->header.data, w->header.len);
	lk_buf_append(&leaf->chunk, body->data, plain);
	lk_buf_append(&leaf->chunk, w->compressed.data, w->compressed.len);
	leaf->chunk_uncompressed += (int64_t)(w->header.len + body->len);
	leaf->chunk_levels += (int64_t)leaf->page_levels;
	leaf->page_levels = 0;
	leaf->page_nulls = 0;
	leaf->page_rows = 0;
	lk_buf_reset(&leaf->def_levels);
	lk_buf_reset(&leaf->rep_levels);
	lk_buf_reset(&leaf->values);
	lk_buf_reset(&leaf->indices);
	return true;
}

static size_t page_size_estimate(const struct leaf_column *leaf)
{
	return leaf->values.len + leaf->indices.len / 2 + leaf->def_levels.len / 4 +
	       leaf->rep_levels.len / 4;
}

/* ---- batches ---------------------------------------------------------------------------- */

static bool vector_check(struct pq_writer *w, const struct schema_node *node,
			 const struct lk_vector *vec, size_t min_length, struct lk_error *err)
{
	if (vec->type == LK_TYPE_NULL && node->nullable)
		return true; /* all null: nothing below is read */
	if (vec->type != node->type)
		return fail(w, err, LK_EINVAL,
			    "column %s: the batch has %s where the schema has %s", node->name,
			    lk_type_name(vec->type), lk_type_name(node->type));
	if (vec->length < min_length)
		return fail(w, err, LK_EINVAL, "column %s: %zu entries where %zu are needed",
			    node->name, vec->length, min_length);
	if (node->type == LK_TYPE_DECIMAL &&
	    (vec->precision != node->precision || vec->scale != node->scale))
		return fail(w, err, LK_EINVAL,
			    "column %s: the batch has decimal(%u,%u) where the schema has "
			    "decimal(%u,%u)", node->name, vec->precision, vec->scale,
			    node->precision, node->scale);
	if (vec->n_children != node->n_children)
		return fail(w, err, LK_EINVAL, "column %s: %zu children where the schema has %zu",
			    node->name, vec->n_children, node->n_children);
	bool repeated = node->type == LK_TYPE_LIST || node->type == LK_TYPE_MAP;
	if (repeated && vec->length > 0 && vec->offsets == NULL)
		return fail(w, err, LK_EINVAL, "column %s: a %s without offsets", node->name,
			    lk_type_name(node->type));
	if (node->n_children == 0 && node->type != LK_TYPE_NULL && vec->length > 0 &&
	    vec->v.u8 == NULL)
		return fail(w, err, LK_EINVAL, "column %s: no values", node->name);
	for (size_t i = 0; i < node->n_children; i++)
		if (!vector_check(w, &node->children[i], &vec->children[i],
				  repeated ? 0 : vec->length, err))
			return false;
	return true;
}

/* The leaf's vector in this batch, or NULL when an all-null vector stands above it. */
static const struct lk_vector *leaf_vector(const struct leaf_column *leaf,
					   const struct lk_vector *top)
{
	const struct lk_vector *vec = top;
	for (size_t i = 0; i + 1 < leaf->n_steps; i++) {
		if (vec->type == LK_TYPE_NULL)
			return NULL;
		vec = &vec->children[leaf->child_at[i]];
	}
	return vec->type == LK_TYPE_NULL ? NULL : vec;
}

static bool leaf_write_rows(struct pq_writer *w, struct leaf_column *leaf,
			    const struct lk_batch *batch, size_t first, size_t end,
			    struct lk_error *err)
{
	const struct lk_vector *top = &batch->columns[leaf->top];
	const struct lk_vector *values = leaf_vector(leaf, top);
	w->n_pending = 0;
	for (size_t row = first; row < end; row++) {
		if (!shred_entry(w, leaf, 0, top, row, 0, 0, err))
			return false;
		if (w->n_pending >= PQ_ENCODE_CHUNK && !encode_pending(w, leaf, values, err))
			return false;
		if (page_size_estimate(leaf) >= w->page_bytes) {
			if (!encode_pending(w, leaf, values, err) || !page_flush(w, leaf, err))
				return false;
		}
		if (leaf_uses_dict(leaf) && leaf->dict.entries.len >= w->dictionary_max_bytes) {
			if (!encode_pending(w, leaf, values, err) || !page_flush(w, leaf, err))
				return false;
			leaf->dict_fallback = true;
		}
	}
	return encode_pending(w, leaf, values, err);
}

/* ---- file output ------------------------------------------------------------------------ */

static bool file_write(struct pq_writer *w, const void *data, size_t len, struct lk_error *err)
{
	const char *p = data;
	while (len > 0) {
		ssize_t n = write(w->fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			w->failed = true;
			return lk_error_set_errno(err, LK_EIO, errno, "%s: writing %s", w->path,
						  w->tmp_path);
		}
		p += n;
		len -= (size_t)n;
		w->file_pos += n;
	}
	return true;
}

/* The PLAIN bytes of a min or max for the footer (byte arrays without a length prefix). */
static void stat_value_encode(struct lk_buf *out, const struct leaf_column *leaf,
			      const struct value_stats *s, bool max)
{
	int64_t i = max ? s->max_i : s->min_i;
	double f = max ? s->max_f : s->min_f;
	const struct lk_buf *b = max ? &s->max_b : &s->min_b;
	switch (leaf->type.physical) {
	case PHYS_BOOLEAN:
		lk_buf_append_byte(out, (uint8_t)i);
		break;
	case PHYS_INT32:
		put_le32(out, (uint32_t)i);
		break;
	case PHYS_INT64:
		put_le64(out, (uint64_t)i);
		break;
	case PHYS_FLOAT: {
		float f32 = (float)f;
		uint32_t bits;
		memcpy(&bits, &f32, sizeof bits);
		put_le32(out, bits);
		break;
	}
	case PHYS_DOUBLE: {
		uint64_t bits;
		memcpy(&bits, &f, sizeof bits);
		put_le64(out, bits);
		break;
	}
	case PHYS_BYTE_ARRAY:
	case PHYS_FIXED:
		lk_buf_append(out, b->data, b->len);
		break;
	}
}

static void statistics_write(struct thrift_writer *t, const struct leaf_column *leaf,
			     const struct value_stats *s)
{
	thrift_write_field_struct(t, 12);
	thrift_write_field_i64(t, 3, s->null_count);
	bool min_max = s->has_min_max && leaf->type.order != ORDER_NONE &&
		       s->min_b.len <= PQ_FOOTER_STAT_MAX_BYTES &&
		       s->max_b.len <= PQ_FOOTER_STAT_MAX_BYTES;
	if (min_max) {
		struct lk_buf value = LK_BUF_INIT;
		stat_value_encode(&value, leaf, s, true);
		thrift_write_field_binary(t, 5, value.data, value.len);
		lk_buf_reset(&value);
		stat_value_encode(&value, leaf, s, false);
		thrift_write_field_binary(t, 6, value.data, value.len);
		lk_buf_free(&value);
		thrift_write_field_bool(t, 7, true);
		thrift_write_field_bool(t, 8, true);
	}
	if (leaf->type.order == ORDER_FLOAT)
		thrift_write_field_i64(t, 9, s->nan_count);
	thrift_write_struct_end(t);
}

/* Writes the chunk's dictionary page to the file, ahead of its data pages. */
static bool dict_page_write(struct pq_writer *w, struct leaf_column *leaf, struct lk_error *err)
{
	const struct lk_buf *entries = &leaf->dict.entries;
	if (entries->len > INT32_MAX)
		return fail(w, err, LK_ETOOLARGE,
			    "column %s: a dictionary of %zu bytes is too large", leaf->dotted,
			    entries->len);
	const char *why = "";
	if (!page_compress(w, entries->data, entries->len, &why))
		return fail(w, err, LK_EINTERNAL, "column %s: compressing the dictionary: %s",
			    leaf->dotted, why);
	struct lk_buf *h = &w->header;
	lk_buf_reset(h);
	struct thrift_writer t;
	thrift_writer_init(&t, h);
	thrift_write_struct_begin(&t);
	thrift_write_field_i32(&t, 1, PAGE_DICTIONARY);
	thrift_write_field_i32(&t, 2, (int32_t)entries->len);
	thrift_write_field_i32(&t, 3, (int32_t)w->compressed.len);
	thrift_write_field_struct(&t, 7); /* DictionaryPageHeader */
	thrift_write_field_i32(&t, 1, (int32_t)leaf->dict.count);
	thrift_write_field_i32(&t, 2, ENCODING_PLAIN);
	thrift_write_struct_end(&t);
	thrift_write_struct_end(&t);
	if (!file_write(w, h->data, h->len, err) ||
	    !file_write(w, w->compressed.data, w->compressed.len, err))
		return false;
	leaf->dict_page_bytes = (int64_t)(h->len + w->compressed.len);
	leaf->chunk_uncompressed += (int64_t)(h->len + entries->len);
	return true;
}

static void column_chunk_write(struct pq_writer *w, struct thrift_writer *t,
			       const struct leaf_column *leaf, int64_t offset, int64_t dict_offset)
{
	thrift_write_struct_begin(t);
	thrift_write_field_i64(t, 2, 0); /* file_offset: no metadata outside the footer */
	thrift_write_field_struct(t, 3);  /* ColumnMetaData */
	thrift_write_field_i32(t, 1, leaf->type.physical);
	thrift_write_field_list(t, 2, THRIFT_CT_I32, dict_offset >= 0 ? 3 : 2);
	thrift_write_elem_i32(t, ENCODING_PLAIN);
	thrift_write_elem_i32(t, ENCODING_RLE);
	if (dict_offset >= 0)
		thrift_write_elem_i32(t, ENCODING_RLE_DICTIONARY);
	thrift_write_field_list(t, 3, THRIFT_CT_BINARY, leaf->path_len);
	for (size_t i = 0; i < leaf->path_len; i++)
		thrift_write_elem_string(t, leaf->path[i]);
	thrift_write_field_i32(t, 4, codecs[w->codec].parquet_id);
	thrift_write_field_i64(t, 5, leaf->chunk_levels);
	thrift_write_field_i64(t, 6, leaf->chunk_uncompressed);
	thrift_write_field_i64(t, 7, (int64_t)leaf->chunk.len + leaf->dict_page_bytes);
	thrift_write_field_i64(t, 9, offset);
	if (dict_offset >= 0)
		thrift_write_field_i64(t, 11, dict_offset);
	if (w->write_statistics)
		statistics_write(t, leaf, &leaf->chunk_stats);
	thrift_write_struct_end(t);
	thrift_write_struct_end(t);
}

bool pq_writer_flush_row_group(struct pq_writer *w, struct lk_error *err)
{
	if (w->failed)
		return lk_error_set(err, LK_EINVAL, "%s: the writer failed earlier", w->path);
	if (w->rows_in_group == 0)
		return true;
	for (size_t i = 0; i < w->n_leaves; i++)
		if (!page_flush(w, &w->leaves[i], err))
			return false;
	int64_t group_start = w->file_pos, uncompressed = 0;
	struct thrift_writer t;
	thrift_writer_init(&t, &w->row_groups);
	thrift_write_struct_begin(&t);
	thrift_write_field_list(&t, 1, THRIFT_CT_STRUCT, w->n_leaves);
	for (size_t i = 0; i < w->n_leaves; i++) {
		struct leaf_column *leaf = &w->leaves[i];
		int64_t dict_offset = -1;
		if (leaf->dict.count > 0) {
			dict_offset = w->file_pos;
			if (!dict_page_write(w, leaf, err))
				return false;
		}
		int64_t offset = w->file_pos;
		if (!file_write(w, leaf->chunk.data, leaf->chunk.len, err))
			return false;
		column_chunk_write(w, &t, leaf, offset, dict_offset);
		uncompressed += leaf->chunk_uncompressed;
	}
	thrift_write_field_i64(&t, 2, uncompressed);
	thrift_write_field_i64(&t, 3, w->rows_in_group);
	thrift_write_field_i64(&t, 5, group_start);
	thrift_write_field_i64(&t, 6, w->file_pos - group_start);
	if (w->num_row_groups <= INT16_MAX)
		thrift_write_field_i16(&t, 7, (int16_t)w->num_row_groups);
	thrift_write_struct_end(&t);
	for (size_t i = 0; i < w->n_leaves; i++) {
		struct leaf_column *leaf = &w->leaves[i];
		stats_merge(&leaf->file_stats, &leaf->chunk_stats, leaf->type.order);
		stats_reset(&leaf->chunk_stats);
		lk_buf_reset(&leaf->chunk);
		dict_reset(&leaf->dict);
		leaf->dict_fallback = false;
		leaf->dict_page_bytes = 0;
		leaf->chunk_levels = 0;
		leaf->chunk_uncompressed = 0;
	}
	w->num_rows += w->rows_in_group;
	w->rows_in_group = 0;
	w->num_row_groups++;
	return true;
}

static bool rows_write(struct pq_writer *w, const struct lk_batch *batch, size_t first, size_t end,
		       struct lk_error *err)
{
	for (size_t i = 0; i < w->n_leaves; i++)
		if (!leaf_write_rows(w, &w->leaves[i], batch, first, end, err))
			return false;
	w->rows_in_group += (int64_t)(end - first);
	return true;
}

bool pq_writer_write_batch(struct pq_writer *w, const struct lk_batch *batch, struct lk_error *err)
{
	if (w->failed)
		return lk_error_set(err, LK_EINVAL, "%s: the writer failed earlier", w->path);
	if (batch->n_columns != w->n_fields)
		return fail(w, err, LK_EINVAL, "the batch has %zu columns where the schema has %zu",
			    batch->n_columns, w->n_fields);
	for (size_t i = 0; i < w->n_fields; i++)
		if (!vector_check(w, &w->fields[i], &batch->columns[i], batch->n_rows, err))
			return false;
	size_t row = 0;
	while (row < batch->n_rows) {
		size_t take = batch->n_rows - row;
		if (w->row_group_rows > 0 && take > w->row_group_rows - (size_t)w->rows_in_group)
			take = w->row_group_rows - (size_t)w->rows_in_group;
		if (!rows_write(w, batch, row, row + take, err))
			return false;
		row += take;
		if (w->row_group_rows > 0 && (size_t)w->rows_in_group >= w->row_group_rows &&
		    !pq_writer_flush_row_group(w, err))
			return false;
	}
	if (w->row_group_rows == 0)
		return pq_writer_flush_row_group(w, err);
	return true;
}

/* ---- footer ----------------------------------------------------------------------------- */

static void logical_type_write(struct thrift_writer *t, const struct schema_node *node)
{
	const struct type_map *map = &type_maps[node->type];
	enum logical_type_id logical = node->type == LK_TYPE_LIST   ? LOG_LIST
				  : node->type == LK_TYPE_MAP  ? LOG_MAP
				  : node->type == LK_TYPE_STRUCT ? LOG_NONE
								 : map->logical;
	if (logical == LOG_NONE)
		return;
	thrift_write_field_struct(t, 10);
	thrift_write_field_struct(t, (int16_t)logical);
	switch (logical) {
	case LOG_DECIMAL:
		thrift_write_field_i32(t, 1, node->scale);
		thrift_write_field_i32(t, 2, node->precision);
		break;
	case LOG_TIME:
	case LOG_TIMESTAMP:
		thrift_write_field_bool(t, 1, map->adjusted_to_utc);
		thrift_write_field_struct(t, 2); /* TimeUnit */
		thrift_write_field_struct(t, 2); /* MICROS */
		thrift_write_struct_end(t);
		thrift_write_struct_end(t);
		break;
	case LOG_INTEGER:
		thrift_write_field_i8(t, 1, map->int_bits);
		thrift_write_field_bool(t, 2, map->int_signed);
		break;
	default:
		break;
	}
	thrift_write_struct_end(t);
	thrift_write_struct_end(t);
}

/* One SchemaElement; type < 0 for a group. */
static void schema_element_write(struct thrift_writer *t, const char *name, int type,
				 int32_t type_length, int repetition, size_t n_children,
				 const struct schema_node *node)
{
	thrift_write_struct_begin(t);
	if (type >= 0)
		thrift_write_field_i32(t, 1, type);
	if (type == PHYS_FIXED)
		thrift_write_field_i32(t, 2, type_length);
	if (repetition >= 0)
		thrift_write_field_i32(t, 3, repetition);
	thrift_write_field_string(t, 4, name);
	if (type < 0)
		thrift_write_field_i32(t, 5, (int32_t)n_children);
	if (node != NULL) {
		enum converted_type converted = node->type == LK_TYPE_LIST  ? CONV_LIST
					      : node->type == LK_TYPE_MAP ? CONV_MAP
					      : node->type == LK_TYPE_STRUCT
						      ? CONV_NONE
						      : type_maps[node->type].converted;
		if (converted != CONV_NONE)
			thrift_write_field_i32(t, 6, converted);
		if (node->type == LK_TYPE_DECIMAL) {
			thrift_write_field_i32(t, 7, node->scale);
			thrift_write_field_i32(t, 8, node->precision);
		}
		if (node->has_field_id)
			thrift_write_field_i32(t, 9, node->field_id);
		logical_type_write(t, node);
	}
	thrift_write_struct_end(t);
}

static size_t schema_count(const struct schema_node *node)
{
	size_t n = 1;
	if (node->type == LK_TYPE_LIST || node->type == LK_TYPE_MAP)
		n++; /* the repeated group */
	for (size_t i = 0; i < node->n_children; i++)
		n += schema_count(&node->children[i]);
	return n;
}

static void schema_node_write(struct thrift_writer *t, const struct schema_node *node,
			      const char *name)
{
	int repetition = node->nullable ? REP_OPTIONAL : REP_REQUIRED;
	if (node->n_children == 0) {
		struct leaf_type lt = leaf_type_of(node);
		schema_element_write(t, name, lt.physical, lt.fixed_len, repetition, 0, node);
		return;
	}
	bool is_list = node->type == LK_TYPE_LIST, is_map = node->type == LK_TYPE_MAP;
	schema_element_write(t, name, -1, 0, repetition, is_list || is_map ? 1 : node->n_children,
			     node);
	if (is_list) {
		schema_element_write(t, "list", -1, 0, REP_REPEATED, 1, NULL);
		schema_node_write(t, &node->children[0], "element");
	} else if (is_map) {
		schema_element_write(t, "key_value", -1, 0, REP_REPEATED, 2, NULL);
		schema_node_write(t, &node->children[0], "key");
		schema_node_write(t, &node->children[1], "value");
	} else {
		for (size_t i = 0; i < node->n_children; i++)
			schema_node_write(t, &node->children[i], node->children[i].name);
	}
}

static void file_metadata_write(struct pq_writer *w, struct lk_buf *out)
{
	struct thrift_writer t;
	thrift_writer_init(&t, out);
	thrift_write_struct_begin(&t);
	thrift_write_field_i32(&t, 1, 1);
	size_t n_schema = 1;
	for (size_t i = 0; i < w->n_fields; i++)
		n_schema += schema_count(&w->fields[i]);
	thrift_write_field_list(&t, 2, THRIFT_CT_STRUCT, n_schema);
	schema_element_write(&t, "schema", -1, 0, -1, w->n_fields, NULL);
	for (size_t i = 0; i < w->n_fields; i++)
		schema_node_write(&t, &w->fields[i], w->fields[i].name);
	thrift_write_field_i64(&t, 3, w->num_rows);
	thrift_write_field_list(&t, 4, THRIFT_CT_STRUCT, (size_t)w->num_row_groups);
	lk_buf_append(out, w->row_groups.data, w->row_groups.len);
	if (w->n_metadata > 0) {
		thrift_write_field_list(&t, 5, THRIFT_CT_STRUCT, w->n_metadata);
		for (size_t i = 0; i < w->n_metadata; i++) {
			thrift_write_struct_begin(&t);
			thrift_write_field_string(&t, 1, w->metadata[i].key);
			if (w->metadata[i].value)
				thrift_write_field_string(&t, 2, w->metadata[i].value);
			thrift_write_struct_end(&t);
		}
	}
	thrift_write_field_string(&t, 6, w->created_by);
	if (w->write_statistics) {
		/* min_value and max_value mean nothing without column orders. */
		thrift_write_field_list(&t, 7, THRIFT_CT_STRUCT, w->n_leaves);
		for (size_t i = 0; i < w->n_leaves; i++) {
			thrift_write_struct_begin(&t);
			thrift_write_field_struct(&t, 1); /* TYPE_ORDER */
			thrift_write_struct_end(&t);
			thrift_write_struct_end(&t);
		}
	}
	thrift_write_struct_end(&t);
}

/* ---- open, close, abort ----------------------------------------------------------------- */

static void writer_free(struct pq_writer *w)
{
	for (size_t i = 0; i < w->n_fields; i++)
		node_free(&w->fields[i]);
	free(w->fields);
	for (size_t i = 0; i < w->n_leaves; i++)
		leaf_free(&w->leaves[i]);
	free(w->leaves);
	for (size_t i = 0; i < w->n_metadata; i++) {
		free((char *)w->metadata[i].key);
		free((char *)w->metadata[i].value);
	}
	free(w->metadata);
	free(w->created_by);
	free(w->pending);
	lk_buf_free(&w->row_groups);
	lk_buf_free(&w->page_body);
	lk_buf_free(&w->compressed);
	lk_buf_free(&w->header);
	free(w->path);
	free(w->tmp_path);
	free(w);
}

static void options_copy(struct pq_writer *w, const struct pq_writer_options *opts)
{
	static const struct pq_writer_options defaults = { .codec = PQ_CODEC_DEFAULT };
	if (opts == NULL)
		opts = &defaults;
	w->codec = opts->codec == PQ_CODEC_DEFAULT ? PQ_CODEC_SNAPPY : opts->codec;
	w->compression_level = opts->compression_level;
	w->row_group_rows = opts->row_group_rows;
	w->page_bytes = opts->page_bytes ? opts->page_bytes : PQ_DEFAULT_PAGE_BYTES;
	w->fsync = opts->fsync;
	w->write_statistics = !opts->omit_statistics;
	w->dictionary = opts->dictionary;
	w->data_page_v2 = opts->data_page_v2;
	w->dictionary_max_bytes = opts->dictionary_max_bytes ? opts->dictionary_max_bytes
							     : PQ_DEFAULT_DICTIONARY_BYTES;
	w->created_by = opts->created_by ? xstrdup(opts->created_by)
					 : xstrdup("lakesync version " PACKAGE_VERSION);
	if (opts->n_metadata > 0) {
		w->metadata = xcalloc(opts->n_metadata, sizeof *w->metadata);
		w->n_metadata = opts->n_metadata;
		for (size_t i = 0; i < opts->n_metadata; i++) {
			const struct pq_key_value *kv = &opts->metadata[i];
			w->metadata[i].key = xstrdup(kv->key ? kv->key : "");
			w->metadata[i].value = kv->value ? xstrdup(kv->value) : NULL;
		}
	}
}

static bool schema_load(struct pq_writer *w, const struct pq_write_schema *schema,
			struct lk_error *err)
{
	if (schema == NULL || schema->n_fields == 0)
		return lk_error_set(err, LK_EINVAL, "%s: the schema has no columns", w->path);
	w->fields = xcalloc(schema->n_fields, sizeof *w->fields);
	for (size_t i = 0; i < schema->n_fields; i++) {
		w->n_fields = i + 1;
		if (!node_copy(&w->fields[i], &schema->fields[i], 0, w->path, err))
			return false;
	}
	struct leaf_column *route = xcalloc(1, sizeof *route);
	for (size_t i = 0; i < w->n_fields; i++) {
		route->top = i;
		leaves_collect(w, route, &w->fields[i], 0);
	}
	free(route);
	return true;
}

struct pq_writer *pq_writer_open(const char *path, const struct pq_write_schema *schema,
				 const struct pq_writer_options *opts, struct lk_error *err)
{
	if (opts != NULL && (unsigned)opts->codec >= PQ_CODEC_COUNT) {
		lk_error_set(err, LK_EINVAL, "%s: unknown codec %d", path, (int)opts->codec);
		return NULL;
	}
	struct pq_writer *w = xcalloc(1, sizeof *w);
	w->fd = -1;
	w->path = xstrdup(path);
	w->tmp_path = xasprintf("%s.tmp", path);
	options_copy(w, opts);
	if (!schema_load(w, schema, err)) {
		writer_free(w);
		return NULL;
	}
	w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		lk_error_set_errno(err, LK_EIO, errno, "%s: creating %s", path, w->tmp_path);
		writer_free(w);
		return NULL;
	}
	if (!file_write(w, PQ_MAGIC, sizeof PQ_MAGIC, err)) {
		pq_writer_abort(w);
		return NULL;
	}
	return w;
}

void pq_writer_abort(struct pq_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp_path);
	}
	writer_free(w);
}

static bool dir_fsync(const char *path, struct lk_error *err)
{
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir) {
		slash[1] = '\0';
	} else {
		*slash = '\0';
	}
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool ok = fd >= 0 && fsync(fd) == 0;
	int saved = errno;
	if (fd >= 0)
		close(fd);
	if (!ok)
		lk_error_set_errno(err, LK_EIO, saved, "%s: syncing directory %s", path, dir);
	free(dir);
	return ok;
}

static void result_fill(const struct pq_writer *w, struct pq_write_result *r)
{
	r->num_rows = w->num_rows;
	r->num_row_groups = w->num_row_groups;
	r->file_size = w->file_pos;
	r->n_columns = w->n_leaves;
	r->columns = xcalloc(w->n_leaves ? w->n_leaves : 1, sizeof *r->columns);
	for (size_t i = 0; i < w->n_leaves; i++) {
		const struct leaf_column *leaf = &w->leaves[i];
		const struct value_stats *s = &leaf->file_stats;
		struct pq_column_stats *c = &r->columns[i];
		c->path = xcalloc(leaf->path_len, sizeof *c->path);
		for (size_t k = 0; k < leaf->path_len; k++)
			c->path[k] = xstrdup(leaf->path[k]);
		c->path_len = leaf->path_len;
		c->type = leaf->steps[leaf->n_steps - 1]->type;
		c->max_definition_level = leaf->max_def;
		c->max_repetition_level = leaf->max_rep;
		c->num_values = s->num_values;
		c->null_count = s->null_count;
		c->nan_count = s->nan_count;
		c->has_min_max = s->has_min_max && leaf->type.order != ORDER_NONE;
		if (!c->has_min_max)
			continue;
		c->min.i64 = s->min_i;
		c->max.i64 = s->max_i;
		c->min.f64 = s->min_f;
		c->max.f64 = s->max_f;
		if (leaf->type.order == ORDER_BYTES || leaf->type.order == ORDER_DECIMAL) {
			c->min.bytes.ptr = xmemdup(s->min_b.data, s->min_b.len + 1);
			c->min.bytes.len = (uint32_t)s->min_b.len;
			c->max.bytes.ptr = xmemdup(s->max_b.data, s->max_b.len + 1);
			c->max.bytes.len = (uint32_t)s->max_b.len;
		}
	}
}

static bool footer_write(struct pq_writer *w, struct lk_error *err)
{
	struct lk_buf footer = LK_BUF_INIT;
	file_metadata_write(w, &footer);
	uint32_t len = (uint32_t)footer.len;
	put_le32(&footer, len);
	lk_buf_append(&footer, PQ_MAGIC, sizeof PQ_MAGIC);
	bool ok = file_write(w, footer.data, footer.len, err);
	lk_buf_free(&footer);
	return ok;
}

bool pq_writer_close(struct pq_writer *w, struct pq_write_result *result, struct lk_error *err)
{
	if (result)
		memset(result, 0, sizeof *result);
	if (w->failed) {
		lk_error_set(err, LK_EINVAL, "%s: the writer failed earlier", w->path);
		pq_writer_abort(w);
		return false;
	}
	if (!pq_writer_flush_row_group(w, err) || !footer_write(w, err)) {
		pq_writer_abort(w);
		return false;
	}
	if (w->fsync && fsync(w->fd) != 0) {
		lk_error_set_errno(err, LK_EIO, errno, "%s: fsync of %s", w->path, w->tmp_path);
		pq_writer_abort(w);
		return false;
	}
	int fd = w->fd;
	w->fd = -1;
	if (close(fd) != 0) {
		lk_error_set_errno(err, LK_EIO, errno, "%s: closing %s", w->path, w->tmp_path);
		unlink(w->tmp_path);
		writer_free(w);
		return false;
	}
	if (rename(w->tmp_path, w->path) != 0) {
		lk_error_set_errno(err, LK_EIO, errno, "%s: renaming %s into place", w->path,
				   w->tmp_path);
		unlink(w->tmp_path);
		writer_free(w);
		return false;
	}
	if (w->fsync && !dir_fsync(w->path, err)) {
		writer_free(w);
		return false;
	}
	if (result)
		result_fill(w, result);
	writer_free(w);
	return true;
}

void pq_write_result_free(struct pq_write_result *result)
{
	if (result == NULL)
		return;
	for (size_t i = 0; i < result->n_columns; i++) {
		struct pq_column_stats *c = &result->columns[i];
		for (size_t k = 0; k < c->path_len; k++)
			free(c->path[k]);
		free(c->path);
		free((void *)c->min.bytes.ptr);
		free((void *)c->max.bytes.ptr);
	}
	free(result->columns);
	memset(result, 0, sizeof *result);
}
