/* delta/writer_checkpoint.c: writes a classic single-file Parquet checkpoint (V1 spec) of a
 * table state and then `_last_checkpoint`. One row per action; the top-level columns are the
 * nullable structs txn, add, remove, metaData, protocol and domainMetadata, and each row has
 * exactly one of them set. Maps (partitionValues, configuration, format options, tags) are
 * MAP<string,string>, lists (partitionColumns, features) LIST<string>. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "delta/writer.h"
#include "parquet/writer.h"
#include "util/xmalloc.h"

/* ---- the checkpoint schema, as data ----------------------------------------------------- */

static const struct pq_field string_map[] = {
	{ .name = "key", .type = LK_TYPE_STRING },
	{ .name = "value", .type = LK_TYPE_STRING, .nullable = true },
};
static const struct pq_field string_element[] = {
	{ .name = "element", .type = LK_TYPE_STRING, .nullable = true },
};

/* Initializers of the const schema tables below (a function cannot be one). */
#define STRING_MAP(field) \
	{ .name = field, .type = LK_TYPE_MAP, .nullable = true, .children = string_map, \
	  .n_children = 2 }
#define STRING_LIST(field) \
	{ .name = field, .type = LK_TYPE_LIST, .nullable = true, .children = string_element, \
	  .n_children = 1 }
#define FIELD(field, lk_type) { .name = field, .type = lk_type, .nullable = true }
#define STRUCT(field, members) \
	{ .name = field, .type = LK_TYPE_STRUCT, .nullable = true, .children = members, \
	  .n_children = sizeof members / sizeof members[0] }

enum { TXN_APP_ID, TXN_VERSION, TXN_LAST_UPDATED };
static const struct pq_field txn_fields[] = {
	FIELD("appId", LK_TYPE_STRING), FIELD("version", LK_TYPE_INT64),
	FIELD("lastUpdated", LK_TYPE_INT64),
};

enum { ADD_PATH, ADD_PARTITION_VALUES, ADD_SIZE, ADD_MODIFICATION_TIME, ADD_DATA_CHANGE,
       ADD_STATS, ADD_TAGS };
static const struct pq_field add_fields[] = {
	FIELD("path", LK_TYPE_STRING), STRING_MAP("partitionValues"), FIELD("size", LK_TYPE_INT64),
	FIELD("modificationTime", LK_TYPE_INT64), FIELD("dataChange", LK_TYPE_BOOLEAN),
	FIELD("stats", LK_TYPE_STRING), STRING_MAP("tags"),
};

enum { REMOVE_PATH, REMOVE_DELETION_TIMESTAMP, REMOVE_DATA_CHANGE, REMOVE_EXTENDED,
       REMOVE_PARTITION_VALUES, REMOVE_SIZE };
static const struct pq_field remove_fields[] = {
	FIELD("path", LK_TYPE_STRING), FIELD("deletionTimestamp", LK_TYPE_INT64),
	FIELD("dataChange", LK_TYPE_BOOLEAN), FIELD("extendedFileMetadata", LK_TYPE_BOOLEAN),
	STRING_MAP("partitionValues"), FIELD("size", LK_TYPE_INT64),
};

enum { FORMAT_PROVIDER, FORMAT_OPTIONS };
static const struct pq_field format_fields[] = {
	FIELD("provider", LK_TYPE_STRING), STRING_MAP("options"),
};

enum { META_ID, META_NAME, META_DESCRIPTION, META_FORMAT, META_SCHEMA, META_PARTITION_COLUMNS,
       META_CONFIGURATION, META_CREATED_TIME };
static const struct pq_field metadata_fields[] = {
	FIELD("id", LK_TYPE_STRING), FIELD("name", LK_TYPE_STRING),
	FIELD("description", LK_TYPE_STRING), STRUCT("format", format_fields),
	FIELD("schemaString", LK_TYPE_STRING), STRING_LIST("partitionColumns"),
	STRING_MAP("configuration"), FIELD("createdTime", LK_TYPE_INT64),
};

