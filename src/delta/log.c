/* delta/log.c: what is in _delta_log/ and which of it a version needs.
 * Matches file names strictly, lists the directory, reads _last_checkpoint as a hint only,
 * and builds the segment (newest complete checkpoint <= V, then commits up to V) for one
 * version, telling a gap in the commits (corrupt) from history cleaned away (truncated). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

enum {
	VERSION_DIGITS = 20,
	PART_DIGITS = 10,
	UUID_CHARS = 36,
};

static const char *const kind_names[] = {
	[DELTA_LOG_COMMIT] = "commit",
	[DELTA_LOG_CHECKPOINT_CLASSIC] = "checkpoint",
	[DELTA_LOG_CHECKPOINT_MULTIPART] = "multi-part checkpoint",
	[DELTA_LOG_CHECKPOINT_UUID] = "V2 checkpoint",
	[DELTA_LOG_COMPACTION] = "log compaction",
	[DELTA_LOG_CRC] = "checksum",
};

const char *delta_log_kind_name(enum delta_log_kind kind)
{
	return kind_names[kind];
}

/* ---- name matching ----------------------------------------------------------------- */

/* Reads exactly `digits` decimal digits at *p. */
static bool take_digits(const char **p, int digits, int64_t *value)
{
	int64_t v = 0;
	for (int i = 0; i < digits; i++) {
		char c = (*p)[i];
		if (c < '0' || c > '9')
			return false;
		if (v > (INT64_MAX - (c - '0')) / 10)
			return false;
		v = v * 10 + (c - '0');
	}
	*p += digits;
	*value = v;
	return true;
}

static bool take_literal(const char **p, const char *lit)
{
	size_t n = strlen(lit);
	if (strncmp(*p, lit, n) != 0)
		return false;
	*p += n;
	return true;
}

static bool is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* A canonical 8-4-4-4-12 UUID. */
static bool take_uuid(const char **p)
{
	const char *s = *p;
	for (int i = 0; i < UUID_CHARS; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		if (dash ? s[i] != '-' : !is_hex(s[i]))
			return false;
	}
	*p += UUID_CHARS;
	return true;
}

static bool classify_checkpoint(const char *p, struct delta_log_file *out)
{
	if (strcmp(p, "parquet") == 0) {
		out->kind = DELTA_LOG_CHECKPOINT_CLASSIC;
		out->is_parquet = true;
		return true;
	}
	int64_t part, parts;
	const char *q = p;
	if (take_digits(&q, PART_DIGITS, &part) && take_literal(&q, ".") &&
	    take_digits(&q, PART_DIGITS, &parts) && strcmp(q, ".parquet") == 0) {
		if (part < 1 || parts < 1 || part > parts || parts > UINT32_MAX)
			return false;
		out->kind = DELTA_LOG_CHECKPOINT_MULTIPART;
		out->part = (uint32_t)part;
		out->parts = (uint32_t)parts;
		out->is_parquet = true;
		return true;
	}
	q = p;
	if (!take_uuid(&q))
		return false;
	if (strcmp(q, ".json") == 0 || strcmp(q, ".parquet") == 0) {
		out->kind = DELTA_LOG_CHECKPOINT_UUID;
		out->is_parquet = q[1] == 'p';
		return true;
	}
	return false;
}

bool delta_log_classify(const char *name, struct delta_log_file *out)
{
	memset(out, 0, sizeof *out);
	const char *p = name;
	int64_t version;
	if (!take_digits(&p, VERSION_DIGITS, &version) || *p != '.')
		return false;
	out->version = out->end_version = version;
	if (strcmp(p, ".json") == 0) {
		out->kind = DELTA_LOG_COMMIT;
		return true;
	}
	if (strcmp(p, ".crc") == 0) {
		out->kind = DELTA_LOG_CRC;
		return true;
	}
	if (take_literal(&p, ".checkpoint."))
		return classify_checkpoint(p, out);
	p++;
	int64_t end;
	if (take_digits(&p, VERSION_DIGITS, &end) && strcmp(p, ".compacted.json") == 0 &&
	    end > version) {
		out->kind = DELTA_LOG_COMPACTION;
		out->end_version = end;
		return true;
	}
	return false;
}

/* ---- listing ------------------------------------------------------------------------ */

static int log_file_cmp(const void *a, const void *b)
{
	const struct delta_log_file *x = a, *y = b;
	if (x->version != y->version)
		return x->version < y->version ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return strcmp(x->name, y->name);
}

static bool stat_log_file(const struct delta_table *table, struct delta_log_file *f,
			  struct lk_error *err)
{
	char *path = delta_log_path(table, f->name);
	struct stat st;
	int rc = stat(path, &st);
	free(path);
	if (rc != 0)
		return lk_error_set_errno(err, LK_EIO, errno, "table %s: cannot stat _delta_log/%s",
					  table->root, f->name);
	f->size = (int64_t)st.st_size;
	f->mtime_ms = (int64_t)st.st_mtim.tv_sec * 1000 + st.st_mtim.tv_nsec / 1000000;
	return true;
}

