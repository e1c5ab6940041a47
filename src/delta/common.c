/* delta/common.c: small pieces the Delta files share: string maps from the log, copying and
 * freeing action structs, and the string-keyed hash map that log replay keys files by. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

/* ---- delta_map ---------------------------------------------------------------------- */

static const struct delta_kv *map_find(const struct delta_map *map, const char *key)
{
	for (size_t i = 0; i < map->n; i++)
		if (strcmp(map->items[i].key, key) == 0)
			return &map->items[i];
	return NULL;
}

const char *delta_map_get(const struct delta_map *map, const char *key)
{
	const struct delta_kv *kv = map_find(map, key);
	return kv ? kv->value : NULL;
}

bool delta_map_has(const struct delta_map *map, const char *key)
{
	return map_find(map, key) != NULL;
}

void delta_map_clear(struct delta_map *map)
{
	for (size_t i = 0; i < map->n; i++) {
		free(map->items[i].key);
		free(map->items[i].value);
	}
	free(map->items);
	map->items = NULL;
	map->n = 0;
}

void delta_map_copy(struct delta_map *dst, const struct delta_map *src)
{
	dst->n = src->n;
	dst->items = src->n ? xcalloc(src->n, sizeof *dst->items) : NULL;
	for (size_t i = 0; i < src->n; i++) {
		dst->items[i].key = xstrdup(src->items[i].key);
		dst->items[i].value = src->items[i].value ? xstrdup(src->items[i].value) : NULL;
	}
}

/* ---- strings ------------------------------------------------------------------------ */

static char *strdup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

char **delta_strv_copy(char *const *strv, size_t n)
{
	if (strv == NULL)
		return NULL;
	char **copy = xcalloc(n ? n : 1, sizeof *copy);
	for (size_t i = 0; i < n; i++)
		copy[i] = xstrdup(strv[i]);
	return copy;
}

