/* delta/delta.h: the Delta Lake transaction log, read from a local table directory.
 *
 * What it does: lists `_delta_log/`, parses commit actions, replays them into a snapshot
 * (protocol, metadata, schema, live files with their deletion vectors, app transactions,
 * domain metadata), checks that lakesync can read the table's protocol, parses schemas and
 * partition values, loads deletion vectors, plans a Change Data Feed range commit by
 * commit, and summarises a table for `lakesync inspect`. It never reads row data: the
 * Parquet reader does that, using the file lists, partition values and deletion vectors
 * produced here.
 *
 * Checkpoints (classic, multi-part and V2, JSON or Parquet, with their sidecars) are read
 * through one internal function, delta_checkpoint_read() (delta/internal.h), with the Parquet
 * reader. A checkpoint that cannot be used (an unsupported form, a damaged file, a lost
 * sidecar) is skipped when every commit from version 0 still exists: the replay starts at
 * commit 0 and struct delta_snapshot says why in checkpoint_skipped. See doc/delta.md.
 *
 * Ownership: every object returned here is owned by the caller and freed with its _free
 * function; the structs are plain data the caller may read but should not modify. A
 * snapshot borrows its table: free snapshots before the table.
 * Thread safety: none inside; use one table and its snapshots from one thread at a time.
 * Failures: functions return false or NULL and fill *err (a code from util/error.h and one
 * line naming the table, the commit version or file, the line, the column or the value).
 * Nothing here prints or exits. */
#ifndef LK_DELTA_DELTA_H
#define LK_DELTA_DELTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "util/buf.h"
#include "util/error.h"

/* ---- small shared shapes ------------------------------------------------------------ */

/* A string map from the log (partitionValues, configuration, tags). A NULL value is a JSON
 * null. Entries keep the log's order. */
struct delta_kv {
	char *key;
	char *value;
};

struct delta_map {
	struct delta_kv *items;
	size_t n;
};

/* The value for key, or NULL when the key is absent or its value is null. */
const char *delta_map_get(const struct delta_map *map, const char *key);
/* true when key is present (even with a null value). */
bool delta_map_has(const struct delta_map *map, const char *key);

/* A deletion vector descriptor (`deletionVector` of add/remove). */
struct delta_dv_descriptor {
	char storage_type;      /* 'u' (relative UUID file), 'p' (absolute path), 'i' (inline) */
	char *path_or_inline;   /* as in the log */
	bool has_offset;
	int32_t offset;         /* byte position in the DV file; absent => 1 */
	int32_t size_in_bytes;  /* serialized bitmap length (inline: before Z85) */
	int64_t cardinality;    /* rows deleted */
};

/* ---- actions ------------------------------------------------------------------------ */

struct delta_protocol {
	int32_t min_reader_version;
	int32_t min_writer_version;
	char **reader_features; /* NULL when the protocol has no list */
	size_t n_reader_features;
	char **writer_features;
	size_t n_writer_features;
};

struct delta_metadata {
	char *id;
	char *name;
	char *description;
	char *format_provider;
	char *schema_string;
	char **partition_columns;
	size_t n_partition_columns;
	struct delta_map configuration;
	bool has_created_time;
	int64_t created_time; /* ms since the epoch */
};

/* add, remove and cdc share one shape; fields an action does not carry stay zero. */
struct delta_file_action {
	char *path;                  /* percent-decoded once */
	struct delta_map partition_values;
	int64_t size;                /* -1 when absent */
	int64_t modification_time;   /* add */
	bool data_change;
	char *stats;                 /* add: the stats JSON string, or NULL */
	struct delta_map tags;
	bool has_dv;
	struct delta_dv_descriptor dv;
	bool has_deletion_timestamp; /* remove */
	int64_t deletion_timestamp;
	bool extended_file_metadata; /* remove */
	bool has_base_row_id;
	int64_t base_row_id;
	bool has_default_row_commit_version;
	int64_t default_row_commit_version;
};

struct delta_txn {
	char *app_id;
	int64_t version;
	bool has_last_updated;
	int64_t last_updated;
};