enum { PROTOCOL_READER, PROTOCOL_WRITER, PROTOCOL_READER_FEATURES, PROTOCOL_WRITER_FEATURES };
static const struct pq_field protocol_fields[] = {
	FIELD("minReaderVersion", LK_TYPE_INT32), FIELD("minWriterVersion", LK_TYPE_INT32),
	STRING_LIST("readerFeatures"), STRING_LIST("writerFeatures"),
};

enum { DOMAIN_NAME, DOMAIN_CONFIGURATION, DOMAIN_REMOVED };
static const struct pq_field domain_fields[] = {
	FIELD("domain", LK_TYPE_STRING), FIELD("configuration", LK_TYPE_STRING),
	FIELD("removed", LK_TYPE_BOOLEAN),
};

enum { COL_TXN, COL_ADD, COL_REMOVE, COL_METADATA, COL_PROTOCOL, COL_DOMAIN, N_COLUMNS };
static const struct pq_field checkpoint_fields[N_COLUMNS] = {
	STRUCT("txn", txn_fields), STRUCT("add", add_fields), STRUCT("remove", remove_fields),
	STRUCT("metaData", metadata_fields), STRUCT("protocol", protocol_fields),
	STRUCT("domainMetadata", domain_fields),
};

/* ---- building the batch ------------------------------------------------------------------ */

/* Allocates vec as `field` with `len` entries, all null; LIST and MAP children get room for
 * `n_items` entries (filled through struct seq). */
static void vector_alloc(struct lk_batch *b, struct lk_vector *vec, const struct pq_field *field,
			 size_t len, size_t n_items)
{
	vec->type = field->type;
	vec->name = xstrdup(field->name);
	vec->length = len;
	vec->nulls = lk_batch_alloc(b, len ? len : 1);
	memset(vec->nulls, 1, len);
	switch (field->type) {
	case LK_TYPE_STRING:
		vec->v.bytes = lk_batch_alloc(b, (len ? len : 1) * sizeof *vec->v.bytes);
		break;
	case LK_TYPE_INT64:
		vec->v.i64 = lk_batch_alloc(b, (len ? len : 1) * sizeof *vec->v.i64);
		break;
	case LK_TYPE_INT32:
		vec->v.i32 = lk_batch_alloc(b, (len ? len : 1) * sizeof *vec->v.i32);
		break;
	case LK_TYPE_BOOLEAN:
		vec->v.u8 = lk_batch_alloc(b, len ? len : 1);
		break;
	case LK_TYPE_LIST:
	case LK_TYPE_MAP:
		vec->offsets = lk_batch_alloc(b, (len + 1) * sizeof *vec->offsets);
		lk_vector_init_children(vec, field->n_children);
		for (size_t i = 0; i < field->n_children; i++)
			vector_alloc(b, &vec->children[i], &field->children[i], n_items, 0);
		break;
	default:
		break;
	}
}

static void set_string(struct lk_vector *vec, size_t row, const char *s)
{
	if (s == NULL)
		return;
	vec->nulls[row] = 0;
	vec->v.bytes[row] = (struct lk_bytes){ .ptr = (const uint8_t *)s, .len = (uint32_t)strlen(s) };
}

static void set_i64(struct lk_vector *vec, size_t row, int64_t v)
{
	vec->nulls[row] = 0;
	vec->v.i64[row] = v;
}

static void set_bool(struct lk_vector *vec, size_t row, bool v)
{
	vec->nulls[row] = 0;
	vec->v.u8[row] = v;
}

/* Fills a LIST or MAP column row by row (rows in ascending order; rows skipped are null). */
struct seq {
	struct lk_vector *vec;
	uint32_t cursor;
	size_t next_row;
};

static void seq_begin(struct seq *s, size_t row)
{
	for (; s->next_row <= row; s->next_row++)
		s->vec->offsets[s->next_row] = s->cursor;
	s->vec->nulls[row] = 0;
}

static void seq_finish(struct seq *s)
{
	for (; s->next_row <= s->vec->length; s->next_row++)
		s->vec->offsets[s->next_row] = s->cursor;
}

