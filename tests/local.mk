# tests: unit tests (cmocka, TAP output) and shell tests (TAP). Modules add their own tests
# in their local.mk; the harness pieces live in tests/lib.
check_PROGRAMS += tests/unit/test_util
tests_unit_test_util_SOURCES = tests/unit/test_util.c
tests_unit_test_util_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_util_LDADD = $(LK_TEST_LIBS)

TESTS += \
	tests/unit/test_util \
	tests/cli/test_cli.sh \
	tests/harness/test_pg_harness.sh \
	tests/harness/test_configure_missing_dep.sh

EXTRA_DIST += tests/cli tests/harness tests/unit

# The README's quickstart, non-interactively.
TESTS += tests/quickstart/test_quickstart.sh
EXTRA_DIST += tests/quickstart
