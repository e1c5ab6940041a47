/* delta/writer.c: the Delta writer's table state and commits: which protocol a table needs,
 * the metaData and protocol it declares, the add/remove/cdc/txn actions of a commit, and
 * the exclusive, atomic write of the commit file. Data files are written by
 * delta/writer_file.c, checkpoints by delta/writer_checkpoint.c; both are declared in
 * delta/writer.h. The log reader's helpers (delta/internal.h) copy and free the action
 * structs. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <uuid/uuid.h>

#include "delta/internal.h"
#include "delta/writer.h"
#include "util/clock.h"
#include "util/xmalloc.h"

#define ENGINE_INFO "lakesync/" PACKAGE_VERSION
#define DEFAULT_TOMBSTONE_RETENTION_MS INT64_C(604800000) /* one week */

static const char CDF_PROPERTY[] = "delta.enableChangeDataFeed";
static const char APPEND_ONLY_PROPERTY[] = "delta.appendOnly";
static const char RETENTION_PROPERTY[] = "delta.deletedFileRetentionDuration";

/* Table properties that switch on something this writer does not implement. A property is
 * refused when its key matches (exactly, or as a prefix when .prefix is set) and its value is
 * not .allowed (NULL: no value is allowed). */
static const struct property_rule {
	const char *key;
	bool prefix;
	const char *allowed;
	const char *why;
} refused_properties[] = {
	{ .key = "delta.columnMapping.mode", .allowed = "none", .why = "column mapping" },
	{ .key = "delta.enableDeletionVectors", .allowed = "false", .why = "deletion vectors" },
	{ .key = "delta.enableInCommitTimestamps", .allowed = "false",
	  .why = "in-commit timestamps" },
	{ .key = "delta.enableRowTracking", .allowed = "false", .why = "row tracking" },
	{ .key = "delta.enableTypeWidening", .allowed = "false", .why = "type widening" },
	{ .key = "delta.checkpointPolicy", .allowed = "classic", .why = "V2 checkpoints" },
	{ .key = "delta.enableIcebergCompatV1", .allowed = "false", .why = "Iceberg compatibility" },
	{ .key = "delta.enableIcebergCompatV2", .allowed = "false", .why = "Iceberg compatibility" },
	{ .key = "delta.enableVariantShredding", .allowed = "false", .why = "variant shredding" },
	{ .key = "delta.constraints.", .prefix = true, .why = "CHECK constraints" },
};

/* Writer features this writer honours on a table it opens: appendOnly (removes refused when
 * delta.appendOnly=true), invariants / checkConstraints / generatedColumns (accepted only
 * while the schema and properties use none), changeDataFeed (cdc files), timestampNtz,
 * domainMetadata (carried into checkpoints), vacuumProtocolCheck (this writer never
 * vacuums). */
static const char *const known_writer_features[] = {
	"appendOnly", "invariants", "checkConstraints", "generatedColumns", "changeDataFeed",
	"timestampNtz", "domainMetadata", "vacuumProtocolCheck",
};
static const char *const known_reader_features[] = { "timestampNtz", "vacuumProtocolCheck" };

/* Field metadata keys that ask writers for work this writer does not do. */
static const char *const refused_field_metadata[] = {
	"delta.invariants", "delta.generationExpression", "delta.identity.start",
	"delta.identity.step", "delta.identity.highWaterMark", "delta.identity.allowExplicitInsert",
};

struct commit_file {
	struct delta_file_action action; /* add or cdc */
	char *local_path;                /* on disk, for abort */
};

struct delta_writer {
	char *root;
	char *log_dir;
	struct delta_writer_options opts;
	int64_t version;                 /* -1 before commit 0 */
	struct delta_protocol protocol;
	struct delta_metadata metadata;
	struct delta_type *schema;
	struct delta_file *files;        /* live, sorted by path */
	size_t n_files, cap_files;
	struct delta_file_action *tombstones; /* sorted by path */
	size_t n_tombstones, cap_tombstones;
	struct delta_txn *txns;
	size_t n_txns;
	struct delta_domain_metadata *domains;
	size_t n_domains;
	struct delta_commit *open_commit;
	bool has_checkpoint_error;
	struct lk_error checkpoint_error;
};

struct delta_commit {
	struct delta_writer *w;
	int64_t version;
	struct delta_metadata metadata;  /* the metadata after this commit */
	struct delta_type *schema;       /* its parsed schema */
	bool metadata_changed;
	struct commit_file *adds;
	size_t n_adds;
	struct commit_file *cdcs;
	size_t n_cdcs;
	struct delta_file_action *removes;
	size_t n_removes;
	struct delta_txn *txns;
	size_t n_txns;
};

/* ---- small helpers ------------------------------------------------------------------- */

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

/* Sets key to value (NULL removes the key). */
static void map_set(struct delta_map *map, const char *key, const char *value)
{
	for (size_t i = 0; i < map->n; i++) {
		if (strcmp(map->items[i].key, key) != 0)
			continue;
		free(map->items[i].value);
		if (value) {
			map->items[i].value = xstrdup(value);
			return;
		}
		free(map->items[i].key);
		memmove(&map->items[i], &map->items[i + 1], (map->n - i - 1) * sizeof *map->items);
		map->n--;
		return;
	}
	if (value == NULL)
		return;
	map->items = xreallocarray(map->items, map->n + 1, sizeof *map->items);
	map->items[map->n].key = xstrdup(key);
	map->items[map->n].value = xstrdup(value);
	map->n++;
}

static bool strv_has(char *const *strv, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(strv[i], s) == 0)
			return true;
	return false;
}

static void strv_add_unique(char ***strv, size_t *n, const char *s)
{
	if (strv_has(*strv, *n, s))
		return;
	*strv = xreallocarray(*strv, *n + 1, sizeof **strv);
	(*strv)[(*n)++] = xstrdup(s);
}

static void file_clear(struct delta_file *f)
{
	free(f->path);
	delta_map_clear(&f->partition_values);
	free(f->stats);
	free(f->dv.path_or_inline);
	memset(f, 0, sizeof *f);
}

static int64_t now_ms(void)
{
	return lk_clock_wall_us() / 1000;
}

static void uuid_text(char out[37])
{
	uuid_t id;
	uuid_generate_random(id);
	uuid_unparse_lower(id, out);
}

static bool is_true(const char *value)
{
	return value && strcasecmp(value, "true") == 0;
}

