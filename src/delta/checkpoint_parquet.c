/* delta/checkpoint_parquet.c: one Parquet file of a checkpoint (a classic or multi-part
 * checkpoint part, a UUID-named .parquet checkpoint, or a V2 sidecar) as a stream of actions.
 * Reads row group by row group with the project's Parquet reader, projecting only the action
 * fields the log layer uses (never stats_parsed or partitionValues_parsed), and turns each
 * row's one non-null action into a struct delta_action, as actions.c does for a JSON line.
 * Fields a writer left out read as null. Knows nothing of how checkpoints are chosen or how
 * parts and sidecars fit together (checkpoint.c). */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delta/internal.h"
#include "parquet/parquet.h"
#include "util/xmalloc.h"

/* ---- the checkpoint schema lakesync reads, as data ---------------------------------- */

enum value_kind {
	VALUE_STRING,
	VALUE_INT,
	VALUE_BOOL,
	VALUE_STRING_MAP,
	VALUE_STRING_LIST,
	VALUE_STRUCT,
};

struct field_spec {
	const char *name;
	enum value_kind kind;
	const struct field_spec *children; /* VALUE_STRUCT */
	size_t n_children;
};

enum { MAX_FIELDS = 12 };

#define FIELDS(table) table, sizeof table / sizeof table[0]

enum { DV_STORAGE_TYPE, DV_PATH_OR_INLINE, DV_OFFSET, DV_SIZE_IN_BYTES, DV_CARDINALITY };
static const struct field_spec dv_fields[] = {
	[DV_STORAGE_TYPE] = { "storageType", VALUE_STRING },
	[DV_PATH_OR_INLINE] = { "pathOrInlineDv", VALUE_STRING },
	[DV_OFFSET] = { "offset", VALUE_INT },
	[DV_SIZE_IN_BYTES] = { "sizeInBytes", VALUE_INT },
	[DV_CARDINALITY] = { "cardinality", VALUE_INT },
};

/* add and remove share one shape; fields an action does not carry are absent (null). */
enum { FILE_PATH, FILE_PARTITION_VALUES, FILE_SIZE, FILE_MODIFICATION_TIME, FILE_DATA_CHANGE,
       FILE_STATS, FILE_TAGS, FILE_DV, FILE_DELETION_TIMESTAMP, FILE_EXTENDED_METADATA,
       FILE_BASE_ROW_ID, FILE_DEFAULT_ROW_COMMIT_VERSION };
static const struct field_spec file_fields[] = {
	[FILE_PATH] = { "path", VALUE_STRING },
	[FILE_PARTITION_VALUES] = { "partitionValues", VALUE_STRING_MAP },
	[FILE_SIZE] = { "size", VALUE_INT },
	[FILE_MODIFICATION_TIME] = { "modificationTime", VALUE_INT },
	[FILE_DATA_CHANGE] = { "dataChange", VALUE_BOOL },
	[FILE_STATS] = { "stats", VALUE_STRING },
	[FILE_TAGS] = { "tags", VALUE_STRING_MAP },
	[FILE_DV] = { "deletionVector", VALUE_STRUCT, FIELDS(dv_fields) },
	[FILE_DELETION_TIMESTAMP] = { "deletionTimestamp", VALUE_INT },
	[FILE_EXTENDED_METADATA] = { "extendedFileMetadata", VALUE_BOOL },
	[FILE_BASE_ROW_ID] = { "baseRowId", VALUE_INT },
	[FILE_DEFAULT_ROW_COMMIT_VERSION] = { "defaultRowCommitVersion", VALUE_INT },
};

enum { PROTOCOL_READER, PROTOCOL_WRITER, PROTOCOL_READER_FEATURES, PROTOCOL_WRITER_FEATURES };
static const struct field_spec protocol_fields[] = {
	[PROTOCOL_READER] = { "minReaderVersion", VALUE_INT },
	[PROTOCOL_WRITER] = { "minWriterVersion", VALUE_INT },
	[PROTOCOL_READER_FEATURES] = { "readerFeatures", VALUE_STRING_LIST },
	[PROTOCOL_WRITER_FEATURES] = { "writerFeatures", VALUE_STRING_LIST },
};

