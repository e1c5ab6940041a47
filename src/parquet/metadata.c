/* parquet/metadata.c: parses the footer (FileMetaData with its schema elements, row groups,
 * column chunks with their statistics, and key-value metadata) and page headers from Thrift
 * compact bytes into the plain structs of internal.h. Fields the reader does not use are
 * skipped. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parquet/internal.h"
#include "util/xmalloc.h"

/* Reads one field (id, type) of a struct into out; skips the fields it does not know. */
typedef bool field_reader(struct pq_thrift *t, int16_t id, uint8_t type, void *out);

/* Reads a struct of Thrift type `outer` field by field, up to its STOP. */
static bool parse_struct(struct pq_thrift *t, uint8_t outer, field_reader *read_field, void *out)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	int16_t last_id = 0, id;
	uint8_t type;
	int more;
	while ((more = pq_thrift_field(t, &last_id, &id, &type)) == 1)
		if (!read_field(t, id, type, out))
			return false;
	pq_thrift_struct_end(t);
	return more == 0;
}

/* A list of structs into a new array (count elements of elem_size bytes). A list met a
 * second time is refused with `twice`. */
static bool parse_struct_list(struct pq_thrift *t, uint8_t type, size_t elem_size,
			      field_reader *read_field, void **array, size_t *count,
			      const char *twice)
{
	if (*array != NULL)
		return pq_thrift_fail(t, twice);
	uint8_t elem;
	size_t n;
	if (!pq_thrift_list(t, type, &elem, &n))
		return false;
	char *items = xcalloc(n ? n : 1, elem_size);
	*array = items;
	*count = n;
	for (size_t i = 0; i < n; i++)
		if (!parse_struct(t, elem, read_field, items + i * elem_size))
			return false;
	return true;
}

/* ---- logical types ----------------------------------------------------------------------- */

/* TimeUnit is a union of empty structs: the field id names the unit. */
static bool time_unit_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	enum pq_time_unit *unit = out;
	if (id >= 1 && id <= 3)
		*unit = (enum pq_time_unit)(PQ_UNIT_MILLIS + (id - 1));
	return pq_thrift_skip(t, type);
}

/* TimeType and TimestampType share their layout. */
static bool time_type_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_logical *lt = out;
	switch (id) {
	case 1: return pq_thrift_bool(t, type, &lt->utc);
	case 2: return parse_struct(t, type, time_unit_field, &lt->unit);
	default: return pq_thrift_skip(t, type);
	}
}

static bool decimal_type_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_logical *lt = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &lt->scale);
	case 2: return pq_thrift_i32(t, type, &lt->precision);
	default: return pq_thrift_skip(t, type);
	}
}

static bool int_type_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_logical *lt = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &lt->bit_width);
	case 2: return pq_thrift_bool(t, type, &lt->is_signed);
	default: return pq_thrift_skip(t, type);
	}
}

/* LogicalType is a union: the field id names the type; most carry an empty struct. */
static bool logical_type_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_logical *lt = out;
	lt->id = id;
	switch (id) {
	case PQ_LT_DECIMAL: return parse_struct(t, type, decimal_type_field, lt);
	case PQ_LT_TIME:
	case PQ_LT_TIMESTAMP: return parse_struct(t, type, time_type_field, lt);
	case PQ_LT_INTEGER: return parse_struct(t, type, int_type_field, lt);
	default: return pq_thrift_skip(t, type);
	}
}

/* ---- the footer --------------------------------------------------------------------------- */

