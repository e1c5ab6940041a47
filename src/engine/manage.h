/* engine/manage.h: the operations every face offers on synced tables — create, get, list,
 * update, delete — with the checks that need the source and the target, so the CLI, the
 * console and the REST daemon stay thin and agree.
 *
 * Create resolves the effective instance (project, optionally "project/branch") and
 * database, checks the source table (it exists; primary-key and timeseries columns exist;
 * every column has a PostgreSQL type, naming every one that does not; Change Data Feed is on
 * for TRIGGERED and CONTINUOUS, else the error gives the ALTER TABLE command), then stores
 * the table as PROVISIONING and returns at once: the engine does the initial load.
 * Delete refuses while a pipeline runs the table; with purge it drops the PostgreSQL table
 * and its cursor first. Failures fill *err with the API's error classes (LK_EINVAL,
 * LK_ENOTFOUND, LK_EEXISTS, LK_EUNSUPPORTED, LK_ECDF_DISABLED, LK_EBUSY, LK_ECONN). */
#ifndef LK_ENGINE_MANAGE_H
#define LK_ENGINE_MANAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api/model.h"
#include "conf/conf.h"
#include "registry/registry.h"
#include "util/error.h"

/* Opens a connection to the registry of conf. */
struct registry *manage_open_registry(const struct conf *conf, struct lk_error *err);

/* t is the request; on success it holds the stored object (effective names, status). */
bool manage_create(const struct conf *conf, struct registry *reg, struct model_table *t,
		   struct lk_error *err);
/* Applies update_mask from patch to the stored table and stores it in out. */
bool manage_update(const struct conf *conf, struct registry *reg, const char *name,
		   const struct model_table *patch, const char *update_mask,
		   struct model_table *out, struct lk_error *err);
bool manage_delete(const struct conf *conf, struct registry *reg, const char *name, bool purge,
		   struct lk_error *err);

/* What the create wizard shows about a source table before anything is created. */
struct manage_preview_column {
	char *name;
	char *source_type;   /* Delta type as written ("decimal(12,2)", "array<string>") */
	char *target_type;   /* PostgreSQL type ("numeric(12,2)", "jsonb"), NULL if unsupported */
	bool nullable;
	bool suggested_key;  /* part of the auto-detected primary key */
};

struct manage_preview {
	char *source_root;
	int64_t version;               /* latest version */
	int64_t commit_timestamp_ms;
	bool cdf_enabled;
	char *enable_cdf_sql;          /* the ALTER TABLE command that turns CDF on */
	struct manage_preview_column *columns;
	size_t n_columns;
	size_t n_unsupported;
	char **partition_columns;
	size_t n_partition_columns;
	int64_t n_files;
	int64_t row_estimate;          /* from the files' statistics; -1 when unknown */
};

/* Reads a source table's schema and facts. The suggested key: a column named "id", else
 * the first one named "<x>_id" or "<x>_key", else none. */
bool manage_preview(const struct conf *conf, const char *source_full_name,
		    struct manage_preview *out, struct lk_error *err);
void manage_preview_free(struct manage_preview *preview);

#endif
