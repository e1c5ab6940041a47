/* delta/actions.c: one line of a commit (or JSON checkpoint) into one typed action, and a
 * whole newline-delimited file into a stream of actions. Unknown actions and fields are
 * skipped (forward compatibility); paths are percent-decoded exactly once; errors name the
 * file and line through the caller's `where`. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

static const char *const action_names[] = {
	[DELTA_ACTION_PROTOCOL] = "protocol",
	[DELTA_ACTION_METADATA] = "metaData",
	[DELTA_ACTION_ADD] = "add",
	[DELTA_ACTION_REMOVE] = "remove",
	[DELTA_ACTION_CDC] = "cdc",
	[DELTA_ACTION_TXN] = "txn",
	[DELTA_ACTION_DOMAIN_METADATA] = "domainMetadata",
	[DELTA_ACTION_COMMIT_INFO] = "commitInfo",
	[DELTA_ACTION_SIDECAR] = "sidecar",
	[DELTA_ACTION_CHECKPOINT_METADATA] = "checkpointMetadata",
};

enum { N_ACTION_TYPES = sizeof action_names / sizeof action_names[0] };

const char *delta_action_type_name(enum delta_action_type type)
{
	return (unsigned)type < N_ACTION_TYPES ? action_names[type] : "unknown";
}

/* ---- percent decoding --------------------------------------------------------------- */

static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