static bool fsync_dir(const char *dir, struct lk_error *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return lk_error_set_errno(err, LK_EIO, errno, "%s: cannot open directory", dir);
	bool ok = fsync(fd) == 0 || errno == EINVAL;
	int saved = errno;
	close(fd);
	return ok ? true : lk_error_set_errno(err, LK_EIO, saved, "%s: fsync", dir);
}

/* ---- sorted arrays keyed by path ------------------------------------------------------ */

/* The index of path in a path-sorted array (elements of `stride` bytes whose path pointer
 * sits at `path_offset`), or where it would go; *found says which. */
static size_t path_slot(const void *base, size_t n, size_t stride, size_t path_offset,
			const char *path, bool *found)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *mid_path = *(char *const *)((const char *)base + mid * stride + path_offset);
		int cmp = strcmp(mid_path, path);
		if (cmp == 0) {
			*found = true;
			return mid;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static struct delta_file *live_file_find(const struct delta_writer *w, const char *path)
{
	bool found;
	size_t i = path_slot(w->files, w->n_files, sizeof *w->files,
			     offsetof(struct delta_file, path), path, &found);
	return found ? &w->files[i] : NULL;
}

static void live_file_remove(struct delta_writer *w, const char *path)
{
	bool found;
	size_t i = path_slot(w->files, w->n_files, sizeof *w->files,
			     offsetof(struct delta_file, path), path, &found);
	if (!found)
		return;
	file_clear(&w->files[i]);
	memmove(&w->files[i], &w->files[i + 1], (w->n_files - i - 1) * sizeof *w->files);
	w->n_files--;
}

/* Takes ownership of *file's members. */
static void live_file_put(struct delta_writer *w, struct delta_file *file)
{
	bool found;
	size_t i = path_slot(w->files, w->n_files, sizeof *w->files,
			     offsetof(struct delta_file, path), file->path, &found);
	if (found) {
		file_clear(&w->files[i]);
		w->files[i] = *file;
		return;
	}
	if (w->n_files == w->cap_files) {
		w->cap_files = w->cap_files ? 2 * w->cap_files : 16;
		w->files = xreallocarray(w->files, w->cap_files, sizeof *w->files);
	}
	memmove(&w->files[i + 1], &w->files[i], (w->n_files - i) * sizeof *w->files);
	w->files[i] = *file;
	w->n_files++;
}

static void tombstone_remove(struct delta_writer *w, const char *path)
{
	bool found;
	size_t i = path_slot(w->tombstones, w->n_tombstones, sizeof *w->tombstones,
			     offsetof(struct delta_file_action, path), path, &found);
	if (!found)
		return;
	delta_file_action_clear(&w->tombstones[i]);
	memmove(&w->tombstones[i], &w->tombstones[i + 1],
		(w->n_tombstones - i - 1) * sizeof *w->tombstones);
	w->n_tombstones--;
}

/* Takes ownership of *a's members. */
static void tombstone_put(struct delta_writer *w, struct delta_file_action *a)
{
	bool found;
	size_t i = path_slot(w->tombstones, w->n_tombstones, sizeof *w->tombstones,
			     offsetof(struct delta_file_action, path), a->path, &found);
	if (found) {
		delta_file_action_clear(&w->tombstones[i]);
		w->tombstones[i] = *a;
		return;
	}
	if (w->n_tombstones == w->cap_tombstones) {
		w->cap_tombstones = w->cap_tombstones ? 2 * w->cap_tombstones : 16;
		w->tombstones = xreallocarray(w->tombstones, w->cap_tombstones, sizeof *w->tombstones);
	}
	memmove(&w->tombstones[i + 1], &w->tombstones[i],
		(w->n_tombstones - i) * sizeof *w->tombstones);
	w->tombstones[i] = *a;
	w->n_tombstones++;
}

/* ---- what a table may use ------------------------------------------------------------ */

static bool property_check(const char *root, const char *key, const char *value,
			   struct lk_error *err)
{
	for (size_t i = 0; i < sizeof refused_properties / sizeof refused_properties[0]; i++) {
		const struct property_rule *r = &refused_properties[i];
		bool match = r->prefix ? strncmp(key, r->key, strlen(r->key)) == 0
				       : strcmp(key, r->key) == 0;
		if (!match || value == NULL)
			continue;
		if (r->allowed == NULL || strcasecmp(value, r->allowed) != 0)
			return lk_error_set(err, LK_EUNSUPPORTED,
					    "table %s: property %s=%s needs %s, which the lakesync "
					    "writer does not implement", root, key, value, r->why);
	}
	return true;
}

static bool field_metadata_check(const char *root, const struct delta_field *f,
				 struct lk_error *err)
{
	if (f->metadata_json == NULL)
		return true;
	cJSON *meta = cJSON_Parse(f->metadata_json);
	bool ok = true;
	size_t n_refused = sizeof refused_field_metadata / sizeof refused_field_metadata[0];
	for (size_t i = 0; ok && meta && i < n_refused; i++)
		if (cJSON_GetObjectItemCaseSensitive(meta, refused_field_metadata[i]))
			ok = lk_error_set(err, LK_EUNSUPPORTED,
					  "table %s: column %s has %s, which the lakesync writer "
					  "does not enforce", root, f->name, refused_field_metadata[i]);
	cJSON_Delete(meta);
	return ok;
}

/* Types the writer can store, and whether timestamp_ntz occurs. */
static bool type_check(const char *root, const char *column, const struct delta_type *t,
		       bool *has_ntz, struct lk_error *err)
{
	switch (t->kind) {
	case DELTA_TYPE_VARIANT:
	case DELTA_TYPE_INTERVAL:
	case DELTA_TYPE_VOID:
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "table %s: column %s: the lakesync writer cannot store type %s",
				    root, column, t->kind == DELTA_TYPE_VARIANT ? "variant"
				    : t->kind == DELTA_TYPE_VOID ? "void" : "interval");
	case DELTA_TYPE_TIMESTAMP_NTZ:
		*has_ntz = true;
		return true;
	case DELTA_TYPE_STRUCT:
		for (size_t i = 0; i < t->n_fields; i++)
			if (!field_metadata_check(root, &t->fields[i], err) ||
			    !type_check(root, t->fields[i].name, t->fields[i].type, has_ntz, err))
				return false;
		return true;
	case DELTA_TYPE_ARRAY:
		return type_check(root, column, t->element, has_ntz, err);
	case DELTA_TYPE_MAP:
		return type_check(root, column, t->key, has_ntz, err) &&
		       type_check(root, column, t->value, has_ntz, err);
	default:
		return true;
	}
}

