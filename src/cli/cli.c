/* cli/cli.c: global option parsing, the subcommand table and the usage text generated from
 * it. Each subcommand lives in its own cmd_*.c file and only parses its arguments, calls
 * the library and prints; the table below is the single list of what exists. */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/client.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "util/buf.h"
#include "util/error.h"
#include "util/log.h"
#include "util/xmalloc.h"

static int cmd_help(struct cli_context *ctx, int argc, char **argv);
static int cmd_version(struct cli_context *ctx, int argc, char **argv);
static int cmd_not_built(struct cli_context *ctx, int argc, char **argv)
	__attribute__((unused)); /* for table entries whose module has not landed */

const struct cli_command cli_commands[] = {
	{ .name = "database",
	  .synopsis = "VERB [ARGS]",
	  .summary = "create, get, list, update or delete synced database tables",
	  .exec = cmd_database,
	  .remote = true },
	{ .name = "sync",
	  .synopsis = "NAME [--full-refresh] [--wait]",
	  .summary = "run a synced table's pipeline now (Sync now)",
	  .options = "  --full-refresh   reload the whole table (a new copy swapped in)\n"
		     "  --wait           wait for the outcome (a progress line on a terminal)\n",
	  .exec = cmd_sync,
	  .remote = true },
	{ .name = "run",
	  .synopsis = "",
	  .summary = "run the sync engine in the foreground until SIGINT or SIGTERM",
	  .exec = cmd_run },
	{ .name = "console",
	  .synopsis = "[--readonly] [--no-color] [--theme NAME] [-d DELAY]",
	  .summary = "open the operator console (the default on a terminal)",
	  .exec = cmd_console,
	  .remote = true },
	{ .name = "serve",
	  .synopsis = "[--listen ADDR:PORT] [--insecure-no-auth]",
	  .summary = "serve the REST API and run the engine",
	  .exec = cmd_serve },
	{ .name = "demo",
	  .synopsis = "init DIR | stream DIR",
	  .summary = "write a sample lakehouse and stream changes into it",
	  .exec = cmd_demo },
	{ .name = "inspect",
	  .synopsis = "parquet FILE | delta PATH [OPTIONS]",
	  .summary = "print a Parquet file or a Delta table as JSON Lines",
	  .options = "inspect parquet FILE:\n"
		     "  -s, --schema         the schema tree instead of the rows\n"
		     "  -c, --columns A,B    only these columns (names or dotted paths)\n"
		     "inspect delta PATH:\n"
		     "  -v, --version N      the snapshot at version N (default: the latest)\n"
		     "  -t, --timestamp T    the snapshot at a time (RFC 3339 or epoch ms)\n"
		     "  -C, --changes A[..B] the Change Data Feed of versions A..B\n"
		     "  -i, --info           the table's facts instead of its rows\n"
		     "  -c, --columns A,B    only these columns\n",
	  .exec = cli_cmd_inspect },
	{ .name = "catalog",
	  .synopsis = "ls [CATALOG[.SCHEMA]]",
	  .summary = "list the catalogs, schemas and tables of the source catalog",
	  .options = "  ls                 the catalogs\n"
		     "  ls CATALOG         its schemas\n"
		     "  ls CATALOG.SCHEMA  its tables\n",
	  .exec = cmd_catalog },
	{ .name = "version",
	  .synopsis = "",
	  .summary = "print the version",
	  .exec = cmd_version },
	{ .name = "help",
	  .synopsis = "[COMMAND]",
	  .summary = "print this help, or a command's",
	  .exec = cmd_help },
	{ 0 },
};

struct cli_option {
	const char *flags;
	const char *summary;
};