static bool schema_element_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_schema_element *se = out;
	switch (id) {
	case 1: se->has_type = true; return pq_thrift_i32(t, type, &se->type);
	case 2: return pq_thrift_i32(t, type, &se->type_length);
	case 3: se->has_repetition = true; return pq_thrift_i32(t, type, &se->repetition);
	case 4: return pq_thrift_string(t, type, &se->name);
	case 5: se->has_num_children = true; return pq_thrift_i32(t, type, &se->num_children);
	case 6: se->has_converted = true; return pq_thrift_i32(t, type, &se->converted_type);
	case 7: se->has_scale = true; return pq_thrift_i32(t, type, &se->scale);
	case 8: se->has_precision = true; return pq_thrift_i32(t, type, &se->precision);
	case 9: se->has_field_id = true; return pq_thrift_i32(t, type, &se->field_id);
	case 10: return parse_struct(t, type, logical_type_field, &se->logical);
	default: return pq_thrift_skip(t, type);
	}
}

/* One binary field of Statistics, pointing into the footer until it is kept or dropped. */
struct stats_bound {
	const uint8_t *data;
	size_t len;
	bool present;
};

/* Statistics as read, before stats_keep() picks what is kept. */
struct raw_stats {
	struct stats_bound max, min, max_value, min_value;
	bool has_null_count;
	int64_t null_count;
	bool inexact;
};

static bool parse_stats_bound(struct pq_thrift *t, uint8_t type, struct stats_bound *b)
{
	b->present = true;
	return pq_thrift_binary(t, type, &b->data, &b->len);
}

/* is_max_value_exact / is_min_value_exact: only a false one matters. */
static bool parse_stats_exact(struct pq_thrift *t, uint8_t type, struct raw_stats *raw)
{
	bool exact;
	if (!pq_thrift_bool(t, type, &exact))
		return false;
	raw->inexact = raw->inexact || !exact;
	return true;
}

/* A copy of the bound, or NULL when it is absent or longer than PQ_STATS_MAX_VALUE_BYTES. */
static uint8_t *stats_bound_copy(const struct stats_bound *b, size_t *len)
{
	*len = 0;
	if (!b->present || b->len > PQ_STATS_MAX_VALUE_BYTES)
		return NULL;
	uint8_t *copy = xmalloc(b->len ? b->len : 1);
	memcpy(copy, b->data, b->len);
	*len = b->len;
	return copy;
}

static void stats_clear(struct pq_chunk_stats *s)
{
	free(s->min);
	free(s->max);
	memset(s, 0, sizeof *s);
}

/* Keeps the null count and one pair of bounds: min_value/max_value when either is there
 * (the deprecated pair may disagree with them: old writers compared bytes as signed). */
static void stats_keep(const struct raw_stats *raw, struct pq_chunk_stats *out)
{
	stats_clear(out); /* a footer may repeat the field: the last one counts */
	bool current = raw->min_value.present || raw->max_value.present;
	out->has_null_count = raw->has_null_count;
	out->null_count = raw->null_count;
	out->deprecated = !current;
	out->declared_inexact = raw->inexact;
	out->min = stats_bound_copy(current ? &raw->min_value : &raw->min, &out->min_len);
	out->max = stats_bound_copy(current ? &raw->max_value : &raw->max, &out->max_len);
}

static bool statistics_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct raw_stats *raw = out;
	switch (id) {
	case 1: return parse_stats_bound(t, type, &raw->max);
	case 2: return parse_stats_bound(t, type, &raw->min);
	case 3: raw->has_null_count = true; return pq_thrift_int(t, type, &raw->null_count);
	case 5: return parse_stats_bound(t, type, &raw->max_value);
	case 6: return parse_stats_bound(t, type, &raw->min_value);
	case 7:
	case 8: return parse_stats_exact(t, type, raw);
	default: return pq_thrift_skip(t, type);
	}
}

static bool parse_statistics(struct pq_thrift *t, uint8_t outer, struct pq_chunk_stats *stats)
{
	struct raw_stats raw = { 0 };
	if (!parse_struct(t, outer, statistics_field, &raw))
		return false;
	stats_keep(&raw, stats);
	return true;
}

