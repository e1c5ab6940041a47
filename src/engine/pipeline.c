/* engine/pipeline.c: one run of a synced table's pipeline (see pipeline.h).
 *
 * Full load: the snapshot's data files are spread over up to `connections_per_table`
 * loader threads, largest first, each with its own target connection, each file one COPY
 * BINARY into a new load table; then the primary key is built and one transaction swaps
 * the load table in and moves the cursor. A crash before the swap leaves the old table and
 * cursor untouched; the next run drops the half-filled load table and starts again.
 *
 * Incremental: the change feed from cursor + 1 to the latest version, streamed into a
 * temporary staging table; at a version boundary once enough rows are staged, the net
 * change per key is applied and the cursor moved in the same transaction. A transaction
 * always holds whole versions, so a crash leaves the target at a committed version. */
#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/model.h"
#include "catalog/catalog.h"
#include "delta/delta.h"
#include "delta/scan.h"
#include "engine/pipeline.h"
#include "engine/target.h"
#include "parquet/parquet.h"
#include "pg/pg.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/xmalloc.h"

enum {
	STATUS_INTERVAL_MS = 2000,   /* how often progress is written to the registry */
	/* Rows encoded at a time into COPY data. The server takes in what the socket holds
	 * while the next slice is encoded: a slice about the size of a local socket's send
	 * buffer (~200 KiB of a typical row) keeps it busy, where 8192 rows (1.5 MiB) left it
	 * idle a third of the time (bench/sync's staging: ~150 ms -> ~125 ms for 110k rows). */
	COPY_SLICE_ROWS = 1024,
};

struct run {
	struct pipeline_env *env;
	struct pipeline_result *result;
	struct model_table table;
	char *source_root;
	struct delta_table *source;
	struct delta_snapshot *latest;
	struct target_table plan;
	struct lk_buf target_conninfo;
	PGconn *target;
	int64_t cursor;
	int64_t run_id;
	int64_t total_rows;
	_Atomic int64_t synced_rows;
	int64_t started_ms;          /* monotonic, for the progress rate */
	int64_t last_status_ms;
};

static int64_t now_ms(void)
{
	return lk_clock_monotonic_ns() / 1000000;
}

static bool cancelled(const struct run *run)
{
	return run->env->cancel && atomic_load(run->env->cancel);
}

/* ---- status -------------------------------------------------------------------------- */

static void status_write(struct run *run)
{
	struct lk_error err = LK_ERROR_INIT;
	if (!registry_table_set_status(run->env->reg, run->table.name, &run->table.status, &err))
		lk_log(LK_LOG_WARN, "%s: cannot record status: %s", run->table.name, err.message);
	run->last_status_ms = now_ms();
}

