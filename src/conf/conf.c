/* conf/conf.c: loading and validating the configuration file (see conf.h). */
#include "config.h"

#include <errno.h>
#include <libconfig.h>
#include <stdarg.h>
#include <stdio.h>
#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf/conf.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum {
	DEFAULT_WORKERS = 4,
	DEFAULT_CONNECTIONS_PER_TABLE = 4,
	MAX_CONNECTIONS_PER_TABLE = 16,
	DEFAULT_POLL_INTERVAL_MS = 1000,
	DEFAULT_RETRY_MAX = 5,
	DEFAULT_RETRY_BACKOFF_MS = 1000,
	DEFAULT_BATCH_ROWS = 65536,
	DEFAULT_SPLIT_FILE_BYTES = 64 << 20,
	DEFAULT_CONSOLE_REFRESH_MS = 1000,
};

static const char DEFAULT_PROJECT[] = "default";
static const char DEFAULT_BRANCH[] = "main";
static const char DEFAULT_LISTEN[] = "127.0.0.1:8080";

/* Where the settings being read come from, for error messages. */
struct conf_reader {
	const char *path;
	struct lk_error *err;
};

static bool conf_fail(const struct conf_reader *r, const config_setting_t *s, const char *fmt,
		      ...) __attribute__((format(printf, 3, 4)));

static bool conf_fail(const struct conf_reader *r, const config_setting_t *s, const char *fmt,
		      ...)
{
	char what[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	unsigned line = s ? config_setting_source_line(s) : 0;
	if (line)
		return lk_error_set(r->err, LK_ECONFIG, "%s:%u: %s", r->path, line, what);
	return lk_error_set(r->err, LK_ECONFIG, "%s: %s", r->path, what);
}

/* The dotted path of a setting, for messages: "engine.workers", "projects.[0].name". */
static void setting_path(const config_setting_t *s, struct lk_buf *out)
{
	if (s == NULL || config_setting_is_root(s))
		return;
	const config_setting_t *parent = config_setting_parent(s);
	setting_path(parent, out);
	if (out->len)
		lk_buf_append_byte(out, '.');
	if (config_setting_name(s))
		lk_buf_append_str(out, config_setting_name(s));
	else
		lk_buf_printf(out, "[%d]", config_setting_index(s));
}

static bool expect_type(const struct conf_reader *r, const config_setting_t *s, int type,
			const char *expected)
{
	if (config_setting_type(s) == type)
		return true;
	struct lk_buf path = LK_BUF_INIT;
	setting_path(s, &path);
	conf_fail(r, s, "'%s' must be %s", lk_buf_cstr(&path), expected);
	lk_buf_free(&path);
	return false;
}

/* Rejects settings whose names are not in `known` (NULL-terminated): typos must not pass
 * silently. */
static bool check_known(const struct conf_reader *r, const config_setting_t *group,
			const char *const *known)
{
	int n = config_setting_length(group);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(group, (unsigned)i);
		const char *name = config_setting_name(s);
		bool ok = false;
		for (const char *const *k = known; *k && !ok; k++)
			ok = strcmp(*k, name) == 0;
		if (ok)
			continue;
		struct lk_buf path = LK_BUF_INIT, list = LK_BUF_INIT;
		setting_path(s, &path);
		for (const char *const *k = known; *k; k++)
			lk_buf_printf(&list, "%s%s", k == known ? "" : ", ", *k);
		conf_fail(r, s, "unknown setting '%s' (expected one of: %s)", lk_buf_cstr(&path),
			  lk_buf_cstr(&list));
		lk_buf_free(&path);
		lk_buf_free(&list);
		return false;
	}
	return true;
}

static bool read_string(const struct conf_reader *r, const config_setting_t *group,
			const char *name, char **out)
{
	const config_setting_t *s = config_setting_get_member(group, name);
	if (s == NULL)
		return true;
	if (!expect_type(r, s, CONFIG_TYPE_STRING, "a string in double quotes"))
		return false;
	free(*out);
	*out = xstrdup(config_setting_get_string(s));
	return true;
}

