/* parquet/thrift.c: a bounds-checked, depth-limited reader of the Thrift compact protocol,
 * the encoding of Parquet's footer and page headers. Knows wire types, not Parquet. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parquet/internal.h"
#include "util/xmalloc.h"

void pq_thrift_init(struct pq_thrift *t, const void *data, size_t len)
{
	t->pos = data;
	t->end = (const uint8_t *)data + len;
	t->depth = 0;
	t->error = NULL;
}

bool pq_thrift_fail(struct pq_thrift *t, const char *why)
{
	if (t->error == NULL)
		t->error = why;
	t->pos = t->end;
	return false;
}

static bool thrift_varint(struct pq_thrift *t, uint64_t *out)
{
	uint64_t value = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (t->pos >= t->end)
			return pq_thrift_fail(t, "truncated varint");
		uint8_t byte = *t->pos++;
		value |= (uint64_t)(byte & 0x7f) << shift;
		if (!(byte & 0x80)) {
			*out = value;
			return true;
		}
	}
	return pq_thrift_fail(t, "varint longer than 10 bytes");
}

static int64_t zigzag_decode(uint64_t v)
{
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

int pq_thrift_field(struct pq_thrift *t, int16_t *last_id, int16_t *id, uint8_t *type)
{
	if (t->error)
		return -1;
	if (t->pos >= t->end) {
		pq_thrift_fail(t, "truncated struct");
		return -1;
	}
	uint8_t byte = *t->pos++;
	if (byte == PQ_T_STOP)
		return 0;
	uint8_t delta = byte >> 4;
	*type = byte & 0x0f;
	if (*type > PQ_T_STRUCT || *type == PQ_T_STOP) {
		pq_thrift_fail(t, "unknown field type");
		return -1;
	}
	if (delta) {
		*id = (int16_t)(*last_id + delta);
	} else {
		uint64_t raw;
		if (!thrift_varint(t, &raw))
			return -1;
		*id = (int16_t)zigzag_decode(raw);
	}
	*last_id = *id;
	return 1;
}

bool pq_thrift_int(struct pq_thrift *t, uint8_t type, int64_t *out)
{
	if (t->error)
		return false;
	if (type == PQ_T_BYTE) {
		if (t->pos >= t->end)
			return pq_thrift_fail(t, "truncated byte");
		*out = (int8_t)*t->pos++;
		return true;
	}
	if (type != PQ_T_I16 && type != PQ_T_I32 && type != PQ_T_I64)
		return pq_thrift_fail(t, "integer field of another type");
	uint64_t raw;
	if (!thrift_varint(t, &raw))
		return false;
	*out = zigzag_decode(raw);
	return true;
}

bool pq_thrift_i32(struct pq_thrift *t, uint8_t type, int32_t *out)
{
	int64_t v;
	if (!pq_thrift_int(t, type, &v))
		return false;
	if (v < INT32_MIN || v > INT32_MAX)
		return pq_thrift_fail(t, "i32 out of range");
	*out = (int32_t)v;
	return true;
}

bool pq_thrift_bool(struct pq_thrift *t, uint8_t type, bool *out)
{
	if (t->error)
		return false;
	if (type == PQ_T_TRUE || type == PQ_T_FALSE) {
		*out = type == PQ_T_TRUE;
		return true;
	}
	return pq_thrift_fail(t, "bool field of another type");
}

bool pq_thrift_binary(struct pq_thrift *t, uint8_t type, const uint8_t **data, size_t *len)
{
	if (t->error)
		return false;
	if (type != PQ_T_BINARY)
		return pq_thrift_fail(t, "binary field of another type");
	uint64_t n;
	if (!thrift_varint(t, &n))
		return false;
	if (n > (uint64_t)(t->end - t->pos))
		return pq_thrift_fail(t, "binary longer than the data left");
	*data = t->pos;
	*len = (size_t)n;
	t->pos += n;
	return true;
}

bool pq_thrift_string(struct pq_thrift *t, uint8_t type, char **out)
{
	const uint8_t *data;
	size_t len;
	if (!pq_thrift_binary(t, type, &data, &len))
		return false;
	free(*out);
	*out = xstrndup((const char *)data, len);
	return true;
}

bool pq_thrift_list(struct pq_thrift *t, uint8_t type, uint8_t *elem_type, size_t *count)
{
	if (t->error)
		return false;
	if (type != PQ_T_LIST && type != PQ_T_SET)
		return pq_thrift_fail(t, "list field of another type");
	if (t->pos >= t->end)
		return pq_thrift_fail(t, "truncated list header");
	uint8_t byte = *t->pos++;
	uint64_t n = byte >> 4;
	if (n == 15 && !thrift_varint(t, &n))
		return false;
	*elem_type = byte & 0x0f;
	/* Every element takes at least one byte, so a count beyond the bytes left is a lie
	 * (and must not size an allocation). */
	if (n > (uint64_t)(t->end - t->pos))
		return pq_thrift_fail(t, "list longer than the data left");
	*count = (size_t)n;
	return true;
}

