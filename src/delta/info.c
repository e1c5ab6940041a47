/* delta/info.c: the facts `lakesync inspect delta --info` shows about a table's latest
 * version (version, commit time, features, schema, files, a row estimate from file stats),
 * as a struct and as JSON. Reads the log only. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "delta/internal.h"
#include "util/clock.h"
#include "util/xmalloc.h"

/* numRecords from a file's stats JSON, or -1. */
static int64_t stats_num_records(const char *stats)
{
	if (stats == NULL)
		return -1;
	cJSON *json = cJSON_Parse(stats);
	const cJSON *n = json ? cJSON_GetObjectItemCaseSensitive(json, "numRecords") : NULL;
	int64_t v = cJSON_IsNumber(n) && n->valuedouble >= 0 && n->valuedouble < 9.2e18
			    ? (int64_t)n->valuedouble
			    : -1;
	cJSON_Delete(json);
	return v;
}

int64_t delta_file_live_rows(const struct delta_file *f)
{
	int64_t rows = stats_num_records(f->stats);
	if (rows < 0)
		return -1;
	rows -= f->has_dv ? f->dv.cardinality : 0;
	return rows > 0 ? rows : 0;
}

static void info_count_files(const struct delta_snapshot *s, struct delta_table_info *info)
{
	info->n_files = s->n_files;
	for (size_t i = 0; i < s->n_files; i++) {
		const struct delta_file *f = &s->files[i];
		if (f->size > 0)
			info->size_bytes += f->size;
		info->files_with_dv += f->has_dv;
		int64_t rows = delta_file_live_rows(f);
		if (rows < 0)
			info->files_without_stats++;
		else
			info->row_estimate += rows;
	}
}

static void info_oldest(struct delta_table *table, struct delta_table_info *info)
{
	struct delta_listing ls;
	info->oldest_version = -1;
	if (!delta_log_list(table, &ls, NULL))
		return;
	info->oldest_version = delta_listing_oldest_commit(&ls);
	delta_listing_free(&ls);
}

bool delta_table_info_get(struct delta_table *table, struct delta_table_info *info,
			  struct lk_error *err)
{
	memset(info, 0, sizeof *info);
	struct delta_snapshot *s = delta_snapshot_load(table, -1, err);
	if (s == NULL)
		return false;
	info->version = s->version;
	info->commit_timestamp = s->commit_timestamp;
	info->checkpoint_version = s->checkpoint_version;
	info->cdf_enabled = delta_cdf_enabled(&s->protocol, &s->metadata);
	info->ict_enabled = delta_ict_enabled(&s->protocol, &s->metadata, s->version);
	info->column_mapping = s->column_mapping;
	delta_protocol_copy(&info->protocol, &s->protocol);
	info->table_id = s->metadata.id ? xstrdup(s->metadata.id) : NULL;
	info->name = s->metadata.name ? xstrdup(s->metadata.name) : NULL;
	info->partition_columns = delta_strv_copy(s->metadata.partition_columns,
						  s->metadata.n_partition_columns);
	info->n_partition_columns = s->metadata.n_partition_columns;
	info->schema = delta_type_clone(s->schema);
	delta_map_copy(&info->properties, &s->metadata.configuration);
	info->checkpoint_skipped = s->checkpoint_skipped ? xstrdup(s->checkpoint_skipped) : NULL;
	info_count_files(s, info);
	delta_snapshot_free(s);
	info_oldest(table, info);
	return true;
}

void delta_table_info_clear(struct delta_table_info *info)
{
	delta_protocol_clear(&info->protocol);
	free(info->table_id);
	free(info->name);
	delta_strv_free(info->partition_columns, info->n_partition_columns);
	delta_type_free(info->schema);
	delta_map_clear(&info->properties);
	free(info->checkpoint_skipped);
	memset(info, 0, sizeof *info);
}

/* ---- JSON --------------------------------------------------------------------------- */