enum { FORMAT_PROVIDER };
static const struct field_spec format_fields[] = {
	[FORMAT_PROVIDER] = { "provider", VALUE_STRING },
};

enum { META_ID, META_NAME, META_DESCRIPTION, META_FORMAT, META_SCHEMA, META_PARTITION_COLUMNS,
       META_CONFIGURATION, META_CREATED_TIME };
static const struct field_spec metadata_fields[] = {
	[META_ID] = { "id", VALUE_STRING },
	[META_NAME] = { "name", VALUE_STRING },
	[META_DESCRIPTION] = { "description", VALUE_STRING },
	[META_FORMAT] = { "format", VALUE_STRUCT, FIELDS(format_fields) },
	[META_SCHEMA] = { "schemaString", VALUE_STRING },
	[META_PARTITION_COLUMNS] = { "partitionColumns", VALUE_STRING_LIST },
	[META_CONFIGURATION] = { "configuration", VALUE_STRING_MAP },
	[META_CREATED_TIME] = { "createdTime", VALUE_INT },
};

enum { TXN_APP_ID, TXN_VERSION, TXN_LAST_UPDATED };
static const struct field_spec txn_fields[] = {
	[TXN_APP_ID] = { "appId", VALUE_STRING },
	[TXN_VERSION] = { "version", VALUE_INT },
	[TXN_LAST_UPDATED] = { "lastUpdated", VALUE_INT },
};

enum { DOMAIN_NAME, DOMAIN_CONFIGURATION, DOMAIN_REMOVED };
static const struct field_spec domain_fields[] = {
	[DOMAIN_NAME] = { "domain", VALUE_STRING },
	[DOMAIN_CONFIGURATION] = { "configuration", VALUE_STRING },
	[DOMAIN_REMOVED] = { "removed", VALUE_BOOL },
};

enum { CHECKPOINT_METADATA_VERSION };
static const struct field_spec checkpoint_metadata_fields[] = {
	[CHECKPOINT_METADATA_VERSION] = { "version", VALUE_INT },
};

enum { SIDECAR_PATH, SIDECAR_SIZE_IN_BYTES, SIDECAR_MODIFICATION_TIME };
static const struct field_spec sidecar_fields[] = {
	[SIDECAR_PATH] = { "path", VALUE_STRING },
	[SIDECAR_SIZE_IN_BYTES] = { "sizeInBytes", VALUE_INT },
	[SIDECAR_MODIFICATION_TIME] = { "modificationTime", VALUE_INT },
};

/* The top-level columns of a checkpoint. A sidecar holds only add and remove rows. */
struct action_spec {
	const char *name;
	enum delta_action_type type;
	const struct field_spec *fields;
	size_t n_fields;
	bool in_sidecar;
};

static const struct action_spec action_specs[] = {
	{ "txn", DELTA_ACTION_TXN, FIELDS(txn_fields), false },
	{ "add", DELTA_ACTION_ADD, FIELDS(file_fields), true },
	{ "remove", DELTA_ACTION_REMOVE, FIELDS(file_fields), true },
	{ "metaData", DELTA_ACTION_METADATA, FIELDS(metadata_fields), false },
	{ "protocol", DELTA_ACTION_PROTOCOL, FIELDS(protocol_fields), false },
	{ "domainMetadata", DELTA_ACTION_DOMAIN_METADATA, FIELDS(domain_fields), false },
	{ "checkpointMetadata", DELTA_ACTION_CHECKPOINT_METADATA,
	  FIELDS(checkpoint_metadata_fields), false },
	{ "sidecar", DELTA_ACTION_SIDECAR, FIELDS(sidecar_fields), false },
};

enum { N_ACTION_SPECS = sizeof action_specs / sizeof action_specs[0] };

/* ---- one file's projection and one batch's columns ---------------------------------- */

/* Which action field a projected column holds. */
struct projected {
	size_t action;
	size_t field;
};

/* The columns of one action in the current batch; NULL where the file has no such field.
 * `nested` holds the children of the action's one struct-typed field (deletionVector,
 * format). */
