/* parquet/assemble.c: turns decoded leaf columns (levels + dense values) into the lk_vector
 * tree of one projected field: structs, lists (three-level, legacy two-level and bare
 * repeated fields) and maps, with their null flags and offsets.
 *
 * Each leaf is walked from the projection root down to itself. At every node the walk knows
 * where, in that leaf's level stream, each entry of the node's vector starts; a list's
 * elements start at the entry's first position and at each later position (before the next
 * entry) whose repetition level is the list's. Null flags and offsets of a node are written
 * by the first leaf below it; later leaves only check that they agree. */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parquet/internal.h"
#include "util/xmalloc.h"

struct asm_ctx {
	struct pq_column_data *col;
	const struct pq_schema_node *leaf;
	struct lk_batch *batch;
	const char *file_name;
	size_t row_group;
	struct lk_error *err;
};

static bool asm_fail(struct asm_ctx *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool asm_fail(struct asm_ctx *a, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return lk_error_set(a->err, LK_ECORRUPT, "%s: row group %zu, column %s: %s", a->file_name,
			    a->row_group, a->leaf->path, msg);
}

static bool is_bare_repeated(const struct pq_schema_node *n, bool consumed)
{
	return n->repetition == PQ_REPEATED && !consumed;
}

static void init_vector(const struct pq_schema_node *n, bool consumed, struct lk_vector *vec,
			const char *name)
{
	vec->name = xstrdup(name);
	if (is_bare_repeated(n, consumed)) {
		vec->type = LK_TYPE_LIST;
		lk_vector_init_children(vec, 1);
		init_vector(n, true, &vec->children[0], "element");
		return;
	}
	if (n->type == LK_TYPE_LIST) {
		bool elem_consumed;
		const struct pq_schema_node *elem = pq_schema_list_element(n, &elem_consumed);
		vec->type = LK_TYPE_LIST;
		lk_vector_init_children(vec, 1);
		init_vector(elem, elem_consumed, &vec->children[0], "element");
		return;
	}
	if (n->type == LK_TYPE_MAP) {
		const struct pq_schema_node *kv = &n->children[0];
		vec->type = LK_TYPE_MAP;
		lk_vector_init_children(vec, 2);
		init_vector(&kv->children[0], false, &vec->children[0], "key");
		init_vector(&kv->children[1], false, &vec->children[1], "value");
		return;
	}
	if (n->physical == PQ_GROUP) {
		vec->type = LK_TYPE_STRUCT;
		lk_vector_init_children(vec, n->n_children);
		for (size_t i = 0; i < n->n_children; i++)
			init_vector(&n->children[i], false, &vec->children[i], n->children[i].name);
		return;
	}
	vec->type = n->type;
	vec->precision = n->precision;
	vec->scale = n->scale;
}

static const struct pq_schema_node *leftmost_leaf(const struct pq_schema_node *n)
{
	if (n->leaf_index >= 0)
		return n;
	for (size_t i = 0; i < n->n_children; i++) {
		const struct pq_schema_node *leaf = leftmost_leaf(&n->children[i]);
		if (leaf)
			return leaf;
	}
	return NULL;
}

static bool contains(const struct pq_schema_node *n, const struct pq_schema_node *leaf)
{
	for (const struct pq_schema_node *p = leaf; p; p = p->parent)
		if (p == n)
			return true;
	return false;
}

static inline size_t position(const uint32_t *starts, size_t j)
{
	return starts ? starts[j] : j;
}

/* Sets length and null flags (entries whose definition level is below def_valid). */
static bool fill_nulls(struct asm_ctx *a, struct lk_vector *vec, bool first,
		       const uint32_t *starts, size_t count, int def_valid)
{
	if (!first) {
		if (vec->length != count)
			return asm_fail(a, "levels disagree with a sibling column (%zu entries, "
					   "%zu expected)",
					count, vec->length);
		return true;
	}
	vec->length = count;
	const uint8_t *def = a->col->def;
	if (def == NULL || def_valid == 0)
		return true;
	size_t j = 0;
	while (j < count && def[position(starts, j)] >= def_valid)
		j++;
	if (j == count)
		return true;
	vec->nulls = lk_batch_alloc(a->batch, count);
	for (; j < count; j++)
		vec->nulls[j] = def[position(starts, j)] < def_valid;
	return true;
}

static bool walk(struct asm_ctx *a, const struct pq_schema_node *n, bool consumed,
		 const uint32_t *starts, size_t count, struct lk_vector *vec);

/* A list entry j spans its start and the following positions with a repetition level above
 * `context`; elements start at the entry's start (when def reaches elem_def) and at every
 * position of the span whose repetition level is elem_rep. */
static bool walk_list(struct asm_ctx *a, bool first,
		      const uint32_t *starts, size_t count, struct lk_vector *vec, int elem_def,
		      int elem_rep, const struct pq_schema_node *const *elems,
		      const bool *elems_consumed, size_t n_elems)
{
	const uint8_t *def = a->col->def, *rep = a->col->rep;
	size_t n_levels = a->col->n_levels;
	int context = elem_rep - 1;
	if (rep == NULL)
		return asm_fail(a, "repeated field without repetition levels");
	uint32_t *elem_starts = xmalloc((n_levels ? n_levels : 1) * sizeof *elem_starts);
	uint32_t *offsets = NULL;
	if (first) {
		offsets = lk_batch_alloc(a->batch, (count + 1) * sizeof *offsets);
		vec->offsets = offsets;
	}
	size_t n_elem = 0;
	for (size_t j = 0; j < count; j++) {
		size_t p = position(starts, j);
		if (def[p] >= elem_def) {
			elem_starts[n_elem++] = (uint32_t)p;
			for (size_t q = p + 1; q < n_levels && rep[q] > context; q++)
				if (rep[q] == elem_rep)
					elem_starts[n_elem++] = (uint32_t)q;
		}
		if (first) {
			offsets[j + 1] = (uint32_t)n_elem;
		} else if (vec->offsets[j + 1] != n_elem) {
			free(elem_starts);
			return asm_fail(a, "list lengths disagree with a sibling column");
		}
	}
	bool ok = true;
	for (size_t i = 0; ok && i < n_elems; i++)
		if (contains(elems[i], a->leaf))
			ok = walk(a, elems[i], elems_consumed[i], elem_starts, n_elem,
				  &vec->children[i]);
	free(elem_starts);
	return ok;
}

/* Copies value src[vi] to dst[j]; the size is one of the storage sizes, so each case is
 * one move and the switch is hoisted out of the callers' loops. */
static inline void copy_value(uint8_t *dst, size_t j, const uint8_t *src, size_t vi, size_t vsize)
{
	switch (vsize) {
	case 1: dst[j] = src[vi]; break;
	case 4: memcpy(dst + j * 4, src + vi * 4, 4); break;
	case 8: memcpy(dst + j * 8, src + vi * 8, 8); break;
	default: memcpy(dst + j * 16, src + vi * 16, 16); break;
	}
}

/* The common flat optional column: dense values spread over the non-null rows. */
static bool scatter_flat(struct asm_ctx *a, uint8_t max_def, size_t count, size_t vsize,
			 uint8_t *dst)
{
	const uint8_t *def = a->col->def, *src = a->col->values;
	size_t vi = 0;
	for (size_t j = 0; j < count; j++) {
		if (def[j] == max_def) {
			if (vi >= a->col->n_values)
				return asm_fail(a, "levels announce more values than the pages "
						   "hold (%zu)",
						a->col->n_values);
			copy_value(dst, j, src, vi++, vsize);
		} else {
			memset(dst + j * vsize, 0, vsize);
		}
	}
	return true;
}

static bool fill_leaf_values(struct asm_ctx *a, const struct pq_schema_node *n,
			     const uint32_t *starts, size_t count, struct lk_vector *vec)
{
	struct pq_column_data *col = a->col;
	enum pq_storage st = pq_storage_of(vec->type);
	if (vec->type == LK_TYPE_DECIMAL)
		st = vec->precision <= 18 ? PQ_ST_I64 : PQ_ST_BYTES;
	size_t vsize = pq_storage_size(st);
	uint8_t max_def = (uint8_t)n->max_def;
	const uint8_t *def = col->def;
	if (vsize == 0)
		return true;
	if (starts == NULL && def == NULL) {
		/* a required flat column: the dense values are the vector */
		if (col->n_values != count)
			return asm_fail(a, "%zu values for %zu rows", col->n_values, count);
		if (!col->values_in_batch) /* a second projection of the leaf shares it */
			lk_batch_keep(a->batch, col->values, count ? count * vsize : 1);
		col->values_in_batch = true;
		vec->v.u8 = col->values;
		return true;
	}
	/* not zeroed by the allocator: every slot is written below (nulls with zeros) */
	uint8_t *dst = xmalloc(count ? count * vsize : 1);
	lk_batch_keep(a->batch, dst, count * vsize);
	vec->v.u8 = dst;
	if (starts == NULL)
		return scatter_flat(a, max_def, count, vsize, dst);
	if (def == NULL)
		return asm_fail(a, "repeated column without definition levels");
	const uint8_t *src = col->values;
	size_t vi = 0, cursor = 0;
	for (size_t j = 0; j < count; j++) {
		size_t p = starts[j];
		for (; cursor < p; cursor++)
			vi += def[cursor] == max_def;
		if (def[p] != max_def) {
			memset(dst + j * vsize, 0, vsize);
			continue;
		}
		if (vi >= col->n_values)
			return asm_fail(a, "levels announce more values than the pages hold (%zu)",
					col->n_values);
		copy_value(dst, j, src, vi, vsize);
	}
	return true;
}

static bool walk(struct asm_ctx *a, const struct pq_schema_node *n, bool consumed,
		 const uint32_t *starts, size_t count, struct lk_vector *vec)
{
	bool first = leftmost_leaf(n) == a->leaf;
	if (is_bare_repeated(n, consumed)) {
		if (!fill_nulls(a, vec, first, starts, count, n->max_def - 1))
			return false;
		const struct pq_schema_node *elems[1] = { n };
		const bool cons[1] = { true };
		return walk_list(a, first, starts, count, vec, n->max_def, n->max_rep, elems,
				 cons, 1);
	}
	if (!fill_nulls(a, vec, first, starts, count, n->max_def))
		return false;
	if (n->type == LK_TYPE_LIST) {
		bool elem_consumed;
		const struct pq_schema_node *elem = pq_schema_list_element(n, &elem_consumed);
		const struct pq_schema_node *rep = &n->children[0];
		const struct pq_schema_node *elems[1] = { elem };
		const bool cons[1] = { elem_consumed };
		return walk_list(a, first, starts, count, vec, rep->max_def, rep->max_rep,
				 elems, cons, 1);
	}
	if (n->type == LK_TYPE_MAP) {
		const struct pq_schema_node *kv = &n->children[0];
		const struct pq_schema_node *elems[2] = { &kv->children[0], &kv->children[1] };
		const bool cons[2] = { false, false };
		return walk_list(a, first, starts, count, vec, kv->max_def, kv->max_rep, elems,
				 cons, 2);
	}
	if (n->physical == PQ_GROUP) {
		for (size_t i = 0; first && i < n->n_children; i++)
			if (leftmost_leaf(&n->children[i]) == NULL)
				vec->children[i].length = count; /* a field without columns */
		for (size_t i = 0; i < n->n_children; i++)
			if (contains(&n->children[i], a->leaf))
				return walk(a, &n->children[i], false, starts, count,
					    &vec->children[i]);
		return true;
	}
	return fill_leaf_values(a, n, starts, count, vec);
}

/* Entries of the projection root: every position whose repetition level is 0. */
static bool root_starts(struct asm_ctx *a, size_t n_rows, uint32_t **starts)
{
	struct pq_column_data *col = a->col;
	*starts = NULL;
	if (col->rep == NULL) {
		if (col->n_levels != n_rows)
			return asm_fail(a, "%zu values, the row group has %zu rows", col->n_levels,
					n_rows);
		return true;
	}
	if (col->n_levels > UINT32_MAX)
		return asm_fail(a, "too many values in one row group");
	if (col->n_levels > 0 && col->rep[0] != 0)
		return asm_fail(a, "first repetition level is %u, not 0", col->rep[0]);
	if (n_rows > col->n_levels) /* every row has a level: check before allocating */
		return asm_fail(a, "%zu values for %zu rows", col->n_levels, n_rows);
	uint32_t *s = xmalloc((n_rows ? n_rows : 1) * sizeof *s);
	size_t count = 0;
	for (size_t p = 0; p < col->n_levels; p++) {
		if (col->rep[p] != 0)
			continue;
		if (count == n_rows) {
			free(s);
			return asm_fail(a, "more rows than the row group's %zu", n_rows);
		}
		s[count++] = (uint32_t)p;
	}
	if (count != n_rows) {
		free(s);
		return asm_fail(a, "%zu rows, the row group has %zu", count, n_rows);
	}
	*starts = s;
	return true;
}

static size_t count_present(const struct pq_column_data *col)
{
	if (col->def == NULL)
		return col->n_levels;
	uint8_t max = (uint8_t)col->leaf->max_def;
	size_t present = 0;
	for (size_t i = 0; i < col->n_levels; i++)
		present += col->def[i] == max;
	return present;
}

static bool assemble_leaf(struct asm_ctx *a, const struct pq_schema_node *root, size_t n_rows,
			  struct lk_vector *out)
{
	if (a->col->leaf != a->leaf)
		return asm_fail(a, "column was not read");
	if (a->col->n_levels > UINT32_MAX)
		return asm_fail(a, "too many values in one row group");
	if (pq_storage_size(pq_storage_of(a->leaf->type)) != 0 ||
	    a->leaf->type == LK_TYPE_DECIMAL) {
		size_t present = count_present(a->col);
		if (present != a->col->n_values)
			return asm_fail(a, "levels announce %zu values, the pages hold %zu",
					present, a->col->n_values);
	}
	uint32_t *starts;
	if (!root_starts(a, n_rows, &starts))
		return false;
	bool ok = walk(a, root, false, starts, n_rows, out);
	free(starts);
	return ok;
}

static bool assemble_leaves(struct asm_ctx *a, const struct pq_schema_node *n,
			    const struct pq_schema_node *root, struct pq_column_data *cols,
			    size_t n_rows, struct lk_vector *out)
{
	if (n->leaf_index >= 0) {
		a->leaf = n;
		a->col = &cols[n->leaf_index];
		return assemble_leaf(a, root, n_rows, out);
	}
	for (size_t i = 0; i < n->n_children; i++)
		if (!assemble_leaves(a, &n->children[i], root, cols, n_rows, out))
			return false;
	return true;
}

bool pq_assemble(const struct pq_schema_node *node, struct pq_column_data *cols, size_t n_rows,
		 struct lk_batch *batch, struct lk_vector *out, const char *file_name,
		 size_t row_group, struct lk_error *err)
{
	struct asm_ctx a = {
		.batch = batch,
		.file_name = file_name,
		.row_group = row_group,
		.err = err,
	};
	char *name = out->name;
	out->name = NULL;
	init_vector(node, false, out, name ? name : node->name);
	free(name);
	if (leftmost_leaf(node) == NULL) {
		/* a group without leaves: non-null empty structs */
		out->length = n_rows;
		return true;
	}
	return assemble_leaves(&a, node, node, cols, n_rows, out);
}
