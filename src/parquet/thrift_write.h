/* parquet/thrift_write.h: a Thrift compact-protocol encoder, enough for Parquet's metadata.
 *
 * The encoder appends to a caller-owned struct lk_buf. It tracks the last field id of each open
 * struct so that field headers use the short (delta) form whenever the id grows by 1..15.
 * Writing a struct: thrift_write_field_*() for each field in increasing id order, nested structs
 * between thrift_write_field_struct() and thrift_write_struct_end(); a struct that is a list
 * element or the top-level value opens with thrift_write_struct_begin(). Lists: announce the
 * element type and count with thrift_write_field_list(), then write exactly that many elements
 * with the thrift_write_elem_*() functions.
 *
 * Nothing here fails: the buffer grows (aborting on out of memory) and misuse is a caller bug
 * (the nesting depth is bounded by THRIFT_WRITE_MAX_DEPTH). Not thread-safe: one encoder, one
 * buffer, one thread. */
#ifndef LK_PARQUET_THRIFT_WRITE_H
#define LK_PARQUET_THRIFT_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"

/* The compact protocol's type codes, as they appear in field and list headers. */
enum thrift_ctype {
	THRIFT_CT_STOP = 0,
	THRIFT_CT_BOOL_TRUE = 1,
	THRIFT_CT_BOOL_FALSE = 2,
	THRIFT_CT_I8 = 3,
	THRIFT_CT_I16 = 4,
	THRIFT_CT_I32 = 5,
	THRIFT_CT_I64 = 6,
	THRIFT_CT_DOUBLE = 7,
	THRIFT_CT_BINARY = 8,
	THRIFT_CT_LIST = 9,
	THRIFT_CT_SET = 10,
	THRIFT_CT_MAP = 11,
	THRIFT_CT_STRUCT = 12,
};

enum { THRIFT_WRITE_MAX_DEPTH = 32 };

struct thrift_writer {
	struct lk_buf *out;
	int16_t last_id[THRIFT_WRITE_MAX_DEPTH]; /* last field id written, per open struct */
	size_t depth;                            /* open structs; last_id[depth - 1] is current */
};

void thrift_writer_init(struct thrift_writer *w, struct lk_buf *out);

/* Opens a struct value (the top-level value or a list element). */
void thrift_write_struct_begin(struct thrift_writer *w);
/* Writes the stop byte and closes the innermost struct. */
void thrift_write_struct_end(struct thrift_writer *w);

void thrift_write_field_bool(struct thrift_writer *w, int16_t id, bool value);
void thrift_write_field_i8(struct thrift_writer *w, int16_t id, int8_t value);
void thrift_write_field_i16(struct thrift_writer *w, int16_t id, int16_t value);
void thrift_write_field_i32(struct thrift_writer *w, int16_t id, int32_t value);
void thrift_write_field_i64(struct thrift_writer *w, int16_t id, int64_t value);
void thrift_write_field_double(struct thrift_writer *w, int16_t id, double value);
void thrift_write_field_binary(struct thrift_writer *w, int16_t id, const void *data, size_t len);
void thrift_write_field_string(struct thrift_writer *w, int16_t id, const char *s);
/* Writes the field header and opens the nested struct; close it with thrift_write_struct_end. */
void thrift_write_field_struct(struct thrift_writer *w, int16_t id);
/* Writes the field header and the list header; then write `count` elements of `elem_type`. */
void thrift_write_field_list(struct thrift_writer *w, int16_t id, enum thrift_ctype elem_type,
			     size_t count);

/* List elements. A struct element is thrift_write_struct_begin() ... thrift_write_struct_end(). */
void thrift_write_elem_i32(struct thrift_writer *w, int32_t value);
void thrift_write_elem_i64(struct thrift_writer *w, int64_t value);
void thrift_write_elem_binary(struct thrift_writer *w, const void *data, size_t len);
void thrift_write_elem_string(struct thrift_writer *w, const char *s);

/* The primitive encodings, shared with the page writer (which writes ULEB128 varints too). */
void thrift_write_varint(struct lk_buf *out, uint64_t value);
static inline uint64_t thrift_zigzag64(int64_t value)
{
	return ((uint64_t)value << 1) ^ (0 - ((uint64_t)value >> 63));
}

#endif
