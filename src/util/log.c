/* util/log.c: the process-wide levelled logger (see log.h). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "util/clock.h"
#include "util/log.h"

static const char *const level_names[] = {
	[LK_LOG_ERROR] = "ERROR",
	[LK_LOG_WARN] = "WARN",
	[LK_LOG_INFO] = "INFO",
	[LK_LOG_DEBUG] = "DEBUG",
	[LK_LOG_TRACE] = "TRACE",
};

static struct {
	pthread_mutex_t lock;
	enum lk_log_level level;
	FILE *stream;     /* NULL means stderr */
	FILE *owned_file; /* opened by lk_log_open() */
	lk_log_hook hook;
	void *hook_ctx;
} logger = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
	.level = LK_LOG_INFO,
};

void lk_log_set_level(enum lk_log_level level)
{
	logger.level = level;
}

enum lk_log_level lk_log_get_level(void)
{
	return logger.level;
}

const char *lk_log_level_name(enum lk_log_level level)
{
	if ((unsigned)level > LK_LOG_TRACE)
		return "?";
	return level_names[level];
}

bool lk_log_level_parse(const char *name, enum lk_log_level *level, struct lk_error *err)
{
	for (unsigned i = 0; i <= LK_LOG_TRACE; i++) {
		if (strcasecmp(name, level_names[i]) == 0) {
			*level = (enum lk_log_level)i;
			return true;
		}
	}
	return lk_error_set(err, LK_EINVAL,
			    "unknown log level '%s' (expected error, warn, info, debug or trace)",
			    name);
}

static void log_close_owned(void)
{
	if (logger.owned_file)
		fclose(logger.owned_file);
	logger.owned_file = NULL;
}

void lk_log_set_stream(FILE *stream)
{
	pthread_mutex_lock(&logger.lock);
	log_close_owned();
	logger.stream = stream;
	pthread_mutex_unlock(&logger.lock);
}

bool lk_log_open(const char *path, struct lk_error *err)
{
	FILE *f = fopen(path, "ae");
	if (f == NULL)
		return lk_error_set_errno(err, LK_EIO, errno, "cannot open log file %s", path);
	setvbuf(f, NULL, _IOLBF, 0);
	pthread_mutex_lock(&logger.lock);
	log_close_owned();
	logger.owned_file = f;
	logger.stream = f;
	pthread_mutex_unlock(&logger.lock);
	return true;
}

void lk_log_close(void)
{
	lk_log_set_stream(NULL);
}

void lk_log_set_hook(lk_log_hook hook, void *ctx)
{
	pthread_mutex_lock(&logger.lock);
	logger.hook = hook;
	logger.hook_ctx = ctx;
	pthread_mutex_unlock(&logger.lock);
}

bool lk_log_enabled(enum lk_log_level level)
{
	return level <= logger.level;
}

void lk_log(enum lk_log_level level, const char *fmt, ...)
{
	if (!lk_log_enabled(level))
		return;
	char stamp[LK_RFC3339_MAX];
	lk_time_format_rfc3339(lk_clock_wall_us(), LK_TIME_MILLIS, stamp, sizeof stamp);
	char line[2048];
	int head = snprintf(line, sizeof line, "%s %-5s ", stamp, lk_log_level_name(level));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(line + head, sizeof line - (size_t)head, fmt, ap);
	va_end(ap);

	pthread_mutex_lock(&logger.lock);
	FILE *out = logger.stream ? logger.stream : stderr;
	fprintf(out, "%s\n", line);
	if (logger.hook)
		logger.hook(logger.hook_ctx, level, line);
	pthread_mutex_unlock(&logger.lock);
}
