/* tests/unit/test_delta_checkpoint.c: Parquet checkpoints read through delta_checkpoint_read():
 * classic single-file, multi-part (all parts in order; an incomplete one is passed over), V2
 * (UUID-named Parquet or JSON, with Parquet sidecars), a checkpoint followed by commits, a
 * table whose early commits were cleaned away, and the refusals (two actions in one row, a
 * missing sidecar, a column of the wrong type). The checkpoint files are written in the test
 * with the project's Parquet writer from JSON action lines, so a row reads like a commit line. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "delta/internal.h"
#include "parquet/writer.h"
#include "tests/delta/fixture.h"
#include "util/xmalloc.h"

/* ---- checkpoint schemas, as data ------------------------------------------------------ */

static const struct pq_field string_kv[] = {
	{ .name = "key", .type = LK_TYPE_STRING },
	{ .name = "value", .type = LK_TYPE_STRING, .nullable = true },
};
static const struct pq_field string_element[] = {
	{ .name = "element", .type = LK_TYPE_STRING, .nullable = true },
};

#define F(n, t) { .name = n, .type = t, .nullable = true }
#define MAP(n) { .name = n, .type = LK_TYPE_MAP, .nullable = true, .children = string_kv, .n_children = 2 }
#define LIST(n) { .name = n, .type = LK_TYPE_LIST, .nullable = true, .children = string_element, .n_children = 1 }
#define STRUCT(n, members) \
	{ .name = n, .type = LK_TYPE_STRUCT, .nullable = true, .children = members, \
	  .n_children = sizeof members / sizeof members[0] }

static const struct pq_field dv_fields[] = {
	F("storageType", LK_TYPE_STRING), F("pathOrInlineDv", LK_TYPE_STRING),
	F("offset", LK_TYPE_INT32), F("sizeInBytes", LK_TYPE_INT32),
	F("cardinality", LK_TYPE_INT64), F("maxRowIndex", LK_TYPE_INT64),
};
static const struct pq_field add_fields[] = {
	F("path", LK_TYPE_STRING), MAP("partitionValues"), F("size", LK_TYPE_INT64),
	F("modificationTime", LK_TYPE_INT64), F("dataChange", LK_TYPE_BOOLEAN),
	F("stats", LK_TYPE_STRING), MAP("tags"), STRUCT("deletionVector", dv_fields),
	F("baseRowId", LK_TYPE_INT64), F("defaultRowCommitVersion", LK_TYPE_INT64),
};
static const struct pq_field remove_fields[] = {
	F("path", LK_TYPE_STRING), F("deletionTimestamp", LK_TYPE_INT64),
	F("dataChange", LK_TYPE_BOOLEAN), F("extendedFileMetadata", LK_TYPE_BOOLEAN),
	MAP("partitionValues"), F("size", LK_TYPE_INT64), STRUCT("deletionVector", dv_fields),
};
static const struct pq_field txn_fields[] = {
	F("appId", LK_TYPE_STRING), F("version", LK_TYPE_INT64), F("lastUpdated", LK_TYPE_INT64),
};
static const struct pq_field format_fields[] = {
	F("provider", LK_TYPE_STRING), MAP("options"),
};
static const struct pq_field metadata_fields[] = {
	F("id", LK_TYPE_STRING), F("name", LK_TYPE_STRING), F("description", LK_TYPE_STRING),
	STRUCT("format", format_fields), F("schemaString", LK_TYPE_STRING),
	LIST("partitionColumns"), MAP("configuration"), F("createdTime", LK_TYPE_INT64),
};
static const struct pq_field protocol_fields[] = {
	F("minReaderVersion", LK_TYPE_INT32), F("minWriterVersion", LK_TYPE_INT32),
	LIST("readerFeatures"), LIST("writerFeatures"),
};
static const struct pq_field domain_fields[] = {
	F("domain", LK_TYPE_STRING), F("configuration", LK_TYPE_STRING),
	F("removed", LK_TYPE_BOOLEAN),
};
static const struct pq_field checkpoint_metadata_fields[] = {
	F("version", LK_TYPE_INT64), MAP("tags"),
};
static const struct pq_field sidecar_fields[] = {
	F("path", LK_TYPE_STRING), F("sizeInBytes", LK_TYPE_INT64),
	F("modificationTime", LK_TYPE_INT64), MAP("tags"),
};

/* What delta-spark writes for a V2 checkpoint (a V1 one is the same without the last two). */
static const struct pq_field full_columns[] = {
	STRUCT("txn", txn_fields), STRUCT("add", add_fields), STRUCT("remove", remove_fields),
	STRUCT("metaData", metadata_fields), STRUCT("protocol", protocol_fields),
	STRUCT("domainMetadata", domain_fields),
	STRUCT("checkpointMetadata", checkpoint_metadata_fields),
	STRUCT("sidecar", sidecar_fields),
};
static const struct pq_write_schema full_schema = { full_columns, 8 };

