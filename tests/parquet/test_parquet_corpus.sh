#!/usr/bin/env bash
# tests/parquet/test_parquet_corpus.sh: reads every file of the shared Parquet corpus with
# `lakesync inspect parquet` and compares each row and value with what DuckDB (or, for the
# files DuckDB cannot read, hyparquet) reads from it (compare_jsonl normalises their
# renderings). Files neither reference reads must fail cleanly or read without crashing;
# encrypted files must be refused clearly; every bad_data/ file must fail cleanly or read,
# never crash or hang. One TAP line per file.
set -u
. "$top_srcdir/tests/lib/tap.sh"
LK=${LAKESYNC:-$top_builddir/lakesync}
COMPARE=$top_builddir/tests/parquet/compare_jsonl
CORPUS=${LAKESYNC_TESTDATA:-}/parquet
[ -n "${LAKESYNC_TESTDATA:-}" ] && [ -d "$CORPUS/data" ] ||
	tap_skip_all "no Parquet corpus at \$LAKESYNC_TESTDATA/parquet"
TIMEOUT=${LAKESYNC_CORPUS_TIMEOUT:-120}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_inspect FILE: runs the reader; sets status, out (path of stdout), err (stderr text).
run_inspect() {
	out=$tmp/out.jsonl
	timeout "$TIMEOUT" "$LK" inspect parquet "$1" >"$out" 2>"$tmp/err"
	status=$?
	err=$(head -c 2000 "$tmp/err")
}

# crashed: a signal, a timeout, or a sanitizer report.
crashed() {
	[ "$status" -ge 124 ] || printf '%s' "$err" | grep -Eq 'Sanitizer|runtime error:'
}

check_reference() { # check_reference FILE EXPECTED NAME
	run_inspect "$1"
	if [ "$status" -ne 0 ]; then
		tap_result 1 "$3 reads as the reference does"
		tap_diag "exit status $status: $err"
		return
	fi
	local diff
	diff=$("$COMPARE" "$2" "$out" 2>&1)
	local st=$?
	tap_result "$st" "$3 reads as the reference does"
	[ "$st" -eq 0 ] || tap_diag "$diff"
}

check_unreferenced() { # check_unreferenced FILE NAME
	run_inspect "$1"
	case "$1" in
	*.encrypted)
		tap_like "$status $err" '^1 lakesync: .*encrypted Parquet is not supported' \
			"$2 is refused as encrypted"
		return ;;
	esac
	if crashed; then
		tap_result 1 "$2 reads or fails cleanly"
		tap_diag "status $status: $err"
		return
	fi
	case "$1" in
	*large_string_map*)
		if [ "$status" -eq 0 ]; then tap_result 0 "$2 reads in bounded memory"
		else tap_like "$err" 'value too large' "$2 is refused as too large"; fi ;;
	*)
		tap_result 0 "$2 reads or fails cleanly (exit $status)"
		[ "$status" -eq 0 ] || tap_diag "$err" ;;
	esac
}

for f in "$CORPUS"/data/*.parquet* "$CORPUS"/data/geospatial/*.parquet; do
	[ -f "$f" ] || continue
	case "$f" in *.json) continue ;; esac
	rel=${f#"$CORPUS"/data/}
	exp=$CORPUS/expected/data/$rel
	if [ -f "$exp.jsonl" ]; then
		check_reference "$f" "$exp.jsonl" "data/$rel"
	elif [ -f "$exp.hyparquet.jsonl" ]; then
		check_reference "$f" "$exp.hyparquet.jsonl" "data/$rel"
	else
		check_unreferenced "$f" "data/$rel"
	fi
done

for f in "$CORPUS"/bad_data/*; do
	[ -f "$f" ] || continue
	name=bad_data/${f##*/}
	run_inspect "$f"
	if crashed; then
		tap_result 1 "$name fails cleanly or reads"
		tap_diag "status $status: $err"
	elif [ "$status" -eq 0 ]; then
		tap_result 0 "$name reads consistently"
	else
		tap_like "$status $err" '^1 lakesync: ' "$name fails cleanly"
	fi
done

tap_done