struct action_columns {
	const struct lk_vector *col[MAX_FIELDS];
	const struct lk_vector *nested[MAX_FIELDS];
	bool projected;
};

struct checkpoint_file {
	const char *where;
	struct pq_file *file;
	struct pq_reader *reader;
	struct projected *projection;
	size_t n_projected;
	struct action_columns actions[N_ACTION_SPECS];
	size_t row_group;  /* index in the file, for messages */
};

static const struct pq_schema_node *node_child(const struct pq_schema_node *node,
					       const char *name)
{
	for (size_t i = 0; i < node->n_children; i++)
		if (strcmp(node->children[i].name, name) == 0)
			return &node->children[i];
	return NULL;
}

static const struct lk_vector *vector_child(const struct lk_vector *vec, const char *name)
{
	for (size_t i = 0; i < vec->n_children; i++)
		if (vec->children[i].name != NULL && strcmp(vec->children[i].name, name) == 0)
			return &vec->children[i];
	return NULL;
}

/* Projects the fields of every action column the file has; absent ones stay unprojected. */
static bool checkpoint_file_project(struct checkpoint_file *cf, bool sidecar,
				    struct lk_error *err)
{
	const struct pq_schema_node *root = pq_file_schema(cf->file);
	const struct pq_schema_node **nodes = xcalloc(N_ACTION_SPECS * MAX_FIELDS, sizeof *nodes);
	cf->projection = xcalloc(N_ACTION_SPECS * MAX_FIELDS, sizeof *cf->projection);
	bool ok = true;
	for (size_t a = 0; a < N_ACTION_SPECS && ok; a++) {
		const struct action_spec *spec = &action_specs[a];
		const struct pq_schema_node *top = node_child(root, spec->name);
		if (top == NULL || (sidecar && !spec->in_sidecar))
			continue;
		if (top->type != LK_TYPE_STRUCT) {
			ok = lk_error_set(err, LK_ECORRUPT, "%s: column %s is %s, not a struct",
					  cf->where, spec->name, lk_type_name(top->type));
			break;
		}
		for (size_t f = 0; f < spec->n_fields; f++) {
			const struct pq_schema_node *child = node_child(top, spec->fields[f].name);
			if (child == NULL)
				continue;
			nodes[cf->n_projected] = child;
			cf->projection[cf->n_projected++] = (struct projected){ a, f };
			cf->actions[a].projected = true;
		}
	}
	if (ok && cf->n_projected == 0)
		ok = lk_error_set(err, LK_ECORRUPT, "%s: no action column (%s)", cf->where,
				  sidecar ? "add, remove" : "add, remove, metaData, protocol, ...");
	if (ok) {
		cf->reader = pq_reader_open_nodes(cf->file, nodes, cf->n_projected, err);
		ok = cf->reader != NULL;
		if (!ok)
			lk_error_prefix(err, "%s", cf->where);
	}
	free(nodes);
	return ok;
}

static bool kind_accepts(enum value_kind kind, const struct lk_vector *vec)
{
	enum lk_type_id t = vec->type;
	if (t == LK_TYPE_NULL)
		return true;
	switch (kind) {
	case VALUE_STRING:
		return t == LK_TYPE_STRING || t == LK_TYPE_BINARY || t == LK_TYPE_JSON;
	case VALUE_INT:
		return t == LK_TYPE_INT8 || t == LK_TYPE_INT16 || t == LK_TYPE_INT32 ||
		       t == LK_TYPE_INT64 || t == LK_TYPE_UINT8 || t == LK_TYPE_UINT16 ||
		       t == LK_TYPE_UINT32;
	case VALUE_BOOL:
		return t == LK_TYPE_BOOLEAN;
	case VALUE_STRING_MAP:
		return t == LK_TYPE_MAP && vec->n_children == 2 &&
		       kind_accepts(VALUE_STRING, &vec->children[0]) &&
		       kind_accepts(VALUE_STRING, &vec->children[1]);
	case VALUE_STRING_LIST:
		return t == LK_TYPE_LIST && vec->n_children == 1 &&
		       kind_accepts(VALUE_STRING, &vec->children[0]);
	case VALUE_STRUCT:
		return t == LK_TYPE_STRUCT;
	}
	return false;
}