static bool read_int(const struct conf_reader *r, const config_setting_t *group,
		     const char *name, int min, int max, int *out)
{
	const config_setting_t *s = config_setting_get_member(group, name);
	if (s == NULL)
		return true;
	if (!expect_type(r, s, CONFIG_TYPE_INT, "an integer"))
		return false;
	int v = config_setting_get_int(s);
	if (v < min || v > max)
		return conf_fail(r, s, "'%s' is %d; it must be between %d and %d", name, v, min,
				 max);
	*out = v;
	return true;
}

static bool read_bool(const struct conf_reader *r, const config_setting_t *group,
		      const char *name, bool *out)
{
	const config_setting_t *s = config_setting_get_member(group, name);
	if (s == NULL)
		return true;
	if (!expect_type(r, s, CONFIG_TYPE_BOOL, "true or false"))
		return false;
	*out = config_setting_get_bool(s);
	return true;
}

/* A duration as a string with a unit ("1s", "500ms", "5m"). */
static bool read_duration(const struct conf_reader *r, const config_setting_t *group,
			  const char *name, int64_t *out_ms)
{
	const config_setting_t *s = config_setting_get_member(group, name);
	if (s == NULL)
		return true;
	if (!expect_type(r, s, CONFIG_TYPE_STRING, "a duration in double quotes, e.g. \"1s\""))
		return false;
	struct lk_error derr = LK_ERROR_INIT;
	if (!lk_duration_parse(config_setting_get_string(s), out_ms, &derr))
		return conf_fail(r, s, "'%s': %s", name, derr.message);
	return true;
}

static bool read_group(const struct conf_reader *r, const config_setting_t *root,
		       const char *name, const char *const *known, const config_setting_t **out)
{
	*out = config_setting_get_member(root, name);
	if (*out == NULL)
		return true;
	return expect_type(r, *out, CONFIG_TYPE_GROUP, "a group { ... }") &&
	       check_known(r, *out, known);
}

/* ---- projects ------------------------------------------------------------------------ */

static bool name_valid(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
			return false;
	return true;
}

static bool read_named(const struct conf_reader *r, const config_setting_t *s, const char *what,
		       char **name)
{
	if (!read_string(r, s, "name", name))
		return false;
	if (*name == NULL)
		return conf_fail(r, s, "every %s needs a name", what);
	if (!name_valid(*name))
		return conf_fail(r, s, "%s name '%s' must be letters, digits, '_' and '-' only",
				 what, *name);
	return true;
}

/* conninfo and database: a branch's, or a project's that has no branch list. */
static bool read_connection(const struct conf_reader *r, const config_setting_t *s,
			    struct conf_branch *b)
{
	if (!read_string(r, s, "conninfo", &b->conninfo) ||
	    !read_string(r, s, "database", &b->default_database))
		return false;
	if (b->conninfo == NULL)
		b->conninfo = xstrdup("");
	return true;
}

static bool read_branch(const struct conf_reader *r, const config_setting_t *s,
			struct conf_branch *b)
{
	static const char *const known[] = { "name", "conninfo", "database", NULL };
	return expect_type(r, s, CONFIG_TYPE_GROUP, "a group { name = ...; conninfo = ...; }") &&
	       check_known(r, s, known) && read_named(r, s, "branch", &b->name) &&
	       read_connection(r, s, b);
}

static bool read_branch_list(const struct conf_reader *r, const config_setting_t *branches,
			     struct conf_project *p)
{
	if (!expect_type(r, branches, CONFIG_TYPE_LIST, "a list ( { ... }, ... )"))
		return false;
	int n = config_setting_length(branches);
	if (n == 0)
		return conf_fail(r, branches, "project '%s' has an empty branch list", p->name);
	p->branches = xcalloc((size_t)n, sizeof *p->branches);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(branches, (unsigned)i);
		p->n_branches++;
		if (!read_branch(r, s, &p->branches[i]))
			return false;
		for (int j = 0; j < i; j++)
			if (strcmp(p->branches[j].name, p->branches[i].name) == 0)
				return conf_fail(r, s, "project '%s' has two branches named '%s'",
						 p->name, p->branches[i].name);
	}
	return true;
}

