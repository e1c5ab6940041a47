/* delta/protocol.c: can lakesync read this table, and which table features are active.
 * The supported reader features are one table; `inspect`, the docs and the tests read it. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "delta/internal.h"

enum {
	READER_VERSION_MAX = 3,        /* 3 = explicit readerFeatures */
	READER_VERSION_COLUMN_MAPPING = 2,
	WRITER_VERSION_CDF = 4,        /* writer 4..6 imply changeDataFeed */
	WRITER_VERSION_COLUMN_MAPPING = 5,
	WRITER_VERSION_FEATURES = 7,   /* explicit writerFeatures */
};

static const char *const supported_reader_features[] = {
	"columnMapping",
	"deletionVectors",
	"timestampNtz",
	"typeWidening",
	"typeWidening-preview",
	"v2Checkpoint",
	"vacuumProtocolCheck",
	NULL,
};

/* Names seen in real tables for features above. */
static const struct {
	const char *alias;
	const char *name;
} feature_aliases[] = {
	{ .alias = "timestampWithoutTimezone", .name = "timestampNtz" },
};

const char *const *delta_supported_reader_features(void)
{
	return supported_reader_features;
}

static const char *canonical_feature(const char *name)
{
	for (size_t i = 0; i < sizeof feature_aliases / sizeof feature_aliases[0]; i++)
		if (strcmp(name, feature_aliases[i].alias) == 0)
			return feature_aliases[i].name;
	return name;
}

static bool feature_supported(const char *name)
{
	name = canonical_feature(name);
	for (const char *const *f = supported_reader_features; *f; f++)
		if (strcmp(*f, name) == 0)
			return true;
	return false;
}

static bool strv_contains(char *const *strv, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(canonical_feature(strv[i]), name) == 0)
			return true;
	return false;
}

bool delta_protocol_has_reader_feature(const struct delta_protocol *p, const char *name)
{
	return strv_contains(p->reader_features, p->n_reader_features, name);
}

bool delta_protocol_has_writer_feature(const struct delta_protocol *p, const char *name)
{
	return strv_contains(p->writer_features, p->n_writer_features, name);
}

bool delta_protocol_check_readable(const struct delta_protocol *p, struct lk_error *err)
{
	if (p->min_reader_version < 1)
		return lk_error_set(err, LK_ECORRUPT, "protocol minReaderVersion %d is not valid",
				    (int)p->min_reader_version);
	if (p->min_reader_version > READER_VERSION_MAX)
		return lk_error_set(err, LK_EUNSUPPORTED,
				    "table needs Delta reader version %d; lakesync reads up to %d",
				    (int)p->min_reader_version, READER_VERSION_MAX);
	if (p->min_reader_version < READER_VERSION_MAX)
		return true;
	for (size_t i = 0; i < p->n_reader_features; i++)
		if (!feature_supported(p->reader_features[i]))
			return lk_error_set(err, LK_EUNSUPPORTED,
					    "table uses Delta reader feature '%s', which lakesync "
					    "does not support",
					    p->reader_features[i]);
	return true;
}

static bool property_true(const struct delta_metadata *m, const char *key)
{
	const char *v = delta_map_get(&m->configuration, key);
	return v != NULL && strcasecmp(v, "true") == 0;
}

bool delta_cdf_enabled(const struct delta_protocol *p, const struct delta_metadata *m)
{
	if (!property_true(m, "delta.enableChangeDataFeed"))
		return false;
	if (p->min_writer_version >= WRITER_VERSION_FEATURES)
		return delta_protocol_has_writer_feature(p, "changeDataFeed");
	return p->min_writer_version >= WRITER_VERSION_CDF;
}

bool delta_ict_enabled(const struct delta_protocol *p, const struct delta_metadata *m,
		       int64_t version)
{
	if (p->min_writer_version < WRITER_VERSION_FEATURES ||
	    !delta_protocol_has_writer_feature(p, "inCommitTimestamp") ||
	    !property_true(m, "delta.enableInCommitTimestamps"))
		return false;
	const char *since = delta_map_get(&m->configuration,
					  "delta.inCommitTimestampEnablementVersion");
	if (since == NULL)
		return true;
	char *end;
	long long v = strtoll(since, &end, 10);
	return end != since && *end == '\0' && version >= v;
}

static bool column_mapping_allowed(const struct delta_protocol *p)
{
	if (p->min_reader_version >= READER_VERSION_MAX &&
	    p->min_writer_version >= WRITER_VERSION_FEATURES)
		return delta_protocol_has_reader_feature(p, "columnMapping");
	return p->min_reader_version >= READER_VERSION_COLUMN_MAPPING &&
	       p->min_writer_version >= WRITER_VERSION_COLUMN_MAPPING;
}

static const char *const mapping_names[] = {
	[DELTA_COLUMN_MAPPING_NONE] = "none",
	[DELTA_COLUMN_MAPPING_NAME] = "name",
	[DELTA_COLUMN_MAPPING_ID] = "id",
};

const char *delta_column_mapping_mode_name(enum delta_column_mapping_mode mode)
{
	return mapping_names[mode];
}

bool delta_column_mapping_mode(const struct delta_protocol *p, const struct delta_metadata *m,
			       enum delta_column_mapping_mode *mode, struct lk_error *err)
{
	*mode = DELTA_COLUMN_MAPPING_NONE;
	const char *v = delta_map_get(&m->configuration, "delta.columnMapping.mode");
	if (v == NULL || !column_mapping_allowed(p))
		return true;
	for (int i = 0; i <= DELTA_COLUMN_MAPPING_ID; i++) {
		if (strcasecmp(v, mapping_names[i]) == 0) {
			*mode = (enum delta_column_mapping_mode)i;
			return true;
		}
	}
	return lk_error_set(err, LK_EUNSUPPORTED, "unknown delta.columnMapping.mode '%s'", v);
}
