/* cli/cmd_database.c: `lakesync database VERB`: create, get, list, update and delete synced
 * database tables, in the shape of the databricks CLI's `database` verbs. Output is JSON on
 * stdout; errors are one line on stderr (exit 1), usage errors exit 2. */
#include "config.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "api/client.h"
#include "api/model.h"
#include "cli/cli.h"
#include "conf/conf.h"
#include "engine/manage.h"
#include "registry/registry.h"
#include "util/xmalloc.h"

/* What a verb works with; the configuration and the registry connection (or, in remote
 * mode, the API client) are set up on first use, after the verb has checked its arguments. */
struct db_ctx {
	const struct cli_context *cli;
	bool loaded;
	struct conf conf;
	struct registry *reg;
	struct api_client *client; /* remote mode (--host) */
};

struct db_verb {
	const char *name;
	const char *synopsis;
	const char *summary;
	int (*exec)(struct db_ctx *c, int argc, char **argv);
};

/* Loads the configuration and connects to the registry; prints the error on failure. */
static bool db_connect(struct db_ctx *c)
{
	if (c->cli->host) {
		if (c->client == NULL)
			c->client = cli_client_open(c->cli);
		return c->client != NULL;
	}
	if (!c->loaded) {
		if (!cli_conf_load(c->cli, &c->conf))
			return false;
		c->loaded = true;
	}
	struct lk_error err = LK_ERROR_INIT;
	if (c->reg == NULL && (c->reg = manage_open_registry(&c->conf, &err)) == NULL)
		cli_fail(&err);
	return c->reg != NULL;
}

/* ---- the operations, in-process or through the daemon (remote mode) ---- */

static bool db_table_create(struct db_ctx *c, struct model_table *t, struct lk_error *err)
{
	if (c->client == NULL)
		return manage_create(&c->conf, c->reg, t, err);
	struct model_table created;
	if (!api_client_table_create(c->client, t, &created, err))
		return false;
	model_table_free(t);
	*t = created;
	return true;
}

static bool db_table_get(struct db_ctx *c, const char *name, struct model_table *out,
			 struct lk_error *err)
{
	return c->client ? api_client_table_get(c->client, name, out, err)
			 : registry_table_get(c->reg, name, out, err);
}

static bool db_table_list(struct db_ctx *c, const char *instance, size_t page_size,
			  const char *page_token, struct registry_page *out, struct lk_error *err)
{
	return c->client ? api_client_table_list(c->client, instance, page_size, page_token, out,
						 err)
			 : registry_table_list(c->reg, instance, page_size, page_token, out, err);
}

static bool db_table_update(struct db_ctx *c, const char *name, const struct model_table *patch,
			    const char *update_mask, struct model_table *out, struct lk_error *err)
{
	return c->client ? api_client_table_update(c->client, name, patch, update_mask, out, err)
			 : manage_update(&c->conf, c->reg, name, patch, update_mask, out, err);
}

static bool db_table_delete(struct db_ctx *c, const char *name, bool purge, struct lk_error *err)
{
	return c->client ? api_client_table_delete(c->client, name, purge, err)
			 : manage_delete(&c->conf, c->reg, name, purge, err);
}

static void print_table(const struct model_table *t)
{
	char *json = model_table_to_json(t, true);
	printf("%s\n", json);
	free(json);
}

static const char *db_synopsis(const char *verb);

static int db_usage_error(const char *verb)
{
	fprintf(stderr, "lakesync: database %s: wrong arguments\nUsage: lakesync database %s %s\n",
		verb, verb, db_synopsis(verb));
	return CLI_EXIT_USAGE;
}

/* Options shared by the verbs; each verb says which it accepts. */
struct db_options {
	const char *json;
	const char *page_token;
	long page_size;
	bool purge;
};

enum { OPT_JSON = 256, OPT_PAGE_SIZE, OPT_PAGE_TOKEN, OPT_PURGE };