static const struct pq_field sidecar_columns[] = {
	STRUCT("add", add_fields), STRUCT("remove", remove_fields),
};
static const struct pq_write_schema sidecar_schema = { sidecar_columns, 2 };

/* An old writer's checkpoint: no txn or domainMetadata columns, no stats, tags or DVs. */
static const struct pq_field old_add_fields[] = {
	F("path", LK_TYPE_STRING), MAP("partitionValues"), F("size", LK_TYPE_INT64),
	F("modificationTime", LK_TYPE_INT64), F("dataChange", LK_TYPE_BOOLEAN),
};
static const struct pq_field old_protocol_fields[] = {
	F("minReaderVersion", LK_TYPE_INT32), F("minWriterVersion", LK_TYPE_INT32),
};
static const struct pq_field old_columns[] = {
	STRUCT("add", old_add_fields), STRUCT("metaData", metadata_fields),
	STRUCT("protocol", old_protocol_fields),
};
static const struct pq_write_schema old_schema = { old_columns, 3 };

/* The same add with its size written as a string. */
static const struct pq_field bad_add_fields[] = {
	F("path", LK_TYPE_STRING), F("size", LK_TYPE_STRING),
};
static const struct pq_field bad_columns[] = {
	STRUCT("add", bad_add_fields), STRUCT("metaData", metadata_fields),
	STRUCT("protocol", protocol_fields),
};
static const struct pq_write_schema bad_schema = { bad_columns, 3 };

/* ---- JSON action lines into a batch --------------------------------------------------- */

static bool is_null(const cJSON *v)
{
	return v == NULL || cJSON_IsNull(v);
}

static void vector_alloc(struct lk_batch *b, struct lk_vector *vec, const struct pq_field *f,
			 size_t n)
{
	vec->type = f->type;
	vec->name = xstrdup(f->name);
	vec->length = n;
	vec->nulls = lk_batch_alloc(b, n + 1);
	memset(vec->nulls, 1, n);
	vec->v.i64 = lk_batch_alloc(b, (n + 1) * sizeof(struct lk_bytes));
	if (f->type == LK_TYPE_LIST || f->type == LK_TYPE_MAP)
		vec->offsets = lk_batch_alloc(b, (n + 1) * sizeof *vec->offsets);
	if (f->n_children > 0)
		lk_vector_init_children(vec, f->n_children);
}

static void fill_strings(struct lk_batch *b, struct lk_vector *vec, const struct pq_field *f,
			 const char *const *strs, size_t n)
{
	vector_alloc(b, vec, f, n);
	for (size_t i = 0; i < n; i++) {
		if (strs[i] == NULL)
			continue;
		vec->nulls[i] = 0;
		size_t len = strlen(strs[i]);
		vec->v.bytes[i] = (struct lk_bytes){ lk_batch_copy_bytes(b, strs[i], len), (uint32_t)len };
	}
}

static void fill_vector(struct lk_batch *b, struct lk_vector *vec, const struct pq_field *f,
			const cJSON *const *vals, size_t n);

static void fill_struct(struct lk_batch *b, struct lk_vector *vec, const struct pq_field *f,
			const cJSON *const *vals, size_t n)
{
	const cJSON **sub = xcalloc(n + 1, sizeof *sub);
	for (size_t k = 0; k < f->n_children; k++) {
		for (size_t i = 0; i < n; i++)
			sub[i] = is_null(vals[i]) ? NULL
						  : cJSON_GetObjectItemCaseSensitive(vals[i],
										     f->children[k].name);
		fill_vector(b, &vec->children[k], &f->children[k], sub, n);
	}
	free(sub);
}

/* LIST elements or MAP entries, flattened; a map's keys come from the members' names. */
static void fill_nested(struct lk_batch *b, struct lk_vector *vec, const struct pq_field *f,
			const cJSON *const *vals, size_t n)
{
	size_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += is_null(vals[i]) ? 0 : (size_t)cJSON_GetArraySize(vals[i]);
	const cJSON **items = xcalloc(total + 1, sizeof *items);
	const char **keys = xcalloc(total + 1, sizeof *keys);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		vec->offsets[i] = (uint32_t)k;
		if (is_null(vals[i]))
			continue;
		const cJSON *item;
		cJSON_ArrayForEach(item, vals[i]) {
			keys[k] = item->string;
			items[k++] = item;
		}
	}
	vec->offsets[n] = (uint32_t)k;
	if (f->type == LK_TYPE_MAP) {
		fill_strings(b, &vec->children[0], &f->children[0], keys, total);
		fill_vector(b, &vec->children[1], &f->children[1], items, total);
	} else {
		fill_vector(b, &vec->children[0], &f->children[0], items, total);
	}
	free(items);
	free(keys);
}