static bool column_meta_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_column_meta *cm = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &cm->type);
	case 4: return pq_thrift_i32(t, type, &cm->codec);
	case 5: return pq_thrift_int(t, type, &cm->num_values);
	case 6: return pq_thrift_int(t, type, &cm->total_uncompressed_size);
	case 7: return pq_thrift_int(t, type, &cm->total_compressed_size);
	case 9: return pq_thrift_int(t, type, &cm->data_page_offset);
	case 11:
		cm->has_dictionary_page_offset = true;
		return pq_thrift_int(t, type, &cm->dictionary_page_offset);
	case 12: return parse_statistics(t, type, &cm->stats);
	default: return pq_thrift_skip(t, type);
	}
}

static bool column_chunk_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_column_chunk *cc = out;
	switch (id) {
	case 1: cc->external = true; return pq_thrift_skip(t, type);
	case 3: cc->has_meta = true; return parse_struct(t, type, column_meta_field, &cc->meta);
	case 8:
	case 9: cc->encrypted = true; return pq_thrift_skip(t, type);
	default: return pq_thrift_skip(t, type);
	}
}

static bool row_group_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_row_group *rg = out;
	switch (id) {
	case 1:
		return parse_struct_list(t, type, sizeof *rg->columns, column_chunk_field,
					 (void **)&rg->columns, &rg->n_columns,
					 "row group lists its columns twice");
	case 3: return pq_thrift_int(t, type, &rg->num_rows);
	default: return pq_thrift_skip(t, type);
	}
}

static bool kv_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_kv *kv = out;
	switch (id) {
	case 1: return pq_thrift_string(t, type, &kv->key);
	case 2: return pq_thrift_string(t, type, &kv->value);
	default: return pq_thrift_skip(t, type);
	}
}

static bool file_meta_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_file_meta *m = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &m->version);
	case 2:
		return parse_struct_list(t, type, sizeof *m->schema, schema_element_field,
					 (void **)&m->schema, &m->n_schema, "schema listed twice");
	case 3: return pq_thrift_int(t, type, &m->num_rows);
	case 4:
		return parse_struct_list(t, type, sizeof *m->row_groups, row_group_field,
					 (void **)&m->row_groups, &m->n_row_groups,
					 "row groups listed twice");
	case 5:
		return parse_struct_list(t, type, sizeof *m->kv, kv_field, (void **)&m->kv,
					 &m->n_kv, "key-value metadata listed twice");
	case 6: return pq_thrift_string(t, type, &m->created_by);
	case 8: m->has_encryption_algorithm = true; return pq_thrift_skip(t, type);
	default: return pq_thrift_skip(t, type);
	}
}

/* What the struct walk cannot say by itself: every schema element has a name, every
 * key has a string. */
static bool file_meta_complete(struct pq_thrift *t, struct pq_file_meta *m)
{
	for (size_t i = 0; i < m->n_schema; i++)
		if (m->schema[i].name == NULL)
			return pq_thrift_fail(t, "schema element without a name");
	for (size_t i = 0; i < m->n_kv; i++)
		if (m->kv[i].key == NULL)
			m->kv[i].key = xstrdup("");
	return true;
}

static bool parse_file_meta(struct pq_thrift *t, struct pq_file_meta *m)
{
	return parse_struct(t, PQ_T_STRUCT, file_meta_field, m) && file_meta_complete(t, m);
}

bool pq_meta_parse(const uint8_t *data, size_t len, struct pq_file_meta *meta,
		   struct lk_error *err)
{
	memset(meta, 0, sizeof *meta);
	struct pq_thrift t;
	pq_thrift_init(&t, data, len);
	if (!parse_file_meta(&t, meta)) {
		lk_error_set(err, LK_ECORRUPT, "corrupt footer: %s",
			     t.error ? t.error : "bad Thrift");
		pq_meta_free(meta);
		return false;
	}
	if (meta->n_schema == 0) {
		pq_meta_free(meta);
		return lk_error_set(err, LK_ECORRUPT, "corrupt footer: no schema");
	}
	if (meta->num_rows < 0) {
		pq_meta_free(meta);
		return lk_error_set(err, LK_ECORRUPT, "corrupt footer: negative row count");
	}
	return true;
}

