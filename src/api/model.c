/* api/model.c: SyncedDatabaseTable <-> JSON, enums, request validation (see model.h). */
#include "config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/model.h"
#include "catalog/catalog.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/xmalloc.h"

static const char *const policy_names[MODEL_POLICY_COUNT] = {
	[MODEL_POLICY_UNSET] = NULL,
	[MODEL_POLICY_SNAPSHOT] = "SNAPSHOT",
	[MODEL_POLICY_TRIGGERED] = "TRIGGERED",
	[MODEL_POLICY_CONTINUOUS] = "CONTINUOUS",
};

/* SYNCED_TABLED_OFFLINE is spelled so in the real enum. */
static const char *const state_names[MODEL_STATE_COUNT] = {
	[MODEL_STATE_UNSET] = NULL,
	[MODEL_STATE_PROVISIONING] = "SYNCED_TABLE_PROVISIONING",
	[MODEL_STATE_PROVISIONING_PIPELINE_RESOURCES] = "SYNCED_TABLE_PROVISIONING_PIPELINE_RESOURCES",
	[MODEL_STATE_PROVISIONING_INITIAL_SNAPSHOT] = "SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT",
	[MODEL_STATE_ONLINE] = "SYNCED_TABLE_ONLINE",
	[MODEL_STATE_ONLINE_CONTINUOUS_UPDATE] = "SYNCED_TABLE_ONLINE_CONTINUOUS_UPDATE",
	[MODEL_STATE_ONLINE_TRIGGERED_UPDATE] = "SYNCED_TABLE_ONLINE_TRIGGERED_UPDATE",
	[MODEL_STATE_ONLINE_NO_PENDING_UPDATE] = "SYNCED_TABLE_ONLINE_NO_PENDING_UPDATE",
	[MODEL_STATE_ONLINE_PIPELINE_FAILED] = "SYNCED_TABLE_ONLINE_PIPELINE_FAILED",
	[MODEL_STATE_OFFLINE_FAILED] = "SYNCED_TABLE_OFFLINE_FAILED",
	[MODEL_STATE_ONLINE_UPDATING_PIPELINE_RESOURCES] =
		"SYNCED_TABLE_ONLINE_UPDATING_PIPELINE_RESOURCES",
	[MODEL_STATE_OFFLINE] = "SYNCED_TABLED_OFFLINE",
};

static const char *const uc_state_names[MODEL_UC_COUNT] = {
	[MODEL_UC_UNSET] = NULL,
	[MODEL_UC_PROVISIONING] = "PROVISIONING",
	[MODEL_UC_ACTIVE] = "ACTIVE",
	[MODEL_UC_FAILED] = "FAILED",
	[MODEL_UC_DELETING] = "DELETING",
	[MODEL_UC_UPDATING] = "UPDATING",
	[MODEL_UC_DEGRADED] = "DEGRADED",
};

static bool enum_parse(const char *const *names, int count, const char *text, int *out)
{
	for (int i = 1; i < count; i++) {
		if (names[i] && strcmp(names[i], text) == 0) {
			*out = i;
			return true;
		}
	}
	return false;
}

const char *model_policy_name(enum model_policy p)
{
	return (unsigned)p < MODEL_POLICY_COUNT ? policy_names[p] : NULL;
}

bool model_policy_parse(const char *text, enum model_policy *out)
{
	int v;
	if (!enum_parse(policy_names, MODEL_POLICY_COUNT, text, &v))
		return false;
	*out = (enum model_policy)v;
	return true;
}

const char *model_state_name(enum model_state s)
{
	return (unsigned)s < MODEL_STATE_COUNT ? state_names[s] : NULL;
}

bool model_state_parse(const char *text, enum model_state *out)
{
	int v;
	if (!enum_parse(state_names, MODEL_STATE_COUNT, text, &v))
		return false;
	*out = (enum model_state)v;
	return true;
}

const char *model_uc_state_name(enum model_uc_state s)
{
	return (unsigned)s < MODEL_UC_COUNT ? uc_state_names[s] : NULL;
}

bool model_state_is_online(enum model_state s)
{
	return (s >= MODEL_STATE_ONLINE && s <= MODEL_STATE_ONLINE_PIPELINE_FAILED) ||
	       s == MODEL_STATE_ONLINE_UPDATING_PIPELINE_RESOURCES;
}

