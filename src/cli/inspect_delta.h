/* cli/inspect_delta.h: `lakesync inspect delta PATH [--version N | --timestamp T]
 * [--changes A[..B]] [--info] [--columns a,b]`: a Delta table's rows (a snapshot, or the
 * change feed of versions A..B with _change_type, _commit_version and _commit_timestamp) as
 * JSON Lines, or its facts as one JSON object (--info; with --changes, the change feed's
 * columns and per-commit plan). Errors print "lakesync: <message>" and exit 1; usage errors
 * exit 2. */
#ifndef LK_CLI_INSPECT_DELTA_H
#define LK_CLI_INSPECT_DELTA_H

#include "cli/cli.h"

#define INSPECT_DELTA_SYNOPSIS \
	"PATH [--version N | --timestamp T] [--changes A[..B]] [--info] [--columns NAME,NAME...]"

/* argv[0] is the kind ("delta"); options and PATH follow. ctx may be NULL. */
int cmd_inspect_delta(struct cli_context *ctx, int argc, char **argv);

/* The shape of `inspect`'s kind table (cli/cmd_inspect.c), which passes no context. */
static inline int inspect_delta_exec(int argc, char **argv)
{
	return cmd_inspect_delta(NULL, argc, argv);
}

#endif