static void fill_vector(struct lk_batch *b, struct lk_vector *vec, const struct pq_field *f,
			const cJSON *const *vals, size_t n)
{
	if (f->type == LK_TYPE_STRING) {
		const char **strs = xcalloc(n + 1, sizeof *strs);
		for (size_t i = 0; i < n; i++)
			strs[i] = is_null(vals[i]) ? NULL : vals[i]->valuestring;
		fill_strings(b, vec, f, strs, n);
		free(strs);
		return;
	}
	vector_alloc(b, vec, f, n);
	for (size_t i = 0; i < n; i++)
		vec->nulls[i] = is_null(vals[i]);
	switch (f->type) {
	case LK_TYPE_STRUCT:
		fill_struct(b, vec, f, vals, n);
		break;
	case LK_TYPE_LIST:
	case LK_TYPE_MAP:
		fill_nested(b, vec, f, vals, n);
		break;
	case LK_TYPE_INT64:
		for (size_t i = 0; i < n; i++)
			vec->v.i64[i] = is_null(vals[i]) ? 0 : (int64_t)vals[i]->valuedouble;
		break;
	case LK_TYPE_INT32:
		for (size_t i = 0; i < n; i++)
			vec->v.i32[i] = is_null(vals[i]) ? 0 : (int32_t)vals[i]->valuedouble;
		break;
	case LK_TYPE_BOOLEAN:
		for (size_t i = 0; i < n; i++)
			vec->v.u8[i] = cJSON_IsTrue(vals[i]);
		break;
	default:
		fail_msg("fixture type %d not handled", f->type);
	}
}

/* Writes rows (JSON action lines, one row each) as root/<rel>, row_group_rows rows per row
 * group (0: one row group). */
static void write_parquet(struct fx *fx, const char *rel, const struct pq_write_schema *schema,
			  const char *const *rows, size_t n, size_t row_group_rows)
{
	cJSON **objs = xcalloc(n + 1, sizeof *objs);
	const cJSON **vals = xcalloc(n + 1, sizeof *vals);
	for (size_t i = 0; i < n; i++) {
		objs[i] = cJSON_Parse(rows[i]);
		assert_non_null(objs[i]);
	}
	struct lk_batch *b = lk_batch_new(schema->n_fields);
	b->n_rows = n;
	for (size_t c = 0; c < schema->n_fields; c++) {
		for (size_t i = 0; i < n; i++)
			vals[i] = cJSON_GetObjectItemCaseSensitive(objs[i], schema->fields[c].name);
		fill_vector(b, &b->columns[c], &schema->fields[c], vals, n);
	}
	char path[512];
	snprintf(path, sizeof path, "%s/%s", fx->root, rel);
	struct pq_writer_options opts = { .row_group_rows = row_group_rows };
	struct lk_error err = LK_ERROR_INIT;
	struct pq_writer *w = pq_writer_open(path, schema, &opts, &err);
	if (w == NULL || !pq_writer_write_batch(w, b, &err) || !pq_writer_close(w, NULL, &err))
		fail_msg("writing %s: %s", rel, err.message);
	lk_batch_free(b);
	for (size_t i = 0; i < n; i++)
		cJSON_Delete(objs[i]);
	free(objs);
	free(vals);
}

#define N_ROWS(rows) (sizeof rows / sizeof rows[0])

/* ---- a table and its state as checkpoint rows ----------------------------------------- */

#define DV_INLINE \
	",\"deletionVector\":{\"storageType\":\"i\",\"pathOrInlineDv\":\"wi5b=000010000siXQKl0rr91000f55c8Xg0@@D72lkbi5=-{L\",\"sizeInBytes\":40,\"cardinality\":6,\"maxRowIndex\":9}"
#define TXN_APP "{\"txn\":{\"appId\":\"app\",\"version\":7,\"lastUpdated\":5}}"
#define DOMAIN_ROW "{\"domainMetadata\":{\"domain\":\"d\",\"configuration\":\"{}\",\"removed\":false}}"

/* Commits 0..3: adds with stats, tags, a DV, an escaped path, row tracking, a txn, a domain,
 * a remove and a configuration change. */
static void create_table(struct fx *fx)
{
	fx_init(fx);
	fx_commit(fx, 0, FX_PROTOCOL_1_4, fx_metadata(fx, "\"k\":\"v0\""),
		  fx_add(fx, "a", ",\"stats\":\"{\\\"numRecords\\\":3}\",\"tags\":{\"t\":\"1\"}"),
		  NULL);
	fx_commit(fx, 1, fx_add(fx, "b%20c", ",\"baseRowId\":10,\"defaultRowCommitVersion\":1"),
		  TXN_APP, NULL);
	fx_commit(fx, 2, fx_add(fx, "d", DV_INLINE), fx_remove(fx, "a", NULL), DOMAIN_ROW, NULL);
	fx_commit(fx, 3, fx_metadata(fx, "\"k\":\"v3\",\"n\":null"), fx_add(fx, "e", NULL), NULL);
}