static bool partition_type_ok(const struct delta_type *t)
{
	switch (t->kind) {
	case DELTA_TYPE_STRING: case DELTA_TYPE_LONG: case DELTA_TYPE_INTEGER:
	case DELTA_TYPE_SHORT: case DELTA_TYPE_BYTE: case DELTA_TYPE_FLOAT:
	case DELTA_TYPE_DOUBLE: case DELTA_TYPE_BOOLEAN: case DELTA_TYPE_DATE:
	case DELTA_TYPE_TIMESTAMP: case DELTA_TYPE_TIMESTAMP_NTZ: case DELTA_TYPE_DECIMAL:
		return true;
	default:
		return false;
	}
}

/* Parses and checks a schema for a table with these partition columns. */
static struct delta_type *schema_load(const char *root, const char *json,
				      char *const *partition_columns, size_t n_partition,
				      bool *has_ntz, struct lk_error *err)
{
	struct delta_type *schema = delta_schema_parse(json, err);
	if (schema == NULL) {
		lk_error_prefix(err, "table %s: schema", root);
		return NULL;
	}
	*has_ntz = false;
	bool ok = type_check(root, "", schema, has_ntz, err);
	if (ok && n_partition >= schema->n_fields)
		ok = lk_error_set(err, LK_EINVAL, "table %s: every column is a partition column; "
				  "a table needs at least one data column", root);
	for (size_t i = 0; ok && i < n_partition; i++) {
		const struct delta_field *f = NULL;
		for (size_t k = 0; k < schema->n_fields; k++)
			if (strcmp(schema->fields[k].name, partition_columns[i]) == 0)
				f = &schema->fields[k];
		if (f == NULL)
			ok = lk_error_set(err, LK_EINVAL, "table %s: partition column %s is not in the "
					  "schema", root, partition_columns[i]);
		else if (!partition_type_ok(f->type))
			ok = lk_error_set(err, LK_EUNSUPPORTED, "table %s: column %s cannot be a "
					  "partition column (type not supported)", root, f->name);
		else if (strv_has(partition_columns, i, partition_columns[i]))
			ok = lk_error_set(err, LK_EINVAL, "table %s: partition column %s listed twice",
					  root, partition_columns[i]);
	}
	if (!ok) {
		delta_type_free(schema);
		return NULL;
	}
	return schema;
}

/* The protocol a table with `cur` (NULL for a new table) needs once it records CDF and/or
 * stores timestamp_ntz: the lowest that fits. (1,2) is the baseline every Delta writer
 * since 0.x declares (appendOnly and invariants are honoured); (1,4) adds the Change Data
 * Feed without table features; timestamp_ntz needs table features, (3,7). Never downgrades. */
static void protocol_required(const struct delta_protocol *cur, bool cdf, bool ntz,
			      struct delta_protocol *out)
{
	/* what the legacy writer versions 2, 3 and 4 imply, as table features */
	static const char *const implied[][2] = {
		{ "appendOnly", "invariants" }, { "checkConstraints", NULL },
		{ "changeDataFeed", "generatedColumns" },
	};
	memset(out, 0, sizeof *out);
	int32_t cur_reader = cur ? cur->min_reader_version : 1;
	int32_t cur_writer = cur ? cur->min_writer_version : 2;
	if (!ntz && cur_writer < 7) {
		int32_t needed = cdf ? 4 : cur ? 1 : 2; /* an existing (1,1) table stays (1,1) */
		out->min_reader_version = cur_reader;
		out->min_writer_version = cur_writer > needed ? cur_writer : needed;
		return;
	}
	out->min_writer_version = 7;
	if (cur_writer == 7) {
		out->writer_features = delta_strv_copy(cur->writer_features, cur->n_writer_features);
		out->n_writer_features = cur->writer_features ? cur->n_writer_features : 0;
	}
	for (int32_t v = 2; v <= 4 && v <= cur_writer && cur_writer < 7; v++)
		for (int k = 0; k < 2; k++)
			if (implied[v - 2][k])
				strv_add_unique(&out->writer_features, &out->n_writer_features,
						implied[v - 2][k]);
	if (cdf)
		strv_add_unique(&out->writer_features, &out->n_writer_features, "changeDataFeed");
	if (ntz)
		strv_add_unique(&out->writer_features, &out->n_writer_features, "timestampNtz");
	if (!ntz && cur_reader < 3) {
		out->min_reader_version = cur_reader;
		return;
	}
	out->min_reader_version = 3;
	if (cur_reader == 3) {
		out->reader_features = delta_strv_copy(cur->reader_features, cur->n_reader_features);
		out->n_reader_features = cur->reader_features ? cur->n_reader_features : 0;
	}
	if (ntz)
		strv_add_unique(&out->reader_features, &out->n_reader_features, "timestampNtz");
	if (out->reader_features == NULL)
		out->reader_features = xcalloc(1, sizeof *out->reader_features);
}

static bool strv_same(char *const *a, size_t na, char *const *b, size_t nb)
{
	if (na != nb)
		return false;
	for (size_t i = 0; i < na; i++)
		if (!strv_has(b, nb, a[i]))
			return false;
	return true;
}

static bool protocol_equal(const struct delta_protocol *a, const struct delta_protocol *b)
{
	return a->min_reader_version == b->min_reader_version &&
	       a->min_writer_version == b->min_writer_version &&
	       strv_same(a->reader_features, a->n_reader_features, b->reader_features,
			 b->n_reader_features) &&
	       strv_same(a->writer_features, a->n_writer_features, b->writer_features,
			 b->n_writer_features);
}

static bool name_listed(const char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i], name) == 0)
			return true;
	return false;
}

/* Can this writer write a table with this protocol? */
static bool protocol_writable(const char *root, const struct delta_protocol *p,
			      struct lk_error *err)
{
	int32_t wv = p->min_writer_version;
	if (wv < 1 || wv > 7 || wv == 5 || wv == 6)
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "table %s: writer version %d (%s) is not supported by the "
				    "lakesync writer", root, wv,
				    wv == 5 ? "column mapping" : wv == 6 ? "identity columns" : "unknown");
	for (size_t i = 0; wv == 7 && i < p->n_writer_features; i++)
		if (!name_listed(known_writer_features, sizeof known_writer_features /
				 sizeof known_writer_features[0], p->writer_features[i]))
			return lk_error_set(err, LK_EUNSUPPORTED, "table %s: writer feature %s is "
					    "not supported by the lakesync writer", root,
					    p->writer_features[i]);
	if (p->min_reader_version > 3 || p->min_reader_version == 2)
		return lk_error_set(err, LK_EUNSUPPORTED, "table %s: reader version %d is not "
				    "supported by the lakesync writer", root, p->min_reader_version);
	for (size_t i = 0; p->min_reader_version == 3 && i < p->n_reader_features; i++)
		if (!name_listed(known_reader_features, sizeof known_reader_features /
				 sizeof known_reader_features[0], p->reader_features[i]))
			return lk_error_set(err, LK_EUNSUPPORTED, "table %s: reader feature %s is "
					    "not supported by the lakesync writer", root,
					    p->reader_features[i]);
	return true;
}