static const char *const kind_names[] = {
	[VALUE_STRING] = "a string",
	[VALUE_INT] = "an integer",
	[VALUE_BOOL] = "a boolean",
	[VALUE_STRING_MAP] = "a map of strings",
	[VALUE_STRING_LIST] = "a list of strings",
	[VALUE_STRUCT] = "a struct",
};

static bool check_kind(const struct checkpoint_file *cf, const char *action,
		       const struct field_spec *spec, const char *parent,
		       const struct lk_vector *vec, struct lk_error *err)
{
	if (kind_accepts(spec->kind, vec))
		return true;
	return lk_error_set(err, LK_ECORRUPT, "%s, row group %zu: column %s.%s%s%s is %s, not %s",
			    cf->where, cf->row_group, action, parent ? parent : "",
			    parent ? "." : "", spec->name, lk_type_name(vec->type),
			    kind_names[spec->kind]);
}

/* Points each action's columns at the batch's vectors, checking their types. */
static bool checkpoint_file_bind(struct checkpoint_file *cf, const struct lk_batch *batch,
				 struct lk_error *err)
{
	for (size_t i = 0; i < cf->n_projected; i++) {
		const struct projected *p = &cf->projection[i];
		const struct action_spec *spec = &action_specs[p->action];
		const struct field_spec *field = &spec->fields[p->field];
		const struct lk_vector *vec = &batch->columns[i];
		struct action_columns *ac = &cf->actions[p->action];
		if (!check_kind(cf, spec->name, field, NULL, vec, err))
			return false;
		ac->col[p->field] = vec;
		if (field->kind != VALUE_STRUCT)
			continue;
		for (size_t k = 0; k < field->n_children; k++) {
			const struct field_spec *sub = &field->children[k];
			const struct lk_vector *child = vec->type == LK_TYPE_NULL
								? NULL
								: vector_child(vec, sub->name);
			if (child != NULL && !check_kind(cf, spec->name, sub, field->name, child, err))
				return false;
			ac->nested[k] = child;
		}
	}
	return true;
}

/* ---- cell values -------------------------------------------------------------------- */

static bool cell_set(const struct lk_vector *vec, size_t row)
{
	return vec != NULL && !lk_vector_is_null(vec, row);
}

static int64_t cell_int(const struct lk_vector *vec, size_t row)
{
	if (vec->type == LK_TYPE_INT64 || vec->type == LK_TYPE_UINT32)
		return vec->v.i64[row];
	return vec->v.i32[row];
}

/* A NUL-terminated copy of a string entry; NULL (with LK_ECORRUPT) for an embedded NUL. */
static char *bytes_dup(const struct lk_bytes *b, const char *what, struct lk_error *err)
{
	if (b->len > 0 && memchr(b->ptr, '\0', b->len) != NULL) {
		lk_error_set(err, LK_ECORRUPT, "%s holds a NUL byte", what);
		return NULL;
	}
	char *s = xmalloc((size_t)b->len + 1);
	if (b->len > 0)
		memcpy(s, b->ptr, b->len);
	s[b->len] = '\0';
	return s;
}

/* A field name for messages: "add.path", "add.deletionVector.offset". */
struct cell_ctx {
	const char *action;
	const char *parent; /* the struct field, or NULL */
	char what[128];
	struct lk_error *err;
};

static const char *cell_name(struct cell_ctx *cc, const char *field)
{
	snprintf(cc->what, sizeof cc->what, "%s.%s%s%s", cc->action, cc->parent ? cc->parent : "",
		 cc->parent ? "." : "", field);
	return cc->what;
}

static bool missing(struct cell_ctx *cc, const char *field)
{
	return lk_error_set(cc->err, LK_ECORRUPT, "%s is missing (null)", cell_name(cc, field));
}

