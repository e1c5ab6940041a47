# src/cli: the `lakesync` command line (the binary's entry point).
lakesync_SOURCES += \
	src/cli/main.c \
	src/cli/cli.c src/cli/cli.h \
	src/cli/cmd_inspect.c
lakesync_SOURCES += \
	src/cli/cmd_database.c \
	src/cli/cmd_sync.c \
	src/cli/cmd_run.c \
	src/cli/cmd_catalog.c
