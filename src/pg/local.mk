# src/pg: type map, identifiers, COPY BINARY encoder.
liblakesync_a_SOURCES += \
	src/pg/pg.h \
	src/pg/types.c \
	src/pg/copy.c \
	src/pg/conn.c

check_PROGRAMS += tests/unit/test_pg_copy tests/pg/test_pg_copy_server
tests_unit_test_pg_copy_SOURCES = tests/unit/test_pg_copy.c
tests_unit_test_pg_copy_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_pg_copy_LDADD = $(LK_TEST_LIBS)
tests_pg_test_pg_copy_server_SOURCES = tests/pg/test_pg_copy_server.c
tests_pg_test_pg_copy_server_CFLAGS = $(LK_TEST_CFLAGS)
tests_pg_test_pg_copy_server_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_pg_copy tests/pg/test_pg_copy_server.sh
EXTRA_DIST += tests/pg/test_pg_copy_server.sh
