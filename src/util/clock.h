/* util/clock.h: clocks and time formatting.
 * Monotonic time for durations and deadlines; wall time (µs since the Unix epoch, UTC) for
 * timestamps, which tests may pin with lk_clock_set_fixed_wall_us() so that relative times
 * ("12s ago") are reproducible. RFC 3339 formatting and parsing, and the calendar helpers
 * that Parquet, Delta and the COPY encoder share (days since 1970-01-01, proleptic
 * Gregorian). Thread-safe; nothing allocates. */
#ifndef LK_UTIL_CLOCK_H
#define LK_UTIL_CLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

enum {
	LK_RFC3339_MAX = 40,   /* room for any formatted timestamp, NUL included */
	LK_USEC_PER_SEC = 1000000,
};
#define LK_USEC_PER_DAY INT64_C(86400000000)

enum lk_time_precision {
	LK_TIME_SECONDS,
	LK_TIME_MILLIS,
	LK_TIME_MICROS,
};

int64_t lk_clock_monotonic_ns(void);
/* Wall time in µs since the epoch, or the fixed time when one is set. */
int64_t lk_clock_wall_us(void);
/* Pins the wall clock (for tests); 0 goes back to the real clock. */
void lk_clock_set_fixed_wall_us(int64_t us);

/* Days since 1970-01-01 of a proleptic Gregorian date, and back. */
int64_t lk_days_from_civil(int64_t year, unsigned month, unsigned day);
void lk_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day);

/* "2026-11-25T01:51:24.123456Z" (UTC; precision picks the fraction). Returns the length
 * written, or 0 when size is too small. Years outside 0..9999 are written with a sign and
 * six digits (RFC 3339 has no form for them; ISO 8601's expanded form). */
size_t lk_time_format_rfc3339(int64_t us, enum lk_time_precision precision, char *buf,
			      size_t size);
/* Parses "YYYY-MM-DD(T|t| )HH:MM:SS[.fraction](Z|z|+HH:MM|-HH:MM)" into µs since the epoch. */
bool lk_time_parse_rfc3339(const char *text, int64_t *us, struct lk_error *err);

/* Parses a duration: a number with a unit, "250ms", "1s", "5m", "2h", "1d" (several may be
 * combined: "1h30m"), into milliseconds. */
bool lk_duration_parse(const char *text, int64_t *ms, struct lk_error *err);

#endif
