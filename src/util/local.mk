# src/util: allocation, buffers, errors, logging, clocks.
liblakesync_a_SOURCES += \
	src/util/buf.c src/util/buf.h \
	src/util/clock.c src/util/clock.h \
	src/util/error.c src/util/error.h \
	src/util/log.c src/util/log.h \
	src/util/xmalloc.c src/util/xmalloc.h