/* Copies a string field into *out (left alone when null); required fields must be set. */
static bool get_string(struct cell_ctx *cc, const struct lk_vector *vec, size_t row,
		       const char *field, bool required, char **out)
{
	if (!cell_set(vec, row))
		return required ? missing(cc, field) : true;
	free(*out);
	*out = bytes_dup(&vec->v.bytes[row], cell_name(cc, field), cc->err);
	return *out != NULL;
}

static bool get_int64(struct cell_ctx *cc, const struct lk_vector *vec, size_t row,
		      const char *field, bool required, bool *present, int64_t *out)
{
	bool set = cell_set(vec, row);
	if (present != NULL)
		*present = set;
	if (!set)
		return required ? missing(cc, field) : true;
	*out = cell_int(vec, row);
	return true;
}

static bool get_int32(struct cell_ctx *cc, const struct lk_vector *vec, size_t row,
		      const char *field, bool required, bool *present, int32_t *out)
{
	int64_t v = 0;
	if (!get_int64(cc, vec, row, field, required, present, &v))
		return false;
	if (v < INT32_MIN || v > INT32_MAX)
		return lk_error_set(cc->err, LK_ECORRUPT, "%s is %lld, not a 32-bit integer",
				    cell_name(cc, field), (long long)v);
	*out = (int32_t)v;
	return true;
}

static void get_bool(const struct lk_vector *vec, size_t row, bool *out)
{
	if (cell_set(vec, row))
		*out = vec->v.u8[row] != 0;
}

/* A string map; null values stay NULL, null keys are corrupt. Entries keep the file order. */
static bool get_string_map(struct cell_ctx *cc, const struct lk_vector *vec, size_t row,
			   const char *field, struct delta_map *out)
{
	if (!cell_set(vec, row))
		return true;
	uint32_t begin = vec->offsets[row], end = vec->offsets[row + 1];
	const struct lk_vector *keys = &vec->children[0], *values = &vec->children[1];
	out->items = xcalloc(end > begin ? end - begin : 1, sizeof *out->items);
	for (uint32_t i = begin; i < end; i++) {
		struct delta_kv *kv = &out->items[out->n];
		if (!cell_set(keys, i))
			return lk_error_set(cc->err, LK_ECORRUPT, "%s has a null key",
					    cell_name(cc, field));
		kv->key = bytes_dup(&keys->v.bytes[i], cell_name(cc, field), cc->err);
		if (kv->key == NULL)
			return false;
		out->n++;
		if (cell_set(values, i)) {
			kv->value = bytes_dup(&values->v.bytes[i], cell_name(cc, field), cc->err);
			if (kv->value == NULL)
				return false;
		}
	}
	return true;
}

/* A list of strings; a null list stays NULL (old protocols' readerFeatures). */
static bool get_string_list(struct cell_ctx *cc, const struct lk_vector *vec, size_t row,
			    const char *field, char ***out, size_t *n_out)
{
	if (!cell_set(vec, row))
		return true;
	uint32_t begin = vec->offsets[row], end = vec->offsets[row + 1];
	const struct lk_vector *elements = &vec->children[0];
	char **strv = xcalloc(end > begin ? end - begin : 1, sizeof *strv);
	size_t n = 0;
	for (uint32_t i = begin; i < end; i++) {
		char *s = NULL;
		if (!cell_set(elements, i))
			lk_error_set(cc->err, LK_ECORRUPT, "%s has a null element",
				     cell_name(cc, field));
		else
			s = bytes_dup(&elements->v.bytes[i], cell_name(cc, field), cc->err);
		if (s == NULL) {
			delta_strv_free(strv, n);
			return false;
		}
		strv[n++] = s;
	}
	*out = strv;
	*n_out = n;
	return true;
}

/* ---- one action per type ------------------------------------------------------------ */