/* An entry of the table's event log (the console's Log tab). */
static void run_event(struct run *run, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void run_event(struct run *run, const char *level, const char *fmt, ...)
{
	char message[LK_ERROR_MESSAGE_MAX + 128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(message, sizeof message, fmt, ap);
	va_end(ap);
	struct lk_error err = LK_ERROR_INIT;
	if (!registry_event_add(run->env->reg, run->table.name, level, message, &err))
		lk_log(LK_LOG_WARN, "%s: cannot record an event: %s", run->table.name, err.message);
}

static void status_set(struct run *run, enum model_state state, enum model_status_detail detail,
		       const char *message)
{
	struct model_status *s = &run->table.status;
	s->detailed_state = state;
	s->detail = detail;
	free(s->message);
	s->message = message ? xstrdup(message) : NULL;
	s->detail_timestamp_us = lk_clock_wall_us();
	status_write(run);
}

/* Progress of the current run, written at most every STATUS_INTERVAL_MS. */
static void status_progress(struct run *run, int64_t processing_version, bool force)
{
	if (!force && now_ms() - run->last_status_ms < STATUS_INTERVAL_MS)
		return;
	struct model_progress *p = &run->table.status.progress;
	int64_t synced = atomic_load(&run->synced_rows);
	p->present = true;
	p->synced_row_count = synced;
	p->total_row_count = run->total_rows > synced ? run->total_rows : synced;
	p->latest_version_currently_processing = processing_version;
	p->sync_progress_completion = p->total_row_count ? (double)synced / (double)p->total_row_count
							 : 0.0;
	/* the time left at the rate so far */
	double elapsed_s = (double)(now_ms() - run->started_ms) / 1000.0;
	p->estimated_completion_time_seconds =
		synced > 0 && elapsed_s > 0
			? (double)(p->total_row_count - synced) / ((double)synced / elapsed_s)
			: 0.0;
	status_write(run);
}

/* ---- run setup ----------------------------------------------------------------------- */

bool pipeline_target_conninfo(const struct conf *conf, const struct model_table *t,
			      struct lk_buf *out, struct lk_error *err)
{
	/* An instance may name a branch: "project/branch". */
	const char *instance = t->effective_database_instance_name;
	char *project = instance ? xstrdup(instance) : NULL;
	char *branch = project ? strchr(project, '/') : NULL;
	if (branch)
		*branch++ = '\0';
	bool ok = conf_conninfo(conf, project, branch, t->effective_logical_database_name, out,
				err);
	free(project);
	return ok;
}

static bool run_lock(struct run *run, bool lock, struct lk_error *err)
{
	const char *params[] = { run->table.name };
	PGresult *res = pg_query(registry_conn(run->env->reg),
				 lock ? "SELECT pg_try_advisory_lock(hashtextextended($1, 27499))"
				      : "SELECT pg_advisory_unlock(hashtextextended($1, 27499))",
				 1, params, err);
	if (res == NULL)
		return false;
	bool got = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
	PQclear(res);
	if (lock && !got)
		return lk_error_set(err, LK_EBUSY,
				    "synced table %s is being synced by another engine right now",
				    run->table.name);
	return true;
}

static bool run_open_source(struct run *run, struct lk_error *err)
{
	struct catalog_name source;
	if (!catalog_name_parse(run->table.spec.source_table_full_name, "source table", &source,
				err))
		return false;
	run->source_root = catalog_table_root(run->env->conf->catalog_root, &source, err);
	catalog_name_free(&source);
	if (run->source_root == NULL)
		return false;
	run->source = delta_table_open(run->source_root, err);
	if (run->source == NULL)
		return false;
	run->latest = delta_snapshot_load(run->source, -1, err);
	return run->latest != NULL;
}

static bool run_open_target(struct run *run, struct lk_error *err)
{
	if (!pipeline_target_conninfo(run->env->conf, &run->table, &run->target_conninfo, err))
		return false;
	run->target = pg_connect(lk_buf_cstr(&run->target_conninfo), "lakesync pipeline", err);
	if (run->target == NULL)
		return false;
	return pg_exec(run->target,
		       "SET synchronous_commit = on; SET statement_timeout = 0;"
		       " SET maintenance_work_mem = '256MB'; SET TIME ZONE 'UTC'",
		       err);
}

/* ---- encoding batches ------------------------------------------------------------------ */

/* Per-thread scratch for turning batches into COPY data. */
struct encoder {
	struct pg_copy_encoder *enc;
	struct lk_buf data;
	uint32_t *rows;
	size_t cap_rows;
	struct pg_copy_column *columns;
	struct lk_vector seq; /* _seq values of a change batch */
	size_t cap_seq;
};

static void encoder_init(struct encoder *e, size_t n_columns)
{
	memset(e, 0, sizeof *e);
	e->enc = pg_copy_encoder_new();
	e->columns = xcalloc(n_columns + 3, sizeof *e->columns);
	e->seq.type = LK_TYPE_INT64;
}

static void encoder_free(struct encoder *e)
{
	pg_copy_encoder_free(e->enc);
	lk_buf_free(&e->data);
	free(e->rows);
	free(e->columns);
	free(e->seq.v.i64);
}

enum change_kind { CHANGE_INSERT, CHANGE_DELETE, CHANGE_PREIMAGE, CHANGE_POSTIMAGE, CHANGE_UNKNOWN };

static const char *const change_kind_names[] = {
	[CHANGE_INSERT] = "insert",
	[CHANGE_DELETE] = "delete",
	[CHANGE_PREIMAGE] = "update_preimage",
	[CHANGE_POSTIMAGE] = "update_postimage",
};

static enum change_kind change_kind_of(const struct lk_vector *change_type, size_t row)
{
	if (lk_vector_is_null(change_type, row))
		return CHANGE_UNKNOWN;
	const struct lk_bytes *b = &change_type->v.bytes[row];
	for (int k = CHANGE_INSERT; k < CHANGE_UNKNOWN; k++)
		if (b->len == strlen(change_kind_names[k]) &&
		    memcmp(b->ptr, change_kind_names[k], b->len) == 0)
			return (enum change_kind)k;
	return CHANGE_UNKNOWN;
}

/* The hashes of the keys staged in a transaction, to know whether any key came twice.
 * Only hashes are kept: a collision reads as a repeat, which merely costs the net-change
 * step. Past KEY_SET_MAX keys it stops counting and reports a possible repeat, so memory
 * stays bounded whatever the size of a version. */
struct key_set {
	uint64_t *slots;          /* open addressing; 0 = empty */
	size_t cap, count;
	bool repeated;
};

enum { KEY_SET_MAX = 1 << 22 };

static void key_set_clear(struct key_set *s)
{
	if (s->slots)
		memset(s->slots, 0, s->cap * sizeof *s->slots);
	s->count = 0;
	s->repeated = false;
}

static void key_set_grow(struct key_set *s)
{
	size_t old_cap = s->cap;
	uint64_t *old = s->slots;
	s->cap = old_cap ? old_cap * 2 : 1024;
	s->slots = xcalloc(s->cap, sizeof *s->slots);
	s->count = 0;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i] == 0)
			continue;
		size_t at = old[i] & (s->cap - 1);
		while (s->slots[at])
			at = (at + 1) & (s->cap - 1);
		s->slots[at] = old[i];
		s->count++;
	}
	free(old);
}

