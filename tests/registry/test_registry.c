/* tests/registry/test_registry.c: the registry against a real PostgreSQL (run under
 * tests/lib/with-pg): migrations, synced-table CRUD with its errors, paging, status, runs,
 * events, and the cursor's transactional behaviour in the target database. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "pg/pg.h"
#include "registry/registry.h"
#include "util/xmalloc.h"

static struct registry *reg;

static int setup(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	reg = registry_open("", &err);
	if (reg == NULL) {
		fprintf(stderr, "registry_open: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	registry_close(reg);
	return 0;
}

static void make_table(struct model_table *t, const char *name, const char *instance)
{
	struct lk_error err = LK_ERROR_INIT;
	char *json = xasprintf("{\"name\":\"%s\",\"spec\":{\"source_table_full_name\":\"src.s.t\","
			       "\"primary_key_columns\":[\"id\"],\"scheduling_policy\":\"TRIGGERED\"}}",
			       name);
	assert_true(model_table_parse(json, t, &err));
	free(json);
	t->effective_database_instance_name = xstrdup(instance);
	t->effective_logical_database_name = xstrdup("postgres");
}

static void test_migrations_are_idempotent(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_int_equal(registry_schema_version(reg, &err), 1);
	struct registry *again = registry_open("", &err); /* a second engine starting */
	assert_non_null(again);
	assert_int_equal(registry_schema_version(again, &err), 1);
	registry_close(again);
}

