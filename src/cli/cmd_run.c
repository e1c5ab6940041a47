/* cli/cmd_run.c: `lakesync run`: the engine in the foreground until SIGINT or SIGTERM,
 * then a clean stop (running pipelines roll back their open transaction; nothing is left
 * half-applied). Logs go to stderr or --log-file. */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "util/log.h"

int cmd_run(struct cli_context *ctx, int argc, char **argv)
{
	if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		printf("Usage: lakesync run\n\nRuns the sync engine in the foreground until "
		       "SIGINT or SIGTERM.\n");
		return CLI_EXIT_OK;
	}
	if (argc > 1)
		return cli_command_usage_error("run", "unexpected argument '%s'", argv[1]);
	struct conf conf;
	if (!cli_conf_load(ctx, &conf))
		return CLI_EXIT_FAILURE;
	cli_block_stop_signals(); /* before any thread starts: they inherit the mask */
	struct lk_error err = LK_ERROR_INIT;
	struct engine *engine = engine_start(&conf, &err);
	if (engine == NULL) {
		conf_free(&conf);
		return cli_fail(&err);
	}
	cli_wait_stop_signal();
	engine_stop(engine);
	conf_free(&conf);
	return CLI_EXIT_OK;
}
