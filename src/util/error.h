/* util/error.h: errors as values.
 * Library code never prints or exits: a fallible function takes a `struct lk_error *err` as
 * its last argument, fills it and returns false (or NULL). The message says what failed,
 * where (table, version, file, row group, column, row key) and why, in one line a user can
 * act on. Callers add context with lk_error_prefix() as the error travels up; only the CLI,
 * the console and the daemon turn an error into output and an exit status.
 * err may be NULL (the caller does not want details). A struct lk_error is plain data:
 * copy it freely, nothing to free. Thread-safe (no shared state). */
#ifndef LK_UTIL_ERROR_H
#define LK_UTIL_ERROR_H

#include <stdbool.h>

/* Error classes. The name is stable: tests, the API's error_code and the run history use it.
 * Keep this list and the table in error.c in the same order. */
enum lk_errcode {
	LK_OK = 0,
	LK_EINVAL,          /* a bad argument or request */
	LK_EIO,             /* reading or writing a file failed */
	LK_ENOTFOUND,       /* a table, file, column or object does not exist */
	LK_EEXISTS,         /* it exists already */
	LK_ECORRUPT,        /* a file's bytes contradict its format */
	LK_EUNSUPPORTED,    /* valid input using something lakesync does not implement */
	LK_ETOOLARGE,       /* a value or request exceeds a limit */
	LK_ECONFIG,         /* the configuration file is wrong */
	LK_EPG,             /* PostgreSQL refused a statement */
	LK_ECONN,           /* a connection failed or dropped; a retry may help */
	LK_EBUSY,           /* another engine holds the pipeline */
	LK_ECANCELED,       /* the operation was cancelled */
	LK_ECDF_DISABLED,   /* Change Data Feed not enabled for the requested versions */
	LK_ESCHEMA_CHANGE,  /* a non-additive schema change */
	LK_ELOG_TRUNCATED,  /* commit, cdc or data files were cleaned away */
	LK_EPK_VIOLATION,   /* duplicate primary key without a timeseries key */
	LK_EBAD_CHARACTER,  /* a NUL byte in text or JSON */
	LK_EAUTH,           /* missing or wrong credentials */
	LK_ETRANSIENT,      /* a deadlock, serialization failure or lock timeout; a retry may help */
	LK_EINTERNAL,       /* a bug in lakesync */
	LK_ERRCODE_COUNT
};

enum { LK_ERROR_MESSAGE_MAX = 1024 };

struct lk_error {
	enum lk_errcode code;
	char message[LK_ERROR_MESSAGE_MAX];
};

#define LK_ERROR_INIT { .code = LK_OK, .message = "" }

/* Sets the error (replacing any earlier one) and returns false, so a bool function can
 * `return lk_error_set(err, ...)`. Messages longer than the buffer are cut with "...". */
bool lk_error_set(struct lk_error *err, enum lk_errcode code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* As lk_error_set, appending ": <strerror(errnum)>". */
bool lk_error_set_errno(struct lk_error *err, enum lk_errcode code, int errnum,
			const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Prepends "<context>: " to the message, keeping the code. Returns false. */
bool lk_error_prefix(struct lk_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void lk_error_clear(struct lk_error *err);
/* The stable upper-case name of a code ("CORRUPT", "PRIMARY_KEY_CONSTRAINT_VIOLATION"). */
const char *lk_errcode_name(enum lk_errcode code);
/* The code whose name is `name`, or LK_ERRCODE_COUNT when there is none. */
enum lk_errcode lk_errcode_from_name(const char *name);

#endif
