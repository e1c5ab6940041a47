# src/parquet writer: see src/parquet/writer.h. The Thrift compact encoder is its own module
# (src/parquet/thrift_write.h) so that other writers of Parquet metadata can share it.
liblakesync_a_SOURCES += \
	src/parquet/writer.c src/parquet/writer.h \
	src/parquet/thrift_write.c src/parquet/thrift_write.h

check_PROGRAMS += tests/unit/test_parquet_writer
tests_unit_test_parquet_writer_SOURCES = tests/unit/test_parquet_writer.c
tests_unit_test_parquet_writer_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_parquet_writer_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_parquet_writer

# The independent check against hyparquet (node); run by hand, see its run.sh.
EXTRA_DIST += tests/manual/parquet-writer
