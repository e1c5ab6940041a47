/* delta/snapshot.c: opening a table and replaying its log into the state at one version.
 * Replay = the newest usable checkpoint, then each commit in order; inside a commit the
 * removes are applied before the adds. Files are keyed by (path, deletion vector id), so
 * a commit that swaps a file's DV (remove old DV + add new DV) leaves one live file.
 * Checkpoint fallback: when the checkpoint cannot be used (an unsupported form, a damaged
 * file, a lost sidecar) and every commit from 0 still exists, the replay starts at commit 0
 * instead and the snapshot records why in checkpoint_skipped. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

/* ---- table -------------------------------------------------------------------------- */

struct delta_table *delta_table_open(const char *root, struct lk_error *err)
{
	size_t len = strlen(root);
	while (len > 1 && root[len - 1] == '/')
		len--;
	char *trimmed = xstrndup(root, len);
	char *log_dir = xasprintf("%s/_delta_log", trimmed);
	struct stat st;
	if (stat(log_dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		int saved = errno;
		lk_error_set(err, LK_ENOTFOUND, "%s is not a Delta table (no _delta_log directory%s%s)",
			     trimmed, saved ? ": " : "", saved ? strerror(saved) : "");
		free(trimmed);
		free(log_dir);
		return NULL;
	}
	struct delta_table *table = xcalloc(1, sizeof *table);
	table->root = trimmed;
	table->log_dir = log_dir;
	return table;
}

void delta_table_free(struct delta_table *table)
{
	if (table == NULL)
		return;
	free(table->root);
	free(table->log_dir);
	free(table);
}

bool delta_table_latest_version(struct delta_table *table, int64_t *version,
				struct lk_error *err)
{
	struct delta_listing ls;
	if (!delta_log_list(table, &ls, err))
		return false;
	*version = ls.latest_version;
	delta_listing_free(&ls);
	if (*version < 0)
		return lk_error_set(err, LK_ENOTFOUND, "table %s: _delta_log has no commits",
				    table->root);
	return true;
}

/* "s3://...", "abfss:..." (RFC 3986 scheme); "time=03:06:40/f" is a relative path. */
static bool has_uri_scheme(const char *path)
{
	if (!isalpha((unsigned char)path[0]))
		return false;
	size_t n = strspn(path, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-");
	return path[n] == ':';
}

char *delta_table_resolve_path(const struct delta_table *table, const char *path,
			       struct lk_error *err)
{
	if (strncmp(path, "file://", 7) == 0) {
		const char *rest = path + 7; /* file:///abs or file://localhost/abs */
		if (strncmp(rest, "localhost/", 10) == 0)
			rest += 9;
		if (rest[0] == '/')
			return xstrdup(rest);
	} else if (strncmp(path, "file:/", 6) == 0) {
		return xstrdup(path + 5);
	}
	if (path[0] == '/')
		return xstrdup(path);
	if (has_uri_scheme(path)) {
		lk_error_set(err, LK_EUNSUPPORTED,
			     "table %s: file '%s' is not on the local file system", table->root,
			     path);
		return NULL;
	}
	return xasprintf("%s/%s", table->root, path);
}

/* ---- commit timestamps -------------------------------------------------------------- */

struct commit_info_scan {
	bool found;
	struct delta_commit_info info;
};

static enum delta_visit take_commit_info(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct commit_info_scan *scan = ctx;
	if (a->type != DELTA_ACTION_COMMIT_INFO)
		return DELTA_VISIT_CONTINUE;
	scan->found = true;
	scan->info = a->u.commit_info;
	memset(&a->u.commit_info, 0, sizeof a->u.commit_info);
	return DELTA_VISIT_STOP;
}

static bool read_commit_info(const struct delta_table *table, const struct delta_log_file *commit,
			     struct commit_info_scan *scan, struct lk_error *err)
{
	memset(scan, 0, sizeof *scan);
	char *path = delta_log_path(table, commit->name);
	char *where = xasprintf("table %s: commit %lld (%s)", table->root,
				(long long)commit->version, commit->name);
	bool ok = delta_actions_read_file(path, where, take_commit_info, scan, err);
	free(where);
	free(path);
	return ok;
}

bool delta_commit_timestamp(const struct delta_table *table, const struct delta_log_file *commit,
			    bool ict, int64_t *timestamp_ms, struct lk_error *err)
{
	if (!ict) {
		*timestamp_ms = commit->mtime_ms;
		return true;
	}
	struct commit_info_scan scan;
	if (!read_commit_info(table, commit, &scan, err))
		return false;
	bool ok = scan.found && scan.info.has_in_commit_timestamp;
	*timestamp_ms = scan.info.in_commit_timestamp;
	delta_commit_info_clear(&scan.info);
	if (!ok)
		return lk_error_set(err, LK_ECORRUPT,
				    "table %s: commit %lld has no inCommitTimestamp although "
				    "in-commit timestamps are enabled",
				    table->root, (long long)commit->version);
	return true;
}

/* ---- replay state ------------------------------------------------------------------- */

struct pending {
	struct delta_file_action *items;
	size_t n, cap;
};

struct replay {
	const struct delta_table *table;
	bool has_protocol, has_metadata;
	struct delta_protocol protocol;
	struct delta_metadata metadata;
	struct delta_strmap files;   /* file key -> struct delta_file * */
	struct delta_strmap txns;    /* appId -> struct delta_txn * */
	struct delta_strmap domains; /* domain -> struct delta_domain_metadata * */
	struct pending adds, removes;
	bool has_commit_info;        /* of the last commit replayed */
	struct delta_commit_info commit_info;
	struct lk_buf key;
};

static void file_free(struct delta_file *f)
{
	if (f == NULL)
		return;
	free(f->path);
	delta_map_clear(&f->partition_values);
	free(f->stats);
	free(f->dv.path_or_inline);
	free(f);
}

static void txn_free(struct delta_txn *t)
{
	if (t == NULL)
		return;
	free(t->app_id);
	free(t);
}

static void domain_free(struct delta_domain_metadata *d)
{
	if (d == NULL)
		return;
	free(d->domain);
	free(d->configuration);
	free(d);
}

static void pending_clear(struct pending *p)
{
	for (size_t i = 0; i < p->n; i++)
		delta_file_action_clear(&p->items[i]);
	p->n = 0;
}

static void pending_push(struct pending *p, struct delta_file_action *f)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->items = xreallocarray(p->items, p->cap, sizeof *p->items);
	}
	p->items[p->n++] = *f;
	memset(f, 0, sizeof *f);
}

