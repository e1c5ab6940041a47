#!/usr/bin/env bash
# tests/delta/test_delta_corpus.sh: reproduces every section of every <table>.expected.txt of
# the shared Delta tables with `lakesync inspect delta`: full scans, time travel, projections
# and change-feed ranges (rows compared as unordered multisets by delta_expect, which also
# normalises the files' value encodings), change feeds that must open (OK) or fail with a
# stated error class (ERROR), and the change feed's output schema. One TAP line per section.
set -u
. "$top_srcdir/tests/lib/tap.sh"
LK=${LAKESYNC:-$top_builddir/lakesync}
EXPECT=$top_builddir/tests/delta/delta_expect
CORPUS=${LAKESYNC_TESTDATA:-}/delta
[ -n "${LAKESYNC_TESTDATA:-}" ] && [ -d "$CORPUS" ] ||
	tap_skip_all "no Delta corpus at \$LAKESYNC_TESTDATA/delta"
TIMEOUT=${LAKESYNC_CORPUS_TIMEOUT:-120}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_lakesync ARGS...: sets status, out (path of stdout), err (stderr text).
run_lakesync() {
	out=$tmp/out
	timeout "$TIMEOUT" "$LK" inspect delta "$@" >"$out" 2>"$tmp/err"
	status=$?
	err=$(head -c 2000 "$tmp/err")
}

# The inspect options of a scan section's argument ("-", "version N", "columns a,b").
scan_options() {
	case $1 in
	version\ *) printf -- '--version\n%s\n' "${1#version }" ;;
	columns\ *) printf -- '--columns\n%s\n' "${1#columns }" ;;
	esac
}

check_rows() { # check_rows EXPECTED INDEX NAME ARGS...
	local expected=$1 index=$2 name=$3
	shift 3
	run_lakesync "$@"
	if [ "$status" -ne 0 ]; then
		tap_result 1 "$name"
		tap_diag "lakesync inspect delta $* exited with $status: $err"
		return
	fi
	local diff
	diff=$("$EXPECT" compare "$expected" "$index" "$out" 2>&1)
	tap_result $? "$name"
	[ -z "$diff" ] || tap_diag "$diff"
}

check_error() { # check_error TABLE RANGE CLASS NAME
	local table=$1 range=$2 class=$3 name=$4
	run_lakesync "$table" --changes "$range"
	local got end=${range##*..}
	got=$("$EXPECT" errcode "$table" "${range%%..*}" "${end:--1}")
	if [ "$status" -eq 1 ] && [ "${err#lakesync: }" != "$err" ] && [ "$got" = "$class" ]; then
		tap_result 0 "$name"
	else
		tap_result 1 "$name"
		tap_diag "exit status $status (want 1), error class $got (want $class): $err"
	fi
}

check_schema() { # check_schema EXPECTED INDEX TABLE RANGE NAME
	run_lakesync "$3" --changes "$4" --info
	local diff
	if [ "$status" -ne 0 ]; then
		tap_result 1 "$5"
		tap_diag "exit status $status: $err"
		return
	fi
	diff=$("$EXPECT" schema "$1" "$2" "$out" 2>&1)
	tap_result $? "$5"
	[ -z "$diff" ] || tap_diag "$diff"
}

for expected in "$CORPUS"/*.expected.txt; do
	table=${expected%.expected.txt}
	base=${table##*/}
	sections=$("$EXPECT" sections "$expected") || {
		tap_result 1 "$base: expected file parses"
		continue
	}
	while IFS=$'\t' read -r index kind arg title; do
		name="$base [$title]"
		case $kind in
		scan)
			mapfile -t opts < <(scan_options "$arg")
			check_rows "$expected" "$index" "$name" "$table" "${opts[@]}" ;;
		changes)
			check_rows "$expected" "$index" "$name" "$table" --changes "$arg" ;;
		error)
			check_error "$table" "${arg%% *}" "${arg#* }" "$name" ;;
		ok)
			run_lakesync "$table" --changes "$arg" --info
			tap_result "$status" "$name"
			[ "$status" -eq 0 ] || tap_diag "$err" ;;
		schema)
			check_schema "$expected" "$index" "$table" "$arg" "$name" ;;
		esac
	done <<<"$sections"
done

# The command line around the sections: exit statuses and messages.
run_lakesync "$CORPUS/cdf-table" --version x
tap_is "$status" 2 "inspect delta: a bad --version is a usage error (exit 2)"
run_lakesync "$CORPUS/cdf-table" --columns nope
tap_like "$status $err" "^1 lakesync: .*cdf-table.*nope" "inspect delta: an unknown column fails naming table and column"
run_lakesync "$CORPUS/cdf-table" --changes 1..1 --columns name
tap_is "$(head -c 61 "$out")" '{"name":"Dave","_change_type":"update_postimage","_commit_ver' \
	"inspect delta: a change feed projection keeps the change columns"
tap_done
