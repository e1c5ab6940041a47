/* parquet/schema.c: turns the footer's flattened schema elements into the schema tree:
 * names, dotted paths, field ids, definition and repetition levels, leaf column indexes, and
 * the lakesync type each node becomes (logical types first, converted types for old
 * writers, physical types when neither applies or they contradict the physical type). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parquet/internal.h"
#include "util/xmalloc.h"

enum {
	PQ_SCHEMA_MAX_DEPTH = 64,  /* nesting beyond this is refused */
	PQ_MAX_LEVEL = 250,        /* levels are stored in bytes */
};

struct schema_builder {
	const struct pq_file_meta *meta;
	size_t next;            /* next element to consume */
	size_t n_leaves;
	struct lk_error *err;
};

static void set_time(struct pq_schema_node *n, enum lk_type_id type, enum pq_time_unit unit,
		     bool utc)
{
	n->type = type;
	n->unit = unit;
	n->utc = utc;
}

static void set_decimal(struct pq_schema_node *n, int32_t precision, int32_t scale)
{
	int32_t max_precision = n->physical == PQ_INT32 ? 9 : n->physical == PQ_INT64 ? 18 : 255;
	if (precision <= 0 || precision > max_precision || scale < 0 || scale > precision)
		return; /* parameters the format forbids: keep the physical type */
	n->type = LK_TYPE_DECIMAL;
	n->precision = (uint8_t)precision;
	n->scale = (uint8_t)scale;
}

static enum lk_type_id physical_default(int32_t physical)
{
	switch (physical) {
	case PQ_BOOLEAN: return LK_TYPE_BOOLEAN;
	case PQ_INT32: return LK_TYPE_INT32;
	case PQ_INT64: return LK_TYPE_INT64;
	case PQ_INT96: return LK_TYPE_TIMESTAMP;
	case PQ_FLOAT: return LK_TYPE_FLOAT;
	case PQ_DOUBLE: return LK_TYPE_DOUBLE;
	default: return LK_TYPE_BINARY;
	}
}

static bool is_bytes(int32_t physical)
{
	return physical == PQ_BYTE_ARRAY || physical == PQ_FIXED_LEN_BYTE_ARRAY;
}

static enum lk_type_id integer_type(int bits, bool is_signed)
{
	switch (bits) {
	case 8: return is_signed ? LK_TYPE_INT8 : LK_TYPE_UINT8;
	case 16: return is_signed ? LK_TYPE_INT16 : LK_TYPE_UINT16;
	case 32: return is_signed ? LK_TYPE_INT32 : LK_TYPE_UINT32;
	case 64: return is_signed ? LK_TYPE_INT64 : LK_TYPE_UINT64;
	default: return LK_TYPE_NULL;
	}
}

