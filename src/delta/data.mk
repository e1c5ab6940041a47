# src/delta data reading (scan, change feed): see src/delta/scan.h and doc/delta-data.md.
liblakesync_a_SOURCES += \
	src/delta/scan.h src/delta/scan_internal.h \
	src/delta/scan_plan.c src/delta/scan_conform.c src/delta/scan_file.c \
	src/delta/scan.c src/delta/changes.c

lakesync_SOURCES += src/cli/cmd_inspect_delta.c src/cli/inspect_delta.h

# Unit tests (cmocka): fixture tables are built in the tests (Parquet files written with
# src/parquet/writer.h), so they do not need the shared test data.
check_PROGRAMS += tests/unit/test_delta_scan tests/unit/test_delta_scan_changes
tests_unit_test_delta_scan_SOURCES = tests/unit/test_delta_scan.c tests/delta/scan_fixture.h
tests_unit_test_delta_scan_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_scan_LDADD = $(LK_TEST_LIBS)
tests_unit_test_delta_scan_changes_SOURCES = tests/unit/test_delta_scan_changes.c \
	tests/delta/scan_fixture.h
tests_unit_test_delta_scan_changes_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_scan_changes_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_delta_scan tests/unit/test_delta_scan_changes

# The corpus test: every section of every *.expected.txt of the shared Delta tables.
check_PROGRAMS += tests/delta/delta_expect
tests_delta_delta_expect_SOURCES = tests/delta/delta_expect.c
tests_delta_delta_expect_CFLAGS = $(LK_TEST_CFLAGS)
tests_delta_delta_expect_LDADD = $(LK_TEST_LIBS)
TESTS += tests/delta/test_delta_corpus.sh
EXTRA_DIST += tests/delta/test_delta_corpus.sh