static bool config_cdf(const struct delta_metadata *m)
{
	return is_true(delta_map_get(&m->configuration, CDF_PROPERTY));
}

/* "interval 7 days", "interval 1 week", "interval 36 hours" -> ms; the default otherwise. */
static int64_t retention_ms(const struct delta_metadata *m)
{
	const char *text = delta_map_get(&m->configuration, RETENTION_PROPERTY);
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "week", INT64_C(604800000) }, { "day", 86400000 }, { "hour", 3600000 },
		{ "minute", 60000 }, { "second", 1000 },
	};
	long long n;
	char unit[16];
	if (text == NULL || sscanf(text, "interval %lld %15s", &n, unit) != 2 || n < 0)
		return DEFAULT_TOMBSTONE_RETENTION_MS;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strncasecmp(unit, units[i].unit, strlen(units[i].unit)) == 0)
			return (int64_t)n * units[i].ms;
	return DEFAULT_TOMBSTONE_RETENTION_MS;
}

/* ---- JSON for actions ----------------------------------------------------------------- */

static void add_i64(cJSON *obj, const char *name, int64_t v)
{
	char text[32];
	snprintf(text, sizeof text, "%lld", (long long)v);
	cJSON_AddRawToObject(obj, name, text);
}

static void append_line(struct lk_buf *out, const char *action, cJSON *body)
{
	cJSON *line = cJSON_CreateObject();
	cJSON_AddItemToObject(line, action, body);
	char *text = cJSON_PrintUnformatted(line);
	lk_buf_append_str(out, text);
	lk_buf_append_byte(out, '\n');
	cJSON_free(text);
	cJSON_Delete(line);
}

static cJSON *protocol_json(const struct delta_protocol *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "minReaderVersion", p->min_reader_version);
	cJSON_AddNumberToObject(o, "minWriterVersion", p->min_writer_version);
	if (p->min_reader_version == 3)
		cJSON_AddItemToObject(o, "readerFeatures",
				      delta_strv_to_cjson(p->reader_features, p->n_reader_features));
	if (p->min_writer_version == 7)
		cJSON_AddItemToObject(o, "writerFeatures",
				      delta_strv_to_cjson(p->writer_features, p->n_writer_features));
	return o;
}

static cJSON *metadata_json(const struct delta_metadata *m)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "id", m->id);
	if (m->name)
		cJSON_AddStringToObject(o, "name", m->name);
	if (m->description)
		cJSON_AddStringToObject(o, "description", m->description);
	cJSON *format = cJSON_AddObjectToObject(o, "format");
	cJSON_AddStringToObject(format, "provider", m->format_provider ? m->format_provider : "parquet");
	cJSON_AddObjectToObject(format, "options");
	cJSON_AddStringToObject(o, "schemaString", m->schema_string);
	cJSON_AddItemToObject(o, "partitionColumns",
			      delta_strv_to_cjson(m->partition_columns, m->n_partition_columns));
	cJSON_AddItemToObject(o, "configuration", delta_map_to_cjson(&m->configuration));
	if (m->has_created_time)
		add_i64(o, "createdTime", m->created_time);
	return o;
}

static cJSON *file_action_json(const struct delta_file_action *a, const char *kind)
{
	cJSON *o = cJSON_CreateObject();
	struct lk_buf path = LK_BUF_INIT;
	delta_path_encode(a->path, &path);
	cJSON_AddStringToObject(o, "path", lk_buf_cstr(&path));
	lk_buf_free(&path);
	cJSON_AddItemToObject(o, "partitionValues", delta_map_to_cjson(&a->partition_values));
	add_i64(o, "size", a->size);
	if (strcmp(kind, "add") == 0)
		add_i64(o, "modificationTime", a->modification_time);
	if (strcmp(kind, "remove") == 0) {
		add_i64(o, "deletionTimestamp", a->deletion_timestamp);
		cJSON_AddBoolToObject(o, "extendedFileMetadata", true);
	}
	cJSON_AddBoolToObject(o, "dataChange", a->data_change);
	if (a->stats && strcmp(kind, "add") == 0)
		cJSON_AddStringToObject(o, "stats", a->stats);
	return o;
}

static cJSON *commit_info_json(const struct delta_commit *c, const char *operation)
{
	char txn_id[37];
	uuid_text(txn_id);
	cJSON *o = cJSON_CreateObject();
	add_i64(o, "timestamp", now_ms());
	cJSON_AddStringToObject(o, "operation", operation);
	cJSON_AddObjectToObject(o, "operationParameters");
	if (c->version > 0)
		add_i64(o, "readVersion", c->version - 1);
	cJSON_AddStringToObject(o, "isolationLevel", "Serializable");
	cJSON_AddBoolToObject(o, "isBlindAppend", c->n_removes == 0 && !c->metadata_changed);
	cJSON_AddStringToObject(o, "engineInfo", ENGINE_INFO);
	cJSON_AddStringToObject(o, "txnId", txn_id);
	return o;
}

/* ---- the writer ------------------------------------------------------------------------ */

static struct delta_writer *writer_new(const char *root, const struct delta_writer_options *opts)
{
	struct delta_writer *w = xcalloc(1, sizeof *w);
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	w->root = xstrndup(root, len);
	w->log_dir = xasprintf("%s/_delta_log", w->root);
	if (opts)
		w->opts = *opts;
	w->version = -1;
	return w;
}

void delta_writer_close(struct delta_writer *w)
{
	if (w == NULL)
		return;
	delta_commit_abort(w->open_commit);
	free(w->root);
	free(w->log_dir);
	delta_protocol_clear(&w->protocol);
	delta_metadata_clear(&w->metadata);
	delta_type_free(w->schema);
	for (size_t i = 0; i < w->n_files; i++)
		file_clear(&w->files[i]);
	free(w->files);
	for (size_t i = 0; i < w->n_tombstones; i++)
		delta_file_action_clear(&w->tombstones[i]);
	free(w->tombstones);
	for (size_t i = 0; i < w->n_txns; i++)
		free(w->txns[i].app_id);
	free(w->txns);
	for (size_t i = 0; i < w->n_domains; i++) {
		free(w->domains[i].domain);
		free(w->domains[i].configuration);
	}
	free(w->domains);
	free(w);
}

