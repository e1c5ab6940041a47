# src/api: the synced-table model (JSON), later the REST server and client.
liblakesync_a_SOURCES += \
	src/api/model.h \
	src/api/model.c \
	src/api/view.h \
	src/api/view.c

check_PROGRAMS += tests/unit/test_model
tests_unit_test_model_SOURCES = tests/unit/test_model.c
tests_unit_test_model_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_model_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_model

check_PROGRAMS += tests/unit/test_view
tests_unit_test_view_SOURCES = tests/unit/test_view.c
tests_unit_test_view_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_view_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_view
