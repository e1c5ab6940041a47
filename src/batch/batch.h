/* batch/batch.h: the columnar batch every layer of the hot path speaks.
 *
 * A batch is a set of named columns of equal length; each column is a vector of one logical
 * type with a per-entry null flag. Parquet decodes into batches, Delta adds partition and
 * change-feed columns and renames to logical names, the pg module encodes batches into COPY
 * BINARY. No layer allocates per value or per row: values live in typed arrays; strings and
 * binaries are (pointer, length) pairs pointing into memory the batch keeps alive (decoded
 * pages, dictionary pages, or the batch's own blocks).
 *
 * Storage by logical type (what `v` holds):
 *   BOOLEAN                                   v.u8   (0 or 1)
 *   INT8, INT16, INT32, UINT8, UINT16, DATE   v.i32  (DATE: days since 1970-01-01)
 *   INT64, UINT32, UINT64 (bits), TIME,
 *   TIMESTAMP, TIMESTAMP_NTZ                  v.i64  (TIME: µs of day; TIMESTAMP*: µs since epoch)
 *   FLOAT (and Parquet FLOAT16)               v.f32
 *   DOUBLE                                    v.f64
 *   DECIMAL with precision <= 18              v.i64  (unscaled value)
 *   DECIMAL with precision > 18               v.bytes (unscaled, big-endian two's complement)
 *   STRING, JSON, BINARY, UUID (16 bytes),
 *   INTERVAL (Parquet's 12 bytes), VARIANT    v.bytes
 *   STRUCT    children[i] = field i, each of the struct's length
 *   LIST      offsets[length + 1] into children[0] (the elements)
 *   MAP       offsets[length + 1] into children[0] (keys) and children[1] (values)
 *   NULL      no values (every entry is null)
 * A null entry's value slot holds unspecified bits; a null LIST or MAP entry has
 * offsets[i] == offsets[i + 1].
 *
 * Ownership: a batch owns its vectors and every block registered with lk_batch_keep() or
 * allocated with lk_batch_alloc(); lk_batch_free() releases them all. Not thread-safe: one
 * batch, one thread at a time (hand a whole batch between threads). */
#ifndef LK_BATCH_BATCH_H
#define LK_BATCH_BATCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

enum lk_type_id {
	LK_TYPE_NULL = 0,
	LK_TYPE_BOOLEAN,
	LK_TYPE_INT8,
	LK_TYPE_INT16,
	LK_TYPE_INT32,
	LK_TYPE_INT64,
	LK_TYPE_UINT8,
	LK_TYPE_UINT16,
	LK_TYPE_UINT32,
	LK_TYPE_UINT64,
	LK_TYPE_FLOAT,
	LK_TYPE_DOUBLE,
	LK_TYPE_DECIMAL,
	LK_TYPE_STRING,
	LK_TYPE_JSON,
	LK_TYPE_BINARY,
	LK_TYPE_UUID,
	LK_TYPE_DATE,
	LK_TYPE_TIME,
	LK_TYPE_TIMESTAMP,     /* UTC-adjusted instant */
	LK_TYPE_TIMESTAMP_NTZ, /* wall-clock time without a zone */
	LK_TYPE_INTERVAL,
	LK_TYPE_VARIANT,
	LK_TYPE_STRUCT,
	LK_TYPE_LIST,
	LK_TYPE_MAP,
	LK_TYPE_COUNT
};

struct lk_bytes {
	const uint8_t *ptr;
	uint32_t len;
};

struct lk_vector {
	enum lk_type_id type;
	uint8_t precision, scale; /* DECIMAL */
	char *name;               /* column or field name (owned) */
	size_t length;            /* entries */
	uint8_t *nulls;           /* NULL: no entry is null; else one byte per entry, 1 = null */
	union {
		uint8_t *u8;
		int32_t *i32;
		int64_t *i64;
		float *f32;
		double *f64;
		struct lk_bytes *bytes;
	} v;
	uint32_t *offsets;           /* LIST and MAP */
	struct lk_vector *children;  /* STRUCT fields, LIST element, MAP key and value */
	size_t n_children;
};

struct lk_batch_block;

struct lk_batch {
	size_t n_rows;
	size_t n_columns;
	struct lk_vector *columns;
	/* The live rows: NULL means all n_rows; otherwise n_selected row indexes, ascending
	 * (rows a deletion vector removed are simply not listed). Every consumer walks rows
	 * through lk_batch_live_rows() / lk_batch_live_row(). Owned by the batch. */
	uint32_t *selection;
	size_t n_selected;
	struct lk_batch_block *blocks; /* memory the batch owns */
	size_t bytes_owned;            /* total size of the blocks, for memory accounting */
};

/* The type's name as lakesync prints it ("int64", "decimal", "timestamp_ntz", ...). */
const char *lk_type_name(enum lk_type_id type);

/* A new empty batch with n_columns zeroed vectors; aborts on out of memory. */
struct lk_batch *lk_batch_new(size_t n_columns);
void lk_batch_free(struct lk_batch *batch);
/* Allocates size bytes (8-byte aligned, zeroed) owned by the batch. */
void *lk_batch_alloc(struct lk_batch *batch, size_t size);
/* Hands a malloc'ed block (a decoded page, a dictionary) to the batch, which frees it. */
void lk_batch_keep(struct lk_batch *batch, void *block, size_t size);
/* Moves every block src owns to dst (src keeps its vectors, now without their memory):
 * for filling one batch from two threads, each keeping blocks in a batch of its own. */
void lk_batch_take_blocks(struct lk_batch *dst, struct lk_batch *src);
/* Copies bytes into batch-owned memory and returns the stable copy. */
const uint8_t *lk_batch_copy_bytes(struct lk_batch *batch, const void *data, size_t len);
/* Allocates a vector's children (zeroed), owned by the batch's vector tree. */
void lk_vector_init_children(struct lk_vector *vec, size_t n_children);
/* Finds a top-level column by exact name, or NULL. */
struct lk_vector *lk_batch_column(const struct lk_batch *batch, const char *name);

static inline size_t lk_batch_live_rows(const struct lk_batch *batch)
{
	return batch->selection ? batch->n_selected : batch->n_rows;
}

/* The batch row of the i-th live row. */
static inline size_t lk_batch_live_row(const struct lk_batch *batch, size_t i)
{
	return batch->selection ? batch->selection[i] : i;
}

static inline bool lk_vector_is_null(const struct lk_vector *vec, size_t row)
{
	return vec->type == LK_TYPE_NULL || (vec->nulls != NULL && vec->nulls[row]);
}

/* Value rendering (batch/render.c). The same text serves `lakesync inspect` and the JSONB
 * values written to PostgreSQL, so both follow one set of rules (doc/value-format.md):
 * integers as exact JSON numbers (also beyond 2^53); floats in shortest round-trip form,
 * NaN/Infinity/-Infinity as JSON strings; decimals as strings with exact digits; strings as
 * JSON strings; binary as "\\x..." hex; dates YYYY-MM-DD; UTC timestamps
 * YYYY-MM-DDTHH:MM:SS.ffffffZ, other timestamps without the Z; times HH:MM:SS.ffffff; lists
 * as arrays, structs as objects, maps as objects keyed by the key's text; null as null. */
void lk_render_json_value(const struct lk_vector *vec, size_t row, struct lk_buf *out);
/* One JSON object per row: {"col": value, ...} in column order, no trailing newline. */
void lk_render_json_row(const struct lk_batch *batch, size_t row, struct lk_buf *out);

#endif
