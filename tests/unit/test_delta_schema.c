/* tests/unit/test_delta_schema.c: protocol readability and active features, and schema
 * parsing, type mapping, column mapping names, comparison and allowed type widenings. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "delta/internal.h"

/* ---- protocol ----------------------------------------------------------------------- */

static struct delta_protocol protocol(int reader, int writer, char **rf, size_t n_rf, char **wf,
				      size_t n_wf)
{
	return (struct delta_protocol){ .min_reader_version = reader, .min_writer_version = writer,
					.reader_features = rf, .n_reader_features = n_rf,
					.writer_features = wf, .n_writer_features = n_wf };
}

static void test_protocol_reader_version_above_3_refused(void **state)
{
	struct delta_protocol p = protocol(4, 7, NULL, 0, NULL, 0);
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_protocol_check_readable(&p, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	p = protocol(2, 5, NULL, 0, NULL, 0);
	assert_true(delta_protocol_check_readable(&p, &err));
}

static void test_protocol_unknown_reader_feature_refused(void **state)
{
	char *rf[] = { "deletionVectors", "variantType" };
	struct delta_protocol p = protocol(3, 7, rf, 2, NULL, 0);
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_protocol_check_readable(&p, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	assert_non_null(strstr(err.message, "'variantType'"));
}

static void test_protocol_supported_features_and_alias_accepted(void **state)
{
	char *rf[] = { "columnMapping", "deletionVectors", "timestampWithoutTimezone",
		       "typeWidening-preview", "v2Checkpoint", "vacuumProtocolCheck" };
	struct delta_protocol p = protocol(3, 7, rf, 6, NULL, 0);
	assert_true(delta_protocol_check_readable(&p, NULL));
	assert_true(delta_protocol_has_reader_feature(&p, "timestampNtz"));
}

static void test_protocol_writer_features_never_block_reads(void **state)
{
	char *wf[] = { "someFutureWriterFeature" };
	struct delta_protocol p = protocol(1, 7, NULL, 0, wf, 1);
	assert_true(delta_protocol_check_readable(&p, NULL));
}

static struct delta_metadata metadata_with(struct delta_kv *kv, size_t n)
{
	return (struct delta_metadata){ .configuration = { .items = kv, .n = n } };
}

static void test_protocol_cdf_active_rules(void **state)
{
	struct delta_kv on[] = { { "delta.enableChangeDataFeed", "true" } };
	struct delta_metadata m = metadata_with(on, 1);
	struct delta_protocol p4 = protocol(1, 4, NULL, 0, NULL, 0);
	assert_true(delta_cdf_enabled(&p4, &m));
	struct delta_protocol p2 = protocol(1, 2, NULL, 0, NULL, 0);
	assert_false(delta_cdf_enabled(&p2, &m));
	char *wf[] = { "appendOnly" };
	struct delta_protocol p7 = protocol(1, 7, NULL, 0, wf, 1);
	assert_false(delta_cdf_enabled(&p7, &m)); /* writer 7 without the feature */
	char *wf_cdf[] = { "changeDataFeed" };
	p7 = protocol(1, 7, NULL, 0, wf_cdf, 1);
	assert_true(delta_cdf_enabled(&p7, &m));
	struct delta_kv off[] = { { "delta.enableChangeDataFeed", "false" } };
	m = metadata_with(off, 1);
	assert_false(delta_cdf_enabled(&p7, &m));
}

static void test_protocol_ict_enablement_version(void **state)
{
	struct delta_kv kv[] = { { "delta.enableInCommitTimestamps", "true" },
				 { "delta.inCommitTimestampEnablementVersion", "5" } };
	struct delta_metadata m = metadata_with(kv, 2);
	char *wf[] = { "inCommitTimestamp" };
	struct delta_protocol p = protocol(1, 7, NULL, 0, wf, 1);
	assert_false(delta_ict_enabled(&p, &m, 4));
	assert_true(delta_ict_enabled(&p, &m, 5));
	m = metadata_with(kv, 1);
	assert_true(delta_ict_enabled(&p, &m, 0));
}

static void test_protocol_column_mapping_mode(void **state)
{
	struct delta_kv kv[] = { { "delta.columnMapping.mode", "name" } };
	struct delta_metadata m = metadata_with(kv, 1);
	enum delta_column_mapping_mode mode;
	struct delta_protocol p = protocol(2, 5, NULL, 0, NULL, 0);
	assert_true(delta_column_mapping_mode(&p, &m, &mode, NULL));
	assert_int_equal(mode, DELTA_COLUMN_MAPPING_NAME);
	p = protocol(1, 2, NULL, 0, NULL, 0); /* protocol does not allow it: ignored */
	assert_true(delta_column_mapping_mode(&p, &m, &mode, NULL));
	assert_int_equal(mode, DELTA_COLUMN_MAPPING_NONE);
	struct delta_kv bad[] = { { "delta.columnMapping.mode", "fancy" } };
	m = metadata_with(bad, 1);
	p = protocol(2, 5, NULL, 0, NULL, 0);
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_column_mapping_mode(&p, &m, &mode, &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
}

/* ---- schema ------------------------------------------------------------------------- */

static struct delta_type *schema(const char *json)
{
	struct lk_error err = LK_ERROR_INIT;
	struct delta_type *t = delta_schema_parse(json, &err);
	if (t == NULL)
		fail_msg("%s", err.message);
	return t;
}

static const char ALL_TYPES[] =
	"{\"type\":\"struct\",\"fields\":["
	"{\"name\":\"l\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"i\",\"type\":\"integer\",\"nullable\":false,\"metadata\":{}},"
	"{\"name\":\"s\",\"type\":\"short\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"b\",\"type\":\"byte\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"f\",\"type\":\"float\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"d\",\"type\":\"double\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"bo\",\"type\":\"boolean\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"bi\",\"type\":\"binary\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"st\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"da\",\"type\":\"date\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"ts\",\"type\":\"timestamp\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"tn\",\"type\":\"timestamp_ntz\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"de\",\"type\":\"decimal( 38 , 2 )\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"v\",\"type\":\"void\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"va\",\"type\":\"variant\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"iv\",\"type\":\"interval day to second\",\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"a\",\"type\":{\"type\":\"array\",\"elementType\":\"integer\",\"containsNull\":false},"
	"\"nullable\":true,\"metadata\":{}},"
	"{\"name\":\"m\",\"type\":{\"type\":\"map\",\"keyType\":\"string\",\"valueType\":"
	"{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":\"long\",\"nullable\":true,"
	"\"metadata\":{}}]},\"valueContainsNull\":true},\"nullable\":true,\"metadata\":{}}"
	"]}";

static void test_schema_every_type_maps_to_lk_type(void **state)
{
	struct delta_type *t = schema(ALL_TYPES);
	static const enum lk_type_id expected[] = {
		LK_TYPE_INT64, LK_TYPE_INT32, LK_TYPE_INT16, LK_TYPE_INT8, LK_TYPE_FLOAT,
		LK_TYPE_DOUBLE, LK_TYPE_BOOLEAN, LK_TYPE_BINARY, LK_TYPE_STRING, LK_TYPE_DATE,
		LK_TYPE_TIMESTAMP, LK_TYPE_TIMESTAMP_NTZ, LK_TYPE_DECIMAL, LK_TYPE_NULL,
		LK_TYPE_VARIANT, LK_TYPE_INTERVAL, LK_TYPE_LIST, LK_TYPE_MAP,
	};
	assert_int_equal(t->n_fields, sizeof expected / sizeof expected[0]);
	for (size_t i = 0; i < t->n_fields; i++)
		assert_int_equal(delta_type_lk_id(t->fields[i].type), expected[i]);
	assert_false(t->fields[1].nullable);
	const struct delta_field *de = delta_schema_find(t, "de");
	assert_int_equal(de->type->precision, 38);
	assert_int_equal(de->type->scale, 2);
	struct lk_buf out = LK_BUF_INIT;
	delta_type_format(t->fields[17].type, &out);
	assert_string_equal(lk_buf_cstr(&out), "map<string,struct<x:long>>");
	lk_buf_free(&out);
	assert_int_equal(delta_type_lk_id(t), LK_TYPE_STRUCT);
	delta_type_free(t);
}

static void test_schema_bad_decimal_and_unknown_type(void **state)
{
	struct lk_error err = LK_ERROR_INIT;
	assert_null(delta_schema_parse("{\"type\":\"struct\",\"fields\":[{\"name\":\"d\","
				       "\"type\":\"decimal(39,2)\",\"nullable\":true}]}",
				       &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	assert_non_null(strstr(err.message, "'d'"));
	assert_null(delta_schema_parse("{\"type\":\"struct\",\"fields\":[{\"name\":\"q\","
				       "\"type\":\"quaternion\",\"nullable\":true}]}",
				       &err));
	assert_int_equal(err.code, LK_EUNSUPPORTED);
	assert_null(delta_schema_parse("[1,2]", &err));
}

static void test_schema_names_with_dots_and_backticks(void **state)
{
	struct delta_type *t = schema("{\"type\":\"struct\",\"fields\":["
				      "{\"name\":\"a.b\",\"type\":\"long\",\"nullable\":true},"
				      "{\"name\":\"`c`\",\"type\":\"long\",\"nullable\":true}]}");
	assert_non_null(delta_schema_find(t, "a.b"));
	assert_null(delta_schema_find(t, "a"));
	assert_non_null(delta_schema_find(t, "`c`"));
	assert_non_null(delta_schema_find(t, "A.B")); /* case-insensitive fallback */
	delta_type_free(t);
}

static const char MAPPED[] =
	"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,"
	"\"metadata\":{\"delta.columnMapping.id\":1,\"delta.columnMapping.physicalName\":\"col-a1\"}},"
	"{\"name\":\"s\",\"type\":{\"type\":\"struct\",\"fields\":[{\"name\":\"x\",\"type\":\"integer\","
	"\"nullable\":true,\"metadata\":{\"delta.columnMapping.id\":3,"
	"\"delta.columnMapping.physicalName\":\"col-x3\"}}]},\"nullable\":true,"
	"\"metadata\":{\"delta.columnMapping.id\":2,\"delta.columnMapping.physicalName\":\"col-s2\","
	"\"delta.typeChanges\":[{\"fromType\":\"integer\",\"toType\":\"long\"}]}}]}";

static void test_schema_column_mapping_names_and_ids(void **state)
{
	struct delta_type *t = schema(MAPPED);
	const struct delta_field *id = delta_schema_find(t, "id");
	assert_string_equal(delta_field_physical_name(id, DELTA_COLUMN_MAPPING_NAME), "col-a1");
	assert_string_equal(delta_field_physical_name(id, DELTA_COLUMN_MAPPING_NONE), "id");
	int32_t fid;
	assert_true(delta_field_id(id, &fid));
	assert_int_equal(fid, 1);
	const struct delta_field *s = delta_schema_find(t, "s");
	assert_string_equal(s->type->fields[0].physical_name, "col-x3");
	assert_int_equal(s->n_type_changes, 1);
	assert_string_equal(s->type_changes[0].to_type, "long");
	assert_true(delta_schema_check_column_mapping(t, DELTA_COLUMN_MAPPING_ID, NULL));
	delta_type_free(t);
	t = schema("{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\","
		   "\"nullable\":true,\"metadata\":{}}]}");
	struct lk_error err = LK_ERROR_INIT;
	assert_false(delta_schema_check_column_mapping(t, DELTA_COLUMN_MAPPING_NAME, &err));
	assert_int_equal(err.code, LK_ECORRUPT);
	delta_type_free(t);
}

#define FIELD(name, type, nullable) \
	"{\"name\":\"" name "\",\"type\":\"" type "\",\"nullable\":" nullable ",\"metadata\":{}}"
#define STRUCT(...) "{\"type\":\"struct\",\"fields\":[" __VA_ARGS__ "]}"

static enum delta_schema_change compare(const char *a, const char *b)
{
	struct delta_type *x = schema(a), *y = schema(b);
	enum delta_schema_change c = delta_schema_compare(x, y, NULL);
	delta_type_free(x);
	delta_type_free(y);
	return c;
}

static void test_schema_compare_identical_additive_incompatible(void **state)
{
	const char *base = STRUCT(FIELD("a", "integer", "true"));
	assert_int_equal(compare(base, base), DELTA_SCHEMA_IDENTICAL);
	assert_int_equal(compare(base, STRUCT(FIELD("a", "integer", "true") "," FIELD("b", "string", "true"))),
			 DELTA_SCHEMA_ADDITIVE);
	assert_int_equal(compare(base, STRUCT(FIELD("a", "integer", "true") "," FIELD("b", "string", "false"))),
			 DELTA_SCHEMA_INCOMPATIBLE);
	assert_int_equal(compare(base, STRUCT(FIELD("a", "integer", "false"))),
			 DELTA_SCHEMA_INCOMPATIBLE);
	assert_int_equal(compare(base, STRUCT(FIELD("b", "integer", "true"))),
			 DELTA_SCHEMA_INCOMPATIBLE);
	assert_int_equal(compare(base, STRUCT(FIELD("a", "long", "true"))), DELTA_SCHEMA_WIDENED);
	assert_int_equal(compare(STRUCT(FIELD("a", "long", "true")), base),
			 DELTA_SCHEMA_INCOMPATIBLE);
	struct delta_type *x = schema(base), *y = schema(STRUCT(FIELD("a", "integer", "false")));
	struct lk_buf what = LK_BUF_INIT;
	delta_schema_compare(x, y, &what);
	assert_non_null(strstr(lk_buf_cstr(&what), "column a: nullability"));
	lk_buf_free(&what);
	delta_type_free(x);
	delta_type_free(y);
}

static bool widens(const char *from, const char *to)
{
	char a[256], b[256];
	snprintf(a, sizeof a, STRUCT(FIELD("c", "%s", "true")), from);
	snprintf(b, sizeof b, STRUCT(FIELD("c", "%s", "true")), to);
	struct delta_type *x = schema(a), *y = schema(b);
	bool ok = delta_type_widening_allowed(x->fields[0].type, y->fields[0].type);
	delta_type_free(x);
	delta_type_free(y);
	return ok;
}

static void test_schema_type_widening_rules(void **state)
{
	assert_true(widens("byte", "short"));
	assert_true(widens("short", "long"));
	assert_true(widens("integer", "double"));
	assert_false(widens("long", "double"));
	assert_true(widens("float", "double"));
	assert_true(widens("date", "timestamp_ntz"));
	assert_false(widens("date", "timestamp"));
	assert_true(widens("decimal(10,2)", "decimal(12,4)"));
	assert_false(widens("decimal(10,2)", "decimal(11,4)")); /* loses an integer digit */
	assert_true(widens("integer", "decimal(10,0)"));
	assert_false(widens("integer", "decimal(10,1)"));
	assert_true(widens("long", "decimal(22,2)"));
	assert_false(widens("long", "decimal(20,1)"));
	assert_false(widens("long", "integer"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_protocol_reader_version_above_3_refused),
		cmocka_unit_test(test_protocol_unknown_reader_feature_refused),
		cmocka_unit_test(test_protocol_supported_features_and_alias_accepted),
		cmocka_unit_test(test_protocol_writer_features_never_block_reads),
		cmocka_unit_test(test_protocol_cdf_active_rules),
		cmocka_unit_test(test_protocol_ict_enablement_version),
		cmocka_unit_test(test_protocol_column_mapping_mode),
		cmocka_unit_test(test_schema_every_type_maps_to_lk_type),
		cmocka_unit_test(test_schema_bad_decimal_and_unknown_type),
		cmocka_unit_test(test_schema_names_with_dots_and_backticks),
		cmocka_unit_test(test_schema_column_mapping_names_and_ids),
		cmocka_unit_test(test_schema_compare_identical_additive_incompatible),
		cmocka_unit_test(test_schema_type_widening_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