static void seq_map(struct seq *s, size_t row, const struct delta_map *map)
{
	seq_begin(s, row);
	for (size_t i = 0; i < map->n; i++) {
		set_string(&s->vec->children[0], s->cursor, map->items[i].key);
		set_string(&s->vec->children[1], s->cursor, map->items[i].value);
		s->cursor++;
	}
}

static void seq_list(struct seq *s, size_t row, char *const *strv, size_t n)
{
	seq_begin(s, row);
	for (size_t i = 0; i < n; i++)
		set_string(&s->vec->children[0], s->cursor++, strv[i]);
}

static size_t sum_pv(const struct delta_checkpoint_state *st, bool adds)
{
	size_t n = 0;
	for (size_t i = 0; adds && i < st->n_files; i++)
		n += st->files[i].partition_values.n;
	for (size_t i = 0; !adds && i < st->n_tombstones; i++)
		n += st->tombstones[i].partition_values.n;
	return n;
}

/* Every struct column with all rows null, its maps and lists sized for the state. */
static void columns_alloc(struct lk_batch *b, const struct delta_checkpoint_state *st, size_t n)
{
	const struct delta_protocol *p = st->protocol;
	const struct delta_metadata *m = st->metadata;
	for (int c = 0; c < N_COLUMNS; c++) {
		const struct pq_field *f = &checkpoint_fields[c];
		struct lk_vector *vec = &b->columns[c];
		vector_alloc(b, vec, f, n, 0);
		lk_vector_init_children(vec, f->n_children);
		for (size_t k = 0; k < f->n_children; k++) {
			size_t items = 0;
			if (c == COL_ADD && k == ADD_PARTITION_VALUES)
				items = sum_pv(st, true);
			else if (c == COL_REMOVE && k == REMOVE_PARTITION_VALUES)
				items = sum_pv(st, false);
			else if (c == COL_METADATA && k == META_PARTITION_COLUMNS)
				items = m->n_partition_columns;
			else if (c == COL_METADATA && k == META_CONFIGURATION)
				items = m->configuration.n;
			else if (c == COL_PROTOCOL && k == PROTOCOL_READER_FEATURES)
				items = p->n_reader_features;
			else if (c == COL_PROTOCOL && k == PROTOCOL_WRITER_FEATURES)
				items = p->n_writer_features;
			vector_alloc(b, &vec->children[k], &f->children[k], n, items);
		}
	}
	/* metaData.format is a struct inside a struct */
	struct lk_vector *format = &b->columns[COL_METADATA].children[META_FORMAT];
	lk_vector_init_children(format, 2);
	for (size_t k = 0; k < 2; k++)
		vector_alloc(b, &format->children[k], &format_fields[k], n, 0);
}

static void row_protocol(struct lk_batch *b, size_t row, const struct delta_protocol *p,
			 struct seq *reader, struct seq *writer)
{
	struct lk_vector *v = &b->columns[COL_PROTOCOL];
	v->nulls[row] = 0;
	v->children[PROTOCOL_READER].nulls[row] = 0;
	v->children[PROTOCOL_READER].v.i32[row] = p->min_reader_version;
	v->children[PROTOCOL_WRITER].nulls[row] = 0;
	v->children[PROTOCOL_WRITER].v.i32[row] = p->min_writer_version;
	/* lists present only for reader version 3 / writer version 7, null otherwise */
	if (p->min_reader_version == 3)
		seq_list(reader, row, p->reader_features, p->n_reader_features);
	if (p->min_writer_version == 7)
		seq_list(writer, row, p->writer_features, p->n_writer_features);
}

