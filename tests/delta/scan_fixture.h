/* tests/delta/scan_fixture.h: builds small Delta tables with real data for the data
 * reader's unit tests: commit lines (metaData, protocol, add, remove, cdc with partition
 * values and inline deletion vectors) on top of tests/delta/fixture.h, and Parquet data
 * files written with src/parquet/writer.h from batches built here. Static functions only:
 * each test program includes it once. Failures abort (they are bugs in the test). */
#ifndef LK_TESTS_DELTA_SCAN_FIXTURE_H
#define LK_TESTS_DELTA_SCAN_FIXTURE_H

#include <cjson/cJSON.h>

#include "batch/batch.h"
#include "delta/delta.h"
#include "delta/scan.h"
#include "parquet/writer.h"
#include "tests/delta/fixture.h"
#include "util/buf.h"

static inline char *sf_print_line(struct fx *fx, const char *action, cJSON *body)
{
	cJSON *line = cJSON_CreateObject();
	cJSON_AddItemToObject(line, action, body);
	char *text = cJSON_PrintUnformatted(line);
	cJSON_Delete(line);
	return fx_keep(fx, text);
}

/* Tests write JSON with single quotes (no escaping); this turns them into double quotes. */
static inline char *sf_quotes(const char *json)
{
	char *copy = strdup(json);
	for (char *p = copy; *p; p++)
		if (*p == '\'')
			*p = '"';
	return copy;
}

static inline cJSON *sf_parse(const char *json)
{
	char *text = sf_quotes(json);
	cJSON *v = cJSON_Parse(text);
	free(text);
	if (v == NULL)
		abort();
	return v;
}

/* A metaData line: schema is the schema JSON itself (escaped here), partition_columns a
 * JSON array, config a JSON object; all three may use single quotes. */
static inline const char *sf_metadata(struct fx *fx, const char *schema,
				      const char *partition_columns, const char *config)
{
	cJSON *m = cJSON_CreateObject();
	cJSON_AddStringToObject(m, "id", "fixture");
	cJSON *format = cJSON_AddObjectToObject(m, "format");
	cJSON_AddStringToObject(format, "provider", "parquet");
	cJSON_AddObjectToObject(format, "options");
	char *schema_text = sf_quotes(schema);
	cJSON_AddStringToObject(m, "schemaString", schema_text);
	free(schema_text);
	cJSON_AddItemToObject(m, "partitionColumns", sf_parse(partition_columns ? partition_columns : "[]"));
	cJSON_AddItemToObject(m, "configuration", sf_parse(config ? config : "{}"));
	cJSON_AddNumberToObject(m, "createdTime", 1);
	return sf_print_line(fx, "metaData", m);
}

static inline const char *sf_protocol(struct fx *fx, int reader, int writer,
				      const char *reader_features, const char *writer_features)
{
	cJSON *p = cJSON_CreateObject();
	cJSON_AddNumberToObject(p, "minReaderVersion", reader);
	cJSON_AddNumberToObject(p, "minWriterVersion", writer);
	if (reader_features)
		cJSON_AddItemToObject(p, "readerFeatures", sf_parse(reader_features));
	if (writer_features)
		cJSON_AddItemToObject(p, "writerFeatures", sf_parse(writer_features));
	return sf_print_line(fx, "protocol", p);
}

/* add / remove / cdc: partition_values a JSON object (NULL: {}), dv a JSON descriptor or
 * NULL. */
static inline const char *sf_file_action(struct fx *fx, const char *action, const char *path,
					 const char *partition_values, const char *dv,
					 bool data_change)
{
	cJSON *a = cJSON_CreateObject();
	cJSON_AddStringToObject(a, "path", path);
	cJSON_AddItemToObject(a, "partitionValues", sf_parse(partition_values ? partition_values : "{}"));
	cJSON_AddNumberToObject(a, "size", 100);
	if (strcmp(action, "add") == 0)
		cJSON_AddNumberToObject(a, "modificationTime", 1);
	if (strcmp(action, "remove") == 0)
		cJSON_AddNumberToObject(a, "deletionTimestamp", 1);
	cJSON_AddBoolToObject(a, "dataChange", data_change);
	if (dv)
		cJSON_AddItemToObject(a, "deletionVector", sf_parse(dv));
	return sf_print_line(fx, action, a);
}

static inline const char *sf_add(struct fx *fx, const char *path, const char *pv, const char *dv)
{
	return sf_file_action(fx, "add", path, pv, dv, true);
}

static inline const char *sf_remove(struct fx *fx, const char *path, const char *pv,
				    const char *dv)
{
	return sf_file_action(fx, "remove", path, pv, dv, true);
}

