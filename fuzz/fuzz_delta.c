/* fuzz/fuzz_delta.c: libFuzzer target for the Delta log parsers that read untrusted bytes:
 * commit lines (actions.c, including the schemaString and partition values they carry),
 * Z85 text and the RoaringBitmapArray of deletion vectors (dv.c). The first input byte
 * picks the parser; the rest is its input. */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "delta/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum fuzz_mode {
	FUZZ_COMMIT_LINES,
	FUZZ_Z85_DV,
	FUZZ_DV_BYTES,
	FUZZ_SCHEMA,
	FUZZ_PARTITION_VALUE,
	FUZZ_MODES
};

/* Exercises what a replay would do with each action: inline DVs are decoded, metaData's
 * schema is parsed. */
static enum delta_visit visit(void *ctx, struct delta_action *a, struct lk_error *err)
{
	(void)ctx;
	if ((a->type == DELTA_ACTION_ADD || a->type == DELTA_ACTION_REMOVE) && a->u.file.has_dv &&
	    a->u.file.dv.storage_type == 'i') {
		delta_dv_free(delta_dv_load(NULL, &a->u.file.dv, NULL));
	} else if (a->type == DELTA_ACTION_METADATA) {
		delta_type_free(delta_schema_parse(a->u.metadata.schema_string, NULL));
	}
	return DELTA_VISIT_CONTINUE;
}

static void fuzz_dv_bytes(const uint8_t *data, size_t size)
{
	struct delta_dv *dv = delta_dv_deserialize(data, size, NULL);
	if (dv == NULL)
		return;
	size_t n;
	free(delta_dv_to_array(dv, &n));
	struct delta_dv *diff = delta_dv_difference(dv, NULL);
	struct lk_buf again = LK_BUF_INIT;
	delta_dv_serialize(diff, &again);
	struct delta_dv *back = delta_dv_deserialize((const uint8_t *)again.data, again.len, NULL);
	if (back == NULL || delta_dv_cardinality(back) != delta_dv_cardinality(dv))
		abort(); /* what we serialize we must read back */
	delta_dv_free(back);
	lk_buf_free(&again);
	delta_dv_free(diff);
	delta_dv_free(dv);
}

static void fuzz_schema(const char *text)
{
	struct delta_type *t = delta_schema_parse(text, NULL);
	if (t == NULL)
		return;
	struct lk_buf out = LK_BUF_INIT;
	delta_type_format(t, &out);
	struct delta_type *copy = delta_type_clone(t);
	if (delta_schema_compare(t, copy, &out) != DELTA_SCHEMA_IDENTICAL)
		abort();
	delta_schema_check_column_mapping(t, DELTA_COLUMN_MAPPING_ID, NULL);
	lk_buf_free(&out);
	delta_type_free(copy);
	delta_type_free(t);
}

static void fuzz_partition_value(const uint8_t *data, size_t size, const char *text)
{
	if (size < 2)
		return;
	/* scalar kinds and an empty struct: arrays and maps need children to be valid */
	struct delta_type t = { .kind = (enum delta_type_kind)(data[0] % (DELTA_TYPE_STRUCT + 1)),
				.precision = (uint8_t)(1 + data[1] % 38) };
	t.scale = (uint8_t)(data[1] / 38 % (t.precision + 1));
	struct delta_value v;
	if (delta_partition_value_parse(&t, text + 2, "c", &v, NULL))
		delta_value_clear(&v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	enum fuzz_mode mode = (enum fuzz_mode)(data[0] % FUZZ_MODES);
	data++;
	size--;
	char *text = malloc(size + 1); /* the string parsers want NUL-terminated text */
	memcpy(text, data, size);
	text[size] = '\0';
	struct lk_buf bytes = LK_BUF_INIT;
	switch (mode) {
	case FUZZ_COMMIT_LINES:
		delta_actions_read_buffer(text, size, "fuzz", visit, NULL, NULL);
		break;
	case FUZZ_Z85_DV:
		if (delta_z85_decode(text, size, &bytes, NULL))
			fuzz_dv_bytes((const uint8_t *)bytes.data, bytes.len);
		break;
	case FUZZ_DV_BYTES:
		fuzz_dv_bytes(data, size);
		break;
	case FUZZ_SCHEMA:
		fuzz_schema(text);
		break;
	case FUZZ_PARTITION_VALUE:
		fuzz_partition_value(data, size, text);
		break;
	case FUZZ_MODES:
		break;
	}
	lk_buf_free(&bytes);
	free(text);
	return 0;
}
