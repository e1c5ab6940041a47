#!/usr/bin/env bash
# tests/parquet/test_inspect_parquet.sh: `lakesync inspect parquet` as a user sees it: usage
# errors exit 2, unreadable files exit 1 with one "lakesync: ..." line, rows as JSON Lines,
# --columns picks and orders columns (also dotted paths), --schema prints the tree.
set -u
. "$top_srcdir/tests/lib/tap.sh"
LK=${LAKESYNC:-$top_builddir/lakesync}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$LK" inspect >/dev/null 2>&1
tap_is "$?" 2 "inspect without a kind is a usage error"
err=$("$LK" inspect frob x 2>&1 >/dev/null); status=$?
tap_is "$status" 2 "an unknown kind is a usage error"
tap_is "$(printf '%s\n' "$err" | head -n 1)" "lakesync: inspect: unknown kind 'frob'" \
	"the unknown kind is named"
"$LK" inspect parquet >/dev/null 2>&1
tap_is "$?" 2 "inspect parquet without a file is a usage error"
"$LK" inspect parquet --bogus x >/dev/null 2>&1
tap_is "$?" 2 "an unknown option is a usage error"

err=$("$LK" inspect parquet "$tmp/missing.parquet" 2>&1 >/dev/null); status=$?
tap_is "$status" 1 "a missing file exits 1"
tap_is "$err" "lakesync: $tmp/missing.parquet: cannot open: No such file or directory" \
	"a missing file is named in one line"

printf 'PAR1 this is not parquet PAR1' >"$tmp/junk.parquet"
err=$("$LK" inspect parquet "$tmp/junk.parquet" 2>&1 >/dev/null); status=$?
tap_is "$status" 1 "a non-Parquet file exits 1"
tap_like "$err" "^lakesync: $tmp/junk.parquet: footer length [0-9]+ larger than the file" \
	"a bad footer length is reported"

CORPUS=${LAKESYNC_TESTDATA:-}/parquet/data
if [ -n "${LAKESYNC_TESTDATA:-}" ] && [ -f "$CORPUS/alltypes_plain.parquet" ]; then
	f=$CORPUS/alltypes_plain.parquet
	out=$("$LK" inspect parquet --columns string_col,id "$f" | head -n 2)
	tap_is "$out" '{"string_col":"\\x30","id":4}
{"string_col":"\\x31","id":5}' "--columns picks and orders columns"
	tap_is "$("$LK" inspect parquet "$f" | wc -l | tr -d ' ')" 8 "one line per row"
	out=$("$LK" inspect parquet --schema "$f")
	tap_like "$out" 'alltypes_plain.parquet: 8 rows, 1 row groups' "--schema prints the counts"
	tap_like "$out" '  timestamp_col: timestamp optional INT96 column=10 def=1 rep=0' \
		"--schema prints each column with its type and levels"
	f=$CORPUS/nested_structs.rust.parquet
	out=$("$LK" inspect parquet --columns roll_num.min "$f")
	tap_is "$out" '{"roll_num.min":190406409000602}' "a dotted path selects a nested field"
	err=$("$LK" inspect parquet --columns nope "$f" 2>&1 >/dev/null); status=$?
	tap_is "$status $err" "1 lakesync: $f: no column 'nope'" "an unknown column exits 1"
fi
tap_done
