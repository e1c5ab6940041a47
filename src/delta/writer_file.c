/* delta/writer_file.c: one data or change data file of a Delta commit: the Parquet schema
 * derived from the table schema, the Hive-style partition directory, the file itself
 * (through parquet/writer.h) and the per-file stats JSON; and the serialized form of
 * partition values. Knows nothing of the log: delta/writer.c records the actions. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#include <uuid/uuid.h>

#include "delta/writer.h"
#include "parquet/writer.h"
#include "util/clock.h"
#include "util/xmalloc.h"

enum {
	STATS_STRING_PREFIX_CHARS = 32, /* Delta's default string stats prefix length */
	DECIMAL_TEXT_MAX = 48,
};

static const char CHANGE_DATA_DIR[] = "_change_data";
static const char CHANGE_TYPE_COLUMN[] = "_change_type";
static const char NULL_PARTITION_DIR[] = "__HIVE_DEFAULT_PARTITION__";
/* Characters Hive escapes in partition directory names (besides control characters). */
static const char HIVE_ESCAPED[] = "\"#%'*/:=?\\{[]^";

static const char *const change_types[] = {
	"insert", "delete", "update_preimage", "update_postimage",
};

typedef __int128 i128;
typedef unsigned __int128 u128;

/* ---- the Parquet schema of a file ------------------------------------------------------ */

static void pq_field_from_delta(struct pq_field *f, const char *name, const struct delta_type *t,
				bool nullable)
{
	memset(f, 0, sizeof *f);
	f->name = name;
	f->type = delta_type_lk_id(t);
	f->nullable = nullable;
	f->precision = t->precision;
	f->scale = t->scale;
	struct pq_field *children = NULL;
	switch (t->kind) {
	case DELTA_TYPE_STRUCT:
		children = xcalloc(t->n_fields, sizeof *children);
		for (size_t i = 0; i < t->n_fields; i++)
			pq_field_from_delta(&children[i], t->fields[i].name, t->fields[i].type,
					    t->fields[i].nullable);
		f->n_children = t->n_fields;
		break;
	case DELTA_TYPE_ARRAY:
		children = xcalloc(1, sizeof *children);
		pq_field_from_delta(&children[0], "element", t->element, t->contains_null);
		f->n_children = 1;
		break;
	case DELTA_TYPE_MAP:
		children = xcalloc(2, sizeof *children);
		pq_field_from_delta(&children[0], "key", t->key, false);
		pq_field_from_delta(&children[1], "value", t->value, t->value_contains_null);
		f->n_children = 2;
		break;
	default:
		break;
	}
	f->children = children;
}

static void pq_fields_free(struct pq_field *fields, size_t n)
{
	for (size_t i = 0; fields && i < n; i++)
		pq_fields_free((struct pq_field *)fields[i].children, fields[i].n_children);
	free(fields);
}

static bool is_partition_column(const struct delta_write_target *t, const char *name)
{
	for (size_t i = 0; i < t->n_partition_columns; i++)
		if (strcmp(t->partition_columns[i], name) == 0)
			return true;
	return false;
}

/* The file's columns: the non-partition columns in schema order, plus _change_type for a
 * change data file. */
static struct pq_field *file_fields(const struct delta_write_target *t, size_t *n)
{
	const struct delta_type *schema = t->schema;
	struct pq_field *fields = xcalloc(schema->n_fields + 1, sizeof *fields);
	*n = 0;
	for (size_t i = 0; i < schema->n_fields; i++) {
		const struct delta_field *df = &schema->fields[i];
		if (!is_partition_column(t, df->name))
			pq_field_from_delta(&fields[(*n)++], df->name, df->type, df->nullable);
	}
	if (t->cdc)
		fields[(*n)++] = (struct pq_field){
			.name = CHANGE_TYPE_COLUMN, .type = LK_TYPE_STRING, .nullable = true,
		};
	return fields;
}