static bool read_dv(struct cell_ctx *cc, const struct action_columns *ac, size_t row,
		    struct delta_file_action *f)
{
	if (!cell_set(ac->col[FILE_DV], row))
		return true;
	const struct lk_vector *const *c = ac->nested;
	struct cell_ctx dcc = { .action = cc->action, .parent = "deletionVector", .err = cc->err };
	struct delta_dv_descriptor *d = &f->dv;
	char *storage = NULL;
	bool ok = get_string(&dcc, c[DV_STORAGE_TYPE], row, "storageType", true, &storage) &&
		  get_string(&dcc, c[DV_PATH_OR_INLINE], row, "pathOrInlineDv", true,
			     &d->path_or_inline) &&
		  get_int32(&dcc, c[DV_OFFSET], row, "offset", false, &d->has_offset, &d->offset) &&
		  get_int32(&dcc, c[DV_SIZE_IN_BYTES], row, "sizeInBytes", true, NULL,
			    &d->size_in_bytes) &&
		  get_int64(&dcc, c[DV_CARDINALITY], row, "cardinality", true, NULL,
			    &d->cardinality);
	if (ok && (strlen(storage) != 1 || strchr("uip", storage[0]) == NULL))
		ok = lk_error_set(cc->err, LK_ECORRUPT,
				  "%s.deletionVector.storageType '%s' is not u, i or p", cc->action,
				  storage);
	if (ok && (d->size_in_bytes < 0 || d->cardinality < 0 || (d->has_offset && d->offset < 0)))
		ok = lk_error_set(cc->err, LK_ECORRUPT, "%s.deletionVector has a negative size",
				  cc->action);
	if (ok)
		d->storage_type = storage[0];
	free(storage);
	f->has_dv = ok;
	return ok;
}

static bool read_path(struct cell_ctx *cc, const struct lk_vector *vec, size_t row, char **out)
{
	char *raw = NULL;
	if (!get_string(cc, vec, row, "path", true, &raw))
		return false;
	*out = delta_path_decode(raw, cc->err);
	free(raw);
	return *out != NULL;
}

static bool read_file_action(struct cell_ctx *cc, const struct action_columns *ac, size_t row,
			     struct delta_file_action *f)
{
	const struct lk_vector *const *c = ac->col;
	f->size = -1;
	get_bool(c[FILE_DATA_CHANGE], row, &f->data_change);
	get_bool(c[FILE_EXTENDED_METADATA], row, &f->extended_file_metadata);
	return read_path(cc, c[FILE_PATH], row, &f->path) &&
	       get_string_map(cc, c[FILE_PARTITION_VALUES], row, "partitionValues",
			      &f->partition_values) &&
	       get_int64(cc, c[FILE_SIZE], row, "size", false, NULL, &f->size) &&
	       get_int64(cc, c[FILE_MODIFICATION_TIME], row, "modificationTime", false, NULL,
			 &f->modification_time) &&
	       get_string(cc, c[FILE_STATS], row, "stats", false, &f->stats) &&
	       get_string_map(cc, c[FILE_TAGS], row, "tags", &f->tags) && read_dv(cc, ac, row, f) &&
	       get_int64(cc, c[FILE_DELETION_TIMESTAMP], row, "deletionTimestamp", false,
			 &f->has_deletion_timestamp, &f->deletion_timestamp) &&
	       get_int64(cc, c[FILE_BASE_ROW_ID], row, "baseRowId", false, &f->has_base_row_id,
			 &f->base_row_id) &&
	       get_int64(cc, c[FILE_DEFAULT_ROW_COMMIT_VERSION], row, "defaultRowCommitVersion",
			 false, &f->has_default_row_commit_version, &f->default_row_commit_version);
}

static bool read_protocol(struct cell_ctx *cc, const struct action_columns *ac, size_t row,
			  struct delta_protocol *p)
{
	const struct lk_vector *const *c = ac->col;
	return get_int32(cc, c[PROTOCOL_READER], row, "minReaderVersion", true, NULL,
			 &p->min_reader_version) &&
	       get_int32(cc, c[PROTOCOL_WRITER], row, "minWriterVersion", true, NULL,
			 &p->min_writer_version) &&
	       get_string_list(cc, c[PROTOCOL_READER_FEATURES], row, "readerFeatures",
			       &p->reader_features, &p->n_reader_features) &&
	       get_string_list(cc, c[PROTOCOL_WRITER_FEATURES], row, "writerFeatures",
			       &p->writer_features, &p->n_writer_features);
}

