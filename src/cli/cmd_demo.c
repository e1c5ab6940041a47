/* cli/cmd_demo.c: `lakesync demo VERB`: the sample lakehouse.
 *   demo init DIR [--force]                    writes it (demo/demo.h, doc/demo.md)
 *   demo stream DIR [--rate N] [--count N]      commits changes to it until SIGINT/SIGTERM
 *                                              (or N commits), one line per commit on stdout
 * The whole demo (a local PostgreSQL, the engine, a stream, the console) is started and
 * stopped by scripts/quickstart up|down, which drives these verbs.
 * Exit 0 on success, 1 on failure (the error on stderr), 2 on a usage error. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "demo/demo.h"

struct demo_verb {
	const char *name;
	const char *synopsis;
	const char *summary;
	int (*exec)(int argc, char **argv);
};

static int demo_init_verb(int argc, char **argv);
static int demo_stream_verb(int argc, char **argv);

static const struct demo_verb demo_verbs[] = {
	{ .name = "init", .synopsis = "DIR [--force]",
	  .summary = "write the sample lakehouse into DIR (catalog layout)",
	  .exec = demo_init_verb },
	{ .name = "stream", .synopsis = "DIR [--rate N] [--count N]",
	  .summary = "commit inserts, updates and deletes to it, N commits a second",
	  .exec = demo_stream_verb },
	{ 0 },
};

static void demo_usage(FILE *out)
{
	fprintf(out, "Usage:\n");
	for (const struct demo_verb *v = demo_verbs; v->name; v++)
		fprintf(out, "  lakesync demo %-6s %-28s %s\n", v->name, v->synopsis, v->summary);
}

__attribute__((format(printf, 1, 2)))
static int demo_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "lakesync: demo: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	demo_usage(stderr);
	return CLI_EXIT_USAGE;
}


static int demo_init_verb(int argc, char **argv)
{
	static const struct option options[] = {
		{ "force", no_argument, NULL, 'f' },
		{ 0 },
	};
	struct demo_options opts = { 0 };
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		if (opt != 'f')
			return demo_usage_error("unknown option '%s'", argv[optind - 1]);
		opts.force = true;
	}
	if (argc - optind != 1)
		return demo_usage_error("init takes one directory");
	const char *dir = argv[optind];
	struct lk_error err = LK_ERROR_INIT;
	if (!demo_init(dir, &opts, &err)) {
		cli_fail(&err);
		if (err.code == LK_EEXISTS)
			fprintf(stderr, "lakesync: use 'lakesync demo init --force %s' to replace the "
				"sample tables\n", dir);
		return CLI_EXIT_FAILURE;
	}
	printf("sample lakehouse written to %s:\n", dir);
	for (size_t i = 0; i < demo_table_count(); i++) {
		const struct demo_table_info *t = demo_table_info(i);
		printf("  %-32s key %-22s %s\n", t->name, t->keys,
		       t->cdf ? "change data feed" : "no change data feed");
	}
	printf("try: LAKESYNC_CATALOG=%s lakesync catalog ls\n", dir);
	return CLI_EXIT_OK;
}

static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int signo)
{
	(void)signo;
	stop_requested = 1;
}

/* Sleeps until `until` (CLOCK_MONOTONIC) or a stop signal. */
static void sleep_until(const struct timespec *until)
{
	while (!stop_requested &&
	       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, until, NULL) == EINTR)
		;
}

static bool parse_positive(const char *text, double max, double *out)
{
	char *end;
	errno = 0;
	double value = strtod(text, &end);
	if (errno || end == text || *end || !(value > 0) || value > max)
		return false;
	*out = value;
	return true;
}

static int demo_stream_verb(int argc, char **argv)
{
	static const struct option options[] = {
		{ "rate", required_argument, NULL, 'r' },
		{ "count", required_argument, NULL, 'n' },
		{ 0 },
	};
	double rate = 1, count = 0;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		if (opt == 'r' && !parse_positive(optarg, 1000, &rate))
			return demo_usage_error("--rate wants commits per second (0 < N <= 1000), "
						"not '%s'", optarg);
		if (opt == 'n' && (!parse_positive(optarg, 1e12, &count) || count != floor(count)))
			return demo_usage_error("--count wants a positive whole number, not '%s'",
						optarg);
		if (opt == ':')
			return demo_usage_error("option '%s' needs a value", argv[optind - 1]);
		if (opt == '?')
			return demo_usage_error("unknown option '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return demo_usage_error("stream takes one directory");
	const char *dir = argv[optind];

	struct sigaction sa = { .sa_handler = on_stop_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	struct demo_stream_state state;
	struct timespec next;
	clock_gettime(CLOCK_REALTIME, &next);
	demo_stream_init(&state, (uint64_t)next.tv_nsec ^ (uint64_t)next.tv_sec);
	clock_gettime(CLOCK_MONOTONIC, &next);
	int64_t period_ns = (int64_t)(1e9 / rate);
	for (int64_t done = 0; !stop_requested && (count == 0 || done < (int64_t)count); done++) {
		struct demo_step_result r;
		struct lk_error err = LK_ERROR_INIT;
		if (!demo_stream_step(dir, &state, &r, &err))
			return cli_fail(&err);
		printf("%s version %" PRId64 ": %zu inserted, %zu updated, %zu deleted%s%s\n",
		       r.table, r.version, r.inserted, r.updated, r.deleted,
		       r.added_column ? "; added column " : "", r.added_column ? r.added_column : "");
		fflush(stdout);
		if (count != 0 && done + 1 >= (int64_t)count)
			break;
		int64_t ns = next.tv_nsec + period_ns;
		next.tv_sec += (time_t)(ns / 1000000000);
		next.tv_nsec = (long)(ns % 1000000000);
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec || (now.tv_sec == next.tv_sec && now.tv_nsec > next.tv_nsec))
			next = now; /* a slow commit: keep the pace from here, no burst to catch up */
		sleep_until(&next);
	}
	return CLI_EXIT_OK;
}

int cmd_demo(struct cli_context *ctx, int argc, char **argv)
{
	(void)ctx;
	if (argc < 2)
		return demo_usage_error("which verb? init or stream");
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		demo_usage(stdout);
		return CLI_EXIT_OK;
	}
	for (const struct demo_verb *v = demo_verbs; v->name; v++) {
		if (strcmp(v->name, argv[1]) == 0) {
			optind = 0;
			return v->exec(argc - 1, argv + 1);
		}
	}
	if (strcmp(argv[1], "up") == 0 || strcmp(argv[1], "down") == 0)
		return demo_usage_error("'%s': the whole demo (PostgreSQL, engine, stream, console) is "
					"scripts/quickstart %s, from the source tree",
					argv[1], argv[1]);
	return demo_usage_error("unknown verb '%s' (init or stream)", argv[1]);
}