int64_t delta_writer_version(const struct delta_writer *w)
{
	return w->version;
}

const struct delta_type *delta_writer_schema(const struct delta_writer *w)
{
	return w->schema;
}

const struct delta_file *delta_writer_files(const struct delta_writer *w, size_t *n_files)
{
	*n_files = w->n_files;
	return w->files;
}

bool delta_writer_cdf_enabled(const struct delta_writer *w)
{
	return delta_cdf_enabled(&w->protocol, &w->metadata);
}

const struct lk_error *delta_writer_checkpoint_error(const struct delta_writer *w)
{
	return w->has_checkpoint_error ? &w->checkpoint_error : NULL;
}

static bool mkdir_table(const char *root, bool *created_log, struct lk_error *err)
{
	if (mkdir(root, 0777) != 0 && errno != EEXIST)
		return lk_error_set_errno(err, LK_EIO, errno, "table %s: cannot create the directory",
					  root);
	char *log_dir = xasprintf("%s/_delta_log", root);
	bool ok = true;
	if (mkdir(log_dir, 0777) != 0) {
		if (errno == EEXIST)
			ok = lk_error_set(err, LK_EEXISTS, "table %s: a Delta table exists already "
					  "(_delta_log/ is there)", root);
		else
			ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: cannot create %s", root,
						log_dir);
	}
	*created_log = ok;
	free(log_dir);
	return ok;
}

static void metadata_init(struct delta_metadata *m, const struct delta_table_spec *spec)
{
	char id[37];
	uuid_text(id);
	m->id = xstrdup(id);
	m->name = dup_or_null(spec->name);
	m->description = dup_or_null(spec->description);
	m->format_provider = xstrdup("parquet");
	m->schema_string = xstrdup(spec->schema_json);
	m->n_partition_columns = spec->partition_columns ? spec->n_partition_columns : 0;
	m->partition_columns = xcalloc(m->n_partition_columns + 1, sizeof *m->partition_columns);
	for (size_t i = 0; i < m->n_partition_columns; i++)
		m->partition_columns[i] = xstrdup(spec->partition_columns[i]);
	m->has_created_time = true;
	m->created_time = now_ms();
}

/* Checks the spec and writes commit 0 (protocol and metaData; the state starts empty). */
static bool table_create(struct delta_writer *w, const struct delta_table_spec *spec,
			 struct lk_error *err)
{
	struct delta_metadata *m = &w->metadata;
	metadata_init(m, spec);
	for (size_t i = 0; i < spec->n_properties; i++) {
		if (!property_check(w->root, spec->properties[i].key, spec->properties[i].value, err))
			return false;
		map_set(&m->configuration, spec->properties[i].key, spec->properties[i].value);
	}
	bool has_ntz, created_log = false;
	w->schema = schema_load(w->root, m->schema_string, m->partition_columns,
				m->n_partition_columns, &has_ntz, err);
	if (w->schema == NULL || !mkdir_table(w->root, &created_log, err))
		return false;
	struct delta_commit *c = delta_commit_begin(w, err);
	c->metadata_changed = true;
	if (!delta_commit_finish(c, "CREATE TABLE", NULL, err)) {
		if (created_log)
			rmdir(w->log_dir);
		return false;
	}
	return true;
}

struct delta_writer *delta_writer_create(const char *root, const struct delta_table_spec *spec,
					 const struct delta_writer_options *opts,
					 struct lk_error *err)
{
	if (root == NULL || spec == NULL || spec->schema_json == NULL) {
		lk_error_set(err, LK_EINVAL, "delta_writer_create: a root and a schema are required");
		return NULL;
	}
	struct delta_writer *w = writer_new(root, opts);
	if (!table_create(w, spec, err)) {
		delta_writer_close(w);
		return NULL;
	}
	return w;
}

/* Replays the JSON commits 0..version for removes that are still tombstones (not re-added),
 * so that checkpoints keep them. Commits already cleaned away are skipped. */
static bool tombstones_load(struct delta_writer *w, struct lk_error *err)
{
	char *line = NULL;
	size_t cap = 0;
	bool ok = true;
	for (int64_t v = 0; ok && v <= w->version; v++) {
		char *path = xasprintf("%s/%020lld.json", w->log_dir, (long long)v);
		FILE *f = fopen(path, "r");
		ssize_t len;
		while (f && ok && (len = getline(&line, &cap, f)) > 0) {
			struct delta_action a;
			bool known;
			if (!delta_action_parse(line, (size_t)len, &a, &known, err)) {
				ok = lk_error_prefix(err, "table %s: version %lld (%s)", w->root,
						     (long long)v, path);
				break;
			}
			if (!known)
				continue;
			if (a.type == DELTA_ACTION_REMOVE) {
				tombstone_put(w, &a.u.file);
				memset(&a.u.file, 0, sizeof a.u.file);
			} else if (a.type == DELTA_ACTION_ADD) {
				tombstone_remove(w, a.u.file.path);
			}
			delta_action_clear(&a);
		}
		if (f)
			fclose(f);
		free(path);
	}
	free(line);
	for (size_t i = 0; i < w->n_files; i++)
		tombstone_remove(w, w->files[i].path);
	return ok;
}

static void state_from_snapshot(struct delta_writer *w, const struct delta_snapshot *s)
{
	w->version = s->version;
	delta_protocol_copy(&w->protocol, &s->protocol);
	delta_metadata_copy(&w->metadata, &s->metadata);
	w->files = xcalloc(s->n_files ? s->n_files : 1, sizeof *w->files);
	w->cap_files = s->n_files ? s->n_files : 1;
	for (size_t i = 0; i < s->n_files; i++) {
		struct delta_file f = { 0 };
		f.path = xstrdup(s->files[i].path);
		delta_map_copy(&f.partition_values, &s->files[i].partition_values);
		f.size = s->files[i].size;
		f.modification_time = s->files[i].modification_time;
		f.stats = dup_or_null(s->files[i].stats);
		live_file_put(w, &f);
	}
	w->n_txns = s->n_txns;
	w->txns = xcalloc(s->n_txns ? s->n_txns : 1, sizeof *w->txns);
	for (size_t i = 0; i < s->n_txns; i++) {
		w->txns[i] = s->txns[i];
		w->txns[i].app_id = xstrdup(s->txns[i].app_id);
	}
	w->n_domains = s->n_domains;
	w->domains = xcalloc(s->n_domains ? s->n_domains : 1, sizeof *w->domains);
	for (size_t i = 0; i < s->n_domains; i++) {
		w->domains[i].domain = xstrdup(s->domains[i].domain);
		w->domains[i].configuration = dup_or_null(s->domains[i].configuration);
	}
}

