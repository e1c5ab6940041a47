/* delta/scan_conform.c: turns the vectors the Parquet reader produced from one data file
 * into vectors of the table schema: struct fields matched by physical name or field id
 * (column mapping) and put in schema order under their logical names, fields the file lacks
 * as typed nulls, and values of files written before a type widening upcast in place of the
 * old ones (int8->16->32->64, float->double, integers->double or decimal, decimal rescale,
 * date->timestamp_ntz). Works a whole vector at a time; allocates per vector, never per
 * value. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "delta/scan_internal.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum {
	DECIMAL_INT64_DIGITS = 18, /* precision stored as an unscaled int64 (batch.h) */
	DECIMAL_WIDE_BYTES = 16,   /* wider decimals are written as 16 big-endian bytes */
};

__extension__ typedef __int128 scan_i128;
__extension__ typedef unsigned __int128 scan_u128;

void scan_lk_type(const struct delta_type *type, enum lk_type_id *id, uint8_t *precision,
		  uint8_t *scale)
{
	*id = delta_type_lk_id(type);
	*precision = type->kind == DELTA_TYPE_DECIMAL ? type->precision : 0;
	*scale = type->kind == DELTA_TYPE_DECIMAL ? type->scale : 0;
}

void scan_vector_release(struct lk_vector *vec)
{
	for (size_t i = 0; i < vec->n_children; i++)
		scan_vector_release(&vec->children[i]);
	free(vec->children);
	free(vec->name);
	vec->children = NULL;
	vec->n_children = 0;
	vec->name = NULL;
}

/* Bytes per value of a fixed-width storage, or 0 for (pointer, length) storage. */
static size_t value_width(enum lk_type_id type, uint8_t precision)
{
	switch (type) {
	case LK_TYPE_BOOLEAN:
		return 1;
	case LK_TYPE_INT8: case LK_TYPE_INT16: case LK_TYPE_INT32:
	case LK_TYPE_UINT8: case LK_TYPE_UINT16: case LK_TYPE_DATE: case LK_TYPE_FLOAT:
		return 4;
	case LK_TYPE_INT64: case LK_TYPE_UINT32: case LK_TYPE_UINT64: case LK_TYPE_TIME:
	case LK_TYPE_TIMESTAMP: case LK_TYPE_TIMESTAMP_NTZ: case LK_TYPE_DOUBLE:
		return 8;
	case LK_TYPE_DECIMAL:
		return precision <= DECIMAL_INT64_DIGITS ? 8 : 0;
	default:
		return 0;
	}
}

static void null_children(struct lk_batch *batch, struct lk_vector *vec,
			  const struct delta_type *type, size_t n)
{
	if (type->kind == DELTA_TYPE_STRUCT) {
		lk_vector_init_children(vec, type->n_fields);
		for (size_t i = 0; i < type->n_fields; i++) {
			vec->children[i].name = xstrdup(type->fields[i].name);
			scan_null_vector(batch, &vec->children[i], type->fields[i].type, n);
		}
	} else if (type->kind == DELTA_TYPE_ARRAY) {
		vec->offsets = lk_batch_alloc(batch, (n + 1) * sizeof *vec->offsets);
		lk_vector_init_children(vec, 1);
		vec->children[0].name = xstrdup("element");
		scan_null_vector(batch, &vec->children[0], type->element, 0);
	} else if (type->kind == DELTA_TYPE_MAP) {
		vec->offsets = lk_batch_alloc(batch, (n + 1) * sizeof *vec->offsets);
		lk_vector_init_children(vec, 2);
		vec->children[0].name = xstrdup("key");
		vec->children[1].name = xstrdup("value");
		scan_null_vector(batch, &vec->children[0], type->key, 0);
		scan_null_vector(batch, &vec->children[1], type->value, 0);
	}
}

void scan_null_vector(struct lk_batch *batch, struct lk_vector *vec, const struct delta_type *type,
		      size_t n)
{
	scan_lk_type(type, &vec->type, &vec->precision, &vec->scale);
	vec->length = n;
	vec->nulls = lk_batch_alloc(batch, n);
	memset(vec->nulls, 1, n);
	size_t width = value_width(vec->type, vec->precision);
	if (width > 0)
		vec->v.u8 = lk_batch_alloc(batch, n * width);
	else if (vec->type != LK_TYPE_STRUCT && vec->type != LK_TYPE_LIST &&
		 vec->type != LK_TYPE_MAP && vec->type != LK_TYPE_NULL)
		vec->v.bytes = lk_batch_alloc(batch, n * sizeof *vec->v.bytes);
	null_children(batch, vec, type, n);
}

