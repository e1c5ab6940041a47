/* tests/delta/fixture.h: builds throw-away Delta tables for the unit tests of src/delta.
 * A fixture is a mkdtemp directory with _delta_log/; tests write commit lines into it and
 * remove it at the end. Static functions only: each test program includes it once. */
#ifndef LK_TESTS_DELTA_FIXTURE_H
#define LK_TESTS_DELTA_FIXTURE_H

#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include "delta/delta.h"

enum { FX_STRINGS_MAX = 256 };

struct fx {
	char root[64];
	char *strings[FX_STRINGS_MAX]; /* lines built by fx_metadata/fx_add/..., freed at cleanup */
	int n_strings;
};

static inline char *fx_keep(struct fx *fx, char *s)
{
	if (fx->n_strings == FX_STRINGS_MAX)
		abort();
	fx->strings[fx->n_strings++] = s;
	return s;
}

/* A schema of `id long` (nullable) as a metaData line, with configuration `config` (a JSON
 * object body such as "\"delta.enableChangeDataFeed\":\"true\""). */
#define FX_SCHEMA_ID_LONG \
	"{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[{\\\"name\\\":\\\"id\\\",\\\"type\\\":" \
	"\\\"long\\\",\\\"nullable\\\":true,\\\"metadata\\\":{}}]}"

#define FX_PROTOCOL_1_4 "{\"protocol\":{\"minReaderVersion\":1,\"minWriterVersion\":4}}"

static inline void fx_write_file(const char *path, const char *content)
{
	FILE *fp = fopen(path, "wb");
	if (fp == NULL) {
		perror(path);
		abort();
	}
	fputs(content, fp);
	fclose(fp);
}

static inline void fx_init(struct fx *fx)
{
	memset(fx, 0, sizeof *fx);
	snprintf(fx->root, sizeof fx->root, "/tmp/lk-delta-test-XXXXXX");
	if (mkdtemp(fx->root) == NULL) {
		perror("mkdtemp");
		abort();
	}
	char log[128];
	snprintf(log, sizeof log, "%s/_delta_log", fx->root);
	mkdir(log, 0755);
}

/* Writes root/<rel> (directories must exist). */
static inline void fx_write(struct fx *fx, const char *rel, const char *content)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", fx->root, rel);
	fx_write_file(path, content);
}

static inline void fx_mkdir(struct fx *fx, const char *rel)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", fx->root, rel);
	mkdir(path, 0755);
}

/* Writes commit v from the given lines (NULL-terminated), one action per line. */
static inline void fx_commit(struct fx *fx, long long v, ...)
{
	char rel[128];
	snprintf(rel, sizeof rel, "_delta_log/%020lld.json", v);
	char *text = NULL;
	size_t len = 0;
	FILE *mem = open_memstream(&text, &len);
	va_list ap;
	va_start(ap, v);
	for (const char *line = va_arg(ap, const char *); line; line = va_arg(ap, const char *))
		fprintf(mem, "%s\n", line);
	va_end(ap);
	fclose(mem);
	fx_write(fx, rel, text);
	free(text);
}

/* Sets the modification time of commit v (ms since the epoch). */
static inline void fx_commit_mtime(struct fx *fx, long long v, int64_t ms)
{
	char path[512];
	snprintf(path, sizeof path, "%s/_delta_log/%020lld.json", fx->root, v);
	struct timeval tv[2] = { { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 },
				 { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 } };
	utimes(path, tv);
}

static inline void fx_remove_log_file(struct fx *fx, const char *name)
{
	char path[512];
	snprintf(path, sizeof path, "%s/_delta_log/%s", fx->root, name);
	unlink(path);
}

static inline int fx_rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void fx_cleanup(struct fx *fx)
{
	nftw(fx->root, fx_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	for (int i = 0; i < fx->n_strings; i++)
		free(fx->strings[i]);
	fx->n_strings = 0;
}

/* A metaData line with the id-long schema and a configuration body. */
static inline const char *fx_metadata(struct fx *fx, const char *config_body)
{
	char *line = NULL;
	if (asprintf(&line,
		     "{\"metaData\":{\"id\":\"t\",\"format\":{\"provider\":\"parquet\",\"options\":{}},"
		     "\"schemaString\":\"" FX_SCHEMA_ID_LONG "\",\"partitionColumns\":[],"
		     "\"configuration\":{%s},\"createdTime\":1}}",
		     config_body) < 0)
		abort();
	return fx_keep(fx, line);
}

/* An add line for path with optional extra JSON members (", \"deletionVector\":{...}"). */
static inline const char *fx_add(struct fx *fx, const char *path, const char *extra)
{
	char *line = NULL;
	if (asprintf(&line,
		     "{\"add\":{\"path\":\"%s\",\"partitionValues\":{},\"size\":10,"
		     "\"modificationTime\":1,\"dataChange\":true%s}}",
		     path, extra ? extra : "") < 0)
		abort();
	return fx_keep(fx, line);
}

static inline const char *fx_remove(struct fx *fx, const char *path, const char *extra)
{
	char *line = NULL;
	if (asprintf(&line, "{\"remove\":{\"path\":\"%s\",\"deletionTimestamp\":1,\"dataChange\":true%s}}",
		     path, extra ? extra : "") < 0)
		abort();
	return fx_keep(fx, line);
}

/* The snapshot of the fixture table at version (-1 = latest), or NULL with *err set; the
 * table directory must open (a test bug otherwise: abort). Free with fx_snapshot_unload. */
static inline struct delta_snapshot *fx_snapshot_load(struct fx *fx, int64_t version,
						      struct lk_error *err)
{
	struct delta_table *t = delta_table_open(fx->root, err);
	if (t == NULL)
		abort();
	struct delta_snapshot *s = delta_snapshot_load(t, version, err);
	if (s == NULL)
		delta_table_free(t);
	return s;
}

static inline void fx_snapshot_unload(struct delta_snapshot *s)
{
	struct delta_table *t = s->table;
	delta_snapshot_free(s);
	delta_table_free(t);
}

#endif
