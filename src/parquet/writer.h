/* parquet/writer.h: writes a Parquet file from lakesync batches.
 *
 * The writer turns a schema (a tree of fields) and a stream of struct lk_batch into one Parquet
 * file: PLAIN values (or, on request, a dictionary page and RLE_DICTIONARY data pages),
 * RLE/bit-packed levels, data pages v1 (or v2), one compression codec for the whole
 * file (UNCOMPRESSED, SNAPPY, GZIP or ZSTD), column chunk statistics, key-value metadata. LIST and
 * MAP use the standard three-level layouts; types carry both the logical type and, where one
 * exists, the legacy converted type. doc/parquet-writer.md lists the type mapping and the limits.
 *
 * The file is written to "<path>.tmp" and renamed to path by pq_writer_close(), so a reader never
 * sees a partial file and a failure leaves nothing behind: pq_writer_close() removes the temporary
 * file when it fails, pq_writer_abort() removes it on request.
 *
 * Ownership: the writer copies the schema and the options it keeps; batches are only read during
 * pq_writer_write_batch(). pq_writer_close() and pq_writer_abort() free the writer. A
 * struct pq_write_result is filled by pq_writer_close() and freed with pq_write_result_free().
 * Failures fill *err (naming the file and the column) and return false or NULL; after a failed
 * pq_writer_write_batch() the writer only accepts pq_writer_abort() (or pq_writer_close(), which
 * then fails and removes the file). Not thread-safe: one writer, one thread. */
#ifndef LK_PARQUET_WRITER_H
#define LK_PARQUET_WRITER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "util/error.h"

/* A column of the file. DECIMAL needs precision (1..38) and scale; LIST has one child (the
 * element; its name is ignored, the file calls it "element"); MAP has two (key, which must not be
 * nullable, and value); STRUCT has one or more. field_id is written when has_field_id is set
 * (Delta column mapping by id). */
struct pq_field {
	const char *name;
	enum lk_type_id type;
	uint8_t precision, scale;
	bool nullable;
	bool has_field_id;
	int32_t field_id;
	const struct pq_field *children;
	size_t n_children;
};

struct pq_write_schema {
	const struct pq_field *fields; /* the top-level columns, in batch column order */
	size_t n_fields;
};

enum pq_codec {
	PQ_CODEC_DEFAULT = 0, /* SNAPPY */
	PQ_CODEC_UNCOMPRESSED,
	PQ_CODEC_SNAPPY,
	PQ_CODEC_GZIP,
	PQ_CODEC_ZSTD,
	PQ_CODEC_COUNT
};

struct pq_key_value {
	const char *key;
	const char *value; /* NULL: the key without a value */
};

/* Options; a NULL pointer or a zeroed struct means the defaults. */
struct pq_writer_options {
	enum pq_codec codec;
	int compression_level;   /* 0: the codec's default (GZIP and ZSTD only) */
	size_t row_group_rows;   /* 0: every pq_writer_write_batch() call ends a row group */
	size_t page_bytes;       /* target uncompressed data page size; 0: PQ_DEFAULT_PAGE_BYTES */
	bool fsync;              /* fsync the file and its directory before close returns */
	bool omit_statistics;    /* no Statistics in the footer (the result still has them) */
	bool dictionary;         /* RLE_DICTIONARY data pages for every type but BOOLEAN */
	size_t dictionary_max_bytes; /* past this, a column chunk goes on in PLAIN;
				      * 0: PQ_DEFAULT_DICTIONARY_BYTES */
	bool data_page_v2;       /* DATA_PAGE_V2 pages (levels uncompressed) instead of v1 */
	const char *created_by;  /* NULL: "lakesync version <PACKAGE_VERSION>" */
	const struct pq_key_value *metadata; /* file key-value metadata, copied */
	size_t n_metadata;
};

enum {
	PQ_DEFAULT_PAGE_BYTES = 1024 * 1024,
	PQ_DEFAULT_DICTIONARY_BYTES = 1024 * 1024,
};

/* What one leaf column held over the whole file, for Delta's per-file stats. min and max are
 * set (has_min_max) for booleans, integers, floats (NaN ignored), decimals, dates, times,
 * timestamps, strings, JSON, binaries and UUIDs when the column had a non-null value: numbers and
 * temporal values in .i64 (unsigned types: the bits) or .f64 (FLOAT and DOUBLE), DECIMAL with
 * precision <= 18 as its unscaled .i64, the byte types and wider decimals in .bytes (decimals as
 * big-endian two's complement, sign-extended to the file's fixed length). */
struct pq_stat_value {
	int64_t i64;
	double f64;
	struct lk_bytes bytes; /* owned by the result */
};

struct pq_column_stats {
	char **path;              /* the leaf's Parquet path, e.g. {"tags", "list", "element"} */
	size_t path_len;
	enum lk_type_id type;
	int max_definition_level;
	int max_repetition_level; /* > 0: the leaf is inside a LIST or MAP */
	int64_t num_values;       /* leaf slots written, nulls included */
	int64_t null_count;       /* slots that are null at some level (Parquet's null_count) */
	int64_t nan_count;        /* FLOAT and DOUBLE */
	bool has_min_max;
	struct pq_stat_value min, max;
};

struct pq_write_result {
	int64_t num_rows;
	int64_t num_row_groups;
	int64_t file_size;                /* bytes, footer included */
	struct pq_column_stats *columns;  /* one per leaf, in file order */
	size_t n_columns;
};

struct pq_writer;

/* Creates "<path>.tmp" and checks the schema: unsupported types (VARIANT), empty structs, bad
 * decimal precision, nullable map keys and the like fail with LK_EUNSUPPORTED or LK_EINVAL. */
struct pq_writer *pq_writer_open(const char *path, const struct pq_write_schema *schema,
				 const struct pq_writer_options *opts, struct lk_error *err);
/* Appends the batch's rows. Its columns must match the schema by position, type, decimal
 * precision and scale, and shape (children); names are not compared. */
bool pq_writer_write_batch(struct pq_writer *w, const struct lk_batch *batch, struct lk_error *err);
/* Ends the current row group now (a no-op when it is empty). */
bool pq_writer_flush_row_group(struct pq_writer *w, struct lk_error *err);
/* Writes the last row group and the footer, renames the file into place and frees the writer.
 * result may be NULL. On failure the temporary file is removed and the writer freed too. */
bool pq_writer_close(struct pq_writer *w, struct pq_write_result *result, struct lk_error *err);
/* Removes the temporary file and frees the writer. NULL is a no-op. */
void pq_writer_abort(struct pq_writer *w);

void pq_write_result_free(struct pq_write_result *result);

/* The codec's name ("snappy"), and the codec of a name (false when there is none). */
const char *pq_codec_name(enum pq_codec codec);
bool pq_codec_from_name(const char *name, enum pq_codec *codec);

#endif