bool model_state_is_failed(enum model_state s)
{
	return s == MODEL_STATE_ONLINE_PIPELINE_FAILED || s == MODEL_STATE_OFFLINE_FAILED ||
	       s == MODEL_STATE_OFFLINE;
}

/* ---- lifetime ------------------------------------------------------------------------ */

static void spec_free(struct model_spec *s)
{
	free(s->source_table_full_name);
	for (size_t i = 0; i < s->n_primary_key_columns; i++)
		free(s->primary_key_columns[i]);
	free(s->primary_key_columns);
	free(s->timeseries_key);
	free(s->storage_catalog);
	free(s->storage_schema);
	free(s->existing_pipeline_id);
	free(s->schedule);
	free(s->invalid_characters);
	memset(s, 0, sizeof *s);
	s->create_database_objects_if_missing = -1;
}

static void status_init(struct model_status *s)
{
	memset(s, 0, sizeof *s);
	s->last_processed_commit_version = -1;
	s->progress.latest_version_currently_processing = -1;
}

static void status_free(struct model_status *s)
{
	free(s->message);
	free(s->pipeline_id);
	status_init(s);
}

void model_table_init(struct model_table *t)
{
	memset(t, 0, sizeof *t);
	t->spec.create_database_objects_if_missing = -1;
	status_init(&t->status);
}

void model_table_free(struct model_table *t)
{
	free(t->name);
	free(t->database_instance_name);
	free(t->logical_database_name);
	free(t->effective_database_instance_name);
	free(t->effective_logical_database_name);
	spec_free(&t->spec);
	status_free(&t->status);
	model_table_init(t);
}

void model_table_clear_output(struct model_table *t)
{
	free(t->effective_database_instance_name);
	free(t->effective_logical_database_name);
	t->effective_database_instance_name = NULL;
	t->effective_logical_database_name = NULL;
	status_free(&t->status);
	t->has_status = false;
	t->uc_state = MODEL_UC_UNSET;
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

static void spec_copy(struct model_spec *dst, const struct model_spec *src)
{
	*dst = *src;
	dst->source_table_full_name = dup_or_null(src->source_table_full_name);
	dst->primary_key_columns = xcalloc(src->n_primary_key_columns + 1, sizeof(char *));
	for (size_t i = 0; i < src->n_primary_key_columns; i++)
		dst->primary_key_columns[i] = xstrdup(src->primary_key_columns[i]);
	dst->timeseries_key = dup_or_null(src->timeseries_key);
	dst->storage_catalog = dup_or_null(src->storage_catalog);
	dst->storage_schema = dup_or_null(src->storage_schema);
	dst->existing_pipeline_id = dup_or_null(src->existing_pipeline_id);
	dst->schedule = dup_or_null(src->schedule);
	dst->invalid_characters = dup_or_null(src->invalid_characters);
}

void model_table_copy(struct model_table *dst, const struct model_table *src)
{
	*dst = *src;
	dst->name = dup_or_null(src->name);
	dst->database_instance_name = dup_or_null(src->database_instance_name);
	dst->logical_database_name = dup_or_null(src->logical_database_name);
	dst->effective_database_instance_name = dup_or_null(src->effective_database_instance_name);
	dst->effective_logical_database_name = dup_or_null(src->effective_logical_database_name);
	spec_copy(&dst->spec, &src->spec);
	dst->status.message = dup_or_null(src->status.message);
	dst->status.pipeline_id = dup_or_null(src->status.pipeline_id);
}

/* ---- reading JSON -------------------------------------------------------------------- */

/* Reading context: the JSON path of the object being read, for error messages. */
struct reader {
	const char *path; /* "" at the top, "spec", "data_synchronization_status" ... */
	struct lk_error *err;
};

static bool bad_field(const struct reader *r, const char *field, const char *expected)
{
	return lk_error_set(r->err, LK_EINVAL, "field '%s%s%s' must be %s", r->path,
			    r->path[0] ? "." : "", field, expected);
}

static bool read_str(const struct reader *r, const cJSON *obj, const char *field, char **out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsString(v))
		return bad_field(r, field, "a string");
	free(*out);
	*out = xstrdup(v->valuestring);
	return true;
}