static void strmap_free_values(struct delta_strmap *map, void (*free_fn)(void *))
{
	size_t n;
	void **values = delta_strmap_values(map, &n);
	for (size_t i = 0; i < n; i++)
		free_fn(values[i]);
	free(values);
	delta_strmap_free(map);
}

static void free_file_value(void *p) { file_free(p); }
static void free_txn_value(void *p) { txn_free(p); }
static void free_domain_value(void *p) { domain_free(p); }

static void replay_reset(struct replay *r)
{
	delta_protocol_clear(&r->protocol);
	delta_metadata_clear(&r->metadata);
	r->has_protocol = r->has_metadata = false;
	strmap_free_values(&r->files, free_file_value);
	strmap_free_values(&r->txns, free_txn_value);
	strmap_free_values(&r->domains, free_domain_value);
	pending_clear(&r->adds);
	pending_clear(&r->removes);
	delta_commit_info_clear(&r->commit_info);
	r->has_commit_info = false;
}

static void replay_free(struct replay *r)
{
	replay_reset(r);
	free(r->adds.items);
	free(r->removes.items);
	lk_buf_free(&r->key);
}

/* "<dv id length>:<dv id><path>": unambiguous whatever the path contains. */
static const char *file_key(struct replay *r, const struct delta_file_action *f)
{
	struct lk_buf dv_id = LK_BUF_INIT;
	if (f->has_dv)
		delta_dv_unique_id(&f->dv, &dv_id);
	lk_buf_reset(&r->key);
	lk_buf_printf(&r->key, "%zu:%s%s", dv_id.len, lk_buf_cstr(&dv_id), f->path);
	lk_buf_free(&dv_id);
	return lk_buf_cstr(&r->key);
}

