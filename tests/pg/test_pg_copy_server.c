/* tests/pg/test_pg_copy_server.c: batches encoded by the COPY BINARY encoder load into a
 * real PostgreSQL (started by tests/lib/with-pg) and read back as the expected values, for
 * every mapped type, nulls, nested values as JSONB and the NUL policies. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <libpq-fe.h>

#include "pg/pg.h"

static PGconn *conn;

static void exec_ok(const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_COMMAND_OK && PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	PQclear(res);
}

/* Sends header + tuples + trailer with COPY ... FROM STDIN (FORMAT binary). */
static void copy_in(const char *table, const struct lk_buf *tuples)
{
	char sql[256];
	snprintf(sql, sizeof sql, "COPY %s FROM STDIN (FORMAT binary)", table);
	PGresult *res = PQexec(conn, sql);
	assert_int_equal(PQresultStatus(res), PGRES_COPY_IN);
	PQclear(res);
	struct lk_buf data = LK_BUF_INIT;
	pg_copy_begin(&data);
	lk_buf_append(&data, tuples->data, tuples->len);
	pg_copy_end(&data);
	assert_int_equal(PQputCopyData(conn, data.data, (int)data.len), 1);
	assert_int_equal(PQputCopyEnd(conn, NULL), 1);
	res = PQgetResult(conn);
	if (PQresultStatus(res) != PGRES_COMMAND_OK)
		fail_msg("COPY failed: %s", PQerrorMessage(conn));
	PQclear(res);
	PQclear(PQgetResult(conn));
	lk_buf_free(&data);
}

static char *query_text(const char *sql)
{
	PGresult *res = PQexec(conn, sql);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		fail_msg("%s: %s", sql, PQerrorMessage(conn));
	assert_int_equal(PQntuples(res), 1);
	char *text = strdup(PQgetisnull(res, 0, 0) ? "NULL" : PQgetvalue(res, 0, 0));
	PQclear(res);
	return text;
}

static int setup(void **state)
{
	conn = PQconnectdb("");
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "cannot connect: %s", PQerrorMessage(conn));
		return -1;
	}
	exec_ok("SET TIME ZONE 'UTC'");
	exec_ok("SET extra_float_digits = 1");
	return 0;
}

static int teardown(void **state)
{
	PQfinish(conn);
	return 0;
}

enum { N_SCALAR_COLUMNS = 16 };

struct scalar_case {
	const char *name;
	enum lk_type_id type;
	uint8_t precision, scale;
	const char *expected; /* the value PostgreSQL prints for row 0 */
};

static const struct scalar_case scalar_cases[N_SCALAR_COLUMNS] = {
	{ "b", LK_TYPE_BOOLEAN, 0, 0, "true" },
	{ "i8", LK_TYPE_INT8, 0, 0, "-128" },
	{ "i16", LK_TYPE_INT16, 0, 0, "32767" },
	{ "i32", LK_TYPE_INT32, 0, 0, "-2147483648" },
	{ "i64", LK_TYPE_INT64, 0, 0, "9007199254740993" },
	{ "u64", LK_TYPE_UINT64, 0, 0, "18446744073709551615" },
	{ "f32", LK_TYPE_FLOAT, 0, 0, "1.5" },
	{ "f64", LK_TYPE_DOUBLE, 0, 0, "-0.1" },
	{ "dec", LK_TYPE_DECIMAL, 12, 2, "-1234567890.05" },
	{ "dec38", LK_TYPE_DECIMAL, 38, 10, "1234567890123456789012345678.0123456789" },
	{ "s", LK_TYPE_STRING, 0, 0, "h\xc3\xa9llo" },
	{ "bin", LK_TYPE_BINARY, 0, 0, "\\x00ff" },
	{ "d", LK_TYPE_DATE, 0, 0, "1969-07-20" },
	{ "ts", LK_TYPE_TIMESTAMP, 0, 0, "2026-11-25 01:51:24.123456+00" },
	{ "ntz", LK_TYPE_TIMESTAMP_NTZ, 0, 0, "1900-01-01 00:00:00.000001" },
	{ "u", LK_TYPE_UUID, 0, 0, "550e8400-e29b-41d4-a716-446655440000" },
};

