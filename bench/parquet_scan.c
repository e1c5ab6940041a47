/* bench/parquet_scan.c: decodes every column of the Parquet files given as arguments, row
 * group by row group, and prints rows/s and MB/s (file bytes) on one core. The figure to
 * watch for the reader's hot path; run it through `make bench` in an optimised build:
 *   bench/parquet_scan [-n REPEAT] FILE... */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "batch/batch.h"
#include "parquet/parquet.h"
#include "util/clock.h"
#include "util/error.h"

static bool scan_file(const char *path, size_t *rows, size_t *bytes, struct lk_error *err)
{
	struct stat st;
	if (stat(path, &st) == 0)
		*bytes += (size_t)st.st_size;
	struct pq_file *file = pq_file_open(path, err);
	if (file == NULL)
		return false;
	struct pq_reader *reader = pq_reader_open(file, NULL, 0, err);
	bool ok = reader != NULL;
	while (ok) {
		struct lk_batch *batch;
		ok = pq_reader_next(reader, &batch, err);
		if (!ok || batch == NULL)
			break;
		*rows += batch->n_rows;
		lk_batch_free(batch);
	}
	pq_reader_close(reader);
	pq_file_close(file);
	return ok;
}

int main(int argc, char **argv)
{
	int repeat = 3, first = 1;
	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		repeat = atoi(argv[2]);
		first = 3;
	}
	if (first >= argc || repeat < 1) {
		fprintf(stderr, "usage: parquet_scan [-n REPEAT] FILE...\n");
		return 2;
	}
	double best = 0;
	size_t rows = 0, bytes = 0;
	for (int r = 0; r < repeat; r++) {
		struct lk_error err = LK_ERROR_INIT;
		rows = bytes = 0;
		int64_t start = lk_clock_monotonic_ns();
		for (int i = first; i < argc; i++) {
			if (!scan_file(argv[i], &rows, &bytes, &err)) {
				fprintf(stderr, "parquet_scan: %s\n", err.message);
				return 1;
			}
		}
		double secs = (double)(lk_clock_monotonic_ns() - start) / 1e9;
		if (r == 0 || secs < best)
			best = secs;
	}
	printf("parquet_scan: %zu rows, %.1f MB in %.3f s (best of %d): %.2f M rows/s, %.1f MB/s\n",
	       rows, (double)bytes / 1e6, best, repeat, (double)rows / best / 1e6,
	       (double)bytes / best / 1e6);
	return 0;
}
