/* batch/batch.c: batch and vector memory (see batch.h). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "batch/batch.h"
#include "util/xmalloc.h"

struct lk_batch_block {
	struct lk_batch_block *next;
	void *data;
	size_t size;
};

static const char *const type_names[LK_TYPE_COUNT] = {
	[LK_TYPE_NULL] = "null",
	[LK_TYPE_BOOLEAN] = "boolean",
	[LK_TYPE_INT8] = "int8",
	[LK_TYPE_INT16] = "int16",
	[LK_TYPE_INT32] = "int32",
	[LK_TYPE_INT64] = "int64",
	[LK_TYPE_UINT8] = "uint8",
	[LK_TYPE_UINT16] = "uint16",
	[LK_TYPE_UINT32] = "uint32",
	[LK_TYPE_UINT64] = "uint64",
	[LK_TYPE_FLOAT] = "float",
	[LK_TYPE_DOUBLE] = "double",
	[LK_TYPE_DECIMAL] = "decimal",
	[LK_TYPE_STRING] = "string",
	[LK_TYPE_JSON] = "json",
	[LK_TYPE_BINARY] = "binary",
	[LK_TYPE_UUID] = "uuid",
	[LK_TYPE_DATE] = "date",
	[LK_TYPE_TIME] = "time",
	[LK_TYPE_TIMESTAMP] = "timestamp",
	[LK_TYPE_TIMESTAMP_NTZ] = "timestamp_ntz",
	[LK_TYPE_INTERVAL] = "interval",
	[LK_TYPE_VARIANT] = "variant",
	[LK_TYPE_STRUCT] = "struct",
	[LK_TYPE_LIST] = "list",
	[LK_TYPE_MAP] = "map",
};

const char *lk_type_name(enum lk_type_id type)
{
	if ((unsigned)type >= LK_TYPE_COUNT)
		return "unknown";
	return type_names[type];
}

struct lk_batch *lk_batch_new(size_t n_columns)
{
	struct lk_batch *batch = xcalloc(1, sizeof *batch);
	batch->n_columns = n_columns;
	batch->columns = xcalloc(n_columns, sizeof *batch->columns);
	return batch;
}

static void vector_release(struct lk_vector *vec)
{
	for (size_t i = 0; i < vec->n_children; i++)
		vector_release(&vec->children[i]);
	free(vec->children);
	free(vec->name);
}

void lk_batch_free(struct lk_batch *batch)
{
	if (batch == NULL)
		return;
	for (size_t i = 0; i < batch->n_columns; i++)
		vector_release(&batch->columns[i]);
	free(batch->columns);
	struct lk_batch_block *block = batch->blocks;
	while (block) {
		struct lk_batch_block *next = block->next;
		free(block->data);
		free(block);
		block = next;
	}
	free(batch);
}

void lk_batch_keep(struct lk_batch *batch, void *data, size_t size)
{
	struct lk_batch_block *block = xmalloc(sizeof *block);
	block->data = data;
	block->size = size;
	block->next = batch->blocks;
	batch->blocks = block;
	batch->bytes_owned += size;
}

void lk_batch_take_blocks(struct lk_batch *dst, struct lk_batch *src)
{
	struct lk_batch_block **tail = &src->blocks;
	while (*tail)
		tail = &(*tail)->next;
	*tail = dst->blocks;
	dst->blocks = src->blocks;
	dst->bytes_owned += src->bytes_owned;
	src->blocks = NULL;
	src->bytes_owned = 0;
}

void *lk_batch_alloc(struct lk_batch *batch, size_t size)
{
	void *data = xcalloc(1, size ? size : 1);
	lk_batch_keep(batch, data, size);
	return data;
}

const uint8_t *lk_batch_copy_bytes(struct lk_batch *batch, const void *data, size_t len)
{
	uint8_t *copy = lk_batch_alloc(batch, len);
	if (len > 0)
		memcpy(copy, data, len);
	return copy;
}

void lk_vector_init_children(struct lk_vector *vec, size_t n_children)
{
	vec->children = xcalloc(n_children ? n_children : 1, sizeof *vec->children);
	vec->n_children = n_children;
}

struct lk_vector *lk_batch_column(const struct lk_batch *batch, const char *name)
{
	for (size_t i = 0; i < batch->n_columns; i++)
		if (batch->columns[i].name && strcmp(batch->columns[i].name, name) == 0)
			return &batch->columns[i];
	return NULL;
}