static bool snapshot_writable(const char *root, const struct delta_snapshot *s,
			      struct lk_error *err)
{
	if (!protocol_writable(root, &s->protocol, err))
		return false;
	for (size_t i = 0; i < s->n_files; i++)
		if (s->files[i].has_dv)
			return lk_error_set(err, LK_EUNSUPPORTED, "table %s: file %s has a deletion "
					    "vector, which the lakesync writer does not implement",
					    root, s->files[i].path);
	for (size_t i = 0; i < s->metadata.configuration.n; i++)
		if (!property_check(root, s->metadata.configuration.items[i].key,
				    s->metadata.configuration.items[i].value, err))
			return false;
	return true;
}

struct delta_writer *delta_writer_open(const char *root, const struct delta_writer_options *opts,
				       struct lk_error *err)
{
	struct delta_table *table = delta_table_open(root, err);
	if (table == NULL)
		return NULL;
	struct delta_snapshot *snap = delta_snapshot_load(table, -1, err);
	struct delta_writer *w = NULL;
	bool has_ntz;
	if (snap == NULL || !snapshot_writable(table->root, snap, err))
		goto done;
	w = writer_new(table->root, opts);
	state_from_snapshot(w, snap);
	w->schema = schema_load(w->root, w->metadata.schema_string, w->metadata.partition_columns,
				w->metadata.n_partition_columns, &has_ntz, err);
	if (w->schema == NULL || !tombstones_load(w, err)) {
		delta_writer_close(w);
		w = NULL;
	}
done:
	delta_snapshot_free(snap);
	delta_table_free(table);
	return w;
}

/* ---- commits ------------------------------------------------------------------------------ */

struct delta_commit *delta_commit_begin(struct delta_writer *w, struct lk_error *err)
{
	if (w->open_commit) {
		lk_error_set(err, LK_EINVAL, "table %s: a commit of version %lld is already open",
			     w->root, (long long)w->open_commit->version);
		return NULL;
	}
	struct delta_commit *c = xcalloc(1, sizeof *c);
	c->w = w;
	c->version = w->version + 1;
	delta_metadata_copy(&c->metadata, &w->metadata);
	w->open_commit = c;
	return c;
}

static const struct delta_type *commit_schema(const struct delta_commit *c)
{
	return c->schema ? c->schema : c->w->schema;
}

static void commit_free(struct delta_commit *c, bool remove_files)
{
	for (size_t i = 0; i < c->n_adds; i++) {
		if (remove_files)
			unlink(c->adds[i].local_path);
		free(c->adds[i].local_path);
		delta_file_action_clear(&c->adds[i].action);
	}
	for (size_t i = 0; i < c->n_cdcs; i++) {
		if (remove_files)
			unlink(c->cdcs[i].local_path);
		free(c->cdcs[i].local_path);
		delta_file_action_clear(&c->cdcs[i].action);
	}
	free(c->adds);
	free(c->cdcs);
	for (size_t i = 0; i < c->n_removes; i++)
		delta_file_action_clear(&c->removes[i]);
	free(c->removes);
	for (size_t i = 0; i < c->n_txns; i++)
		free(c->txns[i].app_id);
	free(c->txns);
	delta_metadata_clear(&c->metadata);
	delta_type_free(c->schema);
	c->w->open_commit = NULL;
	free(c);
}

void delta_commit_abort(struct delta_commit *c)
{
	if (c)
		commit_free(c, true);
}

/* Checks the partition values of a file and turns them into its partitionValues map. */
static bool partition_values_build(const struct delta_commit *c, const char *const *values,
				   struct delta_map *out, struct lk_error *err)
{
	const struct delta_metadata *m = &c->metadata;
	const struct delta_type *schema = commit_schema(c);
	out->n = 0;
	out->items = NULL;
	if (m->n_partition_columns > 0 && values == NULL)
		return lk_error_set(err, LK_EINVAL, "table %s: version %lld: the table is "
				    "partitioned by %zu column(s); partition values are required",
				    c->w->root, (long long)c->version, m->n_partition_columns);
	out->items = m->n_partition_columns ? xcalloc(m->n_partition_columns, sizeof *out->items) : NULL;
	for (size_t i = 0; i < m->n_partition_columns; i++) {
		const char *name = m->partition_columns[i];
		const char *value = values[i] && values[i][0] ? values[i] : NULL;
		const struct delta_field *f = delta_schema_find(schema, name);
		struct delta_value parsed;
		out->items[i].key = xstrdup(name);
		out->n++;
		if (value == NULL && !f->nullable)
			return lk_error_set(err, LK_EINVAL, "table %s: version %lld: partition column "
					    "%s is not nullable", c->w->root, (long long)c->version, name);
		if (value == NULL)
			continue;
		if (!delta_partition_value_parse(f->type, value, name, &parsed, err)) {
			err->code = LK_EINVAL;
			return lk_error_prefix(err, "table %s: version %lld", c->w->root,
					       (long long)c->version);
		}
		delta_value_clear(&parsed);
		out->items[i].value = xstrdup(value);
	}
	return true;
}

static struct commit_file *commit_file_push(struct commit_file **arr, size_t *n)
{
	*arr = xreallocarray(*arr, *n + 1, sizeof **arr);
	struct commit_file *f = &(*arr)[(*n)++];
	memset(f, 0, sizeof *f);
	return f;
}

static bool commit_write_file(struct delta_commit *c, const struct lk_batch *batch,
			      const char *const *partition_values, bool cdc, const char **path,
			      struct lk_error *err)
{
	if (batch == NULL || batch->n_rows == 0)
		return true;
	struct delta_map pv;
	if (!partition_values_build(c, partition_values, &pv, err)) {
		delta_map_clear(&pv);
		return false;
	}
	struct delta_write_target target = {
		.root = c->w->root,
		.version = c->version,
		.schema = commit_schema(c),
		.partition_columns = (const char *const *)c->metadata.partition_columns,
		.n_partition_columns = c->metadata.n_partition_columns,
		.partition_values = &pv,
		.cdc = cdc,
		.fsync = !c->w->opts.no_fsync,
		.row_group_rows = c->w->opts.row_group_rows,
	};
	struct delta_written_file written;
	if (!delta_data_file_write(&target, batch, &written, err)) {
		delta_map_clear(&pv);
		return false;
	}
	struct commit_file *f = cdc ? commit_file_push(&c->cdcs, &c->n_cdcs)
				    : commit_file_push(&c->adds, &c->n_adds);
	f->local_path = written.local_path;
	f->action.path = written.path;
	f->action.partition_values = pv;
	f->action.size = written.size;
	f->action.modification_time = now_ms();
	f->action.data_change = !cdc;
	f->action.stats = written.stats;
	if (path)
		*path = f->action.path;
	return true;
}