static bool read_metadata(struct cell_ctx *cc, const struct action_columns *ac, size_t row,
			  struct delta_metadata *m)
{
	const struct lk_vector *const *c = ac->col;
	struct cell_ctx fcc = { .action = cc->action, .parent = "format", .err = cc->err };
	bool has_format = cell_set(c[META_FORMAT], row);
	return get_string(cc, c[META_ID], row, "id", false, &m->id) &&
	       get_string(cc, c[META_NAME], row, "name", false, &m->name) &&
	       get_string(cc, c[META_DESCRIPTION], row, "description", false, &m->description) &&
	       (!has_format || get_string(&fcc, ac->nested[FORMAT_PROVIDER], row, "provider",
					  false, &m->format_provider)) &&
	       get_string(cc, c[META_SCHEMA], row, "schemaString", true, &m->schema_string) &&
	       get_string_list(cc, c[META_PARTITION_COLUMNS], row, "partitionColumns",
			       &m->partition_columns, &m->n_partition_columns) &&
	       get_string_map(cc, c[META_CONFIGURATION], row, "configuration",
			      &m->configuration) &&
	       get_int64(cc, c[META_CREATED_TIME], row, "createdTime", false, &m->has_created_time,
			 &m->created_time);
}

static bool read_txn(struct cell_ctx *cc, const struct action_columns *ac, size_t row,
		     struct delta_txn *t)
{
	const struct lk_vector *const *c = ac->col;
	return get_string(cc, c[TXN_APP_ID], row, "appId", true, &t->app_id) &&
	       get_int64(cc, c[TXN_VERSION], row, "version", true, NULL, &t->version) &&
	       get_int64(cc, c[TXN_LAST_UPDATED], row, "lastUpdated", false, &t->has_last_updated,
			 &t->last_updated);
}

static bool read_domain(struct cell_ctx *cc, const struct action_columns *ac, size_t row,
			struct delta_domain_metadata *d)
{
	const struct lk_vector *const *c = ac->col;
	get_bool(c[DOMAIN_REMOVED], row, &d->removed);
	return get_string(cc, c[DOMAIN_NAME], row, "domain", true, &d->domain) &&
	       get_string(cc, c[DOMAIN_CONFIGURATION], row, "configuration", false,
			  &d->configuration);
}

static bool read_sidecar(struct cell_ctx *cc, const struct action_columns *ac, size_t row,
			 struct delta_sidecar *s)
{
	const struct lk_vector *const *c = ac->col;
	return read_path(cc, c[SIDECAR_PATH], row, &s->path) &&
	       get_int64(cc, c[SIDECAR_SIZE_IN_BYTES], row, "sizeInBytes", false, NULL,
			 &s->size_in_bytes) &&
	       get_int64(cc, c[SIDECAR_MODIFICATION_TIME], row, "modificationTime", false, NULL,
			 &s->modification_time);
}

static bool read_action(size_t a, const struct action_columns *ac, size_t row,
			struct delta_action *out, struct lk_error *err)
{
	const struct action_spec *spec = &action_specs[a];
	struct cell_ctx cc = { .action = spec->name, .err = err };
	memset(out, 0, sizeof *out);
	out->type = spec->type;
	switch (spec->type) {
	case DELTA_ACTION_PROTOCOL:
		return read_protocol(&cc, ac, row, &out->u.protocol);
	case DELTA_ACTION_METADATA:
		return read_metadata(&cc, ac, row, &out->u.metadata);
	case DELTA_ACTION_ADD:
	case DELTA_ACTION_REMOVE:
		return read_file_action(&cc, ac, row, &out->u.file);
	case DELTA_ACTION_TXN:
		return read_txn(&cc, ac, row, &out->u.txn);
	case DELTA_ACTION_DOMAIN_METADATA:
		return read_domain(&cc, ac, row, &out->u.domain);
	case DELTA_ACTION_CHECKPOINT_METADATA:
		return get_int64(&cc, ac->col[CHECKPOINT_METADATA_VERSION], row, "version", true,
				 NULL, &out->u.checkpoint_metadata.version);
	case DELTA_ACTION_SIDECAR:
		return read_sidecar(&cc, ac, row, &out->u.sidecar);
	case DELTA_ACTION_CDC:
	case DELTA_ACTION_COMMIT_INFO:
		break;
	}
	return lk_error_set(err, LK_EINTERNAL, "checkpoint column %s has no reader", spec->name);
}