static struct delta_file *file_from_add(struct delta_file_action *a)
{
	struct delta_file *f = xcalloc(1, sizeof *f);
	f->path = a->path;
	f->partition_values = a->partition_values;
	f->size = a->size;
	f->modification_time = a->modification_time;
	f->stats = a->stats;
	f->has_dv = a->has_dv;
	f->dv = a->dv;
	f->has_base_row_id = a->has_base_row_id;
	f->base_row_id = a->base_row_id;
	a->path = NULL;
	a->stats = NULL;
	a->dv.path_or_inline = NULL;
	memset(&a->partition_values, 0, sizeof a->partition_values);
	return f;
}

/* Applies the commit's (or checkpoint's) removes, then its adds. */
static void replay_flush_files(struct replay *r)
{
	for (size_t i = 0; i < r->removes.n; i++)
		file_free(delta_strmap_remove(&r->files, file_key(r, &r->removes.items[i])));
	for (size_t i = 0; i < r->adds.n; i++) {
		struct delta_file_action *a = &r->adds.items[i];
		const char *key = file_key(r, a);
		file_free(delta_strmap_put(&r->files, key, file_from_add(a)));
	}
	pending_clear(&r->removes);
	pending_clear(&r->adds);
}

static void replay_txn(struct replay *r, struct delta_txn *t)
{
	struct delta_txn *copy = xmalloc(sizeof *copy);
	*copy = *t;
	t->app_id = NULL;
	txn_free(delta_strmap_put(&r->txns, copy->app_id, copy));
}

static void replay_domain(struct replay *r, struct delta_domain_metadata *d)
{
	if (d->removed) {
		domain_free(delta_strmap_remove(&r->domains, d->domain));
		return;
	}
	struct delta_domain_metadata *copy = xmalloc(sizeof *copy);
	*copy = *d;
	d->domain = d->configuration = NULL;
	domain_free(delta_strmap_put(&r->domains, copy->domain, copy));
}

static enum delta_visit replay_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct replay *r = ctx;
	switch (a->type) {
	case DELTA_ACTION_PROTOCOL:
		delta_protocol_clear(&r->protocol);
		r->protocol = a->u.protocol;
		memset(&a->u.protocol, 0, sizeof a->u.protocol);
		r->has_protocol = true;
		break;
	case DELTA_ACTION_METADATA:
		delta_metadata_clear(&r->metadata);
		r->metadata = a->u.metadata;
		memset(&a->u.metadata, 0, sizeof a->u.metadata);
		r->has_metadata = true;
		break;
	case DELTA_ACTION_ADD:
		pending_push(&r->adds, &a->u.file);
		break;
	case DELTA_ACTION_REMOVE:
		pending_push(&r->removes, &a->u.file);
		break;
	case DELTA_ACTION_TXN:
		replay_txn(r, &a->u.txn);
		break;
	case DELTA_ACTION_DOMAIN_METADATA:
		replay_domain(r, &a->u.domain);
		break;
	case DELTA_ACTION_COMMIT_INFO:
		delta_commit_info_clear(&r->commit_info);
		r->commit_info = a->u.commit_info;
		memset(&a->u.commit_info, 0, sizeof a->u.commit_info);
		r->has_commit_info = true;
		break;
	case DELTA_ACTION_CDC:
	case DELTA_ACTION_SIDECAR:
	case DELTA_ACTION_CHECKPOINT_METADATA:
		break;
	}
	return DELTA_VISIT_CONTINUE;
}