static cJSON *map_json(const struct delta_map *m)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; i < m->n; i++)
		cJSON_AddItemToObject(o, m->items[i].key,
				      m->items[i].value ? cJSON_CreateString(m->items[i].value)
							: cJSON_CreateNull());
	return o;
}

static char *path_encode(const char *path)
{
	struct lk_buf b = LK_BUF_INIT;
	for (const char *p = path; *p; p++) {
		if (*p == ' ' || *p == '%')
			lk_buf_printf(&b, "%%%02X", (unsigned char)*p);
		else
			lk_buf_append_byte(&b, (uint8_t)*p);
	}
	char *s = xstrdup(lk_buf_cstr(&b));
	lk_buf_free(&b);
	return s;
}

static char *row_text(struct fx *fx, const char *action, cJSON *body)
{
	cJSON *row = cJSON_CreateObject();
	cJSON_AddItemToObject(row, action, body);
	char *text = cJSON_PrintUnformatted(row);
	cJSON_Delete(row);
	return fx_keep(fx, text);
}

static const char *add_row(struct fx *fx, const struct delta_file *f)
{
	cJSON *o = cJSON_CreateObject();
	char *path = path_encode(f->path);
	cJSON_AddStringToObject(o, "path", path);
	free(path);
	cJSON_AddItemToObject(o, "partitionValues", map_json(&f->partition_values));
	cJSON_AddNumberToObject(o, "size", (double)f->size);
	cJSON_AddNumberToObject(o, "modificationTime", (double)f->modification_time);
	cJSON_AddFalseToObject(o, "dataChange");
	if (f->stats)
		cJSON_AddStringToObject(o, "stats", f->stats);
	if (f->has_dv) {
		cJSON *dv = cJSON_AddObjectToObject(o, "deletionVector");
		char st[2] = { f->dv.storage_type, 0 };
		cJSON_AddStringToObject(dv, "storageType", st);
		cJSON_AddStringToObject(dv, "pathOrInlineDv", f->dv.path_or_inline);
		if (f->dv.has_offset)
			cJSON_AddNumberToObject(dv, "offset", f->dv.offset);
		cJSON_AddNumberToObject(dv, "sizeInBytes", f->dv.size_in_bytes);
		cJSON_AddNumberToObject(dv, "cardinality", (double)f->dv.cardinality);
	}
	if (f->has_base_row_id)
		cJSON_AddNumberToObject(o, "baseRowId", (double)f->base_row_id);
	return row_text(fx, "add", o);
}

static const char *protocol_row(struct fx *fx, const struct delta_protocol *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "minReaderVersion", p->min_reader_version);
	cJSON_AddNumberToObject(o, "minWriterVersion", p->min_writer_version);
	return row_text(fx, "protocol", o);
}

static const char *metadata_row(struct fx *fx, const struct delta_metadata *m)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", m->id);
	cJSON *format = cJSON_AddObjectToObject(o, "format");
	cJSON_AddStringToObject(format, "provider", m->format_provider);
	cJSON_AddObjectToObject(format, "options");
	cJSON_AddStringToObject(o, "schemaString", m->schema_string);
	cJSON_AddArrayToObject(o, "partitionColumns");
	cJSON_AddItemToObject(o, "configuration", map_json(&m->configuration));
	cJSON_AddNumberToObject(o, "createdTime", (double)m->created_time);
	return row_text(fx, "metaData", o);
}

/* The state of s as checkpoint rows (files last, so that they span row groups). */
static size_t state_rows(struct fx *fx, const struct delta_snapshot *s, const char **rows,
			 size_t cap)
{
	size_t n = 0;
	rows[n++] = protocol_row(fx, &s->protocol);
	rows[n++] = metadata_row(fx, &s->metadata);
	for (size_t i = 0; i < s->n_txns; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "appId", s->txns[i].app_id);
		cJSON_AddNumberToObject(o, "version", (double)s->txns[i].version);
		cJSON_AddNumberToObject(o, "lastUpdated", (double)s->txns[i].last_updated);
		rows[n++] = row_text(fx, "txn", o);
	}
	for (size_t i = 0; i < s->n_domains; i++) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "domain", s->domains[i].domain);
		cJSON_AddStringToObject(o, "configuration", s->domains[i].configuration);
		cJSON_AddFalseToObject(o, "removed");
		rows[n++] = row_text(fx, "domainMetadata", o);
	}
	rows[n++] = fx_keep(fx, xstrdup("{\"remove\":{\"path\":\"gone\",\"deletionTimestamp\":9,"
					"\"dataChange\":true}}"));
	for (size_t i = 0; i < s->n_files; i++)
		rows[n++] = add_row(fx, &s->files[i]);
	assert_true(n <= cap);
	return n;
}