static inline const char *sf_cdc(struct fx *fx, const char *path, const char *pv)
{
	return sf_file_action(fx, "cdc", path, pv, NULL, false);
}

static inline const char *sf_commit_info_ict(struct fx *fx, int64_t ict_ms)
{
	cJSON *c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "operation", "WRITE");
	cJSON_AddNumberToObject(c, "inCommitTimestamp", (double)ict_ms);
	return sf_print_line(fx, "commitInfo", c);
}

/* An inline deletion vector descriptor (JSON) deleting the given rows. */
static inline const char *sf_dv_inline(struct fx *fx, const uint64_t *rows, size_t n)
{
	static const char alphabet[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				       ".-:+=^!/*?&<>()[]{}@%$#";
	struct delta_dv *dv = delta_dv_new();
	for (size_t i = 0; i < n; i++)
		delta_dv_add(dv, rows[i]);
	struct lk_buf bytes = LK_BUF_INIT;
	delta_dv_serialize(dv, &bytes);
	delta_dv_free(dv);
	size_t size = bytes.len;
	while (bytes.len % 4)
		lk_buf_append_byte(&bytes, 0);
	struct lk_buf z85 = LK_BUF_INIT;
	for (size_t i = 0; i < bytes.len; i += 4) {
		const uint8_t *q = (const uint8_t *)bytes.data + i;
		uint32_t v = (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3];
		char block[5];
		for (int k = 4; k >= 0; k--, v /= 85)
			block[k] = alphabet[v % 85];
		lk_buf_append(&z85, block, 5);
	}
	char *json = NULL;
	if (asprintf(&json,
		     "{\"storageType\":\"i\",\"pathOrInlineDv\":\"%s\",\"sizeInBytes\":%zu,"
		     "\"cardinality\":%zu}",
		     lk_buf_cstr(&z85), size, n) < 0)
		abort();
	lk_buf_free(&bytes);
	lk_buf_free(&z85);
	return fx_keep(fx, json);
}

/* ---- Parquet data files -------------------------------------------------------------- */

/* Fills column i of batch with n integer-like values stored as type needs (int32 storage
 * for INT8..INT32 and DATE, int64 for INT64, timestamps and decimals up to 18 digits). */
static inline void sf_col_int(struct lk_batch *b, size_t i, const char *name, enum lk_type_id type,
			      const int64_t *values, const uint8_t *nulls)
{
	struct lk_vector *v = &b->columns[i];
	v->name = strdup(name);
	v->type = type;
	v->length = b->n_rows;
	if (type == LK_TYPE_INT64 || type == LK_TYPE_TIMESTAMP || type == LK_TYPE_TIMESTAMP_NTZ ||
	    type == LK_TYPE_DECIMAL) {
		v->v.i64 = lk_batch_alloc(b, b->n_rows * 8);
		memcpy(v->v.i64, values, b->n_rows * 8);
	} else {
		v->v.i32 = lk_batch_alloc(b, b->n_rows * 4);
		for (size_t r = 0; r < b->n_rows; r++)
			v->v.i32[r] = (int32_t)values[r];
	}
	if (nulls) {
		v->nulls = lk_batch_alloc(b, b->n_rows);
		memcpy(v->nulls, nulls, b->n_rows);
	}
}

static inline void sf_col_float(struct lk_batch *b, size_t i, const char *name, const float *values)
{
	struct lk_vector *v = &b->columns[i];
	v->name = strdup(name);
	v->type = LK_TYPE_FLOAT;
	v->length = b->n_rows;
	v->v.f32 = lk_batch_alloc(b, b->n_rows * sizeof(float));
	memcpy(v->v.f32, values, b->n_rows * sizeof(float));
}

static inline void sf_col_str(struct lk_batch *b, size_t i, const char *name,
			      const char *const *values)
{
	struct lk_vector *v = &b->columns[i];
	v->name = strdup(name);
	v->type = LK_TYPE_STRING;
	v->length = b->n_rows;
	v->v.bytes = lk_batch_alloc(b, b->n_rows * sizeof *v->v.bytes);
	for (size_t r = 0; r < b->n_rows; r++) {
		if (values[r] == NULL) {
			if (v->nulls == NULL)
				v->nulls = lk_batch_alloc(b, b->n_rows);
			v->nulls[r] = 1;
			continue;
		}
		v->v.bytes[r] = (struct lk_bytes){ .ptr = (const uint8_t *)values[r],
						   .len = (uint32_t)strlen(values[r]) };
	}
}

/* Writes root/rel from the batches (one row group each) and frees them. */
static inline void sf_write(struct fx *fx, const char *rel, const struct pq_field *fields,
			    size_t n_fields, struct lk_batch **batches, size_t n_batches)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", fx->root, rel);
	struct pq_write_schema schema = { .fields = fields, .n_fields = n_fields };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, &schema, NULL, &err);
	if (w == NULL) {
		fprintf(stderr, "%s\n", err.message);
		abort();
	}
	for (size_t i = 0; i < n_batches; i++) {
		if (!pq_writer_write_batch(w, batches[i], &err)) {
			fprintf(stderr, "%s\n", err.message);
			abort();
		}
		lk_batch_free(batches[i]);
	}
	if (!pq_writer_close(w, NULL, &err)) {
		fprintf(stderr, "%s\n", err.message);
		abort();
	}
}

