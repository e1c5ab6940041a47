#!/usr/bin/env bash
# tests/engine/test_exactly_once.sh: kill -9 during full loads and incremental applies, at
# 22 different moments, and after each kill check the invariant: the target table equals the
# source snapshot at the cursor's version (nothing missing, nothing duplicated), or does not
# exist when no load ever committed. Then a final run completes and the table equals the
# latest version.
# Source: two data files of the benchmark table (250,000 rows) at version 0, and its version
# 1 (100,000 updates and 10,000 deletes of rows in the first file, with a cdc file). Files are
# split by row group, so the full loads run as four COPY units over parallel connections.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
bench=${LAKESYNC_TESTDATA:-}/bench/users_1m
[ -d "$bench" ] || tap_skip_all "no benchmark table at $bench"
engine_test_begin
# Split every file by row group (the bench files hold two each): four load units, so the
# kills also land between units of one file. The catalog still comes from the environment.
printf 'engine = { split_file_bytes = 1; };\n' >"$work/lakesync.conf"
export LAKESYNC_CONFIG=$work/lakesync.conf
src=$LAKESYNC_CATALOG/bench/public/users
stage_bench_subset "$bench" "$src"
name=bench.public.users_synced
create_synced $name bench.public.users user_id TRIGGERED >/dev/null

cursor() { # -1 when no load committed (even the cursor table may not exist yet)
	if [ "$(psql -XAtqc "select to_regclass('lakesync.cursors') is null")" = t ]; then
		echo -1
		return
	fi
	psql -XAtqc "select coalesce((select delta_version from lakesync.cursors where synced_table = '$name'), -1)"
}
table_exists() {
	psql -XAtqc "select count(*) from pg_tables where schemaname = 'public' and tablename = 'users_synced'"
}
# Waits until the killed engine's server sessions are gone (their transactions rolled back,
# their advisory locks released).
wait_sessions_gone() {
	local i
	for ((i = 0; i < 300; i++)); do
		[ "$(psql -XAtqc "select count(*) from pg_stat_activity where application_name like 'lakesync%'")" = 0 ] && return 0
		sleep 0.1
	done
	return 1
}
declare -A seen
# kill_at SECONDS PHASE: starts a sync, kills it after SECONDS, checks the invariant.
kill_at() {
	"$LK" sync $name --wait >/dev/null 2>&1 &
	local pid=$!
	sleep "$1"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	wait_sessions_gone
	local c
	c=$(cursor)
	seen["$2 cursor=$c"]=$((${seen["$2 cursor=$c"]:-0} + 1))
	if [ "$c" = -1 ]; then
		tap_is "$(table_exists)" 0 "$2, kill -9 after ${1}s: no cursor and no table"
	else
		tap_ok "$2, kill -9 after ${1}s: the table equals version $c" \
			"$ORACLE" "$src" "$c" "$name" user_id
	fi
}

for delay in 0.05 0.15 0.3 0.45 0.6 0.75 0.9 1.05 1.2 1.5 1.8 2.2; do
	kill_at "$delay" "full load"
	# start the next kill from scratch while no load has committed yet
	if [ "$(cursor)" != -1 ]; then
		psql -XAtqc "drop table public.users_synced; delete from lakesync.cursors" >/dev/null
	fi
done

tap_ok "a complete full load" "$LK" sync $name --wait
tap_is "$(cursor)" 0 "the cursor is at version 0"
cp "$bench/_delta_log/00000000000000000001.json" "$src/_delta_log/"
for delay in 0.1 0.3 0.5 0.7 0.9 1.1 1.4 1.7 2.0 2.5; do
	kill_at "$delay" "incremental"
	if [ "$(cursor)" = 1 ]; then # the apply committed: reset to version 0 for the next kill
		"$LK" sync $name --full-refresh >/dev/null 2>&1
		rm "$src/_delta_log/00000000000000000001.json"
		"$LK" sync $name --full-refresh >/dev/null 2>&1
		cp "$bench/_delta_log/00000000000000000001.json" "$src/_delta_log/"
	fi
done

tap_ok "a final run completes" "$LK" sync $name --wait
tap_is "$(cursor)" 1 "the cursor is at version 1"
tap_ok "the table equals version 1" "$ORACLE" "$src" 1 "$name" user_id
tap_is "$(psql -XAtqc "select count(*) from public.users_synced")" 240000 \
	"240,000 rows: 250,000 less the 10,000 deleted"
for key in "${!seen[@]}"; do tap_diag "kills that left $key: ${seen[$key]}"; done
tap_done
