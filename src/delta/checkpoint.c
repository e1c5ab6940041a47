/* delta/checkpoint.c: the one place that reads checkpoints. A checkpoint is one file
 * (classic `<v>.checkpoint.parquet`, UUID-named V2 `.json` or `.parquet`) or every part of a
 * multi-part one, in order; a V2 checkpoint (UUID-named, or classic-named in V2 form) may move
 * its add and remove actions into sidecar files under `_delta_log/_sidecars/`, which are read
 * after the checkpoint's own actions. JSON files go through actions.c, Parquet files through
 * checkpoint_parquet.c; both feed the caller's callback the same struct delta_action. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

/* The state of one checkpoint read: the caller's callback, and the sidecars collected from
 * the checkpoint's files (few: one per sidecar file, not per action). */
struct checkpoint_stream {
	const struct delta_checkpoint_ref *cp;
	const char *where;  /* the file being read, for messages */
	delta_action_fn fn;
	void *ctx;
	bool stopped;       /* fn asked to stop */
	char **sidecars;    /* percent-decoded sidecar paths */
	size_t n_sidecars, cap_sidecars;
};

static void stream_add_sidecar(struct checkpoint_stream *s, char *path)
{
	if (s->n_sidecars == s->cap_sidecars) {
		s->cap_sidecars = s->cap_sidecars ? s->cap_sidecars * 2 : 8;
		s->sidecars = xreallocarray(s->sidecars, s->cap_sidecars, sizeof *s->sidecars);
	}
	s->sidecars[s->n_sidecars++] = path;
}

/* Checkpoints never hold commitInfo or cdc: drop them if a writer put them there. Sidecar
 * actions are kept for later; checkpointMetadata must name the checkpoint's version. */
static enum delta_visit stream_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct checkpoint_stream *s = ctx;
	switch (a->type) {
	case DELTA_ACTION_COMMIT_INFO:
	case DELTA_ACTION_CDC:
		return DELTA_VISIT_CONTINUE;
	case DELTA_ACTION_SIDECAR:
		stream_add_sidecar(s, a->u.sidecar.path);
		a->u.sidecar.path = NULL;
		return DELTA_VISIT_CONTINUE;
	case DELTA_ACTION_CHECKPOINT_METADATA:
		if (a->u.checkpoint_metadata.version != s->cp->version) {
			lk_error_set(err, LK_ECORRUPT, "%s: checkpointMetadata says version %lld",
				     s->where, (long long)a->u.checkpoint_metadata.version);
			return DELTA_VISIT_ERROR;
		}
		break;
	default:
		break;
	}
	enum delta_visit visit = s->fn(s->ctx, a, err);
	s->stopped = visit == DELTA_VISIT_STOP;
	return visit;
}

static bool is_parquet_name(const char *name)
{
	size_t n = strlen(name);
	return n >= 8 && strcmp(name + n - 8, ".parquet") == 0;
}

static bool read_part(const struct delta_table *table, struct checkpoint_stream *s,
		      const struct delta_log_file *part, struct lk_error *err)
{
	char *path = delta_log_path(table, part->name);
	char *where = xasprintf("table %s: checkpoint %lld (%s)", table->root,
				(long long)s->cp->version, part->name);
	s->where = where;
	bool ok = is_parquet_name(part->name)
			  ? delta_checkpoint_parquet_read(path, where, false, stream_action, s, err)
			  : delta_actions_read_file(path, where, stream_action, s, err);
	s->where = NULL;
	free(where);
	free(path);
	return ok;
}

/* A sidecar path is relative to _delta_log/_sidecars/ unless it is absolute or a URI. */
static char *sidecar_local_path(const struct delta_table *table, const char *path,
				struct lk_error *err)
{
	if (path[0] == '/' || strstr(path, ":/") != NULL)
		return delta_table_resolve_path(table, path, err);
	return xasprintf("%s/_sidecars/%s", table->log_dir, path);
}

static bool read_sidecar(const struct delta_table *table, struct checkpoint_stream *s,
			 const char *sidecar, struct lk_error *err)
{
	const char *first = s->cp->parts[0]->name;
	char *where = xasprintf("table %s: checkpoint %lld (%s), sidecar %s", table->root,
				(long long)s->cp->version, first, sidecar);
	char *path = sidecar_local_path(table, sidecar, err);
	bool ok = path != NULL;
	struct stat st;
	if (!ok)
		lk_error_prefix(err, "%s", where);
	else if (stat(path, &st) != 0)
		ok = lk_error_set_errno(err, errno == ENOENT ? LK_ELOG_TRUNCATED : LK_EIO, errno,
					"%s: cannot open %s", where, path);
	if (ok && is_parquet_name(path)) {
		s->where = where;
		ok = delta_checkpoint_parquet_read(path, where, true, stream_action, s, err);
		s->where = NULL;
	} else if (ok) {
		ok = lk_error_set(err, LK_EUNSUPPORTED, "%s: sidecar files must be Parquet", where);
	}
	free(path);
	free(where);
	return ok;
}

bool delta_checkpoint_read(const struct delta_table *table,
			   const struct delta_checkpoint_ref *cp, delta_action_fn fn, void *ctx,
			   struct lk_error *err)
{
	struct checkpoint_stream s = { .cp = cp, .fn = fn, .ctx = ctx };
	bool ok = true;
	for (size_t i = 0; i < cp->n_parts && ok && !s.stopped; i++)
		ok = read_part(table, &s, cp->parts[i], err);
	for (size_t i = 0; i < s.n_sidecars && ok && !s.stopped; i++)
		ok = read_sidecar(table, &s, s.sidecars[i], err);
	delta_strv_free(s.sidecars, s.n_sidecars);
	return ok;
}