bool delta_commit_add(struct delta_commit *c, const struct lk_batch *batch,
		      const char *const *partition_values, const char **path,
		      struct lk_error *err)
{
	if (path)
		*path = NULL;
	return commit_write_file(c, batch, partition_values, false, path, err);
}

static bool commit_cdf_enabled(const struct delta_commit *c)
{
	/* the protocol is upgraded at finish when the property asks for CDF */
	return config_cdf(&c->metadata);
}

bool delta_commit_add_cdc(struct delta_commit *c, const struct lk_batch *batch,
			  const char *const *partition_values, struct lk_error *err)
{
	if (!commit_cdf_enabled(c))
		return lk_error_set(err, LK_ECDF_DISABLED, "table %s: version %lld: the Change "
				    "Data Feed is not enabled (%s); no cdc file written", c->w->root,
				    (long long)c->version, CDF_PROPERTY);
	return commit_write_file(c, batch, partition_values, true, NULL, err);
}

bool delta_commit_remove(struct delta_commit *c, const char *path, struct lk_error *err)
{
	struct delta_writer *w = c->w;
	if (is_true(delta_map_get(&c->metadata.configuration, APPEND_ONLY_PROPERTY)))
		return lk_error_set(err, LK_EUNSUPPORTED, "table %s: version %lld: cannot remove "
				    "%s: the table is append-only (%s=true)", w->root,
				    (long long)c->version, path, APPEND_ONLY_PROPERTY);
	const struct delta_file *f = live_file_find(w, path);
	if (f == NULL)
		return lk_error_set(err, LK_ENOTFOUND, "table %s: version %lld: cannot remove %s: "
				    "not a live file of version %lld", w->root, (long long)c->version,
				    path, (long long)w->version);
	for (size_t i = 0; i < c->n_removes; i++)
		if (strcmp(c->removes[i].path, path) == 0)
			return lk_error_set(err, LK_EINVAL, "table %s: version %lld: %s is removed "
					    "twice", w->root, (long long)c->version, path);
	c->removes = xreallocarray(c->removes, c->n_removes + 1, sizeof *c->removes);
	struct delta_file_action *r = &c->removes[c->n_removes++];
	memset(r, 0, sizeof *r);
	r->path = xstrdup(f->path);
	delta_map_copy(&r->partition_values, &f->partition_values);
	r->size = f->size;
	r->data_change = true;
	r->has_deletion_timestamp = true;
	r->deletion_timestamp = now_ms();
	r->extended_file_metadata = true;
	return true;
}

bool delta_commit_rewrite(struct delta_commit *c, const char *old_path,
			  const struct lk_batch *rewritten, const struct lk_batch *changes,
			  struct lk_error *err)
{
	if (!delta_commit_remove(c, old_path, err))
		return false;
	const struct delta_file *old = live_file_find(c->w, old_path);
	const struct delta_metadata *m = &c->metadata;
	const char **values = xcalloc(m->n_partition_columns + 1, sizeof *values);
	for (size_t i = 0; i < m->n_partition_columns; i++)
		values[i] = delta_map_get(&old->partition_values, m->partition_columns[i]);
	bool ok = delta_commit_add(c, rewritten, values, NULL, err);
	if (ok && changes && commit_cdf_enabled(c))
		ok = delta_commit_add_cdc(c, changes, values, err);
	free(values);
	return ok;
}

bool delta_commit_set_schema(struct delta_commit *c, const char *schema_json,
			     struct lk_error *err)
{
	bool has_ntz;
	struct delta_type *schema = schema_load(c->w->root, schema_json, c->metadata.partition_columns,
						c->metadata.n_partition_columns, &has_ntz, err);
	if (schema == NULL)
		return false;
	struct lk_buf what = LK_BUF_INIT;
	enum delta_schema_change change = delta_schema_compare(commit_schema(c), schema, &what);
	if (change != DELTA_SCHEMA_IDENTICAL && change != DELTA_SCHEMA_ADDITIVE) {
		lk_error_set(err, LK_ESCHEMA_CHANGE, "table %s: version %lld: only new nullable "
			     "columns may be added (%s: %s)", c->w->root, (long long)c->version,
			     delta_schema_change_name(change), lk_buf_cstr(&what));
		lk_buf_free(&what);
		delta_type_free(schema);
		return false;
	}
	lk_buf_free(&what);
	delta_type_free(c->schema);
	c->schema = schema;
	free(c->metadata.schema_string);
	c->metadata.schema_string = xstrdup(schema_json);
	c->metadata_changed = true;
	return true;
}

bool delta_commit_set_property(struct delta_commit *c, const char *key, const char *value,
			       struct lk_error *err)
{
	if (!property_check(c->w->root, key, value, err))
		return false;
	map_set(&c->metadata.configuration, key, value);
	c->metadata_changed = true;
	return true;
}

void delta_commit_set_txn(struct delta_commit *c, const char *app_id, int64_t txn_version)
{
	for (size_t i = 0; i < c->n_txns; i++)
		if (strcmp(c->txns[i].app_id, app_id) == 0) {
			c->txns[i].version = txn_version;
			return;
		}
	c->txns = xreallocarray(c->txns, c->n_txns + 1, sizeof *c->txns);
	c->txns[c->n_txns++] = (struct delta_txn){
		.app_id = xstrdup(app_id), .version = txn_version,
		.has_last_updated = true, .last_updated = now_ms(),
	};
}

static bool schema_has_ntz(const struct delta_type *schema)
{
	bool ntz = false;
	type_check("", "", schema, &ntz, NULL);
	return ntz;
}

static void commit_lines(const struct delta_commit *c, const char *operation,
			 const struct delta_protocol *protocol, bool protocol_changed,
			 struct lk_buf *out)
{
	append_line(out, "commitInfo", commit_info_json(c, operation));
	if (protocol_changed)
		append_line(out, "protocol", protocol_json(protocol));
	if (c->metadata_changed)
		append_line(out, "metaData", metadata_json(&c->metadata));
	for (size_t i = 0; i < c->n_txns; i++) {
		cJSON *t = cJSON_CreateObject();
		cJSON_AddStringToObject(t, "appId", c->txns[i].app_id);
		add_i64(t, "version", c->txns[i].version);
		add_i64(t, "lastUpdated", c->txns[i].last_updated);
		append_line(out, "txn", t);
	}
	for (size_t i = 0; i < c->n_removes; i++)
		append_line(out, "remove", file_action_json(&c->removes[i], "remove"));
	for (size_t i = 0; i < c->n_adds; i++)
		append_line(out, "add", file_action_json(&c->adds[i].action, "add"));
	for (size_t i = 0; i < c->n_cdcs; i++)
		append_line(out, "cdc", file_action_json(&c->cdcs[i].action, "cdc"));
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		data += n;
		len -= (size_t)n;
	}
	return true;
}