static void key_set_add(struct key_set *s, uint64_t hash)
{
	if (s->repeated)
		return;
	if (s->count >= KEY_SET_MAX) {
		s->repeated = true;
		return;
	}
	if (2 * (s->count + 1) > s->cap)
		key_set_grow(s);
	hash |= hash == 0; /* 0 marks an empty slot */
	size_t at = hash & (s->cap - 1);
	while (s->slots[at]) {
		if (s->slots[at] == hash) {
			s->repeated = true;
			return;
		}
		at = (at + 1) & (s->cap - 1);
	}
	s->slots[at] = hash;
	s->count++;
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 30;
	x *= UINT64_C(0xbf58476d1ce4e5b9);
	x ^= x >> 27;
	x *= UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t bytes_hash(const struct lk_bytes *b)
{
	uint64_t h = UINT64_C(0xcbf29ce484222325); /* FNV-1a */
	for (uint32_t i = 0; i < b->len; i++)
		h = (h ^ b->ptr[i]) * UINT64_C(0x100000001b3);
	return h;
}

/* A hash of one key value, by how batch.h stores its type. */
static uint64_t value_hash(const struct lk_vector *v, size_t row)
{
	switch (v->type) {
	case LK_TYPE_BOOLEAN:
		return v->v.u8[row];
	case LK_TYPE_INT8: case LK_TYPE_INT16: case LK_TYPE_INT32: case LK_TYPE_UINT8:
	case LK_TYPE_UINT16: case LK_TYPE_DATE:
		return (uint64_t)(int64_t)v->v.i32[row];
	case LK_TYPE_FLOAT: {
		uint32_t bits;
		memcpy(&bits, &v->v.f32[row], 4);
		return bits;
	}
	case LK_TYPE_DOUBLE: {
		uint64_t bits;
		memcpy(&bits, &v->v.f64[row], 8);
		return bits;
	}
	case LK_TYPE_INT64: case LK_TYPE_UINT32: case LK_TYPE_UINT64: case LK_TYPE_TIME:
	case LK_TYPE_TIMESTAMP: case LK_TYPE_TIMESTAMP_NTZ:
		return (uint64_t)v->v.i64[row];
	case LK_TYPE_DECIMAL:
		if (v->precision <= 18)
			return (uint64_t)v->v.i64[row];
		return bytes_hash(&v->v.bytes[row]); /* wide decimals are bytes */
	default:
		return bytes_hash(&v->v.bytes[row]);
	}
}

/* What the rows of a change batch hold, for the apply to skip work it does not need. */
struct change_counts {
	int64_t inserts;
	int64_t postimages;
	int64_t unknown;          /* rows with a change type lakesync does not apply */
	size_t first_unknown_row;
	struct key_set keys;      /* the keys staged so far */
};

/* The live rows of batch whose key columns are all set; counts the others as skipped.
 * In a change batch (change_type set), update pre-images are left out (the apply ignores
 * them anyway) and the change types are counted into *counts. */
static size_t encoder_select_rows(struct encoder *e, const struct target_table *t,
				  const struct lk_batch *batch, const struct lk_vector *change_type,
				  struct change_counts *counts, int64_t *skipped)
{
	size_t live = lk_batch_live_rows(batch);
	if (e->cap_rows < live) {
		e->rows = xreallocarray(e->rows, live, sizeof *e->rows);
		e->cap_rows = live;
	}
	size_t n = 0;
	for (size_t i = 0; i < live; i++) {
		size_t row = lk_batch_live_row(batch, i);
		if (change_type) {
			enum change_kind kind = change_kind_of(change_type, row);
			if (kind == CHANGE_PREIMAGE)
				continue;
			if (kind == CHANGE_UNKNOWN && counts->unknown++ == 0)
				counts->first_unknown_row = row;
			counts->inserts += kind == CHANGE_INSERT;
			counts->postimages += kind == CHANGE_POSTIMAGE;
		}
		bool key_null = false;
		for (size_t k = 0; k < t->n_keys && !key_null; k++)
			key_null = lk_vector_is_null(e->columns[t->keys[k]].vec, row);
		if (key_null) {
			(*skipped)++;
			continue;
		}
		e->rows[n++] = (uint32_t)row;
		if (change_type && !counts->keys.repeated) {
			uint64_t h = UINT64_C(0x9e3779b97f4a7c15);
			for (size_t k = 0; k < t->n_keys; k++)
				h = mix64(h ^ value_hash(e->columns[t->keys[k]].vec, row));
			key_set_add(&counts->keys, h);
		}
	}
	return n;
}

/* Points the COPY columns at the batch's vectors, by name. */
static bool encoder_bind(struct encoder *e, const struct target_table *t,
			 const struct lk_batch *batch, bool with_changes, struct lk_error *err)
{
	for (size_t i = 0; i < t->n_columns; i++) {
		const struct lk_vector *vec = lk_batch_column(batch, t->columns[i].name);
		if (vec == NULL)
			return lk_error_set(err, LK_EINTERNAL,
					    "synced table %s: the source batch lacks column %s",
					    t->sync_name, t->columns[i].name);
		e->columns[i] = (struct pg_copy_column){ .vec = vec, .name = t->columns[i].name,
							 .type = t->columns[i].pg_type };
	}
	if (!with_changes)
		return true;
	static const char *const extra[] = { "_change_type", "_commit_version" };
	static const enum pg_type_id extra_types[] = { PG_TYPE_TEXT, PG_TYPE_BIGINT };
	for (size_t i = 0; i < 2; i++) {
		const struct lk_vector *vec = lk_batch_column(batch, extra[i]);
		if (vec == NULL)
			return lk_error_set(err, LK_EINTERNAL, "change batch lacks column %s",
					    extra[i]);
		e->columns[t->n_columns + i] = (struct pg_copy_column){
			.vec = vec, .name = extra[i], .type = extra_types[i]
		};
	}
	e->columns[t->n_columns + 2] = (struct pg_copy_column){ .vec = &e->seq, .name = "_seq",
								.type = PG_TYPE_BIGINT };
	return true;
}

/* Fills _seq for batch rows 0..n_rows-1 from *next_seq on, in row order. */
static void encoder_number_rows(struct encoder *e, size_t n_rows, int64_t *next_seq)
{
	if (e->cap_seq < n_rows) {
		e->seq.v.i64 = xreallocarray(e->seq.v.i64, n_rows, sizeof(int64_t));
		e->cap_seq = n_rows;
	}
	for (size_t i = 0; i < n_rows; i++)
		e->seq.v.i64[i] = (*next_seq)++;
	e->seq.length = n_rows;
}

/* Binds a batch and selects its rows (see encoder_select_rows); *n_rows gets their number.
 * A change batch (counts set) with a change type lakesync does not apply fails, naming it. */
static bool encoder_prepare(struct encoder *e, const struct target_table *t,
			    const struct lk_batch *batch, struct change_counts *counts,
			    size_t *n_rows, int64_t *skipped, struct lk_error *err)
{
	bool with_changes = counts != NULL;
	if (!encoder_bind(e, t, batch, with_changes, err))
		return false;
	const struct lk_vector *change_type = with_changes ? e->columns[t->n_columns].vec : NULL;
	*n_rows = encoder_select_rows(e, t, batch, change_type, counts, skipped);
	if (!with_changes || counts->unknown == 0)
		return true;
	size_t row = counts->first_unknown_row;
	bool null = lk_vector_is_null(change_type, row);
	return lk_error_set(err, LK_EUNSUPPORTED,
			    "synced table %s: version %" PRId64 " of the source has change type "
			    "'%.*s'; lakesync applies insert, delete, update_preimage and "
			    "update_postimage",
			    t->sync_name, e->columns[t->n_columns + 1].vec->v.i64[row],
			    null ? 4 : (int)change_type->v.bytes[row].len,
			    null ? "null" : (const char *)change_type->v.bytes[row].ptr);
}

/* Encodes the prepared rows and sends them into the open COPY, a slice at a time so that
 * the COPY data in memory stays small whatever the row group's size. */
static bool encoder_send(struct encoder *e, const struct target_table *t, size_t n_rows,
			 bool with_changes, PGconn *conn, struct lk_error *err)
{
	for (size_t from = 0; from < n_rows; from += COPY_SLICE_ROWS) {
		size_t n = n_rows - from < COPY_SLICE_ROWS ? n_rows - from : COPY_SLICE_ROWS;
		struct pg_copy_request req = {
			.columns = e->columns,
			.n_columns = t->n_columns + (with_changes ? 3 : 0),
			.rows = e->rows + from,
			.n_rows = n,
			.table = t->sync_name,
			.nul_policy = t->nul_policy,
			.key_columns = t->keys,
			.n_key_columns = t->n_keys,
		};
		lk_buf_reset(&e->data);
		if (!pg_copy_encode(e->enc, &req, &e->data, err) ||
		    !pg_copy_put(conn, e->data.data, e->data.len, err))
			return false;
	}
	return true;
}

/* ---- full load ------------------------------------------------------------------------- */

/* A unit of a full load: one file, or some row groups of a big one; one COPY. */
struct load_unit {
	size_t file;
	bool whole_file;
	size_t first_row_group, n_row_groups;
	int64_t bytes;              /* estimated, for the largest-first order */
};

struct loader_pool {
	struct run *run;
	struct load_unit *units;    /* largest first */
	size_t n_units;
	_Atomic size_t next;
	_Atomic bool failed;
	_Atomic int64_t skipped;
	pthread_mutex_t lock;
	pthread_cond_t done_cond;
	size_t running;
	struct lk_error err;        /* the first failure */
};

static void pool_fail(struct loader_pool *pool, const struct lk_error *err)
{
	pthread_mutex_lock(&pool->lock);
	if (!atomic_load(&pool->failed))
		pool->err = *err;
	atomic_store(&pool->failed, true);
	pthread_mutex_unlock(&pool->lock);
}

/* Loads one unit with one COPY (one implicit transaction). */
static bool load_unit(struct loader_pool *pool, struct delta_table *table, PGconn *conn,
		      struct encoder *e, const struct load_unit *unit, struct lk_error *err)
{
	struct run *run = pool->run;
	const struct target_table *t = &run->plan;
	const char **names = target_column_names(t);
	struct delta_scan *scan =
		unit->whole_file
			? delta_scan_open_file(table, run->latest, names, t->n_columns, unit->file,
					       err)
			: delta_scan_open_row_groups(table, run->latest, names, t->n_columns,
						     unit->file, unit->first_row_group,
						     unit->n_row_groups, err);
	free(names);
	if (scan == NULL)
		return false;
	struct lk_buf sql = LK_BUF_INIT;
	target_load_copy_sql(t, &sql);
	bool ok = pg_copy_start(conn, lk_buf_cstr(&sql), err);
	lk_buf_free(&sql);
	if (ok) {
		struct lk_buf header = LK_BUF_INIT;
		pg_copy_begin(&header);
		ok = pg_copy_put(conn, header.data, header.len, err);
		lk_buf_free(&header);
	}
	struct lk_batch *batch = NULL;
	while (ok && !atomic_load(&pool->failed) && !cancelled(run) &&
	       (ok = delta_scan_next(scan, &batch, err)) && batch) {
		size_t n = 0;
		int64_t skipped = 0;
		ok = encoder_prepare(e, t, batch, NULL, &n, &skipped, err) &&
		     encoder_send(e, t, n, false, conn, err);
		atomic_fetch_add(&pool->skipped, skipped);
		atomic_fetch_add(&run->synced_rows, (int64_t)n);
		lk_batch_free(batch);
		batch = NULL;
	}
	delta_scan_close(scan);
	if (ok && (atomic_load(&pool->failed) || cancelled(run)))
		ok = lk_error_set(err, LK_ECANCELED, "load cancelled");
	if (!ok) {
		pg_copy_abort(conn, "lakesync: load failed");
		return false;
	}
	struct lk_buf trailer = LK_BUF_INIT;
	pg_copy_end(&trailer);
	ok = pg_copy_put(conn, trailer.data, trailer.len, err) && pg_copy_finish(conn, err);
	lk_buf_free(&trailer);
	return ok;
}

/* A session reports its row counts to the statistics system lazily, at the latest when it
 * exits, which may be after the load table's ANALYZE on the main connection; the counts
 * would then be added twice (n_live_tup, which the console shows). PostgreSQL 15 can be
 * told to flush now: it does so before answering the next statement. */
static void loader_flush_stats(PGconn *conn)
{
	if (conn == NULL || PQstatus(conn) != CONNECTION_OK || PQserverVersion(conn) < 150000)
		return;
	PQclear(PQexec(conn, "SELECT pg_stat_force_next_flush()"));
	PQclear(PQexec(conn, "SELECT 1"));
}

static void *loader_main(void *arg)
{
	struct loader_pool *pool = arg;
	struct run *run = pool->run;
	struct lk_error err = LK_ERROR_INIT;
	struct encoder e;
	encoder_init(&e, run->plan.n_columns);
	PGconn *conn = pg_connect(lk_buf_cstr(&run->target_conninfo), "lakesync loader", &err);
	struct delta_table *table = conn ? delta_table_open(run->source_root, &err) : NULL;
	bool ok = table != NULL &&
		  pg_exec(conn, "SET synchronous_commit = off; SET TIME ZONE 'UTC'", &err);
	while (ok && !atomic_load(&pool->failed)) {
		size_t i = atomic_fetch_add(&pool->next, 1);
		if (i >= pool->n_units)
			break;
		const struct load_unit *unit = &pool->units[i];
		ok = load_unit(pool, table, conn, &e, unit, &err);
		if (!ok && unit->whole_file)
			lk_error_prefix(&err, "file %s", run->latest->files[unit->file].path);
		else if (!ok)
			lk_error_prefix(&err, "file %s, row groups %zu..%zu",
					run->latest->files[unit->file].path, unit->first_row_group,
					unit->first_row_group + unit->n_row_groups - 1);
	}
	if (!ok)
		pool_fail(pool, &err);
	loader_flush_stats(conn);
	if (table)
		delta_table_free(table);
	PQfinish(conn);
	encoder_free(&e);
	pthread_mutex_lock(&pool->lock);
	pool->running--;
	pthread_cond_signal(&pool->done_cond);
	pthread_mutex_unlock(&pool->lock);
	return NULL;
}

static int compare_unit_size_desc(const void *a, const void *b)
{
	int64_t sa = ((const struct load_unit *)a)->bytes;
	int64_t sb = ((const struct load_unit *)b)->bytes;
	return (sa < sb) - (sa > sb);
}

/* The row groups of a data file, read from its footer; 0 when it cannot be read now (the
 * loader that reads the whole file will then report why). */
static size_t file_row_groups(struct run *run, const struct delta_file *file)
{
	struct lk_error err = LK_ERROR_INIT;
	char *path = delta_table_resolve_path(run->source, file->path, &err);
	struct pq_file *pq = path ? pq_file_open(path, &err) : NULL;
	size_t n = pq ? pq_file_num_row_groups(pq) : 0;
	pq_file_close(pq);
	free(path);
	return n;
}

/* Cuts the snapshot into load units: whole files, and files bigger than
 * engine.split_file_bytes one row group per unit, so that one big file does not leave the
 * other connections idle. Sorted largest first. */
static struct load_unit *plan_units(struct run *run, size_t *n_units)
{
	const struct delta_snapshot *snap = run->latest;
	size_t cap = snap->n_files ? snap->n_files : 1, n = 0;
	struct load_unit *units = xcalloc(cap, sizeof *units);
	for (size_t i = 0; i < snap->n_files; i++) {
		const struct delta_file *f = &snap->files[i];
		size_t groups = f->size > run->env->conf->engine.split_file_bytes
					? file_row_groups(run, f)
					: 0;
		if (groups < 2) {
			if (n == cap)
				units = xreallocarray(units, cap *= 2, sizeof *units);
			units[n++] = (struct load_unit){ .file = i, .whole_file = true, .bytes = f->size };
			continue;
		}
		for (size_t g = 0; g < groups; g++) {
			if (n == cap)
				units = xreallocarray(units, cap *= 2, sizeof *units);
			units[n++] = (struct load_unit){ .file = i, .first_row_group = g,
							 .n_row_groups = 1,
							 .bytes = f->size / (int64_t)groups };
		}
	}
	qsort(units, n, sizeof *units, compare_unit_size_desc);
	*n_units = n;
	return units;
}

/* Waits for the loaders, writing progress meanwhile. */
static void pool_wait(struct loader_pool *pool)
{
	pthread_mutex_lock(&pool->lock);
	while (pool->running > 0) {
		struct timespec until;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += 1;
		pthread_cond_timedwait(&pool->done_cond, &pool->lock, &until);
		pthread_mutex_unlock(&pool->lock);
		status_progress(pool->run, pool->run->latest->version, false);
		pthread_mutex_lock(&pool->lock);
	}
	pthread_mutex_unlock(&pool->lock);
}

static bool load_files_parallel(struct run *run, int64_t *skipped, struct lk_error *err)
{
	const struct delta_snapshot *snap = run->latest;
	struct loader_pool pool = { .run = run };
	pthread_mutex_init(&pool.lock, NULL);
	pthread_cond_init(&pool.done_cond, NULL);
	for (size_t i = 0; i < snap->n_files; i++) {
		int64_t rows = delta_file_live_rows(&snap->files[i]); /* -1: no stats */
		run->total_rows += rows > 0 ? rows : 0;
	}
	pool.units = plan_units(run, &pool.n_units);

	size_t n_threads = (size_t)run->env->conf->engine.connections_per_table;
	if (n_threads > pool.n_units)
		n_threads = pool.n_units;
	pthread_t *threads = xcalloc(n_threads ? n_threads : 1, sizeof *threads);
	size_t started = 0;
	for (; started < n_threads; started++) {
		pthread_mutex_lock(&pool.lock);
		pool.running++;
		pthread_mutex_unlock(&pool.lock);
		if (pthread_create(&threads[started], NULL, loader_main, &pool) != 0) {
			pthread_mutex_lock(&pool.lock);
			pool.running--;
			pthread_mutex_unlock(&pool.lock);
			break;
		}
	}
	if (started == 0 && pool.n_units > 0) {
		struct lk_error e = LK_ERROR_INIT;
		lk_error_set(&e, LK_EINTERNAL, "cannot start loader threads");
		pool_fail(&pool, &e);
	}
	pool_wait(&pool);
	for (size_t i = 0; i < started; i++)
		pthread_join(threads[i], NULL);
	free(threads);
	free(pool.units);
	*skipped = atomic_load(&pool.skipped);
	bool ok = !atomic_load(&pool.failed);
	if (!ok && err)
		*err = pool.err;
	pthread_mutex_destroy(&pool.lock);
	pthread_cond_destroy(&pool.done_cond);
	return ok;
}

static bool run_full_load(struct run *run, struct lk_error *err)
{
	struct pipeline_result *res = run->result;
	const struct target_table *t = &run->plan;
	res->full_load = true;
	res->to_version = run->latest->version;
	bool create_schema = run->table.spec.create_database_objects_if_missing != 0;
	if (!target_prepare(run->target, t, create_schema, err) ||
	    !target_load_create(run->target, t, err))
		return false;
	bool ok = load_files_parallel(run, &res->rows_skipped, err) &&
		  target_load_finish(run->target, t, err) &&
		  target_swap(run->target, t, run->latest->version,
			      run->latest->commit_timestamp * 1000, err);
	if (!ok) {
		struct lk_error ignored = LK_ERROR_INIT;
		target_load_drop(run->target, t, &ignored);
		return false;
	}
	res->rows_inserted = atomic_load(&run->synced_rows);
	return true;
}

/* ---- incremental ------------------------------------------------------------------------ */

struct apply_state {
	bool txn_open;
	struct change_counts counts; /* of the open transaction */
	int64_t version;           /* the newest version staged in the open transaction */
	int64_t commit_ts_us;
	int64_t rows_staged;
	int64_t next_seq;
};

static bool apply_begin(struct run *run, struct apply_state *st, struct lk_error *err)
{
	struct lk_buf sql = LK_BUF_INIT;
	size_t added;
	bool ok = pg_exec(run->target, "BEGIN", err) &&
		  target_add_missing_columns(run->target, &run->plan, &added, err) &&
		  target_stage_create(run->target, &run->plan, err);
	if (ok && added)
		lk_log(LK_LOG_INFO, "%s: added %zu new source column(s) to the target",
		       run->table.name, added);
	if (ok) {
		target_stage_copy_sql(&run->plan, &sql);
		ok = pg_copy_start(run->target, lk_buf_cstr(&sql), err);
	}
	if (ok) {
		lk_buf_reset(&sql);
		pg_copy_begin(&sql);
		ok = pg_copy_put(run->target, sql.data, sql.len, err);
	}
	lk_buf_free(&sql);
	st->txn_open = ok;
	st->rows_staged = 0;
	st->counts.inserts = st->counts.postimages = st->counts.unknown = 0;
	key_set_clear(&st->counts.keys);
	return ok;
}

static bool apply_commit(struct run *run, struct apply_state *st, struct lk_error *err)
{
	lk_log(LK_LOG_DEBUG, "%s: %lld rows staged at %lld ms", run->table.name,
	       (long long)st->rows_staged, (long long)(now_ms() - run->started_ms));
	struct lk_buf trailer = LK_BUF_INIT;
	pg_copy_end(&trailer);
	struct target_apply_counts counts;
	bool ok = pg_copy_put(run->target, trailer.data, trailer.len, err) &&
		  pg_copy_finish(run->target, err) &&
		  target_stage_apply(run->target, &run->plan, st->version, st->commit_ts_us,
				     &(struct target_stage_facts){
					     .inserts = st->counts.inserts,
					     .postimages = st->counts.postimages,
					     .keys_unique = !st->counts.keys.repeated },
				     &counts, err) &&
		  pg_exec(run->target, "COMMIT", err);
	lk_buf_free(&trailer);
	st->txn_open = false;
	if (!ok) {
		PQclear(PQexec(run->target, "ROLLBACK"));
		return false;
	}
	run->result->rows_inserted += counts.inserted;
	run->result->rows_updated += counts.updated;
	run->result->rows_deleted += counts.deleted;
	run->cursor = st->version;
	return true;
}

static void apply_abort(struct run *run, struct apply_state *st)
{
	if (!st->txn_open)
		return;
	pg_copy_abort(run->target, "lakesync: apply failed");
	PQclear(PQexec(run->target, "ROLLBACK"));
	st->txn_open = false;
}

/* Ends an open transaction that staged nothing (the feed had no change for it): the COPY
 * ends cleanly, so that the server logs no error, and the transaction rolls back. */
static bool apply_discard(struct run *run, struct apply_state *st, struct lk_error *err)
{
	struct lk_buf trailer = LK_BUF_INIT;
	pg_copy_end(&trailer);
	bool ok = pg_copy_put(run->target, trailer.data, trailer.len, err) &&
		  pg_copy_finish(run->target, err) && pg_exec(run->target, "ROLLBACK", err);
	lk_buf_free(&trailer);
	st->txn_open = !ok;
	return ok;
}

/* The version (and its commit time) of a change batch; all its rows share them. */
static bool batch_version(const struct lk_batch *b, int64_t *version, int64_t *commit_ts_us)
{
	const struct lk_vector *v = lk_batch_column(b, "_commit_version");
	const struct lk_vector *ts = lk_batch_column(b, "_commit_timestamp");
	if (v == NULL || b->n_rows == 0)
		return false;
	*version = v->v.i64[0];
	*commit_ts_us = ts && !lk_vector_is_null(ts, 0) ? ts->v.i64[0] : 0;
	return true;
}

/* Moves the cursor over trailing versions that changed nothing (OPTIMIZE, metadata). */
static bool apply_advance_cursor(struct run *run, struct lk_error *err)
{
	if (run->cursor >= run->latest->version)
		return true;
	bool ok = pg_exec(run->target, "BEGIN", err) &&
		  registry_cursor_set(run->target, run->table.name, run->plan.pipeline_id,
				      run->latest->version,
				      run->latest->commit_timestamp * 1000, err) &&
		  pg_exec(run->target, "COMMIT", err);
	if (!ok)
		PQclear(PQexec(run->target, "ROLLBACK"));
	else
		run->cursor = run->latest->version;
	return ok;
}

/* Reads the change feed one step ahead in a thread of its own, so that decoding the next
 * row group overlaps with encoding and with the server taking in the COPY data (on two
 * cores the staging phase of bench/sync's incremental run went from ~260 ms to less).
 * At most PREFETCH_DEPTH batches wait, so memory stays a few row groups. */
enum { PREFETCH_DEPTH = 2 };

struct prefetch {
	struct delta_changes *changes; /* used by the reader thread only, once started */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct lk_batch *queue[PREFETCH_DEPTH];
	size_t head, count;
	bool done;                     /* the reader reached the end or failed */
	bool failed;
	struct lk_error err;
	bool stop;                     /* the consumer gave up: the reader ends */
};

static void *prefetch_main(void *arg)
{
	struct prefetch *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->count == PREFETCH_DEPTH && !p->stop)
			pthread_cond_wait(&p->cond, &p->lock);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->lock);
		if (stop)
			break;
		struct lk_batch *batch = NULL;
		struct lk_error err = LK_ERROR_INIT;
		bool ok = delta_changes_next(p->changes, &batch, &err);
		pthread_mutex_lock(&p->lock);
		if (!ok || batch == NULL) {
			p->done = true;
			p->failed = !ok;
			p->err = err;
		} else {
			p->queue[(p->head + p->count++) % PREFETCH_DEPTH] = batch;
		}
		bool finished = p->done;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
		if (finished)
			break;
	}
	return NULL;
}