struct delta_domain_metadata {
	char *domain;
	char *configuration;
	bool removed;
};

struct delta_commit_info {
	bool has_timestamp;
	int64_t timestamp;           /* ms, writer's clock */
	bool has_in_commit_timestamp;
	int64_t in_commit_timestamp; /* ms */
	char *operation;             /* NULL when absent */
};

struct delta_sidecar {
	char *path; /* percent-decoded; relative to _delta_log/_sidecars/ unless absolute */
	int64_t size_in_bytes;
	int64_t modification_time;
};

struct delta_checkpoint_metadata {
	int64_t version;
};

enum delta_action_type {
	DELTA_ACTION_PROTOCOL,
	DELTA_ACTION_METADATA,
	DELTA_ACTION_ADD,
	DELTA_ACTION_REMOVE,
	DELTA_ACTION_CDC,
	DELTA_ACTION_TXN,
	DELTA_ACTION_DOMAIN_METADATA,
	DELTA_ACTION_COMMIT_INFO,
	DELTA_ACTION_SIDECAR,
	DELTA_ACTION_CHECKPOINT_METADATA,
};

struct delta_action {
	enum delta_action_type type;
	union {
		struct delta_protocol protocol;
		struct delta_metadata metadata;
		struct delta_file_action file; /* add, remove, cdc */
		struct delta_txn txn;
		struct delta_domain_metadata domain;
		struct delta_commit_info commit_info;
		struct delta_sidecar sidecar;
		struct delta_checkpoint_metadata checkpoint_metadata;
	} u;
};

/* Parses one line of a commit file. Sets *known to false (and returns true) for a blank
 * line or an action lakesync does not know; unknown fields are ignored. Errors (LK_ECORRUPT)
 * say what is wrong with the line but not where it is: the caller prefixes the location. */
bool delta_action_parse(const char *line, size_t len, struct delta_action *out, bool *known,
			struct lk_error *err);
void delta_action_clear(struct delta_action *action);
const char *delta_action_type_name(enum delta_action_type type);

/* Percent-decodes a log path once ("%2521" -> "%21"; '+' stays '+'). Returns a new string,
 * or NULL with LK_ECORRUPT on a bad escape or an encoded NUL. */
char *delta_path_decode(const char *path, struct lk_error *err);

/* ---- schema ------------------------------------------------------------------------- */

enum delta_type_kind {
	DELTA_TYPE_STRING,
	DELTA_TYPE_LONG,
	DELTA_TYPE_INTEGER,
	DELTA_TYPE_SHORT,
	DELTA_TYPE_BYTE,
	DELTA_TYPE_FLOAT,
	DELTA_TYPE_DOUBLE,
	DELTA_TYPE_BOOLEAN,
	DELTA_TYPE_BINARY,
	DELTA_TYPE_DATE,
	DELTA_TYPE_TIMESTAMP,
	DELTA_TYPE_TIMESTAMP_NTZ,
	DELTA_TYPE_DECIMAL,
	DELTA_TYPE_VOID,
	DELTA_TYPE_VARIANT,
	DELTA_TYPE_INTERVAL, /* Spark "interval ..." types: recognised, not readable yet */
	DELTA_TYPE_STRUCT,
	DELTA_TYPE_ARRAY,
	DELTA_TYPE_MAP,
};

struct delta_field;

struct delta_type {
	enum delta_type_kind kind;
	uint8_t precision, scale;    /* DECIMAL */
	char *interval_name;         /* INTERVAL: the name as written */
	struct delta_field *fields;  /* STRUCT */
	size_t n_fields;
	struct delta_type *element;  /* ARRAY */
	bool contains_null;
	struct delta_type *key;      /* MAP */
	struct delta_type *value;
	bool value_contains_null;
};

/* One recorded type change (field metadata delta.typeChanges). */
struct delta_type_change {
	char *from_type;
	char *to_type;
	char *field_path; /* NULL, or "element" / "key" / "value" path inside the field */
};

