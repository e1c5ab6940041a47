/* util/error.c: the error value and the table of error class names (see error.h). */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/error.h"

/* Names match the API's error classes where the synced-tables API has one. */
static const char *const errcode_names[LK_ERRCODE_COUNT] = {
	[LK_OK] = "OK",
	[LK_EINVAL] = "INVALID_PARAMETER_VALUE",
	[LK_EIO] = "IO_ERROR",
	[LK_ENOTFOUND] = "RESOURCE_DOES_NOT_EXIST",
	[LK_EEXISTS] = "ALREADY_EXISTS",
	[LK_ECORRUPT] = "CORRUPT_DATA",
	[LK_EUNSUPPORTED] = "NOT_IMPLEMENTED",
	[LK_ETOOLARGE] = "RESOURCE_LIMIT_EXCEEDED",
	[LK_ECONFIG] = "INVALID_CONFIG",
	[LK_EPG] = "POSTGRES_ERROR",
	[LK_ECONN] = "CONNECTION_FAILED",
	[LK_EBUSY] = "RESOURCE_CONFLICT",
	[LK_ECANCELED] = "CANCELLED",
	[LK_ECDF_DISABLED] = "CHANGE_DATA_FEED_NOT_ENABLED",
	[LK_ESCHEMA_CHANGE] = "COLUMN_TYPE_CHANGE_NOT_SUPPORTED",
	[LK_ELOG_TRUNCATED] = "DELTA_TRUNCATED_TRANSACTION_LOG",
	[LK_EPK_VIOLATION] = "PRIMARY_KEY_CONSTRAINT_VIOLATION",
	[LK_EBAD_CHARACTER] = "CHARACTER_NOT_IN_REPERTOIRE",
	[LK_EAUTH] = "UNAUTHENTICATED",
	[LK_ETRANSIENT] = "TEMPORARILY_UNAVAILABLE",
	[LK_EINTERNAL] = "INTERNAL_ERROR",
};

const char *lk_errcode_name(enum lk_errcode code)
{
	if ((unsigned)code >= LK_ERRCODE_COUNT || errcode_names[code] == NULL)
		return "UNKNOWN";
	return errcode_names[code];
}

enum lk_errcode lk_errcode_from_name(const char *name)
{
	for (int i = 0; i < LK_ERRCODE_COUNT; i++)
		if (errcode_names[i] && strcmp(errcode_names[i], name) == 0)
			return (enum lk_errcode)i;
	return LK_ERRCODE_COUNT;
}

/* Marks a message cut short so the reader knows text is missing. */
static void error_mark_truncated(struct lk_error *err, int written)
{
	if (written >= LK_ERROR_MESSAGE_MAX)
		memcpy(err->message + LK_ERROR_MESSAGE_MAX - 4, "...", 4);
}

static void error_vset(struct lk_error *err, enum lk_errcode code, const char *fmt, va_list ap)
{
	err->code = code;
	int written = vsnprintf(err->message, sizeof err->message, fmt, ap);
	if (written < 0)
		snprintf(err->message, sizeof err->message, "(unprintable error message)");
	error_mark_truncated(err, written);
}

bool lk_error_set(struct lk_error *err, enum lk_errcode code, const char *fmt, ...)
{
	if (err == NULL)
		return false;
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	return false;
}

bool lk_error_set_errno(struct lk_error *err, enum lk_errcode code, int errnum,
			const char *fmt, ...)
{
	if (err == NULL)
		return false;
	va_list ap;
	va_start(ap, fmt);
	error_vset(err, code, fmt, ap);
	va_end(ap);
	size_t len = strlen(err->message);
	int written = snprintf(err->message + len, sizeof err->message - len, ": %s",
			       strerror(errnum));
	error_mark_truncated(err, (int)len + written);
	return false;
}

bool lk_error_prefix(struct lk_error *err, const char *fmt, ...)
{
	if (err == NULL)
		return false;
	char prefix[LK_ERROR_MESSAGE_MAX];
	va_list ap;
	va_start(ap, fmt);
	int plen = vsnprintf(prefix, sizeof prefix, fmt, ap);
	va_end(ap);
	if (plen < 0)
		return false;
	char joined[LK_ERROR_MESSAGE_MAX];
	int written = snprintf(joined, sizeof joined, "%s: %s", prefix, err->message);
	memcpy(err->message, joined, sizeof joined);
	error_mark_truncated(err, written);
	return false;
}

void lk_error_clear(struct lk_error *err)
{
	if (err == NULL)
		return;
	err->code = LK_OK;
	err->message[0] = '\0';
}