static bool db_parse_options(int argc, char **argv, const char *allowed, struct db_options *o,
			     int *first_arg)
{
	static const struct option options[] = {
		{ "json", required_argument, NULL, OPT_JSON },
		{ "page-size", required_argument, NULL, OPT_PAGE_SIZE },
		{ "page-token", required_argument, NULL, OPT_PAGE_TOKEN },
		{ "purge-data", no_argument, NULL, OPT_PURGE },
		{ 0 },
	};
	memset(o, 0, sizeof *o);
	optind = 0;
	opterr = 0;
	int opt;
	while ((opt = getopt_long(argc, argv, ":", options, NULL)) != -1) {
		const char *name = opt == OPT_JSON ? "json" : opt == OPT_PAGE_SIZE ? "page-size"
				 : opt == OPT_PAGE_TOKEN ? "page-token" : opt == OPT_PURGE ? "purge-data"
											: NULL;
		if (name == NULL || strstr(allowed, name) == NULL) {
			fprintf(stderr, "lakesync: database %s: unknown option '%s'\n", argv[0],
				argv[optind - 1]);
			return false;
		}
		switch (opt) {
		case OPT_JSON: o->json = optarg; break;
		case OPT_PAGE_TOKEN: o->page_token = optarg; break;
		case OPT_PURGE: o->purge = true; break;
		case OPT_PAGE_SIZE: {
			char *end;
			o->page_size = strtol(optarg, &end, 10);
			if (*end || o->page_size < 1 || o->page_size > 1000) {
				fprintf(stderr, "lakesync: --page-size must be a number from 1 to "
						"1000\n");
				return false;
			}
			break;
		}
		}
	}
	*first_arg = optind;
	return true;
}

static int db_create(struct db_ctx *c, int argc, char **argv)
{
	struct db_options o;
	int first;
	if (!db_parse_options(argc, argv, "json", &o, &first))
		return CLI_EXIT_USAGE;
	if (o.json == NULL || first != argc)
		return db_usage_error("create-synced-database-table");
	char *text = cli_read_json_arg(o.json);
	if (text == NULL)
		return CLI_EXIT_FAILURE;
	struct model_table t;
	struct lk_error err = LK_ERROR_INIT;
	bool parsed = model_table_parse(text, &t, &err);
	free(text);
	if (!parsed)
		return cli_fail(&err);
	int status = CLI_EXIT_FAILURE; /* db_connect prints its own errors */
	if (db_connect(c)) {
		if (db_table_create(c, &t, &err)) {
			print_table(&t);
			status = CLI_EXIT_OK;
		} else {
			cli_fail(&err);
		}
	}
	model_table_free(&t);
	return status;
}

static int db_get(struct db_ctx *c, int argc, char **argv)
{
	if (argc != 2)
		return db_usage_error("get-synced-database-table");
	struct model_table t;
	struct lk_error err = LK_ERROR_INIT;
	if (!db_connect(c))
		return CLI_EXIT_FAILURE;
	if (!db_table_get(c, argv[1], &t, &err))
		return cli_fail(&err);
	print_table(&t);
	model_table_free(&t);
	return CLI_EXIT_OK;
}

static void add_page(cJSON *array, const struct registry_page *page)
{
	for (size_t i = 0; i < page->count; i++)
		cJSON_AddItemToArray(array, model_table_to_cjson(&page->tables[i]));
}

static int print_json(cJSON *json)
{
	char *text = cJSON_Print(json);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(json);
	return CLI_EXIT_OK;
}

/* Without --page-size: every table, as a JSON array. With it: one page in the API's shape
 * {"synced_tables": [...], "next_page_token": "..."}. */
static int db_list(struct db_ctx *c, int argc, char **argv)
{
	struct db_options o;
	int first;
	if (!db_parse_options(argc, argv, "page-size page-token", &o, &first))
		return CLI_EXIT_USAGE;
	if (argc - first > 1)
		return db_usage_error("list-synced-database-tables");
	const char *instance = first < argc ? argv[first] : NULL;
	struct lk_error err = LK_ERROR_INIT;
	if (!db_connect(c))
		return CLI_EXIT_FAILURE;
	struct registry_page page;
	if (o.page_size) {
		if (!db_table_list(c, instance, (size_t)o.page_size, o.page_token, &page, &err))
			return cli_fail(&err);
		cJSON *out = cJSON_CreateObject();
		add_page(cJSON_AddArrayToObject(out, "synced_tables"), &page);
		if (page.next_page_token)
			cJSON_AddStringToObject(out, "next_page_token", page.next_page_token);
		registry_page_free(&page);
		return print_json(out);
	}
	cJSON *all = cJSON_CreateArray();
	char *token = o.page_token ? xstrdup(o.page_token) : NULL;
	do {
		bool ok = db_table_list(c, instance, 500, token, &page, &err);
		free(token);
		token = NULL;
		if (!ok) {
			cJSON_Delete(all);
			return cli_fail(&err);
		}
		add_page(all, &page);
		token = page.next_page_token ? xstrdup(page.next_page_token) : NULL;
		registry_page_free(&page);
	} while (token);
	return print_json(all);
}

