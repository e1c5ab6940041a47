# src/api: the REST daemon and client: see src/api/server.h and src/api/client.h.
liblakesync_a_SOURCES += \
	src/api/server.h \
	src/api/server_internal.h \
	src/api/server.c \
	src/api/server_routes.c \
	src/api/server_metrics.c \
	src/api/server_pool.c
lakesync_SOURCES += src/cli/cmd_serve.c

TESTS += \
	tests/api/test_api_server.sh \
	tests/api/test_api_remote.sh \
	tests/api/test_api_tls.sh \
	tests/api/test_api_console.sh
EXTRA_DIST += tests/api contrib
liblakesync_a_SOURCES += \
	src/api/client.h \
	src/api/client.c

# The console endpoints through the client (tests/api/test_api_console.sh runs it).
check_PROGRAMS += tests/api/console_client
tests_api_console_client_SOURCES = tests/api/console_client.c
tests_api_console_client_CFLAGS = $(LK_TEST_CFLAGS)
tests_api_console_client_LDADD = $(LK_TEST_LIBS)
