#!/usr/bin/env bash
# tests/demo/test_demo_sync.sh: the engine syncs the sample lakehouse: `demo init`, a
# CONTINUOUS synced table on user_profiles and a TRIGGERED one on daily_revenue (composite
# key date, region), `lakesync run` loads both by itself; `demo stream` commits, the
# CONTINUOUS table follows with no request (including the stream's new column), and Sync
# now brings the TRIGGERED one up. Every count is compared with what `inspect delta` reads.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
engine_test_begin
pg_on_exit '[ -n "${engine:-}" ] && kill $engine 2>/dev/null; wait 2>/dev/null'
lake=$LAKESYNC_CATALOG
up=analytics.gold.user_profiles_synced
rev=analytics.kpi.daily_revenue_synced

delta_rows() { "$LK" inspect delta "$lake/$1" | wc -l | tr -d ' '; }
pg() { psql -XAtqc "$1"; }

tap_ok "demo init writes the lakehouse into the catalog" "$LK" demo init "$lake"
tap_ok "a CONTINUOUS synced table on user_profiles" \
	create_synced "$up" analytics.gold.user_profiles user_id CONTINUOUS
tap_ok "a TRIGGERED synced table on daily_revenue, key (date, region)" \
	"$LK" database create-synced-database-table --json "{\"name\":\"$rev\",\"spec\":{
  \"source_table_full_name\":\"analytics.kpi.daily_revenue\",
  \"primary_key_columns\":[\"date\",\"region\"],\"scheduling_policy\":\"TRIGGERED\"}}"

"$LK" --log-file "$work/engine.log" run &
engine=$!
tap_ok "the engine loads user_profiles (version 11)" wait_version "$up" 11 120
tap_ok "and daily_revenue (version 13)" wait_version "$rev" 13 120
tap_is "$(pg "select count(*) from gold.user_profiles_synced")" "$(delta_rows analytics/gold/user_profiles)" \
	"PostgreSQL holds every user_profiles row"
tap_is "$(pg "select count(*) from kpi.daily_revenue_synced")" "$(delta_rows analytics/kpi/daily_revenue)" \
	"PostgreSQL holds every daily_revenue row"
tap_is "$(pg "select count(*) from kpi.daily_revenue_synced where date = '2026-09-01'")" 5 \
	"a day has its five regions"
tap_like "$(pg "select tags::text, address->>'city' from gold.user_profiles_synced where user_id = 1")" \
	'^\[.*\]\|' "nested values arrive as JSON"

out=$("$LK" demo stream "$lake" --count 6 --rate 4)
tap_is "$?" 0 "demo stream --count 6"
tap_diag "$out"
tap_ok "the CONTINUOUS table follows the stream by itself (version 14)" wait_version "$up" 14 60
tap_is "$(pg "select count(*) from gold.user_profiles_synced")" "$(delta_rows analytics/gold/user_profiles)" \
	"PostgreSQL has the streamed inserts and deletes"
max=$("$LK" inspect delta "$lake/analytics/gold/user_profiles" | sed -n 's/^{"user_id":\([0-9]*\),.*/\1/p' | sort -n | tail -n 1)
tap_is "$(pg "select max(user_id) from gold.user_profiles_synced")" "$max" "the newest user ($max) is there"
tiers=$("$LK" inspect delta "$lake/analytics/gold/user_profiles" | grep -c '"loyalty_tier":"')
tap_is "$(pg "select count(loyalty_tier) from gold.user_profiles_synced")" "$tiers" \
	"the stream's new column reached PostgreSQL with its $tiers values"
post=$("$LK" inspect delta "$lake/analytics/gold/user_profiles" --changes 12..12 | grep update_postimage | head -n 1)
id=$(printf '%s' "$post" | sed -n 's/^{"user_id":\([0-9]*\),.*/\1/p')
ts=$(printf '%s' "$post" | sed -n 's/.*"last_login":"\([^"]*\)".*/\1/p')
tap_is "$(pg "select count(*) from gold.user_profiles_synced where user_id = ${id:-0} and last_login = '${ts:-epoch}'")" 1 \
	"an update of version 12 (user ${id:-?}, last_login $ts) is applied"

tap_is "$(synced_version "$rev")" 13 "the TRIGGERED table waits"
tap_ok "until Sync now" "$LK" sync "$rev" --wait
tap_is "$(synced_version "$rev")" 14 "and then is at version 14"
tap_is "$(pg "select count(*) from kpi.daily_revenue_synced")" "$(delta_rows analytics/kpi/daily_revenue)" \
	"with the new day and the restated rows"

kill -TERM $engine
wait $engine
tap_is "$?" 0 "the engine stops on SIGTERM"
engine=
tap_done
