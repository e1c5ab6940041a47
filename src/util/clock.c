/* util/clock.c: clocks, RFC 3339 and the civil calendar (see clock.h). */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "util/clock.h"

static _Atomic int64_t fixed_wall_us;

int64_t lk_clock_monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t lk_clock_wall_us(void)
{
	int64_t fixed = atomic_load(&fixed_wall_us);
	if (fixed != 0)
		return fixed;
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * LK_USEC_PER_SEC + ts.tv_nsec / 1000;
}

void lk_clock_set_fixed_wall_us(int64_t us)
{
	atomic_store(&fixed_wall_us, us);
}

/* The era-based algorithm of Howard Hinnant's "chrono-compatible low-level date
 * algorithms": exact for every int64 year range we can meet, no tables, no loops. */
int64_t lk_days_from_civil(int64_t year, unsigned month, unsigned day)
{
	year -= month <= 2;
	int64_t era = (year >= 0 ? year : year - 399) / 400;
	int64_t yoe = year - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

void lk_civil_from_days(int64_t days, int64_t *year, unsigned *month, unsigned *day)
{
	days += 719468;
	int64_t era = (days >= 0 ? days : days - 146096) / 146097;
	int64_t doe = days - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	*day = (unsigned)(doy - (153 * mp + 2) / 5 + 1);
	*month = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	*year = yoe + era * 400 + (*month <= 2);
}

/* Floor division and modulo, so times before the epoch split into day and time of day. */
static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

size_t lk_time_format_rfc3339(int64_t us, enum lk_time_precision precision, char *buf,
			      size_t size)
{
	int64_t days = floor_div(us, LK_USEC_PER_DAY);
	int64_t in_day = us - days * LK_USEC_PER_DAY;
	int64_t year;
	unsigned month, day;
	lk_civil_from_days(days, &year, &month, &day);
	int64_t secs = in_day / LK_USEC_PER_SEC;
	int64_t frac = in_day % LK_USEC_PER_SEC;
	char date[24];
	if (year >= 0 && year <= 9999)
		snprintf(date, sizeof date, "%04d", (int)year);
	else
		snprintf(date, sizeof date, "%+07lld", (long long)year);
	char fraction[16] = "";
	if (precision == LK_TIME_MILLIS)
		snprintf(fraction, sizeof fraction, ".%03d", (int)(frac / 1000));
	else if (precision == LK_TIME_MICROS)
		snprintf(fraction, sizeof fraction, ".%06d", (int)frac);
	int n = snprintf(buf, size, "%s-%02u-%02uT%02d:%02d:%02d%sZ", date, month, day,
			 (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60), fraction);
	if (n < 0 || (size_t)n >= size) {
		if (size > 0)
			buf[0] = '\0';
		return 0;
	}
	return (size_t)n;
}

/* Reads exactly `width` decimal digits at *p. */
static bool parse_digits(const char **p, int width, int *value)
{
	int v = 0;
	for (int i = 0; i < width; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		v = v * 10 + (c - '0');
	}
	*p += width;
	*value = v;
	return true;
}

static bool parse_char(const char **p, const char *accepted)
{
	if (**p == '\0' || strchr(accepted, **p) == NULL)
		return false;
	(*p)++;
	return true;
}

static unsigned days_in_month(int year, int month)
{
	static const unsigned char days[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
	return days[month - 1] + (month == 2 && leap);
}

bool lk_time_parse_rfc3339(const char *text, int64_t *us, struct lk_error *err)
{
	const char *p = text;
	int year, month, day, hour, minute, second;
	if (!parse_digits(&p, 4, &year) || !parse_char(&p, "-") || !parse_digits(&p, 2, &month) ||
	    !parse_char(&p, "-") || !parse_digits(&p, 2, &day) || !parse_char(&p, "Tt ") ||
	    !parse_digits(&p, 2, &hour) || !parse_char(&p, ":") || !parse_digits(&p, 2, &minute) ||
	    !parse_char(&p, ":") || !parse_digits(&p, 2, &second))
		goto bad;
	if (month < 1 || month > 12 || day < 1 || (unsigned)day > days_in_month(year, month) ||
	    hour > 23 || minute > 59 || second > 60)
		goto bad;
	int64_t micros = 0;
	if (*p == '.') {
		p++;
		int digits = 0;
		for (; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 6)
				micros = micros * 10 + (*p - '0');
		if (digits == 0)
			goto bad;
		for (; digits < 6; digits++)
			micros *= 10;
	}
	int64_t offset_s = 0;
	if (parse_char(&p, "Zz")) {
		offset_s = 0;
	} else if (*p == '+' || *p == '-') {
		int sign = *p == '-' ? -1 : 1;
		int oh, om;
		p++;
		if (!parse_digits(&p, 2, &oh) || !parse_char(&p, ":") || !parse_digits(&p, 2, &om) ||
		    oh > 23 || om > 59)
			goto bad;
		offset_s = sign * (oh * 3600 + om * 60);
	} else {
		goto bad;
	}
	if (*p != '\0')
		goto bad;
	if (second == 60) /* a leap second: 23:59:60 is the same instant as the next 00:00:00 */
		second = 59, micros += LK_USEC_PER_SEC;
	int64_t days = lk_days_from_civil(year, (unsigned)month, (unsigned)day);
	int64_t secs = days * 86400 + hour * 3600 + minute * 60 + second - offset_s;
	*us = secs * LK_USEC_PER_SEC + micros;
	return true;
bad:
	return lk_error_set(err, LK_EINVAL,
			    "'%s' is not an RFC 3339 timestamp (expected YYYY-MM-DDTHH:MM:SS[.f]Z "
			    "or with a +HH:MM offset)",
			    text);
}

struct duration_unit {
	const char *suffix;
	int64_t ms;
};

/* Longest suffixes first, so "ms" is not read as "m" followed by junk. */
static const struct duration_unit duration_units[] = {
	{ .suffix = "ms", .ms = 1 },
	{ .suffix = "s", .ms = 1000 },
	{ .suffix = "m", .ms = 60 * 1000 },
	{ .suffix = "h", .ms = 3600 * 1000 },
	{ .suffix = "d", .ms = 86400 * 1000 },
};

bool lk_duration_parse(const char *text, int64_t *ms, struct lk_error *err)
{
	const char *p = text;
	int64_t total = 0;
	if (*p == '\0')
		goto bad;
	while (*p) {
		if (*p < '0' || *p > '9')
			goto bad;
		int64_t n = 0;
		for (; *p >= '0' && *p <= '9'; p++) {
			if (n > INT64_MAX / 10 / 86400000)
				goto bad;
			n = n * 10 + (*p - '0');
		}
		const struct duration_unit *unit = NULL;
		for (size_t i = 0; i < sizeof duration_units / sizeof duration_units[0]; i++) {
			size_t len = strlen(duration_units[i].suffix);
			if (strncmp(p, duration_units[i].suffix, len) == 0) {
				unit = &duration_units[i];
				p += len;
				break;
			}
		}
		if (unit == NULL)
			goto bad;
		total += n * unit->ms;
	}
	*ms = total;
	return true;
bad:
	return lk_error_set(err, LK_EINVAL,
			    "'%s' is not a duration (expected a number with a unit: ms, s, m, h "
			    "or d, e.g. 500ms, 5m, 1h30m)",
			    text);
}
