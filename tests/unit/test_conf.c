/* tests/unit/test_conf.c: the configuration file: zero-config defaults from the
 * environment, every section, the search order, connection strings, the remote profiles,
 * and errors that name the file, the line and what was expected. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "util/xmalloc.h"

static char dir[64];

static char *write_file(const char *name, const char *text)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int setup(void **state)
{
	snprintf(dir, sizeof dir, "/tmp/lakesync-conf-XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	unsetenv("LAKESYNC_CONFIG");
	unsetenv("LAKESYNC_CATALOG");
	unsetenv("LAKESYNC_API_TOKEN");
	setenv("XDG_CONFIG_HOME", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", dir);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void test_zero_config_defaults(void **state)
{
	setenv("LAKESYNC_CATALOG", "/data/lake", 1);
	setenv("LAKESYNC_API_TOKEN", "env-token-0123456789", 1);
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(conf_load(NULL, &conf, &err));
	assert_null(conf.path);
	assert_string_equal(conf.catalog_root, "/data/lake");
	assert_int_equal(conf.n_projects, 1);
	assert_string_equal(conf.projects[0].name, "default");
	assert_string_equal(conf.projects[0].branches[0].name, "main");
	assert_string_equal(conf.state_project, "default");
	assert_int_equal(conf.engine.connections_per_table, 4);
	assert_int_equal(conf.engine.poll_interval_ms, 1000);
	assert_true(conf.engine.auto_full_refresh);
	assert_string_equal(conf.api.listen, "127.0.0.1:8080");
	assert_int_equal(conf.api.n_tokens, 1);
	assert_string_equal(conf.api.tokens[0], "env-token-0123456789");
	struct lk_buf ci = LK_BUF_INIT;
	assert_true(conf_state_conninfo(&conf, &ci, &err));
	assert_string_equal(lk_buf_cstr(&ci), ""); /* libpq's defaults: PG* variables */
	lk_buf_reset(&ci);
	assert_true(conf_conninfo(&conf, NULL, NULL, "appdb", &ci, &err));
	assert_string_equal(lk_buf_cstr(&ci), "dbname='appdb'");
	lk_buf_free(&ci);
	conf_free(&conf);
	unsetenv("LAKESYNC_CATALOG");
	unsetenv("LAKESYNC_API_TOKEN");
}

static const char full_config[] =
	"# every section\n"
	"catalog = \"/srv/lakehouse\";\n"
	"projects = (\n"
	"  { name = \"prod\";\n"
	"    branches = (\n"
	"      { name = \"main\"; conninfo = \"host=db1 port=5433 user=sync\"; database = \"app\"; },\n"
	"      { name = \"dev\"; conninfo = \"postgresql://sync@db2:5434/devdb\"; }\n"
	"    );\n"
	"  },\n"
	"  { name = \"default\"; conninfo = \"host=localhost\"; }\n"
	");\n"
	"state = { project = \"prod\"; branch = \"main\"; database = \"lakesync_state\"; };\n"
	"log = { level = \"debug\"; file = \"/var/log/lakesync.log\"; };\n"
	"engine = { workers = 8; connections_per_table = 16; poll_interval = \"250ms\";\n"
	"           auto_full_refresh = false; retry_max = 3; retry_backoff = \"2s\";\n"
	"           batch_rows = 50000; };\n"
	"api = { listen = \"0.0.0.0:9000\"; tokens = [ \"0123456789abcdef\", \"fedcba9876543210\" ]; };\n"
	"console = { theme = \"light\"; refresh = \"2s\"; };\n";