struct delta_field {
	char *name;                  /* logical (display) name; may contain dots and backticks */
	struct delta_type *type;
	bool nullable;
	bool has_column_mapping_id;
	int64_t column_mapping_id;   /* delta.columnMapping.id */
	char *physical_name;         /* delta.columnMapping.physicalName, or NULL */
	char *nested_ids_json;       /* delta.columnMapping.nested.ids as JSON, or NULL */
	struct delta_type_change *type_changes;
	size_t n_type_changes;
	char *metadata_json;         /* the whole metadata object, for anything else */
};

enum delta_column_mapping_mode {
	DELTA_COLUMN_MAPPING_NONE,
	DELTA_COLUMN_MAPPING_NAME,
	DELTA_COLUMN_MAPPING_ID,
};

/* Parses a schemaString (a struct type). Errors: LK_ECORRUPT naming the field path. */
struct delta_type *delta_schema_parse(const char *json, struct lk_error *err);
void delta_type_free(struct delta_type *type);
struct delta_type *delta_type_clone(const struct delta_type *type);
/* The lakesync logical type a Delta type maps onto. */
enum lk_type_id delta_type_lk_id(const struct delta_type *type);
/* Appends the Delta name of a type ("long", "decimal(10,2)", "array<integer>", ...). */
void delta_type_format(const struct delta_type *type, struct lk_buf *out);
/* A top-level field by exact name, else by case-insensitive name; NULL when absent. Names
 * are whole strings: "a.b" is a column named "a.b", never a path. */
const struct delta_field *delta_schema_find(const struct delta_type *schema, const char *name);
/* The name a data file, partitionValues or stats use for this field under mode. */
const char *delta_field_physical_name(const struct delta_field *field,
				      enum delta_column_mapping_mode mode);
/* The Parquet field id to match in id mode; false when the field has none. */
bool delta_field_id(const struct delta_field *field, int32_t *id);
/* Checks that every field (at every level) carries what mode needs. LK_ECORRUPT otherwise. */
bool delta_schema_check_column_mapping(const struct delta_type *schema,
				       enum delta_column_mapping_mode mode,
				       struct lk_error *err);

enum delta_schema_change {
	DELTA_SCHEMA_IDENTICAL,   /* same names, types, nullability, physical names */
	DELTA_SCHEMA_ADDITIVE,    /* only new nullable top-level columns appended */
	DELTA_SCHEMA_WIDENED,     /* allowed type widenings (plus perhaps additive columns) */
	DELTA_SCHEMA_INCOMPATIBLE,/* anything else: drop, rename, reorder, narrowing, nullability */
};

/* Compares two schemas; when not identical and `what` is not NULL, appends a description
 * of the first difference ("column id: nullable changed to not null"). */
enum delta_schema_change delta_schema_compare(const struct delta_type *old_schema,
					      const struct delta_type *new_schema,
					      struct lk_buf *what);
const char *delta_schema_change_name(enum delta_schema_change change);
/* true when the type-widening feature allows reading a `from` value as `to`. */
bool delta_type_widening_allowed(const struct delta_type *from, const struct delta_type *to);

/* ---- partition values --------------------------------------------------------------- */

/* A typed constant: a partition value that will fill a batch column. */
struct delta_value {
	enum lk_type_id type;
	bool is_null;
	uint8_t precision, scale; /* DECIMAL */
	bool b;                   /* BOOLEAN */
	int64_t i64;              /* INT8..INT64, DATE (days), TIMESTAMP*(µs), DECIMAL p <= 18 */
	double f64;               /* FLOAT, DOUBLE */
	uint8_t decimal_be[16];   /* DECIMAL: unscaled two's complement, big-endian (any p) */
	char *bytes;              /* STRING, BINARY: owned, NUL-terminated */
	size_t len;
};

/* Parses the serialized partition value of `column` (serialized == NULL is JSON null; ""
 * is null too; "null" is a string). Errors: LK_ECORRUPT naming the column and the value,
 * LK_EUNSUPPORTED for types that cannot be partition columns. */