/* Writes the classic checkpoint of version v from the commits (replayed first). */
static void write_classic_checkpoint(struct fx *fx, int64_t v, size_t row_group_rows)
{
	struct delta_snapshot *s = fx_snapshot_load(fx, v, NULL);
	assert_non_null(s);
	const char *rows[64];
	size_t n = state_rows(fx, s, rows, 64);
	char rel[128];
	snprintf(rel, sizeof rel, "_delta_log/%020lld.checkpoint.parquet", (long long)v);
	write_parquet(fx, rel, &full_schema, rows, n, row_group_rows);
	fx_snapshot_unload(s);
}

static void assert_map_equal(const struct delta_map *a, const struct delta_map *b)
{
	assert_int_equal(a->n, b->n);
	for (size_t i = 0; i < a->n; i++) {
		assert_true(delta_map_has(b, a->items[i].key));
		const char *va = a->items[i].value, *vb = delta_map_get(b, a->items[i].key);
		assert_true((va == NULL) == (vb == NULL));
		if (va != NULL)
			assert_string_equal(va, vb);
	}
}

static void assert_same_opt_string(const char *a, const char *b)
{
	assert_true((a == NULL) == (b == NULL));
	if (a != NULL)
		assert_string_equal(a, b);
}

static void assert_same_state(const struct delta_snapshot *a, const struct delta_snapshot *b)
{
	assert_int_equal(a->version, b->version);
	assert_int_equal(a->protocol.min_reader_version, b->protocol.min_reader_version);
	assert_int_equal(a->protocol.min_writer_version, b->protocol.min_writer_version);
	assert_string_equal(a->metadata.id, b->metadata.id);
	assert_string_equal(a->metadata.schema_string, b->metadata.schema_string);
	assert_same_opt_string(a->metadata.format_provider, b->metadata.format_provider);
	assert_int_equal(a->metadata.created_time, b->metadata.created_time);
	assert_map_equal(&a->metadata.configuration, &b->metadata.configuration);
	assert_int_equal(a->n_files, b->n_files);
	for (size_t i = 0; i < a->n_files; i++) {
		const struct delta_file *x = &a->files[i], *y = &b->files[i];
		assert_string_equal(x->path, y->path);
		assert_map_equal(&x->partition_values, &y->partition_values);
		assert_int_equal(x->size, y->size);
		assert_int_equal(x->modification_time, y->modification_time);
		assert_same_opt_string(x->stats, y->stats);
		assert_int_equal(x->has_dv, y->has_dv);
		if (x->has_dv) {
			assert_int_equal(x->dv.storage_type, y->dv.storage_type);
			assert_string_equal(x->dv.path_or_inline, y->dv.path_or_inline);
			assert_int_equal(x->dv.has_offset, y->dv.has_offset);
			assert_int_equal(x->dv.size_in_bytes, y->dv.size_in_bytes);
			assert_int_equal(x->dv.cardinality, y->dv.cardinality);
		}
		assert_int_equal(x->has_base_row_id, y->has_base_row_id);
		assert_int_equal(x->base_row_id, y->base_row_id);
	}
	assert_int_equal(a->n_txns, b->n_txns);
	for (size_t i = 0; i < a->n_txns; i++) {
		assert_string_equal(a->txns[i].app_id, b->txns[i].app_id);
		assert_int_equal(a->txns[i].version, b->txns[i].version);
	}
	assert_int_equal(a->n_domains, b->n_domains);
	for (size_t i = 0; i < a->n_domains; i++) {
		assert_string_equal(a->domains[i].domain, b->domains[i].domain);
		assert_string_equal(a->domains[i].configuration, b->domains[i].configuration);
	}
}

/* ---- classic checkpoints -------------------------------------------------------------- */

static void test_classic_checkpoint_equals_commit_replay(void **state)
{
	struct fx fx;
	create_table(&fx);
	struct delta_snapshot *replayed = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(replayed);
	assert_int_equal(replayed->checkpoint_version, -1);
	write_classic_checkpoint(&fx, 3, 2); /* two rows per row group */
	struct delta_snapshot *s = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 3);
	assert_null(s->checkpoint_skipped);
	assert_same_state(replayed, s);
	/* the escaped path was decoded once, the DV and row tracking came through */
	assert_string_equal(s->files[0].path, "b c");
	assert_true(s->files[0].has_base_row_id);
	assert_int_equal(s->files[0].base_row_id, 10);
	assert_true(s->files[1].has_dv);
	assert_int_equal(s->files[1].dv.cardinality, 6);
	assert_null(delta_map_get(&s->metadata.configuration, "n"));
	assert_true(delta_map_has(&s->metadata.configuration, "n"));
	fx_snapshot_unload(s);
	fx_snapshot_unload(replayed);
	fx_cleanup(&fx);
}

