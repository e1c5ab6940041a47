/* fuzz/fuzz_parquet.c: libFuzzer target for the Parquet reader. The input is a whole file:
 * its footer is parsed, its schema built, and every column of every row group is decoded,
 * assembled and rendered as JSON, under a small batch cap so that hostile sizes are refused
 * rather than allocated. Any crash, sanitizer report, leak or hang is a bug. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>

#include "batch/batch.h"
#include "parquet/parquet.h"
#include "util/buf.h"
#include "util/error.h"

enum {
	FUZZ_MAX_BATCH_BYTES = 64 << 20,
	FUZZ_MAX_ROWS_RENDERED = 64,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void render_some(const struct lk_batch *batch)
{
	struct lk_buf out = LK_BUF_INIT;
	size_t rows = batch->n_rows < FUZZ_MAX_ROWS_RENDERED ? batch->n_rows
							     : FUZZ_MAX_ROWS_RENDERED;
	for (size_t row = 0; row < rows; row++) {
		lk_render_json_row(batch, row, &out);
		lk_buf_reset(&out);
	}
	lk_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct lk_error err = LK_ERROR_INIT;
	struct pq_file *file = pq_file_open_memory(data, size, "fuzz.parquet", &err);
	if (file == NULL)
		return 0;
	struct pq_reader *reader = pq_reader_open(file, NULL, 0, &err);
	if (reader != NULL) {
		pq_reader_set_max_batch_bytes(reader, FUZZ_MAX_BATCH_BYTES);
		for (;;) {
			struct lk_batch *batch;
			if (!pq_reader_next(reader, &batch, &err) || batch == NULL)
				break;
			render_some(batch);
			lk_batch_free(batch);
		}
		pq_reader_close(reader);
	}
	pq_file_close(file);
	return 0;
}