static bool read_project(const struct conf_reader *r, const config_setting_t *s,
			 struct conf_project *p)
{
	static const char *const known[] = { "name", "conninfo", "database", "branches", NULL };
	if (!expect_type(r, s, CONFIG_TYPE_GROUP, "a group { name = ...; ... }") ||
	    !check_known(r, s, known) || !read_named(r, s, "project", &p->name))
		return false;
	const config_setting_t *branches = config_setting_get_member(s, "branches");
	if (branches != NULL) {
		if (config_setting_get_member(s, "conninfo") ||
		    config_setting_get_member(s, "database"))
			return conf_fail(r, s,
					 "project '%s': with a branch list, conninfo and database "
					 "belong in the branches",
					 p->name);
		return read_branch_list(r, branches, p);
	}
	/* A project without branches is its own single branch `main`. */
	p->branches = xcalloc(1, sizeof *p->branches);
	p->n_branches = 1;
	p->branches[0].name = xstrdup(DEFAULT_BRANCH);
	return read_connection(r, s, &p->branches[0]);
}

static bool read_projects(const struct conf_reader *r, const config_setting_t *root,
			  struct conf *conf)
{
	const config_setting_t *list = config_setting_get_member(root, "projects");
	if (list == NULL)
		return true;
	if (!expect_type(r, list, CONFIG_TYPE_LIST, "a list ( { name = ...; ... }, ... )"))
		return false;
	int n = config_setting_length(list);
	conf->projects = xcalloc((size_t)(n ? n : 1), sizeof *conf->projects);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(list, (unsigned)i);
		struct conf_project *p = &conf->projects[i];
		conf->n_projects++;
		if (!read_project(r, s, p))
			return false;
		for (int j = 0; j < i; j++)
			if (strcmp(conf->projects[j].name, p->name) == 0)
				return conf_fail(r, s, "two projects are named '%s'", p->name);
	}
	return true;
}

/* ---- sections ------------------------------------------------------------------------ */

static bool read_engine(const struct conf_reader *r, const config_setting_t *root,
			struct conf_engine *e)
{
	static const char *const known[] = { "workers", "connections_per_table", "poll_interval",
					     "auto_full_refresh", "retry_max", "retry_backoff",
					     "batch_rows", "split_file_bytes", NULL };
	const config_setting_t *g;
	int batch_rows = (int)e->batch_rows;
	if (!read_group(r, root, "engine", known, &g))
		return false;
	if (g == NULL)
		return true;
	bool ok = read_int(r, g, "workers", 1, 256, &e->workers) &&
		  read_int(r, g, "connections_per_table", 1, MAX_CONNECTIONS_PER_TABLE,
			   &e->connections_per_table) &&
		  read_duration(r, g, "poll_interval", &e->poll_interval_ms) &&
		  read_bool(r, g, "auto_full_refresh", &e->auto_full_refresh) &&
		  read_int(r, g, "retry_max", 0, 1000, &e->retry_max) &&
		  read_duration(r, g, "retry_backoff", &e->retry_backoff_ms) &&
		  read_int(r, g, "batch_rows", 1000, 10000000, &batch_rows) &&
		  read_int(r, g, "split_file_bytes", 1, INT32_MAX, &e->split_file_bytes);
	e->batch_rows = batch_rows;
	if (ok && e->poll_interval_ms < 50)
		return conf_fail(r, config_setting_get_member(g, "poll_interval"),
				 "'poll_interval' must be at least 50ms");
	return ok;
}