static void test_checkpoint_then_later_commits(void **state)
{
	struct fx fx;
	create_table(&fx);
	fx_commit(&fx, 4, fx_remove(&fx, "d", DV_INLINE), fx_add(&fx, "f", NULL), NULL);
	struct delta_snapshot *replayed = fx_snapshot_load(&fx, 4, NULL);
	write_classic_checkpoint(&fx, 2, 0);
	struct delta_snapshot *s = fx_snapshot_load(&fx, 4, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 2);
	assert_same_state(replayed, s);
	assert_int_equal(s->n_files, 3); /* b c, e, f: d went in commit 4 */
	fx_snapshot_unload(s);
	fx_snapshot_unload(replayed);
	fx_cleanup(&fx);
}

static void test_history_cleaned_away_loads_from_checkpoint(void **state)
{
	struct fx fx;
	create_table(&fx);
	struct delta_snapshot *replayed = fx_snapshot_load(&fx, 3, NULL);
	fx_remove_log_file(&fx, "00000000000000000000.json");
	fx_remove_log_file(&fx, "00000000000000000001.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, 3, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);

	/* the checkpoint of version 2, written from what the commits held */
	struct fx copy;
	create_table(&copy);
	write_classic_checkpoint(&copy, 2, 0);
	char from[600], to[600];
	snprintf(from, sizeof from, "%s/_delta_log/00000000000000000002.checkpoint.parquet",
		 copy.root);
	snprintf(to, sizeof to, "%s/_delta_log/00000000000000000002.checkpoint.parquet", fx.root);
	assert_int_equal(rename(from, to), 0);
	fx_cleanup(&copy);

	struct delta_snapshot *s = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 2);
	assert_null(s->checkpoint_skipped);
	assert_same_state(replayed, s);
	fx_snapshot_unload(s);
	/* the checkpoint's own version, its commit gone too */
	fx_remove_log_file(&fx, "00000000000000000002.json");
	s = fx_snapshot_load(&fx, 2, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 2);
	assert_int_equal(s->n_files, 2);
	fx_snapshot_unload(s);
	/* versions before the checkpoint are gone for good */
	assert_null(fx_snapshot_load(&fx, 1, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);
	fx_snapshot_unload(replayed);
	fx_cleanup(&fx);
}

static void test_old_writer_columns_absent_read_as_null(void **state)
{
	struct fx fx;
	create_table(&fx);
	const char *rows[] = {
		"{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":2}}",
		fx_metadata(&fx, "\"k\":\"old\""),
		"{\"add\":{\"path\":\"x\",\"partitionValues\":{},\"size\":5,"
		"\"modificationTime\":2,\"dataChange\":true}}",
	};
	write_parquet(&fx, "_delta_log/00000000000000000003.checkpoint.parquet", &old_schema, rows,
		      N_ROWS(rows), 0);
	struct delta_snapshot *s = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 3);
	assert_null(s->protocol.reader_features);
	assert_int_equal(s->n_files, 1);
	assert_string_equal(s->files[0].path, "x");
	assert_null(s->files[0].stats);
	assert_false(s->files[0].has_dv);
	assert_int_equal(s->n_txns, 0);
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

/* ---- multi-part ----------------------------------------------------------------------- */

struct recorded {
	char order[256];
};

static enum delta_visit record_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	(void)err;
	struct recorded *r = ctx;
	const char *what = a->type == DELTA_ACTION_ADD ? a->u.file.path
						       : delta_action_type_name(a->type);
	strncat(r->order, what, sizeof r->order - strlen(r->order) - 2);
	strcat(r->order, " ");
	return DELTA_VISIT_CONTINUE;
}

static void write_three_parts(struct fx *fx, bool with_second)
{
	const char *part1[] = { FX_PROTOCOL_1_4, fx_metadata(fx, "\"k\":\"parts\""),
				fx_add(fx, "p1", NULL) };
	const char *part2[] = { fx_add(fx, "p2a", NULL), fx_add(fx, "p2b", NULL) };
	const char *part3[] = { TXN_APP, fx_add(fx, "p3", NULL) };
	write_parquet(fx, "_delta_log/00000000000000000003.checkpoint.0000000001.0000000003.parquet",
		      &full_schema, part1, N_ROWS(part1), 0);
	if (with_second)
		write_parquet(fx,
			      "_delta_log/00000000000000000003.checkpoint.0000000002.0000000003.parquet",
			      &full_schema, part2, N_ROWS(part2), 1);
	write_parquet(fx, "_delta_log/00000000000000000003.checkpoint.0000000003.0000000003.parquet",
		      &full_schema, part3, N_ROWS(part3), 0);
}