/* ---- matching nested fields ----------------------------------------------------------- */

static bool children_have_ids(const struct pq_schema_node *node)
{
	for (size_t i = 0; i < node->n_children; i++)
		if (node->children[i].has_field_id)
			return true;
	return false;
}

static long find_by_name(const struct pq_schema_node *node, const char *name, bool fold_case)
{
	for (size_t i = 0; i < node->n_children; i++)
		if (strcmp(node->children[i].name, name) == 0)
			return (long)i;
	for (size_t i = 0; fold_case && i < node->n_children; i++)
		if (strcasecmp(node->children[i].name, name) == 0)
			return (long)i;
	return -1;
}

long scan_find_field(const struct pq_schema_node *node, const struct delta_field *field,
		     enum delta_column_mapping_mode mode)
{
	int32_t id;
	if (mode == DELTA_COLUMN_MAPPING_ID && children_have_ids(node)) {
		if (!delta_field_id(field, &id))
			return -1;
		for (size_t i = 0; i < node->n_children; i++)
			if (node->children[i].has_field_id && node->children[i].field_id == id)
				return (long)i;
		return -1;
	}
	const char *name = delta_field_physical_name(field, mode);
	return find_by_name(node, name, mode == DELTA_COLUMN_MAPPING_NONE);
}

/* The node of a LIST's element (three-level lists, legacy two-level lists and bare repeated
 * fields), mirroring how the Parquet reader shapes the vector. */
static const struct pq_schema_node *list_element(const struct pq_schema_node *list, bool consumed,
						 bool *elem_consumed)
{
	if (list->repetition == PQ_REPEATED && !consumed) {
		*elem_consumed = true;
		return list;
	}
	return pq_schema_list_element(list, elem_consumed);
}

static bool shape_error(const struct scan_conform_ctx *ctx, const struct lk_vector *vec,
			const struct delta_type *type, const char *column, struct lk_error *err)
{
	struct lk_buf want = LK_BUF_INIT;
	delta_type_format(type, &want);
	lk_error_set(err, LK_EUNSUPPORTED, "%s, column %s: the file stores %s, the schema says %s",
		     ctx->where, column, lk_type_name(vec->type), lk_buf_cstr(&want));
	lk_buf_free(&want);
	return false;
}

static bool conform_struct(const struct scan_conform_ctx *ctx, struct lk_vector *vec,
			   const struct pq_schema_node *node, const struct delta_type *type,
			   const char *column, struct lk_error *err)
{
	struct lk_vector *old = vec->children;
	size_t n_old = vec->n_children;
	struct lk_vector *fresh = xcalloc(type->n_fields ? type->n_fields : 1, sizeof *fresh);
	bool ok = true;
	for (size_t i = 0; i < type->n_fields; i++) {
		const struct delta_field *f = &type->fields[i];
		long at = node->n_children == n_old ? scan_find_field(node, f, ctx->mode) : -1;
		if (at < 0 || old[at].name == NULL) {
			fresh[i].name = xstrdup(f->name);
			scan_null_vector(ctx->batch, &fresh[i], f->type, vec->length);
			continue;
		}
		fresh[i] = old[at];
		memset(&old[at], 0, sizeof old[at]);
		free(fresh[i].name);
		fresh[i].name = xstrdup(f->name);
		if (ok) {
			char *path = xasprintf("%s.%s", column, f->name);
			ok = scan_conform(ctx, &fresh[i], &node->children[at], false, f->type, path,
					  err);
			free(path);
		}
	}
	for (size_t i = 0; i < n_old; i++)
		scan_vector_release(&old[i]);
	free(old);
	vec->children = fresh;
	vec->n_children = type->n_fields;
	return ok;
}