static bool read_api(const struct conf_reader *r, const config_setting_t *root,
		     struct conf_api *api)
{
	static const char *const known[] = { "listen", "tokens", "tls_cert", "tls_key", NULL };
	const config_setting_t *g;
	if (!read_group(r, root, "api", known, &g))
		return false;
	if (g == NULL)
		return true;
	if (!read_string(r, g, "listen", &api->listen) ||
	    !read_string(r, g, "tls_cert", &api->tls_cert) ||
	    !read_string(r, g, "tls_key", &api->tls_key))
		return false;
	const config_setting_t *tokens = config_setting_get_member(g, "tokens");
	if (tokens == NULL)
		return true;
	if (!expect_type(r, tokens, CONFIG_TYPE_ARRAY, "an array of strings [ \"...\" ]"))
		return false;
	int n = config_setting_length(tokens);
	api->tokens = xcalloc((size_t)(n ? n : 1), sizeof *api->tokens);
	for (int i = 0; i < n; i++) {
		const char *t = config_setting_get_string_elem(tokens, i);
		if (t == NULL || strlen(t) < 16)
			return conf_fail(r, tokens, "api.tokens: every token must be a string of "
						    "at least 16 characters");
		api->tokens[api->n_tokens++] = xstrdup(t);
	}
	return true;
}

/* console.keys = { sync_now = "s"; delete = ["d", "Delete"]; }: a key name or a list of
 * them per action; the console validates the names when it starts. */
static bool read_console_keys(const struct conf_reader *r, const config_setting_t *console,
			      struct conf_console *out)
{
	const config_setting_t *keys = console ? config_setting_get_member(console, "keys") : NULL;
	if (keys == NULL)
		return true;
	if (!expect_type(r, keys, CONFIG_TYPE_GROUP, "a group { action = \"key\"; ... }"))
		return false;
	int n = config_setting_length(keys);
	for (int i = 0; i < n; i++) {
		const config_setting_t *s = config_setting_get_elem(keys, (unsigned)i);
		bool list = config_setting_is_aggregate(s);
		int count = list ? config_setting_length(s) : 1;
		for (int j = 0; j < count; j++) {
			const config_setting_t *k = list ? config_setting_get_elem(s, (unsigned)j) : s;
			if (config_setting_type(k) != CONFIG_TYPE_STRING)
				return conf_fail(r, k, "console.keys.%s: expected a key name in "
						       "double quotes or a list of them",
						 config_setting_name(s));
			out->keys = xreallocarray(out->keys, out->n_keys + 1, sizeof *out->keys);
			out->keys[out->n_keys++] = (struct conf_console_key){
				.action = xstrdup(config_setting_name(s)),
				.key = xstrdup(config_setting_get_string(k)),
			};
		}
	}
	return true;
}

/* remotes = { NAME = { host = "https://..."; token = "..."; ca_file = "..."; }; ... } */
static bool read_remote(const struct conf_reader *r, const config_setting_t *s,
			struct conf_remote *remote)
{
	static const char *const known[] = { "host", "token", "ca_file", NULL };
	remote->name = xstrdup(config_setting_name(s));
	if (!expect_type(r, s, CONFIG_TYPE_GROUP, "a group { host = \"http(s)://...\"; ... }") ||
	    !check_known(r, s, known) || !read_string(r, s, "host", &remote->host) ||
	    !read_string(r, s, "token", &remote->token) ||
	    !read_string(r, s, "ca_file", &remote->ca_file))
		return false;
	if (remote->host == NULL)
		return conf_fail(r, s, "remote '%s' needs a host = \"http(s)://...\"",
				 remote->name);
	if (strncmp(remote->host, "http://", 7) != 0 && strncmp(remote->host, "https://", 8) != 0)
		return conf_fail(r, config_setting_get_member(s, "host"),
				 "'remotes.%s.host' is '%s'; it must start with http:// or https://",
				 remote->name, remote->host);
	return true;
}

