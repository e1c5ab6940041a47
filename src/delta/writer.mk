# src/delta writer: see src/delta/writer.h and doc/delta-writer.md.
liblakesync_a_SOURCES += src/delta/writer.h src/delta/writer.c src/delta/writer_file.c \
	src/delta/writer_checkpoint.c

# Unit tests (cmocka): tables are written into a temporary directory and read back with the
# project's own readers (delta/delta.h, delta/scan.h, parquet/parquet.h).
check_PROGRAMS += tests/unit/test_delta_writer
tests_unit_test_delta_writer_SOURCES = tests/unit/test_delta_writer.c
tests_unit_test_delta_writer_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_delta_writer_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_delta_writer