static bool replay_commit(struct replay *r, const struct delta_log_file *commit,
			  struct lk_error *err)
{
	delta_commit_info_clear(&r->commit_info);
	r->has_commit_info = false;
	char *path = delta_log_path(r->table, commit->name);
	char *where = xasprintf("table %s: commit %lld (%s)", r->table->root,
				(long long)commit->version, commit->name);
	bool ok = delta_actions_read_file(path, where, replay_action, r, err);
	free(where);
	free(path);
	if (ok)
		replay_flush_files(r);
	return ok;
}

/* ---- building the snapshot ---------------------------------------------------------- */

static int file_cmp(const void *a, const void *b)
{
	const struct delta_file *x = *(struct delta_file *const *)a;
	const struct delta_file *y = *(struct delta_file *const *)b;
	int c = strcmp(x->path, y->path);
	if (c != 0)
		return c;
	return strcmp(x->has_dv ? x->dv.path_or_inline : "", y->has_dv ? y->dv.path_or_inline : "");
}

static int txn_cmp(const void *a, const void *b)
{
	return strcmp((*(struct delta_txn *const *)a)->app_id, (*(struct delta_txn *const *)b)->app_id);
}

static int domain_cmp(const void *a, const void *b)
{
	return strcmp((*(struct delta_domain_metadata *const *)a)->domain,
		      (*(struct delta_domain_metadata *const *)b)->domain);
}

/* Moves the replayed files into the snapshot's array (sorted), emptying the map. */
static void collect_files(struct replay *r, struct delta_snapshot *s)
{
	size_t n;
	void **values = delta_strmap_values(&r->files, &n);
	qsort(values, n, sizeof *values, file_cmp);
	s->files = xcalloc(n ? n : 1, sizeof *s->files);
	for (size_t i = 0; i < n; i++) {
		s->files[i] = *(struct delta_file *)values[i];
		free(values[i]);
	}
	s->n_files = n;
	free(values);
	delta_strmap_free(&r->files);
}

static void collect_txns_domains(struct replay *r, struct delta_snapshot *s)
{
	size_t n;
	void **values = delta_strmap_values(&r->txns, &n);
	qsort(values, n, sizeof *values, txn_cmp);
	s->txns = xcalloc(n ? n : 1, sizeof *s->txns);
	for (size_t i = 0; i < n; i++) {
		s->txns[i] = *(struct delta_txn *)values[i];
		free(values[i]);
	}
	s->n_txns = n;
	free(values);
	delta_strmap_free(&r->txns);

	values = delta_strmap_values(&r->domains, &n);
	qsort(values, n, sizeof *values, domain_cmp);
	s->domains = xcalloc(n ? n : 1, sizeof *s->domains);
	for (size_t i = 0; i < n; i++) {
		s->domains[i] = *(struct delta_domain_metadata *)values[i];
		free(values[i]);
	}
	s->n_domains = n;
	free(values);
	delta_strmap_free(&r->domains);
}

void delta_snapshot_free(struct delta_snapshot *s)
{
	if (s == NULL)
		return;
	delta_protocol_clear(&s->protocol);
	delta_metadata_clear(&s->metadata);
	delta_type_free(s->schema);
	for (size_t i = 0; i < s->n_files; i++) {
		struct delta_file *f = &s->files[i];
		free(f->path);
		delta_map_clear(&f->partition_values);
		free(f->stats);
		free(f->dv.path_or_inline);
	}
	free(s->files);
	for (size_t i = 0; i < s->n_txns; i++)
		free(s->txns[i].app_id);
	free(s->txns);
	for (size_t i = 0; i < s->n_domains; i++) {
		free(s->domains[i].domain);
		free(s->domains[i].configuration);
	}
	free(s->domains);
	delta_commit_info_clear(&s->commit_info);
	free(s->checkpoint_skipped);
	free(s);
}