static bool read_remotes(const struct conf_reader *r, const config_setting_t *root,
			 struct conf *conf)
{
	const config_setting_t *g = config_setting_get_member(root, "remotes");
	if (g == NULL)
		return true;
	if (!expect_type(r, g, CONFIG_TYPE_GROUP, "a group { NAME = { host = ...; }; ... }"))
		return false;
	int n = config_setting_length(g);
	conf->remotes = xcalloc((size_t)(n ? n : 1), sizeof *conf->remotes);
	for (int i = 0; i < n; i++) {
		conf->n_remotes++;
		if (!read_remote(r, config_setting_get_elem(g, (unsigned)i), &conf->remotes[i]))
			return false;
	}
	return true;
}

static bool read_sections(const struct conf_reader *r, const config_setting_t *root,
			  struct conf *conf)
{
	static const char *const known_top[] = { "catalog", "projects", "state", "log", "engine",
						 "api", "console", "remotes", NULL };
	static const char *const known_state[] = { "project", "branch", "database", NULL };
	static const char *const known_log[] = { "level", "file", NULL };
	static const char *const known_console[] = { "theme", "refresh", "keys", NULL };
	const config_setting_t *state, *log, *console;
	return check_known(r, root, known_top) &&
	       read_string(r, root, "catalog", &conf->catalog_root) &&
	       read_projects(r, root, conf) &&
	       read_group(r, root, "state", known_state, &state) &&
	       (!state || (read_string(r, state, "project", &conf->state_project) &&
			   read_string(r, state, "branch", &conf->state_branch) &&
			   read_string(r, state, "database", &conf->state_database))) &&
	       read_group(r, root, "log", known_log, &log) &&
	       (!log || (read_string(r, log, "level", &conf->log_level) &&
			 read_string(r, log, "file", &conf->log_file))) &&
	       read_engine(r, root, &conf->engine) && read_api(r, root, &conf->api) &&
	       read_group(r, root, "console", known_console, &console) &&
	       (!console || (read_string(r, console, "theme", &conf->console.theme) &&
			     read_duration(r, console, "refresh", &conf->console.refresh_ms) &&
			     read_console_keys(r, console, &conf->console))) &&
	       read_remotes(r, root, conf);
}

/* ---- defaults ------------------------------------------------------------------------ */

static void conf_set_defaults(struct conf *conf)
{
	conf->engine = (struct conf_engine){
		.workers = DEFAULT_WORKERS,
		.connections_per_table = DEFAULT_CONNECTIONS_PER_TABLE,
		.poll_interval_ms = DEFAULT_POLL_INTERVAL_MS,
		.auto_full_refresh = true,
		.retry_max = DEFAULT_RETRY_MAX,
		.retry_backoff_ms = DEFAULT_RETRY_BACKOFF_MS,
		.batch_rows = DEFAULT_BATCH_ROWS,
		.split_file_bytes = DEFAULT_SPLIT_FILE_BYTES,
	};
	conf->console.refresh_ms = DEFAULT_CONSOLE_REFRESH_MS;
}