/* Fills row 0 with the values above and row 1 with nulls. */
static void scalar_fill(struct lk_batch *b, size_t c)
{
	struct lk_vector *v = &b->columns[c];
	const struct scalar_case *sc = &scalar_cases[c];
	v->type = sc->type;
	v->precision = sc->precision;
	v->scale = sc->scale;
	v->name = strdup(sc->name);
	v->length = 2;
	v->nulls = lk_batch_alloc(b, 2);
	v->nulls[1] = 1;
	static const uint8_t dec38[16] = { /* 12345678901234567890123456780123456789 */
		0x09, 0x49, 0xb0, 0xf6, 0xf0, 0x02, 0x33, 0x13, 0xc4, 0x49, 0x90, 0x4e, 0xcc,
		0x67, 0x45, 0x15 };
	static const uint8_t bin[2] = { 0x00, 0xff };
	static const uint8_t uuid[16] = { 0x55, 0x0e, 0x84, 0x00, 0xe2, 0x9b, 0x41, 0xd4,
					  0xa7, 0x16, 0x44, 0x66, 0x55, 0x44, 0x00, 0x00 };
	switch (sc->type) {
	case LK_TYPE_BOOLEAN:
		v->v.u8 = lk_batch_alloc(b, 2);
		v->v.u8[0] = 1;
		break;
	case LK_TYPE_INT8:
	case LK_TYPE_INT16:
	case LK_TYPE_INT32:
	case LK_TYPE_DATE:
		v->v.i32 = lk_batch_alloc(b, 2 * sizeof(int32_t));
		v->v.i32[0] = sc->type == LK_TYPE_INT8 ? -128 : sc->type == LK_TYPE_INT16 ? 32767
			    : sc->type == LK_TYPE_DATE ? -165 : INT32_MIN;
		break;
	case LK_TYPE_INT64:
	case LK_TYPE_UINT64:
	case LK_TYPE_DECIMAL:
	case LK_TYPE_TIMESTAMP:
	case LK_TYPE_TIMESTAMP_NTZ:
		if (sc->type == LK_TYPE_DECIMAL && sc->precision > 18) {
			v->v.bytes = lk_batch_alloc(b, 2 * sizeof(struct lk_bytes));
			v->v.bytes[0] = (struct lk_bytes){ .ptr = dec38, .len = 16 };
			break;
		}
		v->v.i64 = lk_batch_alloc(b, 2 * sizeof(int64_t));
		v->v.i64[0] = sc->type == LK_TYPE_INT64 ? INT64_C(9007199254740993)
			    : sc->type == LK_TYPE_UINT64 ? -1
			    : sc->type == LK_TYPE_DECIMAL ? INT64_C(-123456789005)
			    : sc->type == LK_TYPE_TIMESTAMP ? INT64_C(1795571484123456)
			    : INT64_C(-2208988799999999);
		break;
	case LK_TYPE_FLOAT:
		v->v.f32 = lk_batch_alloc(b, 2 * sizeof(float));
		v->v.f32[0] = 1.5f;
		break;
	case LK_TYPE_DOUBLE:
		v->v.f64 = lk_batch_alloc(b, 2 * sizeof(double));
		v->v.f64[0] = -0.1;
		break;
	case LK_TYPE_STRING:
	case LK_TYPE_BINARY:
	case LK_TYPE_UUID:
		v->v.bytes = lk_batch_alloc(b, 2 * sizeof(struct lk_bytes));
		v->v.bytes[0] = sc->type == LK_TYPE_STRING
				? (struct lk_bytes){ .ptr = (const uint8_t *)"h\xc3\xa9llo", .len = 6 }
				: sc->type == LK_TYPE_BINARY ? (struct lk_bytes){ .ptr = bin, .len = 2 }
				: (struct lk_bytes){ .ptr = uuid, .len = 16 };
		break;
	default:
		fail();
	}
}

static void test_every_scalar_type_round_trips(void **state)
{
	struct lk_batch *b = lk_batch_new(N_SCALAR_COLUMNS);
	b->n_rows = 2;
	struct lk_buf ddl = LK_BUF_INIT;
	lk_buf_append_str(&ddl, "CREATE TABLE scalars (");
	struct pg_copy_column cols[N_SCALAR_COLUMNS];
	for (size_t c = 0; c < N_SCALAR_COLUMNS; c++) {
		scalar_fill(b, c);
		if (c)
			lk_buf_append_str(&ddl, ", ");
		pg_quote_ident(&ddl, scalar_cases[c].name);
		lk_buf_append_byte(&ddl, ' ');
		assert_true(pg_type_sql(scalar_cases[c].type, scalar_cases[c].precision,
					scalar_cases[c].scale, &ddl));
		cols[c] = (struct pg_copy_column){ .vec = &b->columns[c],
						   .name = scalar_cases[c].name,
						   .type = pg_type_for(scalar_cases[c].type) };
	}
	lk_buf_append_str(&ddl, ")");
	exec_ok(lk_buf_cstr(&ddl));

	struct pg_copy_request req = { .columns = cols, .n_columns = N_SCALAR_COLUMNS,
				       .n_rows = 2, .table = "scalars" };
	struct pg_copy_encoder *enc = pg_copy_encoder_new();
	struct lk_buf tuples = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	assert_true(pg_copy_encode(enc, &req, &tuples, &err));
	copy_in("scalars", &tuples);

	for (size_t c = 0; c < N_SCALAR_COLUMNS; c++) {
		char sql[200];
		snprintf(sql, sizeof sql, "SELECT \"%s\"::text FROM scalars WHERE b", scalar_cases[c].name);
		char *got = query_text(sql);
		if (strcmp(got, scalar_cases[c].expected) != 0)
			fail_msg("column %s: got '%s', expected '%s'", scalar_cases[c].name, got,
				 scalar_cases[c].expected);
		free(got);
	}
	char *nulls = query_text("SELECT count(*)::text FROM scalars WHERE num_nulls(b, i8, i16, "
				 "i32, i64, u64, f32, f64, dec, dec38, s, bin, d, ts, ntz, u) = 16");
	assert_string_equal(nulls, "1");
	free(nulls);
	lk_buf_free(&tuples);
	lk_buf_free(&ddl);
	pg_copy_encoder_free(enc);
	lk_batch_free(b);
}