static void test_multipart_reads_every_part_in_order(void **state)
{
	struct fx fx;
	create_table(&fx);
	write_three_parts(&fx, true);
	struct delta_table *t = delta_table_open(fx.root, NULL);
	struct delta_listing ls;
	struct delta_segment seg;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(delta_log_list(t, &ls, &err));
	assert_true(delta_segment_build(t, &ls, 3, &seg, &err));
	assert_int_equal(seg.checkpoint.n_parts, 3);
	struct recorded r = { "" };
	assert_true(delta_checkpoint_read(t, &seg.checkpoint, record_action, &r, &err));
	assert_string_equal(r.order, "protocol metaData p1 p2a p2b txn p3 ");
	delta_segment_free(&seg);
	delta_listing_free(&ls);
	delta_table_free(t);

	struct delta_snapshot *s = fx_snapshot_load(&fx, 3, NULL);
	assert_int_equal(s->checkpoint_version, 3);
	assert_int_equal(s->n_files, 4);
	assert_string_equal(delta_map_get(&s->metadata.configuration, "k"), "parts");
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_multipart_missing_part_falls_back(void **state)
{
	struct fx fx;
	create_table(&fx);
	write_three_parts(&fx, false);
	/* no older checkpoint: replay from commit 0 */
	struct delta_snapshot *s = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, -1);
	assert_string_equal(delta_map_get(&s->metadata.configuration, "k"), "v3");
	fx_snapshot_unload(s);
	/* an older complete checkpoint: start there */
	write_classic_checkpoint(&fx, 1, 0);
	s = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 1);
	assert_int_equal(s->n_files, 3);
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

/* ---- V2 ------------------------------------------------------------------------------- */

#define UUID_PARQUET "00000000000000000003.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.parquet"
#define UUID_JSON "00000000000000000003.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json"
#define SIDECAR_ROW(name) \
	"{\"sidecar\":{\"path\":\"" name "\",\"sizeInBytes\":1,\"modificationTime\":1}}"
#define V2_PROTOCOL \
	"{\"protocol\":{\"minReaderVersion\":3,\"minWriterVersion\":7," \
	"\"readerFeatures\":[\"v2Checkpoint\"],\"writerFeatures\":[\"v2Checkpoint\"]}}"

static void write_sidecars(struct fx *fx)
{
	fx_mkdir(fx, "_delta_log/_sidecars");
	const char *one[] = { fx_add(fx, "s1", NULL), fx_add(fx, "s%252", NULL) };
	const char *two[] = { fx_add(fx, "s3", NULL),
			      "{\"remove\":{\"path\":\"old\",\"deletionTimestamp\":1,"
			      "\"dataChange\":true}}" };
	write_parquet(fx, "_delta_log/_sidecars/one.parquet", &sidecar_schema, one, N_ROWS(one), 1);
	write_parquet(fx, "_delta_log/_sidecars/two%20x.parquet", &sidecar_schema, two,
		      N_ROWS(two), 0);
}

static void test_v2_parquet_checkpoint_with_sidecars(void **state)
{
	struct fx fx;
	create_table(&fx);
	write_sidecars(&fx);
	const char *rows[] = {
		"{\"checkpointMetadata\":{\"version\":3}}", V2_PROTOCOL,
		fx_metadata(&fx, "\"k\":\"v2\""), TXN_APP, SIDECAR_ROW("one.parquet"),
		SIDECAR_ROW("two%2520x.parquet"),
	};
	write_parquet(&fx, "_delta_log/" UUID_PARQUET, &full_schema, rows, N_ROWS(rows), 0);
	struct delta_snapshot *s = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 3);
	assert_string_equal(delta_map_get(&s->metadata.configuration, "k"), "v2");
	assert_int_equal(s->n_txns, 1);
	assert_int_equal(s->n_files, 3);
	assert_string_equal(s->files[0].path, "s%2");
	assert_string_equal(s->files[1].path, "s1");
	assert_string_equal(s->files[2].path, "s3");
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_v2_json_checkpoint_with_parquet_sidecars(void **state)
{
	struct fx fx;
	create_table(&fx);
	write_sidecars(&fx);
	char *cp = NULL;
	if (asprintf(&cp, "{\"checkpointMetadata\":{\"version\":3}}\n%s\n%s\n%s\n%s\n", V2_PROTOCOL,
		     fx_metadata(&fx, "\"k\":\"v2-json\""), SIDECAR_ROW("one.parquet"),
		     SIDECAR_ROW("two%2520x.parquet")) < 0)
		abort();
	fx_write(&fx, "_delta_log/" UUID_JSON, cp);
	free(cp);
	struct delta_snapshot *s = fx_snapshot_load(&fx, 3, NULL);
	assert_non_null(s);
	assert_int_equal(s->checkpoint_version, 3);
	assert_string_equal(delta_map_get(&s->metadata.configuration, "k"), "v2-json");
	assert_int_equal(s->n_files, 3);
	fx_snapshot_unload(s);
	fx_cleanup(&fx);
}

