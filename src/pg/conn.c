/* pg/conn.c: libpq connections and statements with errors as values (see pg.h). */
#include "config.h"

#include <string.h>

#include "pg/pg.h"
#include "util/buf.h"
#include "util/log.h"

/* Server notices ("schema already exists, skipping") go to the log, never the terminal. */
static void pg_notice_to_log(void *arg, const char *message)
{
	size_t len = strlen(message);
	while (len > 0 && message[len - 1] == '\n')
		len--;
	lk_log(LK_LOG_DEBUG, "PostgreSQL: %.*s", (int)len, message);
}

PGconn *pg_connect(const char *conninfo, const char *application_name, struct lk_error *err)
{
	const char *keys[] = { "dbname", "application_name", "fallback_application_name", NULL };
	const char *values[] = { conninfo, application_name, "lakesync", NULL };
	/* expand_dbname: the conninfo string is parsed as a whole connection string */
	PGconn *conn = PQconnectdbParams(keys, values, 1);
	if (conn == NULL) {
		lk_error_set(err, LK_ECONN, "cannot connect to PostgreSQL: out of memory");
		return NULL;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(conn);
		size_t len = strlen(msg);
		while (len > 0 && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
			len--;
		lk_error_set(err, LK_ECONN, "cannot connect to PostgreSQL (%s): %.*s",
			     conninfo[0] ? conninfo : "PG* defaults", (int)len, msg);
		PQfinish(conn);
		return NULL;
	}
	PQsetNoticeProcessor(conn, pg_notice_to_log, NULL);
	return conn;
}

static bool sqlstate_is_connection_class(const char *state)
{
	return state != NULL && (strncmp(state, "08", 2) == 0 || strncmp(state, "57P0", 4) == 0);
}

/* Serialization failure, deadlock, lock timeout: the statement may succeed if run again. */
static bool sqlstate_is_transient(const char *state)
{
	return state != NULL && (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0 ||
				 strcmp(state, "55P03") == 0);
}

bool pg_error_from(PGconn *conn, const PGresult *res, struct lk_error *err)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL) : NULL;
	if (primary == NULL)
		primary = PQerrorMessage(conn);
	size_t len = strlen(primary);
	while (len > 0 && primary[len - 1] == '\n')
		len--;
	enum lk_errcode code = PQstatus(conn) == CONNECTION_BAD || sqlstate_is_connection_class(state)
				       ? LK_ECONN
			       : sqlstate_is_transient(state) ? LK_ETRANSIENT
							      : LK_EPG;
	if (detail)
		return lk_error_set(err, code, "PostgreSQL %s: %.*s (%s)", state ? state : "error",
				    (int)len, primary, detail);
	return lk_error_set(err, code, "PostgreSQL %s: %.*s", state ? state : "error", (int)len,
			    primary);
}

bool pg_exec(PGconn *conn, const char *sql, struct lk_error *err)
{
	/* the simple query protocol: sql may hold several statements */
	PGresult *res = PQexec(conn, sql);
	ExecStatusType st = PQresultStatus(res);
	bool ok = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK;
	if (!ok)
		pg_error_from(conn, res, err);
	PQclear(res);
	return ok;
}

PGresult *pg_query(PGconn *conn, const char *sql, int n_params, const char *const *params,
		   struct lk_error *err)
{
	PGresult *res = PQexecParams(conn, sql, n_params, NULL, params, NULL, NULL, 0);
	ExecStatusType st = PQresultStatus(res);
	if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK)
		return res;
	pg_error_from(conn, res, err);
	PQclear(res);
	return NULL;
}

bool pg_copy_start(PGconn *conn, const char *copy_sql, struct lk_error *err)
{
	PGresult *res = PQexec(conn, copy_sql);
	bool ok = PQresultStatus(res) == PGRES_COPY_IN;
	if (!ok)
		pg_error_from(conn, res, err);
	PQclear(res);
	return ok;
}

bool pg_copy_put(PGconn *conn, const void *data, size_t len, struct lk_error *err)
{
	enum { CHUNK = 1 << 20 }; /* libpq takes an int length */
	const char *p = data;
	while (len > 0) {
		size_t n = len < CHUNK ? len : CHUNK;
		if (PQputCopyData(conn, p, (int)n) != 1)
			return pg_error_from(conn, NULL, err);
		p += n;
		len -= n;
	}
	return true;
}

bool pg_copy_finish(PGconn *conn, struct lk_error *err)
{
	if (PQputCopyEnd(conn, NULL) != 1)
		return pg_error_from(conn, NULL, err);
	bool ok = true;
	PGresult *res;
	while ((res = PQgetResult(conn)) != NULL) {
		if (ok && PQresultStatus(res) != PGRES_COMMAND_OK)
			ok = pg_error_from(conn, res, err);
		PQclear(res);
	}
	return ok;
}

void pg_copy_abort(PGconn *conn, const char *reason)
{
	PQputCopyEnd(conn, reason);
	PGresult *res;
	while ((res = PQgetResult(conn)) != NULL)
		PQclear(res);
}

