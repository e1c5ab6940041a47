# bench: benchmarks, built by `make bench`, never run by `make check`.
# Each adds itself to LK_BENCH and EXTRA_PROGRAMS.