static bool prefetch_start(struct prefetch *p, struct delta_changes *changes, struct lk_error *err)
{
	memset(p, 0, sizeof *p);
	p->changes = changes;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (pthread_create(&p->thread, NULL, prefetch_main, p) == 0)
		return true;
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	return lk_error_set(err, LK_EINTERNAL, "cannot start the change feed reader thread");
}

/* The next batch (NULL at the end), as delta_changes_next would give it. */
static bool prefetch_next(struct prefetch *p, struct lk_batch **out, struct lk_error *err)
{
	pthread_mutex_lock(&p->lock);
	while (p->count == 0 && !p->done)
		pthread_cond_wait(&p->cond, &p->lock);
	bool ok = true;
	*out = NULL;
	if (p->count > 0) {
		*out = p->queue[p->head];
		p->head = (p->head + 1) % PREFETCH_DEPTH;
		p->count--;
		pthread_cond_broadcast(&p->cond);
	} else if (p->failed) {
		ok = false;
		if (err)
			*err = p->err;
	}
	pthread_mutex_unlock(&p->lock);
	return ok;
}

static void prefetch_stop(struct prefetch *p)
{
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	pthread_join(p->thread, NULL);
	while (p->count > 0) {
		lk_batch_free(p->queue[p->head]);
		p->head = (p->head + 1) % PREFETCH_DEPTH;
		p->count--;
	}
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
}

