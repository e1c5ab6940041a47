# src/catalog: resolves catalog.schema.table to Delta table roots.
liblakesync_a_SOURCES += \
	src/catalog/catalog.h \
	src/catalog/local.c

check_PROGRAMS += tests/unit/test_catalog
tests_unit_test_catalog_SOURCES = tests/unit/test_catalog.c
tests_unit_test_catalog_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_catalog_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_catalog
