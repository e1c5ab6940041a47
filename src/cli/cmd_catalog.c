/* cli/cmd_catalog.c: `lakesync catalog ls [CATALOG[.SCHEMA]]`: what the source catalog
 * holds, one full name per line. */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "catalog/catalog.h"
#include "cli/cli.h"
#include "conf/conf.h"

int cmd_catalog(struct cli_context *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "ls") != 0 || argc > 3)
		return cli_command_usage_error("catalog", "expected: catalog ls [CATALOG[.SCHEMA]]");
	const char *prefix = argc == 3 ? argv[2] : "";
	struct conf conf;
	if (!cli_conf_load(ctx, &conf))
		return CLI_EXIT_FAILURE;
	struct catalog_list list;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = catalog_list(conf.catalog_root, prefix, &list, &err);
	conf_free(&conf);
	if (!ok)
		return cli_fail(&err);
	for (size_t i = 0; i < list.count; i++)
		printf("%s%s%s\n", prefix, prefix[0] ? "." : "", list.names[i]);
	catalog_list_free(&list);
	return CLI_EXIT_OK;
}
