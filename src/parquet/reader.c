/* parquet/reader.c: opens a Parquet file (magic, footer, schema tree), answers what the
 * footer's statistics prove, resolves a projection to schema nodes, and reads row group after
 * row group into batches: it decodes the projected leaf columns (column.c) and assembles each
 * projected field (assemble.c), under the batch's byte cap. The file is mapped read-only;
 * batches copy what they keep. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "parquet/internal.h"
#include "util/xmalloc.h"

enum {
	PQ_MAGIC_LEN = 4,
	PQ_TAIL_LEN = 8, /* footer length + magic */
};

struct pq_file {
	char *path;
	const uint8_t *data;
	size_t size;
	bool mapped;           /* data is an mmap (else malloc'ed) */
	struct pq_file_meta meta;
	struct pq_schema_node *root;
	struct pq_schema_node **leaves;
	size_t n_leaves;
	bool deprecated_stats_trusted; /* the writer is not known to get min/max wrong */
};

struct pq_reader {
	struct pq_file *file;
	const struct pq_schema_node **roots;
	char **names;
	size_t n_roots;
	bool *leaf_wanted;     /* by leaf index */
	size_t next_row_group;
	size_t end_row_group;   /* one past the last row group to read */
	bool *skipped;          /* by row group; NULL until one is skipped */
	size_t max_batch_bytes;
	int decode_threads;     /* 1 or 2 */
};

/* PARQUET-251: parquet-mr before 1.8.0 could write wrong deprecated min/max for binary
 * columns (buffers reused under them), so equal bounds from it prove nothing. */
static bool deprecated_stats_trusted(const char *created_by)
{
	static const char PARQUET_MR[] = "parquet-mr version ";
	size_t prefix = sizeof PARQUET_MR - 1;
	if (created_by == NULL || strncmp(created_by, PARQUET_MR, prefix) != 0)
		return true;
	const char *major_text = created_by + prefix;
	char *end;
	long major = strtol(major_text, &end, 10);
	if (end == major_text || *end != '.')
		return false;
	const char *minor_text = end + 1;
	long minor = strtol(minor_text, &end, 10);
	if (end == minor_text)
		return false;
	return major > 1 || (major == 1 && minor >= 8);
}

static bool check_file(struct pq_file *f, struct lk_error *err)
{
	if (f->size >= PQ_MAGIC_LEN && memcmp(f->data, "PARE", 4) == 0)
		return lk_error_set(err, LK_EUNSUPPORTED, "%s: encrypted Parquet is not supported",
				    f->path);
	if (f->size < PQ_MAGIC_LEN + PQ_TAIL_LEN)
		return lk_error_set(err, LK_ECORRUPT, "%s: not a Parquet file (%zu bytes)",
				    f->path, f->size);
	const uint8_t *tail = f->data + f->size - PQ_TAIL_LEN;
	if (memcmp(tail + 4, "PARE", 4) == 0)
		return lk_error_set(err, LK_EUNSUPPORTED, "%s: encrypted Parquet is not supported",
				    f->path);
	if (memcmp(f->data, "PAR1", 4) != 0 || memcmp(tail + 4, "PAR1", 4) != 0)
		return lk_error_set(err, LK_ECORRUPT,
				    "%s: not a Parquet file (bad magic number)", f->path);
	uint32_t footer_len;
	memcpy(&footer_len, tail, 4);
	if (footer_len > f->size - PQ_MAGIC_LEN - PQ_TAIL_LEN)
		return lk_error_set(err, LK_ECORRUPT,
				    "%s: footer length %u larger than the file (%zu bytes)",
				    f->path, footer_len, f->size);
	const uint8_t *footer = tail - footer_len;
	if (!pq_meta_parse(footer, footer_len, &f->meta, err))
		return lk_error_prefix(err, "%s", f->path);
	if (f->meta.has_encryption_algorithm)
		return lk_error_set(err, LK_EUNSUPPORTED, "%s: encrypted Parquet is not supported",
				    f->path);
	if (!pq_schema_build(&f->meta, &f->root, &f->leaves, &f->n_leaves, err))
		return lk_error_prefix(err, "%s", f->path);
	f->deprecated_stats_trusted = deprecated_stats_trusted(f->meta.created_by);
	for (size_t i = 0; i < f->meta.n_row_groups; i++) {
		const struct pq_row_group *rg = &f->meta.row_groups[i];
		if (rg->n_columns != f->n_leaves)
			return lk_error_set(err, LK_ECORRUPT,
					    "%s: row group %zu has %zu columns, the schema %zu",
					    f->path, i, rg->n_columns, f->n_leaves);
		if (rg->num_rows < 0 || rg->num_rows > UINT32_MAX)
			return lk_error_set(err, LK_ECORRUPT, "%s: row group %zu has %lld rows",
					    f->path, i, (long long)rg->num_rows);
	}
	return true;
}

