/* parquet/metadata.c: parses the footer (FileMetaData with its schema elements, row groups,
 * column chunks with their statistics, and key-value metadata) and page headers from Thrift
 * compact bytes into the plain structs of internal.h. Fields the reader does not use are
 * skipped. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "parquet/internal.h"
#include "util/xmalloc.h"

/* A struct parser: reads the fields of one struct (after its begin) up to STOP. */
#define FIELD_LOOP_BEGIN                                                                   \
	int16_t last_id = 0, id;                                                           \
	uint8_t type;                                                                      \
	int more;                                                                          \
	while ((more = pq_thrift_field(t, &last_id, &id, &type)) == 1)

static bool parse_empty_struct(struct pq_thrift *t, uint8_t type)
{
	return pq_thrift_skip(t, type);
}

static bool parse_time_unit(struct pq_thrift *t, uint8_t outer, enum pq_time_unit *unit)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		if (id >= 1 && id <= 3)
			*unit = (enum pq_time_unit)(PQ_UNIT_MILLIS + (id - 1));
		if (!pq_thrift_skip(t, type))
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

/* TimeType and TimestampType share their layout. */
static bool parse_time_type(struct pq_thrift *t, uint8_t outer, struct pq_logical *lt)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		if (id == 1)
			ok = pq_thrift_bool(t, type, &lt->utc);
		else if (id == 2)
			ok = parse_time_unit(t, type, &lt->unit);
		else
			ok = pq_thrift_skip(t, type);
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_decimal_type(struct pq_thrift *t, uint8_t outer, struct pq_logical *lt)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		if (id == 1)
			ok = pq_thrift_i32(t, type, &lt->scale);
		else if (id == 2)
			ok = pq_thrift_i32(t, type, &lt->precision);
		else
			ok = pq_thrift_skip(t, type);
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_int_type(struct pq_thrift *t, uint8_t outer, struct pq_logical *lt)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		if (id == 1)
			ok = pq_thrift_i32(t, type, &lt->bit_width);
		else if (id == 2)
			ok = pq_thrift_bool(t, type, &lt->is_signed);
		else
			ok = pq_thrift_skip(t, type);
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_logical_type(struct pq_thrift *t, uint8_t outer, struct pq_logical *lt)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		lt->id = id;
		switch (id) {
		case PQ_LT_DECIMAL: ok = parse_decimal_type(t, type, lt); break;
		case PQ_LT_TIME:
		case PQ_LT_TIMESTAMP: ok = parse_time_type(t, type, lt); break;
		case PQ_LT_INTEGER: ok = parse_int_type(t, type, lt); break;
		default: ok = parse_empty_struct(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_schema_element(struct pq_thrift *t, uint8_t outer,
				 struct pq_schema_element *se)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: ok = pq_thrift_i32(t, type, &se->type); se->has_type = true; break;
		case 2: ok = pq_thrift_i32(t, type, &se->type_length); break;
		case 3:
			ok = pq_thrift_i32(t, type, &se->repetition);
			se->has_repetition = true;
			break;
		case 4: ok = pq_thrift_string(t, type, &se->name); break;
		case 5:
			ok = pq_thrift_i32(t, type, &se->num_children);
			se->has_num_children = true;
			break;
		case 6:
			ok = pq_thrift_i32(t, type, &se->converted_type);
			se->has_converted = true;
			break;
		case 7: ok = pq_thrift_i32(t, type, &se->scale); se->has_scale = true; break;
		case 8:
			ok = pq_thrift_i32(t, type, &se->precision);
			se->has_precision = true;
			break;
		case 9:
			ok = pq_thrift_i32(t, type, &se->field_id);
			se->has_field_id = true;
			break;
		case 10: ok = parse_logical_type(t, type, &se->logical); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	if (more == 0 && se->name == NULL)
		return pq_thrift_fail(t, "schema element without a name");
	return more == 0;
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

static bool parse_statistics(struct pq_thrift *t, uint8_t outer, struct pq_chunk_stats *stats)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	struct raw_stats raw = { 0 };
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: ok = parse_stats_bound(t, type, &raw.max); break;
		case 2: ok = parse_stats_bound(t, type, &raw.min); break;
		case 3:
			ok = pq_thrift_int(t, type, &raw.null_count);
			raw.has_null_count = true;
			break;
		case 5: ok = parse_stats_bound(t, type, &raw.max_value); break;
		case 6: ok = parse_stats_bound(t, type, &raw.min_value); break;
		case 7:
		case 8: ok = parse_stats_exact(t, type, &raw); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	if (more != 0)
		return false;
	stats_keep(&raw, stats);
	return true;
}

static bool parse_column_meta(struct pq_thrift *t, uint8_t outer, struct pq_column_meta *cm)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: ok = pq_thrift_i32(t, type, &cm->type); break;
		case 4: ok = pq_thrift_i32(t, type, &cm->codec); break;
		case 5: ok = pq_thrift_int(t, type, &cm->num_values); break;
		case 6: ok = pq_thrift_int(t, type, &cm->total_uncompressed_size); break;
		case 7: ok = pq_thrift_int(t, type, &cm->total_compressed_size); break;
		case 9: ok = pq_thrift_int(t, type, &cm->data_page_offset); break;
		case 11:
			ok = pq_thrift_int(t, type, &cm->dictionary_page_offset);
			cm->has_dictionary_page_offset = true;
			break;
		case 12: ok = parse_statistics(t, type, &cm->stats); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_column_chunk(struct pq_thrift *t, uint8_t outer, struct pq_column_chunk *cc)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: cc->external = true; ok = pq_thrift_skip(t, type); break;
		case 3:
			ok = parse_column_meta(t, type, &cc->meta);
			cc->has_meta = true;
			break;
		case 8:
		case 9: cc->encrypted = true; ok = pq_thrift_skip(t, type); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_row_group(struct pq_thrift *t, uint8_t outer, struct pq_row_group *rg)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok = true;
		uint8_t elem;
		size_t n;
		switch (id) {
		case 1:
			if (rg->columns != NULL)
				return pq_thrift_fail(t, "row group lists its columns twice");
			if (!pq_thrift_list(t, type, &elem, &n))
				return false;
			rg->columns = xcalloc(n ? n : 1, sizeof *rg->columns);
			rg->n_columns = n;
			for (size_t i = 0; ok && i < n; i++)
				ok = parse_column_chunk(t, elem, &rg->columns[i]);
			break;
		case 3: ok = pq_thrift_int(t, type, &rg->num_rows); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_kv(struct pq_thrift *t, uint8_t outer, struct pq_kv *kv)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		if (id == 1)
			ok = pq_thrift_string(t, type, &kv->key);
		else if (id == 2)
			ok = pq_thrift_string(t, type, &kv->value);
		else
			ok = pq_thrift_skip(t, type);
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	if (more == 0 && kv->key == NULL)
		kv->key = xstrdup("");
	return more == 0;
}

static bool parse_file_meta(struct pq_thrift *t, struct pq_file_meta *m)
{
	if (!pq_thrift_struct_begin(t, PQ_T_STRUCT))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok = true;
		uint8_t elem;
		size_t n;
		switch (id) {
		case 1: ok = pq_thrift_i32(t, type, &m->version); break;
		case 2:
			if (m->schema != NULL)
				return pq_thrift_fail(t, "schema listed twice");
			if (!pq_thrift_list(t, type, &elem, &n))
				return false;
			m->schema = xcalloc(n ? n : 1, sizeof *m->schema);
			m->n_schema = n;
			for (size_t i = 0; ok && i < n; i++)
				ok = parse_schema_element(t, elem, &m->schema[i]);
			break;
		case 3: ok = pq_thrift_int(t, type, &m->num_rows); break;
		case 4:
			if (m->row_groups != NULL)
				return pq_thrift_fail(t, "row groups listed twice");
			if (!pq_thrift_list(t, type, &elem, &n))
				return false;
			m->row_groups = xcalloc(n ? n : 1, sizeof *m->row_groups);
			m->n_row_groups = n;
			for (size_t i = 0; ok && i < n; i++)
				ok = parse_row_group(t, elem, &m->row_groups[i]);
			break;
		case 5:
			if (m->kv != NULL)
				return pq_thrift_fail(t, "key-value metadata listed twice");
			if (!pq_thrift_list(t, type, &elem, &n))
				return false;
			m->kv = xcalloc(n ? n : 1, sizeof *m->kv);
			m->n_kv = n;
			for (size_t i = 0; ok && i < n; i++)
				ok = parse_kv(t, elem, &m->kv[i]);
			break;
		case 6: ok = pq_thrift_string(t, type, &m->created_by); break;
		case 8:
			m->has_encryption_algorithm = true;
			ok = pq_thrift_skip(t, type);
			break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
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

static bool parse_data_page_header(struct pq_thrift *t, uint8_t outer,
				   struct pq_page_header *h)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: ok = pq_thrift_i32(t, type, &h->num_values); break;
		case 2: ok = pq_thrift_i32(t, type, &h->encoding); break;
		case 3: ok = pq_thrift_i32(t, type, &h->def_encoding); break;
		case 4: ok = pq_thrift_i32(t, type, &h->rep_encoding); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_dictionary_page_header(struct pq_thrift *t, uint8_t outer,
					 struct pq_page_header *h)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: ok = pq_thrift_i32(t, type, &h->dict_num_values); break;
		case 2: ok = pq_thrift_i32(t, type, &h->dict_encoding); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_data_page_header_v2(struct pq_thrift *t, uint8_t outer,
				      struct pq_page_header *h)
{
	if (!pq_thrift_struct_begin(t, outer))
		return false;
	h->v2_is_compressed = true;
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: ok = pq_thrift_i32(t, type, &h->v2_num_values); break;
		case 2: ok = pq_thrift_i32(t, type, &h->v2_num_nulls); break;
		case 3: ok = pq_thrift_i32(t, type, &h->v2_num_rows); break;
		case 4: ok = pq_thrift_i32(t, type, &h->v2_encoding); break;
		case 5: ok = pq_thrift_i32(t, type, &h->v2_def_length); break;
		case 6: ok = pq_thrift_i32(t, type, &h->v2_rep_length); break;
		case 7: ok = pq_thrift_bool(t, type, &h->v2_is_compressed); break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
}

static bool parse_page_header(struct pq_thrift *t, struct pq_page_header *h)
{
	if (!pq_thrift_struct_begin(t, PQ_T_STRUCT))
		return false;
	FIELD_LOOP_BEGIN {
		bool ok;
		switch (id) {
		case 1: ok = pq_thrift_i32(t, type, &h->type); break;
		case 2: ok = pq_thrift_i32(t, type, &h->uncompressed_size); break;
		case 3: ok = pq_thrift_i32(t, type, &h->compressed_size); break;
		case 5:
			ok = parse_data_page_header(t, type, h);
			h->has_data = true;
			break;
		case 7:
			ok = parse_dictionary_page_header(t, type, h);
			h->has_dictionary = true;
			break;
		case 8:
			ok = parse_data_page_header_v2(t, type, h);
			h->has_data_v2 = true;
			break;
		default: ok = pq_thrift_skip(t, type); break;
		}
		if (!ok)
			return false;
	}
	pq_thrift_struct_end(t);
	return more == 0;
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