static bool run_incremental(struct run *run, struct delta_changes *changes, struct lk_error *err)
{
	struct pipeline_result *res = run->result;
	struct encoder e;
	encoder_init(&e, run->plan.n_columns);
	struct apply_state st = { .version = -1 };
	lk_log(LK_LOG_DEBUG, "%s: change feed opened at %lld ms", run->table.name,
	       (long long)(now_ms() - run->started_ms));
	int64_t batch_rows = run->env->conf->engine.batch_rows;
	struct lk_batch *batch = NULL;
	struct prefetch feed;
	if (!prefetch_start(&feed, changes, err)) {
		encoder_free(&e);
		return false;
	}
	/* The first transaction opens while the reader decodes the first batch: its statements
	 * (column check, stage, COPY start) overlap with the decoding. */
	bool ok = apply_begin(run, &st, err);
	while (ok && !cancelled(run) && (ok = prefetch_next(&feed, &batch, err)) && batch) {
		int64_t version, commit_ts;
		if (!batch_version(batch, &version, &commit_ts)) {
			lk_batch_free(batch);
			continue;
		}
		if (st.txn_open && version != st.version && st.rows_staged >= batch_rows)
			ok = apply_commit(run, &st, err);
		if (ok && !st.txn_open)
			ok = apply_begin(run, &st, err);
		size_t n = 0;
		if (ok) {
			encoder_number_rows(&e, batch->n_rows, &st.next_seq);
			ok = encoder_prepare(&e, &run->plan, batch, &st.counts, &n, &res->rows_skipped,
					     err) &&
			     encoder_send(&e, &run->plan, n, true, run->target, err);
		}
		st.version = version;
		st.commit_ts_us = commit_ts;
		st.rows_staged += (int64_t)n;
		atomic_fetch_add(&run->synced_rows, (int64_t)n);
		lk_batch_free(batch);
		batch = NULL;
		status_progress(run, version, false);
	}
	prefetch_stop(&feed);
	if (ok && cancelled(run))
		ok = lk_error_set(err, LK_ECANCELED, "cancelled");
	if (ok && st.txn_open && st.version < 0)
		ok = apply_discard(run, &st, err); /* no change came: nothing to apply */
	if (ok && st.txn_open)
		ok = apply_commit(run, &st, err);
	if (!ok)
		apply_abort(run, &st);
	encoder_free(&e);
	free(st.counts.keys.slots);
	return ok && apply_advance_cursor(run, err);
}