static struct pq_file *file_finish_open(struct pq_file *f, struct lk_error *err)
{
	if (!check_file(f, err)) {
		pq_file_close(f);
		return NULL;
	}
	return f;
}

struct pq_file *pq_file_open(const char *path, struct lk_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		lk_error_set_errno(err, errno == ENOENT ? LK_ENOTFOUND : LK_EIO, errno,
				   "%s: cannot open", path);
		return NULL;
	}
	struct stat st;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		lk_error_set(err, LK_EIO, "%s: not a regular file", path);
		close(fd);
		return NULL;
	}
	struct pq_file *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->size = (size_t)st.st_size;
	if (f->size > 0) {
		void *map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (map == MAP_FAILED) {
			lk_error_set_errno(err, LK_EIO, errno, "%s: cannot map", path);
			close(fd);
			free(f->path);
			free(f);
			return NULL;
		}
		f->data = map;
		f->mapped = true;
	}
	close(fd);
	return file_finish_open(f, err);
}

struct pq_file *pq_file_open_memory(const void *data, size_t size, const char *name,
				    struct lk_error *err)
{
	struct pq_file *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(name ? name : "(memory)");
	/* never read a byte of an empty input: a zero-length copy is one zeroed byte */
	f->data = size ? xmemdup(data, size) : xcalloc(1, 1);
	f->size = size;
	return file_finish_open(f, err);
}

void pq_file_close(struct pq_file *f)
{
	if (f == NULL)
		return;
	if (f->mapped)
		munmap((void *)f->data, f->size);
	else
		free((void *)f->data);
	pq_meta_free(&f->meta);
	pq_schema_free(f->root);
	free(f->leaves);
	free(f->path);
	free(f);
}

const char *pq_file_path(const struct pq_file *f) { return f->path; }
int64_t pq_file_num_rows(const struct pq_file *f) { return f->meta.num_rows; }
size_t pq_file_num_row_groups(const struct pq_file *f) { return f->meta.n_row_groups; }
const char *pq_file_created_by(const struct pq_file *f) { return f->meta.created_by; }
const struct pq_schema_node *pq_file_schema(const struct pq_file *f) { return f->root; }
size_t pq_file_num_leaves(const struct pq_file *f) { return f->n_leaves; }
size_t pq_file_kv_count(const struct pq_file *f) { return f->meta.n_kv; }

int64_t pq_file_row_group_rows(const struct pq_file *f, size_t row_group)
{
	return row_group < f->meta.n_row_groups ? f->meta.row_groups[row_group].num_rows : 0;
}

const struct pq_schema_node *pq_file_leaf(const struct pq_file *f, size_t leaf_index)
{
	return leaf_index < f->n_leaves ? f->leaves[leaf_index] : NULL;
}

bool pq_file_kv(const struct pq_file *f, size_t index, const char **key, const char **value)
{
	if (index >= f->meta.n_kv)
		return false;
	*key = f->meta.kv[index].key;
	*value = f->meta.kv[index].value;
	return true;
}

/* NaN and -0.0 stay out of min and max, so equal bounds prove nothing for floating point. */
static bool leaf_is_floating(const struct pq_schema_node *leaf)
{
	return leaf->physical == PQ_FLOAT || leaf->physical == PQ_DOUBLE ||
	       leaf->logical_type == PQ_LT_FLOAT16;
}

