/* api/model.h: the synced-table model every face speaks: the JSON shape of
 * `SyncedDatabaseTable` (../shared/spec/synced-tables-api.md), its enums, parsing of create
 * and update requests with validation, and rendering.
 *
 * JSON keys are snake_case; unset fields are omitted on output; int64 values are written as
 * exact JSON numbers and accepted as numbers or strings. Unknown fields in a request are
 * refused (INVALID_PARAMETER_VALUE naming the field) so that a typo never passes silently;
 * output-only fields in a request are ignored. lakesync's extensions live in the spec:
 * `schedule` (an interval such as "5m" for TRIGGERED tables) and `invalid_characters`
 * (fail | strip | replace).
 * A struct model_table owns its strings; model_table_free() releases them. No shared
 * state: thread-safe. Failures fill *err with LK_EINVAL and a message naming the field. */
#ifndef LK_API_MODEL_H
#define LK_API_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct cJSON;

enum model_policy {
	MODEL_POLICY_UNSET = 0,
	MODEL_POLICY_SNAPSHOT,
	MODEL_POLICY_TRIGGERED,
	MODEL_POLICY_CONTINUOUS,
	MODEL_POLICY_COUNT
};

enum model_state {
	MODEL_STATE_UNSET = 0,
	MODEL_STATE_PROVISIONING,
	MODEL_STATE_PROVISIONING_PIPELINE_RESOURCES,
	MODEL_STATE_PROVISIONING_INITIAL_SNAPSHOT,
	MODEL_STATE_ONLINE,
	MODEL_STATE_ONLINE_CONTINUOUS_UPDATE,
	MODEL_STATE_ONLINE_TRIGGERED_UPDATE,
	MODEL_STATE_ONLINE_NO_PENDING_UPDATE,
	MODEL_STATE_ONLINE_PIPELINE_FAILED,
	MODEL_STATE_OFFLINE_FAILED,
	MODEL_STATE_ONLINE_UPDATING_PIPELINE_RESOURCES,
	MODEL_STATE_OFFLINE,
	MODEL_STATE_COUNT
};

enum model_uc_state {
	MODEL_UC_UNSET = 0,
	MODEL_UC_PROVISIONING,
	MODEL_UC_ACTIVE,
	MODEL_UC_FAILED,
	MODEL_UC_DELETING,
	MODEL_UC_UPDATING,
	MODEL_UC_DEGRADED,
	MODEL_UC_COUNT
};

/* Which of the status sub-objects is present (at most one). */
enum model_status_detail {
	MODEL_DETAIL_NONE = 0,
	MODEL_DETAIL_PROVISIONING,
	MODEL_DETAIL_CONTINUOUS,
	MODEL_DETAIL_TRIGGERED,
	MODEL_DETAIL_FAILED,
};

struct model_progress {
	bool present;
	double estimated_completion_time_seconds;
	int64_t latest_version_currently_processing; /* -1 = unset */
	double sync_progress_completion;             /* 0..1 */
	int64_t synced_row_count;
	int64_t total_row_count;
};

struct model_spec {
	char *source_table_full_name;
	char **primary_key_columns;
	size_t n_primary_key_columns;
	char *timeseries_key;
	enum model_policy scheduling_policy;
	bool has_new_pipeline_spec;
	char *storage_catalog, *storage_schema; /* new_pipeline_spec */
	char *existing_pipeline_id;
	int create_database_objects_if_missing; /* -1 unset, 0 false, 1 true */
	char *schedule;                         /* extension: "5m"; NULL = none */
	int64_t schedule_ms;
	char *invalid_characters;               /* extension: fail | strip | replace; NULL = fail */
};

struct model_status {
	enum model_state detailed_state;
	char *message;
	char *pipeline_id;
	bool has_last_sync;
	int64_t sync_start_us, sync_end_us;       /* µs since the epoch */
	int64_t delta_commit_version;
	int64_t delta_commit_timestamp_us;
	enum model_status_detail detail;
	int64_t last_processed_commit_version;    /* -1 = unset */
	int64_t detail_timestamp_us;              /* 0 = unset */
	struct model_progress progress;           /* provisioning, continuous, triggered */
};

struct model_table {
	char *name;
	char *database_instance_name;
	char *logical_database_name;
	char *effective_database_instance_name;
	char *effective_logical_database_name;
	struct model_spec spec;
	bool has_status;
	struct model_status status;
	enum model_uc_state uc_state;
};

const char *model_policy_name(enum model_policy policy);
bool model_policy_parse(const char *text, enum model_policy *out);
const char *model_state_name(enum model_state state);
bool model_state_parse(const char *text, enum model_state *out);
const char *model_uc_state_name(enum model_uc_state state);
/* ONLINE* states serve data; OFFLINE* and PROVISIONING* do not. */
bool model_state_is_online(enum model_state state);
bool model_state_is_failed(enum model_state state);

void model_table_init(struct model_table *t);
void model_table_free(struct model_table *t);
void model_table_copy(struct model_table *dst, const struct model_table *src);

/* Forgets the output-only fields (effective names, status, catalog state). */
void model_table_clear_output(struct model_table *t);
/* Parses a request body (the bare SyncedDatabaseTable object). */
bool model_table_parse(const char *json, struct model_table *out, struct lk_error *err);
bool model_table_from_cjson(const struct cJSON *obj, struct model_table *out,
			    struct lk_error *err);
/* Checks what a create request must satisfy: names, primary key, mode, extensions. */
bool model_table_validate_create(const struct model_table *t, struct lk_error *err);
/* Applies the fields named in update_mask ("spec.scheduling_policy,spec.schedule") from
 * patch onto t. Fields that cannot change in place are refused with a message. */
bool model_table_apply_update(struct model_table *t, const struct model_table *patch,
			      const char *update_mask, struct lk_error *err);

/* The object as JSON (caller frees with cJSON_Delete / free). */
struct cJSON *model_table_to_cjson(const struct model_table *t);
char *model_table_to_json(const struct model_table *t, bool pretty);
/* Helpers for the API's JSON, shared with api/view.c: a string member (none for NULL), and
 * an int64 member as an exact JSON number (cJSON's doubles would round above 2^53). */
void model_json_add_str(struct cJSON *obj, const char *key, const char *value);
void model_json_add_i64(struct cJSON *obj, const char *key, int64_t value);
/* The spec alone, as stored by the registry, and back. */
char *model_spec_to_json(const struct model_spec *spec);
bool model_spec_parse(const char *json, struct model_spec *out, struct lk_error *err);
char *model_status_to_json(const struct model_status *status);
bool model_status_parse(const char *json, struct model_status *out, struct lk_error *err);

#endif