/* A LIST<INT64> column: [1, null, 3], [], null. */
static void test_list_becomes_jsonb(void **state)
{
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 3;
	struct lk_vector *list = &b->columns[0];
	list->type = LK_TYPE_LIST;
	list->length = 3;
	list->nulls = lk_batch_alloc(b, 3);
	list->nulls[2] = 1;
	list->offsets = lk_batch_alloc(b, 4 * sizeof(uint32_t));
	list->offsets[0] = 0, list->offsets[1] = 3, list->offsets[2] = 3, list->offsets[3] = 3;
	lk_vector_init_children(list, 1);
	struct lk_vector *el = &list->children[0];
	el->type = LK_TYPE_INT64;
	el->length = 3;
	el->v.i64 = lk_batch_alloc(b, 3 * sizeof(int64_t));
	el->v.i64[0] = 1, el->v.i64[2] = 3;
	el->nulls = lk_batch_alloc(b, 3);
	el->nulls[1] = 1;

	exec_ok("CREATE TABLE lists (id serial, l jsonb)");
	struct pg_copy_column col = { .vec = list, .name = "l", .type = PG_TYPE_JSONB };
	struct pg_copy_request req = { .columns = &col, .n_columns = 1, .n_rows = 3,
				       .table = "lists" };
	struct pg_copy_encoder *enc = pg_copy_encoder_new();
	struct lk_buf tuples = LK_BUF_INIT;
	assert_true(pg_copy_encode(enc, &req, &tuples, NULL));
	exec_ok("CREATE TEMP TABLE lists_in (l jsonb)");
	copy_in("lists_in", &tuples);
	char *got = query_text("SELECT string_agg(coalesce(l::text, 'NULL'), ' | ') FROM lists_in");
	assert_string_equal(got, "[1, null, 3] | [] | NULL");
	free(got);
	lk_buf_free(&tuples);
	pg_copy_encoder_free(enc);
	lk_batch_free(b);
}

/* A STRUCT<s STRING> whose string holds a NUL byte: JSONB honours the policy too. */
static void test_nul_in_nested_string_follows_policy(void **state)
{
	struct lk_batch *b = lk_batch_new(1);
	b->n_rows = 1;
	struct lk_vector *st = &b->columns[0];
	st->type = LK_TYPE_STRUCT;
	st->length = 1;
	lk_vector_init_children(st, 1);
	struct lk_vector *s = &st->children[0];
	s->type = LK_TYPE_STRING;
	s->name = strdup("s");
	s->length = 1;
	s->v.bytes = lk_batch_alloc(b, sizeof(struct lk_bytes));
	s->v.bytes[0] = (struct lk_bytes){ .ptr = (const uint8_t *)"a\0\\u0000b", .len = 9 };

	struct pg_copy_column col = { .vec = st, .name = "st", .type = PG_TYPE_JSONB };
	struct pg_copy_request req = { .columns = &col, .n_columns = 1, .n_rows = 1,
				       .table = "nested", .nul_policy = PG_NUL_FAIL };
	struct pg_copy_encoder *enc = pg_copy_encoder_new();
	struct lk_buf tuples = LK_BUF_INIT;
	struct lk_error err = LK_ERROR_INIT;
	assert_false(pg_copy_encode(enc, &req, &tuples, &err));
	assert_int_equal(err.code, LK_EBAD_CHARACTER);
	assert_int_equal(tuples.len, 0);

	exec_ok("CREATE TEMP TABLE nested (st jsonb)");
	req.nul_policy = PG_NUL_REPLACE;
	assert_true(pg_copy_encode(enc, &req, &tuples, &err));
	copy_in("nested", &tuples);
	char *got = query_text("SELECT st->>'s' FROM nested");
	/* the NUL became U+FFFD; the literal text \u0000 (escaped backslash) stays as it was */
	assert_string_equal(got, "a\xef\xbf\xbd\\u0000b");
	free(got);
	lk_buf_free(&tuples);
	pg_copy_encoder_free(enc);
	lk_batch_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_scalar_type_round_trips),
		cmocka_unit_test(test_list_becomes_jsonb),
		cmocka_unit_test(test_nul_in_nested_string_follows_policy),
	};
	return cmocka_run_group_tests_name("pg_copy_server", tests, setup, teardown);
}