static bool read_bool(const struct reader *r, const cJSON *obj, const char *field, int *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsBool(v))
		return bad_field(r, field, "true or false");
	*out = cJSON_IsTrue(v) ? 1 : 0;
	return true;
}

/* An int64 as a JSON number (exact up to 2^53) or a decimal string. */
static bool read_i64(const struct reader *r, const cJSON *obj, const char *field, int64_t *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;
		if (d != floor(d) || fabs(d) > 9007199254740992.0)
			return bad_field(r, field, "an integer");
		*out = (int64_t)d;
		return true;
	}
	if (cJSON_IsString(v)) {
		char *end;
		errno = 0;
		long long n = strtoll(v->valuestring, &end, 10);
		if (errno || end == v->valuestring || *end != '\0')
			return bad_field(r, field, "an integer");
		*out = n;
		return true;
	}
	return bad_field(r, field, "an integer");
}

static bool read_double(const struct reader *r, const cJSON *obj, const char *field, double *out)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, field);
	if (v == NULL || cJSON_IsNull(v))
		return true;
	if (!cJSON_IsNumber(v))
		return bad_field(r, field, "a number");
	*out = v->valuedouble;
	return true;
}

static bool read_time(const struct reader *r, const cJSON *obj, const char *field, int64_t *us)
{
	char *text = NULL;
	if (!read_str(r, obj, field, &text))
		return false;
	if (text == NULL)
		return true;
	bool ok = lk_time_parse_rfc3339(text, us, NULL);
	free(text);
	return ok || bad_field(r, field, "an RFC 3339 timestamp");
}

/* Refuses members not in `known`, naming the first one. */
static bool check_fields(const struct reader *r, const cJSON *obj, const char *const *known)
{
	for (const cJSON *m = obj->child; m; m = m->next) {
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, m->string) == 0;
		if (!ok)
			return lk_error_set(r->err, LK_EINVAL, "unknown field '%s%s%s'", r->path,
					    r->path[0] ? "." : "", m->string);
	}
	return true;
}

static bool read_object(const struct reader *r, const cJSON *obj, const char *field,
			const cJSON **out)
{
	*out = cJSON_GetObjectItemCaseSensitive(obj, field);
	if (*out == NULL || cJSON_IsNull(*out)) {
		*out = NULL;
		return true;
	}
	return cJSON_IsObject(*out) || bad_field(r, field, "an object");
}

static bool read_primary_key(const struct reader *r, const cJSON *spec, struct model_spec *out)
{
	const cJSON *pk = cJSON_GetObjectItemCaseSensitive(spec, "primary_key_columns");
	if (pk == NULL || cJSON_IsNull(pk))
		return true;
	if (!cJSON_IsArray(pk))
		return bad_field(r, "primary_key_columns", "an array of column names");
	int n = cJSON_GetArraySize(pk);
	out->primary_key_columns = xcalloc((size_t)n + 1, sizeof(char *));
	for (const cJSON *c = pk->child; c; c = c->next) {
		if (!cJSON_IsString(c) || c->valuestring[0] == '\0')
			return bad_field(r, "primary_key_columns", "an array of column names");
		out->primary_key_columns[out->n_primary_key_columns++] = xstrdup(c->valuestring);
	}
	return true;
}

