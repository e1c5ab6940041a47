/* cli/cmd_sync.c: `lakesync sync NAME [--full-refresh] [--wait]`: Sync now. Runs the
 * pipeline in this process when no engine holds the table, else asks the engine that does
 * (and with --wait, waits for its outcome). On a terminal a progress line on stderr follows
 * the run; without one nothing but the outcome is printed. Exit 0 on success, 1 with the
 * run's message on stderr on failure.
 * Remote mode (--host): asks the daemon for a pipeline update (Sync now) and, with --wait,
 * polls it until it ends and prints the same line as a run in this process. */
#include "config.h"

#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/client.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "engine/manage.h"
#include "registry/registry.h"

enum { PROGRESS_POLL_US = 500 * 1000, PROGRESS_BAR_WIDTH = 30, REMOTE_POLL_US = 250 * 1000 };

struct progress {
	const struct conf *conf;
	const char *name;
	atomic_bool done;
};

/* Redraws "name [#####.....] 42% 1234/5678 rows" from the status the run writes. */
static void *progress_main(void *arg)
{
	struct progress *p = arg;
	struct lk_error err = LK_ERROR_INIT;
	struct registry *reg = manage_open_registry(p->conf, &err);
	while (reg && !atomic_load(&p->done)) {
		usleep(PROGRESS_POLL_US);
		struct model_table t;
		if (!registry_table_get(reg, p->name, &t, &err))
			break;
		const struct model_progress *pr = &t.status.progress;
		if (pr->present) {
			int filled = (int)(pr->sync_progress_completion * PROGRESS_BAR_WIDTH);
			char bar[PROGRESS_BAR_WIDTH + 1];
			for (int i = 0; i < PROGRESS_BAR_WIDTH; i++)
				bar[i] = i < filled ? '#' : '.';
			bar[PROGRESS_BAR_WIDTH] = '\0';
			fprintf(stderr, "\r%s [%s] %3d%% %" PRId64 "/%" PRId64 " rows", p->name, bar,
				(int)(pr->sync_progress_completion * 100), pr->synced_row_count,
				pr->total_row_count);
			fflush(stderr);
		}
		model_table_free(&t);
	}
	registry_close(reg);
	return NULL;
}

static void print_result(const char *name, const struct pipeline_result *result)
{
	printf("%s: at version %" PRId64 " (%s: %" PRId64 " inserted, %" PRId64
	       " updated, %" PRId64 " deleted%s%s)\n",
	       name, result->to_version, result->full_load ? "full load" : "incremental",
	       result->rows_inserted, result->rows_updated, result->rows_deleted,
	       result->message[0] ? "; " : "", result->message);
}

/* Sync now through the daemon (remote mode). */
static int sync_remote(const struct cli_context *ctx, const char *name, bool full_refresh,
		       bool wait)
{
	struct api_client *client = cli_client_open(ctx);
	if (client == NULL)
		return CLI_EXIT_FAILURE;
	struct api_update update;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = api_client_sync_start(client, name, full_refresh, &update, &err);
	while (ok && wait && update.state == API_UPDATE_RUNNING) {
		usleep(REMOTE_POLL_US);
		ok = api_client_update_get(client, &update, &err);
	}
	api_client_free(client);
	if (!ok)
		return cli_fail(&err);
	if (update.state == API_UPDATE_FAILED) {
		lk_error_set(&err, LK_EINTERNAL, "%s", update.message);
		return cli_fail(&err);
	}
	if (update.state == API_UPDATE_RUNNING || !update.has_run)
		printf("%s: update %s of pipeline %s started on %s\n", name, update.update_id,
		       update.pipeline_id, ctx->host);
	else
		print_result(name, &update.result);
	return CLI_EXIT_OK;
}

int cmd_sync(struct cli_context *ctx, int argc, char **argv)
{
	static const struct option options[] = {
		{ "full-refresh", no_argument, NULL, 'f' },
		{ "wait", no_argument, NULL, 'w' },
		{ 0 },
	};
	bool full_refresh = false, wait = false;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		if (opt == 'f')
			full_refresh = true;
		else if (opt == 'w')
			wait = true;
		else
			return cli_command_usage_error("sync", "unknown option '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return cli_command_usage_error("sync", "sync takes one synced table name");
	const char *name = argv[optind];
	if (ctx->host)
		return sync_remote(ctx, name, full_refresh, wait);
	struct conf conf;
	if (!cli_conf_load(ctx, &conf))
		return CLI_EXIT_FAILURE;

	struct progress progress = { .conf = &conf, .name = name };
	pthread_t thread;
	bool show = isatty(STDERR_FILENO) &&
		    pthread_create(&thread, NULL, progress_main, &progress) == 0;
	struct pipeline_result result;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = engine_sync_once(&conf, name, full_refresh, wait, &result, &err);
	if (show) {
		atomic_store(&progress.done, true);
		pthread_join(thread, NULL);
		fputs("\r\033[K", stderr);
	}
	conf_free(&conf);
	if (!ok)
		return cli_fail(&err);
	if (result.message[0] && result.to_version < 0)
		printf("%s\n", result.message); /* handed to another engine */
	else
		print_result(name, &result);
	return CLI_EXIT_OK;
}
