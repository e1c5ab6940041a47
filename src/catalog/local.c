/* catalog/local.c: the embedded directory catalog (see catalog.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "catalog/catalog.h"
#include "util/buf.h"
#include "util/xmalloc.h"

static bool name_part_valid(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			return false;
	}
	return true;
}

bool catalog_name_parse(const char *full_name, const char *what, struct catalog_name *out,
			struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	const char *dot1 = strchr(full_name, '.');
	const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	if (dot1 == NULL || dot2 == NULL || strchr(dot2 + 1, '.') != NULL)
		return lk_error_set(err, LK_EINVAL,
				    "%s '%s' is not a three-part name catalog.schema.table", what,
				    full_name);
	const char *parts[3] = { full_name, dot1 + 1, dot2 + 1 };
	size_t lens[3] = { (size_t)(dot1 - full_name), (size_t)(dot2 - dot1 - 1), strlen(dot2 + 1) };
	static const char *const part_names[3] = { "catalog", "schema", "table" };
	for (int i = 0; i < 3; i++)
		if (!name_part_valid(parts[i], lens[i]))
			return lk_error_set(err, LK_EINVAL,
					    "%s '%s': the %s name must be letters, digits and "
					    "underscores only ([A-Za-z0-9_]+)",
					    what, full_name, part_names[i]);
	out->catalog = xstrndup(parts[0], lens[0]);
	out->schema = xstrndup(parts[1], lens[1]);
	out->table = xstrndup(parts[2], lens[2]);
	return true;
}

void catalog_name_free(struct catalog_name *name)
{
	free(name->catalog);
	free(name->schema);
	free(name->table);
	memset(name, 0, sizeof *name);
}

void catalog_list_free(struct catalog_list *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->names[i]);
	free(list->names);
	list->names = NULL;
	list->count = 0;
}

static int compare_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode); /* follows symlinks */
}

/* Lists the sub-directories of dir with valid names; with want_tables, only those holding
 * a _delta_log directory. */
static bool list_dir(const char *dir, bool want_tables, struct catalog_list *out,
		     struct lk_error *err)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return lk_error_set_errno(err, errno == ENOENT ? LK_ENOTFOUND : LK_EIO, errno,
					  "cannot list %s", dir);
	size_t cap = 0;
	struct dirent *e;
	struct lk_buf path = LK_BUF_INIT;
	while ((e = readdir(d)) != NULL) {
		if (!name_part_valid(e->d_name, strlen(e->d_name)))
			continue;
		lk_buf_reset(&path);
		lk_buf_printf(&path, "%s/%s%s", dir, e->d_name, want_tables ? "/_delta_log" : "");
		if (!is_dir(lk_buf_cstr(&path)))
			continue;
		if (out->count == cap) {
			cap = cap ? cap * 2 : 16;
			out->names = xreallocarray(out->names, cap, sizeof *out->names);
		}
		out->names[out->count++] = xstrdup(e->d_name);
	}
	closedir(d);
	lk_buf_free(&path);
	if (out->count > 1)
		qsort(out->names, out->count, sizeof *out->names, compare_names);
	return true;
}

static bool catalog_root_check(const char *root, struct lk_error *err)
{
	if (root != NULL && root[0] != '\0')
		return true;
	return lk_error_set(err, LK_ECONFIG,
			    "no catalog configured: set $LAKESYNC_CATALOG to a directory holding "
			    "<catalog>/<schema>/<table>/_delta_log, or `catalog` in the config file");
}

bool catalog_list(const char *root, const char *prefix, struct catalog_list *out,
		  struct lk_error *err)
{
	memset(out, 0, sizeof *out);
	if (!catalog_root_check(root, err))
		return false;
	/* prefix is "", "catalog" or "catalog.schema" */
	const char *dot = strchr(prefix, '.');
	size_t catalog_len = dot ? (size_t)(dot - prefix) : strlen(prefix);
	const char *schema = dot ? dot + 1 : NULL;
	if ((prefix[0] != '\0' && !name_part_valid(prefix, catalog_len)) ||
	    (schema && !name_part_valid(schema, strlen(schema))))
		return lk_error_set(err, LK_EINVAL, "'%s' is not a catalog or catalog.schema name",
				    prefix);
	char *dir;
	if (prefix[0] == '\0')
		dir = xstrdup(root);
	else if (schema == NULL)
		dir = xasprintf("%s/%s", root, prefix);
	else
		dir = xasprintf("%s/%.*s/%s", root, (int)catalog_len, prefix, schema);
	bool ok;
	if (prefix[0] != '\0' && !is_dir(dir))
		ok = lk_error_set(err, LK_ENOTFOUND, "%s '%s' not found in the catalog at %s",
				  schema ? "schema" : "catalog", prefix, root);
	else
		ok = list_dir(dir, schema != NULL, out, err);
	free(dir);
	return ok;
}

char *catalog_table_root(const char *root, const struct catalog_name *name,
			 struct lk_error *err)
{
	if (!catalog_root_check(root, err))
		return NULL;
	char *dir = xasprintf("%s/%s/%s/%s", root, name->catalog, name->schema, name->table);
	char *log = xasprintf("%s/_delta_log", dir);
	bool found = is_dir(log);
	free(log);
	if (!found) {
		lk_error_set(err, LK_ENOTFOUND,
			     "table %s.%s.%s not found: %s holds no Delta table (_delta_log)",
			     name->catalog, name->schema, name->table, dir);
		free(dir);
		return NULL;
	}
	return dir;
}
