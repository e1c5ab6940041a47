/* conf/conf.h: lakesync's configuration: where the catalog is, which PostgreSQL servers
 * (projects and their branches) synced tables may target, where the registry lives, and the
 * engine's, daemon's and console's settings, and the named profiles of remote daemons
 * (`remotes`, chosen with `lakesync --remote NAME`).
 *
 * Sources, first found wins: the --config path, $LAKESYNC_CONFIG,
 * $XDG_CONFIG_HOME/lakesync/lakesync.conf (~/.config when unset), /etc/lakesync/lakesync.conf.
 * With no file at all lakesync runs on zero-config defaults (doc/defaults-and-scripting):
 * the catalog is $LAKESYNC_CATALOG, and one project `default` with branch `main` connects
 * with libpq's defaults (PGHOST, PGPORT, PGUSER, PGDATABASE, PGPASSWORD, PGSERVICE,
 * ~/.pgpass); the registry lives in that database. A file overrides these, and the
 * environment still fills what it leaves out. The format is libconfig's; an example with
 * every setting is doc/lakesync.conf.example, the reference doc/lakesync.conf.5.
 * A struct conf owns all its strings; conf_free() releases them. Read-only after loading,
 * so threads may share it. Errors name the file, the line and what was expected. */
#ifndef LK_CONF_CONF_H
#define LK_CONF_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/buf.h"
#include "util/error.h"

struct conf_branch {
	char *name;
	char *conninfo;  /* libpq connection string without dbname ("" = libpq defaults) */
	char *default_database; /* database used when a request names none (NULL = libpq's) */
};

struct conf_project {
	char *name;
	struct conf_branch *branches;
	size_t n_branches;
};

struct conf_engine {
	int workers;                  /* pipelines running at once */
	int connections_per_table;    /* parallel COPY connections in a full load, 1..16 */
	int64_t poll_interval_ms;     /* CONTINUOUS: how often the log is checked */
	bool auto_full_refresh;       /* full refresh when history is gone or CDF was off */
	int retry_max;                /* attempts for connection-class errors */
	int64_t retry_backoff_ms;     /* first backoff; doubles, capped, with jitter */
	int64_t batch_rows;           /* rows staged before an incremental transaction commits */
	int split_file_bytes;         /* a full load splits bigger files by row group */
};

struct conf_api {
	char *listen;     /* "127.0.0.1:8080" */
	char **tokens;    /* accepted bearer tokens */
	size_t n_tokens;
	char *tls_cert, *tls_key;
};

/* console.keys: one entry per key bound to an action; the console checks the names. */
struct conf_console_key {
	char *action;   /* a console action ("sync_now", "delete", ...) */
	char *key;      /* a key name ("s", "^L", "F5", "Enter") */
};

struct conf_console {
	char *theme;
	int64_t refresh_ms;
	struct conf_console_key *keys; /* in file order */
	size_t n_keys;
};

/* remotes.NAME: a lakesync daemon the CLI and console can talk to (lakesync --remote NAME). */
struct conf_remote {
	char *name;
	char *host;     /* "http://..." or "https://..." */
	char *token;    /* bearer token, or NULL */
	char *ca_file;  /* CA certificate file to trust, or NULL */
};

struct conf {
	char *path;          /* the file read, or NULL for the zero-config defaults */
	char *catalog_root;  /* NULL when neither the file nor $LAKESYNC_CATALOG set it */
	struct conf_project *projects;
	size_t n_projects;
	char *state_project, *state_branch, *state_database; /* where the registry lives */
	char *log_level, *log_file;
	struct conf_engine engine;
	struct conf_api api;
	struct conf_console console;
	struct conf_remote *remotes; /* in file order */
	size_t n_remotes;
};

/* Loads from explicit_path, or the search described above, and fills defaults. */
bool conf_load(const char *explicit_path, struct conf *out, struct lk_error *err);
/* Loads one file (or the defaults when path is NULL): for tests and --config. */
bool conf_load_file(const char *path, struct conf *out, struct lk_error *err);
void conf_free(struct conf *conf);

const struct conf_project *conf_project_find(const struct conf *conf, const char *name);
/* The remote profile called name, or NULL. */
const struct conf_remote *conf_remote_find(const struct conf *conf, const char *name);
const struct conf_branch *conf_branch_find(const struct conf_project *project,
					   const char *name);
/* The libpq connection string for (project, branch, database); NULL names take the
 * defaults (project `default` or the only one, branch `main` or the first, the branch's
 * default database or libpq's). Appends to out. */
bool conf_conninfo(const struct conf *conf, const char *project, const char *branch,
		   const char *database, struct lk_buf *out, struct lk_error *err);
/* The connection string of the registry (state) database. */
bool conf_state_conninfo(const struct conf *conf, struct lk_buf *out, struct lk_error *err);

#endif
