#!/usr/bin/env bash
# tests/cli/test_cli.sh: the `lakesync` command line: --help and --version, usage errors
# (one line naming the problem, then the usage, exit status 2) and the command table.
set -u
. "$top_srcdir/tests/lib/tap.sh"
LK=${LAKESYNC:-$top_builddir/lakesync}

out=$("$LK" --help 2>&1); status=$?
tap_is "$status" 0 "--help exits 0"
tap_like "$out" '^Usage: lakesync \[OPTIONS\] COMMAND' "--help starts with the usage line"
for cmd in database sync run console serve demo inspect catalog; do
	tap_like "$out" "
  $cmd " "--help lists the '$cmd' command"
done

out=$("$LK" --version); status=$?
tap_is "$status" 0 "--version exits 0"
tap_like "$out" '^lakesync [0-9]+\.[0-9]+\.[0-9]+$' "--version prints name and version"
tap_is "$("$LK" version)" "$out" "'version' command prints the same as --version"

err=$("$LK" frobnicate 2>&1 >/dev/null); status=$?
tap_is "$status" 2 "an unknown command exits 2"
tap_is "$(printf '%s\n' "$err" | head -n 1)" "lakesync: unknown command 'frobnicate'" \
	"an unknown command is named on the first line"
tap_like "$err" 'Usage: lakesync' "an unknown command prints the usage"

err=$("$LK" --frobnicate 2>&1 >/dev/null); status=$?
tap_is "$status" 2 "an unknown long option exits 2"
tap_is "$(printf '%s\n' "$err" | head -n 1)" "lakesync: unknown option '--frobnicate'" \
	"an unknown long option is named"

err=$("$LK" -x 2>&1 >/dev/null); status=$?
tap_is "$status" 2 "an unknown short option exits 2"
tap_is "$(printf '%s\n' "$err" | head -n 1)" "lakesync: unknown option '-x'" \
	"an unknown short option is named"

err=$("$LK" --config 2>&1 >/dev/null); status=$?
tap_is "$status" 2 "a missing option argument exits 2"
tap_like "$(printf '%s\n' "$err" | head -n 1)" "option '--config' needs an argument" \
	"a missing option argument is named"

err=$("$LK" </dev/null 2>&1 >/dev/null); status=$?
tap_is "$status" 2 "no command without a terminal exits 2"
tap_like "$err" "no command given" "no command without a terminal says so"

err=$("$LK" --log-level loud version 2>&1 >/dev/null); status=$?
tap_is "$status" 2 "a bad --log-level exits 2"
tap_like "$err" "unknown log level 'loud'" "a bad --log-level is named"

out=$("$LK" help sync); status=$?
tap_is "$status" 0 "'help COMMAND' exits 0"
tap_like "$out" '^Usage: lakesync sync NAME' "'help sync' prints the sync synopsis"
"$LK" help nosuch >/dev/null 2>&1; status=$?
tap_is "$status" 2 "'help' of an unknown command exits 2"

# every command answers --help on stdout with exit 0 (its own usage, or the table's options)
for cmd in database sync run console serve demo inspect catalog; do
	out=$("$LK" "$cmd" --help 2>/dev/null); status=$?
	tap_is "$status" 0 "'$cmd --help' exits 0"
	tap_like "$out" "^Usage:" "'$cmd --help' prints its usage"
done
out=$("$LK" help inspect)
tap_like "$out" '--changes A\[\.\.B\]' "'help inspect' lists inspect's options"
out=$("$LK" inspect parquet --help); status=$?
tap_is "$status" 0 "'inspect parquet --help' exits 0"
tap_like "$out" '--schema' "and lists the options"
out=$("$LK" sync -h)
tap_like "$out" '--full-refresh' "'sync -h' lists sync's options"

tap_done
