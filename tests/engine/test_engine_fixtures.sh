#!/usr/bin/env bash
# tests/engine/test_engine_fixtures.sh: the engine on tables written by the project's own
# Delta writer (tests/engine/fixture.c), so it runs without the shared corpus:
# - kitchen: a full load at version 1 (rows with a null key left out and counted), the change
#   feed applied to version 4 (updates, deletes, appends, a new column added to the target)
#   and to version 7 (a checkpoint, a file emptied by a delete), each compared row by row with
#   the snapshot; a second synced table loaded in full at version 7 agrees;
# - nul: a NUL byte fails the run naming table, column and key, and writes nothing; with
#   spec.invalid_characters = replace (or strip) it loads;
# - retype: a non-additive schema change fails with COLUMN_TYPE_CHANGE_NOT_SUPPORTED and
#   leaves the target and its cursor as they were; a full refresh then loads the new schema;
# - timeseries: duplicate keys keep the row with the latest timeseries value, in the full
#   load and in the incremental apply;
# - cdfoff: Change Data Feed switched off after the load: the next run falls back to a full
#   refresh and says so in the run history;
# - a full refresh keeps the indexes and grants users added to the synced table.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
engine_test_begin
FIXTURE=$top_builddir/tests/engine/fixture
sql() { psql -XAtqc "$1"; }
for f in kitchen nul retype timeseries cdfoff; do
	mkdir -p "$work/written" && "$FIXTURE" $f "$work/written/$f" || exit 1
done
# stage NAME LAST: the fixture's table in the catalog as lake.fx.NAME, up to version LAST
stage() {
	if [ -d "$LAKESYNC_CATALOG/lake/fx/$1" ]; then
		stage_commits "$work/written/$1" "$LAKESYNC_CATALOG/lake/fx/$1" "$2"
	else
		stage_table "$work/written/$1" "$LAKESYNC_CATALOG/lake/fx/$1" "$2"
	fi
	if [ "$2" -ge 5 ] && [ -f "$work/written/$1/_delta_log/00000000000000000005.checkpoint.parquet" ]; then
		cp -n "$work/written/$1/_delta_log/00000000000000000005.checkpoint.parquet" \
			"$work/written/$1/_delta_log/_last_checkpoint" "$LAKESYNC_CATALOG/lake/fx/$1/_delta_log/"
	fi
}
oracle() { "$ORACLE" "$LAKESYNC_CATALOG/lake/fx/$1" "$2" "lake.fx.$3" "${4:-id}"; }

# --- kitchen ---------------------------------------------------------------------------------
stage kitchen 1
create_synced lake.fx.kitchen_synced lake.fx.kitchen id TRIGGERED >/dev/null
tap_ok "kitchen: full load at version 1" "$LK" sync lake.fx.kitchen_synced --wait
tap_ok "kitchen: equals version 1" oracle kitchen 1 kitchen_synced
tap_is "$(sql "select count(*) from fx.kitchen_synced")" 2000 "kitchen: 2000 rows (3 without an id left out)"
tap_is "$(sql "select rows_skipped from lakesync.runs where name = 'lake.fx.kitchen_synced' order by run_id desc limit 1")" \
	3 "kitchen: the run records the 3 rows left out"
stage kitchen 4
tap_ok "kitchen: change feed applied to version 4" "$LK" sync lake.fx.kitchen_synced --wait
tap_ok "kitchen: equals version 4" oracle kitchen 4 kitchen_synced
tap_is "$(sql "select count(*) from information_schema.columns where table_schema = 'fx' and table_name = 'kitchen_synced' and column_name = 'extra'")" \
	1 "kitchen: the new source column was added to the target"
tap_is "$(sql "select extra from fx.kitchen_synced where id = 2150")" e2150 "kitchen: and filled"
tap_is "$(sql "select rows_inserted || ' ' || rows_updated || ' ' || rows_deleted from lakesync.runs where name = 'lake.fx.kitchen_synced' order by run_id desc limit 1")" \
	"200 100 50" "kitchen: the run counts 200 inserts, 100 updates, 50 deletes"
stage kitchen 7
tap_ok "kitchen: change feed applied to version 7" "$LK" sync lake.fx.kitchen_synced --wait
tap_ok "kitchen: equals version 7" oracle kitchen 7 kitchen_synced
tap_is "$(synced_version lake.fx.kitchen_synced)" 7 "kitchen: synced version 7"
tap_is "$(sql "select count(*) from fx.kitchen_synced where id between 2001 and 2100")" 0 \
	"kitchen: the emptied file's rows are gone"
create_synced lake.fx.kitchen_again lake.fx.kitchen id SNAPSHOT >/dev/null
tap_ok "kitchen: a second table loads version 7 in full" "$LK" sync lake.fx.kitchen_again --wait
tap_is "$(sql "select count(*) from (select * from fx.kitchen_synced except all select * from fx.kitchen_again) d")" \
	0 "kitchen: incremental and full load agree"

# --- NUL bytes -----------------------------------------------------------------------------------
stage nul 1
create_synced lake.fx.nul_synced lake.fx.nul id TRIGGERED >/dev/null
err=$("$LK" sync lake.fx.nul_synced --wait 2>&1)
tap_is "$?" 1 "nul: a NUL byte fails the run"
tap_like "$err" "table lake.fx.nul_synced: column (name|tags): the value of the row with key \(id\)=\((5|7)\) contains a NUL byte" \
	"nul: the error names table, column and key"
tap_like "$("$LK" database get-synced-database-table lake.fx.nul_synced)" "CHARACTER_NOT_IN_REPERTOIRE" \
	"nul: the status carries the error class"