static bool conform_nested(const struct scan_conform_ctx *ctx, struct lk_vector *vec,
			   const struct pq_schema_node *node, bool consumed,
			   const struct delta_type *type, const char *column, struct lk_error *err)
{
	if (type->kind == DELTA_TYPE_STRUCT) {
		if (vec->type != LK_TYPE_STRUCT)
			return shape_error(ctx, vec, type, column, err);
		return conform_struct(ctx, vec, node, type, column, err);
	}
	if (type->kind == DELTA_TYPE_ARRAY) {
		if (vec->type != LK_TYPE_LIST || vec->n_children != 1)
			return shape_error(ctx, vec, type, column, err);
		bool elem_consumed;
		const struct pq_schema_node *elem = list_element(node, consumed, &elem_consumed);
		char *path = xasprintf("%s.element", column);
		bool ok = scan_conform(ctx, &vec->children[0], elem, elem_consumed, type->element,
				       path, err);
		free(path);
		return ok;
	}
	if (vec->type != LK_TYPE_MAP || vec->n_children != 2 || node->n_children != 1 ||
	    node->children[0].n_children != 2)
		return shape_error(ctx, vec, type, column, err);
	const struct pq_schema_node *kv = &node->children[0];
	char *key_path = xasprintf("%s.key", column);
	char *value_path = xasprintf("%s.value", column);
	bool ok = scan_conform(ctx, &vec->children[0], &kv->children[0], false, type->key,
			       key_path, err) &&
		  scan_conform(ctx, &vec->children[1], &kv->children[1], false, type->value,
			       value_path, err);
	free(key_path);
	free(value_path);
	return ok;
}

/* ---- widening primitive values -------------------------------------------------------- */

static bool is_int32_storage(enum lk_type_id t)
{
	return t == LK_TYPE_INT8 || t == LK_TYPE_INT16 || t == LK_TYPE_INT32 ||
	       t == LK_TYPE_UINT8 || t == LK_TYPE_UINT16;
}

static bool is_text(enum lk_type_id t)
{
	return t == LK_TYPE_STRING || t == LK_TYPE_BINARY || t == LK_TYPE_JSON;
}

static bool is_timestamp(enum lk_type_id t)
{
	return t == LK_TYPE_TIMESTAMP || t == LK_TYPE_TIMESTAMP_NTZ;
}

/* Types whose values are stored the same way: only the label changes. */
static bool relabels(enum lk_type_id from, enum lk_type_id to)
{
	return (is_int32_storage(from) && is_int32_storage(to)) || (is_text(from) && is_text(to)) ||
	       (is_timestamp(from) && is_timestamp(to)) ||
	       (from == LK_TYPE_UINT32 && to == LK_TYPE_INT64);
}

static bool is_present(const struct lk_vector *vec, size_t i)
{
	return vec->nulls == NULL || !vec->nulls[i];
}

static int64_t integer_at(const struct lk_vector *vec, size_t i)
{
	return is_int32_storage(vec->type) ? vec->v.i32[i] : vec->v.i64[i];
}

static bool widen_to_int64(struct lk_batch *batch, struct lk_vector *vec)
{
	int64_t *values = lk_batch_alloc(batch, vec->length * sizeof *values);
	for (size_t i = 0; i < vec->length; i++)
		values[i] = integer_at(vec, i);
	vec->v.i64 = values;
	vec->type = LK_TYPE_INT64;
	return true;
}

static bool widen_to_double(struct lk_batch *batch, struct lk_vector *vec)
{
	double *values = lk_batch_alloc(batch, vec->length * sizeof *values);
	for (size_t i = 0; i < vec->length; i++)
		values[i] = vec->type == LK_TYPE_FLOAT ? (double)vec->v.f32[i]
						       : (double)integer_at(vec, i);
	vec->v.f64 = values;
	vec->type = LK_TYPE_DOUBLE;
	return true;
}

static bool widen_date_to_timestamp(struct lk_batch *batch, struct lk_vector *vec,
				    enum lk_type_id to)
{
	int64_t *values = lk_batch_alloc(batch, vec->length * sizeof *values);
	for (size_t i = 0; i < vec->length; i++)
		values[i] = (int64_t)vec->v.i32[i] * LK_USEC_PER_DAY;
	vec->v.i64 = values;
	vec->type = to;
	return true;
}

static scan_i128 decimal_at(const struct lk_vector *vec, size_t i)
{
	if (vec->type != LK_TYPE_DECIMAL)
		return integer_at(vec, i);
	if (vec->precision <= DECIMAL_INT64_DIGITS)
		return vec->v.i64[i];
	const struct lk_bytes *b = &vec->v.bytes[i];
	scan_u128 bits = b->len > 0 && (b->ptr[0] & 0x80) ? ~(scan_u128)0 : 0;
	for (uint32_t k = 0; k < b->len; k++)
		bits = (bits << 8) | b->ptr[k];
	return (scan_i128)bits;
}

static scan_u128 power_of_ten(unsigned exponent)
{
	scan_u128 p = 1;
	while (exponent-- > 0)
		p *= 10;
	return p;
}

/* Integers and decimals to decimal(precision, scale): unscaled values times 10^(scale
 * difference), in int64 or 16 big-endian bytes. */
