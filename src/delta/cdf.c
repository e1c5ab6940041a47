/* delta/cdf.c: Change Data Feed planning. Checks that a range of versions can be read as a
 * change feed (CDF recorded at the start and never switched off inside, schema unchanged,
 * every protocol readable, every commit file still there) and lists, per commit, the files
 * whose rows are the changes: its cdc files when it has any, else its data-changing adds
 * (inserts) and removes (deletes), with a remove + add of one path turned into a DV update.
 * Always reads the individual JSON commits: checkpoints and compactions drop cdc actions. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "delta/internal.h"
#include "util/xmalloc.h"

static const char *const source_names[] = {
	[DELTA_CHANGE_CDC] = "cdc",
	[DELTA_CHANGE_INSERT] = "insert",
	[DELTA_CHANGE_DELETE] = "delete",
	[DELTA_CHANGE_DV_UPDATE] = "dv-update",
};

const char *delta_change_source_name(enum delta_change_source source)
{
	return source_names[source];
}

/* ---- plan memory -------------------------------------------------------------------- */

static void change_file_clear(struct delta_change_file *f)
{
	free(f->path);
	delta_map_clear(&f->partition_values);
	free(f->dv.path_or_inline);
	free(f->old_dv.path_or_inline);
}

static void change_commit_clear(struct delta_change_commit *c)
{
	for (size_t i = 0; i < c->n_files; i++)
		change_file_clear(&c->files[i]);
	free(c->files);
}

void delta_cdf_plan_free(struct delta_cdf_plan *plan)
{
	if (plan == NULL)
		return;
	for (size_t i = 0; i < plan->n_commits; i++)
		change_commit_clear(&plan->commits[i]);
	free(plan->commits);
	delta_type_free(plan->schema);
	delta_strv_free(plan->partition_columns, plan->n_partition_columns);
	free(plan);
}

/* ---- one commit --------------------------------------------------------------------- */

struct commit_actions {
	struct delta_file_action *cdc, *adds, *removes;
	size_t n_cdc, n_adds, n_removes;
	size_t cap_cdc, cap_adds, cap_removes;
	bool has_protocol, has_metadata, has_commit_info;
	struct delta_protocol protocol;
	struct delta_metadata metadata;
	struct delta_commit_info commit_info;
};

static void push_file(struct delta_file_action **items, size_t *n, size_t *cap,
		      struct delta_file_action *f)
{
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		*items = xreallocarray(*items, *cap, sizeof **items);
	}
	(*items)[(*n)++] = *f;
	memset(f, 0, sizeof *f);
}

static void commit_actions_clear(struct commit_actions *ca)
{
	for (size_t i = 0; i < ca->n_cdc; i++)
		delta_file_action_clear(&ca->cdc[i]);
	for (size_t i = 0; i < ca->n_adds; i++)
		delta_file_action_clear(&ca->adds[i]);
	for (size_t i = 0; i < ca->n_removes; i++)
		delta_file_action_clear(&ca->removes[i]);
	free(ca->cdc);
	free(ca->adds);
	free(ca->removes);
	delta_protocol_clear(&ca->protocol);
	delta_metadata_clear(&ca->metadata);
	delta_commit_info_clear(&ca->commit_info);
	memset(ca, 0, sizeof *ca);
}

static enum delta_visit collect_action(void *ctx, struct delta_action *a, struct lk_error *err)
{
	struct commit_actions *ca = ctx;
	switch (a->type) {
	case DELTA_ACTION_CDC:
		push_file(&ca->cdc, &ca->n_cdc, &ca->cap_cdc, &a->u.file);
		break;
	case DELTA_ACTION_ADD:
		push_file(&ca->adds, &ca->n_adds, &ca->cap_adds, &a->u.file);
		break;
	case DELTA_ACTION_REMOVE:
		push_file(&ca->removes, &ca->n_removes, &ca->cap_removes, &a->u.file);
		break;
	case DELTA_ACTION_PROTOCOL:
		delta_protocol_clear(&ca->protocol);
		ca->protocol = a->u.protocol;
		memset(&a->u.protocol, 0, sizeof a->u.protocol);
		ca->has_protocol = true;
		break;
	case DELTA_ACTION_METADATA:
		delta_metadata_clear(&ca->metadata);
		ca->metadata = a->u.metadata;
		memset(&a->u.metadata, 0, sizeof a->u.metadata);
		ca->has_metadata = true;
		break;
	case DELTA_ACTION_COMMIT_INFO:
		delta_commit_info_clear(&ca->commit_info);
		ca->commit_info = a->u.commit_info;
		memset(&a->u.commit_info, 0, sizeof a->u.commit_info);
		ca->has_commit_info = true;
		break;
	default:
		break;
	}
	return DELTA_VISIT_CONTINUE;
}