/* The global options, for the usage text; getopt's table below must match. */
static const struct cli_option global_options[] = {
	{ "-c, --config FILE", "configuration file (default: $LAKESYNC_CONFIG, XDG, /etc)" },
	{ "    --log-level LEVEL", "error, warn, info (default), debug or trace" },
	{ "    --log-file FILE", "append the log to FILE instead of stderr" },
	{ "    --remote NAME", "remote mode: profile remotes.NAME (default: $LAKESYNC_REMOTE)" },
	{ "    --host URL", "remote mode: the API at URL (default: profile, $LAKESYNC_HOST)" },
	{ "    --token TOKEN", "remote mode: bearer token (default: profile, $LAKESYNC_TOKEN)" },
	{ "-h, --help", "print this help and exit" },
	{ "-V, --version", "print the version and exit" },
	{ 0 },
};

enum { OPT_LOG_LEVEL = 256, OPT_LOG_FILE, OPT_REMOTE, OPT_HOST, OPT_TOKEN };

static const struct option getopt_options[] = {
	{ "config", required_argument, NULL, 'c' },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "log-file", required_argument, NULL, OPT_LOG_FILE },
	{ "remote", required_argument, NULL, OPT_REMOTE },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "token", required_argument, NULL, OPT_TOKEN },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ 0 },
};

const struct cli_command *cli_command_find(const char *name)
{
	for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++)
		if (strcmp(cmd->name, name) == 0)
			return cmd;
	return NULL;
}

