/* demo/tables.h: what src/demo/ shares between its files (and with tests/unit/test_demo.c):
 * the descriptions of the sample tables, their deterministic row generators and mutations,
 * and a row copy between batches. Not a public interface: callers use demo/demo.h.
 * Batches returned belong to the caller (lk_batch_free). Nothing here fails. */
#ifndef LK_DEMO_TABLES_H
#define LK_DEMO_TABLES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "delta/delta.h"
#include "demo/demo.h"

/* The moment the initial load depicts: 2026-11-01T00:00:00Z (µs). History commits written
 * by demo_init move one hour per commit from there. */
#define DEMO_REFERENCE_US INT64_C(1793491200000000)
#define DEMO_HOUR_US INT64_C(3600000000)
#define DEMO_DAY_US (24 * DEMO_HOUR_US)
/* daily_revenue keys: day * DEMO_REGION_SLOTS + region index. */
#define DEMO_REGION_SLOTS 16
#define DEMO_REGIONS 5
/* The customer ids of the ml tables at the initial load. */
#define DEMO_CUSTOMERS 2000

/* How a table chooses the keys of new rows. */
enum demo_key_policy {
	DEMO_KEYS_NEXT_ID,         /* max(key) + 1, + 2, ... */
	DEMO_KEYS_CUSTOMER_SCORES, /* random customers, scored now */
	DEMO_KEYS_NEXT_DAY,        /* the day after max(date), every region */
};

struct demo_range {
	int min, max;
};

struct demo_table {
	struct demo_table_info info;
	const char *schema_json;
	const char *partition_column; /* or NULL */
	const char *description;
	enum demo_key_policy key_policy;
	size_t initial_files;      /* the initial load (version 1): files of ... */
	size_t rows_per_file;      /* ... this many rows (NEXT_DAY: days of one file each) */
	int history_steps;         /* changes demo_init commits after the load */
	struct demo_range inserts, updates, deletes; /* per change */
	/* Fills a batch of the table's non-partition columns of schema for these keys. */
	void (*build)(struct lk_batch *b, const struct delta_type *schema, const int64_t *keys,
		      size_t n, int64_t now_us);
	/* Changes row `row` of b as an UPDATE would, drawing from *rng. */
	void (*mutate)(struct lk_batch *b, size_t row, uint64_t *rng, int64_t now_us);
};

extern const struct demo_table demo_tables[];
extern const size_t demo_n_tables;

/* The column user_profiles gains once per stream. */
extern const char demo_added_column[];
extern const char demo_user_profiles_schema_added[];

/* The rows of table t for keys (in that order), with the non-partition columns of schema. */
struct lk_batch *demo_rows(const struct demo_table *t, const struct delta_type *schema,
			   const int64_t *keys, size_t n, int64_t now_us);

/* splitmix64: the generators' random numbers. */
uint64_t demo_rand(uint64_t *state);
/* A uniform integer in [min, max]. */
int64_t demo_rand_range(uint64_t *state, int64_t min, int64_t max);
/* The state a row's values are drawn from: a hash of the table's name and the key. */
uint64_t demo_row_seed(const char *table, int64_t key);

/* Days since the epoch -> "YYYY-MM-DD" (buf of 11 bytes or more). */
void demo_format_date(int64_t days, char *buf, size_t size);

/* One row of one of several batches with the same columns. */
struct demo_row_ref {
	uint32_t source;
	uint32_t row;
};

/* A new batch holding the referenced rows in order (every value copied into it), with
 * n_extra empty columns after the sources' columns for the caller to fill. */
struct lk_batch *demo_take(const struct lk_batch *const *sources, const struct demo_row_ref *refs,
			   size_t n, size_t n_extra);
/* Fills column col of b (an empty extra column of demo_take) as a STRING column named name
 * with values[row] for every row. */
void demo_fill_string(struct lk_batch *b, size_t col, const char *name,
		      const char *const *values);

#endif