static cJSON *schema_json(const struct delta_type *schema)
{
	cJSON *cols = cJSON_CreateArray();
	struct lk_buf type = LK_BUF_INIT;
	for (size_t i = 0; schema && i < schema->n_fields; i++) {
		const struct delta_field *f = &schema->fields[i];
		cJSON *col = cJSON_CreateObject();
		lk_buf_reset(&type);
		delta_type_format(f->type, &type);
		cJSON_AddStringToObject(col, "name", f->name);
		cJSON_AddStringToObject(col, "type", lk_buf_cstr(&type));
		cJSON_AddStringToObject(col, "lakesync_type", lk_type_name(delta_type_lk_id(f->type)));
		cJSON_AddBoolToObject(col, "nullable", f->nullable);
		if (f->physical_name)
			cJSON_AddStringToObject(col, "physical_name", f->physical_name);
		cJSON_AddItemToArray(cols, col);
	}
	lk_buf_free(&type);
	return cols;
}

static cJSON *protocol_json(const struct delta_protocol *p)
{
	cJSON *obj = cJSON_CreateObject();
	cJSON_AddNumberToObject(obj, "min_reader_version", p->min_reader_version);
	cJSON_AddNumberToObject(obj, "min_writer_version", p->min_writer_version);
	if (p->reader_features)
		cJSON_AddItemToObject(obj, "reader_features",
				      delta_strv_to_cjson(p->reader_features, p->n_reader_features));
	if (p->writer_features)
		cJSON_AddItemToObject(obj, "writer_features",
				      delta_strv_to_cjson(p->writer_features, p->n_writer_features));
	return obj;
}

void *delta_table_info_to_json(const struct delta_table_info *info)
{
	cJSON *obj = cJSON_CreateObject();
	char when[LK_RFC3339_MAX];
	lk_time_format_rfc3339(info->commit_timestamp * 1000, LK_TIME_MILLIS, when, sizeof when);
	cJSON_AddNumberToObject(obj, "version", (double)info->version);
	cJSON_AddStringToObject(obj, "commit_time", when);
	cJSON_AddNumberToObject(obj, "oldest_version", (double)info->oldest_version);
	if (info->checkpoint_version >= 0)
		cJSON_AddNumberToObject(obj, "checkpoint_version", (double)info->checkpoint_version);
	else
		cJSON_AddNullToObject(obj, "checkpoint_version");
	if (info->checkpoint_skipped)
		cJSON_AddStringToObject(obj, "checkpoint_skipped", info->checkpoint_skipped);
	if (info->table_id)
		cJSON_AddStringToObject(obj, "table_id", info->table_id);
	if (info->name)
		cJSON_AddStringToObject(obj, "name", info->name);
	cJSON_AddBoolToObject(obj, "change_data_feed", info->cdf_enabled);
	cJSON_AddBoolToObject(obj, "in_commit_timestamps", info->ict_enabled);
	cJSON_AddStringToObject(obj, "column_mapping",
				delta_column_mapping_mode_name(info->column_mapping));
	cJSON_AddItemToObject(obj, "protocol", protocol_json(&info->protocol));
	cJSON_AddItemToObject(obj, "partition_columns",
			      delta_strv_to_cjson(info->partition_columns, info->n_partition_columns));
	cJSON_AddItemToObject(obj, "schema", schema_json(info->schema));
	cJSON_AddNumberToObject(obj, "files", (double)info->n_files);
	cJSON_AddNumberToObject(obj, "files_with_deletion_vectors", (double)info->files_with_dv);
	cJSON_AddNumberToObject(obj, "size_bytes", (double)info->size_bytes);
	cJSON_AddNumberToObject(obj, "row_estimate", (double)info->row_estimate);
	cJSON_AddNumberToObject(obj, "files_without_stats", (double)info->files_without_stats);
	cJSON_AddItemToObject(obj, "properties", delta_map_to_cjson(&info->properties));
	return obj;
}