static bool bound_equals(const uint8_t *bound, size_t bound_len, const void *value, size_t len)
{
	return bound != NULL && bound_len == len && (len == 0 || memcmp(bound, value, len) == 0);
}

bool pq_file_chunk_all_equal(const struct pq_file *f, size_t row_group, size_t leaf_index,
			     const void *value, size_t len)
{
	if (row_group >= f->meta.n_row_groups || leaf_index >= f->n_leaves)
		return false;
	const struct pq_schema_node *leaf = f->leaves[leaf_index];
	if (leaf->max_rep > 0 || leaf_is_floating(leaf))
		return false;
	const struct pq_column_chunk *chunk = &f->meta.row_groups[row_group].columns[leaf_index];
	const struct pq_chunk_stats *s = &chunk->meta.stats;
	if (!chunk->has_meta || chunk->encrypted || chunk->external)
		return false;
	if (!s->has_null_count || s->null_count != 0 || s->declared_inexact)
		return false;
	if (s->deprecated && !f->deprecated_stats_trusted)
		return false;
	/* min == max proves equality whatever the sort order, so the deprecated pair is good
	 * for this test too. */
	return bound_equals(s->min, s->min_len, value, len) &&
	       bound_equals(s->max, s->max_len, value, len);
}

static const struct pq_schema_node *find_child(const struct pq_schema_node *n, const char *name,
					       size_t len)
{
	for (size_t i = 0; i < n->n_children; i++)
		if (strlen(n->children[i].name) == len &&
		    memcmp(n->children[i].name, name, len) == 0)
			return &n->children[i];
	return NULL;
}

const struct pq_schema_node *pq_file_find(const struct pq_file *f, const char *name)
{
	const struct pq_schema_node *n = find_child(f->root, name, strlen(name));
	if (n)
		return n;
	n = f->root;
	const char *part = name;
	for (;;) {
		const char *dot = strchr(part, '.');
		size_t len = dot ? (size_t)(dot - part) : strlen(part);
		n = find_child(n, part, len);
		if (n == NULL || dot == NULL)
			return n;
		part = dot + 1;
	}
}

static void mark_leaves(const struct pq_schema_node *n, bool *wanted)
{
	if (n->leaf_index >= 0)
		wanted[n->leaf_index] = true;
	for (size_t i = 0; i < n->n_children; i++)
		mark_leaves(&n->children[i], wanted);
}

static bool node_in_file(const struct pq_file *f, const struct pq_schema_node *n)
{
	const struct pq_schema_node *top = n;
	while (top->parent)
		top = top->parent;
	return top == f->root && n != f->root;
}

struct pq_reader *pq_reader_open_nodes(struct pq_file *file,
				       const struct pq_schema_node *const *nodes, size_t n,
				       struct lk_error *err)
{
	for (size_t i = 0; i < n; i++) {
		if (nodes[i] == NULL || !node_in_file(file, nodes[i])) {
			lk_error_set(err, LK_EINVAL, "%s: projection node %zu is not in the file",
				     file->path, i);
			return NULL;
		}
		for (const struct pq_schema_node *p = nodes[i]->parent; p && p->parent;
		     p = p->parent) {
			if (p->repetition == PQ_REPEATED || p->type == LK_TYPE_LIST ||
			    p->type == LK_TYPE_MAP) {
				lk_error_set(err, LK_EUNSUPPORTED,
					     "%s: column %s lies inside a list or map; select '%s' "
					     "instead",
					     file->path, nodes[i]->path, p->path);
				return NULL;
			}
		}
	}
	struct pq_reader *r = xcalloc(1, sizeof *r);
	r->file = file;
	r->n_roots = n;
	r->roots = xcalloc(n ? n : 1, sizeof *r->roots);
	r->names = xcalloc(n ? n : 1, sizeof *r->names);
	r->leaf_wanted = xcalloc(file->n_leaves ? file->n_leaves : 1, sizeof *r->leaf_wanted);
	r->max_batch_bytes = PQ_DEFAULT_MAX_BATCH_BYTES;
	r->decode_threads = 1;
	r->end_row_group = file->meta.n_row_groups;
	for (size_t i = 0; i < n; i++) {
		r->roots[i] = nodes[i];
		r->names[i] = xstrdup(nodes[i]->parent == file->root ? nodes[i]->name
								     : nodes[i]->path);
		mark_leaves(nodes[i], r->leaf_wanted);
	}
	return r;
}

