/* parquet/internal.h: the reader's private contract between its files (thrift.c,
 * metadata.c, schema.c, encoding.c, codec.c, column.c, assemble.c, reader.c).
 * Nothing here is for callers outside src/parquet; tests include it to reach the pieces. */
#ifndef LK_PARQUET_INTERNAL_H
#define LK_PARQUET_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "parquet/parquet.h"
#include "util/error.h"

/* ---- Thrift compact protocol (thrift.c) ------------------------------------------------ */

enum {
	PQ_THRIFT_MAX_DEPTH = 64,
};

enum pq_thrift_type {
	PQ_T_STOP = 0,
	PQ_T_TRUE = 1,
	PQ_T_FALSE = 2,
	PQ_T_BYTE = 3,
	PQ_T_I16 = 4,
	PQ_T_I32 = 5,
	PQ_T_I64 = 6,
	PQ_T_DOUBLE = 7,
	PQ_T_BINARY = 8,
	PQ_T_LIST = 9,
	PQ_T_SET = 10,
	PQ_T_MAP = 11,
	PQ_T_STRUCT = 12,
};

/* A bounded cursor over Thrift bytes. The first failure is kept in `error` (a static
 * description); every later call fails too. */
struct pq_thrift {
	const uint8_t *pos;
	const uint8_t *end;
	int depth;
	const char *error;
};

void pq_thrift_init(struct pq_thrift *t, const void *data, size_t len);
bool pq_thrift_fail(struct pq_thrift *t, const char *why);
/* Reads the next field header of a struct. Returns 1 with *id and *type, 0 at STOP, -1 on
 * error. *last_id carries the previous field id (start at 0). */
int pq_thrift_field(struct pq_thrift *t, int16_t *last_id, int16_t *id, uint8_t *type);
bool pq_thrift_int(struct pq_thrift *t, uint8_t type, int64_t *out);
bool pq_thrift_i32(struct pq_thrift *t, uint8_t type, int32_t *out);
bool pq_thrift_bool(struct pq_thrift *t, uint8_t type, bool *out);
/* A binary/string: points into the input. */
bool pq_thrift_binary(struct pq_thrift *t, uint8_t type, const uint8_t **data, size_t *len);
/* A heap copy of a string (NUL-terminated). */
bool pq_thrift_string(struct pq_thrift *t, uint8_t type, char **out);
/* A list header: element type and count (bounded by the bytes left). */
bool pq_thrift_list(struct pq_thrift *t, uint8_t type, uint8_t *elem_type, size_t *count);
bool pq_thrift_skip(struct pq_thrift *t, uint8_t type);
bool pq_thrift_struct_begin(struct pq_thrift *t, uint8_t type);
void pq_thrift_struct_end(struct pq_thrift *t);

/* ---- Footer metadata (metadata.c) ------------------------------------------------------ */

enum pq_encoding {
	PQ_ENC_PLAIN = 0,
	PQ_ENC_PLAIN_DICTIONARY = 2,
	PQ_ENC_RLE = 3,
	PQ_ENC_BIT_PACKED = 4,
	PQ_ENC_DELTA_BINARY_PACKED = 5,
	PQ_ENC_DELTA_LENGTH_BYTE_ARRAY = 6,
	PQ_ENC_DELTA_BYTE_ARRAY = 7,
	PQ_ENC_RLE_DICTIONARY = 8,
	PQ_ENC_BYTE_STREAM_SPLIT = 9,
};

enum pq_compression {
	PQ_COMPRESSION_UNCOMPRESSED = 0,
	PQ_COMPRESSION_SNAPPY = 1,
	PQ_COMPRESSION_GZIP = 2,
	PQ_COMPRESSION_LZO = 3,
	PQ_COMPRESSION_BROTLI = 4,
	PQ_COMPRESSION_LZ4 = 5,
	PQ_COMPRESSION_ZSTD = 6,
	PQ_COMPRESSION_LZ4_RAW = 7,
};

enum pq_page_type {
	PQ_PAGE_DATA = 0,
	PQ_PAGE_INDEX = 1,
	PQ_PAGE_DICTIONARY = 2,
	PQ_PAGE_DATA_V2 = 3,
};

/* LogicalType union member ids (parquet.thrift). */
enum pq_logical_id {
	PQ_LT_NONE = 0,
	PQ_LT_STRING = 1,
	PQ_LT_MAP = 2,
	PQ_LT_LIST = 3,
	PQ_LT_ENUM = 4,
	PQ_LT_DECIMAL = 5,
	PQ_LT_DATE = 6,
	PQ_LT_TIME = 7,
	PQ_LT_TIMESTAMP = 8,
	PQ_LT_INTEGER = 10,
	PQ_LT_UNKNOWN = 11,
	PQ_LT_JSON = 12,
	PQ_LT_BSON = 13,
	PQ_LT_UUID = 14,
	PQ_LT_FLOAT16 = 15,
	PQ_LT_VARIANT = 16,
	PQ_LT_GEOMETRY = 17,
	PQ_LT_GEOGRAPHY = 18,
};