static bool widen_to_decimal(const struct scan_conform_ctx *ctx, struct lk_vector *vec,
			     uint8_t precision, uint8_t scale, const char *column,
			     struct lk_error *err)
{
	uint8_t from_scale = vec->type == LK_TYPE_DECIMAL ? vec->scale : 0;
	if (scale < from_scale)
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "%s, column %s: decimal scale %u cannot be read as scale %u",
				    ctx->where, column, from_scale, scale);
	scan_u128 factor = power_of_ten((unsigned)(scale - from_scale));
	bool wide = precision > DECIMAL_INT64_DIGITS;
	int64_t *narrow_values = wide ? NULL : lk_batch_alloc(ctx->batch, vec->length * 8);
	struct lk_bytes *wide_values =
		wide ? lk_batch_alloc(ctx->batch, vec->length * sizeof *wide_values) : NULL;
	uint8_t *wide_bytes = wide ? lk_batch_alloc(ctx->batch, vec->length * DECIMAL_WIDE_BYTES)
				   : NULL;
	for (size_t i = 0; i < vec->length; i++) {
		scan_u128 v = is_present(vec, i) ? (scan_u128)decimal_at(vec, i) * factor : 0;
		if (!wide) {
			narrow_values[i] = (int64_t)(scan_i128)v;
			continue;
		}
		uint8_t *out = wide_bytes + i * DECIMAL_WIDE_BYTES;
		for (int k = DECIMAL_WIDE_BYTES - 1; k >= 0; k--, v >>= 8)
			out[k] = (uint8_t)v;
		wide_values[i] = (struct lk_bytes){ .ptr = out, .len = DECIMAL_WIDE_BYTES };
	}
	if (wide)
		vec->v.bytes = wide_values;
	else
		vec->v.i64 = narrow_values;
	vec->type = LK_TYPE_DECIMAL;
	vec->precision = precision;
	vec->scale = scale;
	return true;
}

static bool conform_primitive(const struct scan_conform_ctx *ctx, struct lk_vector *vec,
			      const struct delta_type *type, const char *column,
			      struct lk_error *err)
{
	enum lk_type_id to;
	uint8_t precision, scale;
	scan_lk_type(type, &to, &precision, &scale);
	enum lk_type_id from = vec->type;
	if (from == to && (to != LK_TYPE_DECIMAL ||
			   (vec->precision == precision && vec->scale == scale)))
		return true;
	if (relabels(from, to)) {
		vec->type = to;
		return true;
	}
	bool integer = is_int32_storage(from) || from == LK_TYPE_INT64;
	if (to == LK_TYPE_INT64 && is_int32_storage(from))
		return widen_to_int64(ctx->batch, vec);
	if (to == LK_TYPE_DOUBLE && (integer || from == LK_TYPE_FLOAT))
		return widen_to_double(ctx->batch, vec);
	if (to == LK_TYPE_DECIMAL && (integer || from == LK_TYPE_DECIMAL))
		return widen_to_decimal(ctx, vec, precision, scale, column, err);
	if (is_timestamp(to) && from == LK_TYPE_DATE)
		return widen_date_to_timestamp(ctx->batch, vec, to);
	return shape_error(ctx, vec, type, column, err);
}

bool scan_conform(const struct scan_conform_ctx *ctx, struct lk_vector *vec,
		  const struct pq_schema_node *node, bool node_consumed,
		  const struct delta_type *type, const char *column, struct lk_error *err)
{
	if (vec->type == LK_TYPE_NULL || type->kind == DELTA_TYPE_VOID) {
		char *name = vec->name;
		size_t length = vec->length;
		vec->name = NULL;
		scan_vector_release(vec);
		memset(vec, 0, sizeof *vec);
		vec->name = name;
		scan_null_vector(ctx->batch, vec, type, length);
		return true;
	}
	switch (type->kind) {
	case DELTA_TYPE_STRUCT:
	case DELTA_TYPE_ARRAY:
	case DELTA_TYPE_MAP:
		return conform_nested(ctx, vec, node, node_consumed, type, column, err);
	case DELTA_TYPE_VARIANT:
	case DELTA_TYPE_INTERVAL:
		return lk_error_set(err, LK_EUNSUPPORTED, "%s, column %s: type %s cannot be read yet",
				    ctx->where, column,
				    type->kind == DELTA_TYPE_VARIANT ? "variant" : "interval");
	default:
		return conform_primitive(ctx, vec, type, column, err);
	}
}
