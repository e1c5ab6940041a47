#!/usr/bin/env bash
# tests/ui/capture_screens.sh: writes the text captures of real console screens that
# doc/console.md shows (dashboard, detail, a wizard step), from a throwaway PostgreSQL and
# the cdf-table-simple test table. Not part of `make check`; run it from a build directory:
#   top_srcdir=.. top_builddir=. LAKESYNC=$PWD/lakesync bash ../tests/ui/capture_screens.sh OUTDIR
set -u
out=${1:?usage: capture_screens.sh OUTDIR}
mkdir -p "$out"
export LAKESYNC_TESTDATA=${LAKESYNC_TESTDATA:-$(cd "$top_srcdir/.." && pwd)/shared/testdata}
. "$top_srcdir/tests/ui/lib.sh"
ui_setup
src=$LAKESYNC_TESTDATA/delta/cdf-table-simple
stage_table "$src" "$LAKESYNC_CATALOG/lake/app/events" 0
stage_table "$src" "$LAKESYNC_CATALOG/lake/app/clicks" 0
log_table "$LAKESYNC_CATALOG/lake/sales/orders" "$(field order_id long),$(field amount 'decimal(12,2)'),$(field note string),$(field tags 'string')" "$cdf"
log_table "$LAKESYNC_CATALOG/lake/sales/returns" "$(field return_id long),$(field reason string)" ""
create_synced lake.app.events_synced lake.app.events id TRIGGERED >/dev/null
create_synced lake.app.clicks_synced lake.app.clicks id CONTINUOUS >/dev/null
create_synced lake.sales.orders_synced lake.sales.orders order_id SNAPSHOT >/dev/null
for t in lake.app.events_synced lake.app.clicks_synced lake.sales.orders_synced; do "$LK" sync "$t" >/dev/null; done
stage_commits "$src" "$LAKESYNC_CATALOG/lake/app/events" 1
psql -XAtq -c "update lakesync.synced_tables set status = jsonb_set(status, '{detailed_state}', '\"SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT\"') || '{\"provisioning_status\":{\"initial_pipeline_sync_progress\":{\"sync_progress_completion\":0.42,\"synced_row_count\":420000,\"total_row_count\":1000000}}}'::jsonb where name = 'lake.sales.orders_synced'" >/dev/null
ui_start 100 30 --no-engine
ui_wait 'events_synced' && sleep 1.5
ui_screen >"$out/console-dashboard.txt"
ui_keys Enter
ui_wait 'Pipeline id' && sleep 1
ui_screen >"$out/console-detail.txt"
ui_keys Escape n Enter Down Enter Down Enter
ui_wait 'Change Data Feed is OFF' && sleep 0.5
ui_screen >"$out/console-wizard-cdf.txt"
ui_keys s
ui_wait 'Sync mode' && sleep 0.5
ui_screen >"$out/console-wizard-configure.txt"
ui_keys Escape Escape Escape Escape Escape q
ui_exit_status >/dev/null
ls -l "$out"