/* Replays the checkpoint, or decides to start from commit 0 (see the file comment).
 * On return *from_zero says whether the commits to replay start at 0. */
static bool replay_checkpoint(struct replay *r, const struct delta_segment *seg,
			      struct delta_snapshot *s, bool *from_zero, struct lk_error *err)
{
	*from_zero = !seg->has_checkpoint;
	if (!seg->has_checkpoint)
		return true;
	struct lk_error cp_err = LK_ERROR_INIT;
	if (delta_checkpoint_read(r->table, &seg->checkpoint, replay_action, r, &cp_err)) {
		replay_flush_files(r);
		s->checkpoint_version = seg->checkpoint.version;
		return true;
	}
	if (err != NULL)
		*err = cp_err;
	/* A checkpoint lakesync cannot use (an unsupported form, a damaged or unreadable file,
	 * a lost sidecar) is only an optimisation: replay the commits instead when they all
	 * still exist, and say why. */
	bool replaceable = cp_err.code == LK_EUNSUPPORTED || cp_err.code == LK_ECORRUPT ||
			   cp_err.code == LK_EIO || cp_err.code == LK_ELOG_TRUNCATED;
	if (!replaceable)
		return false;
	if (!seg->commits_from_zero)
		return lk_error_prefix(err, "older commits are gone, so the table cannot be "
					    "replayed from commit 0 instead");
	s->checkpoint_skipped = xstrdup(cp_err.message);
	lk_error_clear(err);
	replay_reset(r);
	*from_zero = true;
	return true;
}

static bool replay_segment(struct replay *r, const struct delta_listing *ls,
			   const struct delta_segment *seg, struct delta_snapshot *s,
			   struct lk_error *err)
{
	bool from_zero;
	if (!replay_checkpoint(r, seg, s, &from_zero, err))
		return false;
	int64_t first = from_zero ? 0 : seg->checkpoint.version + 1;
	for (int64_t v = first; v <= seg->version; v++)
		if (!replay_commit(r, delta_listing_commit(ls, v), err))
			return false;
	return true;
}

/* commitInfo and the commit timestamp of version s->version. */
static bool snapshot_commit_facts(struct replay *r, const struct delta_listing *ls,
				  struct delta_snapshot *s, bool replayed_commit,
				  struct lk_error *err)
{
	const struct delta_log_file *commit = delta_listing_commit(ls, s->version);
	if (commit == NULL) /* a checkpoint whose commit was cleaned away */
		return true;
	if (replayed_commit) {
		s->has_commit_info = r->has_commit_info;
		s->commit_info = r->commit_info;
		memset(&r->commit_info, 0, sizeof r->commit_info);
	} else {
		struct commit_info_scan scan;
		if (!read_commit_info(r->table, commit, &scan, err))
			return false;
		s->has_commit_info = scan.found;
		s->commit_info = scan.info;
	}
	bool ict = delta_ict_enabled(&s->protocol, &s->metadata, s->version);
	if (ict && !(s->has_commit_info && s->commit_info.has_in_commit_timestamp))
		return lk_error_set(err, LK_ECORRUPT,
				    "table %s: commit %lld has no inCommitTimestamp although "
				    "in-commit timestamps are enabled",
				    r->table->root, (long long)s->version);
	s->commit_timestamp = ict ? s->commit_info.in_commit_timestamp : commit->mtime_ms;
	return true;
}