static bool spec_from_cjson(const cJSON *obj, struct model_spec *out, struct lk_error *err)
{
	static const char *const known[] = {
		"source_table_full_name", "primary_key_columns", "timeseries_key",
		"scheduling_policy", "new_pipeline_spec", "existing_pipeline_id",
		"create_database_objects_if_missing", "schedule", "invalid_characters", NULL
	};
	struct reader r = { .path = "spec", .err = err };
	char *policy = NULL;
	const cJSON *nps;
	bool ok = check_fields(&r, obj, known) &&
		  read_str(&r, obj, "source_table_full_name", &out->source_table_full_name) &&
		  read_primary_key(&r, obj, out) &&
		  read_str(&r, obj, "timeseries_key", &out->timeseries_key) &&
		  read_str(&r, obj, "scheduling_policy", &policy) &&
		  read_object(&r, obj, "new_pipeline_spec", &nps) &&
		  read_str(&r, obj, "existing_pipeline_id", &out->existing_pipeline_id) &&
		  read_bool(&r, obj, "create_database_objects_if_missing",
			    &out->create_database_objects_if_missing) &&
		  read_str(&r, obj, "schedule", &out->schedule) &&
		  read_str(&r, obj, "invalid_characters", &out->invalid_characters);
	if (ok && policy && !model_policy_parse(policy, &out->scheduling_policy))
		ok = lk_error_set(err, LK_EINVAL,
				  "field 'spec.scheduling_policy' is '%s'; expected SNAPSHOT, "
				  "TRIGGERED or CONTINUOUS",
				  policy);
	free(policy);
	if (ok && nps) {
		static const char *const known_nps[] = { "storage_catalog", "storage_schema", NULL };
		struct reader rn = { .path = "spec.new_pipeline_spec", .err = err };
		out->has_new_pipeline_spec = true;
		ok = check_fields(&rn, nps, known_nps) &&
		     read_str(&rn, nps, "storage_catalog", &out->storage_catalog) &&
		     read_str(&rn, nps, "storage_schema", &out->storage_schema);
	}
	if (ok && out->schedule) {
		struct lk_error derr = LK_ERROR_INIT;
		if (!lk_duration_parse(out->schedule, &out->schedule_ms, &derr))
			ok = lk_error_set(err, LK_EINVAL, "field 'spec.schedule': %s", derr.message);
		else if (out->schedule_ms < 1000)
			ok = lk_error_set(err, LK_EINVAL,
					  "field 'spec.schedule' is '%s'; the shortest schedule is 1s",
					  out->schedule);
	}
	if (ok && out->invalid_characters && strcmp(out->invalid_characters, "fail") != 0 &&
	    strcmp(out->invalid_characters, "strip") != 0 &&
	    strcmp(out->invalid_characters, "replace") != 0)
		ok = lk_error_set(err, LK_EINVAL,
				  "field 'spec.invalid_characters' is '%s'; expected fail, strip "
				  "or replace",
				  out->invalid_characters);
	return ok;
}

static bool progress_from_cjson(const struct reader *parent, const cJSON *obj,
				const char *field, struct model_progress *p)
{
	const cJSON *po;
	if (!read_object(parent, obj, field, &po))
		return false;
	if (po == NULL)
		return true;
	struct reader r = { .path = field, .err = parent->err };
	p->present = true;
	return read_double(&r, po, "estimated_completion_time_seconds",
			   &p->estimated_completion_time_seconds) &&
	       read_i64(&r, po, "latest_version_currently_processing",
			&p->latest_version_currently_processing) &&
	       read_double(&r, po, "sync_progress_completion", &p->sync_progress_completion) &&
	       read_i64(&r, po, "synced_row_count", &p->synced_row_count) &&
	       read_i64(&r, po, "total_row_count", &p->total_row_count);
}

struct detail_field {
	const char *name;
	enum model_status_detail detail;
	const char *progress_field; /* NULL when it has none */
};

static const struct detail_field detail_fields[] = {
	{ "provisioning_status", MODEL_DETAIL_PROVISIONING, "initial_pipeline_sync_progress" },
	{ "continuous_update_status", MODEL_DETAIL_CONTINUOUS, "initial_pipeline_sync_progress" },
	{ "triggered_update_status", MODEL_DETAIL_TRIGGERED, "triggered_update_progress" },
	{ "failed_status", MODEL_DETAIL_FAILED, NULL },
};