void delta_listing_free(struct delta_listing *listing)
{
	for (size_t i = 0; i < listing->n; i++)
		free(listing->files[i].name);
	free(listing->files);
	memset(listing, 0, sizeof *listing);
}

bool delta_log_list(const struct delta_table *table, struct delta_listing *out,
		    struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	out->latest_version = -1;
	DIR *dir = opendir(table->log_dir);
	if (dir == NULL)
		return lk_error_set_errno(err, errno == ENOENT ? LK_ENOTFOUND : LK_EIO, errno,
					  "table %s: cannot list _delta_log", table->root);
	size_t cap = 0;
	struct dirent *ent;
	while ((ent = readdir(dir)) != NULL) {
		struct delta_log_file f;
		if (!delta_log_classify(ent->d_name, &f))
			continue;
		f.name = xstrdup(ent->d_name);
		if (out->n == cap) {
			cap = cap ? cap * 2 : 64;
			out->files = xreallocarray(out->files, cap, sizeof *out->files);
		}
		out->files[out->n++] = f;
	}
	closedir(dir);
	for (size_t i = 0; i < out->n; i++) {
		if (!stat_log_file(table, &out->files[i], err)) {
			delta_listing_free(out);
			return false;
		}
	}
	if (out->n > 1)
		qsort(out->files, out->n, sizeof *out->files, log_file_cmp);
	for (size_t i = 0; i < out->n; i++) {
		const struct delta_log_file *f = &out->files[i];
		bool counts = f->kind == DELTA_LOG_COMMIT || f->kind == DELTA_LOG_CHECKPOINT_CLASSIC ||
			      f->kind == DELTA_LOG_CHECKPOINT_MULTIPART ||
			      f->kind == DELTA_LOG_CHECKPOINT_UUID;
		if (counts && f->version > out->latest_version)
			out->latest_version = f->version;
	}
	return true;
}

const struct delta_log_file *delta_listing_commit(const struct delta_listing *listing,
						 int64_t version)
{
	size_t lo = 0, hi = listing->n;
	while (lo < hi) { /* first file with version >= wanted */
		size_t mid = lo + (hi - lo) / 2;
		if (listing->files[mid].version < version)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t i = lo; i < listing->n && listing->files[i].version == version; i++)
		if (listing->files[i].kind == DELTA_LOG_COMMIT)
			return &listing->files[i];
	return NULL;
}

int64_t delta_listing_oldest_commit(const struct delta_listing *listing)
{
	for (size_t i = 0; i < listing->n; i++)
		if (listing->files[i].kind == DELTA_LOG_COMMIT)
			return listing->files[i].version;
	return -1;
}

/* ---- checkpoints ------------------------------------------------------------------- */

/* Preference among complete checkpoints of one version: V2 (UUID-named) first, then single
 * files, then multi-part ones. */
static int checkpoint_rank(const struct delta_log_file *f)
{
	if (f->kind == DELTA_LOG_CHECKPOINT_UUID && !f->is_parquet)
		return 0;
	if (f->kind == DELTA_LOG_CHECKPOINT_CLASSIC || f->kind == DELTA_LOG_CHECKPOINT_UUID)
		return 1;
	return 2;
}

/* Collects the parts of the multi-part checkpoint of `first` (same version and count). */
static bool multipart_complete(const struct delta_listing *ls, size_t first,
			       const struct delta_log_file ***parts_out)
{
	const struct delta_log_file *f = &ls->files[first];
	const struct delta_log_file **parts = xcalloc(f->parts, sizeof *parts);
	for (size_t i = first; i < ls->n && ls->files[i].version == f->version; i++) {
		const struct delta_log_file *g = &ls->files[i];
		if (g->kind == DELTA_LOG_CHECKPOINT_MULTIPART && g->parts == f->parts)
			parts[g->part - 1] = g;
	}
	for (uint32_t i = 0; i < f->parts; i++) {
		if (parts[i] == NULL) {
			free(parts);
			return false;
		}
	}
	*parts_out = parts;
	return true;
}

/* The best complete checkpoint with the newest version <= version. */
static bool find_checkpoint(const struct delta_listing *ls, int64_t version,
			    struct delta_checkpoint_ref *out)
{
	memset(out, 0, sizeof *out);
	bool found = false;
	int best_rank = 99;
	for (size_t i = ls->n; i-- > 0;) {
		const struct delta_log_file *f = &ls->files[i];
		if (f->version > version)
			continue;
		if (found && f->version < out->version)
			break;
		bool checkpoint = f->kind == DELTA_LOG_CHECKPOINT_CLASSIC ||
				  f->kind == DELTA_LOG_CHECKPOINT_UUID ||
				  (f->kind == DELTA_LOG_CHECKPOINT_MULTIPART && f->part == 1);
		if (!checkpoint || checkpoint_rank(f) >= best_rank)
			continue;
		const struct delta_log_file **parts = NULL;
		size_t n_parts = 1;
		if (f->kind == DELTA_LOG_CHECKPOINT_MULTIPART) {
			if (!multipart_complete(ls, i, &parts))
				continue;
			n_parts = f->parts;
		} else {
			parts = xcalloc(1, sizeof *parts);
			parts[0] = f;
		}
		free(out->parts);
		out->version = f->version;
		out->kind = f->kind;
		out->is_parquet = f->is_parquet;
		out->parts = parts;
		out->n_parts = n_parts;
		best_rank = checkpoint_rank(f);
		found = true;
	}
	return found;
}

