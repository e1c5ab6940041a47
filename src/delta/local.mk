# src/delta: the Delta Lake transaction log (see src/delta/delta.h for the module contract,
# src/delta/internal.h for what its files share, doc/delta.md for what is supported).
liblakesync_a_SOURCES += \
	src/delta/delta.h src/delta/internal.h \
	src/delta/common.c \
	src/delta/log.c \
	src/delta/actions.c \
	src/delta/checkpoint.c \
	src/delta/checkpoint_parquet.c \
	src/delta/snapshot.c \
	src/delta/protocol.c \
	src/delta/schema.c \
	src/delta/dv.c \
	src/delta/partition.c \
	src/delta/cdf.c \
	src/delta/info.c

# Unit tests (cmocka): one program per area; fixtures are built in the tests
# (tests/delta/fixture.h), so they do not need the shared test data.
EXTRA_DIST += tests/delta
LK_DELTA_TESTS = \
	tests/unit/test_delta_log \
	tests/unit/test_delta_actions \
	tests/unit/test_delta_snapshot \
	tests/unit/test_delta_schema \
	tests/unit/test_delta_partition \
	tests/unit/test_delta_dv \
	tests/unit/test_delta_cdf \
	tests/unit/test_delta_checkpoint
check_PROGRAMS += $(LK_DELTA_TESTS)
TESTS += $(LK_DELTA_TESTS)
tests_unit_test_delta_log_SOURCES = tests/unit/test_delta_log.c tests/delta/fixture.h
tests_unit_test_delta_log_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_log_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_actions_SOURCES = tests/unit/test_delta_actions.c
tests_unit_test_delta_actions_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_actions_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_snapshot_SOURCES = tests/unit/test_delta_snapshot.c tests/delta/fixture.h
tests_unit_test_delta_snapshot_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_snapshot_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_schema_SOURCES = tests/unit/test_delta_schema.c
tests_unit_test_delta_schema_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_schema_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_partition_SOURCES = tests/unit/test_delta_partition.c
tests_unit_test_delta_partition_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_partition_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_dv_SOURCES = tests/unit/test_delta_dv.c tests/delta/fixture.h
tests_unit_test_delta_dv_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_dv_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_cdf_SOURCES = tests/unit/test_delta_cdf.c tests/delta/fixture.h
tests_unit_test_delta_cdf_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_cdf_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_checkpoint_SOURCES = tests/unit/test_delta_checkpoint.c tests/delta/fixture.h
tests_unit_test_delta_checkpoint_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_checkpoint_LDADD = $(LK_TEST_LIBS)

# Corpus checks on the real tables of $(LAKESYNC_TESTDATA)/delta, log level only (TAP;
# skips when the data is absent).
check_PROGRAMS += tests/delta/test_delta_log_corpus
TESTS += tests/delta/test_delta_log_corpus
tests_delta_test_delta_log_corpus_SOURCES = tests/delta/test_delta_log_corpus.c
tests_delta_test_delta_log_corpus_CFLAGS = $(LK_TEST_CFLAGS)
tests_delta_test_delta_log_corpus_LDADD = $(LK_TEST_LIBS)