static bool status_from_cjson(const cJSON *obj, struct model_status *out, struct lk_error *err)
{
	struct reader r = { .path = "data_synchronization_status", .err = err };
	char *state = NULL;
	if (!read_str(&r, obj, "detailed_state", &state) ||
	    !read_str(&r, obj, "message", &out->message) ||
	    !read_str(&r, obj, "pipeline_id", &out->pipeline_id))
		return free(state), false;
	if (state && !model_state_parse(state, &out->detailed_state)) {
		lk_error_set(err, LK_EINVAL, "unknown detailed_state '%s'", state);
		free(state);
		return false;
	}
	free(state);
	const cJSON *last, *info;
	if (!read_object(&r, obj, "last_sync", &last))
		return false;
	if (last) {
		struct reader rl = { .path = "last_sync", .err = err };
		out->has_last_sync = true;
		if (!read_time(&rl, last, "sync_start_timestamp", &out->sync_start_us) ||
		    !read_time(&rl, last, "sync_end_timestamp", &out->sync_end_us) ||
		    !read_object(&rl, last, "delta_table_sync_info", &info))
			return false;
		struct reader ri = { .path = "delta_table_sync_info", .err = err };
		if (info && (!read_i64(&ri, info, "delta_commit_version", &out->delta_commit_version) ||
			     !read_time(&ri, info, "delta_commit_timestamp",
					&out->delta_commit_timestamp_us)))
			return false;
	}
	for (size_t i = 0; i < sizeof detail_fields / sizeof detail_fields[0]; i++) {
		const struct detail_field *f = &detail_fields[i];
		const cJSON *d;
		if (!read_object(&r, obj, f->name, &d))
			return false;
		if (d == NULL)
			continue;
		struct reader rd = { .path = f->name, .err = err };
		out->detail = f->detail;
		if (!read_i64(&rd, d, "last_processed_commit_version",
			      &out->last_processed_commit_version) ||
		    !read_time(&rd, d, "timestamp", &out->detail_timestamp_us) ||
		    (f->progress_field &&
		     !progress_from_cjson(&rd, d, f->progress_field, &out->progress)))
			return false;
	}
	return true;
}

bool model_table_from_cjson(const cJSON *obj, struct model_table *out, struct lk_error *err)
{
	static const char *const known[] = {
		"name", "database_instance_name", "logical_database_name",
		"effective_database_instance_name", "effective_logical_database_name", "spec",
		"data_synchronization_status", "unity_catalog_provisioning_state", NULL
	};
	model_table_init(out);
	struct reader r = { .path = "", .err = err };
	if (!cJSON_IsObject(obj))
		return lk_error_set(err, LK_EINVAL, "the request body must be a JSON object");
	const cJSON *spec, *status;
	char *uc = NULL;
	bool ok = check_fields(&r, obj, known) && read_str(&r, obj, "name", &out->name) &&
		  read_str(&r, obj, "database_instance_name", &out->database_instance_name) &&
		  read_str(&r, obj, "logical_database_name", &out->logical_database_name) &&
		  read_str(&r, obj, "effective_database_instance_name",
			   &out->effective_database_instance_name) &&
		  read_str(&r, obj, "effective_logical_database_name",
			   &out->effective_logical_database_name) &&
		  read_object(&r, obj, "spec", &spec) &&
		  (spec == NULL || spec_from_cjson(spec, &out->spec, err)) &&
		  read_object(&r, obj, "data_synchronization_status", &status) &&
		  read_str(&r, obj, "unity_catalog_provisioning_state", &uc);
	if (ok && status) {
		out->has_status = true;
		ok = status_from_cjson(status, &out->status, err);
	}
	if (ok && uc) {
		int v;
		if (enum_parse(uc_state_names, MODEL_UC_COUNT, uc, &v))
			out->uc_state = (enum model_uc_state)v;
		else
			ok = lk_error_set(err, LK_EINVAL,
					  "unknown unity_catalog_provisioning_state '%s'", uc);
	}
	free(uc);
	if (!ok)
		model_table_free(out);
	return ok;
}

/* Parses text as a JSON object, with a message that says where parsing stopped. */
static cJSON *json_parse_object(const char *json, struct lk_error *err)
{
	const char *end = NULL;
	cJSON *obj = cJSON_ParseWithOpts(json, &end, true);
	if (obj == NULL) {
		size_t at = end ? (size_t)(end - json) : 0;
		lk_error_set(err, LK_EINVAL, "malformed JSON near byte %zu: '%.20s'", at,
			     end ? end : "");
	}
	return obj;
}

bool model_table_parse(const char *json, struct model_table *out, struct lk_error *err)
{
	model_table_init(out);
	cJSON *obj = json_parse_object(json, err);
	if (obj == NULL)
		return false;
	bool ok = model_table_from_cjson(obj, out, err);
	cJSON_Delete(obj);
	return ok;
}

bool model_spec_parse(const char *json, struct model_spec *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	out->create_database_objects_if_missing = -1;
	cJSON *obj = json_parse_object(json, err);
	if (obj == NULL)
		return false;
	bool ok = spec_from_cjson(obj, out, err);
	cJSON_Delete(obj);
	if (!ok)
		spec_free(out);
	return ok;
}