/* Reads _last_checkpoint and says whether it agrees with the listing's choice. It is a
 * hint only: on a local file system the listing is cheap and authoritative. */
static enum delta_hint_state read_hint(const struct delta_table *table, bool has_checkpoint,
				       int64_t checkpoint_version)
{
	char *path = delta_log_path(table, "_last_checkpoint");
	FILE *fp = fopen(path, "rb");
	free(path);
	if (fp == NULL)
		return DELTA_HINT_ABSENT;
	struct lk_buf text = LK_BUF_INIT;
	char chunk[4096];
	size_t got;
	while ((got = fread(chunk, 1, sizeof chunk, fp)) > 0)
		lk_buf_append(&text, chunk, got);
	fclose(fp);
	cJSON *json = cJSON_ParseWithLength(lk_buf_cstr(&text), text.len);
	lk_buf_free(&text);
	const cJSON *v = json ? cJSON_GetObjectItemCaseSensitive(json, "version") : NULL;
	enum delta_hint_state state = DELTA_HINT_CORRUPT;
	if (cJSON_IsNumber(v))
		state = has_checkpoint && (int64_t)v->valuedouble == checkpoint_version
				? DELTA_HINT_OK
				: DELTA_HINT_STALE;
	cJSON_Delete(json);
	return state;
}

/* ---- segments ---------------------------------------------------------------------- */

void delta_segment_free(struct delta_segment *seg)
{
	free(seg->checkpoint.parts);
	free(seg->commits);
	memset(seg, 0, sizeof *seg);
}

static bool commits_contiguous(const struct delta_listing *ls, int64_t from, int64_t to,
			       int64_t *missing)
{
	for (int64_t v = from; v <= to; v++) {
		if (delta_listing_commit(ls, v) == NULL) {
			*missing = v;
			return false;
		}
	}
	return true;
}

static bool segment_truncated(const struct delta_table *table, const struct delta_listing *ls,
			      int64_t version, struct lk_error *err)
{
	int64_t oldest = delta_listing_oldest_commit(ls);
	return lk_error_set(err, LK_ELOG_TRUNCATED,
			    "table %s: version %lld cannot be reconstructed: commit 0 is gone "
			    "(oldest commit file is %lld) and there is no complete checkpoint at or "
			    "before it",
			    table->root, (long long)version, (long long)oldest);
}

bool delta_segment_build(const struct delta_table *table, const struct delta_listing *ls,
			 int64_t version, struct delta_segment *seg, struct lk_error *err)
{
	memset(seg, 0, sizeof *seg);
	if (ls->latest_version < 0)
		return lk_error_set(err, LK_ENOTFOUND, "table %s: _delta_log has no commits",
				    table->root);
	if (version < 0)
		version = ls->latest_version;
	if (version > ls->latest_version)
		return lk_error_set(err, LK_ENOTFOUND,
				    "table %s: version %lld does not exist (latest is %lld)",
				    table->root, (long long)version, (long long)ls->latest_version);
	seg->version = version;
	seg->has_checkpoint = find_checkpoint(ls, version, &seg->checkpoint);
	int64_t first = seg->has_checkpoint ? seg->checkpoint.version + 1 : 0;
	if (!seg->has_checkpoint && delta_listing_commit(ls, 0) == NULL)
		return segment_truncated(table, ls, version, err);
	int64_t missing;
	if (!commits_contiguous(ls, first, version, &missing)) {
		delta_segment_free(seg);
		return lk_error_set(err, LK_ECORRUPT,
				    "table %s: commit %lld (%020lld.json) is missing from _delta_log: "
				    "versions %lld..%lld must all be present",
				    table->root, (long long)missing, (long long)missing,
				    (long long)first, (long long)version);
	}
	seg->n_commits = (size_t)(version - first + 1);
	seg->commits = xcalloc(seg->n_commits ? seg->n_commits : 1, sizeof *seg->commits);
	for (size_t i = 0; i < seg->n_commits; i++)
		seg->commits[i] = delta_listing_commit(ls, first + (int64_t)i);
	seg->commits_from_zero = commits_contiguous(ls, 0, version, &missing);
	seg->hint = read_hint(table, seg->has_checkpoint, seg->checkpoint.version);
	return true;
}
