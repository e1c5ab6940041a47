# src/cli: the `lakesync` command line (the binary's entry point).
lakesync_SOURCES += \
	src/cli/main.c \
	src/cli/cli.c src/cli/cli.h