/* ConvertedType values (parquet.thrift). */
enum pq_converted {
	PQ_CT_UTF8 = 0,
	PQ_CT_MAP = 1,
	PQ_CT_MAP_KEY_VALUE = 2,
	PQ_CT_LIST = 3,
	PQ_CT_ENUM = 4,
	PQ_CT_DECIMAL = 5,
	PQ_CT_DATE = 6,
	PQ_CT_TIME_MILLIS = 7,
	PQ_CT_TIME_MICROS = 8,
	PQ_CT_TIMESTAMP_MILLIS = 9,
	PQ_CT_TIMESTAMP_MICROS = 10,
	PQ_CT_UINT_8 = 11,
	PQ_CT_UINT_16 = 12,
	PQ_CT_UINT_32 = 13,
	PQ_CT_UINT_64 = 14,
	PQ_CT_INT_8 = 15,
	PQ_CT_INT_16 = 16,
	PQ_CT_INT_32 = 17,
	PQ_CT_INT_64 = 18,
	PQ_CT_JSON = 19,
	PQ_CT_BSON = 20,
	PQ_CT_INTERVAL = 21,
};

struct pq_logical {
	int32_t id; /* enum pq_logical_id, or an unknown member id (ignored) */
	int32_t scale, precision;
	bool utc;
	enum pq_time_unit unit;
	int32_t bit_width;
	bool is_signed;
};

struct pq_schema_element {
	char *name;
	bool has_type, has_repetition, has_num_children, has_converted, has_field_id;
	bool has_scale, has_precision;
	int32_t type, type_length, repetition, num_children, converted_type;
	int32_t scale, precision, field_id;
	struct pq_logical logical;
};

enum {
	PQ_STATS_MAX_VALUE_BYTES = 64, /* longer statistics values are dropped, never kept */
};

/* What the reader keeps of a column chunk's Statistics: the null count, and the bounds
 * (copied) when they fit PQ_STATS_MAX_VALUE_BYTES. The bounds are min_value/max_value when
 * the footer has either, else the deprecated min/max, whose sort order is unknown. */
struct pq_chunk_stats {
	bool has_null_count;
	int64_t null_count;
	bool deprecated;          /* min/max come from the deprecated fields 1 and 2 */
	bool declared_inexact;    /* is_min_value_exact or is_max_value_exact is false */
	uint8_t *min, *max;       /* NULL when absent or too long */
	size_t min_len, max_len;
};

struct pq_column_meta {
	int32_t type;
	int32_t codec;
	int64_t num_values;
	int64_t total_uncompressed_size;
	int64_t total_compressed_size;
	int64_t data_page_offset;
	bool has_dictionary_page_offset;
	int64_t dictionary_page_offset;
	struct pq_chunk_stats stats;
};

struct pq_column_chunk {
	bool has_meta;
	bool encrypted; /* crypto_metadata or encrypted_column_metadata present */
	bool external;  /* file_path set: the chunk lives in another file */
	struct pq_column_meta meta;
};

struct pq_row_group {
	struct pq_column_chunk *columns;
	size_t n_columns;
	int64_t num_rows;
};

struct pq_kv {
	char *key;
	char *value;
};

struct pq_file_meta {
	int32_t version;
	struct pq_schema_element *schema;
	size_t n_schema;
	int64_t num_rows;
	struct pq_row_group *row_groups;
	size_t n_row_groups;
	struct pq_kv *kv;
	size_t n_kv;
	char *created_by;
	bool has_encryption_algorithm;
};

struct pq_page_header {
	int32_t type;
	int32_t uncompressed_size;
	int32_t compressed_size;
	bool has_data, has_dictionary, has_data_v2;
	/* DATA_PAGE */
	int32_t num_values;
	int32_t encoding;
	int32_t def_encoding;
	int32_t rep_encoding;
	/* DICTIONARY_PAGE */
	int32_t dict_num_values;
	int32_t dict_encoding;
	/* DATA_PAGE_V2 */
	int32_t v2_num_values;
	int32_t v2_num_nulls;
	int32_t v2_num_rows;
	int32_t v2_encoding;
	int32_t v2_def_length;
	int32_t v2_rep_length;
	bool v2_is_compressed;
};

bool pq_meta_parse(const uint8_t *data, size_t len, struct pq_file_meta *meta,
		   struct lk_error *err);
void pq_meta_free(struct pq_file_meta *meta);
/* Parses a page header at data; *header_len receives its size. */
bool pq_page_header_parse(const uint8_t *data, size_t len, struct pq_page_header *hdr,
			  size_t *header_len, struct lk_error *err);

/* ---- Schema tree (schema.c) ------------------------------------------------------------ */

/* Builds the tree from the flattened elements; fills *leaves (owned array of pointers into
 * the tree). */
bool pq_schema_build(const struct pq_file_meta *meta, struct pq_schema_node **root,
		     struct pq_schema_node ***leaves, size_t *n_leaves, struct lk_error *err);
