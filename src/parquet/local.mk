# src/parquet: the streaming Parquet reader; see src/parquet/parquet.h for the contract and
# src/parquet/internal.h for how its files divide the work.
liblakesync_a_SOURCES += \
	src/parquet/parquet.h src/parquet/internal.h \
	src/parquet/thrift.c src/parquet/metadata.c src/parquet/schema.c \
	src/parquet/encoding.c src/parquet/codec.c src/parquet/column.c \
	src/parquet/assemble.c src/parquet/reader.c

# The corpus test: every file of the shared corpus against DuckDB's and hyparquet's readings.
check_PROGRAMS += tests/parquet/compare_jsonl
tests_parquet_compare_jsonl_SOURCES = tests/parquet/compare_jsonl.c
tests_parquet_compare_jsonl_CFLAGS = $(AM_CFLAGS)
TESTS += tests/parquet/test_parquet_corpus.sh
EXTRA_DIST += tests/parquet/test_parquet_corpus.sh

# Unit tests (cmocka); files are built byte by byte by tests/unit/test_parquet_builder.h.
check_PROGRAMS += tests/unit/test_parquet_reader
tests_unit_test_parquet_reader_SOURCES = tests/unit/test_parquet_reader.c \
	tests/unit/test_parquet_builder.h
tests_unit_test_parquet_reader_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_parquet_reader_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_parquet_reader

# Column chunk statistics and row group skipping, on files from the writer and built by hand.
check_PROGRAMS += tests/unit/test_parquet_stats
tests_unit_test_parquet_stats_SOURCES = tests/unit/test_parquet_stats.c \
	tests/unit/test_parquet_builder.h
tests_unit_test_parquet_stats_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_parquet_stats_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_parquet_stats

# Encodings and codecs; the BROTLI test compresses with libbrotlienc (from libbrotli-dev,
# the package that provides the decoder the reader links).
check_PROGRAMS += tests/unit/test_parquet_encoding
tests_unit_test_parquet_encoding_SOURCES = tests/unit/test_parquet_encoding.c \
	tests/unit/test_parquet_builder.h
tests_unit_test_parquet_encoding_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_parquet_encoding_LDADD = $(LK_TEST_LIBS) $(BROTLIENC_LIBS)
TESTS += tests/unit/test_parquet_encoding

check_PROGRAMS += tests/unit/test_parquet_thrift
tests_unit_test_parquet_thrift_SOURCES = tests/unit/test_parquet_thrift.c \
	tests/unit/test_parquet_builder.h
tests_unit_test_parquet_thrift_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_parquet_thrift_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_parquet_thrift

# JSON rendering of batch values (src/batch/render.c).
check_PROGRAMS += tests/unit/test_parquet_render
tests_unit_test_parquet_render_SOURCES = tests/unit/test_parquet_render.c
tests_unit_test_parquet_render_CFLAGS = $(LK_TEST_CFLAGS)
tests_unit_test_parquet_render_LDADD = $(LK_TEST_LIBS)
TESTS += tests/unit/test_parquet_render

# `lakesync inspect parquet` through the real binary.
TESTS += tests/parquet/test_inspect_parquet.sh
EXTRA_DIST += tests/parquet/test_inspect_parquet.sh