bool model_status_parse(const char *json, struct model_status *out, struct lk_error *err)
{
	status_init(out);
	cJSON *obj = json_parse_object(json, err);
	if (obj == NULL)
		return false;
	bool ok = status_from_cjson(obj, out, err);
	cJSON_Delete(obj);
	if (!ok)
		status_free(out);
	return ok;
}

/* ---- validation ---------------------------------------------------------------------- */

/* Characters of database, schema and table names ([A-Za-z0-9_]). */
#define NAME_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_"

static bool simple_name_valid(const char *s)
{
	if (s == NULL || *s == '\0')
		return false;
	return strspn(s, NAME_CHARS) == strlen(s);
}

/* "project" or "project/branch", each part [A-Za-z0-9_-]+ (lakesync's projects). */
static bool instance_name_valid(const char *s)
{
	size_t project = strspn(s, NAME_CHARS "-");
	if (project == 0)
		return false;
	if (s[project] == '\0')
		return true;
	if (s[project] != '/')
		return false;
	size_t branch = strspn(s + project + 1, NAME_CHARS "-");
	return branch > 0 && s[project + 1 + branch] == '\0';
}

bool model_table_validate_create(const struct model_table *t, struct lk_error *err)
{
	struct catalog_name name;
	if (t->name == NULL)
		return lk_error_set(err, LK_EINVAL, "field 'name' is required");
	if (!catalog_name_parse(t->name, "name", &name, err))
		return false;
	catalog_name_free(&name);
	const struct model_spec *s = &t->spec;
	if (s->source_table_full_name == NULL)
		return lk_error_set(err, LK_EINVAL, "field 'spec.source_table_full_name' is required");
	if (!catalog_name_parse(s->source_table_full_name, "spec.source_table_full_name", &name,
				err))
		return false;
	catalog_name_free(&name);
	if (s->n_primary_key_columns == 0)
		return lk_error_set(err, LK_EINVAL,
				    "field 'spec.primary_key_columns' is required: a synced table "
				    "needs a primary key");
	for (size_t i = 0; i < s->n_primary_key_columns; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->primary_key_columns[i], s->primary_key_columns[j]) == 0)
				return lk_error_set(err, LK_EINVAL,
						    "field 'spec.primary_key_columns' names '%s' twice",
						    s->primary_key_columns[i]);
	if (s->scheduling_policy == MODEL_POLICY_UNSET)
		return lk_error_set(err, LK_EINVAL,
				    "field 'spec.scheduling_policy' is required: SNAPSHOT, "
				    "TRIGGERED or CONTINUOUS");
	if (s->has_new_pipeline_spec && s->existing_pipeline_id)
		return lk_error_set(err, LK_EINVAL,
				    "give at most one of 'spec.new_pipeline_spec' and "
				    "'spec.existing_pipeline_id'");
	if (s->schedule && s->scheduling_policy != MODEL_POLICY_TRIGGERED)
		return lk_error_set(err, LK_EINVAL,
				    "field 'spec.schedule' applies to TRIGGERED tables only");
	if (t->database_instance_name && !instance_name_valid(t->database_instance_name))
		return lk_error_set(err, LK_EINVAL,
				    "field 'database_instance_name' '%s' must be a project name, or "
				    "project/branch, of letters, digits, '_' and '-'",
				    t->database_instance_name);
	if (t->logical_database_name && !simple_name_valid(t->logical_database_name))
		return lk_error_set(err, LK_EINVAL,
				    "field 'logical_database_name' '%s' must match [A-Za-z0-9_]+",
				    t->logical_database_name);
	return true;
}

/* ---- update -------------------------------------------------------------------------- */

struct update_field {
	const char *path;
	void (*apply)(struct model_table *t, const struct model_table *patch);
};

static void replace_str(char **dst, const char *src)
{
	free(*dst);
	*dst = dup_or_null(src);
}

static void apply_policy(struct model_table *t, const struct model_table *p)
{
	t->spec.scheduling_policy = p->spec.scheduling_policy;
}

static void apply_schedule(struct model_table *t, const struct model_table *p)
{
	replace_str(&t->spec.schedule, p->spec.schedule);
	t->spec.schedule_ms = p->spec.schedule_ms;
}

