/* pg/types.c: the type map from logical types to PostgreSQL types (the synced-tables spec's
 * table, plus the Parquet-only types), and identifier quoting and validation. */
#include "config.h"

#include <string.h>

#include "pg/pg.h"

static const struct pg_type_info type_infos[PG_TYPE_COUNT] = {
	[PG_TYPE_UNSUPPORTED] = { .sql = NULL, .oid = 0 },
	[PG_TYPE_BOOLEAN] = { .sql = "boolean", .oid = 16 },
	[PG_TYPE_SMALLINT] = { .sql = "smallint", .oid = 21 },
	[PG_TYPE_INTEGER] = { .sql = "integer", .oid = 23 },
	[PG_TYPE_BIGINT] = { .sql = "bigint", .oid = 20 },
	[PG_TYPE_REAL] = { .sql = "real", .oid = 700 },
	[PG_TYPE_DOUBLE] = { .sql = "double precision", .oid = 701 },
	[PG_TYPE_NUMERIC] = { .sql = "numeric", .oid = 1700 },
	[PG_TYPE_TEXT] = { .sql = "text", .oid = 25 },
	[PG_TYPE_BYTEA] = { .sql = "bytea", .oid = 17 },
	[PG_TYPE_DATE] = { .sql = "date", .oid = 1082 },
	[PG_TYPE_TIME] = { .sql = "time", .oid = 1083 },
	[PG_TYPE_TIMESTAMP] = { .sql = "timestamp without time zone", .oid = 1114 },
	[PG_TYPE_TIMESTAMPTZ] = { .sql = "timestamp with time zone", .oid = 1184 },
	[PG_TYPE_INTERVAL] = { .sql = "interval", .oid = 1186 },
	[PG_TYPE_UUID] = { .sql = "uuid", .oid = 2950 },
	[PG_TYPE_JSONB] = { .sql = "jsonb", .oid = 3802 },
};

/* Source type -> target type. Unsigned integers widen to the next signed type that holds
 * every value; a Delta `void` column (always null) becomes text. */
static const enum pg_type_id type_map[LK_TYPE_COUNT] = {
	[LK_TYPE_NULL] = PG_TYPE_TEXT,
	[LK_TYPE_BOOLEAN] = PG_TYPE_BOOLEAN,
	[LK_TYPE_INT8] = PG_TYPE_SMALLINT,
	[LK_TYPE_INT16] = PG_TYPE_SMALLINT,
	[LK_TYPE_INT32] = PG_TYPE_INTEGER,
	[LK_TYPE_INT64] = PG_TYPE_BIGINT,
	[LK_TYPE_UINT8] = PG_TYPE_SMALLINT,
	[LK_TYPE_UINT16] = PG_TYPE_INTEGER,
	[LK_TYPE_UINT32] = PG_TYPE_BIGINT,
	[LK_TYPE_UINT64] = PG_TYPE_NUMERIC,
	[LK_TYPE_FLOAT] = PG_TYPE_REAL,
	[LK_TYPE_DOUBLE] = PG_TYPE_DOUBLE,
	[LK_TYPE_DECIMAL] = PG_TYPE_NUMERIC,
	[LK_TYPE_STRING] = PG_TYPE_TEXT,
	[LK_TYPE_JSON] = PG_TYPE_JSONB,
	[LK_TYPE_BINARY] = PG_TYPE_BYTEA,
	[LK_TYPE_UUID] = PG_TYPE_UUID,
	[LK_TYPE_DATE] = PG_TYPE_DATE,
	[LK_TYPE_TIME] = PG_TYPE_TIME,
	[LK_TYPE_TIMESTAMP] = PG_TYPE_TIMESTAMPTZ,
	[LK_TYPE_TIMESTAMP_NTZ] = PG_TYPE_TIMESTAMP,
	[LK_TYPE_INTERVAL] = PG_TYPE_INTERVAL,
	[LK_TYPE_VARIANT] = PG_TYPE_UNSUPPORTED,
	[LK_TYPE_STRUCT] = PG_TYPE_JSONB,
	[LK_TYPE_LIST] = PG_TYPE_JSONB,
	[LK_TYPE_MAP] = PG_TYPE_JSONB,
};

enum pg_type_id pg_type_for(enum lk_type_id type)
{
	if ((unsigned)type >= LK_TYPE_COUNT)
		return PG_TYPE_UNSUPPORTED;
	return type_map[type];
}

const struct pg_type_info *pg_type_info(enum pg_type_id type)
{
	if ((unsigned)type >= PG_TYPE_COUNT)
		type = PG_TYPE_UNSUPPORTED;
	return &type_infos[type];
}

bool pg_type_sql(enum lk_type_id type, unsigned precision, unsigned scale, struct lk_buf *out)
{
	enum pg_type_id pg = pg_type_for(type);
	if (pg == PG_TYPE_UNSUPPORTED)
		return false;
	if (type == LK_TYPE_DECIMAL)
		lk_buf_printf(out, "numeric(%u,%u)", precision, scale);
	else if (type == LK_TYPE_UINT64)
		lk_buf_append_str(out, "numeric(20,0)");
	else
		lk_buf_append_str(out, type_infos[pg].sql);
	return true;
}

bool pg_name_validate(const char *name, const char *what, struct lk_error *err)
{
	if (name == NULL || name[0] == '\0')
		return lk_error_set(err, LK_EINVAL, "%s must not be empty", what);
	size_t ok = strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_");
	if (name[ok] != '\0')
		return lk_error_set(err, LK_EINVAL,
				    "%s '%s' has the character '%c' at position %zu; only letters, "
				    "digits and underscores ([A-Za-z0-9_]) are allowed",
				    what, name, name[ok], ok + 1);
	if (ok > 63)
		return lk_error_set(err, LK_EINVAL,
				    "%s '%s' is %zu characters long; PostgreSQL allows at most 63",
				    what, name, ok);
	return true;
}

/* Appends s between quote characters, doubling every quote inside. */
static void quote_with(struct lk_buf *out, const char *s, char quote)
{
	lk_buf_append_byte(out, (uint8_t)quote);
	for (const char *p = s; *p; p++) {
		if (*p == quote)
			lk_buf_append_byte(out, (uint8_t)quote);
		lk_buf_append_byte(out, (uint8_t)*p);
	}
	lk_buf_append_byte(out, (uint8_t)quote);
}

void pg_quote_ident(struct lk_buf *out, const char *name)
{
	quote_with(out, name, '"');
}

void pg_quote_qualified(struct lk_buf *out, const char *schema, const char *table)
{
	pg_quote_ident(out, schema);
	lk_buf_append_byte(out, '.');
	pg_quote_ident(out, table);
}

void pg_quote_literal(struct lk_buf *out, const char *s)
{
	quote_with(out, s, '\'');
}