static bool batch_check(const struct delta_write_target *t, const struct lk_batch *batch,
			const struct pq_field *fields, size_t n, struct lk_error *err)
{
	if (batch->selection)
		return lk_error_set(err, LK_EINVAL, "table %s: version %lld: the batch has a row "
				    "selection; write a batch of live rows only", t->root,
				    (long long)t->version);
	if (batch->n_columns != n)
		return lk_error_set(err, LK_EINVAL, "table %s: version %lld: the batch has %zu "
				    "columns, the %s file needs %zu (the non-partition columns%s)",
				    t->root, (long long)t->version, batch->n_columns,
				    t->cdc ? "change data" : "data", n, t->cdc ? " and _change_type" : "");
	for (size_t i = 0; i < n; i++) {
		const char *name = batch->columns[i].name;
		if (name && strcmp(name, fields[i].name) != 0)
			return lk_error_set(err, LK_EINVAL, "table %s: version %lld: batch column %zu "
					    "is %s, the table has %s there", t->root,
					    (long long)t->version, i, name, fields[i].name);
	}
	return true;
}

static bool change_types_check(const struct delta_write_target *t, const struct lk_batch *batch,
			       struct lk_error *err)
{
	const struct lk_vector *v = &batch->columns[batch->n_columns - 1];
	if (v->type != LK_TYPE_STRING)
		return lk_error_set(err, LK_EINVAL, "table %s: version %lld: %s must be a string "
				    "column", t->root, (long long)t->version, CHANGE_TYPE_COLUMN);
	for (size_t row = 0; row < batch->n_rows; row++) {
		bool known = false;
		for (size_t k = 0; !lk_vector_is_null(v, row) && k < 4; k++)
			known |= v->v.bytes[row].len == strlen(change_types[k]) &&
				 memcmp(v->v.bytes[row].ptr, change_types[k], v->v.bytes[row].len) == 0;
		if (!known)
			return lk_error_set(err, LK_EINVAL, "table %s: version %lld: row %zu: %s must "
					    "be insert, delete, update_preimage or update_postimage",
					    t->root, (long long)t->version, row, CHANGE_TYPE_COLUMN);
	}
	return true;
}

/* ---- paths --------------------------------------------------------------------------- */

static void hive_escape(const char *s, struct lk_buf *out)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || strchr(HIVE_ESCAPED, *p))
			lk_buf_printf(out, "%%%02X", *p);
		else
			lk_buf_append_byte(out, *p);
	}
}

/* "[_change_data/]k1=v1/k2=v2/" */
static void partition_dir(const struct delta_write_target *t, struct lk_buf *out)
{
	if (t->cdc) {
		lk_buf_append_str(out, CHANGE_DATA_DIR);
		lk_buf_append_byte(out, '/');
	}
	for (size_t i = 0; i < t->n_partition_columns; i++) {
		const char *value = delta_map_get(t->partition_values, t->partition_columns[i]);
		hive_escape(t->partition_columns[i], out);
		lk_buf_append_byte(out, '=');
		if (value && value[0])
			hive_escape(value, out);
		else
			lk_buf_append_str(out, NULL_PARTITION_DIR);
		lk_buf_append_byte(out, '/');
	}
}

/* Creates every directory of rel_dir ("a=1/b=2/") under root. */
static bool mkdirs(const char *root, const char *rel_dir, struct lk_error *err)
{
	struct lk_buf dir = LK_BUF_INIT;
	lk_buf_append_str(&dir, root);
	lk_buf_append_byte(&dir, '/');
	bool ok = true;
	for (const char *p = rel_dir; ok && *p; p++) {
		if (*p == '/' && mkdir(lk_buf_cstr(&dir), 0777) != 0 && errno != EEXIST)
			ok = lk_error_set_errno(err, LK_EIO, errno, "cannot create directory %s",
						lk_buf_cstr(&dir));
		lk_buf_append_byte(&dir, (uint8_t)*p);
	}
	lk_buf_free(&dir);
	return ok;
}

/* Unreserved characters, '/', '=' and a few sub-delimiters stay; everything else (and '%')
 * becomes %XX, so that decoding once gives the path back. */
void delta_path_encode(const char *path, struct lk_buf *out)
{
	static const char safe[] = "-._~/=!$&'()*+,;@";
	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		if (isalnum(*p) || (*p < 0x80 && strchr(safe, *p)))
			lk_buf_append_byte(out, *p);
		else
			lk_buf_printf(out, "%%%02X", *p);
	}
}

/* ---- values as text -------------------------------------------------------------------- */

