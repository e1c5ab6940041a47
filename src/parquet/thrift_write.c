/* parquet/thrift_write.c: the Thrift compact-protocol encoder (see thrift_write.h).
 * Field headers, zigzag varints, binaries, lists and nested structs; no reading here. */
#include "config.h"

#include <string.h>

#include "parquet/thrift_write.h"

enum {
	THRIFT_SHORT_DELTA_MAX = 15, /* field id deltas 1..15 fit the header byte */
	THRIFT_SHORT_LIST_MAX = 14,  /* list sizes 0..14 fit the header byte */
};

void thrift_writer_init(struct thrift_writer *w, struct lk_buf *out)
{
	w->out = out;
	w->depth = 0;
}

void thrift_write_varint(struct lk_buf *out, uint64_t value)
{
	uint8_t bytes[10];
	size_t n = 0;
	while (value >= 0x80) {
		bytes[n++] = (uint8_t)(value | 0x80);
		value >>= 7;
	}
	bytes[n++] = (uint8_t)value;
	lk_buf_append(out, bytes, n);
}

static void write_field_header(struct thrift_writer *w, int16_t id, enum thrift_ctype type)
{
	/* Past the depth bound (a caller bug) the deepest slot is shared rather than overrun. */
	size_t slot = w->depth < THRIFT_WRITE_MAX_DEPTH ? w->depth : THRIFT_WRITE_MAX_DEPTH;
	int16_t *last = &w->last_id[slot - 1];
	int delta = id - *last;
	if (delta > 0 && delta <= THRIFT_SHORT_DELTA_MAX) {
		lk_buf_append_byte(w->out, (uint8_t)(delta << 4 | type));
	} else {
		lk_buf_append_byte(w->out, (uint8_t)type);
		thrift_write_varint(w->out, thrift_zigzag64(id));
	}
	*last = id;
}

void thrift_write_struct_begin(struct thrift_writer *w)
{
	if (w->depth < THRIFT_WRITE_MAX_DEPTH)
		w->last_id[w->depth] = 0;
	w->depth++;
}

void thrift_write_struct_end(struct thrift_writer *w)
{
	lk_buf_append_byte(w->out, THRIFT_CT_STOP);
	w->depth--;
}

void thrift_write_field_bool(struct thrift_writer *w, int16_t id, bool value)
{
	write_field_header(w, id, value ? THRIFT_CT_BOOL_TRUE : THRIFT_CT_BOOL_FALSE);
}

void thrift_write_field_i8(struct thrift_writer *w, int16_t id, int8_t value)
{
	write_field_header(w, id, THRIFT_CT_I8);
	lk_buf_append_byte(w->out, (uint8_t)value);
}

void thrift_write_field_i16(struct thrift_writer *w, int16_t id, int16_t value)
{
	write_field_header(w, id, THRIFT_CT_I16);
	thrift_write_varint(w->out, thrift_zigzag64(value));
}

void thrift_write_field_i32(struct thrift_writer *w, int16_t id, int32_t value)
{
	write_field_header(w, id, THRIFT_CT_I32);
	thrift_write_varint(w->out, thrift_zigzag64(value));
}

void thrift_write_field_i64(struct thrift_writer *w, int16_t id, int64_t value)
{
	write_field_header(w, id, THRIFT_CT_I64);
	thrift_write_varint(w->out, thrift_zigzag64(value));
}

void thrift_write_field_double(struct thrift_writer *w, int16_t id, double value)
{
	uint64_t bits;
	memcpy(&bits, &value, sizeof bits);
	uint8_t bytes[8]; /* little-endian, as the compact protocol says */
	for (int i = 0; i < 8; i++)
		bytes[i] = (uint8_t)(bits >> (8 * i));
	write_field_header(w, id, THRIFT_CT_DOUBLE);
	lk_buf_append(w->out, bytes, sizeof bytes);
}

void thrift_write_elem_binary(struct thrift_writer *w, const void *data, size_t len)
{
	thrift_write_varint(w->out, len);
	lk_buf_append(w->out, data, len);
}

void thrift_write_elem_string(struct thrift_writer *w, const char *s)
{
	thrift_write_elem_binary(w, s, strlen(s));
}

void thrift_write_elem_i32(struct thrift_writer *w, int32_t value)
{
	thrift_write_varint(w->out, thrift_zigzag64(value));
}

void thrift_write_elem_i64(struct thrift_writer *w, int64_t value)
{
	thrift_write_varint(w->out, thrift_zigzag64(value));
}

void thrift_write_field_binary(struct thrift_writer *w, int16_t id, const void *data, size_t len)
{
	write_field_header(w, id, THRIFT_CT_BINARY);
	thrift_write_elem_binary(w, data, len);
}

void thrift_write_field_string(struct thrift_writer *w, int16_t id, const char *s)
{
	thrift_write_field_binary(w, id, s, strlen(s));
}

void thrift_write_field_struct(struct thrift_writer *w, int16_t id)
{
	write_field_header(w, id, THRIFT_CT_STRUCT);
	thrift_write_struct_begin(w);
}

void thrift_write_field_list(struct thrift_writer *w, int16_t id, enum thrift_ctype elem_type,
			     size_t count)
{
	write_field_header(w, id, THRIFT_CT_LIST);
	if (count <= THRIFT_SHORT_LIST_MAX) {
		lk_buf_append_byte(w->out, (uint8_t)(count << 4 | elem_type));
	} else {
		lk_buf_append_byte(w->out, (uint8_t)(0xF0 | elem_type));
		thrift_write_varint(w->out, count);
	}
}
