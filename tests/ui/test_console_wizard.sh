#!/usr/bin/env bash
# tests/ui/test_console_wizard.sh: the create wizard driven by keys alone: browse catalog >
# schema > table with / search, see columns and the Change Data Feed state, configure (the
# name validated as you type, the key auto-detected), review, create, and the rows arrive in
# PostgreSQL; the CDF-off path (the exact ALTER TABLE command, re-check, SNAPSHOT); columns
# without a PostgreSQL type called out; a big table shows PROVISIONING, then its rows.
set -u
. "$top_srcdir/tests/ui/lib.sh"
ui_setup
src=$LAKESYNC_TESTDATA/delta/cdf-table-simple
[ -d "$src/_delta_log" ] || tap_skip_all "test data $src not found"

stage_table "$src" "$LAKESYNC_CATALOG/lake/app/events" 0
log_table "$LAKESYNC_CATALOG/lake/app/audit" "$(field id long)" "$cdf"
log_table "$LAKESYNC_CATALOG/lake/sales/no_cdf" "$(field order_id long),$(field note string)" ""
log_table "$LAKESYNC_CATALOG/lake/sales/odd_types" "$(field id long),$(field v variant)" "$cdf"

ui_start 120 40
ui_expect 'No synced tables yet\. Press n to create one\.' "an empty registry"

# --- the happy path -----------------------------------------------------------------------------
ui_keys n
ui_expect '1 Source  >  2 Change Data Feed  >  3 Configure  >  4 Review' "n opens the wizard at step 1"
ui_expect 'Choose a catalog' "step 1 browses the catalogs"
ui_expect '▸ lake' "the catalog is listed"
ui_keys Enter
ui_expect 'Choose a schema in lake' "Enter goes into the catalog"
ui_expect '▸ sales' "its schemas are listed"
ui_keys Enter
ui_expect 'Choose a table in lake\.app' "and into the schema"
ui_keys /
ui_type ev
ui_expect 'Search: ev' "/ searches"
ui_expect_gone ' audit' "the search narrows the list"
ui_keys Enter Enter
ui_expect 'Source: lake\.app\.events' "Enter picks the table"
ui_expect 'Change Data Feed is on' "step 2 shows the CDF state"
ui_expect 'id +long +bigint' "and the columns with their PostgreSQL types"
ui_keys Enter
ui_expect 'Table name +lake\.app\.events_synced' "the name defaults to <source>_synced"
ui_expect 'Sync mode +◂ TRIGGERED ▸ +changes only' "the mode shows its trade-off"
ui_expect 'Primary key +id +✔' "the primary key is auto-detected"
ui_type '-x'
ui_expect 'lake\.app\.events_synced-x.*letters, digits and underscores only' "the name is validated as you type"
ui_keys BSpace BSpace
ui_expect_gone 'letters, digits and underscores only' "and accepted once fixed"
ui_keys Enter
ui_expect 'Create this synced table\?' "Enter goes to the review"
ui_expect '"source_table_full_name": *"lake\.app\.events"' "the review shows the request"
ui_keys Enter
ui_expect 'lake\.app\.events_synced +(◌ PROVISIONING|↻ SYNCING|✔ ONLINE)' "the new row appears on the dashboard"
ok=1
for _ in $(seq 100); do [ "$(psql -XAtqc "select count(*) from app.events_synced" 2>/dev/null)" = 10 ] && { ok=0; break; }; sleep 0.2; done
tap_result "$ok" "its rows arrive in PostgreSQL"
ui_expect 'lake\.app\.events_synced +✔ ONLINE +TRIGGERED .* 0/0 ' "and it is ONLINE at version 0"

# --- Change Data Feed off -----------------------------------------------------------------------
ui_keys n Enter Down Enter
ui_expect 'Choose a table in lake\.sales' "second schema"
ui_keys Enter
ui_expect 'Change Data Feed is OFF for this table' "a table without CDF gets a warning"
ui_expect 'ALTER TABLE lake\.sales\.no_cdf SET TBLPROPERTIES \(delta\.enableChangeDataFeed = true\)' "with the exact command that enables it"
ui_expect 's use SNAPSHOT +r re-check' "and the offer of SNAPSHOT or a re-check"
ui_keys r
ui_expect 'Change Data Feed is OFF for this table' "a re-check still finds it off"
ui_keys s
ui_expect 'Sync mode +◂ SNAPSHOT ▸' "s continues in SNAPSHOT mode"
ui_expect 'Primary key +order_id' "the key is detected from <x>_id"
ui_keys Down Down Right
ui_expect 'TRIGGERED ▸ +✖ needs Change Data Feed' "TRIGGERED is refused without CDF"
ui_keys Escape
cat >"$LAKESYNC_CATALOG/lake/sales/no_cdf/_delta_log/00000000000000000001.json" <<'EOF'
{"commitInfo":{"timestamp":1700000001000,"operation":"SET TBLPROPERTIES"}}
{"metaData":{"id":"00000000-0000-0000-0000-000000000001","format":{"provider":"parquet","options":{}},"schemaString":"{\"type\":\"struct\",\"fields\":[{\"name\":\"order_id\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}},{\"name\":\"note\",\"type\":\"string\",\"nullable\":true,\"metadata\":{}}]}","partitionColumns":[],"configuration":{"delta.enableChangeDataFeed":"true"},"createdTime":1700000000000}}
EOF
ui_keys r
ui_expect 'Change Data Feed is on' "after ALTER TABLE a re-check finds it on"
ui_keys Escape Escape Escape Escape
ui_expect 'NAME +STATE' "Esc walks back out of the wizard"

# --- unsupported columns --------------------------------------------------------------------------
ui_keys n Enter Down Enter
ui_keys /
ui_type odd
ui_keys Enter Enter
ui_expect 'v +variant +✖ UNSUPPORTED' "a column without a PostgreSQL type is called out"
ui_keys Enter
ui_expect '1 column\(s\) have no PostgreSQL type' "and the form says the create would be refused"
ui_keys Escape Escape Escape Escape Escape Escape
ui_expect 'NAME +STATE' "back on the dashboard"

# --- a big table: PROVISIONING with progress -------------------------------------------------------
big=$LAKESYNC_TESTDATA/bench/users_1m
if [ -d "$big/_delta_log" ]; then
	mkdir -p "$LAKESYNC_CATALOG/bench/big"
	ln -s "$big" "$LAKESYNC_CATALOG/bench/big/users"
	ui_keys n
	ui_expect '▸ bench' "the bench catalog is listed"
	ui_keys Enter Enter Enter
	ui_expect 'Change Data Feed is on' "users_1m: CDF on"
	ui_keys Enter
	ui_expect 'Primary key +user_id' "user_id is detected as the key"
	ui_keys Enter Enter
	ui_expect 'bench\.big\.users_synced +◌ PROVISIONING' "the new row shows PROVISIONING" 60
	ui_expect 'bench\.big\.users_synced +✔ ONLINE +TRIGGERED .* 1/1 +990\.0k ' "then ONLINE with its 990,000 rows" 120
else
	tap_result 0 "# SKIP users_1m not found"
	tap_result 0 "# SKIP users_1m not found"
fi
ui_keys q
tap_is "$(ui_exit_status 60)" 0 "the console exits cleanly"
tap_done