/* ---- the run ---------------------------------------------------------------------------- */

static bool is_truncation_or_cdf_off(const struct lk_error *err)
{
	return err->code == LK_ELOG_TRUNCATED || err->code == LK_ECDF_DISABLED;
}

/* The schema the target was loaded with (the source's at the cursor) against the latest:
 * only new nullable columns appended can be applied incrementally. */
static bool run_check_schema(struct run *run, struct lk_error *err)
{
	struct delta_snapshot *at_cursor = delta_snapshot_load(run->source, run->cursor, err);
	if (at_cursor == NULL)
		return false;
	struct lk_buf what = LK_BUF_INIT;
	enum delta_schema_change change =
		delta_schema_compare(at_cursor->schema, run->latest->schema, &what);
	bool ok = change == DELTA_SCHEMA_IDENTICAL || change == DELTA_SCHEMA_ADDITIVE;
	if (!ok)
		lk_error_set(err, LK_ESCHEMA_CHANGE,
			     "synced table %s: the source schema changed between versions %" PRId64
			     " and %" PRId64 " in a way that is not additive (%s)",
			     run->table.name, run->cursor, run->latest->version, lk_buf_cstr(&what));
	lk_buf_free(&what);
	delta_snapshot_free(at_cursor);
	return ok;
}

