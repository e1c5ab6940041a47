# src/conf: the configuration file and the zero-config defaults.
liblakesync_a_SOURCES += \
	src/conf/conf.h \
	src/conf/conf.c

check_PROGRAMS += tests/unit/test_conf
tests_unit_test_conf_SOURCES = tests/unit/test_conf.c
tests_unit_test_conf_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_conf_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_conf