/* A file with one int64 column `name` holding values (one row group). */
static inline void sf_write_longs(struct fx *fx, const char *rel, const char *name,
				  const int64_t *values, size_t n)
{
	struct pq_field field = { .name = name, .type = LK_TYPE_INT64, .nullable = true };
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = n;
	sf_col_int(b, 0, name, LK_TYPE_INT64, values, NULL);
	sf_write(fx, rel, &field, 1, &b, 1);
}

/* ---- reading back -------------------------------------------------------------------- */

/* Every live row of a scan or change feed rendered as JSON, one line each. */
struct sf_rows {
	char *text;   /* "row\nrow\n..." */
	size_t n_rows;
	size_t n_batches;
};

static inline void sf_rows_add(struct sf_rows *rows, struct lk_buf *out, const struct lk_batch *b)
{
	for (size_t i = 0; i < lk_batch_live_rows(b); i++) {
		lk_render_json_row(b, lk_batch_live_row(b, i), out);
		lk_buf_append_byte(out, '\n');
		rows->n_rows++;
	}
	rows->n_batches++;
}

static inline bool sf_scan_all(struct fx *fx, int64_t version, const char *const *columns,
			       size_t n_columns, struct sf_rows *rows, struct lk_error *err)
{
	memset(rows, 0, sizeof *rows);
	struct delta_table *t = delta_table_open(fx->root, err);
	struct delta_snapshot *s = t ? delta_snapshot_load(t, version, err) : NULL;
	struct delta_scan *scan = s ? delta_scan_open(t, s, columns, n_columns, err) : NULL;
	struct lk_buf out = LK_BUF_INIT;
	bool ok = scan != NULL;
	for (struct lk_batch *b; ok;) {
		ok = delta_scan_next(scan, &b, err);
		if (!ok || b == NULL)
			break;
		sf_rows_add(rows, &out, b);
		lk_batch_free(b);
	}
	rows->text = lk_buf_detach(&out);
	delta_scan_close(scan);
	delta_snapshot_free(s);
	delta_table_free(t);
	return ok;
}

/* The change feed start..end; with skip_preimages, through delta_changes_skip_preimages. */
static inline bool sf_changes_read(struct fx *fx, int64_t start, int64_t end,
				   const char *const *columns, size_t n_columns,
				   bool skip_preimages, struct sf_rows *rows, struct lk_error *err)
{
	memset(rows, 0, sizeof *rows);
	struct delta_table *t = delta_table_open(fx->root, err);
	struct delta_changes *ch = t ? delta_changes_open(t, start, end, columns, n_columns, err)
				     : NULL;
	if (ch && skip_preimages)
		delta_changes_skip_preimages(ch);
	struct lk_buf out = LK_BUF_INIT;
	bool ok = ch != NULL;
	for (struct lk_batch *b; ok;) {
		ok = delta_changes_next(ch, &b, err);
		if (!ok || b == NULL)
			break;
		sf_rows_add(rows, &out, b);
		lk_batch_free(b);
	}
	rows->text = lk_buf_detach(&out);
	delta_changes_close(ch);
	delta_table_free(t);
	return ok;
}

static inline bool sf_changes_all(struct fx *fx, int64_t start, int64_t end,
				  const char *const *columns, size_t n_columns,
				  struct sf_rows *rows, struct lk_error *err)
{
	return sf_changes_read(fx, start, end, columns, n_columns, false, rows, err);
}

/* true when line (without its newline) is one of the rendered rows. */
static inline bool sf_has_row(const struct sf_rows *rows, const char *line)
{
	size_t n = strlen(line);
	for (const char *p = rows->text; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);
		if (len == n && memcmp(p, line, n) == 0)
			return true;
		p = nl ? nl + 1 : p + len;
	}
	return false;
}

static inline void sf_rows_free(struct sf_rows *rows)
{
	free(rows->text);
	memset(rows, 0, sizeof *rows);
}

#endif