/* Writes the commit file under a temporary name, then links it to its final name, which
 * fails when the version exists: the log never loses a commit to a concurrent writer. */
static bool commit_file_publish(const struct delta_writer *w, int64_t version,
				const struct lk_buf *lines, struct lk_error *err)
{
	char id[37];
	uuid_text(id);
	char *final = xasprintf("%s/%020lld.json", w->log_dir, (long long)version);
	char *tmp = xasprintf("%s/.%020lld.json.%s.tmp", w->log_dir, (long long)version, id);
	bool ok = true;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: version %lld: cannot create %s",
					w->root, (long long)version, tmp);
		goto out;
	}
	if (!write_all(fd, lines->data, lines->len) || (!w->opts.no_fsync && fsync(fd) != 0))
		ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: version %lld: cannot write %s",
					w->root, (long long)version, tmp);
	if (close(fd) != 0 && ok)
		ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: version %lld: cannot write %s",
					w->root, (long long)version, tmp);
	if (ok && link(tmp, final) != 0) {
		if (errno == EEXIST)
			ok = lk_error_set(err, LK_EEXISTS, "table %s: version %lld was committed by "
					  "another writer first (%s exists); reopen the table and retry",
					  w->root, (long long)version, final);
		else
			ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: version %lld: cannot "
						"link %s to %s", w->root, (long long)version, tmp, final);
	}
	unlink(tmp);
	if (ok && !w->opts.no_fsync)
		ok = fsync_dir(w->log_dir, err);
out:
	free(tmp);
	free(final);
	return ok;
}

static void state_apply(struct delta_writer *w, struct delta_commit *c,
			struct delta_protocol *protocol)
{
	delta_protocol_clear(&w->protocol);
	w->protocol = *protocol;
	if (c->metadata_changed) {
		delta_metadata_clear(&w->metadata);
		w->metadata = c->metadata;
		memset(&c->metadata, 0, sizeof c->metadata);
		if (c->schema) {
			delta_type_free(w->schema);
			w->schema = c->schema;
			c->schema = NULL;
		}
	}
	for (size_t i = 0; i < c->n_removes; i++) {
		live_file_remove(w, c->removes[i].path);
		tombstone_put(w, &c->removes[i]);
		memset(&c->removes[i], 0, sizeof c->removes[i]);
	}
	for (size_t i = 0; i < c->n_adds; i++) {
		struct delta_file_action *a = &c->adds[i].action;
		tombstone_remove(w, a->path);
		struct delta_file f = {
			.path = a->path, .partition_values = a->partition_values, .size = a->size,
			.modification_time = a->modification_time, .stats = a->stats,
		};
		live_file_put(w, &f);
		memset(a, 0, sizeof *a);
	}
	for (size_t i = 0; i < c->n_txns; i++) {
		size_t k = 0;
		while (k < w->n_txns && strcmp(w->txns[k].app_id, c->txns[i].app_id) != 0)
			k++;
		if (k == w->n_txns) {
			w->txns = xreallocarray(w->txns, w->n_txns + 1, sizeof *w->txns);
			w->n_txns++;
		} else {
			free(w->txns[k].app_id);
		}
		w->txns[k] = c->txns[i];
		c->txns[i].app_id = NULL;
	}
	w->version = c->version;
}

static void tombstones_expire(struct delta_writer *w)
{
	int64_t cutoff = now_ms() - retention_ms(&w->metadata);
	size_t kept = 0;
	for (size_t i = 0; i < w->n_tombstones; i++) {
		if (w->tombstones[i].deletion_timestamp < cutoff)
			delta_file_action_clear(&w->tombstones[i]);
		else
			w->tombstones[kept++] = w->tombstones[i];
	}
	w->n_tombstones = kept;
}

bool delta_writer_checkpoint(struct delta_writer *w, struct lk_error *err)
{
	tombstones_expire(w);
	struct delta_checkpoint_state state = {
		.version = w->version,
		.protocol = &w->protocol,
		.metadata = &w->metadata,
		.files = w->files, .n_files = w->n_files,
		.tombstones = w->tombstones, .n_tombstones = w->n_tombstones,
		.txns = w->txns, .n_txns = w->n_txns,
		.domains = w->domains, .n_domains = w->n_domains,
	};
	return delta_checkpoint_write(w->root, &state, !w->opts.no_fsync, err);
}

bool delta_commit_finish(struct delta_commit *c, const char *operation, int64_t *version,
			 struct lk_error *err)
{
	struct delta_writer *w = c->w;
	bool cdf = config_cdf(&c->metadata);
	if (c->n_cdcs > 0 && !cdf) {
		lk_error_set(err, LK_ECDF_DISABLED, "table %s: version %lld: cdc files need the "
			     "Change Data Feed (%s=true)", w->root, (long long)c->version,
			     CDF_PROPERTY);
		commit_free(c, true);
		return false;
	}
	struct delta_protocol protocol;
	protocol_required(w->version >= 0 ? &w->protocol : NULL, cdf,
			  schema_has_ntz(commit_schema(c)), &protocol);
	bool protocol_changed = w->version < 0 || !protocol_equal(&protocol, &w->protocol);
	struct lk_buf lines = LK_BUF_INIT;
	commit_lines(c, operation ? operation : "WRITE", &protocol, protocol_changed, &lines);
	bool ok = commit_file_publish(w, c->version, &lines, err);
	lk_buf_free(&lines);
	if (!ok) {
		delta_protocol_clear(&protocol);
		commit_free(c, true);
		return false;
	}
	state_apply(w, c, &protocol);
	commit_free(c, false);
	if (version)
		*version = w->version;
	w->has_checkpoint_error = false;
	int64_t every = w->opts.checkpoint_interval;
	if (every > 0 && w->version > 0 && w->version % every == 0) {
		lk_error_clear(&w->checkpoint_error);
		w->has_checkpoint_error = !delta_writer_checkpoint(w, &w->checkpoint_error);
	}
	return true;
}
