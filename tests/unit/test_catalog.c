/* tests/unit/test_catalog.c: the local directory catalog: name parsing, listing catalogs,
 * schemas and tables, resolving a table root (symlinks included), and its errors. */
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

#include "catalog/catalog.h"
#include "util/xmalloc.h"

static char root[64];

static void make_dir(const char *rel)
{
	char *path = xasprintf("%s/%s", root, rel);
	char *p = path + strlen(root) + 1;
	for (; *p; p++) {
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	}
	mkdir(path, 0755);
	free(path);
}

static int setup(void **state)
{
	snprintf(root, sizeof root, "/tmp/lakesync-catalog-XXXXXX");
	if (mkdtemp(root) == NULL)
		return -1;
	make_dir("analytics/gold/user_profiles/_delta_log");
	make_dir("analytics/gold/daily_kpis/_delta_log");
	make_dir("analytics/gold/not_a_table");          /* no _delta_log: not listed */
	make_dir("analytics/gold/bad-name/_delta_log");  /* invalid name: not listed */
	make_dir("analytics/.hidden/x/_delta_log");
	make_dir("ml/features/customer_features/_delta_log");
	make_dir("elsewhere/real_table/_delta_log");
	char *target = xasprintf("%s/elsewhere/real_table", root);
	char *link = xasprintf("%s/ml/features/linked", root);
	if (symlink(target, link) != 0)
		return -1;
	free(target);
	free(link);
	return 0;
}

static int teardown(void **state)
{
	char *cmd = xasprintf("rm -rf '%s'", root);
	int rc = system(cmd);
	free(cmd);
	return rc == 0 ? 0 : -1;
}

static void test_name_parse(void **state)
{
	struct catalog_name name;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(catalog_name_parse("analytics.gold.user_profiles", "name", &name, &err));
	assert_string_equal(name.catalog, "analytics");
	assert_string_equal(name.schema, "gold");
	assert_string_equal(name.table, "user_profiles");
	catalog_name_free(&name);
	static const char *const bad[] = { "a.b", "a.b.c.d", "a..c", ".b.c", "a.b-x.c", "a.b.",
					   "" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_false(catalog_name_parse(bad[i], "source_table_full_name", &name, &err));
		assert_int_equal(err.code, LK_EINVAL);
		assert_non_null(strstr(err.message, "source_table_full_name"));
		assert_null(name.catalog);
	}
	assert_false(catalog_name_parse("a.b-x.c", "name", &name, &err));
	assert_non_null(strstr(err.message, "the schema name"));
}

static void assert_list(const char *prefix, const char *expected)
{
	struct catalog_list list;
	struct lk_error err = LK_ERROR_INIT;
	if (!catalog_list(root, prefix, &list, &err))
		fail_msg("catalog_list(%s): %s", prefix, err.message);
	char joined[256] = "";
	for (size_t i = 0; i < list.count; i++) {
		strcat(joined, i ? "," : "");
		strcat(joined, list.names[i]);
	}
	assert_string_equal(joined, expected);
	catalog_list_free(&list);
}

static void test_list_levels(void **state)
{
	assert_list("", "analytics,elsewhere,ml");
	assert_list("analytics", "gold");
	assert_list("analytics.gold", "daily_kpis,user_profiles");
	assert_list("ml.features", "customer_features,linked"); /* a symlinked table root */
}

static void test_list_errors(void **state)
{
	struct catalog_list list;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(catalog_list(root, "nosuch", &list, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_non_null(strstr(err.message, "catalog 'nosuch' not found"));
	assert_false(catalog_list(root, "analytics.nosuch", &list, &err));
	assert_non_null(strstr(err.message, "schema 'analytics.nosuch' not found"));
	assert_false(catalog_list(root, "a/b", &list, &err));
	assert_int_equal(err.code, LK_EINVAL);
	assert_false(catalog_list(NULL, "", &list, &err));
	assert_int_equal(err.code, LK_ECONFIG);
	assert_non_null(strstr(err.message, "LAKESYNC_CATALOG"));
}

static void test_table_root(void **state)
{
	struct catalog_name name;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(catalog_name_parse("ml.features.linked", "name", &name, &err));
	char *dir = catalog_table_root(root, &name, &err);
	assert_non_null(dir);
	char *expected = xasprintf("%s/ml/features/linked", root);
	assert_string_equal(dir, expected);
	free(expected);
	free(dir);
	catalog_name_free(&name);

	assert_true(catalog_name_parse("analytics.gold.not_a_table", "name", &name, &err));
	assert_null(catalog_table_root(root, &name, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_non_null(strstr(err.message, "table analytics.gold.not_a_table not found"));
	catalog_name_free(&name);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_parse),
		cmocka_unit_test(test_list_levels),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_table_root),
	};
	return cmocka_run_group_tests_name("catalog", tests, setup, teardown);
}