char *delta_path_decode(const char *path, struct lk_error *err)
{
	size_t n = strlen(path);
	char *out = xmalloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (path[i] != '%') {
			out[k++] = path[i];
			continue;
		}
		int hi = i + 2 < n ? hex_value(path[i + 1]) : -1;
		int lo = hi >= 0 ? hex_value(path[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
			free(out);
			lk_error_set(err, LK_ECORRUPT, "path '%s': bad percent escape at byte %zu",
				     path, i);
			return NULL;
		}
		out[k++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[k] = '\0';
	return out;
}

/* ---- typed field access ------------------------------------------------------------- */

/* A parse context: the action's name, for messages. */
struct field_ctx {
	const char *action;
	struct lk_error *err;
};

static const cJSON *field(const cJSON *obj, const char *name)
{
	const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
	return cJSON_IsNull(item) ? NULL : item;
}

static bool bad_field(struct field_ctx *fc, const char *name, const char *expected)
{
	return lk_error_set(fc->err, LK_ECORRUPT, "%s.%s is not %s", fc->action, name, expected);
}

static bool get_string(struct field_ctx *fc, const cJSON *obj, const char *name, bool required,
		       char **out)
{
	const cJSON *item = field(obj, name);
	if (item == NULL)
		return required ? lk_error_set(fc->err, LK_ECORRUPT, "%s has no %s", fc->action,
					       name)
				: true;
	if (!cJSON_IsString(item))
		return bad_field(fc, name, "a string");
	free(*out);
	*out = xstrdup(item->valuestring);
	return true;
}

/* JSON numbers are doubles in cJSON: integers beyond 2^53 lose their last digits (see
 * doc/delta.md). A number must be integral and in range; a quoted integer is accepted too. */
static bool get_int64(struct field_ctx *fc, const cJSON *obj, const char *name, bool required,
		      bool *present, int64_t *out)
{
	const cJSON *item = field(obj, name);
	if (present)
		*present = item != NULL;
	if (item == NULL)
		return required ? lk_error_set(fc->err, LK_ECORRUPT, "%s has no %s", fc->action,
					       name)
				: true;
	double d = item->valuedouble;
	if (cJSON_IsString(item)) { /* some writers quote longs */
		char *end;
		errno = 0;
		long long v = strtoll(item->valuestring, &end, 10);
		if (errno != 0 || end == item->valuestring || *end != '\0')
			return bad_field(fc, name, "an integer");
		*out = v;
		return true;
	}
	if (!cJSON_IsNumber(item) || !isfinite(d) || d != floor(d) || d < -9.2233720368547758e18 ||
	    d >= 9.2233720368547758e18)
		return bad_field(fc, name, "an integer");
	*out = (int64_t)d;
	return true;
}

static bool get_int32(struct field_ctx *fc, const cJSON *obj, const char *name, bool required,
		      bool *present, int32_t *out)
{
	int64_t v = 0;
	if (!get_int64(fc, obj, name, required, present, &v))
		return false;
	if (v < INT32_MIN || v > INT32_MAX)
		return bad_field(fc, name, "a 32-bit integer");
	*out = (int32_t)v;
	return true;
}

static bool get_bool(struct field_ctx *fc, const cJSON *obj, const char *name, bool *out)
{
	const cJSON *item = field(obj, name);
	if (item == NULL)
		return true;
	if (!cJSON_IsBool(item))
		return bad_field(fc, name, "a boolean");
	*out = cJSON_IsTrue(item);
	return true;
}

static bool get_string_array(struct field_ctx *fc, const cJSON *obj, const char *name,
			     char ***out, size_t *n_out)
{
	const cJSON *item = field(obj, name);
	if (item == NULL)
		return true;
	if (!cJSON_IsArray(item))
		return bad_field(fc, name, "an array of strings");
	size_t n = (size_t)cJSON_GetArraySize(item);
	char **strv = xcalloc(n ? n : 1, sizeof *strv);
	size_t k = 0;
	const cJSON *elem;
	cJSON_ArrayForEach(elem, item) {
		if (!cJSON_IsString(elem)) {
			delta_strv_free(strv, k);
			return bad_field(fc, name, "an array of strings");
		}
		strv[k++] = xstrdup(elem->valuestring);
	}
	*out = strv;
	*n_out = k;
	return true;
}

/* A map of strings; null values are kept as NULL. Numbers and booleans are accepted and
 * kept as their JSON text (some writers emit them unquoted in configuration). */
static bool get_string_map(struct field_ctx *fc, const cJSON *obj, const char *name,
			   struct delta_map *out)
{
	const cJSON *item = field(obj, name);
	if (item == NULL)
		return true;
	if (!cJSON_IsObject(item))
		return bad_field(fc, name, "an object");
	size_t n = (size_t)cJSON_GetArraySize(item);
	out->items = xcalloc(n ? n : 1, sizeof *out->items);
	const cJSON *elem;
	cJSON_ArrayForEach(elem, item) {
		struct delta_kv *kv = &out->items[out->n];
		if (cJSON_IsString(elem)) {
			kv->value = xstrdup(elem->valuestring);
		} else if (cJSON_IsNumber(elem) || cJSON_IsBool(elem)) {
			char *text = cJSON_PrintUnformatted(elem);
			kv->value = xstrdup(text);
			cJSON_free(text);
		} else if (!cJSON_IsNull(elem)) {
			return bad_field(fc, name, "a map of strings");
		}
		kv->key = xstrdup(elem->string ? elem->string : "");
		out->n++;
	}
	return true;
}

static bool get_path(struct field_ctx *fc, const cJSON *obj, char **out)
{
	char *raw = NULL;
	if (!get_string(fc, obj, "path", true, &raw))
		return false;
	*out = delta_path_decode(raw, fc->err);
	free(raw);
	return *out != NULL;
}

/* ---- one action per type ------------------------------------------------------------ */

static bool parse_protocol(struct field_ctx *fc, const cJSON *o, struct delta_protocol *p)
{
	return get_int32(fc, o, "minReaderVersion", true, NULL, &p->min_reader_version) &&
	       get_int32(fc, o, "minWriterVersion", true, NULL, &p->min_writer_version) &&
	       get_string_array(fc, o, "readerFeatures", &p->reader_features,
				&p->n_reader_features) &&
	       get_string_array(fc, o, "writerFeatures", &p->writer_features,
				&p->n_writer_features);
}

static bool parse_metadata(struct field_ctx *fc, const cJSON *o, struct delta_metadata *m)
{
	if (!get_string(fc, o, "id", false, &m->id) || !get_string(fc, o, "name", false, &m->name) ||
	    !get_string(fc, o, "description", false, &m->description) ||
	    !get_string(fc, o, "schemaString", true, &m->schema_string) ||
	    !get_string_array(fc, o, "partitionColumns", &m->partition_columns,
			      &m->n_partition_columns) ||
	    !get_string_map(fc, o, "configuration", &m->configuration) ||
	    !get_int64(fc, o, "createdTime", false, &m->has_created_time, &m->created_time))
		return false;
	const cJSON *format = field(o, "format");
	if (format != NULL && cJSON_IsObject(format)) {
		struct field_ctx ffc = { .action = "metaData.format", .err = fc->err };
		if (!get_string(&ffc, format, "provider", false, &m->format_provider))
			return false;
	}
	return true;
}

static bool parse_dv(struct field_ctx *fc, const cJSON *o, struct delta_file_action *f)
{
	const cJSON *dv = field(o, "deletionVector");
	if (dv == NULL)
		return true;
	if (!cJSON_IsObject(dv))
		return bad_field(fc, "deletionVector", "an object");
	struct field_ctx dfc = { .action = "deletionVector", .err = fc->err };
	char *storage = NULL;
	struct delta_dv_descriptor *d = &f->dv;
	bool ok = get_string(&dfc, dv, "storageType", true, &storage) &&
		  get_string(&dfc, dv, "pathOrInlineDv", true, &d->path_or_inline) &&
		  get_int32(&dfc, dv, "offset", false, &d->has_offset, &d->offset) &&
		  get_int32(&dfc, dv, "sizeInBytes", true, NULL, &d->size_in_bytes) &&
		  get_int64(&dfc, dv, "cardinality", true, NULL, &d->cardinality);
	if (ok && (strlen(storage) != 1 || strchr("uip", storage[0]) == NULL))
		ok = lk_error_set(fc->err, LK_ECORRUPT,
				  "deletionVector.storageType '%s' is not u, i or p", storage);
	if (ok && (d->size_in_bytes < 0 || d->cardinality < 0 || (d->has_offset && d->offset < 0)))
		ok = lk_error_set(fc->err, LK_ECORRUPT, "deletionVector has a negative size");
	if (ok)
		d->storage_type = storage[0];
	free(storage);
	f->has_dv = ok;
	return ok;
}

static bool parse_file(struct field_ctx *fc, const cJSON *o, struct delta_file_action *f)
{
	f->size = -1;
	return get_path(fc, o, &f->path) &&
	       get_string_map(fc, o, "partitionValues", &f->partition_values) &&
	       get_int64(fc, o, "size", false, NULL, &f->size) &&
	       get_int64(fc, o, "modificationTime", false, NULL, &f->modification_time) &&
	       get_bool(fc, o, "dataChange", &f->data_change) &&
	       get_string(fc, o, "stats", false, &f->stats) &&
	       get_string_map(fc, o, "tags", &f->tags) && parse_dv(fc, o, f) &&
	       get_int64(fc, o, "deletionTimestamp", false, &f->has_deletion_timestamp,
			 &f->deletion_timestamp) &&
	       get_bool(fc, o, "extendedFileMetadata", &f->extended_file_metadata) &&
	       get_int64(fc, o, "baseRowId", false, &f->has_base_row_id, &f->base_row_id) &&
	       get_int64(fc, o, "defaultRowCommitVersion", false,
			 &f->has_default_row_commit_version, &f->default_row_commit_version);
}

static bool parse_txn(struct field_ctx *fc, const cJSON *o, struct delta_txn *t)
{
	return get_string(fc, o, "appId", true, &t->app_id) &&
	       get_int64(fc, o, "version", true, NULL, &t->version) &&
	       get_int64(fc, o, "lastUpdated", false, &t->has_last_updated, &t->last_updated);
}

static bool parse_domain(struct field_ctx *fc, const cJSON *o, struct delta_domain_metadata *d)
{
	return get_string(fc, o, "domain", true, &d->domain) &&
	       get_string(fc, o, "configuration", false, &d->configuration) &&
	       get_bool(fc, o, "removed", &d->removed);
}

/* commitInfo is free-form: a field of the wrong type is ignored rather than fatal, except
 * inCommitTimestamp, which snapshots and the change feed rely on. */
static bool parse_commit_info(struct field_ctx *fc, const cJSON *o, struct delta_commit_info *c)
{
	const cJSON *ts = field(o, "timestamp");
	if (cJSON_IsNumber(ts) && fabs(ts->valuedouble) < 9.2e18) {
		c->has_timestamp = true;
		c->timestamp = (int64_t)ts->valuedouble;
	}
	const cJSON *op = field(o, "operation");
	if (cJSON_IsString(op))
		c->operation = xstrdup(op->valuestring);
	return get_int64(fc, o, "inCommitTimestamp", false, &c->has_in_commit_timestamp,
			 &c->in_commit_timestamp);
}

static bool parse_sidecar(struct field_ctx *fc, const cJSON *o, struct delta_sidecar *s)
{
	return get_path(fc, o, &s->path) &&
	       get_int64(fc, o, "sizeInBytes", false, NULL, &s->size_in_bytes) &&
	       get_int64(fc, o, "modificationTime", false, NULL, &s->modification_time);
}

static bool parse_body(enum delta_action_type type, const cJSON *body, struct delta_action *a,
		       struct lk_error *err)
{
	struct field_ctx fc = { .action = action_names[type], .err = err };
	if (!cJSON_IsObject(body))
		return lk_error_set(err, LK_ECORRUPT, "%s is not an object", fc.action);
	switch (type) {
	case DELTA_ACTION_PROTOCOL:
		return parse_protocol(&fc, body, &a->u.protocol);
	case DELTA_ACTION_METADATA:
		return parse_metadata(&fc, body, &a->u.metadata);
	case DELTA_ACTION_ADD:
	case DELTA_ACTION_REMOVE:
	case DELTA_ACTION_CDC:
		return parse_file(&fc, body, &a->u.file);
	case DELTA_ACTION_TXN:
		return parse_txn(&fc, body, &a->u.txn);
	case DELTA_ACTION_DOMAIN_METADATA:
		return parse_domain(&fc, body, &a->u.domain);
	case DELTA_ACTION_COMMIT_INFO:
		return parse_commit_info(&fc, body, &a->u.commit_info);
	case DELTA_ACTION_SIDECAR:
		return parse_sidecar(&fc, body, &a->u.sidecar);
	case DELTA_ACTION_CHECKPOINT_METADATA:
		return get_int64(&fc, body, "version", true, NULL,
				 &a->u.checkpoint_metadata.version);
	}
	return false;
}

static bool is_blank(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return false;
	return true;
}

bool delta_action_parse(const char *line, size_t len, struct delta_action *out, bool *known,
			struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	*known = false;
	if (is_blank(line, len))
		return true;
	if (memchr(line, '\0', len) != NULL)
		return lk_error_set(err, LK_ECORRUPT, "a NUL byte inside the line");
	cJSON *json = cJSON_ParseWithLength(line, len);
	if (json == NULL)
		return lk_error_set(err, LK_ECORRUPT, "not valid JSON");
	bool ok = true;
	if (!cJSON_IsObject(json)) {
		ok = lk_error_set(err, LK_ECORRUPT, "not a JSON object");
		goto done;
	}
	const cJSON *item;
	cJSON_ArrayForEach(item, json) {
		for (unsigned t = 0; t < N_ACTION_TYPES; t++) {
			if (item->string == NULL || strcmp(item->string, action_names[t]) != 0)
				continue;
			out->type = (enum delta_action_type)t;
			ok = parse_body(out->type, item, out, err);
			if (!ok)
				delta_action_clear(out);
			*known = ok;
			goto done;
		}
	}
done:
	cJSON_Delete(json);
	return ok;
}

/* ---- files of actions --------------------------------------------------------------- */

static bool dispatch_line(const char *line, size_t len, const char *where, size_t line_no,
			  delta_action_fn fn, void *ctx, bool *stop, struct lk_error *err)
{
	struct delta_action action;
	bool known;
	if (!delta_action_parse(line, len, &action, &known, err))
		return lk_error_prefix(err, "%s, line %zu", where, line_no);
	if (!known)
		return true;
	enum delta_visit visit = fn(ctx, &action, err);
	delta_action_clear(&action);
	if (visit == DELTA_VISIT_ERROR)
		return false;
	*stop = visit == DELTA_VISIT_STOP;
	return true;
}

bool delta_actions_read_buffer(const char *data, size_t len, const char *where,
			       delta_action_fn fn, void *ctx, struct lk_error *err)
{
	size_t line_no = 0;
	bool stop = false;
	for (size_t pos = 0; pos < len && !stop;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (data + pos)) : len - pos;
		line_no++;
		if (!dispatch_line(data + pos, line_len, where, line_no, fn, ctx, &stop, err))
			return false;
		pos += line_len + 1;
	}
	return true;
}

bool delta_actions_read_file(const char *path, const char *where, delta_action_fn fn,
			     void *ctx, struct lk_error *err)
{
	FILE *fp = fopen(path, "rb");
	if (fp == NULL)
		return lk_error_set_errno(err, errno == ENOENT ? LK_ELOG_TRUNCATED : LK_EIO, errno,
					  "%s: cannot open %s", where, path);
	char *line = NULL;
	size_t cap = 0;
	ssize_t got;
	size_t line_no = 0;
	bool ok = true, stop = false;
	while (ok && !stop && (got = getline(&line, &cap, fp)) >= 0) {
		line_no++;
		ok = dispatch_line(line, (size_t)got, where, line_no, fn, ctx, &stop, err);
	}
	if (ok && ferror(fp))
		ok = lk_error_set_errno(err, LK_EIO, errno, "%s: read error", where);
	free(line);
	fclose(fp);
	return ok;
}
