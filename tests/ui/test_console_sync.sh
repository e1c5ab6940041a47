#!/usr/bin/env bash
# tests/ui/test_console_sync.sh: what the console does to synced tables, against real Delta
# tables (cdf-table-simple: 10 rows at version 0, all deleted at version 1): a commit to
# the source shows as lag; `s` syncs it and the version and last-sync columns move; a
# CONTINUOUS table follows a new commit with no key pressed; a table whose pipeline another
# engine holds is shown so, and Sync now asks that engine through the registry; `S` wants
# the typed name; delete defaults to Cancel, keeps the PostgreSQL table, and drops it only
# when asked.
set -u
. "$top_srcdir/tests/ui/lib.sh"
ui_setup
src=$LAKESYNC_TESTDATA/delta/cdf-table-simple
[ -d "$src/_delta_log" ] || tap_skip_all "test data $src not found"

stage_table "$src" "$LAKESYNC_CATALOG/lake/app/events" 0
stage_table "$src" "$LAKESYNC_CATALOG/lake/app/stream" 0
create_synced lake.app.events_synced lake.app.events id TRIGGERED >/dev/null
create_synced lake.app.stream_synced lake.app.stream id CONTINUOUS >/dev/null
"$LK" sync lake.app.events_synced >/dev/null
"$LK" sync lake.app.stream_synced >/dev/null
count() { psql -XAtqc "select count(*) from $1"; }
tap_is "$(count app.events_synced)" 10 "the tables start loaded at version 0"

# The clock is pinned an hour after the CLI's syncs: they read "1h ago" until the
# console's engine syncs again ("0s ago").
export LAKESYNC_FIXED_NOW
LAKESYNC_FIXED_NOW=$(date -u -d '+65 minutes' +%Y-%m-%dT%H:%M:%SZ)
ui_start 120 40
ui_expect 'lake\.app\.events_synced +✔ ONLINE +TRIGGERED +1h ago +0/0 ' "the dashboard shows the synced and latest versions"
ui_expect 'lake\.app\.events_synced .* 10 default/main/postgres' "and the rows of the PostgreSQL table"

# --- Sync now --------------------------------------------------------------------------------
stage_commits "$src" "$LAKESYNC_CATALOG/lake/app/events" 1
ui_expect 'lake\.app\.events_synced +✔ ONLINE +TRIGGERED +1h ago +0/1 -1' "a new commit to the source shows as lag"
ui_keys s
ui_expect 'Sync now: lake\.app\.events_synced' "s says what it does"
ui_expect 'lake\.app\.events_synced +✔ ONLINE +TRIGGERED +0s ago +1/1 ' "the version and last-sync columns move"
tap_is "$(count app.events_synced)" 0 "the delete of version 1 reached PostgreSQL"

# --- CONTINUOUS follows by itself ----------------------------------------------------------------
ui_expect 'lake\.app\.stream_synced +✔ ONLINE +CONTINUOUS +1h ago +0/0 ' "the continuous table is at version 0"
stage_commits "$src" "$LAKESYNC_CATALOG/lake/app/stream" 1
ui_expect 'lake\.app\.stream_synced +✔ ONLINE +CONTINUOUS +0s ago +1/1 ' "it follows a new commit with no key pressed"

# --- another engine holds the pipeline -----------------------------------------------------------
rm -f "$work/locked"
PGAPPNAME=lock_holder psql -XAtq >/dev/null 2>&1 <<EOF &
select pg_advisory_lock(hashtextextended('lake.app.events_synced', 27499));
\o $work/locked
select 'locked';
\o
select pg_sleep(30);
EOF
holder=$!
pg_on_exit "kill $holder 2>/dev/null"
for _ in $(seq 100); do [ -s "$work/locked" ] && break; sleep 0.1; done
ui_keys s
ui_expect 'lake\.app\.events_synced .*other engine' "a pipeline held by another engine is shown so"
ui_keys s
ui_expect 'asked the engine that holds lake\.app\.events_synced \(request [0-9]+\)' "Sync now then asks that engine through the registry"
tap_like "$(psql -XAtqc "select count(*) from lakesync.requests where name = 'lake.app.events_synced'")" '^[1-9]' "a request row waits for it"
psql -XAtqc "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'lock_holder'" >/dev/null
wait "$holder" 2>/dev/null
ui_expect_gone 'other engine' "once the lock is free the request is served"

# --- full refresh: typed confirmation ---------------------------------------------------------------
ui_keys g S
ui_expect 'Type events_synced and press Enter to confirm' "S asks for the table's name"
ui_type oops
ui_keys Enter
ui_expect 'Full refresh not started: the name did not match' "a wrong name starts nothing"
runs_before=$(psql -XAtqc "select count(*) from lakesync.runs where name = 'lake.app.events_synced' and kind = 'full'")
ui_keys S
ui_type events_synced
ui_keys Enter
ui_expect 'Full refresh(:| of) .*lake\.app\.events_synced' "the right name starts it"
full_run() { [ "$(psql -XAtqc "select count(*) from lakesync.runs where name = 'lake.app.events_synced' and kind = 'full' and outcome = 'succeeded'")" -gt "$runs_before" ]; }
ok=1
for _ in $(seq 100); do full_run && { ok=0; break; }; sleep 0.2; done
tap_result "$ok" "a full run is recorded"

# --- delete -----------------------------------------------------------------------------------------------
ui_keys g d
ui_expect '\[>Cancel<\] +\[ Delete \] +\[ Delete and DROP the PostgreSQL table \]' "d asks, with Cancel focused"
ui_keys Enter
ui_expect_gone 'Delete synced table' "Enter on Cancel closes the dialog"
tap_like "$(ui_screen)" 'lake\.app\.events_synced' "and deletes nothing"
ui_keys d Right Enter
ui_expect 'Deleted lake\.app\.events_synced' "Delete deletes"
ui_expect_gone 'lake\.app\.events_synced' "the row goes"
tap_is "$(psql -XAtqc "select count(*) from pg_tables where schemaname = 'app' and tablename = 'events_synced'")" 1 "without purge the PostgreSQL table stays"
ui_keys g d Right Right Enter
ui_expect 'Deleted lake\.app\.stream_synced and dropped its PostgreSQL table' "the third button deletes and purges"
tap_is "$(psql -XAtqc "select count(*) from pg_tables where schemaname = 'app' and tablename = 'stream_synced'")" 0 "with purge the PostgreSQL table is dropped"
ui_expect 'No synced tables yet\. Press n to create one\.' "an empty registry says what to do"
ui_keys q
tap_is "$(ui_exit_status)" 0 "q quits"
tap_done