/* What the file left out: the environment and the built-in defaults. */
static bool conf_fill_gaps(const struct conf_reader *r, struct conf *conf)
{
	if (conf->catalog_root == NULL && getenv("LAKESYNC_CATALOG") && *getenv("LAKESYNC_CATALOG"))
		conf->catalog_root = xstrdup(getenv("LAKESYNC_CATALOG"));
	if (conf->n_projects == 0) {
		conf->projects = xcalloc(1, sizeof *conf->projects);
		conf->n_projects = 1;
		conf->projects[0].name = xstrdup(DEFAULT_PROJECT);
		conf->projects[0].branches = xcalloc(1, sizeof(struct conf_branch));
		conf->projects[0].n_branches = 1;
		conf->projects[0].branches[0].name = xstrdup(DEFAULT_BRANCH);
		conf->projects[0].branches[0].conninfo = xstrdup("");
	}
	if (conf->state_project == NULL) {
		const struct conf_project *p = conf_project_find(conf, DEFAULT_PROJECT);
		conf->state_project = xstrdup(p ? p->name : conf->projects[0].name);
	}
	const struct conf_project *state = conf_project_find(conf, conf->state_project);
	if (state == NULL)
		return lk_error_set(r->err, LK_ECONFIG, "%s: state.project '%s' is not a project",
				    r->path, conf->state_project);
	if (conf->state_branch && conf_branch_find(state, conf->state_branch) == NULL)
		return lk_error_set(r->err, LK_ECONFIG,
				    "%s: state.branch '%s' is not a branch of project '%s'",
				    r->path, conf->state_branch, state->name);
	if (conf->api.listen == NULL)
		conf->api.listen = xstrdup(DEFAULT_LISTEN);
	if (conf->api.n_tokens == 0 && getenv("LAKESYNC_API_TOKEN") &&
	    *getenv("LAKESYNC_API_TOKEN")) {
		conf->api.tokens = xcalloc(1, sizeof *conf->api.tokens);
		conf->api.tokens[0] = xstrdup(getenv("LAKESYNC_API_TOKEN"));
		conf->api.n_tokens = 1;
	}
	if (conf->console.theme == NULL)
		conf->console.theme = xstrdup("default");
	return true;
}

bool conf_load_file(const char *path, struct conf *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	conf_set_defaults(out);
	struct conf_reader r = { .path = path ? path : "(defaults)", .err = err };
	if (path == NULL)
		return conf_fill_gaps(&r, out);

	config_t cfg;
	config_init(&cfg);
	bool ok;
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			ok = lk_error_set_errno(err, LK_ECONFIG, errno, "cannot read config file %s",
						path);
		else
			ok = lk_error_set(err, LK_ECONFIG, "%s:%d: %s", path,
					  config_error_line(&cfg), config_error_text(&cfg));
	} else {
		out->path = xstrdup(path);
		ok = read_sections(&r, config_root_setting(&cfg), out) && conf_fill_gaps(&r, out);
	}
	config_destroy(&cfg);
	if (!ok)
		conf_free(out);
	return ok;
}

static bool file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

bool conf_load(const char *explicit_path, struct conf *out, struct lk_error *err)
{
	if (explicit_path)
		return conf_load_file(explicit_path, out, err);
	const char *env = getenv("LAKESYNC_CONFIG");
	if (env && *env)
		return conf_load_file(env, out, err);
	char *xdg;
	if (getenv("XDG_CONFIG_HOME") && *getenv("XDG_CONFIG_HOME"))
		xdg = xasprintf("%s/lakesync/lakesync.conf", getenv("XDG_CONFIG_HOME"));
	else
		xdg = xasprintf("%s/.config/lakesync/lakesync.conf",
				getenv("HOME") ? getenv("HOME") : "");
	bool ok;
	if (file_exists(xdg))
		ok = conf_load_file(xdg, out, err);
	else if (file_exists("/etc/lakesync/lakesync.conf"))
		ok = conf_load_file("/etc/lakesync/lakesync.conf", out, err);
	else
		ok = conf_load_file(NULL, out, err);
	free(xdg);
	return ok;
}

void conf_free(struct conf *conf)
{
	for (size_t i = 0; i < conf->n_projects; i++) {
		struct conf_project *p = &conf->projects[i];
		for (size_t j = 0; j < p->n_branches; j++) {
			free(p->branches[j].name);
			free(p->branches[j].conninfo);
			free(p->branches[j].default_database);
		}
		free(p->branches);
		free(p->name);
	}
	free(conf->projects);
	for (size_t i = 0; i < conf->api.n_tokens; i++)
		free(conf->api.tokens[i]);
	free(conf->api.tokens);
	free(conf->api.listen);
	free(conf->api.tls_cert);
	free(conf->api.tls_key);
	free(conf->console.theme);
	for (size_t i = 0; i < conf->console.n_keys; i++) {
		free(conf->console.keys[i].action);
		free(conf->console.keys[i].key);
	}
	free(conf->console.keys);
	for (size_t i = 0; i < conf->n_remotes; i++) {
		free(conf->remotes[i].name);
		free(conf->remotes[i].host);
		free(conf->remotes[i].token);
		free(conf->remotes[i].ca_file);
	}
	free(conf->remotes);
	free(conf->path);
	free(conf->catalog_root);
	free(conf->state_project);
	free(conf->state_branch);
	free(conf->state_database);
	free(conf->log_level);
	free(conf->log_file);
	memset(conf, 0, sizeof *conf);
}