static void apply_invalid_characters(struct model_table *t, const struct model_table *p)
{
	replace_str(&t->spec.invalid_characters, p->spec.invalid_characters);
}

static void apply_timeseries_key(struct model_table *t, const struct model_table *p)
{
	replace_str(&t->spec.timeseries_key, p->spec.timeseries_key);
}

static void apply_primary_key(struct model_table *t, const struct model_table *p)
{
	struct model_spec copy;
	spec_copy(&copy, &p->spec);
	for (size_t i = 0; i < t->spec.n_primary_key_columns; i++)
		free(t->spec.primary_key_columns[i]);
	free(t->spec.primary_key_columns);
	t->spec.primary_key_columns = copy.primary_key_columns;
	t->spec.n_primary_key_columns = copy.n_primary_key_columns;
	copy.primary_key_columns = NULL;
	copy.n_primary_key_columns = 0;
	spec_free(&copy);
}

/* What PATCH may change in place; the engine reloads the table when the key changes. */
static const struct update_field update_fields[] = {
	{ .path = "spec.scheduling_policy", .apply = apply_policy },
	{ .path = "spec.schedule", .apply = apply_schedule },
	{ .path = "spec.invalid_characters", .apply = apply_invalid_characters },
	{ .path = "spec.timeseries_key", .apply = apply_timeseries_key },
	{ .path = "spec.primary_key_columns", .apply = apply_primary_key },
};

bool model_table_apply_update(struct model_table *t, const struct model_table *patch,
			      const char *update_mask, struct lk_error *err)
{
	if (update_mask == NULL || update_mask[0] == '\0')
		return lk_error_set(err, LK_EINVAL, "update_mask is required (e.g. "
						    "spec.scheduling_policy)");
	struct model_table updated;
	model_table_copy(&updated, t);
	char *mask = xstrdup(update_mask);
	bool ok = true;
	for (char *save = NULL, *f = strtok_r(mask, ",", &save); f && ok;
	     f = strtok_r(NULL, ",", &save)) {
		while (*f == ' ')
			f++;
		const struct update_field *uf = NULL;
		for (size_t i = 0; i < sizeof update_fields / sizeof update_fields[0]; i++)
			if (strcmp(update_fields[i].path, f) == 0)
				uf = &update_fields[i];
		if (uf == NULL) {
			struct lk_buf list = LK_BUF_INIT;
			for (size_t i = 0; i < sizeof update_fields / sizeof update_fields[0]; i++)
				lk_buf_printf(&list, "%s%s", i ? ", " : "", update_fields[i].path);
			ok = lk_error_set(err, LK_EINVAL,
					  "update_mask field '%s' cannot be updated (updatable: %s)",
					  f, lk_buf_cstr(&list));
			lk_buf_free(&list);
			break;
		}
		uf->apply(&updated, patch);
	}
	free(mask);
	if (ok)
		ok = model_table_validate_create(&updated, err);
	if (ok) {
		model_table_free(t);
		*t = updated;
	} else {
		model_table_free(&updated);
	}
	return ok;
}

/* ---- writing JSON -------------------------------------------------------------------- */

void model_json_add_str(cJSON *obj, const char *field, const char *value)
{
	if (value)
		cJSON_AddStringToObject(obj, field, value);
}

void model_json_add_i64(cJSON *obj, const char *field, int64_t value)
{
	char text[24];
	snprintf(text, sizeof text, "%" PRId64, value);
	cJSON_AddRawToObject(obj, field, text);
}

static void add_time(cJSON *obj, const char *field, int64_t us)
{
	char text[LK_RFC3339_MAX];
	if (us == 0)
		return;
	lk_time_format_rfc3339(us, LK_TIME_MICROS, text, sizeof text);
	cJSON_AddStringToObject(obj, field, text);
}

