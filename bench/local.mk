# bench: benchmarks, built by `make bench`, never run by `make check`.
# Each adds itself to LK_BENCH and EXTRA_PROGRAMS.

# The Parquet reader's scan speed: bench/parquet_scan FILE...
LK_BENCH += bench/parquet_scan
EXTRA_PROGRAMS += bench/parquet_scan
bench_parquet_scan_SOURCES = bench/parquet_scan.c
bench_parquet_scan_CFLAGS = $(AM_CFLAGS) $(LK_DEP_CFLAGS)
bench_parquet_scan_LDADD = $(LK_LIB)