static struct delta_change_file *add_change(struct delta_change_commit *c, size_t *cap,
					    enum delta_change_source source,
					    struct delta_file_action *f)
{
	if (c->n_files == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		c->files = xreallocarray(c->files, *cap, sizeof *c->files);
	}
	struct delta_change_file *cf = &c->files[c->n_files++];
	memset(cf, 0, sizeof *cf);
	cf->source = source;
	cf->path = f->path;
	cf->partition_values = f->partition_values;
	cf->size = f->size;
	cf->has_dv = f->has_dv;
	cf->dv = f->dv;
	f->path = NULL;
	f->dv.path_or_inline = NULL;
	memset(&f->partition_values, 0, sizeof f->partition_values);
	return cf;
}

static struct delta_file_action *find_add(struct commit_actions *ca, const char *path)
{
	for (size_t i = 0; i < ca->n_adds; i++)
		if (ca->adds[i].path != NULL && ca->adds[i].data_change &&
		    strcmp(ca->adds[i].path, path) == 0)
			return &ca->adds[i];
	return NULL;
}

static void plan_commit_files(struct commit_actions *ca, struct delta_change_commit *c)
{
	size_t cap = 0;
	c->has_cdc = ca->n_cdc > 0;
	if (c->has_cdc) {
		for (size_t i = 0; i < ca->n_cdc; i++)
			add_change(c, &cap, DELTA_CHANGE_CDC, &ca->cdc[i]);
		return;
	}
	for (size_t i = 0; i < ca->n_removes; i++) {
		struct delta_file_action *rm = &ca->removes[i];
		if (!rm->data_change)
			continue;
		struct delta_file_action *add = find_add(ca, rm->path);
		if (add == NULL) {
			add_change(c, &cap, DELTA_CHANGE_DELETE, rm);
			continue;
		}
		struct delta_change_file *cf = add_change(c, &cap, DELTA_CHANGE_DV_UPDATE, add);
		cf->has_old_dv = rm->has_dv;
		cf->old_dv = rm->dv;
		rm->dv.path_or_inline = NULL;
	}
	for (size_t i = 0; i < ca->n_adds; i++)
		if (ca->adds[i].path != NULL && ca->adds[i].data_change)
			add_change(c, &cap, DELTA_CHANGE_INSERT, &ca->adds[i]);
}

/* ---- the range ---------------------------------------------------------------------- */

struct cdf_state {
	struct delta_table *table;
	const struct delta_listing *ls;
	const struct delta_cdf_options *opts;
	struct delta_protocol protocol;   /* as of the commit being planned */
	struct delta_metadata metadata;
	struct delta_type *start_schema;
	struct delta_type *schema;        /* current */
	struct delta_cdf_plan *plan;
};

static bool check_range(struct delta_table *table, const struct delta_listing *ls,
			int64_t start, int64_t *end, struct lk_error *err)
{
	const char *root = table->root;
	if (start < 0)
		return lk_error_set(err, LK_EINVAL, "table %s: start version %lld is negative", root,
				    (long long)start);
	if (start > ls->latest_version)
		return lk_error_set(err, LK_EINVAL,
				    "table %s: start version %lld is beyond the latest version %lld",
				    root, (long long)start, (long long)ls->latest_version);
	if (*end < 0)
		*end = ls->latest_version;
	if (start > *end)
		return lk_error_set(err, LK_EINVAL, "table %s: start version %lld is after end version %lld",
				    root, (long long)start, (long long)*end);
	if (*end > ls->latest_version)
		return lk_error_set(err, LK_EINVAL,
				    "table %s: end version %lld is beyond the latest version %lld",
				    root, (long long)*end, (long long)ls->latest_version);
	for (int64_t v = start; v <= *end; v++)
		if (delta_listing_commit(ls, v) == NULL)
			return lk_error_set(err, LK_ELOG_TRUNCATED,
					    "table %s: commit %lld (%020lld.json) is gone, so the "
					    "changes of versions %lld..%lld cannot be read",
					    root, (long long)v, (long long)v, (long long)start,
					    (long long)*end);
	return true;
}

static bool cdf_disabled(struct cdf_state *st, int64_t v, struct lk_error *err)
{
	return lk_error_set(err, LK_ECDF_DISABLED,
			    "table %s: change data was not recorded for version %lld "
			    "(delta.enableChangeDataFeed is off there)",
			    st->table->root, (long long)v);
}

static bool apply_schema(struct cdf_state *st, int64_t v, struct lk_error *err)
{
	struct delta_type *schema = delta_schema_parse(st->metadata.schema_string, err);
	if (schema == NULL)
		return lk_error_prefix(err, "table %s: version %lld", st->table->root, (long long)v);
	delta_type_free(st->schema);
	st->schema = schema;
	struct lk_buf what = LK_BUF_INIT;
	enum delta_schema_change c = delta_schema_compare(st->start_schema, schema, &what);
	bool ok = c == DELTA_SCHEMA_IDENTICAL ||
		  (c == DELTA_SCHEMA_ADDITIVE && st->opts && st->opts->allow_additive_schema);
	if (ok && c > st->plan->schema_change)
		st->plan->schema_change = c;
	if (!ok)
		lk_error_set(err, LK_ESCHEMA_CHANGE,
			     "table %s: the schema changed at version %lld (%s change: %s); the "
			     "change feed needs one schema from version %lld on",
			     st->table->root, (long long)v, delta_schema_change_name(c),
			     lk_buf_cstr(&what), (long long)st->plan->start);
	lk_buf_free(&what);
	return ok;
}

