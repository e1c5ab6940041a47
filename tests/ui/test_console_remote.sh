#!/usr/bin/env bash
# tests/ui/test_console_remote.sh: the console in remote mode (`lakesync --host URL --token T
# console`) against a `lakesync serve` daemon, with real Delta tables (cdf-table-simple:
# 10 rows at version 0, all deleted at version 1). The remote console draws the same
# dashboard rows as an in-process one on the same registry; Sync now, the detail view's
# runs and events, and the create wizard (its catalog, preview and database instances are
# the daemon's: the remote console's own catalog is empty) all go through the API; a wrong
# token and a stopped daemon show as DISCONNECTED with the daemon's words.
set -u
. "$top_srcdir/tests/ui/lib.sh"
ui_setup
. "$top_srcdir/tests/api/lib.sh"
src=$LAKESYNC_TESTDATA/delta/cdf-table-simple
[ -d "$src/_delta_log" ] || tap_skip_all "test data $src not found"

stage_table "$src" "$LAKESYNC_CATALOG/lake/app/events" 0
stage_table "$src" "$LAKESYNC_CATALOG/lake/app/orders" 0
stage_table "$src" "$LAKESYNC_CATALOG/lake/shop/items" 0
create_synced lake.app.events_synced lake.app.events id TRIGGERED >/dev/null
create_synced lake.app.orders_synced lake.app.orders id TRIGGERED >/dev/null
"$LK" sync lake.app.events_synced >/dev/null
"$LK" sync lake.app.orders_synced >/dev/null
psql -XAtqc "analyze app.events_synced; analyze app.orders_synced"
stage_commits "$src" "$LAKESYNC_CATALOG/lake/app/orders" 1   # orders lags by one version

export LAKESYNC_API_TOKEN=t0ken-$RANDOM-$RANDOM
TOKEN=$LAKESYNC_API_TOKEN
api_start || { tap_result 1 "the daemon starts"; tap_done; }
# The consoles see one clock, pinned after the syncs above.
export LAKESYNC_FIXED_NOW
LAKESYNC_FIXED_NOW=$(date -u -d '+65 minutes' +%Y-%m-%dT%H:%M:%SZ)
# What the console shows above its status line (which says where the data comes from)
# and its footer.
screen_body() { ui_screen | head -n -2; }
# body_after REGEX: waits for REGEX, lets one more refresh land, prints the body.
body_after() { ui_wait "$1" && sleep 1.2 && screen_body; }

# --- the same screens -------------------------------------------------------------------------
# The dashboard, and the orders table's runs and log, in-process and then remote.
ui_start 140 30 --no-engine
ui_expect 'lake\.app\.orders_synced +✔ ONLINE +TRIGGERED +1h ago +0/1 -1' "in-process: the dashboard with its lag"
ui_expect 'engine: none here' "in-process without an engine"
local_dash=$(body_after 'orders_synced')
ui_keys g Down Enter 2
local_runs=$(body_after 'full +')
ui_keys 4
local_log=$(body_after 'synced to version 0')
tap_is "$(printf '%s\n' "$local_dash" | grep -Ec '^lake\.app\.(events|orders)_synced ')" 2 "in-process: both rows captured"
tap_like "$local_runs" 'full +.*succeeded' "in-process: the runs tab captured"
tap_like "$local_log" 'info +synced to version 0' "in-process: the log captured"
ui_keys q
ui_exit_status >/dev/null

remote_console() {
	ui_start_argv 140 30 --host "$HOST" --token "$1" console
}
LAKESYNC_CATALOG=$work/empty-catalog remote_console "$TOKEN"
ui_expect 'lake\.app\.orders_synced +✔ ONLINE +TRIGGERED +1h ago +0/1 -1' "remote: the dashboard with its lag"
ui_expect "CONNECTED .*remote: http://127\.0\.0\.1:$API_PORT" "the status line names the daemon"
tap_unlike "$(ui_screen)" 'engine: none' "the daemon's engine counts as running"
remote_dash=$(body_after 'orders_synced')
tap_is "$remote_dash" "$local_dash" "the remote dashboard is the in-process one"
tap_like "$remote_dash" 'lake\.app\.events_synced .* 10 +default/main/postgres' "including the target's row count and where it lives"
ui_keys g Down Enter 2
tap_is "$(body_after 'full +')" "$local_runs" "the runs of a table, remote and in-process alike"
ui_keys 4
tap_is "$(body_after 'synced to version 0')" "$local_log" "and its log"
ui_keys Escape