struct pq_reader *pq_reader_open(struct pq_file *file, const char *const *columns, size_t n,
				 struct lk_error *err)
{
	const struct pq_schema_node **nodes;
	size_t count;
	if (columns == NULL || n == 0) {
		count = file->root->n_children;
		nodes = xcalloc(count ? count : 1, sizeof *nodes);
		for (size_t i = 0; i < count; i++)
			nodes[i] = &file->root->children[i];
	} else {
		count = n;
		nodes = xcalloc(count, sizeof *nodes);
		for (size_t i = 0; i < n; i++) {
			nodes[i] = pq_file_find(file, columns[i]);
			if (nodes[i] == NULL) {
				lk_error_set(err, LK_ENOTFOUND, "%s: no column '%s'", file->path,
					     columns[i]);
				free(nodes);
				return NULL;
			}
		}
	}
	struct pq_reader *r = pq_reader_open_nodes(file, nodes, count, err);
	free(nodes);
	return r;
}

void pq_reader_set_row_groups(struct pq_reader *r, size_t first, size_t count)
{
	size_t n = r->file->meta.n_row_groups;
	r->next_row_group = first < n ? first : n;
	r->end_row_group = count < n - r->next_row_group ? r->next_row_group + count : n;
}

void pq_reader_skip_row_group(struct pq_reader *r, size_t row_group)
{
	size_t n = r->file->meta.n_row_groups;
	if (row_group >= n)
		return;
	if (r->skipped == NULL)
		r->skipped = xcalloc(n, sizeof *r->skipped);
	r->skipped[row_group] = true;
}

void pq_reader_set_max_batch_bytes(struct pq_reader *r, size_t max_bytes)
{
	r->max_batch_bytes = max_bytes;
}

void pq_reader_close(struct pq_reader *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->n_roots; i++)
		free(r->names[i]);
	free(r->names);
	free(r->roots);
	free(r->leaf_wanted);
	free(r->skipped);
	free(r);
}

/* The leaves one decoding thread reads into cols (each thread writes its own entries),
 * keeping pages in `keep`. */
struct leaf_share {
	const struct pq_read_ctx *ctx;
	const struct pq_row_group *rg;
	struct pq_file *file;
	const size_t *leaves;
	size_t n_leaves;
	struct pq_column_data *cols;
	struct lk_batch *keep;
	bool ok;
	struct lk_error err;
};

static void leaf_share_read(struct leaf_share *share)
{
	share->ok = true;
	for (size_t k = 0; share->ok && k < share->n_leaves; k++) {
		size_t i = share->leaves[k];
		share->ok = pq_column_read(share->ctx, &share->rg->columns[i], share->file->leaves[i],
					   share->keep, &share->cols[i], &share->err);
	}
}

static void *leaf_share_main(void *arg)
{
	leaf_share_read(arg);
	return NULL;
}

/* Splits the wanted leaves in two by compressed bytes (largest first, each to the lighter
 * side): returns how many of out[] the first share takes; the rest is the second's. */
static size_t leaves_split(const struct pq_reader *r, const struct pq_row_group *rg,
			   size_t *out, size_t *n_out)
{
	size_t n = 0;
	for (size_t i = 0; i < r->file->n_leaves; i++)
		if (r->leaf_wanted[i])
			out[n++] = i;
	*n_out = n;
	/* insertion sort by size, descending: a handful of columns */
	for (size_t a = 1; a < n; a++)
		for (size_t b = a; b > 0 && rg->columns[out[b]].meta.total_compressed_size >
						   rg->columns[out[b - 1]].meta.total_compressed_size;
		     b--) {
			size_t t = out[b];
			out[b] = out[b - 1];
			out[b - 1] = t;
		}
	size_t *second = xcalloc(n ? n : 1, sizeof *second);
	size_t n_first = 0, n_second = 0;
	int64_t first_bytes = 0, second_bytes = 0;
	for (size_t k = 0; k < n; k++) {
		int64_t size = rg->columns[out[k]].meta.total_compressed_size;
		if (first_bytes <= second_bytes) {
			out[n_first++] = out[k];
			first_bytes += size;
		} else {
			second[n_second++] = out[k];
			second_bytes += size;
		}
	}
	memcpy(out + n_first, second, n_second * sizeof *second);
	free(second);
	return n_first;
}

