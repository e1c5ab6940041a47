/* tests/api/console_client.c: calls one of the console endpoints through api/client.h against
 * a running daemon and prints what the client parsed, rendered again with api/view.h, as one
 * line of JSON; tests/api/test_api_console.sh compares it with what curl got. A failure
 * prints "error CODE: message" (exit 1), so that the test can compare the client's error
 * with the server's. Usage: console_client HOST TOKEN VERB [ARG [LIMIT]]. */
#include "config.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/client.h"
#include "api/view.h"

struct call {
	struct api_client *client;
	const char *arg;   /* the table, prefix or source; NULL when the verb takes none */
	size_t limit;      /* max_results; 0 = the server's default */
	struct lk_error *err;
};

typedef cJSON *verb_fn(const struct call *call);

static cJSON *call_dashboard(const struct call *c)
{
	struct table_view *views;
	size_t count;
	bool engine_running;
	if (!api_client_dashboard(c->client, &views, &count, &engine_running, c->err))
		return NULL;
	cJSON *json = view_dashboard_to_cjson(views, count, engine_running);
	table_views_free(views, count);
	return json;
}

static cJSON *call_runs(const struct call *c)
{
	struct registry_run *runs;
	size_t count;
	if (!api_client_runs(c->client, c->arg, c->limit, &runs, &count, c->err))
		return NULL;
	cJSON *json = view_runs_to_cjson(runs, count);
	registry_runs_free(runs, count);
	return json;
}

static cJSON *call_events(const struct call *c)
{
	struct registry_event *events;
	size_t count;
	if (!api_client_events(c->client, c->arg, c->limit, &events, &count, c->err))
		return NULL;
	cJSON *json = view_events_to_cjson(events, count);
	registry_events_free(events, count);
	return json;
}

static cJSON *call_catalog(const struct call *c)
{
	struct catalog_list list;
	if (!api_client_catalog_list(c->client, c->arg, &list, c->err))
		return NULL;
	cJSON *json = view_names_to_cjson(&list);
	catalog_list_free(&list);
	return json;
}

static cJSON *call_preview(const struct call *c)
{
	struct manage_preview preview;
	if (!api_client_preview(c->client, c->arg, &preview, c->err))
		return NULL;
	cJSON *json = view_preview_to_cjson(c->arg, &preview);
	manage_preview_free(&preview);
	return json;
}

static cJSON *call_instances(const struct call *c)
{
	struct conf_project *projects;
	size_t count;
	if (!api_client_instances(c->client, &projects, &count, c->err))
		return NULL;
	struct conf conf = { .projects = projects, .n_projects = count };
	cJSON *json = view_instances_to_cjson(&conf);
	view_instances_free(projects, count);
	return json;
}

static const struct verb {
	const char *name;
	bool takes_arg;
	verb_fn *fn;
} verbs[] = {
	{ .name = "dashboard", .fn = call_dashboard },
	{ .name = "runs", .takes_arg = true, .fn = call_runs },
	{ .name = "events", .takes_arg = true, .fn = call_events },
	{ .name = "catalog", .takes_arg = true, .fn = call_catalog },
	{ .name = "preview", .takes_arg = true, .fn = call_preview },
	{ .name = "instances", .fn = call_instances },
};

static const struct verb *verb_find(const char *name)
{
	for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
	return NULL;
}

int main(int argc, char **argv)
{
	const struct verb *verb = argc >= 4 ? verb_find(argv[3]) : NULL;
	if (verb == NULL || argc < (verb->takes_arg ? 5 : 4)) {
		fprintf(stderr, "usage: console_client HOST TOKEN dashboard|runs NAME [LIMIT]|"
				"events NAME [LIMIT]|catalog PREFIX|preview SOURCE|instances\n");
		return 2;
	}
	struct lk_error err = LK_ERROR_INIT;
	struct api_client *client = api_client_new(argv[1], argv[2], &err);
	cJSON *json = NULL;
	if (client) {
		struct call call = { .client = client, .arg = verb->takes_arg ? argv[4] : NULL,
				     .limit = argc > 5 ? strtoul(argv[5], NULL, 10) : 0,
				     .err = &err };
		json = verb->fn(&call);
	}
	api_client_free(client);
	if (json == NULL) {
		printf("error %s: %s\n", lk_errcode_name(err.code), err.message);
		return 1;
	}
	char *text = cJSON_PrintUnformatted(json);
	printf("%s\n", text);
	cJSON_free(text);
	cJSON_Delete(json);
	return 0;
}