/* The type from a LogicalType annotation; false when there is none that fits. */
static bool leaf_type_from_logical(struct pq_schema_node *n, const struct pq_schema_element *se)
{
	const struct pq_logical *lt = &se->logical;
	int32_t phys = n->physical;
	switch (lt->id) {
	case PQ_LT_STRING:
	case PQ_LT_ENUM:
		if (!is_bytes(phys))
			return false;
		n->type = LK_TYPE_STRING;
		return true;
	case PQ_LT_JSON:
		if (!is_bytes(phys))
			return false;
		n->type = LK_TYPE_JSON;
		return true;
	case PQ_LT_BSON:
	case PQ_LT_GEOMETRY:
	case PQ_LT_GEOGRAPHY:
	case PQ_LT_VARIANT:
		if (!is_bytes(phys))
			return false;
		n->type = LK_TYPE_BINARY;
		return true;
	case PQ_LT_UUID:
		if (phys != PQ_FIXED_LEN_BYTE_ARRAY || n->type_length != 16)
			return false;
		n->type = LK_TYPE_UUID;
		return true;
	case PQ_LT_FLOAT16:
		if (phys != PQ_FIXED_LEN_BYTE_ARRAY || n->type_length != 2)
			return false;
		n->type = LK_TYPE_FLOAT;
		return true;
	case PQ_LT_DECIMAL:
		if (phys != PQ_INT32 && phys != PQ_INT64 && !is_bytes(phys))
			return false;
		set_decimal(n, lt->precision, lt->scale);
		return n->type == LK_TYPE_DECIMAL;
	case PQ_LT_DATE:
		if (phys != PQ_INT32)
			return false;
		n->type = LK_TYPE_DATE;
		return true;
	case PQ_LT_TIME:
		if (!((lt->unit == PQ_UNIT_MILLIS && phys == PQ_INT32) ||
		      ((lt->unit == PQ_UNIT_MICROS || lt->unit == PQ_UNIT_NANOS) &&
		       phys == PQ_INT64)))
			return false;
		set_time(n, LK_TYPE_TIME, lt->unit, lt->utc);
		return true;
	case PQ_LT_TIMESTAMP:
		if (phys != PQ_INT64 || lt->unit == PQ_UNIT_NONE)
			return false;
		set_time(n, lt->utc ? LK_TYPE_TIMESTAMP : LK_TYPE_TIMESTAMP_NTZ, lt->unit, lt->utc);
		return true;
	case PQ_LT_INTEGER: {
		enum lk_type_id t = integer_type(lt->bit_width, lt->is_signed);
		if (t == LK_TYPE_NULL)
			return false;
		if ((phys == PQ_INT32 && lt->bit_width > 32) ||
		    (phys == PQ_INT64 && lt->bit_width != 64) ||
		    (phys != PQ_INT32 && phys != PQ_INT64))
			return false;
		n->type = t;
		return true;
	}
	case PQ_LT_UNKNOWN:
		n->type = LK_TYPE_NULL;
		return true;
	default:
		return false;
	}
}

static bool leaf_type_from_converted(struct pq_schema_node *n,
				     const struct pq_schema_element *se)
{
	int32_t phys = n->physical;
	switch (se->converted_type) {
	case PQ_CT_UTF8:
	case PQ_CT_ENUM:
		if (!is_bytes(phys))
			return false;
		n->type = LK_TYPE_STRING;
		return true;
	case PQ_CT_JSON:
		if (!is_bytes(phys))
			return false;
		n->type = LK_TYPE_JSON;
		return true;
	case PQ_CT_BSON:
		return false;
	case PQ_CT_DECIMAL:
		if (phys != PQ_INT32 && phys != PQ_INT64 && !is_bytes(phys))
			return false;
		set_decimal(n, se->precision, se->has_scale ? se->scale : 0);
		return n->type == LK_TYPE_DECIMAL;
	case PQ_CT_DATE:
		if (phys != PQ_INT32)
			return false;
		n->type = LK_TYPE_DATE;
		return true;
	case PQ_CT_TIME_MILLIS:
		if (phys != PQ_INT32)
			return false;
		set_time(n, LK_TYPE_TIME, PQ_UNIT_MILLIS, true);
		return true;
	case PQ_CT_TIME_MICROS:
		if (phys != PQ_INT64)
			return false;
		set_time(n, LK_TYPE_TIME, PQ_UNIT_MICROS, true);
		return true;
	case PQ_CT_TIMESTAMP_MILLIS:
	case PQ_CT_TIMESTAMP_MICROS:
		if (phys != PQ_INT64)
			return false;
		set_time(n, LK_TYPE_TIMESTAMP,
			 se->converted_type == PQ_CT_TIMESTAMP_MILLIS ? PQ_UNIT_MILLIS
								      : PQ_UNIT_MICROS,
			 true);
		return true;
	case PQ_CT_UINT_8:
	case PQ_CT_UINT_16:
	case PQ_CT_UINT_32:
	case PQ_CT_INT_8:
	case PQ_CT_INT_16:
	case PQ_CT_INT_32:
		if (phys != PQ_INT32)
			return false;
		{
			static const enum lk_type_id map[] = {
				[PQ_CT_UINT_8 - PQ_CT_UINT_8] = LK_TYPE_UINT8,
				[PQ_CT_UINT_16 - PQ_CT_UINT_8] = LK_TYPE_UINT16,
				[PQ_CT_UINT_32 - PQ_CT_UINT_8] = LK_TYPE_UINT32,
				[PQ_CT_UINT_64 - PQ_CT_UINT_8] = LK_TYPE_UINT64,
				[PQ_CT_INT_8 - PQ_CT_UINT_8] = LK_TYPE_INT8,
				[PQ_CT_INT_16 - PQ_CT_UINT_8] = LK_TYPE_INT16,
				[PQ_CT_INT_32 - PQ_CT_UINT_8] = LK_TYPE_INT32,
			};
			n->type = map[se->converted_type - PQ_CT_UINT_8];
		}
		return true;
	case PQ_CT_UINT_64:
	case PQ_CT_INT_64:
		if (phys != PQ_INT64)
			return false;
		n->type = se->converted_type == PQ_CT_UINT_64 ? LK_TYPE_UINT64 : LK_TYPE_INT64;
		return true;
	case PQ_CT_INTERVAL:
		if (phys != PQ_FIXED_LEN_BYTE_ARRAY || n->type_length != 12)
			return false;
		n->type = LK_TYPE_INTERVAL;
		return true;
	default:
		return false;
	}
}