void cli_usage(FILE *out)
{
	fprintf(out, "Usage: lakesync [OPTIONS] COMMAND [ARGS]\n"
		     "\n"
		     "Keeps PostgreSQL tables in sync with Delta Lake tables.\n"
		     "With no command on a terminal, opens the console.\n"
		     "\n"
		     "Commands:\n");
	for (const struct cli_command *cmd = cli_commands; cmd->name; cmd++) {
		char head[64];
		snprintf(head, sizeof head, "%s %s", cmd->name, cmd->synopsis);
		fprintf(out, "  %-40s %s\n", head, cmd->summary);
	}
	fprintf(out, "\nOptions:\n");
	for (const struct cli_option *opt = global_options; opt->flags; opt++)
		fprintf(out, "  %-40s %s\n", opt->flags, opt->summary);
	fprintf(out, "\nExit status: 0 success, 1 failure, 2 usage error.\n"
		     "Run 'lakesync help COMMAND' for a command's options.\n");
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("lakesync: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputs("\n\n", stderr);
	va_end(ap);
	cli_usage(stderr);
	return CLI_EXIT_USAGE;
}

int cli_command_usage_error(const char *command, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fputs("lakesync: ", stderr);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	const struct cli_command *cmd = cli_command_find(command);
	fprintf(stderr, "\nUsage: lakesync %s %s\n", command, cmd ? cmd->synopsis : "");
	return CLI_EXIT_USAGE;
}

/* A command's usage line, summary and options, on stdout. */
static void cli_command_help(const struct cli_command *cmd)
{
	printf("Usage: lakesync %s %s\n\n%s\n", cmd->name, cmd->synopsis, cmd->summary);
	if (cmd->options)
		printf("\nOptions:\n%s", cmd->options);
}

static int cmd_help(struct cli_context *ctx, int argc, char **argv)
{
	if (argc < 2) {
		cli_usage(stdout);
		return CLI_EXIT_OK;
	}
	const struct cli_command *cmd = cli_command_find(argv[1]);
	if (cmd == NULL)
		return cli_usage_error("unknown command '%s'", argv[1]);
	cli_command_help(cmd);
	return CLI_EXIT_OK;
}

static int cmd_version(struct cli_context *ctx, int argc, char **argv)
{
	printf("lakesync %s\n", PACKAGE_VERSION);
	return CLI_EXIT_OK;
}

/* Commands listed in the table whose module has not landed in this build yet. */
static int cmd_not_built(struct cli_context *ctx, int argc, char **argv)
{
	fprintf(stderr, "lakesync: '%s' is not available in this build of lakesync %s yet\n",
		argv[0], PACKAGE_VERSION);
	return CLI_EXIT_FAILURE;
}

bool cli_conf_load(const struct cli_context *ctx, struct conf *conf)
{
	struct lk_error err = LK_ERROR_INIT;
	if (conf_load(ctx->config_path, conf, &err))
		return true;
	fprintf(stderr, "lakesync: %s\n", err.message);
	return false;
}

int cli_fail(const struct lk_error *err)
{
	fprintf(stderr, "lakesync: %s\n", err->message);
	return CLI_EXIT_FAILURE;
}

char *cli_read_json_arg(const char *arg)
{
	if (arg[0] != '@')
		return xstrdup(arg);
	FILE *f = strcmp(arg, "@-") == 0 ? stdin : fopen(arg + 1, "r");
	if (f == NULL) {
		fprintf(stderr, "lakesync: cannot read %s: %s\n", arg + 1, strerror(errno));
		return NULL;
	}
	struct lk_buf text = LK_BUF_INIT;
	char chunk[4096];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		lk_buf_append(&text, chunk, n);
	if (f != stdin)
		fclose(f);
	return lk_buf_detach(&text);
}

/* Remote mode from the environment when the options and the profile left it unset
 * ("" = unset). */
static void cli_remote_from_env(struct cli_context *ctx)
{
	if (ctx->host == NULL)
		ctx->host = getenv("LAKESYNC_HOST");
	if (ctx->host && *ctx->host == '\0')
		ctx->host = NULL;
	if (ctx->token == NULL)
		ctx->token = getenv("LAKESYNC_TOKEN");
	if (ctx->ca_file == NULL)
		ctx->ca_file = getenv("LAKESYNC_CA_FILE");
	if (ctx->ca_file && *ctx->ca_file == '\0')
		ctx->ca_file = NULL;
}

/* Prints why the --remote profile is not there: the file looked in and what it defines. */
static void cli_remote_unknown(const char *name, const struct conf *conf)
{
	if (conf->path == NULL) {
		fprintf(stderr, "lakesync: remote profile '%s' is not defined: no configuration file "
				"was found (--config, $LAKESYNC_CONFIG, $XDG_CONFIG_HOME/lakesync/"
				"lakesync.conf, /etc/lakesync/lakesync.conf)\n",
			name);
		return;
	}
	if (conf->n_remotes == 0) {
		fprintf(stderr, "lakesync: remote profile '%s' is not defined: %s has no remotes\n",
			name, conf->path);
		return;
	}
	struct lk_buf names = LK_BUF_INIT;
	for (size_t i = 0; i < conf->n_remotes; i++)
		lk_buf_printf(&names, "%s%s", i ? ", " : "", conf->remotes[i].name);
	fprintf(stderr, "lakesync: remote profile '%s' is not defined in %s (its remotes: %s)\n",
		name, conf->path, lk_buf_cstr(&names));
	lk_buf_free(&names);
}

/* --remote / $LAKESYNC_REMOTE: loads the configuration into *profiles (the caller frees it
 * after the command: the context points into it) and takes from the named profile what
 * the options left unset. Prints the error and returns false. */
static bool cli_remote_resolve(struct cli_context *ctx, struct conf *profiles)
{
	if (ctx->remote == NULL)
		ctx->remote = getenv("LAKESYNC_REMOTE");
	if (ctx->remote && *ctx->remote == '\0')
		ctx->remote = NULL;
	if (ctx->remote == NULL)
		return true;
	if (!cli_conf_load(ctx, profiles))
		return false;
	const struct conf_remote *remote = conf_remote_find(profiles, ctx->remote);
	if (remote == NULL) {
		cli_remote_unknown(ctx->remote, profiles);
		return false;
	}
	if (ctx->host == NULL)
		ctx->host = remote->host;
	if (ctx->token == NULL)
		ctx->token = remote->token;
	ctx->ca_file = remote->ca_file;
	return true;
}

struct api_client *cli_client_open(const struct cli_context *ctx)
{
	struct lk_error err = LK_ERROR_INIT;
	struct api_client *client = api_client_new(ctx->host, ctx->token, &err);
	if (client == NULL)
		cli_fail(&err);
	else if (ctx->ca_file)
		api_client_set_ca_file(client, ctx->ca_file);
	return client;
}

static void stop_signal_set(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
}

void cli_block_stop_signals(void)
{
	sigset_t stop;
	stop_signal_set(&stop);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
}

int cli_wait_stop_signal(void)
{
	sigset_t stop;
	stop_signal_set(&stop);
	int sig = 0;
	sigwait(&stop, &sig);
	lk_log(LK_LOG_INFO, "received %s, stopping",
	       sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "SIGHUP");
	return sig;
}

/* Applies --log-level and --log-file; returns false after printing the error. */
static bool cli_setup_logging(const struct cli_context *ctx)
{
	struct lk_error err = LK_ERROR_INIT;
	enum lk_log_level level;
	if (ctx->log_level) {
		if (!lk_log_level_parse(ctx->log_level, &level, &err)) {
			fprintf(stderr, "lakesync: %s\n", err.message);
			return false;
		}
		lk_log_set_level(level);
	}
	if (ctx->log_file && !lk_log_open(ctx->log_file, &err)) {
		fprintf(stderr, "lakesync: %s\n", err.message);
		return false;
	}
	return true;
}

/* `COMMAND -h`, or --help anywhere among its arguments (`inspect parquet --help`). */
static bool help_asked(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "-h") == 0)
		return true;
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

