/* delta/internal.h: what the files of src/delta share with each other and with the unit
 * tests, but not with the rest of lakesync: log listing and segments, reading a commit or
 * checkpoint (JSON or Parquet) as a stream of actions, and small helpers.
 * Same conventions as delta.h (caller owns results; errors as values; not thread-safe). */
#ifndef LK_DELTA_INTERNAL_H
#define LK_DELTA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delta/delta.h"

/* ---- log listing (log.c) ------------------------------------------------------------ */

enum delta_log_kind {
	DELTA_LOG_COMMIT,                /* <v>.json */
	DELTA_LOG_CHECKPOINT_CLASSIC,    /* <v>.checkpoint.parquet */
	DELTA_LOG_CHECKPOINT_MULTIPART,  /* <v>.checkpoint.<o>.<p>.parquet */
	DELTA_LOG_CHECKPOINT_UUID,       /* <v>.checkpoint.<uuid>.(json|parquet) */
	DELTA_LOG_COMPACTION,            /* <x>.<y>.compacted.json */
	DELTA_LOG_CRC,                   /* <v>.crc */
};

struct delta_log_file {
	enum delta_log_kind kind;
	int64_t version;     /* compaction: the first version x */
	int64_t end_version; /* compaction: y; else == version */
	uint32_t part, parts;/* multi-part checkpoints */
	bool is_parquet;     /* checkpoints */
	char *name;          /* file name inside _delta_log/ */
	int64_t mtime_ms;
	int64_t size;
};

/* Classifies a file name of _delta_log/ (strictly: 20-digit versions, 10-digit parts,
 * canonical UUIDs). false for anything else (hidden files, Hadoop .crc files, junk). */
bool delta_log_classify(const char *name, struct delta_log_file *out);
const char *delta_log_kind_name(enum delta_log_kind kind);

struct delta_listing {
	struct delta_log_file *files; /* sorted by version, then kind, then name */
	size_t n;
	int64_t latest_version;       /* newest commit or checkpoint, -1 when none */
};

bool delta_log_list(const struct delta_table *table, struct delta_listing *out,
		    struct lk_error *err);
void delta_listing_free(struct delta_listing *listing);

/* _last_checkpoint, read as a hint. */
enum delta_hint_state {
	DELTA_HINT_ABSENT,
	DELTA_HINT_OK,      /* names a complete checkpoint of the listing */
	DELTA_HINT_STALE,   /* names a checkpoint the listing does not have (or not the newest) */
	DELTA_HINT_CORRUPT, /* unreadable JSON or no version */
};

/* A complete checkpoint: one file, or every part of a multi-part one. */
struct delta_checkpoint_ref {
	int64_t version;
	enum delta_log_kind kind;
	bool is_parquet;
	const struct delta_log_file **parts; /* borrowed from the listing */
	size_t n_parts;
};

/* What replaying one version needs. */
struct delta_segment {
	int64_t version;
	bool has_checkpoint;
	struct delta_checkpoint_ref checkpoint;   /* newest complete checkpoint <= version */
	const struct delta_log_file **commits;    /* checkpoint+1 (or 0) .. version, in order */
	size_t n_commits;
	bool commits_from_zero;  /* commits 0..version all exist (checkpoint fallback possible) */
	enum delta_hint_state hint;
};

/* Chooses the checkpoint and commits for version (-1 = latest). Errors: LK_ENOTFOUND
 * (version past latest or empty log), LK_ECORRUPT (a missing commit inside the range),
 * LK_ELOG_TRUNCATED (version older than the oldest reconstructible one). */
bool delta_segment_build(const struct delta_table *table, const struct delta_listing *listing,
			 int64_t version, struct delta_segment *seg, struct lk_error *err);
void delta_segment_free(struct delta_segment *seg);
/* The commit file of version v in the listing, or NULL. */
const struct delta_log_file *delta_listing_commit(const struct delta_listing *listing,
						 int64_t version);
/* The oldest commit version present, or -1. */
int64_t delta_listing_oldest_commit(const struct delta_listing *listing);

/* ---- reading actions (actions.c, checkpoint.c, checkpoint_parquet.c) ------------------ */

enum delta_visit {
	DELTA_VISIT_CONTINUE,
	DELTA_VISIT_STOP,  /* stop reading, no error */
	DELTA_VISIT_ERROR, /* stop; *err is set */
};

/* Called for each known action in file order. The callback may move owned pointers out
 * of *action (setting them to NULL); whatever is left is freed after it returns. */
typedef enum delta_visit (*delta_action_fn)(void *ctx, struct delta_action *action,
					   struct lk_error *err);