/* Protocol and metadata must exist; the protocol must be readable; the schema must parse. */
static bool snapshot_validate(struct replay *r, struct delta_snapshot *s, struct lk_error *err)
{
	const char *root = r->table->root;
	long long v = (long long)s->version;
	if (!r->has_protocol)
		return lk_error_set(err, LK_ECORRUPT, "table %s: no protocol action at version %lld",
				    root, v);
	if (!r->has_metadata)
		return lk_error_set(err, LK_ECORRUPT, "table %s: no metaData action at version %lld",
				    root, v);
	s->protocol = r->protocol;
	s->metadata = r->metadata;
	memset(&r->protocol, 0, sizeof r->protocol);
	memset(&r->metadata, 0, sizeof r->metadata);
	r->has_protocol = r->has_metadata = false;
	if (!delta_protocol_check_readable(&s->protocol, err) ||
	    !delta_column_mapping_mode(&s->protocol, &s->metadata, &s->column_mapping, err))
		return lk_error_prefix(err, "table %s at version %lld", root, v);
	s->schema = delta_schema_parse(s->metadata.schema_string, err);
	if (s->schema == NULL ||
	    !delta_schema_check_column_mapping(s->schema, s->column_mapping, err))
		return lk_error_prefix(err, "table %s at version %lld: schemaString", root, v);
	return true;
}

static struct delta_snapshot *snapshot_build(struct delta_table *table,
					     const struct delta_listing *ls,
					     const struct delta_segment *seg, struct lk_error *err)
{
	struct delta_snapshot *s = xcalloc(1, sizeof *s);
	s->table = table;
	s->version = seg->version;
	s->checkpoint_version = -1;
	struct replay r = { .table = table };
	bool ok = replay_segment(&r, ls, seg, s, err);
	bool replayed_commit = seg->n_commits > 0 || s->checkpoint_skipped != NULL;
	if (ok)
		ok = snapshot_validate(&r, s, err) &&
		     snapshot_commit_facts(&r, ls, s, replayed_commit, err);
	if (ok) {
		collect_files(&r, s);
		collect_txns_domains(&r, s);
	}
	replay_free(&r);
	if (!ok) {
		delta_snapshot_free(s);
		return NULL;
	}
	return s;
}

struct delta_snapshot *delta_snapshot_load(struct delta_table *table, int64_t version,
					   struct lk_error *err)
{
	struct delta_listing ls;
	if (!delta_log_list(table, &ls, err))
		return NULL;
	struct delta_segment seg;
	struct delta_snapshot *s = NULL;
	if (delta_segment_build(table, &ls, version, &seg, err)) {
		s = snapshot_build(table, &ls, &seg, err);
		delta_segment_free(&seg);
	}
	delta_listing_free(&ls);
	return s;
}

/* The greatest version whose commit timestamp is <= timestamp_ms, scanning down. */
static bool version_at(struct delta_table *table, const struct delta_listing *ls,
		       const struct delta_snapshot *latest, int64_t timestamp_ms, int64_t *version,
		       struct lk_error *err)
{
	for (size_t i = ls->n; i-- > 0;) {
		const struct delta_log_file *f = &ls->files[i];
		if (f->kind != DELTA_LOG_COMMIT || f->version > latest->version)
			continue;
		bool ict = delta_ict_enabled(&latest->protocol, &latest->metadata, f->version);
		int64_t ts;
		if (!delta_commit_timestamp(table, f, ict, &ts, err))
			return false;
		if (ts <= timestamp_ms) {
			*version = f->version;
			return true;
		}
	}
	return lk_error_set(err, LK_ENOTFOUND,
			    "table %s: no version was committed at or before timestamp %lld ms",
			    table->root, (long long)timestamp_ms);
}

struct delta_snapshot *delta_snapshot_load_at(struct delta_table *table, int64_t timestamp_ms,
					      struct lk_error *err)
{
	struct delta_snapshot *latest = delta_snapshot_load(table, -1, err);
	if (latest == NULL)
		return NULL;
	struct delta_listing ls;
	int64_t version = -1;
	bool ok = delta_log_list(table, &ls, err);
	if (ok) {
		ok = version_at(table, &ls, latest, timestamp_ms, &version, err);
		delta_listing_free(&ls);
	}
	if (ok && version == latest->version)
		return latest;
	delta_snapshot_free(latest);
	return ok ? delta_snapshot_load(table, version, err) : NULL;
}