/* Runs the command after the global options (the console when there is none and this is a
 * terminal). Remote-capable commands first resolve --remote into *profiles; the others
 * (serve, run, ...) never act remotely and ignore it. */
static int cli_dispatch(struct cli_context *ctx, int argc, char **argv, struct conf *profiles)
{
	char *console_argv[] = { "console", NULL };
	const struct cli_command *cmd;
	if (optind < argc) {
		cmd = cli_command_find(argv[optind]);
		if (cmd == NULL)
			return cli_usage_error("unknown command '%s'", argv[optind]);
		argc -= optind;
		argv += optind;
	} else if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		cmd = cli_command_find("console");
		argc = 1;
		argv = console_argv;
	} else {
		return cli_usage_error("no command given");
	}
	if (cmd->options && help_asked(argc, argv)) {
		cli_command_help(cmd);
		return CLI_EXIT_OK;
	}
	if (cmd->remote && !cli_remote_resolve(ctx, profiles))
		return CLI_EXIT_FAILURE;
	cli_remote_from_env(ctx);
	optind = 0; /* glibc: 0 re-initialises getopt for the subcommand's own options */
	return cmd->exec(ctx, argc, argv);
}

int cli_main(int argc, char **argv)
{
	struct cli_context ctx = { 0 };
	opterr = 0; /* we word the error ourselves, on one line */
	int opt;
	while ((opt = getopt_long(argc, argv, "+:c:hV", getopt_options, NULL)) != -1) {
		switch (opt) {
		case 'c': ctx.config_path = optarg; break;
		case OPT_LOG_LEVEL: ctx.log_level = optarg; break;
		case OPT_LOG_FILE: ctx.log_file = optarg; break;
		case OPT_REMOTE: ctx.remote = optarg; break;
		case OPT_HOST: ctx.host = optarg; break;
		case OPT_TOKEN: ctx.token = optarg; break;
		case 'h': cli_usage(stdout); return CLI_EXIT_OK;
		case 'V': return cmd_version(&ctx, 0, NULL);
		case ':': return cli_usage_error("option '%s' needs an argument", argv[optind - 1]);
		default:
			if (optopt)
				return cli_usage_error("unknown option '-%c'", optopt);
			return cli_usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!cli_setup_logging(&ctx))
		return CLI_EXIT_USAGE;
	struct conf profiles = { 0 };
	int status = cli_dispatch(&ctx, argc, argv, &profiles);
	conf_free(&profiles);
	return status;
}
