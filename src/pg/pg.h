/* pg/pg.h: the PostgreSQL side of the data path: the type map, identifier rules, and the
 * COPY BINARY encoder that turns a columnar batch into the bytes of `COPY ... FROM STDIN
 * (FORMAT binary)`.
 *
 * Knows nothing of Parquet or Delta: columns arrive as struct lk_vector (src/batch) with a
 * logical type. The encoder writes straight from the typed arrays (no text round trip),
 * column by column, with no allocation per value; nested values (LIST, MAP, STRUCT) become
 * JSONB through the shared JSON rendering (doc/value-format.md).
 * Not thread-safe per encoder; encoders are independent, so one per worker is fine.
 * Failures (a NUL byte under the `fail` policy, a value PostgreSQL cannot hold) fill *err
 * and leave the output buffer as it was before the call. */
#ifndef LK_PG_PG_H
#define LK_PG_PG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libpq-fe.h>

#include "batch/batch.h"
#include "util/buf.h"
#include "util/error.h"

/* ---- type map ------------------------------------------------------------------------ */

enum pg_type_id {
	PG_TYPE_UNSUPPORTED = 0,
	PG_TYPE_BOOLEAN,
	PG_TYPE_SMALLINT,
	PG_TYPE_INTEGER,
	PG_TYPE_BIGINT,
	PG_TYPE_REAL,
	PG_TYPE_DOUBLE,
	PG_TYPE_NUMERIC,
	PG_TYPE_TEXT,
	PG_TYPE_BYTEA,
	PG_TYPE_DATE,
	PG_TYPE_TIME,
	PG_TYPE_TIMESTAMP,   /* without time zone */
	PG_TYPE_TIMESTAMPTZ,
	PG_TYPE_INTERVAL,
	PG_TYPE_UUID,
	PG_TYPE_JSONB,
	PG_TYPE_COUNT
};

struct pg_type_info {
	const char *sql;   /* the type as written in DDL ("double precision") */
	uint32_t oid;      /* PostgreSQL's built-in type oid */
};

/* The PostgreSQL type a logical type is stored as; PG_TYPE_UNSUPPORTED for VARIANT. */
enum pg_type_id pg_type_for(enum lk_type_id type);
const struct pg_type_info *pg_type_info(enum pg_type_id type);
/* The column type for DDL into out, e.g. "numeric(12,2)"; false for unsupported types. */
bool pg_type_sql(enum lk_type_id type, unsigned precision, unsigned scale, struct lk_buf *out);

/* ---- identifiers --------------------------------------------------------------------- */

/* Database, schema and table names: [A-Za-z0-9_]+ (the synced-tables API's rule). `what`
 * names the thing in the error ("schema name"). */
bool pg_name_validate(const char *name, const char *what, struct lk_error *err);
/* Appends name as a quoted identifier ("a""b"); every identifier lakesync writes is quoted. */
void pg_quote_ident(struct lk_buf *out, const char *name);
/* Appends "schema"."table". */
void pg_quote_qualified(struct lk_buf *out, const char *schema, const char *table);
/* Appends s as a SQL string literal ('it''s'), E'' form never needed. */
void pg_quote_literal(struct lk_buf *out, const char *s);

/* ---- connections ------------------------------------------------------------------- */

/* Connects with a libpq connection string ("" = libpq's defaults from PG* variables) and
 * sets application_name. Connection failures are LK_ECONN. The caller PQfinish()es. */
PGconn *pg_connect(const char *conninfo, const char *application_name, struct lk_error *err);
/* Runs SQL without parameters or results; it may hold several statements. */
bool pg_exec(PGconn *conn, const char *sql, struct lk_error *err);
/* Runs SQL with text parameters ($1..$n, NULL entries are SQL NULL); returns the result
 * (the caller PQclear()s) or NULL with *err set. */
PGresult *pg_query(PGconn *conn, const char *sql, int n_params, const char *const *params,
		   struct lk_error *err);
/* Fills *err from a failed result or a broken connection: LK_ECONN for connection-class
 * errors (SQLSTATE 08..., 57P0x, a lost connection), LK_ETRANSIENT for a serialization
 * failure, deadlock or lock timeout (40001, 40P01, 55P03) — both may go away on a retry —
 * and LK_EPG otherwise; the message is "PostgreSQL SQLSTATE: message". Returns false. */
bool pg_error_from(PGconn *conn, const PGresult *res, struct lk_error *err);
/* Streams a COPY ... FROM STDIN: start it, put data as often as needed, then finish (which
 * reports the server's verdict) or abort (which makes the server fail the COPY). */
bool pg_copy_start(PGconn *conn, const char *copy_sql, struct lk_error *err);
bool pg_copy_put(PGconn *conn, const void *data, size_t len, struct lk_error *err);
bool pg_copy_finish(PGconn *conn, struct lk_error *err);
void pg_copy_abort(PGconn *conn, const char *reason);

/* ---- COPY BINARY encoder ------------------------------------------------------------- */

/* What to do with a NUL byte in a text or JSON value (`spec.invalid_characters`). */
enum pg_nul_policy {
	PG_NUL_FAIL = 0, /* fail the batch; the error names table, column and the row's key */
	PG_NUL_STRIP,    /* drop the NUL bytes */
	PG_NUL_REPLACE,  /* replace each with U+FFFD */
};

/* Parses "fail", "strip" or "replace". */
bool pg_nul_policy_parse(const char *text, enum pg_nul_policy *policy, struct lk_error *err);

struct pg_copy_column {
	const struct lk_vector *vec; /* the values */
	const char *name;            /* target column name, for errors */
	enum pg_type_id type;        /* the target type (pg_type_for(vec->type) normally) */
};

struct pg_copy_request {
	const struct pg_copy_column *columns;
	size_t n_columns;
	const uint32_t *rows;  /* the batch rows to write, in order; NULL = 0..n_rows-1 */
	size_t n_rows;
	const char *table;     /* for errors: the target table's name */
	enum pg_nul_policy nul_policy;
	const size_t *key_columns; /* indexes into columns, for errors naming the row's key */
	size_t n_key_columns;
};

/* Scratch memory an encoder reuses across batches (keep one per worker). */
struct pg_copy_encoder;

struct pg_copy_encoder *pg_copy_encoder_new(void);
void pg_copy_encoder_free(struct pg_copy_encoder *enc);
/* Appends the COPY BINARY header / trailer. */
void pg_copy_begin(struct lk_buf *out);
void pg_copy_end(struct lk_buf *out);
/* Appends one tuple per requested row. */
bool pg_copy_encode(struct pg_copy_encoder *enc, const struct pg_copy_request *req,
		    struct lk_buf *out, struct lk_error *err);

#endif