/* Decodes the wanted leaves into cols: on this thread, or on this one and one more. */
static bool read_leaves(struct pq_reader *r, const struct pq_read_ctx *ctx, size_t index,
			struct lk_batch *batch, struct pq_column_data *cols, struct lk_error *err)
{
	struct pq_file *f = r->file;
	const struct pq_row_group *rg = &f->meta.row_groups[index];
	size_t *order = xcalloc(f->n_leaves ? f->n_leaves : 1, sizeof *order);
	size_t n, n_first = leaves_split(r, rg, order, &n);
	struct leaf_share mine = { .ctx = ctx, .rg = rg, .file = f, .leaves = order,
				   .n_leaves = n, .cols = cols, .keep = batch };
	struct leaf_share other = mine;
	pthread_t thread;
	bool two = r->decode_threads > 1 && n_first > 0 && n_first < n;
	if (two) {
		other.leaves = order + n_first;
		other.n_leaves = n - n_first;
		other.keep = lk_batch_new(0);
		mine.n_leaves = n_first;
		if (pthread_create(&thread, NULL, leaf_share_main, &other) != 0) {
			lk_batch_free(other.keep);
			mine.n_leaves = n; /* no second thread: all here */
			two = false;
		}
	}
	leaf_share_read(&mine);
	if (two) {
		pthread_join(thread, NULL);
		lk_batch_take_blocks(batch, other.keep);
		lk_batch_free(other.keep);
	}
	free(order);
	if (!mine.ok)
		*err = mine.err;
	else if (two && !other.ok)
		*err = other.err;
	return mine.ok && (!two || other.ok);
}

static bool read_row_group(struct pq_reader *r, size_t index, struct lk_batch *batch,
			   struct lk_error *err)
{
	struct pq_file *f = r->file;
	const struct pq_row_group *rg = &f->meta.row_groups[index];
	_Atomic size_t bytes_used = 0;
	struct pq_read_ctx ctx = {
		.file_name = f->path,
		.file_data = f->data,
		.file_size = f->size,
		.row_group = index,
		.max_bytes = r->max_batch_bytes,
		.bytes_used = &bytes_used,
	};
	struct pq_column_data *cols = xcalloc(f->n_leaves ? f->n_leaves : 1, sizeof *cols);
	bool ok = read_leaves(r, &ctx, index, batch, cols, err);
	for (size_t i = 0; ok && i < r->n_roots; i++) {
		batch->columns[i].name = xstrdup(r->names[i]);
		ok = pq_assemble(r->roots[i], cols, (size_t)rg->num_rows, batch,
				 &batch->columns[i], f->path, index, err);
	}
	for (size_t i = 0; i < f->n_leaves; i++)
		pq_column_data_free(&cols[i]);
	free(cols);
	return ok;
}

void pq_reader_set_decode_threads(struct pq_reader *r, int threads)
{
	r->decode_threads = threads > 1 ? 2 : 1;
}

bool pq_reader_next(struct pq_reader *r, struct lk_batch **out, struct lk_error *err)
{
	*out = NULL;
	struct pq_file *f = r->file;
	while (r->next_row_group < r->end_row_group &&
	       (f->meta.row_groups[r->next_row_group].num_rows == 0 ||
		(r->skipped != NULL && r->skipped[r->next_row_group])))
		r->next_row_group++;
	if (r->next_row_group >= r->end_row_group)
		return true;
	size_t index = r->next_row_group++;
	struct lk_batch *batch = lk_batch_new(r->n_roots);
	batch->n_rows = (size_t)f->meta.row_groups[index].num_rows;
	if (!read_row_group(r, index, batch, err)) {
		lk_batch_free(batch);
		return false;
	}
	*out = batch;
	return true;
}