static void test_v2_missing_sidecar_is_log_truncated(void **state)
{
	struct fx fx;
	create_table(&fx);
	write_sidecars(&fx);
	const char *rows[] = {
		"{\"checkpointMetadata\":{\"version\":3}}", V2_PROTOCOL,
		fx_metadata(&fx, "\"k\":\"v2\""), SIDECAR_ROW("one.parquet"),
		SIDECAR_ROW("vacuumed.parquet"),
	};
	write_parquet(&fx, "_delta_log/" UUID_PARQUET, &full_schema, rows, N_ROWS(rows), 0);
	/* without commit 0 the checkpoint cannot be skipped: its error surfaces */
	fx_remove_log_file(&fx, "00000000000000000000.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, 3, &err));
	assert_int_equal(err.code, LK_ELOG_TRUNCATED);
	assert_non_null(strstr(err.message, UUID_PARQUET));
	assert_non_null(strstr(err.message, "sidecar vacuumed.parquet"));
	assert_non_null(strstr(err.message, fx.root));
	fx_cleanup(&fx);
}

static void test_checkpoint_metadata_of_another_version_is_corrupt(void **state)
{
	struct fx fx;
	create_table(&fx);
	const char *rows[] = { "{\"checkpointMetadata\":{\"version\":2}}", V2_PROTOCOL,
			       fx_metadata(&fx, "\"k\":\"v2\"") };
	write_parquet(&fx, "_delta_log/" UUID_PARQUET, &full_schema, rows, N_ROWS(rows), 0);
	/* without commit 0 the checkpoint cannot be skipped: its error surfaces */
	fx_remove_log_file(&fx, "00000000000000000000.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, 3, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "checkpointMetadata says version 2"));
	fx_cleanup(&fx);
}

/* ---- refusals ------------------------------------------------------------------------- */

static void test_row_with_two_actions_is_corrupt(void **state)
{
	struct fx fx;
	create_table(&fx);
	const char *rows[] = {
		FX_PROTOCOL_1_4, fx_metadata(&fx, "\"k\":\"x\""), fx_add(&fx, "ok", NULL),
		"{\"add\":{\"path\":\"p\",\"size\":1},\"remove\":{\"path\":\"p\"}}",
	};
	write_parquet(&fx, "_delta_log/00000000000000000003.checkpoint.parquet", &full_schema, rows,
		      N_ROWS(rows), 2);
	/* without commit 0 the checkpoint cannot be skipped: its error surfaces */
	fx_remove_log_file(&fx, "00000000000000000000.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, 3, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "00000000000000000003.checkpoint.parquet"));
	assert_non_null(strstr(err.message, "row group 1, row 1"));
	assert_non_null(strstr(err.message, "two actions, add and remove"));
	fx_cleanup(&fx);
}

static void test_add_without_path_is_corrupt(void **state)
{
	struct fx fx;
	create_table(&fx);
	const char *rows[] = { FX_PROTOCOL_1_4, fx_metadata(&fx, ""),
			       "{\"add\":{\"size\":1,\"dataChange\":true}}" };
	write_parquet(&fx, "_delta_log/00000000000000000003.checkpoint.parquet", &full_schema, rows,
		      N_ROWS(rows), 0);
	/* without commit 0 the checkpoint cannot be skipped: its error surfaces */
	fx_remove_log_file(&fx, "00000000000000000000.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, 3, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "row group 0, row 2: add.path is missing"));
	fx_cleanup(&fx);
}

static void test_column_of_wrong_type_is_corrupt(void **state)
{
	struct fx fx;
	create_table(&fx);
	const char *rows[] = { FX_PROTOCOL_1_4, fx_metadata(&fx, ""),
			       "{\"add\":{\"path\":\"p\",\"size\":\"big\"}}" };
	write_parquet(&fx, "_delta_log/00000000000000000003.checkpoint.parquet", &bad_schema, rows,
		      N_ROWS(rows), 0);
	/* without commit 0 the checkpoint cannot be skipped: its error surfaces */
	fx_remove_log_file(&fx, "00000000000000000000.json");
	struct lk_error err = LK_ERROR_INIT;
	assert_null(fx_snapshot_load(&fx, 3, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "column add.size is string, not an integer"));
	fx_cleanup(&fx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classic_checkpoint_equals_commit_replay),
		cmocka_unit_test(test_checkpoint_then_later_commits),
		cmocka_unit_test(test_history_cleaned_away_loads_from_checkpoint),
		cmocka_unit_test(test_old_writer_columns_absent_read_as_null),
		cmocka_unit_test(test_multipart_reads_every_part_in_order),
		cmocka_unit_test(test_multipart_missing_part_falls_back),
		cmocka_unit_test(test_v2_parquet_checkpoint_with_sidecars),
		cmocka_unit_test(test_v2_json_checkpoint_with_parquet_sidecars),
		cmocka_unit_test(test_v2_missing_sidecar_is_log_truncated),
		cmocka_unit_test(test_checkpoint_metadata_of_another_version_is_corrupt),
		cmocka_unit_test(test_row_with_two_actions_is_corrupt),
		cmocka_unit_test(test_add_without_path_is_corrupt),
		cmocka_unit_test(test_column_of_wrong_type_is_corrupt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
