/* parquet/parquet.h: the streaming Parquet reader.
 *
 * pq_file_open() reads and checks a file's footer (schema, row groups, key-value metadata,
 * the small part of column chunk statistics: null counts and bounds of up to 64 bytes);
 * pq_reader_open() picks the columns to read; pq_reader_next() then yields one struct
 * lk_batch per row group, in file order, with the columns in projection order. Values follow
 * batch/batch.h's storage rules (timestamps in µs, INT96 converted, FLOAT16 widened to float,
 * decimals of up to 18 digits as unscaled int64, longer ones as big-endian bytes).
 *
 * Projection: a name is first looked up as a top-level field (the whole field is read:
 * structs with their children, lists, maps). A dotted path ("add.path", "add.partitionValues")
 * selects a nested field below structs only; its column is named by the path ("add.path")
 * and holds that field alone, null where an enclosing struct is null. A path that crosses a
 * list or map is refused. pq_reader_open_nodes() selects by schema node instead (Delta column
 * mapping finds nodes by field id).
 *
 * Ownership: a pq_file owns its metadata and schema tree (pointers returned by accessors live
 * until pq_file_close). A pq_reader borrows its pq_file (close the reader first). Each batch
 * belongs to the caller (lk_batch_free); it keeps alive the page buffers its strings point
 * into and does not depend on the reader or file afterwards.
 *
 * Memory: a reader holds at most one row group's projected column chunks, their decoded
 * pages and the batch; the bytes of a batch are capped (pq_reader_set_max_batch_bytes), and a
 * row group needing more fails with LK_ETOOLARGE ("value too large") before allocating it.
 *
 * Errors: every failure fills *err with the file, row group, column path and the reason, and
 * returns NULL/false; corrupt input never crashes, reads out of bounds or loops. Not
 * thread-safe: one file and its readers per thread. Little-endian hosts only. */
#ifndef LK_PARQUET_PARQUET_H
#define LK_PARQUET_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "util/error.h"

/* Physical types, numbered as in parquet.thrift. */
enum pq_physical_type {
	PQ_BOOLEAN = 0,
	PQ_INT32 = 1,
	PQ_INT64 = 2,
	PQ_INT96 = 3,
	PQ_FLOAT = 4,
	PQ_DOUBLE = 5,
	PQ_BYTE_ARRAY = 6,
	PQ_FIXED_LEN_BYTE_ARRAY = 7,
	PQ_GROUP = 100, /* not in the format: a group node */
};

enum pq_repetition {
	PQ_REQUIRED = 0,
	PQ_OPTIONAL = 1,
	PQ_REPEATED = 2,
};

enum pq_time_unit {
	PQ_UNIT_NONE = 0,
	PQ_UNIT_MILLIS,
	PQ_UNIT_MICROS,
	PQ_UNIT_NANOS,
};

/* One node of the schema tree. `type` is what the reader produces for it: the leaf's
 * storage type, or STRUCT, LIST or MAP for groups (legacy lists and bare repeated fields
 * become LIST). */
struct pq_schema_node {
	char *name;
	char *path;                 /* dotted path from the root ("a.b.c"); "" for the root */
	bool has_field_id;
	int32_t field_id;
	enum pq_repetition repetition;
	enum pq_physical_type physical; /* PQ_GROUP for groups */
	int32_t type_length;        /* FIXED_LEN_BYTE_ARRAY width */
	int32_t converted_type;     /* parquet.thrift ConvertedType, or -1 */
	int32_t logical_type;       /* parquet.thrift LogicalType union member id, or 0 */
	enum lk_type_id type;
	uint8_t precision, scale;   /* DECIMAL */
	enum pq_time_unit unit;     /* TIME and TIMESTAMP, as stored in the file */
	bool utc;                   /* TIME and TIMESTAMP: isAdjustedToUTC */
	int max_def, max_rep;       /* levels of this node */
	int leaf_index;             /* column index of a leaf, -1 for groups */
	struct pq_schema_node *parent;
	struct pq_schema_node *children;
	size_t n_children;
};

struct pq_file;
struct pq_reader;

/* Opens a file and parses its footer. Encrypted files (magic PARE) are refused with
 * "encrypted Parquet is not supported". */
struct pq_file *pq_file_open(const char *path, struct lk_error *err);
/* The same from bytes in memory (copied); `name` is used in error messages. */
struct pq_file *pq_file_open_memory(const void *data, size_t size, const char *name,
				    struct lk_error *err);
