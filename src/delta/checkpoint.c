/* delta/checkpoint.c: the one place that reads checkpoints, and so the seam with the
 * Parquet reader. JSON V2 checkpoints whose actions are all inline are read now. Anything
 * stored in Parquet (classic and multi-part checkpoints, UUID .parquet checkpoints and the
 * sidecar files a V2 checkpoint points to) is refused with LK_EUNSUPPORTED until the
 * Parquet reader is linked; snapshot.c then replays the commits from version 0 instead. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

static const char PARQUET_NOT_LINKED[] =
	"Parquet checkpoints need the Parquet reader (not yet linked)";

struct sidecar_scan {
	bool has_sidecar;
	char *first_sidecar;
	bool has_checkpoint_metadata;
	int64_t checkpoint_metadata_version;
};

static enum delta_visit scan_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct sidecar_scan *scan = ctx;
	if (a->type == DELTA_ACTION_SIDECAR && !scan->has_sidecar) {
		scan->has_sidecar = true;
		scan->first_sidecar = a->u.sidecar.path;
		a->u.sidecar.path = NULL;
	} else if (a->type == DELTA_ACTION_CHECKPOINT_METADATA) {
		scan->has_checkpoint_metadata = true;
		scan->checkpoint_metadata_version = a->u.checkpoint_metadata.version;
	}
	return DELTA_VISIT_CONTINUE;
}

/* Checks a JSON V2 checkpoint before any action reaches the caller, so that a refusal
 * leaves the caller's state untouched. */
static bool json_checkpoint_check(const struct delta_checkpoint_ref *cp, const char *path,
				  const char *where, struct lk_error *err)
{
	struct sidecar_scan scan = { 0 };
	bool ok = delta_actions_read_file(path, where, scan_action, &scan, err);
	if (ok && scan.has_sidecar)
		ok = lk_error_set(err, LK_EUNSUPPORTED,
				  "%s: its add/remove actions are in Parquet sidecar files (%s): %s",
				  where, scan.first_sidecar, PARQUET_NOT_LINKED);
	if (ok && scan.has_checkpoint_metadata && scan.checkpoint_metadata_version != cp->version)
		ok = lk_error_set(err, LK_ECORRUPT,
				  "%s: checkpointMetadata says version %lld", where,
				  (long long)scan.checkpoint_metadata_version);
	free(scan.first_sidecar);
	return ok;
}

/* Checkpoints never hold commitInfo or cdc; drop them if a writer put them there. */
struct filter_ctx {
	delta_action_fn fn;
	void *ctx;
};

static enum delta_visit filter_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct filter_ctx *f = ctx;
	if (a->type == DELTA_ACTION_COMMIT_INFO || a->type == DELTA_ACTION_CDC)
		return DELTA_VISIT_CONTINUE;
	return f->fn(f->ctx, a, err);
}

bool delta_checkpoint_read(const struct delta_table *table,
			   const struct delta_checkpoint_ref *cp, delta_action_fn fn, void *ctx,
			   struct lk_error *err)
{
	if (cp->is_parquet)
		return lk_error_set(err, LK_EUNSUPPORTED, "table %s: %s at version %lld (%s): %s",
				    table->root, delta_log_kind_name(cp->kind),
				    (long long)cp->version, cp->parts[0]->name, PARQUET_NOT_LINKED);
	const char *name = cp->parts[0]->name;
	char *path = delta_log_path(table, name);
	char *where = xasprintf("table %s: checkpoint %lld (%s)", table->root,
				(long long)cp->version, name);
	struct filter_ctx filter = { .fn = fn, .ctx = ctx };
	bool ok = json_checkpoint_check(cp, path, where, err) &&
		  delta_actions_read_file(path, where, filter_action, &filter, err);
	free(where);
	free(path);
	return ok;
}
