/* util/log.h: a levelled logger for the whole process.
 * Lines go to one sink: stderr by default, or a file opened with lk_log_open() (the console
 * logs to a file so that nothing writes over the screen). Each line is
 * "<RFC 3339 time> <LEVEL> <message>". An optional hook also receives every line kept
 * (the console's Log tab). Thread-safe: a mutex serialises writers. */
#ifndef LK_UTIL_LOG_H
#define LK_UTIL_LOG_H

#include <stdbool.h>
#include <stdio.h>

#include "util/error.h"

enum lk_log_level {
	LK_LOG_ERROR = 0,
	LK_LOG_WARN,
	LK_LOG_INFO,
	LK_LOG_DEBUG,
	LK_LOG_TRACE,
};

typedef void (*lk_log_hook)(void *ctx, enum lk_log_level level, const char *line);

void lk_log_set_level(enum lk_log_level level);
enum lk_log_level lk_log_get_level(void);
/* Parses "error", "warn", "info", "debug" or "trace" (any case). */
bool lk_log_level_parse(const char *name, enum lk_log_level *level, struct lk_error *err);
const char *lk_log_level_name(enum lk_log_level level);
/* Sends lines to `stream` (not closed by the logger). */
void lk_log_set_stream(FILE *stream);
/* Sends lines to the file at path, appending; closes any file opened before. */
bool lk_log_open(const char *path, struct lk_error *err);
/* Closes a file opened by lk_log_open() and goes back to stderr. */
void lk_log_close(void);
void lk_log_set_hook(lk_log_hook hook, void *ctx);
bool lk_log_enabled(enum lk_log_level level);
void lk_log(enum lk_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