void pq_file_close(struct pq_file *file);

const char *pq_file_path(const struct pq_file *file);
int64_t pq_file_num_rows(const struct pq_file *file);
size_t pq_file_num_row_groups(const struct pq_file *file);
int64_t pq_file_row_group_rows(const struct pq_file *file, size_t row_group);
const char *pq_file_created_by(const struct pq_file *file); /* NULL when absent */
/* The root of the schema tree (a group whose children are the top-level fields). */
const struct pq_schema_node *pq_file_schema(const struct pq_file *file);
size_t pq_file_num_leaves(const struct pq_file *file);
const struct pq_schema_node *pq_file_leaf(const struct pq_file *file, size_t leaf_index);
/* Finds a node by top-level name, then by dotted path; NULL when absent. */
const struct pq_schema_node *pq_file_find(const struct pq_file *file, const char *name);
/* A LIST group's element node, by the format's backward-compatibility rules: the repeated
 * child's only field (three-level lists), or the repeated child itself (legacy two-level
 * lists: a primitive, several fields, or named "array" or "<list>_tuple"); *two_level says
 * which. */
const struct pq_schema_node *pq_schema_list_element(const struct pq_schema_node *list,
						    bool *two_level);
/* Key-value metadata of the footer; value may be NULL. */
size_t pq_file_kv_count(const struct pq_file *file);
bool pq_file_kv(const struct pq_file *file, size_t index, const char **key, const char **value);

/* True only when the footer's statistics PROVE that every entry of leaf column leaf_index in
 * row group row_group is non-null and equal to value: null_count present and 0, and min and
 * max both present, equal to value byte for byte (value as PLAIN stores it: a BYTE_ARRAY's
 * bytes without the length, an INT32 as 4 little-endian bytes, ...) and not declared
 * inexact. Anything missing or unusable answers false: no statistics, bounds longer than 64
 * bytes (the reader keeps no longer ones), out-of-range indexes, leaves inside a list or map,
 * floating-point leaves (NaN and -0.0 are left out of min and max), and the deprecated
 * min/max of writers known to get them wrong (parquet-mr before 1.8.0). For skipping row
 * groups without reading them; never for deciding what a value is. */
bool pq_file_chunk_all_equal(const struct pq_file *file, size_t row_group, size_t leaf_index,
			     const void *value, size_t len);

enum {
	PQ_DEFAULT_MAX_BATCH_BYTES = 1 << 30, /* 1 GiB per row group of projected columns */
};

/* Opens a reader of the named columns (top-level names or dotted paths; NULL/0 = every
 * top-level field). */
struct pq_reader *pq_reader_open(struct pq_file *file, const char *const *columns, size_t n,
				 struct lk_error *err);
/* Opens a reader of the given schema nodes (from this file's tree). */
struct pq_reader *pq_reader_open_nodes(struct pq_file *file,
				       const struct pq_schema_node *const *nodes, size_t n,
				       struct lk_error *err);
/* Caps the bytes one batch may need (compressed chunks + decoded pages + values). */
void pq_reader_set_max_batch_bytes(struct pq_reader *reader, size_t max_bytes);
/* Restricts the reader to row groups first .. first + count - 1 (clamped to the file); the
 * next pq_reader_next() reads row group `first`. For splitting one big file between
 * workers. */
void pq_reader_set_row_groups(struct pq_reader *reader, size_t first, size_t count);
/* Leaves row group row_group out: pq_reader_next() passes over it as over an empty one.
 * Call before pq_reader_next() reaches it (an index out of range is ignored); combines with
 * pq_reader_set_row_groups() in either order. */
void pq_reader_skip_row_group(struct pq_reader *reader, size_t row_group);
/* Decodes the columns of each row group on up to `threads` threads (1, the default, or 2):
 * the calling thread and one more, each taking about half of the projected columns' bytes.
 * Worth it where a batch is waited for and a core is idle (the first batch of a change
 * feed); the batches are the same either way. */
void pq_reader_set_decode_threads(struct pq_reader *reader, int threads);
/* Reads the next row group. Sets *out to a new batch, or to NULL at the end (returns true).
 * Row groups without rows are skipped. Returns false with *err filled on failure. */
bool pq_reader_next(struct pq_reader *reader, struct lk_batch **out, struct lk_error *err);
void pq_reader_close(struct pq_reader *reader);

#endif
