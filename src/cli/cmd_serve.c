/* cli/cmd_serve.c: `lakesync serve [--listen ADDR:PORT] [--insecure-no-auth]`: the REST
 * daemon (api/server.h) with the sync engine in the same process, in the foreground until
 * SIGINT or SIGTERM; then the HTTP server stops first (requests in flight finish), the
 * engine second (running pipelines roll back their open transaction), and the exit status
 * is 0. */
#include "config.h"

#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "api/server.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "engine/engine.h"
#include "util/log.h"

enum { OPT_LISTEN = 256, OPT_INSECURE };

static const char SERVE_HELP[] =
	"Usage: lakesync serve [--listen ADDR:PORT] [--insecure-no-auth]\n"
	"\n"
	"Serves the synced-tables REST API (doc/api.md) and runs the sync engine until SIGINT\n"
	"or SIGTERM.\n"
	"\n"
	"  --listen ADDR:PORT   address to listen on (default: api.listen, 127.0.0.1:8080)\n"
	"  --insecure-no-auth   serve without a bearer token (loopback addresses only, and\n"
	"                       only when no token is configured)\n";

static int serve_parse(int argc, char **argv, struct server_options *options)
{
	static const struct option getopt_options[] = {
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "insecure-no-auth", no_argument, NULL, OPT_INSECURE },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":h", getopt_options, NULL)) != -1) {
		switch (opt) {
		case OPT_LISTEN: options->listen = optarg; break;
		case OPT_INSECURE: options->insecure_no_auth = true; break;
		case 'h': fputs(SERVE_HELP, stdout); return CLI_EXIT_OK;
		case ':':
			return cli_command_usage_error("serve", "option '%s' needs an argument",
						       argv[optind - 1]);
		default:
			return cli_command_usage_error("serve", "unknown option '%s'",
						       argv[optind - 1]);
		}
	}
	if (optind < argc)
		return cli_command_usage_error("serve", "unexpected argument '%s'", argv[optind]);
	return -1;
}

int cmd_serve(struct cli_context *ctx, int argc, char **argv)
{
	struct server_options options = { 0 };
	int status = serve_parse(argc, argv, &options);
	if (status >= 0)
		return status;
	struct conf conf;
	if (!cli_conf_load(ctx, &conf))
		return CLI_EXIT_FAILURE;
	cli_block_stop_signals(); /* before the engine and HTTP threads: they inherit it */
	signal(SIGPIPE, SIG_IGN);
	struct lk_error err = LK_ERROR_INIT;
	struct engine *engine = engine_start(&conf, &err);
	struct server *server = engine ? server_start(&conf, engine, &options, &err) : NULL;
	if (server == NULL) {
		engine_stop(engine);
		conf_free(&conf);
		return cli_fail(&err);
	}
	lk_log(LK_LOG_INFO, "serving the API on %s", server_url(server));
	cli_wait_stop_signal();
	server_stop(server);
	engine_stop(engine);
	lk_log(LK_LOG_INFO, "stopped");
	conf_free(&conf);
	return CLI_EXIT_OK;
}