/* Decides full or incremental and does it. */
static bool run_sync(struct run *run, bool full_refresh, struct lk_error *err)
{
	struct pipeline_result *res = run->result;
	res->from_version = run->cursor;
	res->to_version = run->latest->version;
	bool snapshot_mode = run->table.spec.scheduling_policy == MODEL_POLICY_SNAPSHOT;
	if (full_refresh || snapshot_mode || run->cursor < 0)
		return run_full_load(run, err);
	if (run->cursor >= run->latest->version) {
		res->nothing_to_do = true;
		snprintf(res->message, sizeof res->message, "already at version %" PRId64,
			 run->cursor);
		return true;
	}
	const char **names = target_column_names(&run->plan);
	struct delta_changes *changes = NULL;
	if (run_check_schema(run, err))
		changes = delta_changes_open(run->source, run->cursor + 1, run->latest->version,
					     names, run->plan.n_columns, err);
	free(names);
	if (changes == NULL && is_truncation_or_cdf_off(err) &&
	    run->env->conf->engine.auto_full_refresh) {
		snprintf(res->message, sizeof res->message, "full refresh: %s", err->message);
		lk_log(LK_LOG_WARN, "%s: %s", run->table.name, res->message);
		lk_error_clear(err);
		return run_full_load(run, err);
	}
	if (changes == NULL) {
		if (err->code == LK_ESCHEMA_CHANGE)
			lk_error_prefix(err, "COLUMN_TYPE_CHANGE_NOT_SUPPORTED (a full refresh "
					     "reloads the table with the new schema)");
		return false;
	}
	/* Encoding drops update pre-images anyway; row groups of nothing else need not be read. */
	delta_changes_skip_preimages(changes);
	/* The apply waits on the reader for the first batch while a core idles: two threads
	 * decode each batch's columns (bench/sync: the first COPY byte ~12 ms sooner). */
	delta_changes_set_decode_threads(changes, 2);
	bool ok = run_incremental(run, changes, err);
	delta_changes_close(changes);
	return ok;
}

