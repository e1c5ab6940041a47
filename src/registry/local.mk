# src/registry: synced tables, runs, events and requests in PostgreSQL; the cursor.
liblakesync_a_SOURCES += \
	src/registry/registry.h \
	src/registry/registry.c

check_PROGRAMS += tests/registry/test_registry
tests_registry_test_registry_SOURCES = tests/registry/test_registry.c
tests_registry_test_registry_CFLAGS = $(LK_TEST_CFLAGS)
tests_registry_test_registry_LDADD = $(LK_TEST_LIBS)
TESTS += tests/registry/test_registry.sh
EXTRA_DIST += tests/registry/test_registry.sh