bool delta_partition_value_parse(const struct delta_type *type, const char *serialized,
				 const char *column, struct delta_value *out,
				 struct lk_error *err);
void delta_value_clear(struct delta_value *value);
/* Fills vec (zeroed, owned by batch) with n_rows copies of value. */
void delta_value_fill_vector(const struct delta_value *value, struct lk_batch *batch,
			     struct lk_vector *vec, size_t n_rows);

/* ---- table, snapshot ---------------------------------------------------------------- */

struct delta_table {
	char *root;    /* without a trailing slash */
	char *log_dir; /* <root>/_delta_log */
};

/* Opens a table directory (checks that _delta_log/ exists; reads nothing else).
 * LK_ENOTFOUND when it is not a Delta table. */
struct delta_table *delta_table_open(const char *root, struct lk_error *err);
void delta_table_free(struct delta_table *table);
/* The latest version (the newest commit or checkpoint). */
bool delta_table_latest_version(struct delta_table *table, int64_t *version,
				struct lk_error *err);
/* A data, cdc or DV path from the log (already percent-decoded) as a local path: relative
 * paths are joined to the root, file: URIs are stripped; other schemes are LK_EUNSUPPORTED. */
char *delta_table_resolve_path(const struct delta_table *table, const char *path,
			       struct lk_error *err);

/* A live data file of a snapshot. */
struct delta_file {
	char *path;                      /* percent-decoded, relative or absolute as in the log */
	struct delta_map partition_values;
	int64_t size;
	int64_t modification_time;
	char *stats;                     /* JSON, or NULL */
	bool has_dv;
	struct delta_dv_descriptor dv;
	bool has_base_row_id;
	int64_t base_row_id;
};

struct delta_snapshot {
	struct delta_table *table;       /* borrowed */
	int64_t version;
	struct delta_protocol protocol;
	struct delta_metadata metadata;
	struct delta_type *schema;       /* parsed metadata.schema_string */
	enum delta_column_mapping_mode column_mapping;
	struct delta_file *files;        /* sorted by path, then DV id */
	size_t n_files;
	struct delta_txn *txns;          /* sorted by appId */
	size_t n_txns;
	struct delta_domain_metadata *domains; /* sorted by domain, removed ones dropped */
	size_t n_domains;
	bool has_commit_info;            /* commitInfo of commit `version` */
	struct delta_commit_info commit_info;
	int64_t commit_timestamp;        /* ms: in-commit timestamp when enabled, else mtime */
	int64_t checkpoint_version;      /* the checkpoint replayed, or -1 */
	char *checkpoint_skipped;        /* why a checkpoint <= version was not used, or NULL */
};

/* The table's state at version (-1 = latest). Fails with LK_ENOTFOUND for a version past
 * the latest, LK_ELOG_TRUNCATED when the history needed was cleaned away, LK_ECORRUPT for
 * a gap in the commits or a bad action, LK_EUNSUPPORTED for an unreadable protocol, and with
 * the checkpoint's error when only an unusable checkpoint could rebuild the version (older
 * commits gone). An unusable checkpoint with every commit 0..version present is skipped
 * instead: the replay starts at commit 0 and checkpoint_skipped says why. */
struct delta_snapshot *delta_snapshot_load(struct delta_table *table, int64_t version,
					   struct lk_error *err);
/* The state at the greatest version whose commit timestamp is <= timestamp_ms (in-commit
 * timestamps where enabled, file modification times elsewhere). LK_ENOTFOUND when every
 * available commit is newer. */
struct delta_snapshot *delta_snapshot_load_at(struct delta_table *table, int64_t timestamp_ms,
					      struct lk_error *err);
void delta_snapshot_free(struct delta_snapshot *snapshot);

/* ---- protocol ----------------------------------------------------------------------- */