tap_is "$(sql "select count(*) from pg_tables where schemaname = 'fx' and tablename = 'nul_synced'")" 0 \
	"nul: nothing was written"
"$LK" database update-synced-database-table lake.fx.nul_synced spec.invalid_characters \
	--json '{"spec":{"invalid_characters":"replace"}}' >/dev/null
tap_ok "nul: with invalid_characters = replace it loads" "$LK" sync lake.fx.nul_synced --wait
tap_is "$(sql "select name from fx.nul_synced where id = 5")" "bad$(printf '\xef\xbf\xbd')name" \
	"nul: the NUL became U+FFFD"
tap_is "$(sql "select tags->>0 from fx.nul_synced where id = 7")" "t$(printf '\xef\xbf\xbd')x" \
	"nul: in a list element too"
"$LK" database create-synced-database-table --json '{"name":"lake.fx.nul_stripped","spec":{
  "source_table_full_name":"lake.fx.nul","primary_key_columns":["id"],
  "scheduling_policy":"SNAPSHOT","invalid_characters":"strip"}}' >/dev/null
"$LK" sync lake.fx.nul_stripped >/dev/null
tap_is "$(sql "select name from fx.nul_stripped where id = 5")" "badname" "nul: strip drops the NUL"

# --- a non-additive schema change -----------------------------------------------------------------
stage retype 1
create_synced lake.fx.retype_synced lake.fx.retype id TRIGGERED >/dev/null
"$LK" sync lake.fx.retype_synced --wait >/dev/null
before=$(sql "select string_agg(id || ':' || v, ',' order by id) from fx.retype_synced")
stage retype 2
err=$("$LK" sync lake.fx.retype_synced --wait 2>&1)
tap_is "$?" 1 "retype: a type change fails the run"
tap_like "$err" "COLUMN_TYPE_CHANGE_NOT_SUPPORTED" "retype: with COLUMN_TYPE_CHANGE_NOT_SUPPORTED"
tap_is "$(sql "select string_agg(id || ':' || v, ',' order by id) from fx.retype_synced")" "$before" \
	"retype: the target is left as it was"
tap_is "$(synced_version lake.fx.retype_synced)" 1 "retype: the synced version stays 1"
tap_like "$("$LK" database get-synced-database-table lake.fx.retype_synced)" "SYNCED_TABLE_ONLINE_PIPELINE_FAILED" \
	"retype: the table serves its old data, marked failed"
tap_ok "retype: a full refresh loads the new schema" "$LK" sync lake.fx.retype_synced --full-refresh --wait
tap_is "$(sql "select v from fx.retype_synced where id = 3")" v3 "retype: v is text now"

# --- a timeseries key -----------------------------------------------------------------------------
stage timeseries 1
"$LK" database create-synced-database-table --json '{"name":"lake.fx.ts_synced","spec":{
  "source_table_full_name":"lake.fx.timeseries","primary_key_columns":["id"],
  "timeseries_key":"ts","scheduling_policy":"TRIGGERED"}}' >/dev/null
tap_ok "timeseries: duplicate keys load with a timeseries key" "$LK" sync lake.fx.ts_synced --wait
tap_is "$(sql "select string_agg(id || '=' || val, ',' order by id) from fx.ts_synced")" "1=c,2=x" \
	"timeseries: the latest row per key"
stage timeseries 2
tap_ok "timeseries: the next version applies" "$LK" sync lake.fx.ts_synced --wait
tap_is "$(sql "select string_agg(id || '=' || val, ',' order by id) from fx.ts_synced")" "1=c,2=newer,3=z" \
	"timeseries: an older row does not overwrite a newer one"
create_synced lake.fx.ts_nokey lake.fx.timeseries id SNAPSHOT >/dev/null
err=$("$LK" sync lake.fx.ts_nokey --wait 2>&1)
tap_like "$err" "more than one row with primary key \(id\)=\(1\)" "timeseries: without the key the duplicates fail"

# --- Change Data Feed switched off ----------------------------------------------------------------
stage cdfoff 1
create_synced lake.fx.cdfoff_synced lake.fx.cdfoff id TRIGGERED >/dev/null
"$LK" sync lake.fx.cdfoff_synced --wait >/dev/null
stage cdfoff 3
tap_ok "cdfoff: the run after CDF was switched off succeeds" "$LK" sync lake.fx.cdfoff_synced --wait
tap_ok "cdfoff: equals version 3" oracle cdfoff 3 cdfoff_synced
tap_like "$(sql "select kind || ': ' || message from lakesync.runs where name = 'lake.fx.cdfoff_synced' order by run_id desc limit 1")" \
	"^full: full refresh: .*" "cdfoff: the run history says it was a full refresh, and why"

# --- a full refresh keeps what users added ----------------------------------------------------------
sql "create index kitchen_name_idx on fx.kitchen_synced (name); create role lakesync_reader;
	grant select on fx.kitchen_synced to lakesync_reader" >/dev/null
tap_ok "a full refresh" "$LK" sync lake.fx.kitchen_synced --full-refresh --wait
tap_is "$(sql "select count(*) from pg_indexes where schemaname = 'fx' and tablename = 'kitchen_synced' and indexname = 'kitchen_name_idx'")" \
	1 "the user's index is back on the new table"
tap_is "$(sql "select has_table_privilege('lakesync_reader', 'fx.kitchen_synced', 'select')")" t \
	"the user's grant is back on the new table"
tap_ok "and the table still equals version 7" oracle kitchen 7 kitchen_synced

tap_done