static void i128_text(i128 v, int scale, struct lk_buf *out)
{
	char digits[DECIMAL_TEXT_MAX];
	size_t n = 0;
	u128 mag = v < 0 ? (u128)0 - (u128)v : (u128)v;
	do {
		digits[n++] = (char)('0' + (int)(mag % 10));
		mag /= 10;
	} while (mag > 0);
	while ((int)n <= scale)
		digits[n++] = '0';
	if (v < 0)
		lk_buf_append_byte(out, '-');
	for (size_t i = n; i > 0; i--) {
		lk_buf_append_byte(out, (uint8_t)digits[i - 1]);
		if (scale > 0 && i - 1 == (size_t)scale)
			lk_buf_append_byte(out, '.');
	}
}

static i128 decimal_from_bytes(struct lk_bytes b)
{
	i128 v = b.len > 0 && (b.ptr[0] & 0x80) ? -1 : 0;
	for (uint32_t i = 0; i < b.len; i++)
		v = (i128)(((u128)v << 8) | b.ptr[i]);
	return v;
}

static void float_text(double v, bool single, struct lk_buf *out)
{
	char text[40];
	for (int digits = single ? 6 : 15; digits <= 17; digits++) {
		snprintf(text, sizeof text, "%.*g", digits, v);
		double back = strtod(text, NULL);
		if (single ? (float)back == (float)v : back == v)
			break;
	}
	lk_buf_append_str(out, text);
}

static void date_text(int64_t days, struct lk_buf *out)
{
	int64_t y;
	unsigned m, d;
	lk_civil_from_days(days, &y, &m, &d);
	lk_buf_printf(out, "%04lld-%02u-%02u", (long long)y, m, d);
}