void pq_meta_free(struct pq_file_meta *meta)
{
	for (size_t i = 0; i < meta->n_schema; i++)
		free(meta->schema[i].name);
	free(meta->schema);
	for (size_t i = 0; i < meta->n_row_groups; i++) {
		struct pq_row_group *rg = &meta->row_groups[i];
		for (size_t c = 0; c < rg->n_columns; c++)
			stats_clear(&rg->columns[c].meta.stats);
		free(rg->columns);
	}
	free(meta->row_groups);
	for (size_t i = 0; i < meta->n_kv; i++) {
		free(meta->kv[i].key);
		free(meta->kv[i].value);
	}
	free(meta->kv);
	free(meta->created_by);
	memset(meta, 0, sizeof *meta);
}

/* ---- page headers ------------------------------------------------------------------------- */

static bool data_page_header_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_page_header *h = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &h->num_values);
	case 2: return pq_thrift_i32(t, type, &h->encoding);
	case 3: return pq_thrift_i32(t, type, &h->def_encoding);
	case 4: return pq_thrift_i32(t, type, &h->rep_encoding);
	default: return pq_thrift_skip(t, type);
	}
}

static bool dictionary_page_header_field(struct pq_thrift *t, int16_t id, uint8_t type,
					 void *out)
{
	struct pq_page_header *h = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &h->dict_num_values);
	case 2: return pq_thrift_i32(t, type, &h->dict_encoding);
	default: return pq_thrift_skip(t, type);
	}
}

static bool data_page_header_v2_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_page_header *h = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &h->v2_num_values);
	case 2: return pq_thrift_i32(t, type, &h->v2_num_nulls);
	case 3: return pq_thrift_i32(t, type, &h->v2_num_rows);
	case 4: return pq_thrift_i32(t, type, &h->v2_encoding);
	case 5: return pq_thrift_i32(t, type, &h->v2_def_length);
	case 6: return pq_thrift_i32(t, type, &h->v2_rep_length);
	case 7: return pq_thrift_bool(t, type, &h->v2_is_compressed);
	default: return pq_thrift_skip(t, type);
	}
}

static bool page_header_field(struct pq_thrift *t, int16_t id, uint8_t type, void *out)
{
	struct pq_page_header *h = out;
	switch (id) {
	case 1: return pq_thrift_i32(t, type, &h->type);
	case 2: return pq_thrift_i32(t, type, &h->uncompressed_size);
	case 3: return pq_thrift_i32(t, type, &h->compressed_size);
	case 5: h->has_data = true; return parse_struct(t, type, data_page_header_field, h);
	case 7:
		h->has_dictionary = true;
		return parse_struct(t, type, dictionary_page_header_field, h);
	case 8:
		h->has_data_v2 = true;
		h->v2_is_compressed = true; /* the field's default */
		return parse_struct(t, type, data_page_header_v2_field, h);
	default: return pq_thrift_skip(t, type);
	}
}

static bool parse_page_header(struct pq_thrift *t, struct pq_page_header *h)
{
	return parse_struct(t, PQ_T_STRUCT, page_header_field, h);
}

bool pq_page_header_parse(const uint8_t *data, size_t len, struct pq_page_header *hdr,
			  size_t *header_len, struct lk_error *err)
{
	memset(hdr, 0, sizeof *hdr);
	hdr->type = -1;
	struct pq_thrift t;
	pq_thrift_init(&t, data, len);
	if (!parse_page_header(&t, hdr))
		return lk_error_set(err, LK_ECORRUPT, "corrupt page header: %s",
				    t.error ? t.error : "bad Thrift");
	*header_len = (size_t)(t.pos - (const uint8_t *)data);
	if (hdr->uncompressed_size < 0 || hdr->compressed_size < 0)
		return lk_error_set(err, LK_ECORRUPT,
				    "corrupt page header: negative page size (%d, %d)",
				    hdr->compressed_size, hdr->uncompressed_size);
	return true;
}