# --- Sync now through the daemon --------------------------------------------------------------
ui_expect '^lake\.app\.orders_synced' "back on the dashboard, orders selected"
ui_keys s
ui_expect 'Sync now: lake\.app\.orders_synced started \(update [0-9a-f-]+\)' "s starts an update through the API"
# (the daemon's clock is not pinned: its sync reads as an hour ago on the consoles' clock)
ui_expect 'lake\.app\.orders_synced +✔ ONLINE +TRIGGERED .* 1/1 +0 ' "the version and row columns move"
tap_is "$(psql -XAtqc 'select count(*) from app.orders_synced')" 0 "the delete of version 1 reached PostgreSQL"
ui_keys Enter 2
ui_expect 'incremental' "the runs tab lists the new incremental run"
ui_keys 4
ui_expect 'synced to version 1' "and the log its event"
ui_keys Escape

# --- the wizard: the daemon's catalog, preview and instances ------------------------------------------
ui_keys n
ui_expect 'Choose a catalog' "n opens the wizard"
ui_expect '▸ lake' "the daemon's catalog is listed (the console's own is empty)"
ui_keys Enter
ui_expect '▸ shop' "its schemas"
ui_keys Down Enter
ui_expect 'Choose a table in lake\.shop' "and its tables"
ui_keys Enter
ui_expect 'Source: lake\.shop\.items' "Enter picks the table"
ui_expect 'id +long +bigint' "the preview comes from the daemon"
ui_keys Enter
ui_expect 'Project +◂ default ▸' "the project is one of the daemon's instances"
ui_expect 'Branch +◂ main ▸' "with its branch"
ui_keys Enter
ui_expect 'Create this synced table\?' "the review"
ui_keys Enter
ui_expect 'lake\.shop\.items_synced +(◌ PROVISIONING|↻ SYNCING|✔ ONLINE)' "the created table appears"
ui_expect 'lake\.shop\.items_synced +✔ ONLINE .* 0/0 ' "and the daemon's engine loads it"
tap_is "$(psql -XAtqc 'select count(*) from shop.items_synced')" 10 "its rows reached PostgreSQL"
ui_keys q
ui_exit_status >/dev/null

# --- a remote profile from the config -----------------------------------------------------------
printf 'remotes = { here = { host = "%s"; token = "%s"; }; };\n' "$HOST" "$TOKEN" >"$work/remote.conf"
ui_start_argv 140 30 --config "$work/remote.conf" --remote here console
ui_expect "CONNECTED .*remote: http://127\\.0\\.0\\.1:$API_PORT" "--remote NAME opens the console on the profile's daemon"
ui_expect 'lake\.shop\.items_synced +✔ ONLINE' "with its tables"
ui_keys q
ui_exit_status >/dev/null

# --- a wrong token; a stopped daemon ------------------------------------------------------------
remote_console wrong-token
ui_expect 'DISCONNECTED' "a wrong token shows as DISCONNECTED"
ui_expect 'token' "with the daemon's words"
ui_keys q
ui_exit_status >/dev/null
remote_console "$TOKEN"
ui_expect 'lake\.app\.events_synced' "connected again with the right token"
api_stop
ui_expect 'DISCONNECTED' "a stopped daemon shows as DISCONNECTED"
ui_expect 'lake\.app\.events_synced' "and the last rows stay on the screen"
ui_keys q
tap_is "$(ui_exit_status)" 0 "q quits"
tap_done