static void resolve_leaf_type(struct pq_schema_node *n, const struct pq_schema_element *se)
{
	n->type = physical_default(n->physical);
	if (se->logical.id != PQ_LT_NONE && leaf_type_from_logical(n, se))
		return;
	n->type = physical_default(n->physical);
	if (se->has_converted && leaf_type_from_converted(n, se))
		return;
	n->type = physical_default(n->physical);
}

static bool is_list_annotated(const struct pq_schema_element *se)
{
	return se->logical.id == PQ_LT_LIST || (se->has_converted && se->converted_type == PQ_CT_LIST);
}

static bool is_map_annotated(const struct pq_schema_element *se)
{
	return se->logical.id == PQ_LT_MAP ||
	       (se->has_converted && (se->converted_type == PQ_CT_MAP ||
				      se->converted_type == PQ_CT_MAP_KEY_VALUE));
}

static char *join_path(const char *parent, const char *name)
{
	if (parent == NULL || parent[0] == '\0')
		return xstrdup(name);
	return xasprintf("%s.%s", parent, name);
}

static bool build_node(struct schema_builder *b, struct pq_schema_node *n,
		       struct pq_schema_node *parent, int depth);

static bool build_children(struct schema_builder *b, struct pq_schema_node *n, int32_t count,
			   int depth)
{
	size_t left = b->meta->n_schema - b->next;
	if (count < 0 || (size_t)count > left)
		return lk_error_set(b->err, LK_ECORRUPT,
				    "corrupt schema: '%s' claims %d children, %zu elements left",
				    n->name, count, left);
	n->children = xcalloc(count ? (size_t)count : 1, sizeof *n->children);
	n->n_children = (size_t)count;
	for (size_t i = 0; i < n->n_children; i++)
		if (!build_node(b, &n->children[i], n, depth + 1))
			return false;
	return true;
}

/* Shape and type of a group: LIST and MAP when the annotation's structure is sound,
 * otherwise a STRUCT (assemble.c then treats repeated children as lists). */
static void resolve_group_type(struct pq_schema_node *n, const struct pq_schema_element *se)
{
	n->type = LK_TYPE_STRUCT;
	if (n->n_children != 1 || n->children[0].repetition != PQ_REPEATED)
		return;
	const struct pq_schema_node *rep = &n->children[0];
	if (is_list_annotated(se)) {
		n->type = LK_TYPE_LIST;
	} else if (is_map_annotated(se) && rep->physical == PQ_GROUP && rep->n_children == 2) {
		n->type = LK_TYPE_MAP;
	}
}