static void run_free(struct run *run)
{
	target_table_free(&run->plan);
	if (run->latest)
		delta_snapshot_free(run->latest);
	if (run->source)
		delta_table_free(run->source);
	free(run->source_root);
	PQfinish(run->target);
	lk_buf_free(&run->target_conninfo);
	model_table_free(&run->table);
}

/* The state a table serves in while (running) or after (done) a run of its mode. */
static enum model_state state_online(const struct run *run, bool running)
{
	switch (run->table.spec.scheduling_policy) {
	case MODEL_POLICY_CONTINUOUS:
		return MODEL_STATE_ONLINE_CONTINUOUS_UPDATE;
	case MODEL_POLICY_TRIGGERED:
		return running ? MODEL_STATE_ONLINE_TRIGGERED_UPDATE
			       : MODEL_STATE_ONLINE_NO_PENDING_UPDATE;
	default:
		return running ? MODEL_STATE_ONLINE_UPDATING_PIPELINE_RESOURCES
			       : MODEL_STATE_ONLINE_NO_PENDING_UPDATE;
	}
}

static enum model_status_detail detail_of(const struct run *run)
{
	return run->table.spec.scheduling_policy == MODEL_POLICY_CONTINUOUS
		       ? MODEL_DETAIL_CONTINUOUS
		       : MODEL_DETAIL_TRIGGERED;
}

static void run_record_success(struct run *run, int64_t started_us)
{
	struct model_status *s = &run->table.status;
	s->has_last_sync = true;
	s->sync_start_us = started_us;
	s->sync_end_us = lk_clock_wall_us();
	s->delta_commit_version = run->latest->version;
	s->delta_commit_timestamp_us = run->latest->commit_timestamp * 1000;
	s->last_processed_commit_version = run->latest->version;
	s->progress.present = false;
	status_set(run, state_online(run, false), detail_of(run),
		   run->result->message[0] ? run->result->message : NULL);
}

static void run_record_failure(struct run *run, const struct lk_error *err)
{
	char message[LK_ERROR_MESSAGE_MAX + 64];
	snprintf(message, sizeof message, "%s: %s", lk_errcode_name(err->code), err->message);
	run->table.status.progress.present = false;
	status_set(run, run->cursor >= 0 ? MODEL_STATE_ONLINE_PIPELINE_FAILED
					 : MODEL_STATE_OFFLINE_FAILED,
		   MODEL_DETAIL_FAILED, message);
}

bool pipeline_run(struct pipeline_env *env, const char *name, bool full_refresh,
		  struct pipeline_result *result, struct lk_error *err)
{
	memset(result, 0, sizeof *result);
	result->from_version = result->to_version = -1;
	struct run run = { .env = env, .result = result, .cursor = -1, .started_ms = now_ms() };
	model_table_init(&run.table);
	if (!registry_table_get(env->reg, name, &run.table, err))
		return false;
	if (!run_lock(&run, true, err)) {
		model_table_free(&run.table);
		return false;
	}
	int64_t started_us = lk_clock_wall_us();
	bool ok = run_open_source(&run, err) &&
		  target_plan(name, run.table.status.pipeline_id, run.latest->schema, &run.table.spec,
			      &run.plan, err) &&
		  run_open_target(&run, err) &&
		  registry_cursor_prepare(run.target, err) &&
		  registry_cursor_get(run.target, name, run.plan.pipeline_id, &run.cursor, err);
	lk_log(LK_LOG_DEBUG, "%s: run set up in %lld ms", name,
	       (long long)(now_ms() - run.started_ms));
	bool first = run.cursor < 0;
	enum registry_run_kind kind = full_refresh || first ||
						      run.table.spec.scheduling_policy ==
							      MODEL_POLICY_SNAPSHOT
					      ? REGISTRY_RUN_FULL
					      : REGISTRY_RUN_INCREMENTAL;
	struct lk_error run_err = LK_ERROR_INIT;
	if (!registry_run_begin(env->reg, name, kind, run.cursor, env->engine_id, &run.run_id,
				&run_err))
		lk_log(LK_LOG_WARN, "%s: cannot record the run: %s", name, run_err.message);
	if (ok) {
		status_set(&run, first ? MODEL_STATE_PROVISIONING_INITIAL_SNAPSHOT
				       : state_online(&run, true),
			   first ? MODEL_DETAIL_PROVISIONING : detail_of(&run), NULL);
		run_event(&run, "info", "%s run started by %s (target at version %" PRId64
			  ", source at %" PRId64 ")",
			  kind == REGISTRY_RUN_FULL ? "full" : "incremental", env->engine_id,
			  run.cursor, run.latest->version);
		ok = run_sync(&run, full_refresh, err);
	}
	if (ok) {
		run_record_success(&run, started_us);
		run_event(&run, "info", "synced to version %" PRId64 ": %" PRId64 " inserted, %" PRId64
			  " updated, %" PRId64 " deleted, %" PRId64 " skipped (null key)%s%s",
			  run.latest->version, result->rows_inserted, result->rows_updated,
			  result->rows_deleted, result->rows_skipped, result->message[0] ? "; " : "",
			  result->message);
	} else {
		run_record_failure(&run, err);
		run_event(&run, "error", "%s: %s", lk_errcode_name(err->code), err->message);
	}

	struct registry_run record = {
		.kind = result->full_load ? REGISTRY_RUN_FULL : kind,
		.to_version = ok ? run.latest->version : -1,
		.rows_inserted = result->rows_inserted,
		.rows_updated = result->rows_updated,
		.rows_deleted = result->rows_deleted,
		.rows_skipped = result->rows_skipped,
		.outcome = ok ? REGISTRY_RUN_SUCCEEDED
			 : err->code == LK_ECANCELED ? REGISTRY_RUN_CANCELLED
						     : REGISTRY_RUN_FAILED,
		.message = ok ? (result->message[0] ? result->message : NULL) : err->message,
	};
	if (run.run_id && !registry_run_end(env->reg, run.run_id, &record, &run_err))
		lk_log(LK_LOG_WARN, "%s: cannot record the run's end: %s", name, run_err.message);
	if (result->rows_skipped)
		lk_log(LK_LOG_INFO, "%s: %" PRId64 " row(s) with a null primary key left out", name,
		       result->rows_skipped);
	run_lock(&run, false, &run_err);
	run_free(&run);
	return ok;
}
