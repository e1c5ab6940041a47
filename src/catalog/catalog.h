/* catalog/catalog.h: where source tables live. Resolves `catalog.schema.table` names to
 * Delta table roots and lists what a catalog holds.
 *
 * The embedded catalog is a directory tree `<root>/<catalog>/<schema>/<table>/` whose leaves
 * hold `_delta_log/` (a table root may be a symlink). Later backends (Unity Catalog REST)
 * will sit behind the same functions. Names are compared exactly; listing skips entries
 * whose names are not valid identifiers ([A-Za-z0-9_]+) and hidden entries.
 * Results are heap strings the caller frees (catalog_list_free for lists). Thread-safe
 * (no shared state). Failures fill *err: LK_ENOTFOUND for a missing catalog, schema or
 * table, LK_EINVAL for a malformed name, LK_EIO for unreadable directories. */
#ifndef LK_CATALOG_CATALOG_H
#define LK_CATALOG_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

#include "util/error.h"

struct catalog_name {
	char *catalog;
	char *schema;
	char *table;
};

/* Splits "a.b.c" into its three parts, each checked against [A-Za-z0-9_]+. `what` names
 * the field in errors ("source_table_full_name"). */
bool catalog_name_parse(const char *full_name, const char *what, struct catalog_name *out,
			struct lk_error *err);
void catalog_name_free(struct catalog_name *name);

struct catalog_list {
	char **names; /* sorted */
	size_t count;
};

void catalog_list_free(struct catalog_list *list);

/* Lists catalogs (prefix ""), the schemas of "catalog", or the tables of "catalog.schema". */
bool catalog_list(const char *root, const char *prefix, struct catalog_list *out,
		  struct lk_error *err);
/* The directory of a table (heap string), after checking it holds a _delta_log. */
char *catalog_table_root(const char *root, const struct catalog_name *name,
			 struct lk_error *err);

#endif