const struct conf_project *conf_project_find(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_projects; i++)
		if (strcmp(conf->projects[i].name, name) == 0)
			return &conf->projects[i];
	return NULL;
}

const struct conf_remote *conf_remote_find(const struct conf *conf, const char *name)
{
	for (size_t i = 0; i < conf->n_remotes; i++)
		if (strcmp(conf->remotes[i].name, name) == 0)
			return &conf->remotes[i];
	return NULL;
}

const struct conf_branch *conf_branch_find(const struct conf_project *project, const char *name)
{
	for (size_t i = 0; i < project->n_branches; i++)
		if (strcmp(project->branches[i].name, name) == 0)
			return &project->branches[i];
	return NULL;
}

/* Appends key='value' with libpq's quoting (backslash and quote escaped). */
static void conninfo_append(struct lk_buf *out, const char *key, const char *value)
{
	if (out->len)
		lk_buf_append_byte(out, ' ');
	lk_buf_printf(out, "%s='", key);
	for (const char *p = value; *p; p++) {
		if (*p == '\'' || *p == '\\')
			lk_buf_append_byte(out, '\\');
		lk_buf_append_byte(out, (uint8_t)*p);
	}
	lk_buf_append_byte(out, '\'');
}

bool conf_conninfo(const struct conf *conf, const char *project, const char *branch,
		   const char *database, struct lk_buf *out, struct lk_error *err)
{
	const struct conf_project *p;
	if (project) {
		p = conf_project_find(conf, project);
		if (p == NULL)
			return lk_error_set(err, LK_ENOTFOUND,
					    "database instance (project) '%s' is not configured",
					    project);
	} else {
		p = conf_project_find(conf, DEFAULT_PROJECT);
		if (p == NULL)
			p = &conf->projects[0];
	}
	const struct conf_branch *b;
	if (branch) {
		b = conf_branch_find(p, branch);
		if (b == NULL)
			return lk_error_set(err, LK_ENOTFOUND, "project '%s' has no branch '%s'",
					    p->name, branch);
	} else {
		b = conf_branch_find(p, DEFAULT_BRANCH);
		if (b == NULL)
			b = &p->branches[0];
	}
	/* Normalise to key='value' pairs so that dbname can be appended, URIs included. */
	char *perr = NULL;
	PQconninfoOption *opts = PQconninfoParse(b->conninfo, &perr);
	if (opts == NULL) {
		lk_error_set(err, LK_ECONFIG, "project '%s' branch '%s': bad conninfo: %s", p->name,
			     b->name, perr ? perr : "out of memory");
		PQfreemem(perr);
		return false;
	}
	for (PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val && *o->val && strcmp(o->keyword, "dbname") != 0)
			conninfo_append(out, o->keyword, o->val);
	const char *db = database ? database : b->default_database;
	if (db == NULL) /* keep a dbname written in the conninfo itself */
		for (PQconninfoOption *o = opts; o->keyword; o++)
			if (strcmp(o->keyword, "dbname") == 0 && o->val && *o->val)
				db = o->val;
	if (db)
		conninfo_append(out, "dbname", db);
	PQconninfoFree(opts);
	return true;
}

bool conf_state_conninfo(const struct conf *conf, struct lk_buf *out, struct lk_error *err)
{
	return conf_conninfo(conf, conf->state_project, conf->state_branch, conf->state_database,
			     out, err);
}