static bool build_node(struct schema_builder *b, struct pq_schema_node *n,
		       struct pq_schema_node *parent, int depth)
{
	if (depth > PQ_SCHEMA_MAX_DEPTH)
		return lk_error_set(b->err, LK_EUNSUPPORTED,
				    "schema nested deeper than %d levels", PQ_SCHEMA_MAX_DEPTH);
	if (b->next >= b->meta->n_schema)
		return lk_error_set(b->err, LK_ECORRUPT, "corrupt schema: elements run out");
	const struct pq_schema_element *se = &b->meta->schema[b->next++];
	n->parent = parent;
	n->name = xstrdup(se->name);
	n->path = parent ? join_path(parent->path, se->name) : xstrdup("");
	n->has_field_id = se->has_field_id;
	n->field_id = se->field_id;
	n->repetition = parent == NULL ? PQ_REQUIRED
		      : se->has_repetition ? (enum pq_repetition)se->repetition
					   : PQ_OPTIONAL;
	if (n->repetition > PQ_REPEATED)
		return lk_error_set(b->err, LK_ECORRUPT,
				    "corrupt schema: '%s' has repetition %d", n->path,
				    se->repetition);
	n->converted_type = se->has_converted ? se->converted_type : -1;
	n->logical_type = se->logical.id;
	n->leaf_index = -1;
	int base_def = parent ? parent->max_def : 0;
	int base_rep = parent ? parent->max_rep : 0;
	n->max_def = base_def + (n->repetition != PQ_REQUIRED);
	n->max_rep = base_rep + (n->repetition == PQ_REPEATED);
	if (n->max_def > PQ_MAX_LEVEL)
		return lk_error_set(b->err, LK_EUNSUPPORTED, "schema '%s' nests too deeply",
				    n->path);

	bool is_group = parent == NULL || (se->has_num_children && se->num_children > 0) ||
			!se->has_type;
	if (is_group) {
		n->physical = PQ_GROUP;
		if (!build_children(b, n, se->has_num_children ? se->num_children : 0, depth))
			return false;
		resolve_group_type(n, se);
		return true;
	}
	if (se->type < PQ_BOOLEAN || se->type > PQ_FIXED_LEN_BYTE_ARRAY)
		return lk_error_set(b->err, LK_ECORRUPT,
				    "corrupt schema: column '%s' has physical type %d", n->path,
				    se->type);
	n->physical = (enum pq_physical_type)se->type;
	n->type_length = se->type_length;
	if (n->physical == PQ_FIXED_LEN_BYTE_ARRAY && (se->type_length <= 0 ||
						       se->type_length > (1 << 24)))
		return lk_error_set(b->err, LK_ECORRUPT,
				    "corrupt schema: column '%s' has fixed length %d", n->path,
				    se->type_length);
	n->leaf_index = (int)b->n_leaves++;
	resolve_leaf_type(n, se);
	return true;
}

static void collect_leaves(struct pq_schema_node *n, struct pq_schema_node **leaves)
{
	if (n->leaf_index >= 0) {
		leaves[n->leaf_index] = n;
		return;
	}
	for (size_t i = 0; i < n->n_children; i++)
		collect_leaves(&n->children[i], leaves);
}

bool pq_schema_build(const struct pq_file_meta *meta, struct pq_schema_node **root,
		     struct pq_schema_node ***leaves, size_t *n_leaves, struct lk_error *err)
{
	struct schema_builder b = { .meta = meta, .err = err };
	struct pq_schema_node *tree = xcalloc(1, sizeof *tree);
	if (!build_node(&b, tree, NULL, 0)) {
		pq_schema_free(tree);
		return false;
	}
	if (b.next != meta->n_schema) {
		pq_schema_free(tree);
		return lk_error_set(err, LK_ECORRUPT,
				    "corrupt schema: %zu elements after the root's children",
				    meta->n_schema - b.next);
	}
	*leaves = xcalloc(b.n_leaves ? b.n_leaves : 1, sizeof **leaves);
	collect_leaves(tree, *leaves);
	*n_leaves = b.n_leaves;
	*root = tree;
	return true;
}

static void node_release(struct pq_schema_node *n)
{
	for (size_t i = 0; i < n->n_children; i++)
		node_release(&n->children[i]);
	free(n->children);
	free(n->name);
	free(n->path);
}

const struct pq_schema_node *pq_schema_list_element(const struct pq_schema_node *list,
						    bool *two_level)
{
	const struct pq_schema_node *rep = &list->children[0];
	bool legacy = rep->physical != PQ_GROUP || rep->n_children != 1 ||
		      strcmp(rep->name, "array") == 0;
	if (!legacy) {
		size_t n = strlen(list->name);
		legacy = strncmp(rep->name, list->name, n) == 0 &&
			 strcmp(rep->name + n, "_tuple") == 0;
	}
	*two_level = legacy;
	return legacy ? rep : &rep->children[0];
}

void pq_schema_free(struct pq_schema_node *root)
{
	if (root == NULL)
		return;
	node_release(root);
	free(root);
}