static int db_update(struct db_ctx *c, int argc, char **argv)
{
	struct db_options o;
	int first;
	if (!db_parse_options(argc, argv, "json", &o, &first))
		return CLI_EXIT_USAGE;
	if (o.json == NULL || argc - first != 2)
		return db_usage_error("update-synced-database-table");
	char *text = cli_read_json_arg(o.json);
	if (text == NULL)
		return CLI_EXIT_FAILURE;
	struct model_table patch, updated;
	struct lk_error err = LK_ERROR_INIT;
	bool ok = model_table_parse(text, &patch, &err);
	free(text);
	if (!ok)
		return cli_fail(&err);
	if (!db_connect(c)) {
		model_table_free(&patch);
		return CLI_EXIT_FAILURE;
	}
	ok = db_table_update(c, argv[first], &patch, argv[first + 1], &updated, &err);
	model_table_free(&patch);
	if (!ok)
		return cli_fail(&err);
	print_table(&updated);
	model_table_free(&updated);
	return CLI_EXIT_OK;
}

static int db_delete(struct db_ctx *c, int argc, char **argv)
{
	struct db_options o;
	int first;
	if (!db_parse_options(argc, argv, "purge-data", &o, &first))
		return CLI_EXIT_USAGE;
	if (argc - first != 1)
		return db_usage_error("delete-synced-database-table");
	struct lk_error err = LK_ERROR_INIT;
	if (!db_connect(c))
		return CLI_EXIT_FAILURE;
	if (!db_table_delete(c, argv[first], o.purge, &err))
		return cli_fail(&err);
	return CLI_EXIT_OK;
}

static const struct db_verb db_verbs[] = {
	{ .name = "create-synced-database-table",
	  .synopsis = "--json JSON|@FILE",
	  .summary = "create a synced table (returns at once; the engine loads it)",
	  .exec = db_create },
	{ .name = "get-synced-database-table",
	  .synopsis = "NAME",
	  .summary = "print a synced table and its status",
	  .exec = db_get },
	{ .name = "list-synced-database-tables",
	  .synopsis = "[INSTANCE] [--page-size N] [--page-token T]",
	  .summary = "list synced tables, of one instance or all",
	  .exec = db_list },
	{ .name = "update-synced-database-table",
	  .synopsis = "NAME UPDATE_MASK --json JSON|@FILE",
	  .summary = "change the fields UPDATE_MASK names",
	  .exec = db_update },
	{ .name = "delete-synced-database-table",
	  .synopsis = "NAME [--purge-data]",
	  .summary = "delete a synced table (--purge-data also drops the PostgreSQL table)",
	  .exec = db_delete },
	{ 0 },
};

static const char *db_synopsis(const char *verb)
{
	for (const struct db_verb *v = db_verbs; v->name; v++)
		if (strcmp(v->name, verb) == 0)
			return v->synopsis;
	return "";
}

static void db_usage(FILE *out)
{
	fprintf(out, "Usage: lakesync database VERB [ARGS]\n\nVerbs:\n");
	for (const struct db_verb *v = db_verbs; v->name; v++)
		fprintf(out, "  %s %s\n      %s\n", v->name, v->synopsis, v->summary);
}

int cmd_database(struct cli_context *ctx, int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		db_usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
	}
	const struct db_verb *verb = NULL;
	for (const struct db_verb *v = db_verbs; v->name; v++)
		if (strcmp(v->name, argv[1]) == 0)
			verb = v;
	if (verb == NULL) {
		fprintf(stderr, "lakesync: database: unknown verb '%s'\n\n", argv[1]);
		db_usage(stderr);
		return CLI_EXIT_USAGE;
	}
	struct db_ctx c = { .cli = ctx };
	int status = verb->exec(&c, argc - 1, argv + 1);
	registry_close(c.reg);
	api_client_free(c.client);
	if (c.loaded)
		conf_free(&c.conf);
	return status;
}
