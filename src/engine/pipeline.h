/* engine/pipeline.h: one run of one synced table's pipeline: a full load (the initial
 * load, SNAPSHOT runs and full refreshes) or an incremental apply of the change feed since
 * the cursor. A run holds the table's advisory lock in the registry for its whole length
 * (invariant 3), records itself in the run history and keeps the synced table's status
 * current, progress included. Engine-internal; thread-safe as long as each thread passes
 * its own registry connection. */
#ifndef LK_ENGINE_PIPELINE_H
#define LK_ENGINE_PIPELINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "conf/conf.h"
#include "registry/registry.h"
#include "util/error.h"

struct pipeline_env {
	const struct conf *conf;
	struct registry *reg;      /* this thread's registry connection */
	const char *engine_id;     /* host:pid, recorded in the runs */
	atomic_bool *cancel;       /* set to stop the run at the next batch; may be NULL */
};

struct pipeline_result {
	bool full_load;            /* a full load ran (requested or fallen back to) */
	bool nothing_to_do;        /* the target was already at the latest version */
	int64_t from_version, to_version;
	int64_t rows_inserted, rows_updated, rows_deleted, rows_skipped;
	char message[LK_ERROR_MESSAGE_MAX + 32]; /* what happened, for the run history */
};

/* Runs the pipeline of synced table `name` now. LK_EBUSY when another engine holds it. */
bool pipeline_run(struct pipeline_env *env, const char *name, bool full_refresh,
		  struct pipeline_result *result, struct lk_error *err);

/* Resolves where a synced table's rows go: the connection string of its target database. */
bool pipeline_target_conninfo(const struct conf *conf, const struct model_table *t,
			      struct lk_buf *out, struct lk_error *err);

#endif
