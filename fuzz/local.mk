# fuzz: libFuzzer targets, built with ./configure CC=clang --enable-fuzzing.
# Each module adds its targets to LK_FUZZ (and EXTRA_PROGRAMS) here; run one with
#   ./fuzz/<target> -max_total_time=60 fuzz/corpus/<target>
EXTRA_DIST += fuzz/README.md

# fuzz_delta: commit lines, schemas, partition values, Z85 and deletion vectors (src/delta).
LK_FUZZ += fuzz/fuzz_delta
EXTRA_PROGRAMS += fuzz/fuzz_delta
fuzz_fuzz_delta_SOURCES = fuzz/fuzz_delta.c
fuzz_fuzz_delta_CFLAGS = $(AM_CFLAGS) $(LK_DEP_CFLAGS)
fuzz_fuzz_delta_LDFLAGS = $(AM_LDFLAGS) $(LK_FUZZ_FLAGS)
fuzz_fuzz_delta_LDADD = $(LK_LIB)

# The Parquet reader: footer, schema, every column of every row group, rendering.
LK_FUZZ += fuzz/fuzz_parquet
EXTRA_PROGRAMS += fuzz/fuzz_parquet
fuzz_fuzz_parquet_SOURCES = fuzz/fuzz_parquet.c
fuzz_fuzz_parquet_CFLAGS = $(AM_CFLAGS) $(LK_DEP_CFLAGS)
fuzz_fuzz_parquet_LDFLAGS = $(AM_LDFLAGS) $(LK_FUZZ_FLAGS)
fuzz_fuzz_parquet_LDADD = $(LK_LIB)