/* Takes the commit's protocol and metadata, then checks the range rules at v. */
static bool apply_table_changes(struct cdf_state *st, struct commit_actions *ca, int64_t v,
				struct lk_error *err)
{
	if (ca->has_protocol) {
		delta_protocol_clear(&st->protocol);
		st->protocol = ca->protocol;
		memset(&ca->protocol, 0, sizeof ca->protocol);
		if (!delta_protocol_check_readable(&st->protocol, err))
			return lk_error_prefix(err, "table %s: version %lld", st->table->root,
					       (long long)v);
	}
	if (ca->has_metadata) {
		delta_metadata_clear(&st->metadata);
		st->metadata = ca->metadata;
		memset(&ca->metadata, 0, sizeof ca->metadata);
	}
	if (!delta_cdf_enabled(&st->protocol, &st->metadata))
		return cdf_disabled(st, v, err);
	return !ca->has_metadata || apply_schema(st, v, err);
}

static bool plan_commit(struct cdf_state *st, int64_t v, struct delta_change_commit *c,
			struct lk_error *err)
{
	const struct delta_log_file *commit = delta_listing_commit(st->ls, v);
	char *path = delta_log_path(st->table, commit->name);
	char *where = xasprintf("table %s: commit %lld (%s)", st->table->root, (long long)v,
				commit->name);
	struct commit_actions ca = { 0 };
	bool ok = delta_actions_read_file(path, where, collect_action, &ca, err) &&
		  apply_table_changes(st, &ca, v, err);
	c->version = v;
	if (ok) {
		c->timestamp_is_ict = delta_ict_enabled(&st->protocol, &st->metadata, v);
		c->timestamp = commit->mtime_ms;
		if (c->timestamp_is_ict && !(ca.has_commit_info && ca.commit_info.has_in_commit_timestamp))
			ok = lk_error_set(err, LK_ECORRUPT, "%s: no inCommitTimestamp although "
							    "in-commit timestamps are enabled",
					  where);
		else if (c->timestamp_is_ict)
			c->timestamp = ca.commit_info.in_commit_timestamp;
	}
	if (ok)
		plan_commit_files(&ca, c);
	commit_actions_clear(&ca);
	free(where);
	free(path);
	return ok;
}

static bool plan_start(struct cdf_state *st, int64_t start, struct lk_error *err)
{
	struct delta_snapshot *s = delta_snapshot_load(st->table, start, err);
	if (s == NULL)
		return false;
	bool enabled = delta_cdf_enabled(&s->protocol, &s->metadata);
	delta_protocol_copy(&st->protocol, &s->protocol);
	delta_metadata_copy(&st->metadata, &s->metadata);
	st->start_schema = delta_type_clone(s->schema);
	st->schema = delta_type_clone(s->schema);
	delta_snapshot_free(s);
	return enabled || cdf_disabled(st, start, err);
}

static void plan_finish(struct cdf_state *st)
{
	struct delta_cdf_plan *plan = st->plan;
	plan->schema = st->schema;
	st->schema = NULL;
	plan->partition_columns = delta_strv_copy(st->metadata.partition_columns,
						  st->metadata.n_partition_columns);
	plan->n_partition_columns = st->metadata.n_partition_columns;
	delta_column_mapping_mode(&st->protocol, &st->metadata, &plan->column_mapping, NULL);
}

struct delta_cdf_plan *delta_cdf_plan_build(struct delta_table *table, int64_t start,
					    int64_t end, const struct delta_cdf_options *opts,
					    struct lk_error *err)
{
	struct delta_listing ls;
	if (!delta_log_list(table, &ls, err))
		return NULL;
	struct delta_cdf_plan *plan = xcalloc(1, sizeof *plan);
	struct cdf_state st = { .table = table, .ls = &ls, .opts = opts, .plan = plan };
	bool ok = check_range(table, &ls, start, &end, err);
	plan->start = start;
	plan->end = end;
	ok = ok && plan_start(&st, start, err);
	if (ok) {
		plan->n_commits = (size_t)(end - start + 1);
		plan->commits = xcalloc(plan->n_commits, sizeof *plan->commits);
	}
	for (int64_t v = start; ok && v <= end; v++)
		ok = plan_commit(&st, v, &plan->commits[v - start], err);
	if (ok)
		plan_finish(&st);
	delta_protocol_clear(&st.protocol);
	delta_metadata_clear(&st.metadata);
	delta_type_free(st.start_schema);
	delta_type_free(st.schema);
	delta_listing_free(&ls);
	if (!ok) {
		delta_cdf_plan_free(plan);
		return NULL;
	}
	return plan;
}
