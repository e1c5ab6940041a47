/* demo/demo.c: writes the sample lakehouse (demo_init) and commits the changes of the demo
 * stream (demo_stream_step). One change to one table is one commit: new rows in a new file
 * (with `insert` change rows), and a copy-on-write rewrite of one live file in which some
 * rows are updated and some deleted (with update_preimage / update_postimage / delete change
 * rows), as Databricks writes a MERGE. */
#include "config.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "delta/scan.h"
#include "delta/writer.h"
#include "demo/demo.h"
#include "demo/tables.h"
#include "util/xmalloc.h"

#define DEMO_CHECKPOINT_INTERVAL 10
#define DEMO_SCHEMA_CHANGE_STEP 6
#define DEMO_SCHEMA_CHANGE_ROWS 25

/* ---- files and directories -------------------------------------------------------------- */

static bool mkdir_p(const char *path, struct lk_error *err)
{
	char *copy = xstrdup(path);
	for (char *p = copy + 1;; p++) {
		char saved = *p;
		if (saved != '/' && saved != '\0')
			continue;
		*p = '\0';
		if (mkdir(copy, 0777) != 0 && errno != EEXIST) {
			lk_error_set_errno(err, LK_EIO, errno, "cannot create directory %s", copy);
			free(copy);
			return false;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	free(copy);
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return lk_error_set(err, LK_EIO, "%s is not a directory", path);
	return true;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static bool remove_tree(const char *path, struct lk_error *err)
{
	if (nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		return lk_error_set_errno(err, LK_EIO, errno, "cannot remove %s", path);
	return true;
}

static char *table_root(const char *dir, const struct demo_table *t)
{
	return xasprintf("%s/%s", dir, t->info.path);
}

static bool holds_delta_table(const char *root)
{
	char *log = xasprintf("%s/_delta_log", root);
	struct stat st;
	bool found = stat(log, &st) == 0;
	free(log);
	return found;
}

/* ---- one change ------------------------------------------------------------------------- */

struct file_survey {
	size_t index; /* in the snapshot */
	const char *path;
	int64_t min_key;
	size_t rows;
};

static int survey_cmp(const void *a, const void *b)
{
	const struct file_survey *x = a, *y = b;
	if (x->min_key != y->min_key)
		return x->min_key < y->min_key ? -1 : 1;
	if (x->rows != y->rows)
		return x->rows < y->rows ? -1 : 1;
	return strcmp(x->path, y->path);
}

/* What a change works on: the table at the writer's version. */
struct step_ctx {
	const struct demo_table *t;
	struct delta_writer *w;
	struct delta_table *table;
	struct delta_snapshot *snap;
	const struct delta_type *schema; /* of the rows this change writes */
	const char **columns;            /* the non-partition columns */
	size_t n_columns;
	struct file_survey *files;       /* ordered by first key, then size */
	size_t n_files;
	int64_t max_key;
	uint64_t *rng;
	int64_t now_us;
	struct demo_step_result *result;
};

static int64_t key_value(const struct lk_vector *v, size_t row)
{
	return v->type == LK_TYPE_DATE || v->type == LK_TYPE_INT32 ? v->v.i32[row] : v->v.i64[row];
}

/* The first key column of every live file: its smallest value and the row count, for an
 * order of the files that does not depend on their (random) names; and the largest key. */
static bool survey_files(struct step_ctx *s, struct lk_error *err)
{
	char key[64];
	size_t len = strcspn(s->t->info.keys, ",");
	snprintf(key, sizeof key, "%.*s", (int)len, s->t->info.keys);
	const char *columns[] = { key };
	s->n_files = s->snap->n_files;
	s->files = xcalloc(s->n_files ? s->n_files : 1, sizeof *s->files);
	s->max_key = 0;
	for (size_t i = 0; i < s->n_files; i++) {
		struct file_survey *f = &s->files[i];
		*f = (struct file_survey){ .index = i, .path = s->snap->files[i].path,
					   .min_key = INT64_MAX };
		struct delta_scan *scan = delta_scan_open_file(s->table, s->snap, columns, 1, i, err);
		if (scan == NULL)
			return false;
		struct lk_batch *b;
		bool ok;
		while ((ok = delta_scan_next(scan, &b, err)) && b) {
			for (size_t r = 0; r < lk_batch_live_rows(b); r++) {
				int64_t k = key_value(&b->columns[0], lk_batch_live_row(b, r));
				f->min_key = k < f->min_key ? k : f->min_key;
				s->max_key = k > s->max_key ? k : s->max_key;
				f->rows++;
			}
			lk_batch_free(b);
		}
		delta_scan_close(scan);
		if (!ok)
			return false;
	}
	qsort(s->files, s->n_files, sizeof *s->files, survey_cmp);
	return true;
}

/* The keys of the rows this change inserts; *partition gets their date for daily_revenue. */
static int64_t *insert_keys(struct step_ctx *s, size_t *n, char *partition, size_t size)
{
	const struct demo_table *t = s->t;
	int64_t *keys;
	switch (t->key_policy) {
	case DEMO_KEYS_NEXT_DAY: {
		int64_t day = s->max_key ? s->max_key + 1 : DEMO_REFERENCE_US / DEMO_DAY_US;
		*n = DEMO_REGIONS;
		keys = xcalloc(*n, sizeof *keys);
		for (size_t r = 0; r < *n; r++)
			keys[r] = day * DEMO_REGION_SLOTS + (int64_t)r;
		demo_format_date(day, partition, size);
		return keys;
	}
	case DEMO_KEYS_CUSTOMER_SCORES: {
		*n = (size_t)demo_rand_range(s->rng, t->inserts.min, t->inserts.max);
		keys = xcalloc(*n ? *n : 1, sizeof *keys);
		int64_t start = demo_rand_range(s->rng, 0, DEMO_CUSTOMERS - 1);
		for (size_t i = 0; i < *n; i++) /* 37 is prime to DEMO_CUSTOMERS: distinct ids */
			keys[i] = (start + (int64_t)i * 37) % DEMO_CUSTOMERS + 1;
		return keys;
	}
	case DEMO_KEYS_NEXT_ID:
	default:
		*n = s->result->added_column ? DEMO_SCHEMA_CHANGE_ROWS
					     : (size_t)demo_rand_range(s->rng, t->inserts.min,
								       t->inserts.max);
		keys = xcalloc(*n ? *n : 1, sizeof *keys);
		for (size_t i = 0; i < *n; i++)
			keys[i] = s->max_key + 1 + (int64_t)i;
		return keys;
	}
}

static const char *const *repeat(const char *value, size_t n, const char ***out)
{
	*out = xcalloc(n ? n : 1, sizeof **out);
	for (size_t i = 0; i < n; i++)
		(*out)[i] = value;
	return *out;
}

/* Adds new rows (and their `insert` change rows when the Change Data Feed is on). */
static bool step_insert(struct step_ctx *s, struct delta_commit *c, struct lk_error *err)
{
	char date[16] = "";
	size_t n;
	int64_t *keys = insert_keys(s, &n, date, sizeof date);
	bool ok = true;
	if (n > 0) {
		struct lk_batch *rows = demo_rows(s->t, s->schema, keys, n, s->now_us);
		const char *partition[] = { date };
		const char *const *values = s->t->partition_column ? partition : NULL;
		ok = delta_commit_add(c, rows, values, NULL, err);
		if (ok && delta_writer_cdf_enabled(s->w)) {
			struct demo_row_ref *refs = xcalloc(n, sizeof *refs);
			for (size_t i = 0; i < n; i++)
				refs[i] = (struct demo_row_ref){ .source = 0, .row = (uint32_t)i };
			const struct lk_batch *sources[] = { rows };
			struct lk_batch *changes = demo_take(sources, refs, n, 1);
			const char **types;
			demo_fill_string(changes, rows->n_columns, DELTA_CHANGE_TYPE_COLUMN,
					 repeat("insert", n, &types));
			ok = delta_commit_add_cdc(c, changes, values, err);
			free(types);
			free(refs);
			lk_batch_free(changes);
		}
		lk_batch_free(rows);
	}
	free(keys);
	s->result->inserted = ok ? n : 0;
	return ok;
}

enum row_fate { ROW_KEPT, ROW_UPDATED, ROW_DELETED };

/* The rows of one live file, as batches. */
struct file_rows {
	struct lk_batch **batches;
	size_t n_batches;
	struct demo_row_ref *refs; /* every live row */
	size_t n_rows;
};

static void file_rows_free(struct file_rows *f)
{
	for (size_t i = 0; i < f->n_batches; i++)
		lk_batch_free(f->batches[i]);
	free(f->batches);
	free(f->refs);
}

static bool file_rows_read(struct step_ctx *s, size_t index, struct file_rows *out,
			   struct lk_error *err)
{
	*out = (struct file_rows){ 0 };
	struct delta_scan *scan = delta_scan_open_file(s->table, s->snap, s->columns, s->n_columns,
						       index, err);
	if (scan == NULL)
		return false;
	struct lk_batch *b;
	bool ok;
	while ((ok = delta_scan_next(scan, &b, err)) && b) {
		out->batches = xreallocarray(out->batches, out->n_batches + 1, sizeof *out->batches);
		out->batches[out->n_batches] = b;
		out->refs = xreallocarray(out->refs, out->n_rows + lk_batch_live_rows(b) + 1,
					  sizeof *out->refs);
		for (size_t r = 0; r < lk_batch_live_rows(b); r++)
			out->refs[out->n_rows++] = (struct demo_row_ref){
				.source = (uint32_t)out->n_batches,
				.row = (uint32_t)lk_batch_live_row(b, r),
			};
		out->n_batches++;
	}
	delta_scan_close(scan);
	if (!ok)
		file_rows_free(out);
	return ok;
}

/* Decides which rows of the file are updated and which deleted. */
static enum row_fate *choose_fates(struct step_ctx *s, size_t n_rows, size_t *updated, size_t *deleted)
{
	enum row_fate *fates = xcalloc(n_rows ? n_rows : 1, sizeof *fates);
	size_t *order = xcalloc(n_rows ? n_rows : 1, sizeof *order);
	for (size_t i = 0; i < n_rows; i++)
		order[i] = i;
	size_t want_updates = (size_t)demo_rand_range(s->rng, s->t->updates.min, s->t->updates.max);
	size_t want_deletes = (size_t)demo_rand_range(s->rng, s->t->deletes.min, s->t->deletes.max);
	*updated = want_updates < n_rows ? want_updates : n_rows;
	*deleted = want_deletes < n_rows - *updated ? want_deletes : n_rows - *updated;
	for (size_t i = 0; i < *updated + *deleted; i++) {
		size_t j = i + (size_t)demo_rand_range(s->rng, 0, (int64_t)(n_rows - i - 1));
		size_t swap = order[i];
		order[i] = order[j], order[j] = swap;
		fates[order[i]] = i < *updated ? ROW_UPDATED : ROW_DELETED;
	}
	free(order);
	return fates;
}

/* Updates and deletes rows of one live file: the file rewritten, with its change rows. */
static bool step_rewrite(struct step_ctx *s, struct delta_commit *c, struct lk_error *err)
{
	if (s->n_files == 0 || s->t->updates.max + s->t->deletes.max == 0)
		return true;
	/* a file chosen by a random row, so that big files change more often than small ones */
	size_t total = 0;
	for (size_t i = 0; i < s->n_files; i++)
		total += s->files[i].rows;
	size_t pick = total ? (size_t)(demo_rand(s->rng) % total) : 0, chosen = 0;
	while (chosen + 1 < s->n_files && pick >= s->files[chosen].rows)
		pick -= s->files[chosen++].rows;
	const struct file_survey *file = &s->files[chosen];
	struct file_rows rows;
	if (!file_rows_read(s, file->index, &rows, err))
		return false;
	size_t n_updated, n_deleted;
	enum row_fate *fates = choose_fates(s, rows.n_rows, &n_updated, &n_deleted);
	const struct lk_batch **sources = xcalloc(rows.n_batches + 1, sizeof *sources);
	for (size_t i = 0; i < rows.n_batches; i++)
		sources[i] = rows.batches[i];

	/* the rows left, updated ones changed */
	struct demo_row_ref *kept = xcalloc(rows.n_rows ? rows.n_rows : 1, sizeof *kept);
	size_t *kept_at = xcalloc(rows.n_rows ? rows.n_rows : 1, sizeof *kept_at);
	size_t n_kept = 0;
	for (size_t i = 0; i < rows.n_rows; i++)
		if (fates[i] != ROW_DELETED)
			kept_at[i] = n_kept, kept[n_kept++] = rows.refs[i];
	struct lk_batch *after = rows.n_batches ? demo_take(sources, kept, n_kept, 0) : NULL;
	for (size_t i = 0; i < rows.n_rows; i++)
		if (fates[i] == ROW_UPDATED)
			s->t->mutate(after, kept_at[i], s->rng, s->now_us);

	/* the change rows: pre- and post-image of each update, the deleted rows */
	sources[rows.n_batches] = after;
	struct demo_row_ref *changed = xcalloc(2 * n_updated + n_deleted + 1, sizeof *changed);
	const char **types = xcalloc(2 * n_updated + n_deleted + 1, sizeof *types);
	size_t n_changes = 0;
	for (size_t i = 0; i < rows.n_rows; i++) {
		if (fates[i] == ROW_KEPT)
			continue;
		changed[n_changes] = rows.refs[i];
		types[n_changes++] = fates[i] == ROW_UPDATED ? "update_preimage" : "delete";
		if (fates[i] == ROW_UPDATED) {
			changed[n_changes] = (struct demo_row_ref){ .source = (uint32_t)rows.n_batches,
								    .row = (uint32_t)kept_at[i] };
			types[n_changes++] = "update_postimage";
		}
	}
	bool ok = true;
	if (n_changes > 0) {
		struct lk_batch *changes = demo_take(sources, changed, n_changes, 1);
		demo_fill_string(changes, s->n_columns, DELTA_CHANGE_TYPE_COLUMN, types);
		ok = delta_commit_rewrite(c, file->path, n_kept ? after : NULL, changes, err);
		lk_batch_free(changes);
		if (ok)
			s->result->updated = n_updated, s->result->deleted = n_deleted;
	}
	lk_batch_free(after);
	free(types), free(changed), free(kept_at), free(kept), free(sources), free(fates);
	file_rows_free(&rows);
	return ok;
}

static const char *operation_name(const struct demo_step_result *r)
{
	if (r->added_column)
		return "WRITE";
	if (r->inserted && (r->updated || r->deleted))
		return "MERGE";
	if (r->updated)
		return "UPDATE";
	return r->deleted ? "DELETE" : "WRITE";
}

static void step_ctx_clear(struct step_ctx *s)
{
	free(s->files);
	free(s->columns);
	delta_snapshot_free(s->snap);
	delta_table_free(s->table);
}

static bool step_ctx_open(struct step_ctx *s, const char *root, struct lk_error *err)
{
	s->table = delta_table_open(root, err);
	if (s->table == NULL)
		return false;
	s->snap = delta_snapshot_load(s->table, delta_writer_version(s->w), err);
	if (s->snap == NULL)
		return false;
	s->schema = s->snap->schema;
	s->columns = xcalloc(s->schema->n_fields + 1, sizeof *s->columns);
	for (size_t i = 0; i < s->schema->n_fields; i++) {
		const char *name = s->schema->fields[i].name;
		if (s->t->partition_column == NULL || strcmp(name, s->t->partition_column) != 0)
			s->columns[s->n_columns++] = name;
	}
	return survey_files(s, err);
}

/* One commit of changes to table t (through its writer w); with add_column, the commit
 * adds the column to user_profiles and inserts rows that fill it, and nothing else. */
static bool table_step(const char *root, const struct demo_table *t, struct delta_writer *w,
		       uint64_t *rng, int64_t now_us, bool add_column,
		       struct demo_step_result *result, struct lk_error *err)
{
	*result = (struct demo_step_result){ .table = t->info.name };
	struct step_ctx s = { .t = t, .w = w, .rng = rng, .now_us = now_us, .result = result };
	struct delta_type *new_schema = NULL;
	struct delta_commit *c = NULL;
	bool ok = step_ctx_open(&s, root, err) && (c = delta_commit_begin(w, err)) != NULL;
	if (ok && add_column) {
		ok = delta_commit_set_schema(c, demo_user_profiles_schema_added, err) &&
		     (new_schema = delta_schema_parse(demo_user_profiles_schema_added, err)) != NULL;
		s.schema = new_schema;
		result->added_column = demo_added_column;
	}
	ok = ok && step_insert(&s, c, err) && (add_column || step_rewrite(&s, c, err));
	int64_t version = 0;
	if (ok) {
		ok = delta_commit_finish(c, operation_name(result), &version, err);
		c = NULL;
	}
	delta_commit_abort(c);
	if (ok && delta_writer_checkpoint_error(w)) {
		*err = *delta_writer_checkpoint_error(w);
		ok = false;
	}
	result->version = version;
	if (!ok)
		lk_error_prefix(err, "%s", t->info.name);
	delta_type_free(new_schema);
	step_ctx_clear(&s);
	return ok;
}

/* ---- demo_init --------------------------------------------------------------------------- */

static bool initial_load(const struct demo_table *t, struct delta_writer *w, struct lk_error *err)
{
	struct delta_commit *c = delta_commit_begin(w, err);
	if (c == NULL)
		return false;
	const struct delta_type *schema = delta_writer_schema(w);
	bool ok = true;
	int64_t first_day = DEMO_REFERENCE_US / DEMO_DAY_US - (int64_t)t->initial_files;
	for (size_t f = 0; ok && f < t->initial_files; f++) {
		int64_t *keys = xcalloc(t->rows_per_file, sizeof *keys);
		for (size_t r = 0; r < t->rows_per_file; r++)
			keys[r] = t->key_policy == DEMO_KEYS_NEXT_DAY
					  ? (first_day + (int64_t)f) * DEMO_REGION_SLOTS + (int64_t)r
					  : (int64_t)(f * t->rows_per_file + r + 1);
		int64_t now = t->key_policy == DEMO_KEYS_CUSTOMER_SCORES
				      ? DEMO_REFERENCE_US - DEMO_DAY_US
				      : DEMO_REFERENCE_US;
		struct lk_batch *rows = demo_rows(t, schema, keys, t->rows_per_file, now);
		char date[16];
		demo_format_date(first_day + (int64_t)f, date, sizeof date);
		const char *partition[] = { date };
		ok = delta_commit_add(c, rows, t->partition_column ? partition : NULL, NULL, err);
		lk_batch_free(rows);
		free(keys);
	}
	int64_t version;
	if (ok)
		return delta_commit_finish(c, "WRITE", &version, err);
	delta_commit_abort(c);
	return false;
}

static bool init_table(const char *dir, const struct demo_table *t, const struct demo_options *opts,
		       struct lk_error *err)
{
	char *root = table_root(dir, t);
	char *parent = xstrdup(root);
	*strrchr(parent, '/') = '\0';
	bool ok = mkdir_p(parent, err);
	free(parent);
	const char *partitions[] = { t->partition_column };
	struct delta_property cdf = { .key = "delta.enableChangeDataFeed", .value = "true" };
	struct delta_table_spec spec = {
		.schema_json = t->schema_json,
		.partition_columns = t->partition_column ? partitions : NULL,
		.n_partition_columns = t->partition_column ? 1 : 0,
		.properties = t->info.cdf ? &cdf : NULL,
		.n_properties = t->info.cdf ? 1 : 0,
		.name = strrchr(t->info.name, '.') + 1,
		.description = t->description,
	};
	struct delta_writer_options wopts = { .checkpoint_interval = DEMO_CHECKPOINT_INTERVAL,
					      .no_fsync = opts && opts->no_fsync };
	struct delta_writer *w = ok ? delta_writer_create(root, &spec, &wopts, err) : NULL;
	ok = w != NULL && initial_load(t, w, err);
	for (int step = 1; ok && step <= t->history_steps; step++) {
		uint64_t rng = demo_row_seed(t->info.name, step);
		struct demo_step_result result;
		ok = table_step(root, t, w, &rng, DEMO_REFERENCE_US + step * DEMO_HOUR_US, false,
				&result, err);
	}
	delta_writer_close(w);
	free(root);
	return ok;
}

bool demo_init(const char *dir, const struct demo_options *opts, struct lk_error *err)
{
	if (!mkdir_p(dir, err))
		return false;
	for (size_t i = 0; i < demo_n_tables; i++) {
		char *root = table_root(dir, &demo_tables[i]);
		bool exists = holds_delta_table(root);
		bool ok = true;
		if (exists && !(opts && opts->force))
			ok = lk_error_set(err, LK_EEXISTS, "%s already holds a sample lakehouse "
					  "(table %s at %s); choose another directory or force "
					  "the sample tables to be replaced", dir,
					  demo_tables[i].info.name, root);
		else if (exists)
			ok = remove_tree(root, err);
		free(root);
		if (!ok)
			return false;
	}
	for (size_t i = 0; i < demo_n_tables; i++)
		if (!init_table(dir, &demo_tables[i], opts, err))
			return false;
	return true;
}

/* ---- the stream -------------------------------------------------------------------------- */

void demo_stream_init(struct demo_stream_state *state, uint64_t seed)
{
	*state = (struct demo_stream_state){
		.rng = seed,
		.schema_change_step = DEMO_SCHEMA_CHANGE_STEP,
	};
}

static int64_t stream_clock(struct demo_stream_state *state)
{
	int64_t now;
	if (state->fixed_now_us > 0) {
		now = state->fixed_now_us + state->steps * DEMO_HOUR_US;
	} else {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		now = (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
	}
	/* churn_scores keys need a new second for every run */
	if (now < state->last_now_us + 1000000)
		now = state->last_now_us + 1000000;
	state->last_now_us = now;
	return now;
}

bool demo_stream_step(const char *dir, struct demo_stream_state *state,
		      struct demo_step_result *out, struct lk_error *err)
{
	const struct demo_table *cdf_tables[8];
	size_t n_cdf = 0;
	for (size_t i = 0; i < demo_n_tables && n_cdf < 8; i++)
		if (demo_tables[i].info.cdf)
			cdf_tables[n_cdf++] = &demo_tables[i];
	int64_t step = state->steps + 1;
	bool add_column = step == state->schema_change_step;
	const struct demo_table *t = add_column ? &demo_tables[0]
						: cdf_tables[state->steps % (int64_t)n_cdf];
	char *root = table_root(dir, t);
	struct delta_writer_options wopts = { .checkpoint_interval = DEMO_CHECKPOINT_INTERVAL };
	struct delta_writer *w = delta_writer_open(root, &wopts, err);
	if (w == NULL) {
		if (err->code == LK_ENOTFOUND)
			lk_error_set(err, LK_ENOTFOUND, "%s holds no sample lakehouse: %s is not a "
				     "Delta table (write one with demo init first)", dir, root);
		free(root);
		return false;
	}
	/* a column added by an earlier stream stays: the change happens once per lakehouse */
	if (add_column && delta_schema_find(delta_writer_schema(w), demo_added_column))
		add_column = false;
	int64_t now = stream_clock(state);
	bool ok = table_step(root, t, w, &state->rng, now, add_column, out, err);
	delta_writer_close(w);
	free(root);
	if (ok)
		state->steps++;
	return ok;
}