static void row_metadata(struct lk_batch *b, size_t row, const struct delta_metadata *m,
			 struct seq *partition_columns, struct seq *configuration,
			 struct seq *options)
{
	static const struct delta_map no_options = { 0 };
	struct lk_vector *v = &b->columns[COL_METADATA];
	v->nulls[row] = 0;
	set_string(&v->children[META_ID], row, m->id);
	set_string(&v->children[META_NAME], row, m->name);
	set_string(&v->children[META_DESCRIPTION], row, m->description);
	struct lk_vector *format = &v->children[META_FORMAT];
	format->nulls[row] = 0;
	set_string(&format->children[FORMAT_PROVIDER], row,
		   m->format_provider ? m->format_provider : "parquet");
	seq_map(options, row, &no_options);
	set_string(&v->children[META_SCHEMA], row, m->schema_string);
	seq_list(partition_columns, row, m->partition_columns, m->n_partition_columns);
	seq_map(configuration, row, &m->configuration);
	if (m->has_created_time)
		set_i64(&v->children[META_CREATED_TIME], row, m->created_time);
}

/* Paths are stored percent-encoded, as in the JSON log (readers decode both once). */
static const char *encoded_path(struct lk_batch *b, const char *path)
{
	struct lk_buf enc = LK_BUF_INIT;
	delta_path_encode(path, &enc);
	const char *copy = (const char *)lk_batch_copy_bytes(b, enc.data, enc.len + 1);
	lk_buf_free(&enc);
	return copy;
}

static void row_add(struct lk_batch *b, size_t row, const struct delta_file *f, struct seq *pv)
{
	const char *path = encoded_path(b, f->path);
	struct lk_vector *v = &b->columns[COL_ADD];
	v->nulls[row] = 0;
	set_string(&v->children[ADD_PATH], row, path);
	seq_map(pv, row, &f->partition_values);
	set_i64(&v->children[ADD_SIZE], row, f->size);
	set_i64(&v->children[ADD_MODIFICATION_TIME], row, f->modification_time);
	set_bool(&v->children[ADD_DATA_CHANGE], row, false);
	set_string(&v->children[ADD_STATS], row, f->stats);
}

static void row_remove(struct lk_batch *b, size_t row, const struct delta_file_action *r,
		       struct seq *pv)
{
	struct lk_vector *v = &b->columns[COL_REMOVE];
	v->nulls[row] = 0;
	set_string(&v->children[REMOVE_PATH], row, encoded_path(b, r->path));
	set_i64(&v->children[REMOVE_DELETION_TIMESTAMP], row, r->deletion_timestamp);
	set_bool(&v->children[REMOVE_DATA_CHANGE], row, false);
	set_bool(&v->children[REMOVE_EXTENDED], row, true);
	seq_map(pv, row, &r->partition_values);
	set_i64(&v->children[REMOVE_SIZE], row, r->size);
}

static void row_txn(struct lk_batch *b, size_t row, const struct delta_txn *t)
{
	struct lk_vector *v = &b->columns[COL_TXN];
	v->nulls[row] = 0;
	set_string(&v->children[TXN_APP_ID], row, t->app_id);
	set_i64(&v->children[TXN_VERSION], row, t->version);
	if (t->has_last_updated)
		set_i64(&v->children[TXN_LAST_UPDATED], row, t->last_updated);
}

static void row_domain(struct lk_batch *b, size_t row, const struct delta_domain_metadata *d)
{
	struct lk_vector *v = &b->columns[COL_DOMAIN];
	v->nulls[row] = 0;
	set_string(&v->children[DOMAIN_NAME], row, d->domain);
	set_string(&v->children[DOMAIN_CONFIGURATION], row, d->configuration ? d->configuration : "");
	set_bool(&v->children[DOMAIN_REMOVED], row, false);
}

/* The checkpoint rows: protocol, metaData, txns, domains, adds, removes. Strings point into
 * the state, which outlives the batch, or (encoded paths) into the batch. */