/* ---- rows --------------------------------------------------------------------------- */

/* A projected field that is set means its action's struct is set: a null struct makes every
 * field below it null. */
static bool action_present(const struct action_columns *ac, size_t n_fields, size_t row)
{
	for (size_t f = 0; f < n_fields; f++)
		if (cell_set(ac->col[f], row))
			return true;
	return false;
}

/* The action of row `row` (*found false when every action column is null). */
static bool row_action(const struct checkpoint_file *cf, size_t row, size_t *action, bool *found,
		       struct lk_error *err)
{
	*found = false;
	for (size_t a = 0; a < N_ACTION_SPECS; a++) {
		const struct action_columns *ac = &cf->actions[a];
		if (!ac->projected || !action_present(ac, action_specs[a].n_fields, row))
			continue;
		if (*found)
			return lk_error_set(err, LK_ECORRUPT, "the row holds two actions, %s and %s",
					    action_specs[*action].name, action_specs[a].name);
		*action = a;
		*found = true;
	}
	return true;
}

/* Passes the batch's actions to fn. *stop is set when fn asked to stop. */
static bool checkpoint_file_rows(struct checkpoint_file *cf, const struct lk_batch *batch,
				 delta_action_fn fn, void *ctx, bool *stop, struct lk_error *err)
{
	for (size_t row = 0; row < batch->n_rows && !*stop; row++) {
		size_t a = 0;
		bool found;
		struct delta_action action;
		if (!row_action(cf, row, &a, &found, err))
			return lk_error_prefix(err, "%s, row group %zu, row %zu", cf->where,
					       cf->row_group, row);
		if (!found)
			continue;
		if (!read_action(a, &cf->actions[a], row, &action, err)) {
			delta_action_clear(&action);
			return lk_error_prefix(err, "%s, row group %zu, row %zu", cf->where,
					       cf->row_group, row);
		}
		enum delta_visit visit = fn(ctx, &action, err);
		delta_action_clear(&action);
		if (visit == DELTA_VISIT_ERROR)
			return false;
		*stop = visit == DELTA_VISIT_STOP;
	}
	return true;
}

/* The reader skips row groups without rows; keep the index of the one it returns. */
static void checkpoint_file_next_row_group(struct checkpoint_file *cf, bool first)
{
	if (!first)
		cf->row_group++;
	size_t n = pq_file_num_row_groups(cf->file);
	while (cf->row_group < n && pq_file_row_group_rows(cf->file, cf->row_group) == 0)
		cf->row_group++;
}

static void checkpoint_file_close(struct checkpoint_file *cf)
{
	pq_reader_close(cf->reader);
	pq_file_close(cf->file);
	free(cf->projection);
}

bool delta_checkpoint_parquet_read(const char *path, const char *where, bool sidecar,
				   delta_action_fn fn, void *ctx, struct lk_error *err)
{
	struct checkpoint_file cf = { .where = where };
	cf.file = pq_file_open(path, err);
	if (cf.file == NULL)
		return lk_error_prefix(err, "%s", where);
	bool ok = checkpoint_file_project(&cf, sidecar, err);
	bool stop = false;
	for (bool first = true; ok && !stop; first = false) {
		struct lk_batch *batch = NULL;
		ok = pq_reader_next(cf.reader, &batch, err);
		if (!ok)
			lk_error_prefix(err, "%s", where);
		if (!ok || batch == NULL)
			break;
		checkpoint_file_next_row_group(&cf, first);
		ok = checkpoint_file_bind(&cf, batch, err) &&
		     checkpoint_file_rows(&cf, batch, fn, ctx, &stop, err);
		lk_batch_free(batch);
	}
	checkpoint_file_close(&cf);
	return ok;
}
