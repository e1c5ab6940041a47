# src/demo: the sample lakehouse (lakesync demo). See src/demo/demo.h and doc/demo.md.
liblakesync_a_SOURCES += src/demo/demo.h src/demo/tables.h src/demo/demo.c src/demo/tables.c \
	src/demo/take.c
lakesync_SOURCES += src/cli/cmd_demo.c

# Unit test (cmocka): the sample tables written by our writer read back by our reader.
check_PROGRAMS += tests/unit/test_demo
tests_unit_test_demo_SOURCES = tests/unit/test_demo.c
tests_unit_test_demo_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_demo_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_demo

# Shell tests (TAP): the CLI, and the engine syncing the sample lakehouse.
EXTRA_DIST += tests/demo
TESTS += tests/demo/test_demo.sh tests/demo/test_demo_sync.sh