/* RFC 3339 in UTC ("...Z"); ntz: without the zone, and `sep` between date and time. */
static void timestamp_text(int64_t us, enum lk_time_precision precision, bool ntz, char sep,
			   struct lk_buf *out)
{
	char text[LK_RFC3339_MAX];
	size_t len = lk_time_format_rfc3339(us, precision, text, sizeof text);
	char *t = strchr(text, 'T');
	if (t)
		*t = sep;
	if (ntz && len > 0 && text[len - 1] == 'Z')
		text[--len] = '\0';
	lk_buf_append(out, text, len);
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

bool delta_partition_value_format(const struct lk_vector *vec, size_t row, struct lk_buf *out,
				  bool *is_null, struct lk_error *err)
{
	*is_null = lk_vector_is_null(vec, row);
	if (*is_null)
		return true;
	switch (vec->type) {
	case LK_TYPE_BOOLEAN:
		lk_buf_append_str(out, vec->v.u8[row] ? "true" : "false");
		return true;
	case LK_TYPE_INT8: case LK_TYPE_INT16: case LK_TYPE_INT32:
		lk_buf_printf(out, "%d", vec->v.i32[row]);
		return true;
	case LK_TYPE_INT64:
		lk_buf_printf(out, "%lld", (long long)vec->v.i64[row]);
		return true;
	case LK_TYPE_FLOAT:
		float_text(vec->v.f32[row], true, out);
		return true;
	case LK_TYPE_DOUBLE:
		float_text(vec->v.f64[row], false, out);
		return true;
	case LK_TYPE_DECIMAL:
		i128_text(vec->precision <= 18 ? (i128)vec->v.i64[row]
					       : decimal_from_bytes(vec->v.bytes[row]),
			  vec->scale, out);
		return true;
	case LK_TYPE_STRING:
		lk_buf_append(out, vec->v.bytes[row].ptr, vec->v.bytes[row].len);
		return true;
	case LK_TYPE_DATE:
		date_text(vec->v.i32[row], out);
		return true;
	case LK_TYPE_TIMESTAMP:
		timestamp_text(vec->v.i64[row], LK_TIME_MICROS, false, 'T', out);
		return true;
	case LK_TYPE_TIMESTAMP_NTZ:
		timestamp_text(vec->v.i64[row], LK_TIME_MICROS, true, ' ', out);
		return true;
	default:
		return lk_error_set(err, LK_EUNSUPPORTED, "column %s: a %s value cannot be a "
				    "partition value", vec->name ? vec->name : "?",
				    lk_type_name(vec->type));
	}
}

/* ---- stats ----------------------------------------------------------------------------- */

/* The object at path[0..depth) under root, created as needed. */
static cJSON *stats_object(cJSON *root, char *const *path, size_t depth)
{
	cJSON *obj = root;
	for (size_t i = 0; i < depth; i++) {
		cJSON *next = cJSON_GetObjectItemCaseSensitive(obj, path[i]);
		if (next == NULL)
			next = cJSON_AddObjectToObject(obj, path[i]);
		obj = next;
	}
	return obj;
}

/* Byte length of the first `chars` UTF-8 characters of s (all of it when shorter). */
static size_t utf8_prefix(const uint8_t *s, size_t len, size_t chars, bool *cut)
{
	size_t i = 0, n = 0;
	while (i < len && n < chars) {
		i++;
		while (i < len && (s[i] & 0xC0) == 0x80)
			i++;
		n++;
	}
	*cut = i < len;
	return i;
}

/* A string bound: the 32-character prefix; a cut maximum gets U+10FFFF appended so that it
 * stays >= every value (byte order), or is left out (false) when that cannot work. */
static bool string_stat(struct lk_bytes b, bool is_max, struct lk_buf *out)
{
	bool cut;
	size_t len = utf8_prefix(b.ptr, b.len, STATS_STRING_PREFIX_CHARS, &cut);
	if (memchr(b.ptr, '\0', len))
		return false;
	lk_buf_append(out, b.ptr, len);
	if (cut && is_max) {
		static const uint8_t max_char[] = { 0xF4, 0x8F, 0xBF, 0xBF };
		if (b.len - len >= 4 && memcmp(b.ptr + len, max_char, 4) == 0)
			return false;
		lk_buf_append(out, max_char, sizeof max_char);
	}
	return true;
}

/* The JSON of one bound, or NULL when this type has no min/max stats. */
static cJSON *stat_json(const struct pq_column_stats *col, const struct pq_stat_value *v,
			bool is_max, uint8_t precision, uint8_t scale)
{
	struct lk_buf text = LK_BUF_INIT;
	cJSON *item = NULL;
	switch (col->type) {
	case LK_TYPE_INT8: case LK_TYPE_INT16: case LK_TYPE_INT32: case LK_TYPE_INT64:
		lk_buf_printf(&text, "%lld", (long long)v->i64);
		item = cJSON_CreateRaw(lk_buf_cstr(&text));
		break;
	case LK_TYPE_FLOAT: case LK_TYPE_DOUBLE:
		if (isfinite(v->f64)) {
			float_text(v->f64, col->type == LK_TYPE_FLOAT, &text);
			item = cJSON_CreateRaw(lk_buf_cstr(&text));
		}
		break;
	case LK_TYPE_DECIMAL:
		i128_text(precision <= 18 ? (i128)v->i64 : decimal_from_bytes(v->bytes), scale, &text);
		item = cJSON_CreateRaw(lk_buf_cstr(&text));
		break;
	case LK_TYPE_STRING:
		if (string_stat(v->bytes, is_max, &text))
			item = cJSON_CreateString(lk_buf_cstr(&text));
		break;
	case LK_TYPE_DATE:
		date_text(v->i64, &text);
		item = cJSON_CreateString(lk_buf_cstr(&text));
		break;
	case LK_TYPE_TIMESTAMP: case LK_TYPE_TIMESTAMP_NTZ:
		/* truncated down to milliseconds, as Delta readers expect */
		timestamp_text(floor_div(v->i64, 1000) * 1000, LK_TIME_MILLIS,
			       col->type == LK_TYPE_TIMESTAMP_NTZ, 'T', &text);
		item = cJSON_CreateString(lk_buf_cstr(&text));
		break;
	default:
		break;
	}
	lk_buf_free(&text);
	return item;
}

/* The decimal precision and scale of a leaf, found through the schema by its path. */
static const struct delta_type *leaf_type(const struct delta_type *schema,
					  const struct pq_column_stats *col)
{
	const struct delta_type *t = schema;
	for (size_t i = 0; t && i < col->path_len; i++) {
		const struct delta_type *next = NULL;
		for (size_t k = 0; t->kind == DELTA_TYPE_STRUCT && k < t->n_fields; k++)
			if (strcmp(t->fields[k].name, col->path[i]) == 0)
				next = t->fields[k].type;
		t = next;
	}
	return t;
}

static char *stats_json(const struct delta_write_target *t, const struct pq_write_result *res)
{
	cJSON *stats = cJSON_CreateObject();
	char num[32];
	snprintf(num, sizeof num, "%lld", (long long)res->num_rows);
	cJSON_AddRawToObject(stats, "numRecords", num);
	cJSON *mins = cJSON_AddObjectToObject(stats, "minValues");
	cJSON *maxs = cJSON_AddObjectToObject(stats, "maxValues");
	cJSON *nulls = cJSON_AddObjectToObject(stats, "nullCount");
	for (size_t i = 0; i < res->n_columns; i++) {
		const struct pq_column_stats *col = &res->columns[i];
		if (col->max_repetition_level > 0 || col->path_len == 0)
			continue; /* inside a list or map: no stats */
		char *const *path = col->path;
		size_t last = col->path_len - 1;
		snprintf(num, sizeof num, "%lld", (long long)col->null_count);
		cJSON_AddRawToObject(stats_object(nulls, path, last), path[last], num);
		if (!col->has_min_max)
			continue;
		const struct delta_type *dt = leaf_type(t->schema, col);
		uint8_t precision = dt ? dt->precision : 0, scale = dt ? dt->scale : 0;
		cJSON *lo = stat_json(col, &col->min, false, precision, scale);
		cJSON *hi = stat_json(col, &col->max, true, precision, scale);
		if (lo && hi) {
			cJSON_AddItemToObject(stats_object(mins, path, last), path[last], lo);
			cJSON_AddItemToObject(stats_object(maxs, path, last), path[last], hi);
		} else {
			cJSON_Delete(lo);
			cJSON_Delete(hi);
		}
	}
	char *text = cJSON_PrintUnformatted(stats);
	cJSON_Delete(stats);
	char *copy = xstrdup(text);
	cJSON_free(text);
	return copy;
}

/* ---- the file -------------------------------------------------------------------------- */

static char *file_name(bool cdc)
{
	uuid_t id;
	char text[37];
	uuid_generate_random(id);
	uuid_unparse_lower(id, text);
	return cdc ? xasprintf("cdc-00000-%s.c000.snappy.parquet", text)
		   : xasprintf("part-00000-%s-c000.snappy.parquet", text);
}

static bool parquet_write(const struct delta_write_target *t, const char *local_path,
			  const struct pq_field *fields, size_t n, const struct lk_batch *batch,
			  struct pq_write_result *res, struct lk_error *err)
{
	struct pq_write_schema schema = { .fields = fields, .n_fields = n };
	struct pq_writer_options opts = {
		.codec = PQ_CODEC_SNAPPY,
		.row_group_rows = t->row_group_rows,
		.fsync = t->fsync,
	};
	struct pq_writer *pw = pq_writer_open(local_path, &schema, &opts, err);
	if (pw == NULL)
		return false;
	if (!pq_writer_write_batch(pw, batch, err)) {
		pq_writer_abort(pw);
		return false;
	}
	return pq_writer_close(pw, res, err);
}

bool delta_data_file_write(const struct delta_write_target *t, const struct lk_batch *batch,
			   struct delta_written_file *out, struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	size_t n;
	struct pq_field *fields = file_fields(t, &n);
	bool ok = batch_check(t, batch, fields, n, err) &&
		  (!t->cdc || change_types_check(t, batch, err));
	struct lk_buf rel = LK_BUF_INIT;
	partition_dir(t, &rel);
	ok = ok && mkdirs(t->root, lk_buf_cstr(&rel), err);
	char *name = file_name(t->cdc);
	lk_buf_append_str(&rel, name);
	free(name);
	char *local_path = xasprintf("%s/%s", t->root, lk_buf_cstr(&rel));
	struct pq_write_result res = { 0 };
	if (ok && !parquet_write(t, local_path, fields, n, batch, &res, err))
		ok = lk_error_prefix(err, "table %s: version %lld", t->root, (long long)t->version);
	pq_fields_free(fields, n);
	if (!ok) {
		free(local_path);
		lk_buf_free(&rel);
		return false;
	}
	out->path = lk_buf_detach(&rel);
	out->local_path = local_path;
	out->size = res.file_size;
	out->stats = t->cdc ? NULL : stats_json(t, &res);
	pq_write_result_free(&res);
	return true;
}