void pq_schema_free(struct pq_schema_node *root);

/* How a node is assembled (see assemble.c). */
enum pq_shape {
	PQ_SHAPE_LEAF,
	PQ_SHAPE_STRUCT,
	PQ_SHAPE_LIST,
	PQ_SHAPE_MAP,
};

/* ---- Encodings (encoding.c) ------------------------------------------------------------ */

/* The RLE/bit-packed hybrid decoder (levels, dictionary indexes, booleans). */
struct pq_rle {
	const uint8_t *pos, *end;
	int bit_width;
	uint32_t rle_left;   /* values left in the current RLE run */
	uint32_t rle_value;
	const uint8_t *bp;   /* current bit-packed run */
	size_t bp_bytes;
	uint32_t bp_index, bp_count;
};

void pq_rle_init(struct pq_rle *r, const uint8_t *data, size_t len, int bit_width);
/* Decodes exactly n values; false when the data ends first. */
bool pq_rle_get(struct pq_rle *r, uint32_t *out, size_t n);
bool pq_rle_get_u8(struct pq_rle *r, uint8_t *out, size_t n);
/* The legacy BIT_PACKED level encoding (MSB first). */
bool pq_bitpacked_legacy_get_u8(const uint8_t *data, size_t len, int bit_width, uint8_t *out,
				size_t n);
int pq_bit_width(uint32_t max_value);

/* DELTA_BINARY_PACKED: decodes up to max values into out (int64; INT32 columns wrap);
 * *count receives the number the header declares (<= max, else an error), *used the bytes
 * consumed. */
bool pq_delta_decode(const uint8_t *data, size_t len, int64_t *out, size_t max, size_t *count,
		     size_t *used, const char **why);
/* Only reads the header's value count. */
bool pq_delta_count(const uint8_t *data, size_t len, size_t *count, const char **why);

/* PLAIN byte arrays: n (len, ptr) pairs from data. */
bool pq_plain_byte_array(const uint8_t *data, size_t len, struct lk_bytes *out, size_t n,
			 size_t *used);
/* BYTE_STREAM_SPLIT of n values of `width` bytes: out receives n * width bytes. */
bool pq_byte_stream_split(const uint8_t *data, size_t len, size_t width, uint8_t *out,
			  size_t n);

float pq_half_to_float(uint16_t half);
/* Julian day + nanoseconds of day (INT96) to µs since the epoch. */
int64_t pq_int96_to_micros(const uint8_t *v);

/* ---- Codecs (codec.c) ------------------------------------------------------------------ */

/* Decompresses src into dst, which has room for exactly dst_len bytes (the page header's
 * uncompressed size); the output must fill it exactly. *why receives a static reason. */
bool pq_decompress(int codec, const uint8_t *src, size_t src_len, uint8_t *dst, size_t dst_len,
		   const char **why);
const char *pq_compression_name(int codec);

/* ---- Column chunks (column.c) ---------------------------------------------------------- */

/* Storage of decoded values, by the lk type they become. */
enum pq_storage {
	PQ_ST_NONE,
	PQ_ST_U8,
	PQ_ST_I32,
	PQ_ST_I64,
	PQ_ST_F32,
	PQ_ST_F64,
	PQ_ST_BYTES,
};

enum pq_storage pq_storage_of(enum lk_type_id type);
size_t pq_storage_size(enum pq_storage st);

/* One leaf column of one row group, decoded: levels for every entry and the non-null
 * values densely. Arrays are malloc'ed; buffers that strings point into are handed to the
 * batch given to pq_column_read. */
struct pq_column_data {
	const struct pq_schema_node *leaf;
	size_t n_levels;
	uint8_t *def; /* NULL when max_def == 0 */
	uint8_t *rep; /* NULL when max_rep == 0 */
	size_t n_values;
	size_t cap_values;
	void *values; /* enum pq_storage array */
	bool values_in_batch; /* values were handed to the batch (a vector uses them as is) */
};

struct pq_read_ctx {
	const char *file_name;
	const uint8_t *file_data;
	size_t file_size;
	size_t row_group;
	size_t max_bytes;    /* cap on bytes for this batch */
	_Atomic size_t *bytes_used; /* running total for this batch, shared by its decoders */
};

bool pq_column_read(const struct pq_read_ctx *ctx, const struct pq_column_chunk *chunk,
		    const struct pq_schema_node *leaf, struct lk_batch *batch,
		    struct pq_column_data *out, struct lk_error *err);
void pq_column_data_free(struct pq_column_data *col);

/* ---- Assembly (assemble.c) ------------------------------------------------------------- */

/* Builds the vector of projection root `node` (length n_rows) from the decoded leaves under
 * it (cols indexed by leaf_index; only the leaves under node are read). */
bool pq_assemble(const struct pq_schema_node *node, struct pq_column_data *cols, size_t n_rows,
		 struct lk_batch *batch, struct lk_vector *out, const char *file_name,
		 size_t row_group, struct lk_error *err);

#endif
