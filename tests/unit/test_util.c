/* tests/unit/test_util.c: unit tests of src/util: buffers, errors, clocks, the logger and the
 * allocation wrappers, including their failure paths (which abort, so they run in a child). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/buf.h"
#include "util/clock.h"
#include "util/error.h"
#include "util/log.h"
#include "util/xmalloc.h"

/* ---- buffers -------------------------------------------------------------------------- */

static void test_buf_append_grows_and_stays_nul_terminated(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	assert_string_equal(lk_buf_cstr(&b), "");
	for (int i = 0; i < 1000; i++)
		lk_buf_append(&b, "abc", 3);
	assert_int_equal(b.len, 3000);
	assert_true(b.cap > 3000);
	assert_int_equal(b.data[3000], '\0');
	assert_memory_equal(b.data + 2997, "abc", 3);
	lk_buf_free(&b);
	assert_null(b.data);
	assert_int_equal(b.len, 0);
}

static void test_buf_printf_long_and_short(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	lk_buf_printf(&b, "%d-%s", 42, "x");
	assert_string_equal(lk_buf_cstr(&b), "42-x");
	char big[1000];
	memset(big, 'z', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	lk_buf_printf(&b, "[%s]", big);
	assert_int_equal(b.len, 4 + 2 + 999);
	assert_int_equal(b.data[b.len - 1], ']');
	assert_int_equal(b.data[5], 'z');
	lk_buf_free(&b);
}

static void test_buf_reset_truncate_detach(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	lk_buf_append_str(&b, "hello world");
	lk_buf_truncate(&b, 5);
	assert_string_equal(lk_buf_cstr(&b), "hello");
	lk_buf_truncate(&b, 50); /* longer than the buffer: no change */
	assert_int_equal(b.len, 5);
	char *owned = lk_buf_detach(&b);
	assert_string_equal(owned, "hello");
	assert_null(b.data);
	free(owned);
	char *empty = lk_buf_detach(&b);
	assert_string_equal(empty, "");
	free(empty);
	lk_buf_append_byte(&b, 'q');
	lk_buf_reset(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(lk_buf_cstr(&b), "");
	lk_buf_free(&b);
}

static void test_buf_json_string_escapes(void **state)
{
	struct lk_buf b = LK_BUF_INIT;
	const char raw[] = "a\"b\\c\n\t\x01\x1f" "\xc3\xa9";
	lk_buf_append_json_string(&b, raw, sizeof raw - 1);
	assert_string_equal(lk_buf_cstr(&b), "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\xc3\xa9\"");
	lk_buf_reset(&b);
	lk_buf_append_json_string(&b, "a\0b", 3); /* an embedded NUL is escaped, not cut */
	assert_string_equal(lk_buf_cstr(&b), "\"a\\u0000b\"");
	lk_buf_free(&b);
}

/* ---- errors --------------------------------------------------------------------------- */

static bool fails_with_corrupt(struct lk_error *err)
{
	return lk_error_set(err, LK_ECORRUPT, "%s: row group %d: bad page", "f.parquet", 3);
}

static void test_error_set_returns_false_and_formats(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_false(fails_with_corrupt(&err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_string_equal(err.message, "f.parquet: row group 3: bad page");
	assert_false(fails_with_corrupt(NULL)); /* a NULL error is allowed */
}

static void test_error_prefix_adds_context(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	fails_with_corrupt(&err);
	lk_error_prefix(&err, "table %s", "main.sales.orders");
	assert_string_equal(err.message, "table main.sales.orders: f.parquet: row group 3: bad page");
	assert_int_equal(err.code, LK_ECORRUPT);
	lk_error_clear(&err);
	assert_int_equal(err.code, LK_OK);
	assert_string_equal(err.message, "");
}

static void test_error_long_message_is_cut_with_ellipsis(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	char *longtext = xmalloc(5000);
	memset(longtext, 'x', 4999);
	longtext[4999] = '\0';
	lk_error_set(&err, LK_EINVAL, "%s", longtext);
	assert_int_equal(strlen(err.message), LK_ERROR_MESSAGE_MAX - 1);
	assert_string_equal(err.message + LK_ERROR_MESSAGE_MAX - 4, "...");
	lk_error_set(&err, LK_EINVAL, "short");
	lk_error_prefix(&err, "%s", longtext);
	assert_string_equal(err.message + LK_ERROR_MESSAGE_MAX - 4, "...");
	free(longtext);
}

static void test_error_errno_appends_strerror(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	lk_error_set_errno(&err, LK_EIO, 2, "cannot open %s", "/nope");
	assert_string_equal(err.message, "cannot open /nope: No such file or directory");
	assert_int_equal(err.code, LK_EIO);
}

static void test_errcode_names_are_complete_and_round_trip(void **state)
{
	for (int code = 0; code < LK_ERRCODE_COUNT; code++) {
		const char *name = lk_errcode_name((enum lk_errcode)code);
		assert_string_not_equal(name, "UNKNOWN");
		assert_int_equal(lk_errcode_from_name(name), code);
	}
	assert_string_equal(lk_errcode_name(LK_EPK_VIOLATION), "PRIMARY_KEY_CONSTRAINT_VIOLATION");
	assert_string_equal(lk_errcode_name((enum lk_errcode)999), "UNKNOWN");
	assert_int_equal(lk_errcode_from_name("NO_SUCH"), LK_ERRCODE_COUNT);
}

/* ---- clocks and time ------------------------------------------------------------------ */

static void test_clock_monotonic_advances(void **state)
{
	int64_t a = lk_clock_monotonic_ns();
	usleep(2000);
	int64_t b = lk_clock_monotonic_ns();
	assert_true(b - a >= 2000000);
}

static void test_clock_fixed_wall_time(void **state)
{
	lk_clock_set_fixed_wall_us(INT64_C(1764035484123456));
	assert_int_equal(lk_clock_wall_us(), INT64_C(1764035484123456));
	lk_clock_set_fixed_wall_us(0);
	assert_true(lk_clock_wall_us() > INT64_C(1764035484123456));
}

static void test_civil_days_round_trip(void **state)
{
	assert_int_equal(lk_days_from_civil(1970, 1, 1), 0);
	assert_int_equal(lk_days_from_civil(2000, 3, 1), 11017);
	assert_int_equal(lk_days_from_civil(1969, 12, 31), -1);
	assert_int_equal(lk_days_from_civil(1, 1, 1), -719162);
	for (int64_t d = -800000; d < 3000000; d += 997) {
		int64_t y;
		unsigned m, dd;
		lk_civil_from_days(d, &y, &m, &dd);
		assert_int_equal(lk_days_from_civil(y, m, dd), d);
	}
}

static void test_rfc3339_format(void **state)
{
	char buf[LK_RFC3339_MAX];
	assert_int_equal(lk_time_format_rfc3339(0, LK_TIME_SECONDS, buf, sizeof buf), 20);
	assert_string_equal(buf, "1970-01-01T00:00:00Z");
	lk_time_format_rfc3339(INT64_C(1764035484123456), LK_TIME_MICROS, buf, sizeof buf);
	assert_string_equal(buf, "2025-11-25T01:51:24.123456Z");
	lk_time_format_rfc3339(INT64_C(1764035484123456), LK_TIME_MILLIS, buf, sizeof buf);
	assert_string_equal(buf, "2025-11-25T01:51:24.123Z");
	lk_time_format_rfc3339(-1, LK_TIME_MICROS, buf, sizeof buf); /* before the epoch */
	assert_string_equal(buf, "1969-12-31T23:59:59.999999Z");
	lk_time_format_rfc3339(INT64_C(-62167219200000000) - LK_USEC_PER_DAY, LK_TIME_SECONDS,
			       buf, sizeof buf);
	assert_string_equal(buf, "-000001-12-31T00:00:00Z");
	char tiny[8];
	assert_int_equal(lk_time_format_rfc3339(0, LK_TIME_SECONDS, tiny, sizeof tiny), 0);
	assert_string_equal(tiny, "");
}

static void test_rfc3339_parse_valid(void **state)
{
	int64_t us;
	assert_true(lk_time_parse_rfc3339("2025-11-25T01:51:24.123456Z", &us, NULL));
	assert_int_equal(us, INT64_C(1764035484123456));
	assert_true(lk_time_parse_rfc3339("2025-11-25 02:51:24.1234569+01:00", &us, NULL));
	assert_int_equal(us, INT64_C(1764035484123456));
	assert_true(lk_time_parse_rfc3339("1969-12-31t23:59:59z", &us, NULL));
	assert_int_equal(us, -1000000);
	assert_true(lk_time_parse_rfc3339("2016-12-31T23:59:60Z", &us, NULL));
	int64_t next;
	assert_true(lk_time_parse_rfc3339("2017-01-01T00:00:00Z", &next, NULL));
	assert_int_equal(us, next);
}

static void test_rfc3339_parse_rejects_bad_input(void **state)
{
	static const char *const bad[] = {
		"", "2025-11-25", "2025-11-25T01:51:24", "2025-13-01T00:00:00Z",
		"2025-02-29T00:00:00Z", "2025-11-25T24:00:00Z", "2025-11-25T01:51:24.Z",
		"2025-11-25T01:51:24Zjunk", "2025-11-25T01:51:24+0100", "25-11-25T01:51:24Z",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lk_error err = LK_ERROR_INIT;
		int64_t us = 7;
		assert_false(lk_time_parse_rfc3339(bad[i], &us, &err));
		assert_int_equal(err.code, LK_EINVAL);
		assert_non_null(strstr(err.message, "RFC 3339"));
		assert_int_equal(us, 7); /* untouched on failure */
	}
	int64_t us;
	assert_true(lk_time_parse_rfc3339("2024-02-29T00:00:00Z", &us, NULL)); /* leap year */
}

static void test_duration_parse(void **state)
{
	struct { const char *text; int64_t ms; } good[] = {
		{ "250ms", 250 }, { "1s", 1000 }, { "5m", 300000 }, { "2h", 7200000 },
		{ "1d", 86400000 }, { "1h30m", 5400000 }, { "0s", 0 }, { "1m500ms", 60500 },
	};
	for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
		int64_t ms = -1;
		assert_true(lk_duration_parse(good[i].text, &ms, NULL));
		assert_int_equal(ms, good[i].ms);
	}
	static const char *const bad[] = { "", "5", "m", "5x", "-5s", "1.5s", "5 m", "99999999999999999d" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lk_error err = LK_ERROR_INIT;
		int64_t ms = 7;
		assert_false(lk_duration_parse(bad[i], &ms, &err));
		assert_int_equal(ms, 7);
		assert_non_null(strstr(err.message, "is not a duration"));
	}
}

/* ---- logger --------------------------------------------------------------------------- */

struct captured_lines {
	int count;
	char last[256];
};

static void capture_hook(void *ctx, enum lk_log_level level, const char *line)
{
	struct captured_lines *cap = ctx;
	cap->count++;
	snprintf(cap->last, sizeof cap->last, "%s", line);
}

static void test_log_levels_filter_and_hook(void **state)
{
	char path[] = "/tmp/lakesync-test-log-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	struct lk_error err = LK_ERROR_INIT;
	assert_true(lk_log_open(path, &err));
	struct captured_lines cap = { 0 };
	lk_log_set_hook(capture_hook, &cap);
	lk_log_set_level(LK_LOG_WARN);
	lk_log(LK_LOG_INFO, "hidden %d", 1);
	lk_log(LK_LOG_ERROR, "shown %d", 2);
	assert_int_equal(cap.count, 1);
	assert_non_null(strstr(cap.last, "ERROR shown 2"));
	assert_true(lk_log_enabled(LK_LOG_WARN));
	assert_false(lk_log_enabled(LK_LOG_DEBUG));
	lk_log_set_hook(NULL, NULL);
	lk_log_close();
	lk_log_set_level(LK_LOG_INFO);

	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char line[256] = "";
	assert_non_null(fgets(line, sizeof line, f));
	assert_null(fgets(line + 200, 50, f)); /* exactly one line */
	fclose(f);
	unlink(path);
	assert_non_null(strstr(line, " ERROR shown 2\n"));
	int64_t us;
	line[24] = '\0'; /* the timestamp: YYYY-MM-DDTHH:MM:SS.mmmZ */
	assert_true(lk_time_parse_rfc3339(line, &us, NULL));
}

static void test_log_level_parse(void **state)
{
	enum lk_log_level level;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(lk_log_level_parse("DeBuG", &level, &err));
	assert_int_equal(level, LK_LOG_DEBUG);
	assert_false(lk_log_level_parse("loud", &level, &err));
	assert_non_null(strstr(err.message, "'loud'"));
	assert_false(lk_log_open("/nonexistent-dir/x.log", &err));
	assert_int_equal(err.code, LK_EIO);
	assert_non_null(strstr(err.message, "/nonexistent-dir/x.log"));
}

/* ---- allocation ----------------------------------------------------------------------- */

static void test_xmalloc_family_succeeds(void **state)
{
	char *s = xstrdup("lakesync");
	assert_string_equal(s, "lakesync");
	char *n = xstrndup("lakesync", 4);
	assert_string_equal(n, "lake");
	char *f = xasprintf("%s-%03d", "v", 7);
	assert_string_equal(f, "v-007");
	int *a = xcalloc(16, sizeof *a);
	for (int i = 0; i < 16; i++)
		assert_int_equal(a[i], 0);
	a = xreallocarray(a, 1024, sizeof *a);
	a[1023] = 5;
	void *zero = xmalloc(0); /* never NULL, even for zero bytes */
	assert_non_null(zero);
	free(zero);
	free(a);
	free(f);
	free(n);
	free(s);
}

/* Runs fn in a child with stderr captured; asserts it died of SIGABRT with the OOM message. */
static void assert_child_aborts_out_of_memory(void (*fn)(void))
{
	int pipefd[2];
	assert_int_equal(pipe(pipefd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		close(pipefd[0]);
		fn();
		_exit(0); /* not reached when fn aborts */
	}
	close(pipefd[1]);
	char out[512] = "";
	size_t got = 0;
	ssize_t n;
	while ((n = read(pipefd[0], out + got, sizeof out - 1 - got)) > 0)
		got += (size_t)n;
	close(pipefd[0]);
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
	assert_non_null(strstr(out, "lakesync: out of memory"));
}

static void alloc_huge(void)
{
	volatile size_t huge = SIZE_MAX - 4096;
	free(xmalloc(huge));
}

static void alloc_overflowing_array(void)
{
	free(xreallocarray(NULL, SIZE_MAX / 2, 3));
}

static void alloc_overflowing_calloc(void)
{
	free(xcalloc(SIZE_MAX / 8, 16));
}

static void test_xmalloc_aborts_on_huge_request(void **state)
{
	assert_child_aborts_out_of_memory(alloc_huge);
}

static void test_xreallocarray_aborts_on_overflow(void **state)
{
	assert_child_aborts_out_of_memory(alloc_overflowing_array);
	assert_child_aborts_out_of_memory(alloc_overflowing_calloc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf_append_grows_and_stays_nul_terminated),
		cmocka_unit_test(test_buf_printf_long_and_short),
		cmocka_unit_test(test_buf_reset_truncate_detach),
		cmocka_unit_test(test_buf_json_string_escapes),
		cmocka_unit_test(test_error_set_returns_false_and_formats),
		cmocka_unit_test(test_error_prefix_adds_context),
		cmocka_unit_test(test_error_long_message_is_cut_with_ellipsis),
		cmocka_unit_test(test_error_errno_appends_strerror),
		cmocka_unit_test(test_errcode_names_are_complete_and_round_trip),
		cmocka_unit_test(test_clock_monotonic_advances),
		cmocka_unit_test(test_clock_fixed_wall_time),
		cmocka_unit_test(test_civil_days_round_trip),
		cmocka_unit_test(test_rfc3339_format),
		cmocka_unit_test(test_rfc3339_parse_valid),
		cmocka_unit_test(test_rfc3339_parse_rejects_bad_input),
		cmocka_unit_test(test_duration_parse),
		cmocka_unit_test(test_log_levels_filter_and_hook),
		cmocka_unit_test(test_log_level_parse),
		cmocka_unit_test(test_xmalloc_family_succeeds),
		cmocka_unit_test(test_xmalloc_aborts_on_huge_request),
		cmocka_unit_test(test_xreallocarray_aborts_on_overflow),
	};
	return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