bool pq_thrift_struct_begin(struct pq_thrift *t, uint8_t type)
{
	if (t->error)
		return false;
	if (type != PQ_T_STRUCT)
		return pq_thrift_fail(t, "struct field of another type");
	if (++t->depth > PQ_THRIFT_MAX_DEPTH)
		return pq_thrift_fail(t, "structs nested too deeply");
	return true;
}

void pq_thrift_struct_end(struct pq_thrift *t)
{
	t->depth--;
}

static bool thrift_skip_struct(struct pq_thrift *t)
{
	if (!pq_thrift_struct_begin(t, PQ_T_STRUCT))
		return false;
	int16_t last = 0, id;
	uint8_t type;
	int r;
	while ((r = pq_thrift_field(t, &last, &id, &type)) == 1)
		if (!pq_thrift_skip(t, type))
			return false;
	pq_thrift_struct_end(t);
	return r == 0;
}

/* List elements of type BOOL are one byte each (unlike struct fields). */
static bool thrift_skip_element(struct pq_thrift *t, uint8_t type)
{
	if (type == PQ_T_TRUE || type == PQ_T_FALSE) {
		if (t->pos >= t->end)
			return pq_thrift_fail(t, "truncated bool");
		t->pos++;
		return true;
	}
	return pq_thrift_skip(t, type);
}

static bool thrift_skip_container(struct pq_thrift *t, uint8_t type)
{
	if (++t->depth > PQ_THRIFT_MAX_DEPTH)
		return pq_thrift_fail(t, "containers nested too deeply");
	bool ok = true;
	if (type == PQ_T_MAP) {
		uint64_t n;
		if (!thrift_varint(t, &n))
			return false;
		if (n > 0) {
			if (t->pos >= t->end)
				return pq_thrift_fail(t, "truncated map header");
			uint8_t kv = *t->pos++;
			if (n > (uint64_t)(t->end - t->pos))
				return pq_thrift_fail(t, "map longer than the data left");
			for (uint64_t i = 0; ok && i < n; i++)
				ok = thrift_skip_element(t, kv >> 4) &&
				     thrift_skip_element(t, kv & 0x0f);
		}
	} else {
		uint8_t elem;
		size_t n;
		if (!pq_thrift_list(t, type, &elem, &n))
			return false;
		for (size_t i = 0; ok && i < n; i++)
			ok = thrift_skip_element(t, elem);
	}
	t->depth--;
	return ok;
}

bool pq_thrift_skip(struct pq_thrift *t, uint8_t type)
{
	if (t->error)
		return false;
	int64_t ignored_int;
	const uint8_t *ignored_data;
	size_t ignored_len;
	switch (type) {
	case PQ_T_TRUE:
	case PQ_T_FALSE:
		return true;
	case PQ_T_BYTE:
	case PQ_T_I16:
	case PQ_T_I32:
	case PQ_T_I64:
		return pq_thrift_int(t, type, &ignored_int);
	case PQ_T_DOUBLE:
		if (t->end - t->pos < 8)
			return pq_thrift_fail(t, "truncated double");
		t->pos += 8;
		return true;
	case PQ_T_BINARY:
		return pq_thrift_binary(t, type, &ignored_data, &ignored_len);
	case PQ_T_LIST:
	case PQ_T_SET:
	case PQ_T_MAP:
		return thrift_skip_container(t, type);
	case PQ_T_STRUCT:
		return thrift_skip_struct(t);
	default:
		return pq_thrift_fail(t, "unknown field type");
	}
}