static cJSON *spec_to_cjson(const struct model_spec *s)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_str(o, "source_table_full_name", s->source_table_full_name);
	if (s->n_primary_key_columns) {
		cJSON *pk = cJSON_AddArrayToObject(o, "primary_key_columns");
		for (size_t i = 0; i < s->n_primary_key_columns; i++)
			cJSON_AddItemToArray(pk, cJSON_CreateString(s->primary_key_columns[i]));
	}
	model_json_add_str(o, "timeseries_key", s->timeseries_key);
	model_json_add_str(o, "scheduling_policy", model_policy_name(s->scheduling_policy));
	if (s->has_new_pipeline_spec) {
		cJSON *nps = cJSON_AddObjectToObject(o, "new_pipeline_spec");
		model_json_add_str(nps, "storage_catalog", s->storage_catalog);
		model_json_add_str(nps, "storage_schema", s->storage_schema);
	}
	model_json_add_str(o, "existing_pipeline_id", s->existing_pipeline_id);
	if (s->create_database_objects_if_missing >= 0)
		cJSON_AddBoolToObject(o, "create_database_objects_if_missing",
				      s->create_database_objects_if_missing);
	model_json_add_str(o, "schedule", s->schedule);
	model_json_add_str(o, "invalid_characters", s->invalid_characters);
	return o;
}

static cJSON *progress_to_cjson(const struct model_progress *p)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "estimated_completion_time_seconds",
				p->estimated_completion_time_seconds);
	if (p->latest_version_currently_processing >= 0)
		model_json_add_i64(o, "latest_version_currently_processing",
			p->latest_version_currently_processing);
	cJSON_AddNumberToObject(o, "sync_progress_completion", p->sync_progress_completion);
	model_json_add_i64(o, "synced_row_count", p->synced_row_count);
	model_json_add_i64(o, "total_row_count", p->total_row_count);
	return o;
}

static cJSON *status_to_cjson(const struct model_status *s)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_str(o, "detailed_state", model_state_name(s->detailed_state));
	model_json_add_str(o, "message", s->message);
	model_json_add_str(o, "pipeline_id", s->pipeline_id);
	if (s->has_last_sync) {
		cJSON *last = cJSON_AddObjectToObject(o, "last_sync");
		add_time(last, "sync_start_timestamp", s->sync_start_us);
		add_time(last, "sync_end_timestamp", s->sync_end_us);
		cJSON *info = cJSON_AddObjectToObject(last, "delta_table_sync_info");
		model_json_add_i64(info, "delta_commit_version", s->delta_commit_version);
		add_time(info, "delta_commit_timestamp", s->delta_commit_timestamp_us);
	}
	for (size_t i = 0; i < sizeof detail_fields / sizeof detail_fields[0]; i++) {
		const struct detail_field *f = &detail_fields[i];
		if (f->detail != s->detail)
			continue;
		cJSON *d = cJSON_AddObjectToObject(o, f->name);
		if (s->last_processed_commit_version >= 0)
			model_json_add_i64(d, "last_processed_commit_version", s->last_processed_commit_version);
		add_time(d, "timestamp", s->detail_timestamp_us);
		if (f->progress_field && s->progress.present)
			cJSON_AddItemToObject(d, f->progress_field, progress_to_cjson(&s->progress));
	}
	return o;
}

cJSON *model_table_to_cjson(const struct model_table *t)
{
	cJSON *o = cJSON_CreateObject();
	model_json_add_str(o, "name", t->name);
	model_json_add_str(o, "database_instance_name", t->database_instance_name);
	model_json_add_str(o, "logical_database_name", t->logical_database_name);
	model_json_add_str(o, "effective_database_instance_name", t->effective_database_instance_name);
	model_json_add_str(o, "effective_logical_database_name", t->effective_logical_database_name);
	cJSON_AddItemToObject(o, "spec", spec_to_cjson(&t->spec));
	if (t->has_status)
		cJSON_AddItemToObject(o, "data_synchronization_status",
				      status_to_cjson(&t->status));
	model_json_add_str(o, "unity_catalog_provisioning_state", model_uc_state_name(t->uc_state));
	return o;
}

static char *cjson_print(cJSON *o, bool pretty)
{
	char *text = pretty ? cJSON_Print(o) : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (text == NULL)
		xmalloc_oom("cJSON_Print", 1, 0);
	char *copy = xstrdup(text); /* ours to free() whatever allocator cJSON uses */
	cJSON_free(text);
	return copy;
}

char *model_table_to_json(const struct model_table *t, bool pretty)
{
	return cjson_print(model_table_to_cjson(t), pretty);
}

char *model_spec_to_json(const struct model_spec *spec)
{
	return cjson_print(spec_to_cjson(spec), false);
}

char *model_status_to_json(const struct model_status *status)
{
	return cjson_print(status_to_cjson(status), false);
}
