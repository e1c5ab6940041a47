/* cli/cli.h: the `lakesync` command line: global options, the table of subcommands and the
 * exit statuses scripts rely on (0 success, 1 failure, 2 usage error).
 * This is the one layer (with the console and the daemon) that prints and picks exit
 * statuses; everything it calls reports errors as struct lk_error values. */
#ifndef LK_CLI_CLI_H
#define LK_CLI_CLI_H

#include <stdbool.h>
#include <stdio.h>

enum cli_exit {
	CLI_EXIT_OK = 0,
	CLI_EXIT_FAILURE = 1,
	CLI_EXIT_USAGE = 2,
};

/* What the global options chose; handed to every subcommand. */
struct cli_context {
	const char *config_path; /* --config, or NULL for the default search */
	const char *log_level;   /* --log-level, or NULL */
	const char *log_file;    /* --log-file, or NULL for stderr */
	/* Remote mode: the daemon the verbs then call through api/client.h. host is --host,
	 * else the --remote / $LAKESYNC_REMOTE profile's, else $LAKESYNC_HOST (NULL =
	 * in-process); token is --token, else the profile's, else $LAKESYNC_TOKEN; ca_file is
	 * the profile's, else $LAKESYNC_CA_FILE. The strings live until cli_main returns. */
	const char *remote;
	const char *host;
	const char *token;
	const char *ca_file;
};

struct cli_command {
	const char *name;
	const char *synopsis; /* the arguments, for the usage text */
	const char *summary;  /* one line for --help */
	/* The options, for `help COMMAND` and `COMMAND --help` (which the dispatcher answers
	 * when this is set; commands without it print their own usage) */
	const char *options;
	int (*exec)(struct cli_context *ctx, int argc, char **argv);
	bool remote;          /* in remote mode it talks to the daemon (--remote is resolved) */
};

/* The subcommand table; the usage text and the tests read it. Ends with a zeroed entry. */
extern const struct cli_command cli_commands[];

const struct cli_command *cli_command_find(const char *name);
void cli_usage(FILE *out);
/* Prints "lakesync: <message>" and the usage to stderr; returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* For a subcommand's usage errors: "lakesync: <message>" and that command's synopsis
 * (from the table) on stderr; returns CLI_EXIT_USAGE. */
int cli_command_usage_error(const char *command, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int cli_main(int argc, char **argv);

struct conf;
struct lk_error;

/* Loads the configuration the global options name; prints the error and returns false. */
bool cli_conf_load(const struct cli_context *ctx, struct conf *conf);
/* Prints "lakesync: <message>" to stderr and returns CLI_EXIT_FAILURE. */
int cli_fail(const struct lk_error *err);
struct api_client;
/* The client of the daemon the remote-mode options name (ctx->host set); prints the error
 * and returns NULL on failure. Free with api_client_free(). */
struct api_client *cli_client_open(const struct cli_context *ctx);
/* Reads the value of a --json option: inline JSON, @FILE, or @- for standard input.
 * Returns a heap string, or NULL after printing the error. */
char *cli_read_json_arg(const char *arg);

/* For the long-running commands (run, serve): blocks SIGINT, SIGTERM and SIGHUP in this
 * thread and every thread started after it, so that cli_wait_stop_signal() alone takes
 * them; then waits for one and logs it. */
void cli_block_stop_signals(void);
int cli_wait_stop_signal(void);

/* Subcommands implemented in their own files. */
int cmd_database(struct cli_context *ctx, int argc, char **argv);
int cmd_sync(struct cli_context *ctx, int argc, char **argv);
int cmd_run(struct cli_context *ctx, int argc, char **argv);
int cmd_catalog(struct cli_context *ctx, int argc, char **argv);
int cmd_demo(struct cli_context *ctx, int argc, char **argv); /* cmd_demo.c */
/* The REST daemon (cmd_serve.c). */
int cmd_serve(struct cli_context *ctx, int argc, char **argv);
/* The operator console (ui/app.c). */
int cmd_console(struct cli_context *ctx, int argc, char **argv);

/* Subcommands implemented in their own files (cmd_*.c). */
int cli_cmd_inspect(struct cli_context *ctx, int argc, char **argv);

#endif