/* Reads a newline-delimited JSON file of actions. `where` names it in errors
 * ("table /t: commit 5 (00000000000000000005.json)"), to which ", line N" is added. */
bool delta_actions_read_file(const char *path, const char *where, delta_action_fn fn,
			     void *ctx, struct lk_error *err);
/* The same over a buffer (for tests and the fuzzer). */
bool delta_actions_read_buffer(const char *data, size_t len, const char *where,
			       delta_action_fn fn, void *ctx, struct lk_error *err);

/* Streams every action of a complete checkpoint to fn: all parts in order (JSON or Parquet),
 * then the add/remove actions of the sidecar files its `sidecar` actions name (V2, read from
 * `_delta_log/_sidecars/`). commitInfo and cdc rows are dropped; `sidecar` actions are not
 * passed on; a checkpointMetadata whose version is not the checkpoint's is LK_ECORRUPT. On
 * failure some actions may already have reached fn: the caller discards what it built.
 * Errors name the table, the checkpoint file (and sidecar), the row group and row: LK_ECORRUPT
 * (a row with two actions, a missing required field, a column of the wrong type, a file that
 * is not Parquet), LK_ELOG_TRUNCATED (a sidecar file is gone), LK_EUNSUPPORTED (what the
 * Parquet reader cannot read, a sidecar outside the local file system), LK_EIO. */
bool delta_checkpoint_read(const struct delta_table *table,
			   const struct delta_checkpoint_ref *checkpoint, delta_action_fn fn,
			   void *ctx, struct lk_error *err);

/* One Parquet file of a checkpoint (checkpoint_parquet.c): a part, a UUID .parquet checkpoint
 * or, with sidecar set, a sidecar file (only its add and remove columns are read). Rows are
 * read one row group at a time; each row's one non-null action goes to fn. Columns and fields
 * the file lacks read as null. `where` names the file in errors, which add the row group and
 * row. */
bool delta_checkpoint_parquet_read(const char *path, const char *where, bool sidecar,
				   delta_action_fn fn, void *ctx, struct lk_error *err);

/* Commit timestamp of one commit: in-commit timestamp when ict is true, else mtime.
 * Reads the commit's commitInfo when ict is true. */
bool delta_commit_timestamp(const struct delta_table *table, const struct delta_log_file *commit,
			    bool ict, int64_t *timestamp_ms, struct lk_error *err);

/* ---- helpers shared by the module ------------------------------------------------- */

void delta_map_clear(struct delta_map *map);
void delta_map_copy(struct delta_map *dst, const struct delta_map *src);
void delta_protocol_clear(struct delta_protocol *protocol);
void delta_protocol_copy(struct delta_protocol *dst, const struct delta_protocol *src);
void delta_metadata_clear(struct delta_metadata *metadata);
void delta_metadata_copy(struct delta_metadata *dst, const struct delta_metadata *src);
void delta_file_action_clear(struct delta_file_action *file);
void delta_dv_descriptor_copy(struct delta_dv_descriptor *dst,
			      const struct delta_dv_descriptor *src);
void delta_commit_info_clear(struct delta_commit_info *info);
char **delta_strv_copy(char *const *strv, size_t n);
/* {"key": "value" | null, ...} and ["a", "b"], for the writer's actions and the table info. */
struct cJSON *delta_map_to_cjson(const struct delta_map *map);
struct cJSON *delta_strv_to_cjson(char *const *strv, size_t n);
void delta_strv_free(char **strv, size_t n);
/* "<root>/_delta_log/<name>" */
char *delta_log_path(const struct delta_table *table, const char *name);

/* A string-keyed hash map of void * values (replay state). */
struct delta_strmap_entry {
	char *key;
	void *value;
};

struct delta_strmap {
	struct delta_strmap_entry *slots;
	size_t cap;   /* power of two */
	size_t count; /* live entries */
	size_t used;  /* live + deleted */
};

/* Returns the previous value under key (the map keeps its own key copy), or NULL. */
void *delta_strmap_put(struct delta_strmap *map, const char *key, void *value);
void *delta_strmap_get(const struct delta_strmap *map, const char *key);
/* Removes key and returns its value, or NULL. */
void *delta_strmap_remove(struct delta_strmap *map, const char *key);
/* Frees the map's keys and slots; values are the caller's (see delta_strmap_values). */
void delta_strmap_free(struct delta_strmap *map);
/* The live values in no particular order; *n receives the count. Free the array. */
void **delta_strmap_values(const struct delta_strmap *map, size_t *n);

#endif