static void test_full_file(void **state)
{
	setenv("LAKESYNC_CATALOG", "/ignored/when/the/file/sets/it", 1);
	char *path = write_file("full.conf", full_config);
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	if (!conf_load(path, &conf, &err))
		fail_msg("%s", err.message);
	assert_string_equal(conf.path, path);
	assert_string_equal(conf.catalog_root, "/srv/lakehouse");
	assert_int_equal(conf.n_projects, 2);
	assert_int_equal(conf.projects[0].n_branches, 2);
	assert_string_equal(conf.projects[1].branches[0].name, "main");
	assert_string_equal(conf.log_level, "debug");
	assert_int_equal(conf.engine.workers, 8);
	assert_int_equal(conf.engine.connections_per_table, 16);
	assert_int_equal(conf.engine.poll_interval_ms, 250);
	assert_false(conf.engine.auto_full_refresh);
	assert_int_equal(conf.engine.retry_backoff_ms, 2000);
	assert_int_equal(conf.engine.batch_rows, 50000);
	assert_int_equal(conf.api.n_tokens, 2);
	assert_string_equal(conf.console.theme, "light");
	assert_int_equal(conf.console.refresh_ms, 2000);

	struct lk_buf ci = LK_BUF_INIT;
	assert_true(conf_state_conninfo(&conf, &ci, &err));
	assert_string_equal(lk_buf_cstr(&ci),
			    "user='sync' host='db1' port='5433' dbname='lakesync_state'");
	lk_buf_reset(&ci);
	assert_true(conf_conninfo(&conf, "prod", "dev", NULL, &ci, &err));
	assert_string_equal(lk_buf_cstr(&ci), "user='sync' host='db2' port='5434' dbname='devdb'");
	lk_buf_reset(&ci);
	assert_true(conf_conninfo(&conf, NULL, NULL, "it's", &ci, &err)); /* `default` project */
	assert_string_equal(lk_buf_cstr(&ci), "host='localhost' dbname='it\\'s'");
	lk_buf_reset(&ci);
	assert_false(conf_conninfo(&conf, "staging", NULL, NULL, &ci, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_non_null(strstr(err.message, "'staging' is not configured"));
	assert_false(conf_conninfo(&conf, "prod", "qa", NULL, &ci, &err));
	assert_non_null(strstr(err.message, "project 'prod' has no branch 'qa'"));
	lk_buf_free(&ci);
	conf_free(&conf);
	free(path);
	unsetenv("LAKESYNC_CATALOG");
}

/* Loads text and asserts the error message contains each expected piece. */
static void assert_conf_error(const char *text, const char *expected1, const char *expected2)
{
	char *path = write_file("bad.conf", text);
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	if (conf_load(path, &conf, &err))
		fail_msg("loaded without an error: %s", text);
	assert_int_equal(err.code, LK_ECONFIG);
	if (strstr(err.message, expected1) == NULL ||
	    (expected2 && strstr(err.message, expected2) == NULL))
		fail_msg("error '%s' lacks '%s' / '%s'", err.message, expected1,
			 expected2 ? expected2 : "");
	assert_non_null(strstr(err.message, path));
	free(path);
}

static void test_errors_name_file_line_and_expectation(void **state)
{
	assert_conf_error("catalog = \"/x\";\nengine = { workers = ; };\n", "bad.conf:2:",
			  "syntax error");
	assert_conf_error("catalog = \"/x\";\n\ncatlog = \"/y\";\n", "bad.conf:3:",
			  "unknown setting 'catlog' (expected one of: catalog, projects");
	assert_conf_error("engine = {\n workers = \"four\";\n};\n", "bad.conf:2:",
			  "'engine.workers' must be an integer");
	assert_conf_error("engine = { connections_per_table = 17; };\n",
			  "'connections_per_table' is 17; it must be between 1 and 16", NULL);
	assert_conf_error("engine = { poll_interval = \"fast\"; };\n",
			  "'poll_interval': 'fast' is not a duration", NULL);
	assert_conf_error("engine = { poll_interval = \"10ms\"; };\n", "at least 50ms", NULL);
	assert_conf_error("projects = ( { name = \"a\"; }, { name = \"a\"; } );\n",
			  "two projects are named 'a'", NULL);
	assert_conf_error("projects = ( { conninfo = \"\"; } );\n", "every project needs a name",
			  NULL);
	assert_conf_error("projects = ( { name = \"a b\"; } );\n", "project name 'a b'", NULL);
	assert_conf_error("projects = ( { name = \"a\"; conninfo = \"x\"; branches = ( { name = "
			  "\"main\"; } ); } );\n",
			  "belong in the branches", NULL);
	assert_conf_error("state = { project = \"nope\"; };\n", "state.project 'nope' is not a "
			  "project", NULL);
	assert_conf_error("api = { tokens = [ \"short\" ]; };\n", "at least 16 characters", NULL);
}

static void test_console_keys(void **state)
{
	char *path = write_file("keys.conf",
				"console = { keys = { sync_now = \"y\"; delete = [ \"x\", \"F8\" ]; }; };\n");
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	if (!conf_load(path, &conf, &err))
		fail_msg("%s", err.message);
	assert_int_equal(conf.console.n_keys, 3);
	assert_string_equal(conf.console.keys[0].action, "sync_now");
	assert_string_equal(conf.console.keys[0].key, "y");
	assert_string_equal(conf.console.keys[1].action, "delete");
	assert_string_equal(conf.console.keys[1].key, "x");
	assert_string_equal(conf.console.keys[2].key, "F8");
	conf_free(&conf);
	free(path);
	assert_conf_error("console = {\n keys = { sync_now = 1; };\n};\n", "bad.conf:2:",
			  "console.keys.sync_now: expected a key name");
	assert_conf_error("console = { keys = \"s\"; };\n", "'console.keys' must be a group",
			  NULL);
}

static void test_remotes_parsed_and_found(void **state)
{
	char *path = write_file("remotes.conf",
				"remotes = {\n"
				"  prod = { host = \"https://lakesync.example.com\"; token = \"t-prod\";\n"
				"           ca_file = \"/etc/lakesync/ca.pem\"; };\n"
				"  dev = { host = \"http://127.0.0.1:8080\"; };\n"
				"};\n");
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	if (!conf_load(path, &conf, &err))
		fail_msg("%s", err.message);
	assert_int_equal(conf.n_remotes, 2);
	const struct conf_remote *prod = conf_remote_find(&conf, "prod");
	assert_ptr_equal(prod, &conf.remotes[0]);
	assert_string_equal(prod->name, "prod");
	assert_string_equal(prod->host, "https://lakesync.example.com");
	assert_string_equal(prod->token, "t-prod");
	assert_string_equal(prod->ca_file, "/etc/lakesync/ca.pem");
	const struct conf_remote *dev = conf_remote_find(&conf, "dev");
	assert_non_null(dev);
	assert_string_equal(dev->host, "http://127.0.0.1:8080");
	assert_null(dev->token);
	assert_null(dev->ca_file);
	assert_null(conf_remote_find(&conf, "staging"));
	assert_null(conf_remote_find(&conf, "Prod"));
	conf_free(&conf);
	free(path);
}

static void test_no_remotes_section(void **state)
{
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(conf_load(NULL, &conf, &err));
	assert_int_equal(conf.n_remotes, 0);
	assert_null(conf_remote_find(&conf, "prod"));
	conf_free(&conf);
}

static void test_remotes_errors_name_the_line(void **state)
{
	assert_conf_error("remotes = {\n  prod = { token = \"t\"; };\n};\n", "bad.conf:2:",
			  "remote 'prod' needs a host");
	assert_conf_error("remotes = {\n  prod = {\n    host = \"lakesync.example.com\";\n  };\n};\n",
			  "bad.conf:3:",
			  "'remotes.prod.host' is 'lakesync.example.com'; it must start with "
			  "http:// or https://");
	assert_conf_error("remotes = {\n  prod = { host = \"https://x\";\n    tokn = \"t\"; };\n};\n",
			  "bad.conf:3:",
			  "unknown setting 'remotes.prod.tokn' (expected one of: host, token, "
			  "ca_file)");
	assert_conf_error("remotes = {\n  dev = { host = \"http://x\"; };\n  prod = \"https://x\";\n};\n",
			  "bad.conf:3:", "'remotes.prod' must be a group");
	assert_conf_error("remotes = {\n  prod = { host = 8080; };\n};\n", "bad.conf:2:",
			  "'remotes.prod.host' must be a string");
	assert_conf_error("\nremotes = ( { host = \"http://x\"; } );\n", "bad.conf:2:",
			  "'remotes' must be a group");
}

static void test_missing_file_is_an_error(void **state)
{
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(conf_load("/nonexistent/lakesync.conf", &conf, &err));
	assert_non_null(strstr(err.message, "cannot read config file /nonexistent/lakesync.conf"));
	setenv("LAKESYNC_CONFIG", "/nonexistent/env.conf", 1);
	assert_false(conf_load(NULL, &conf, &err));
	assert_non_null(strstr(err.message, "/nonexistent/env.conf"));
	unsetenv("LAKESYNC_CONFIG");
}

static void test_search_order(void **state)
{
	char *sub = xasprintf("%s/lakesync", dir);
	mkdir(sub, 0755);
	char *xdg = write_file("lakesync/lakesync.conf", "catalog = \"/from/xdg\";\n");
	char *env = write_file("env.conf", "catalog = \"/from/env\";\n");
	struct conf conf;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(conf_load(NULL, &conf, &err));
	assert_string_equal(conf.catalog_root, "/from/xdg");
	conf_free(&conf);
	setenv("LAKESYNC_CONFIG", env, 1);
	assert_true(conf_load(NULL, &conf, &err));
	assert_string_equal(conf.catalog_root, "/from/env");
	conf_free(&conf);
	unsetenv("LAKESYNC_CONFIG");
	unlink(xdg);
	unlink(env);
	rmdir(sub);
	free(xdg);
	free(env);
	free(sub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_config_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_errors_name_file_line_and_expectation),
		cmocka_unit_test(test_console_keys),
		cmocka_unit_test(test_remotes_parsed_and_found),
		cmocka_unit_test(test_no_remotes_section),
		cmocka_unit_test(test_remotes_errors_name_the_line),
		cmocka_unit_test(test_missing_file_is_an_error),
		cmocka_unit_test(test_search_order),
	};
	return cmocka_run_group_tests_name("conf", tests, setup, teardown);
}
