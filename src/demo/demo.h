/* demo/demo.h: the sample lakehouse of `lakesync demo`: writes a small, realistic set of
 * Delta tables into a directory in the local catalog layout (<catalog>/<schema>/<table>/),
 * with the project's own Delta writer, and keeps committing changes to them.
 *
 * demo_init() writes five tables (doc/demo.md lists them): four with the Change Data Feed on
 * (inserts, copy-on-write updates and deletes with cdc files as Databricks writes them,
 * a checkpoint every 10 commits) and one without it. Every value comes from a seeded
 * generator, so two runs write the same rows (file names and commit times differ).
 * demo_stream_step() commits one more change (inserts, updates and deletes) to one of the
 * Change Data Feed tables, round-robin; once in a stream's life, it adds a nullable column
 * to user_profiles and fills it in the same commit.
 *
 * Ownership: the caller owns every struct passed in; demo_stream_state holds no heap memory.
 * Thread safety: none needed; several processes may stream into one directory (commits are
 * atomic; a step that loses the race for a version fails with LK_EEXISTS).
 * Failures: false with *err filled (the table, the version and why); nothing here prints or
 * exits. LK_EEXISTS from demo_init when DIR already holds a sample table (unless force);
 * LK_ENOTFOUND from demo_stream_step when DIR holds no sample lakehouse. */
#ifndef LK_DEMO_DEMO_H
#define LK_DEMO_DEMO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/error.h"

struct demo_options {
	bool force;    /* replace sample tables already in DIR (other content is kept) */
	bool no_fsync; /* skip fsync (tests, scratch directories) */
};

/* Writes the sample lakehouse into dir (created with its parents if missing). */
bool demo_init(const char *dir, const struct demo_options *opts, struct lk_error *err);

/* The tables of the sample lakehouse, in the order demo_init writes them. */
struct demo_table_info {
	const char *name;   /* catalog.schema.table */
	const char *path;   /* catalog/schema/table, relative to the lakehouse */
	const char *keys;   /* primary key columns, comma-separated */
	bool cdf;           /* Change Data Feed on */
};
size_t demo_table_count(void);
const struct demo_table_info *demo_table_info(size_t index);

/* ---- the change stream ------------------------------------------------------------------ */

/* Where a stream is; zero it, or fill it with demo_stream_init(). */
struct demo_stream_state {
	uint64_t rng;              /* the stream's random state */
	int64_t steps;             /* steps committed so far */
	int64_t schema_change_step; /* the step (1-based) that adds the column; 0 = never */
	int64_t fixed_now_us;      /* > 0: the clock starts here and moves 1 h per step */
	int64_t last_now_us;       /* the clock of the last step (kept strictly increasing) */
};

/* A stream that adds the column at step 6 and reads the wall clock. */
void demo_stream_init(struct demo_stream_state *state, uint64_t seed);

/* What one step committed. */
struct demo_step_result {
	const char *table;  /* catalog.schema.table (static) */
	int64_t version;
	size_t inserted, updated, deleted;
	const char *added_column; /* the column this step added (static), or NULL */
};

/* Commits one change to the next Change Data Feed table of the lakehouse in dir. */
bool demo_stream_step(const char *dir, struct demo_stream_state *state,
		      struct demo_step_result *out, struct lk_error *err);

#endif
