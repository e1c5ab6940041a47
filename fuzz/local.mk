# fuzz: libFuzzer targets, built with ./configure CC=clang --enable-fuzzing.
# Each module adds its targets to LK_FUZZ (and EXTRA_PROGRAMS) here; run one with
#   ./fuzz/<target> -max_total_time=60 fuzz/corpus/<target>
EXTRA_DIST += fuzz/README.md
