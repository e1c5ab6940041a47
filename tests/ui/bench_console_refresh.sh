#!/usr/bin/env bash
# tests/ui/bench_console_refresh.sh: the CPU time of one dashboard refresh with N synced
# tables in the registry (default 1000; the goal is at most 20 ms). Not part of `make
# check`: run it by hand from a build directory:
#   top_srcdir=.. top_builddir=. LAKESYNC=$PWD/lakesync bash ../tests/ui/bench_console_refresh.sh [N]
# It fills the registry with N tables (copies of one real synced table), runs the console
# at 120x40 for 20 refreshes with --stats, and prints its figures: the draw loop's CPU per
# refresh (take the snapshot, filter, sort, draw, doupdate) and the data thread's CPU per
# fetch (list the registry, latest source versions, engine activity, row counts).
set -u
n=${1:-1000}
export LAKESYNC_TESTDATA=${LAKESYNC_TESTDATA:-$(cd "$top_srcdir/.." && pwd)/shared/testdata}
. "$top_srcdir/tests/ui/lib.sh"
ui_setup
log_table "$LAKESYNC_CATALOG/lake/sales/orders" "$(field id long),$(field amount 'decimal(12,2)'),$(field note string)" "$cdf"
create_synced lake.sales.orders_synced lake.sales.orders id TRIGGERED >/dev/null
"$LK" sync lake.sales.orders_synced >/dev/null
psql -XAtq -v ON_ERROR_STOP=1 -c "
insert into lakesync.synced_tables (name, database_instance_name, logical_database_name,
       effective_database_instance_name, effective_logical_database_name, spec, status,
       pipeline_id, uc_state)
select 'lake.sales.t' || lpad(i::text, 5, '0'), database_instance_name, logical_database_name,
       effective_database_instance_name, effective_logical_database_name, spec, status,
       gen_random_uuid(), uc_state
from lakesync.synced_tables, generate_series(2, $n) i
where name = 'lake.sales.orders_synced'" >/dev/null || {
	echo "cannot fill the registry; its columns:" >&2
	psql -XAtc "\\d lakesync.synced_tables" >&2
	exit 1
}
echo "registry: $(psql -XAtqc 'select count(*) from lakesync.synced_tables') synced tables"
ui_start 120 40 --stats --exit-after 20
status=$(ui_exit_status 120)
ui_screen | grep -v "^$"
exit "$([ "$status" = 0 ] && echo 0 || echo 1)"