void delta_strv_free(char **strv, size_t n)
{
	if (strv == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		free(strv[i]);
	free(strv);
}

char *delta_log_path(const struct delta_table *table, const char *name)
{
	return xasprintf("%s/%s", table->log_dir, name);
}

/* ---- actions ------------------------------------------------------------------------ */

void delta_protocol_clear(struct delta_protocol *protocol)
{
	delta_strv_free(protocol->reader_features, protocol->n_reader_features);
	delta_strv_free(protocol->writer_features, protocol->n_writer_features);
	memset(protocol, 0, sizeof *protocol);
}

void delta_protocol_copy(struct delta_protocol *dst, const struct delta_protocol *src)
{
	*dst = *src;
	dst->reader_features = delta_strv_copy(src->reader_features, src->n_reader_features);
	dst->writer_features = delta_strv_copy(src->writer_features, src->n_writer_features);
}

void delta_metadata_clear(struct delta_metadata *metadata)
{
	free(metadata->id);
	free(metadata->name);
	free(metadata->description);
	free(metadata->format_provider);
	free(metadata->schema_string);
	delta_strv_free(metadata->partition_columns, metadata->n_partition_columns);
	delta_map_clear(&metadata->configuration);
	memset(metadata, 0, sizeof *metadata);
}

void delta_metadata_copy(struct delta_metadata *dst, const struct delta_metadata *src)
{
	*dst = *src;
	dst->id = strdup_or_null(src->id);
	dst->name = strdup_or_null(src->name);
	dst->description = strdup_or_null(src->description);
	dst->format_provider = strdup_or_null(src->format_provider);
	dst->schema_string = strdup_or_null(src->schema_string);
	dst->partition_columns = delta_strv_copy(src->partition_columns, src->n_partition_columns);
	delta_map_copy(&dst->configuration, &src->configuration);
}

void delta_dv_descriptor_copy(struct delta_dv_descriptor *dst,
			      const struct delta_dv_descriptor *src)
{
	*dst = *src;
	dst->path_or_inline = strdup_or_null(src->path_or_inline);
}

void delta_file_action_clear(struct delta_file_action *file)
{
	free(file->path);
	delta_map_clear(&file->partition_values);
	free(file->stats);
	delta_map_clear(&file->tags);
	free(file->dv.path_or_inline);
	memset(file, 0, sizeof *file);
}

void delta_commit_info_clear(struct delta_commit_info *info)
{
	free(info->operation);
	memset(info, 0, sizeof *info);
}

void delta_action_clear(struct delta_action *action)
{
	switch (action->type) {
	case DELTA_ACTION_PROTOCOL:
		delta_protocol_clear(&action->u.protocol);
		break;
	case DELTA_ACTION_METADATA:
		delta_metadata_clear(&action->u.metadata);
		break;
	case DELTA_ACTION_ADD:
	case DELTA_ACTION_REMOVE:
	case DELTA_ACTION_CDC:
		delta_file_action_clear(&action->u.file);
		break;
	case DELTA_ACTION_TXN:
		free(action->u.txn.app_id);
		break;
	case DELTA_ACTION_DOMAIN_METADATA:
		free(action->u.domain.domain);
		free(action->u.domain.configuration);
		break;
	case DELTA_ACTION_COMMIT_INFO:
		delta_commit_info_clear(&action->u.commit_info);
		break;
	case DELTA_ACTION_SIDECAR:
		free(action->u.sidecar.path);
		break;
	case DELTA_ACTION_CHECKPOINT_METADATA:
		break;
	}
	memset(&action->u, 0, sizeof action->u);
}

/* ---- string hash map (open addressing, linear probing) ----------------------------- */

static char deleted_marker;
#define STRMAP_DELETED (&deleted_marker)

static uint64_t strmap_hash(const char *key)
{
	uint64_t h = UINT64_C(1469598103934665603); /* FNV-1a */
	for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
		h ^= *p;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

static struct delta_strmap_entry *strmap_slot(const struct delta_strmap *map, const char *key,
					      bool for_insert)
{
	if (map->cap == 0)
		return NULL;
	size_t mask = map->cap - 1;
	struct delta_strmap_entry *tomb = NULL;
	for (size_t i = strmap_hash(key) & mask;; i = (i + 1) & mask) {
		struct delta_strmap_entry *e = &map->slots[i];
		if (e->key == NULL)
			return for_insert && tomb ? tomb : (for_insert ? e : NULL);
		if (e->key == STRMAP_DELETED) {
			if (tomb == NULL)
				tomb = e;
			continue;
		}
		if (strcmp(e->key, key) == 0)
			return e;
	}
}

static void strmap_grow(struct delta_strmap *map)
{
	struct delta_strmap old = *map;
	map->cap = old.cap ? old.cap * 2 : 16;
	if (old.count * 4 < old.cap)
		map->cap = old.cap; /* mostly tombstones: rehash at the same size */
	map->slots = xcalloc(map->cap, sizeof *map->slots);
	map->count = map->used = 0;
	for (size_t i = 0; i < old.cap; i++) {
		struct delta_strmap_entry *e = &old.slots[i];
		if (e->key == NULL || e->key == STRMAP_DELETED)
			continue;
		struct delta_strmap_entry *slot = strmap_slot(map, e->key, true);
		*slot = *e;
		map->count++;
		map->used++;
	}
	free(old.slots);
}

void *delta_strmap_put(struct delta_strmap *map, const char *key, void *value)
{
	if ((map->used + 1) * 4 >= map->cap * 3)
		strmap_grow(map);
	struct delta_strmap_entry *slot = strmap_slot(map, key, true);
	if (slot->key != NULL && slot->key != STRMAP_DELETED) {
		void *previous = slot->value;
		slot->value = value;
		return previous;
	}
	if (slot->key == NULL)
		map->used++;
	slot->key = xstrdup(key);
	slot->value = value;
	map->count++;
	return NULL;
}

void *delta_strmap_get(const struct delta_strmap *map, const char *key)
{
	struct delta_strmap_entry *slot = strmap_slot(map, key, false);
	return slot ? slot->value : NULL;
}

void *delta_strmap_remove(struct delta_strmap *map, const char *key)
{
	struct delta_strmap_entry *slot = strmap_slot(map, key, false);
	if (slot == NULL)
		return NULL;
	void *value = slot->value;
	free(slot->key);
	slot->key = STRMAP_DELETED;
	slot->value = NULL;
	map->count--;
	return value;
}

void delta_strmap_free(struct delta_strmap *map)
{
	for (size_t i = 0; i < map->cap; i++)
		if (map->slots[i].key != NULL && map->slots[i].key != STRMAP_DELETED)
			free(map->slots[i].key);
	free(map->slots);
	memset(map, 0, sizeof *map);
}

void **delta_strmap_values(const struct delta_strmap *map, size_t *n)
{
	void **values = xcalloc(map->count ? map->count : 1, sizeof *values);
	size_t k = 0;
	for (size_t i = 0; i < map->cap; i++)
		if (map->slots[i].key != NULL && map->slots[i].key != STRMAP_DELETED)
			values[k++] = map->slots[i].value;
	*n = k;
	return values;
}

struct cJSON *delta_map_to_cjson(const struct delta_map *map)
{
	cJSON *obj = cJSON_CreateObject();
	for (size_t i = 0; i < map->n; i++) {
		if (map->items[i].value)
			cJSON_AddStringToObject(obj, map->items[i].key, map->items[i].value);
		else
			cJSON_AddNullToObject(obj, map->items[i].key);
	}
	return obj;
}

struct cJSON *delta_strv_to_cjson(char *const *strv, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; i < n; i++)
		cJSON_AddItemToArray(arr, cJSON_CreateString(strv[i]));
	return arr;
}