/* Fails with LK_EUNSUPPORTED naming the version or reader feature lakesync cannot read. */
bool delta_protocol_check_readable(const struct delta_protocol *protocol, struct lk_error *err);
bool delta_protocol_has_reader_feature(const struct delta_protocol *protocol, const char *name);
bool delta_protocol_has_writer_feature(const struct delta_protocol *protocol, const char *name);
/* The reader features lakesync supports (NULL-terminated), for docs and `inspect`. */
const char *const *delta_supported_reader_features(void);

/* Change Data Feed is being recorded: property delta.enableChangeDataFeed=true and a
 * protocol that allows it (writer 4..6, or writer 7 listing changeDataFeed). */
bool delta_cdf_enabled(const struct delta_protocol *protocol,
		       const struct delta_metadata *metadata);
/* In-commit timestamps are on at `version`: writer feature inCommitTimestamp, property
 * delta.enableInCommitTimestamps=true, and version >= the enablement version (if set). */
bool delta_ict_enabled(const struct delta_protocol *protocol,
		       const struct delta_metadata *metadata, int64_t version);
/* The column mapping mode in force. LK_EUNSUPPORTED for an unknown mode name. */
bool delta_column_mapping_mode(const struct delta_protocol *protocol,
			       const struct delta_metadata *metadata,
			       enum delta_column_mapping_mode *mode, struct lk_error *err);
const char *delta_column_mapping_mode_name(enum delta_column_mapping_mode mode);

/* ---- deletion vectors --------------------------------------------------------------- */

/* The key that tells logical files apart: storage type + path or inline data, plus
 * "@<offset>" when the descriptor has an offset. Appended to out. */
void delta_dv_unique_id(const struct delta_dv_descriptor *dv, struct lk_buf *out);
/* Decodes Z85 text (ZeroMQ RFC 32) into out. Accepts an unaligned tail the two ways
 * writers produce it: zero padding (delta-spark) and the '#'-padded final block (the Rust
 * z85 crate). LK_ECORRUPT on a bad character or block. */
bool delta_z85_decode(const char *text, size_t len, struct lk_buf *out, struct lk_error *err);
/* The DV file of a 'u' descriptor: <root>/<prefix>/deletion_vector_<uuid>.bin. */
char *delta_dv_file_path(const struct delta_table *table, const struct delta_dv_descriptor *dv,
			 struct lk_error *err);

struct delta_dv;

/* Loads the rows a descriptor deletes (reads the DV file for 'u' and 'p'; checks the
 * framing, CRC-32 and cardinality). LK_ECORRUPT, LK_EIO, LK_ENOTFOUND on failure. */
struct delta_dv *delta_dv_load(const struct delta_table *table,
			       const struct delta_dv_descriptor *dv, struct lk_error *err);
/* Decodes a serialized RoaringBitmapArray (the bytes starting with the magic). */
struct delta_dv *delta_dv_deserialize(const uint8_t *data, size_t len, struct lk_error *err);
/* An empty set; and a set built from rows (any order), for tests and CDF. */
struct delta_dv *delta_dv_new(void);
void delta_dv_add(struct delta_dv *dv, uint64_t row);
void delta_dv_free(struct delta_dv *dv);
bool delta_dv_contains(const struct delta_dv *dv, uint64_t row);
uint64_t delta_dv_cardinality(const struct delta_dv *dv);
/* Sets deleted[i] = 1 for each deleted row first_row + i, 0 otherwise (i < n). */
void delta_dv_mask(const struct delta_dv *dv, uint64_t first_row, size_t n, uint8_t *deleted);
/* The rows in ascending order; *n_rows receives the count. Free with free(). */
uint64_t *delta_dv_to_array(const struct delta_dv *dv, size_t *n_rows);
/* Rows in a but not in b (either may be NULL = empty). For the change feed: new DV minus
 * old DV = rows deleted by a commit; old minus new = rows restored. */
struct delta_dv *delta_dv_difference(const struct delta_dv *a, const struct delta_dv *b);
/* Serializes as a RoaringBitmapArray (the format delta_dv_deserialize reads). */
void delta_dv_serialize(const struct delta_dv *dv, struct lk_buf *out);

/* ---- change data feed --------------------------------------------------------------- */