static void test_create_get_and_errors(void **state)
{
	struct model_table t, got;
	struct lk_error err = LK_ERROR_INIT;
	make_table(&t, "c.s.orders", "default");
	assert_true(registry_table_create(reg, &t, &err));
	assert_non_null(t.status.pipeline_id);
	assert_int_equal(strlen(t.status.pipeline_id), 36);
	assert_true(registry_table_get(reg, "c.s.orders", &got, &err));
	assert_string_equal(got.name, "c.s.orders");
	assert_string_equal(got.spec.source_table_full_name, "src.s.t");
	assert_int_equal(got.spec.scheduling_policy, MODEL_POLICY_TRIGGERED);
	assert_string_equal(got.status.pipeline_id, t.status.pipeline_id);
	assert_int_equal(got.status.detailed_state, MODEL_STATE_PROVISIONING);
	assert_int_equal(got.uc_state, MODEL_UC_PROVISIONING);
	assert_string_equal(got.effective_database_instance_name, "default");
	model_table_free(&got);

	free(t.status.pipeline_id);
	t.status.pipeline_id = NULL;
	assert_false(registry_table_create(reg, &t, &err));
	assert_int_equal(err.code, LK_EEXISTS);
	assert_string_equal(err.message, "synced table c.s.orders already exists");
	assert_false(registry_table_get(reg, "c.s.nope", &got, &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	assert_false(registry_table_delete(reg, "c.s.nope", &err));
	assert_int_equal(err.code, LK_ENOTFOUND);
	model_table_free(&t);
}

static void test_status_spec_and_delete(void **state)
{
	struct model_table t, got;
	struct lk_error err = LK_ERROR_INIT;
	make_table(&t, "c.s.status", "default");
	assert_true(registry_table_create(reg, &t, &err));
	struct model_status st = t.status;
	st.detailed_state = MODEL_STATE_ONLINE_NO_PENDING_UPDATE;
	st.has_last_sync = true;
	st.delta_commit_version = 42;
	st.message = "synced";
	assert_true(registry_table_set_status(reg, "c.s.status", &st, &err));
	t.spec.scheduling_policy = MODEL_POLICY_CONTINUOUS;
	assert_true(registry_table_update_spec(reg, &t, &err));
	assert_true(registry_table_get(reg, "c.s.status", &got, &err));
	assert_int_equal(got.status.detailed_state, MODEL_STATE_ONLINE_NO_PENDING_UPDATE);
	assert_int_equal(got.status.delta_commit_version, 42);
	assert_string_equal(got.status.message, "synced");
	assert_int_equal(got.uc_state, MODEL_UC_ACTIVE);
	assert_int_equal(got.spec.scheduling_policy, MODEL_POLICY_CONTINUOUS);
	model_table_free(&got);

	int64_t run;
	assert_true(registry_run_begin(reg, "c.s.status", REGISTRY_RUN_FULL, -1, "test", &run, &err));
	assert_true(registry_event_add(reg, "c.s.status", "info", "hello", &err));
	assert_true(registry_table_delete(reg, "c.s.status", &err));
	struct registry_run *runs;
	size_t n;
	assert_true(registry_runs_list(reg, "c.s.status", 10, &runs, &n, &err));
	assert_int_equal(n, 0); /* runs go with the table */
	registry_runs_free(runs, n);
	model_table_free(&t);
}

static void test_list_pages_and_instance_filter(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	for (int i = 0; i < 5; i++) {
		struct model_table t;
		char name[32];
		snprintf(name, sizeof name, "p.s.t%d", i);
		make_table(&t, name, i % 2 ? "odd" : "even");
		assert_true(registry_table_create(reg, &t, &err));
		model_table_free(&t);
	}
	struct registry_page page;
	assert_true(registry_table_list(reg, "even", 2, NULL, &page, &err));
	assert_int_equal(page.count, 2);
	assert_string_equal(page.tables[0].name, "p.s.t0");
	assert_string_equal(page.tables[1].name, "p.s.t2");
	assert_non_null(page.next_page_token);
	char *token = xstrdup(page.next_page_token);
	registry_page_free(&page);
	assert_true(registry_table_list(reg, "even", 2, token, &page, &err));
	assert_int_equal(page.count, 1);
	assert_string_equal(page.tables[0].name, "p.s.t4");
	assert_null(page.next_page_token);
	registry_page_free(&page);
	free(token);
	assert_true(registry_table_list(reg, NULL, 0, NULL, &page, &err));
	assert_true(page.count >= 5);
	registry_page_free(&page);
}

static void test_runs_record_outcomes(void **state)
{
	struct model_table t;
	struct lk_error err = LK_ERROR_INIT;
	make_table(&t, "c.s.runs", "default");
	assert_true(registry_table_create(reg, &t, &err));
	int64_t first, second;
	assert_true(registry_run_begin(reg, "c.s.runs", REGISTRY_RUN_FULL, -1, "e1", &first, &err));
	struct registry_run result = { .to_version = 3, .rows_inserted = 100, .rows_skipped = 2,
				       .outcome = REGISTRY_RUN_SUCCEEDED };
	assert_true(registry_run_end(reg, first, &result, &err));
	assert_true(registry_run_begin(reg, "c.s.runs", REGISTRY_RUN_INCREMENTAL, 3, "e1", &second,
				       &err));
	result = (struct registry_run){ .kind = REGISTRY_RUN_INCREMENTAL, .to_version = -1,
					.outcome = REGISTRY_RUN_FAILED,
					.message = "PRIMARY_KEY_CONSTRAINT_VIOLATION: key (id)=(7)" };
	assert_true(registry_run_end(reg, second, &result, &err));
	struct registry_run *runs;
	size_t n;
	assert_true(registry_runs_list(reg, "c.s.runs", 10, &runs, &n, &err));
	assert_int_equal(n, 2);
	assert_int_equal(runs[0].id, second); /* newest first */
	assert_int_equal(runs[0].kind, REGISTRY_RUN_INCREMENTAL);
	assert_int_equal(runs[0].from_version, 3);
	assert_int_equal(runs[0].to_version, -1);
	assert_int_equal(runs[0].outcome, REGISTRY_RUN_FAILED);
	assert_string_equal(runs[0].message, "PRIMARY_KEY_CONSTRAINT_VIOLATION: key (id)=(7)");
	assert_int_equal(runs[1].rows_inserted, 100);
	assert_int_equal(runs[1].rows_skipped, 2);
	assert_int_equal(runs[1].outcome, REGISTRY_RUN_SUCCEEDED);
	assert_true(runs[1].ended_us >= runs[1].started_us);
	assert_string_equal(runs[1].engine, "e1");
	registry_runs_free(runs, n);
	model_table_free(&t);
}

static void test_cursor_commits_and_rolls_back_with_the_transaction(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	PGconn *target = pg_connect("", "test", &err);
	assert_non_null(target);
	assert_true(registry_cursor_prepare(target, &err));
	assert_true(registry_cursor_prepare(target, &err)); /* idempotent */
	int64_t v;
	assert_true(registry_cursor_get(target, "c.s.cur", "p1", &v, &err));
	assert_int_equal(v, -1);
	assert_true(pg_exec(target, "BEGIN", &err));
	assert_true(registry_cursor_set(target, "c.s.cur", "p1", 5, 1700000000000000, &err));
	assert_true(pg_exec(target, "COMMIT", &err));
	assert_true(pg_exec(target, "BEGIN", &err));
	assert_true(registry_cursor_set(target, "c.s.cur", "p1", 6, 0, &err));
	assert_true(pg_exec(target, "ROLLBACK", &err));
	assert_true(registry_cursor_get(target, "c.s.cur", "p1", &v, &err));
	assert_int_equal(v, 5);
	/* the same name under another pipeline (deleted and created again): no cursor */
	assert_true(registry_cursor_get(target, "c.s.cur", "p2", &v, &err));
	assert_int_equal(v, -1);
	assert_true(registry_cursor_get(target, "c.s.cur", "p1", &v, &err));
	assert_true(registry_cursor_delete(target, "c.s.cur", &err));
	assert_true(registry_cursor_get(target, "c.s.cur", "p1", &v, &err));
	assert_int_equal(v, -1);
	PQfinish(target);
}

static void test_connection_errors_are_values(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_null(registry_open("host=/nonexistent-socket-dir port=1", &err));
	assert_int_equal(err.code, LK_ECONN);
	assert_non_null(strstr(err.message, "cannot connect to PostgreSQL"));
	PGconn *conn = pg_connect("", "test", &err);
	assert_false(pg_exec(conn, "SELECT * FROM no_such_table", &err));
	assert_int_equal(err.code, LK_EPG);
	assert_non_null(strstr(err.message, "PostgreSQL 42P01"));
	PQfinish(conn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrations_are_idempotent),
		cmocka_unit_test(test_create_get_and_errors),
		cmocka_unit_test(test_status_spec_and_delete),
		cmocka_unit_test(test_list_pages_and_instance_filter),
		cmocka_unit_test(test_runs_record_outcomes),
		cmocka_unit_test(test_cursor_commits_and_rolls_back_with_the_transaction),
		cmocka_unit_test(test_connection_errors_are_values),
	};
	return cmocka_run_group_tests_name("registry", tests, setup, teardown);
}
