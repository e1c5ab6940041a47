#!/usr/bin/env bash
# tests/engine/test_engine_scheduling.sh: `lakesync run` loads new tables by itself, follows a
# CONTINUOUS table's new commits and runs a TRIGGERED table on its spec.schedule, with no Sync
# now; a TRIGGERED table without a schedule waits for one. Sources are log-only Delta tables
# written here; each new commit changes no rows, so the runs are quick and the lag measured is
# the engine's own.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
engine_test_begin
pg_on_exit '[ -n "${engine:-}" ] && kill $engine 2>/dev/null; wait 2>/dev/null'

# log_table DIR: version 0 of a CDF-enabled table with one long column and no data files
log_table() {
	mkdir -p "$1/_delta_log"
	cat >"$1/_delta_log/00000000000000000000.json" <<'EOS'
{"commitInfo":{"timestamp":1700000000000,"operation":"CREATE TABLE"}}
{"protocol":{"minReaderVersion":1,"minWriterVersion":4}}
{"metaData":{"id":"00000000-0000-0000-0000-000000000002","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{"delta.enableChangeDataFeed":"true"},"createdTime":1700000000000}}
EOS
}
# commit DIR VERSION: a commit that changes no rows
commit() {
	printf '{"commitInfo":{"timestamp":%s,"operation":"SET TBLPROPERTIES"}}\n' "$(date +%s000)" \
		>"$1/_delta_log/$(printf '%020d' "$2").json.tmp"
	mv "$1/_delta_log/$(printf '%020d' "$2").json.tmp" "$1/_delta_log/$(printf '%020d' "$2").json"
}
for t in cont trig manual; do log_table "$LAKESYNC_CATALOG/lake/s/$t"; done
create_synced lake.s.cont_synced lake.s.cont id CONTINUOUS >/dev/null
"$LK" database create-synced-database-table --json '{"name":"lake.s.trig_synced","spec":{
  "source_table_full_name":"lake.s.trig","primary_key_columns":["id"],
  "scheduling_policy":"TRIGGERED","schedule":"3s"}}' >/dev/null
create_synced lake.s.manual_synced lake.s.manual id TRIGGERED >/dev/null

"$LK" --log-file "$work/engine.log" run &
engine=$!
for t in cont trig manual; do
	tap_ok "the engine loads $t by itself" wait_version "lake.s.${t}_synced" 0 30
done

commit "$LAKESYNC_CATALOG/lake/s/cont" 1
start=$(date +%s%N)
tap_ok "CONTINUOUS follows a new commit with no request" wait_version lake.s.cont_synced 1 10
lag_ms=$(( ($(date +%s%N) - start) / 1000000 ))
tap_diag "CONTINUOUS lag for a commit without rows: $lag_ms ms (poll interval 1s)"
for v in 2 3 4; do
	commit "$LAKESYNC_CATALOG/lake/s/cont" $v
	start=$(date +%s%N)
	wait_version lake.s.cont_synced $v 10
	tap_diag "CONTINUOUS lag, commit $v: $(( ($(date +%s%N) - start) / 1000000 )) ms"
done
tap_is "$(synced_version lake.s.cont_synced)" 4 "CONTINUOUS kept up with four commits"

commit "$LAKESYNC_CATALOG/lake/s/trig" 1
commit "$LAKESYNC_CATALOG/lake/s/manual" 1
tap_ok "TRIGGERED with schedule 3s runs on its schedule" wait_version lake.s.trig_synced 1 15
tap_is "$(synced_version lake.s.manual_synced)" 0 "TRIGGERED without a schedule waits for Sync now"
tap_ok "Sync now (lakesync sync) brings it up" "$LK" sync lake.s.manual_synced --wait
tap_is "$(synced_version lake.s.manual_synced)" 1 "and it is at version 1"

kill -TERM $engine
wait $engine
tap_is "$?" 0 "the engine stops on SIGTERM"
engine=
tap_done