enum delta_change_source {
	DELTA_CHANGE_CDC,        /* rows of a cdc file, with their own _change_type */
	DELTA_CHANGE_INSERT,     /* every row of an added file (minus its DV) is an insert */
	DELTA_CHANGE_DELETE,     /* every row of a removed file (minus its DV) is a delete */
	DELTA_CHANGE_DV_UPDATE,  /* same path removed and added: rows in dv \ old_dv are
				  * deletes, rows in old_dv \ dv are inserts */
};

struct delta_change_file {
	enum delta_change_source source;
	char *path;                      /* percent-decoded */
	struct delta_map partition_values;
	int64_t size;
	bool has_dv;                     /* the action's DV (for DV_UPDATE: the add's) */
	struct delta_dv_descriptor dv;
	bool has_old_dv;                 /* DV_UPDATE: the remove's DV */
	struct delta_dv_descriptor old_dv;
};

struct delta_change_commit {
	int64_t version;
	int64_t timestamp;       /* ms: inCommitTimestamp when ICT is on at version, else mtime */
	bool timestamp_is_ict;
	bool has_cdc;            /* the commit's changes are exactly its cdc files */
	struct delta_change_file *files;
	size_t n_files;
};

struct delta_cdf_options {
	bool allow_additive_schema; /* accept new nullable columns inside the range */
};

struct delta_cdf_plan {
	int64_t start, end;
	enum delta_schema_change schema_change; /* end schema against start schema */
	struct delta_type *schema;              /* the end version's table schema */
	char **partition_columns;               /* the end version's */
	size_t n_partition_columns;
	enum delta_column_mapping_mode column_mapping;
	struct delta_change_commit *commits;    /* one per version start..end */
	size_t n_commits;
};

/* Validates a change feed over versions start..end (end = -1: latest) and lists, per
 * commit, the files whose rows make up the changes. Errors: LK_EINVAL (start > end, or
 * past the latest version), LK_ECDF_DISABLED ("change data was not recorded for version
 * v"), LK_ESCHEMA_CHANGE (schema changed inside the range), LK_EUNSUPPORTED (a protocol
 * lakesync cannot read), LK_ELOG_TRUNCATED (commit files cleaned away). opts may be NULL. */
struct delta_cdf_plan *delta_cdf_plan_build(struct delta_table *table, int64_t start,
					    int64_t end, const struct delta_cdf_options *opts,
					    struct lk_error *err);
void delta_cdf_plan_free(struct delta_cdf_plan *plan);
const char *delta_change_source_name(enum delta_change_source source);

/* ---- table facts -------------------------------------------------------------------- */

struct delta_table_info {
	int64_t version;
	int64_t commit_timestamp;     /* ms */
	int64_t oldest_version;       /* the oldest commit file present */
	int64_t checkpoint_version;   /* the newest checkpoint <= version, or -1 */
	bool cdf_enabled;
	bool ict_enabled;
	enum delta_column_mapping_mode column_mapping;
	struct delta_protocol protocol;
	char *table_id;
	char *name;
	char **partition_columns;
	size_t n_partition_columns;
	struct delta_type *schema;
	struct delta_map properties;
	size_t n_files;
	int64_t size_bytes;
	int64_t row_estimate;         /* sum of stats numRecords minus DV cardinalities */
	size_t files_without_stats;   /* files not counted in row_estimate */
	size_t files_with_dv;
	char *checkpoint_skipped;     /* copied from the snapshot */
};

bool delta_table_info_get(struct delta_table *table, struct delta_table_info *info,
			  struct lk_error *err);
/* The live rows of a data file by its stats: numRecords less what its deletion vector
 * removes; -1 when the file has no usable stats. */
int64_t delta_file_live_rows(const struct delta_file *file);
void delta_table_info_clear(struct delta_table_info *info);
/* The facts as a JSON object (for `lakesync inspect delta --info`); the caller frees it
 * with cJSON_Delete(). Returned as void * so this header does not need cJSON. */
void *delta_table_info_to_json(const struct delta_table_info *info);

#endif
