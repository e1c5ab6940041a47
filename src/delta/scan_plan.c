/* delta/scan_plan.c: which columns a scan or change feed produces: the requested logical
 * names resolved against the table schema, whether each is a partition column, the name or
 * field id a data file keeps it under, and the output schema the engine reads. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "delta/scan_internal.h"
#include "util/xmalloc.h"

static const char *const change_column_names[] = {
	DELTA_CHANGE_TYPE_COLUMN,
	DELTA_COMMIT_VERSION_COLUMN,
	DELTA_COMMIT_TIMESTAMP_COLUMN,
};

static const enum lk_type_id change_column_types[] = {
	LK_TYPE_STRING,
	LK_TYPE_INT64,
	LK_TYPE_TIMESTAMP,
};

enum { N_CHANGE_COLUMNS = sizeof change_column_names / sizeof change_column_names[0] };

static bool is_change_column(const char *name)
{
	for (size_t i = 0; i < N_CHANGE_COLUMNS; i++)
		if (strcmp(name, change_column_names[i]) == 0)
			return true;
	return false;
}

static bool is_partition_column(const char *name, char *const *partition_columns, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(partition_columns[i], name) == 0)
			return true;
	return false;
}

static bool is_nested(enum lk_type_id type)
{
	return type == LK_TYPE_STRUCT || type == LK_TYPE_LIST || type == LK_TYPE_MAP ||
	       type == LK_TYPE_VARIANT;
}

static void target_init(struct scan_target *t, const struct delta_field *field,
			enum delta_column_mapping_mode mode, char *const *partition_columns,
			size_t n_partition_columns)
{
	t->field = field;
	t->partition = is_partition_column(field->name, partition_columns, n_partition_columns);
	t->physical = delta_field_physical_name(field, mode);
	t->has_id = mode == DELTA_COLUMN_MAPPING_ID && delta_field_id(field, &t->id);
}

static void out_column_init(struct delta_scan_column *c, const struct scan_target *t)
{
	c->name = xstrdup(t->field->name);
	scan_lk_type(t->field->type, &c->type, &c->precision, &c->scale);
	c->nullable = t->field->nullable;
	c->nested = is_nested(c->type);
	c->partition = t->partition;
	c->delta_type = t->field->type;
}

static bool already_chosen(const struct scan_plan *plan, const struct delta_field *field)
{
	for (size_t i = 0; i < plan->n_targets; i++)
		if (plan->targets[i].field == field)
			return true;
	return false;
}

/* Appends the field named `name` to the targets. */
static bool choose_column(struct scan_plan *plan, const char *name, bool change_columns,
			  char *const *partition_columns, size_t n_partition_columns,
			  struct lk_error *err)
{
	if (change_columns && is_change_column(name))
		return true;
	const struct delta_field *field = delta_schema_find(plan->schema, name);
	if (field == NULL)
		return lk_error_set(err, LK_ENOTFOUND, "table %s, version %lld: no column '%s'",
				    plan->table->root, (long long)plan->version, name);
	if (already_chosen(plan, field))
		return lk_error_set(err, LK_EINVAL,
				    "table %s, version %lld: column '%s' is requested twice",
				    plan->table->root, (long long)plan->version, name);
	target_init(&plan->targets[plan->n_targets++], field, plan->mode, partition_columns,
		    n_partition_columns);
	return true;
}

static void out_schema_init(struct scan_plan *plan, bool change_columns)
{
	size_t n = plan->n_targets + (change_columns ? N_CHANGE_COLUMNS : 0);
	plan->out.columns = xcalloc(n ? n : 1, sizeof *plan->out.columns);
	plan->out.n_columns = n;
	for (size_t i = 0; i < plan->n_targets; i++)
		out_column_init(&plan->out.columns[i], &plan->targets[i]);
	for (size_t i = plan->n_targets; i < n; i++) {
		struct delta_scan_column *c = &plan->out.columns[i];
		c->name = xstrdup(change_column_names[i - plan->n_targets]);
		c->type = change_column_types[i - plan->n_targets];
	}
}

bool scan_plan_init(struct scan_plan *plan, struct delta_table *table, int64_t version,
		    const struct delta_type *schema, char *const *partition_columns,
		    size_t n_partition_columns, enum delta_column_mapping_mode mode,
		    const char *const *columns, size_t n_columns, bool change_columns,
		    struct lk_error *err)
{
	memset(plan, 0, sizeof *plan);
	plan->table = table;
	plan->version = version;
	plan->mode = mode;
	plan->schema = delta_type_clone(schema);
	size_t cap = columns && n_columns ? n_columns : plan->schema->n_fields;
	plan->targets = xcalloc(cap ? cap : 1, sizeof *plan->targets);
	bool ok = true;
	if (columns && n_columns) {
		for (size_t i = 0; ok && i < n_columns; i++)
			ok = choose_column(plan, columns[i], change_columns, partition_columns,
					   n_partition_columns, err);
	} else {
		for (size_t i = 0; i < plan->schema->n_fields; i++)
			target_init(&plan->targets[plan->n_targets++], &plan->schema->fields[i], mode,
				    partition_columns, n_partition_columns);
	}
	if (!ok) {
		scan_plan_clear(plan);
		return false;
	}
	out_schema_init(plan, change_columns);
	return true;
}

void delta_scan_schema_clear(struct delta_scan_schema *schema)
{
	for (size_t i = 0; i < schema->n_columns; i++)
		free(schema->columns[i].name);
	free(schema->columns);
	schema->columns = NULL;
	schema->n_columns = 0;
}

void scan_plan_clear(struct scan_plan *plan)
{
	delta_scan_schema_clear(&plan->out);
	free(plan->targets);
	delta_type_free(plan->schema);
	memset(plan, 0, sizeof *plan);
}

bool delta_scan_schema_build(const struct delta_snapshot *snap, const char *const *columns,
			     size_t n_columns, struct delta_scan_schema *out,
			     struct lk_error *err)
{
	struct scan_plan plan;
	if (!scan_plan_init(&plan, snap->table, snap->version, snap->schema,
			    snap->metadata.partition_columns, snap->metadata.n_partition_columns,
			    snap->column_mapping, columns, n_columns, false, err))
		return false;
	*out = plan.out;
	memset(&plan.out, 0, sizeof plan.out);
	/* The plan's schema is a clone: point the Delta types at the snapshot's own. */
	for (size_t i = 0; i < plan.n_targets; i++)
		out->columns[i].delta_type =
			snap->schema->fields[plan.targets[i].field - plan.schema->fields].type;
	scan_plan_clear(&plan);
	return true;
}
