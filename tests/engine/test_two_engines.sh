#!/usr/bin/env bash
# tests/engine/test_two_engines.sh: two engines (`lakesync run`) on one registry follow one
# CONTINUOUS table: the table's runs never overlap in time (the advisory lock), a new commit
# is followed with no key pressed, `lakesync sync --wait` while the engines run still gets
# its run, and SIGTERM stops each engine cleanly.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
bench=${LAKESYNC_TESTDATA:-}/bench/users_1m
[ -d "$bench" ] || tap_skip_all "no benchmark table at $bench"
engine_test_begin
pg_on_exit 'kill $engine_a $engine_b 2>/dev/null; wait 2>/dev/null'
src=$LAKESYNC_CATALOG/bench/public/users
stage_bench_subset "$bench" "$src"
name=bench.public.users_synced
create_synced $name bench.public.users user_id CONTINUOUS >/dev/null

"$LK" --log-file "$work/a.log" run &
engine_a=$!
"$LK" --log-file "$work/b.log" run &
engine_b=$!

# wait_version V SECONDS: waits until the synced table reports version V
wait_version() {
	local i
	for ((i = 0; i < $2 * 10; i++)); do
		[ "$(synced_version $name)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}
tap_ok "the engines load the new table (version 0)" wait_version 0 60
cp "$bench/_delta_log/00000000000000000001.json" "$src/_delta_log/"
start=$(date +%s%N)
tap_ok "a new commit is followed without a sync request (version 1)" wait_version 1 60
tap_diag "version 1 reached $(( ($(date +%s%N) - start) / 1000000 )) ms after its commit appeared"
tap_ok "the table equals version 1" "$ORACLE" "$src" 1 "$name" user_id

out=$("$LK" sync $name --wait 2>&1)
tap_is "$?" 0 "lakesync sync --wait succeeds while engines run"
overlaps=$(psql -XAtqc "select count(*) from lakesync.runs a join lakesync.runs b
	on a.name = b.name and a.run_id < b.run_id
	and a.started_at < coalesce(b.ended_at, now()) and b.started_at < coalesce(a.ended_at, now())
	where a.outcome <> 'running' or b.outcome <> 'running'")
tap_is "$overlaps" 0 "no two runs of the table overlap"
tap_is "$(psql -XAtqc "select count(*) from lakesync.runs where engine is null or engine = ''")" 0 \
	"every run records the engine that ran it"
tap_is "$(psql -XAtqc "select count(*) from lakesync.runs where outcome = 'failed'")" 0 \
	"no run failed"

kill -TERM $engine_a $engine_b
wait $engine_a
tap_is "$?" 0 "engine A stops on SIGTERM with status 0"
wait $engine_b
tap_is "$?" 0 "engine B stops on SIGTERM with status 0"
tap_like "$(cat "$work/a.log" "$work/b.log")" "received SIGTERM, stopping" "the engines log their stop"
engine_a= engine_b=
tap_done