static struct lk_batch *checkpoint_batch(const struct delta_checkpoint_state *st)
{
	size_t n = 2 + st->n_txns + st->n_domains + st->n_files + st->n_tombstones;
	struct lk_batch *b = lk_batch_new(N_COLUMNS);
	b->n_rows = n;
	columns_alloc(b, st, n);
	struct lk_vector *meta = &b->columns[COL_METADATA], *proto = &b->columns[COL_PROTOCOL];
	struct seq seqs[] = {
		{ .vec = &proto->children[PROTOCOL_READER_FEATURES] },
		{ .vec = &proto->children[PROTOCOL_WRITER_FEATURES] },
		{ .vec = &meta->children[META_PARTITION_COLUMNS] },
		{ .vec = &meta->children[META_CONFIGURATION] },
		{ .vec = &meta->children[META_FORMAT].children[FORMAT_OPTIONS] },
		{ .vec = &b->columns[COL_ADD].children[ADD_PARTITION_VALUES] },
		{ .vec = &b->columns[COL_ADD].children[ADD_TAGS] },
		{ .vec = &b->columns[COL_REMOVE].children[REMOVE_PARTITION_VALUES] },
	};
	size_t row = 0;
	row_protocol(b, row++, st->protocol, &seqs[0], &seqs[1]);
	row_metadata(b, row++, st->metadata, &seqs[2], &seqs[3], &seqs[4]);
	for (size_t i = 0; i < st->n_txns; i++)
		row_txn(b, row++, &st->txns[i]);
	for (size_t i = 0; i < st->n_domains; i++)
		row_domain(b, row++, &st->domains[i]);
	for (size_t i = 0; i < st->n_files; i++)
		row_add(b, row++, &st->files[i], &seqs[5]);
	for (size_t i = 0; i < st->n_tombstones; i++)
		row_remove(b, row++, &st->tombstones[i], &seqs[7]);
	for (size_t i = 0; i < sizeof seqs / sizeof seqs[0]; i++)
		seq_finish(&seqs[i]);
	return b;
}

/* ---- files ------------------------------------------------------------------------------- */

static bool last_checkpoint_write(const char *root, int64_t version, size_t n_actions,
				  int64_t size_in_bytes, size_t n_adds, bool fsync,
				  struct lk_error *err)
{
	char *path = xasprintf("%s/_delta_log/_last_checkpoint", root);
	char *tmp = xasprintf("%s/_delta_log/._last_checkpoint.%ld.tmp", root, (long)getpid());
	char *text = xasprintf("{\"version\":%lld,\"size\":%zu,\"sizeInBytes\":%lld,"
			       "\"numOfAddFiles\":%zu}\n", (long long)version, n_actions,
			       (long long)size_in_bytes, n_adds);
	bool ok = true;
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	size_t len = strlen(text);
	if (fd < 0 || write(fd, text, len) != (ssize_t)len || (fsync && fdatasync(fd) != 0))
		ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: cannot write %s", root, tmp);
	if (fd >= 0 && close(fd) != 0 && ok)
		ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: cannot write %s", root, tmp);
	if (ok && rename(tmp, path) != 0)
		ok = lk_error_set_errno(err, LK_EIO, errno, "table %s: cannot rename %s", root, tmp);
	if (!ok)
		unlink(tmp);
	free(text);
	free(tmp);
	free(path);
	return ok;
}

bool delta_checkpoint_write(const char *root, const struct delta_checkpoint_state *st,
			    bool fsync, struct lk_error *err)
{
	char *path = xasprintf("%s/_delta_log/%020lld.checkpoint.parquet", root,
			       (long long)st->version);
	struct lk_batch *batch = checkpoint_batch(st);
	struct pq_write_schema schema = { .fields = checkpoint_fields, .n_fields = N_COLUMNS };
	struct pq_writer_options opts = { .codec = PQ_CODEC_SNAPPY, .fsync = fsync };
	struct pq_write_result res = { 0 };
	struct pq_writer *pw = pq_writer_open(path, &schema, &opts, err);
	bool ok = pw != NULL;
	if (ok && !pq_writer_write_batch(pw, batch, err)) {
		pq_writer_abort(pw);
		ok = false;
	} else if (ok) {
		ok = pq_writer_close(pw, &res, err);
	}
	size_t n_rows = batch->n_rows;
	lk_batch_free(batch);
	if (!ok)
		lk_error_prefix(err, "table %s: checkpoint of version %lld", root,
				(long long)st->version);
	else
		ok = last_checkpoint_write(root, st->version, n_rows, res.file_size, st->n_files,
					   fsync, err);
	pq_write_result_free(&res);
	free(path);
	return ok;
}
