/* tests/engine/snapshot_oracle.c: checks that a synced PostgreSQL table equals a Delta
 * snapshot. It loads the snapshot at VERSION straight into a scratch table (one COPY
 * through the encoder, no engine) and compares the two with EXCEPT ALL both ways, so any
 * missing, extra or different row shows. Rows with a null key are left out on both sides,
 * as the engine does.
 *   snapshot_oracle TABLE_ROOT VERSION SYNCED_TABLE KEY[,KEY...]
 * Connects with libpq's defaults (PG*). Prints the differences; exit 0 when equal. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/model.h"
#include "delta/delta.h"
#include "delta/scan.h"
#include "engine/target.h"
#include "pg/pg.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static int fail(const char *what, const struct lk_error *err)
{
	fprintf(stderr, "snapshot_oracle: %s: %s\n", what, err ? err->message : "");
	return 2;
}

/* Loads every live row with a non-null key into the oracle table. */
static bool oracle_load(PGconn *conn, struct delta_table *table, struct delta_snapshot *snap,
			const struct target_table *plan, struct lk_error *err)
{
	const char **names = target_column_names(plan);
	struct delta_scan *scan = delta_scan_open(table, snap, names, plan->n_columns, err);
	free(names);
	if (scan == NULL)
		return false;
	struct lk_buf sql = LK_BUF_INIT, data = LK_BUF_INIT;
	target_load_copy_sql(plan, &sql);
	bool ok = pg_copy_start(conn, lk_buf_cstr(&sql), err);
	pg_copy_begin(&data);
	struct pg_copy_encoder *enc = pg_copy_encoder_new();
	struct pg_copy_column *cols = xcalloc(plan->n_columns, sizeof *cols);
	struct lk_batch *batch = NULL;
	while (ok && (ok = delta_scan_next(scan, &batch, err)) && batch) {
		for (size_t c = 0; c < plan->n_columns; c++)
			cols[c] = (struct pg_copy_column){
				.vec = lk_batch_column(batch, plan->columns[c].name),
				.name = plan->columns[c].name, .type = plan->columns[c].pg_type };
		uint32_t *rows = xcalloc(lk_batch_live_rows(batch) + 1, sizeof *rows);
		size_t n = 0;
		for (size_t i = 0; i < lk_batch_live_rows(batch); i++) {
			size_t row = lk_batch_live_row(batch, i);
			bool null_key = false;
			for (size_t k = 0; k < plan->n_keys; k++)
				null_key |= lk_vector_is_null(cols[plan->keys[k]].vec, row);
			if (!null_key)
				rows[n++] = (uint32_t)row;
		}
		struct pg_copy_request req = { .columns = cols, .n_columns = plan->n_columns,
					       .rows = rows, .n_rows = n, .table = "oracle",
					       .nul_policy = plan->nul_policy };
		ok = pg_copy_encode(enc, &req, &data, err) &&
		     pg_copy_put(conn, data.data, data.len, err);
		lk_buf_reset(&data);
		free(rows);
		lk_batch_free(batch);
	}
	pg_copy_end(&data);
	if (ok)
		ok = pg_copy_put(conn, data.data, data.len, err) && pg_copy_finish(conn, err);
	free(cols);
	pg_copy_encoder_free(enc);
	lk_buf_free(&sql);
	lk_buf_free(&data);
	delta_scan_close(scan);
	return ok;
}

/* Counts and shows the rows of `a` missing from `b`. */
static long except_rows(PGconn *conn, const char *a, const char *b, const char *label)
{
	struct lk_buf sql = LK_BUF_INIT;
	lk_buf_printf(&sql, "SELECT x::text FROM (SELECT * FROM %s EXCEPT ALL SELECT * FROM %s) x", a,
		      b);
	struct lk_error err = LK_ERROR_INIT;
	PGresult *res = pg_query(conn, lk_buf_cstr(&sql), 0, NULL, &err);
	lk_buf_free(&sql);
	if (res == NULL) {
		fail("compare", &err);
		return -1;
	}
	long n = PQntuples(res);
	for (long i = 0; i < n && i < 5; i++)
		fprintf(stderr, "%s: %s\n", label, PQgetvalue(res, (int)i, 0));
	PQclear(res);
	return n;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: snapshot_oracle TABLE_ROOT VERSION SYNCED_TABLE KEYS\n");
		return 2;
	}
	struct lk_error err = LK_ERROR_INIT;
	struct delta_table *table = delta_table_open(argv[1], &err);
	struct delta_snapshot *snap = table ? delta_snapshot_load(table, atoll(argv[2]), &err) : NULL;
	if (snap == NULL)
		return fail("snapshot", &err);
	struct model_spec spec = { .create_database_objects_if_missing = -1 };
	char *keys = xstrdup(argv[4]);
	char *k_list[16];
	for (char *save, *k = strtok_r(keys, ",", &save); k && spec.n_primary_key_columns < 16;
	     k = strtok_r(NULL, ",", &save))
		k_list[spec.n_primary_key_columns++] = k;
	spec.primary_key_columns = k_list;
	struct target_table plan;
	if (!target_plan(argv[3], "oracle", snap->schema, &spec, &plan, &err))
		return fail("plan", &err);
	free(plan.load_table);
	plan.load_table = xstrdup("lakesync_oracle");
	PGconn *conn = pg_connect("", "snapshot_oracle", &err);
	if (conn == NULL)
		return fail("connect", &err);
	if (!target_load_create(conn, &plan, &err) || !oracle_load(conn, table, snap, &plan, &err))
		return fail("oracle load", &err);
	struct lk_buf synced = LK_BUF_INIT, oracle = LK_BUF_INIT;
	pg_quote_qualified(&synced, plan.schema, plan.table);
	pg_quote_qualified(&oracle, plan.schema, plan.load_table);
	long missing = except_rows(conn, lk_buf_cstr(&oracle), lk_buf_cstr(&synced),
				   "missing from the synced table");
	long extra = except_rows(conn, lk_buf_cstr(&synced), lk_buf_cstr(&oracle),
				 "extra or different in the synced table");
	target_load_drop(conn, &plan, &err);
	printf("missing=%ld extra=%ld\n", missing, extra);
	lk_buf_free(&synced);
	lk_buf_free(&oracle);
	PQfinish(conn);
	target_table_free(&plan);
	free(keys);
	delta_snapshot_free(snap);
	delta_table_free(table);
	return missing == 0 && extra == 0 ? 0 : 1;
}
