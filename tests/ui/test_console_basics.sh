#!/usr/bin/env bash
# tests/ui/test_console_basics.sh: the console as a user sees it in an 80x24..120x40 tmux
# pane: the dashboard (state word + glyph, header counts, status line), the help screen
# generated from the key table, filter, the detail tabs, resize and the "too small" screen,
# NO_COLOR and --no-color, the ASCII fallback, --readonly, --exit-after, and a restored
# terminal after q, SIGTERM, SIGINT and SIGHUP.
set -u
. "$top_srcdir/tests/ui/lib.sh"
ui_setup

log_table "$LAKESYNC_CATALOG/lake/sales/orders" "$(field id long),$(field amount 'decimal(12,2)'),$(field note string)" "$cdf"
log_table "$LAKESYNC_CATALOG/lake/sales/no_cdf" "$(field id long)" ""
create_synced lake.sales.orders_synced lake.sales.orders id TRIGGERED >/dev/null
create_synced lake.sales.nc_synced lake.sales.no_cdf id SNAPSHOT >/dev/null
"$LK" sync lake.sales.orders_synced >/dev/null
"$LK" sync lake.sales.nc_synced >/dev/null

# --- the dashboard ------------------------------------------------------------------------
ui_start 120 40
ui_expect 'lake\.sales\.orders_synced +✔ ONLINE +TRIGGERED' "a row shows name, state word with glyph, and mode"
ui_expect 'lake\.sales\.nc_synced +✔ ONLINE +SNAPSHOT' "every synced table has a row"
ui_expect '2 tables: ✔ 2 ONLINE 0 FAILED 0 OFFLINE' "the title counts the tables per state"
ui_expect 'NAME +STATE +MODE +LAST SYNC +VERSION +ROWS +TARGET +PROGRESS' "all columns at 120 columns"
ui_expect 'default/main/postgres' "the target is project/branch/database"
ui_expect ' CONNECTED +refreshed [0-9.]+s ago, every 1\.0s \| sort: name' "the status line shows connection, refresh age and sort"
ui_expect 'Enter Open +s Sync +S Full +d Delete +n New +/ Filter' "the footer comes from the key table"

ui_keys '?'
ui_expect 's +Sync now: run the table.s pipeline +:sync_now' "? shows help generated from the key table"
ui_expect 'Ctrl|\^L +Repaint the screen' "help lists every bound key"
ui_keys x
ui_expect_gone 'Repaint the screen' "any key leaves the help"

ui_keys /
ui_type nc_
ui_expect 'Filter: nc_' "/ opens the filter line"
ui_expect_gone 'orders_synced' "the filter narrows the rows as you type"
ui_keys Enter
ui_expect 'filter: nc_' "the filter shows in the status line"
ui_keys Escape
ui_expect 'lake\.sales\.orders_synced' "Esc clears the filter"

ui_keys o
ui_expect 'sort: state' "o sorts by the next column"
ui_keys o o o
ui_expect 'sort: name' "and comes back to name"

ui_keys j Enter
ui_expect 'lakesync console > lake\.sales\.orders_synced' "Enter opens the detail view of the selected row"
ui_expect '1 Overview +2 Runs +3 Schema +4 Log' "with its four tabs"
ui_expect 'Primary key +id' "Overview shows the configuration"
ui_expect 'Delta version +0, committed' "and the version of the last sync"
ui_keys 2
ui_expect 'full +- -> 0 .* succeeded' "Runs lists the run history"
ui_keys 3
ui_expect 'amount +decimal\(12,2\) +numeric\(12,2\)' "Schema maps source types to PostgreSQL types"
ui_keys 4
ui_expect 'info +synced to version 0' "Log shows the pipeline's events"
ui_keys Escape
ui_expect 'NAME +STATE' "Esc goes back to the dashboard"

# --- refresh controls ----------------------------------------------------------------------------
ui_keys Z
ui_expect ' PAUSED ' "Z pauses the live refresh"
ui_keys Z
ui_expect_gone ' PAUSED ' "and Z resumes it"
ui_keys +
ui_expect 'every 0\.5s' "+ refreshes more often"
ui_keys - -
ui_expect 'every 2\.0s' "- less often"
ui_keys +
ui_expect 'every 1\.0s' "back to 1 s"
ui_keys :
ui_type 'sort lag'
ui_keys Enter
ui_expect 'sort: lag' "the : command line runs commands"
ui_keys :
ui_type 'frobnicate'
ui_keys Enter
ui_expect "Unknown command 'frobnicate'" "and names an unknown one"
ui_keys :
ui_type 'sort name'
ui_keys Enter

# --- a run in progress, as the engine reports it in the status ----------------------------------
psql -XAtq -v ON_ERROR_STOP=1 -c "update lakesync.synced_tables set status = jsonb_set(status::jsonb, '{detailed_state}', '\"SYNCED_TABLE_PROVISIONING_INITIAL_SNAPSHOT\"')::jsonb || '{\"provisioning_status\":{\"initial_pipeline_sync_progress\":{\"sync_progress_completion\":0.42,\"synced_row_count\":420000,\"total_row_count\":1000000,\"estimated_completion_time_seconds\":7}}}'::jsonb where name = 'lake.sales.nc_synced'" >/dev/null
ui_expect 'lake\.sales\.nc_synced +◌ PROVISIONING .* 420\.0k .*█+░+ +42%' "a run in progress shows PROVISIONING, rows so far and a progress bar"
ui_expect '2 tables: ✔ 1 ONLINE ◌ 1 PROVISIONING' "the title counts it"
"$LK" sync lake.sales.nc_synced >/dev/null
ui_expect 'lake\.sales\.nc_synced +✔ ONLINE' "a finished run clears it"

# --- the backend stops answering: STALE ------------------------------------------------------------
server_pids="$LK_PG_PID $(pgrep -P "$LK_PG_PID" | tr '\n' ' ')"
kill -STOP $server_pids
pg_on_exit "kill -CONT $server_pids 2>/dev/null"
ui_expect ' STALE ' "when the database stops answering the status line turns STALE" 15
tap_like "$(ui_screen)" 'lake\.sales\.orders_synced' "the last rows stay on screen"
ui_keys '?'
ui_expect 'Repaint the screen' "and keys still work: the draw loop never waits on the database" 3
ui_keys x
kill -CONT $server_pids
ui_expect_gone ' STALE ' "once it answers again the badge goes"

# --- resize ---------------------------------------------------------------------------------
ui_tmux resize-window -x 80 -y 24
ui_expect '^NAME +STATE +LAST SYNC +VERSION +PROGRESS *$' "at 80x24 the least important columns are dropped"
ui_tmux resize-window -x 79 -y 24
ui_expect 'Terminal too small: 79x24' "below 80 columns: the too-small screen"
ui_tmux resize-window -x 100 -y 20
ui_expect 'Terminal too small: 100x20' "below 24 lines too"
ui_tmux resize-window -x 120 -y 40
ui_expect 'NAME +STATE +MODE +LAST SYNC +VERSION +ROWS +TARGET +PROGRESS' "back to full size: all columns again"

# --- quit restores the terminal --------------------------------------------------------------
ui_keys q
tap_is "$(ui_exit_status)" 0 "q quits with status 0"
tap_ok "the terminal is back on the normal screen" ui_alternate_screen_off

# --- colours ------------------------------------------------------------------------------------
has_colour() { ui_tmux capture-pane -p -e | grep -Eq $'\e\\[([0-9;]*;)?(3[0-7]|4[0-7]|38;5;[0-9]+|48;5;[0-9]+)(;[0-9;]*)?m'; }
ui_start 120 40
ui_expect 'ONLINE' "the console starts with colours"
tap_ok "the default theme uses colours" has_colour
ui_keys q
ui_exit_status >/dev/null
NO_COLOR=1 ui_start 120 40
ui_expect 'ONLINE' "NO_COLOR: the console starts"
tap_fails "NO_COLOR: no colour on screen" has_colour
ui_keys q
ui_exit_status >/dev/null
ui_start 120 40 --no-color
ui_expect '✔ ONLINE' "--no-color: the state keeps its word and glyph"
tap_fails "--no-color: no colour on screen" has_colour
ui_keys q
ui_exit_status >/dev/null
for theme in light monochrome high-contrast; do
	ui_start 120 40 --theme "$theme"
	ui_expect 'ONLINE' "--theme $theme loads"
	ui_keys q
	ui_exit_status >/dev/null
	tap_unlike "$(cat "$XDG_STATE_HOME/lakesync/console.log")" "theme '$theme'" "theme $theme: no warning in the log"
done

# --- ASCII outside UTF-8 locales ------------------------------------------------------------------
LANG=C LC_ALL=C ui_start 120 40
ui_expect 'lake\.sales\.orders_synced +\+ ONLINE' "in the C locale states use ASCII glyphs"
ui_keys q
ui_exit_status >/dev/null

# --- --readonly ---------------------------------------------------------------------------------------
ui_start 120 40 --readonly
ui_expect 'READ-ONLY' "--readonly shows the READ-ONLY badge"
ui_keys s
ui_expect 'Read-only console: sync_now is disabled' "s is refused"
ui_keys d
ui_expect 'Read-only console: delete is disabled' "d is refused"
tap_unlike "$(ui_screen)" 'Delete synced table' "no delete dialog opens"
ui_keys n
ui_expect 'Read-only console: new is disabled' "n is refused"
ui_keys '?'
ui_expect 'Sync now: run the table.s pipeline +\(read-only\)' "help marks the mutating actions"
ui_keys x q
tap_is "$(ui_exit_status)" 0 "the read-only console quits"

# --- keys from the config ------------------------------------------------------------------------------
printf 'console = { keys = { sync_now = "y"; help = [ "?", "F2" ]; }; };\n' >"$work/keys.conf"
LAKESYNC_CONFIG=$work/keys.conf ui_start 120 40
ui_expect 'ONLINE' "a config with console.keys"
ui_expect 'Enter Open +y Sync' "the footer shows the rebound key"
ui_keys '?'
ui_expect '^ +y +Sync now' "help shows the rebound key"
ui_expect '\?, F2 +This help' "and both keys of a list"
ui_keys x s
sleep 1
tap_unlike "$(ui_screen)" 'Sync now: ' "the old key no longer syncs"
ui_keys y
ui_expect 'Sync now: lake\.sales\.nc_synced' "the new one does"
ui_keys q
ui_exit_status >/dev/null
printf 'console = { keys = { sync_now = "Hyper-Q"; }; };\n' >"$work/bad.conf"
LAKESYNC_CONFIG=$work/bad.conf ui_start 120 40
tap_is "$(ui_exit_status)" 1 "an unknown key name stops the console before it starts"

# --- signals and --exit-after ----------------------------------------------------------------------------
for sig in TERM INT HUP; do
	ui_start 120 40
	ui_expect 'ONLINE' "SIG$sig: the console runs"
	kill -"$sig" "$(ui_console_pid)"
	tap_is "$(ui_exit_status)" 0 "SIG$sig: a clean exit"
	tap_ok "SIG$sig: the terminal is restored" ui_alternate_screen_off
done
if grep -q __asan_init "$LK"; then
	tap_result 0 "# SKIP a fatal signal in an ASan build is the sanitizer's"
	tap_result 0 "# SKIP a fatal signal in an ASan build is the sanitizer's"
else
	ui_start 120 40
	ui_expect 'ONLINE' "SIGSEGV: the console runs"
	kill -SEGV "$(ui_console_pid)"
	tap_is "$(ui_exit_status)" 139 "SIGSEGV: the console dies of it"
	tap_ok "SIGSEGV: but the terminal is restored first" ui_alternate_screen_off
fi
ui_start 120 40
ui_expect 'ONLINE' "Ctrl-C: the console runs"
ui_keys C-c
tap_is "$(ui_exit_status)" 0 "Ctrl-C quits cleanly"

ui_start 120 40 --exit-after 3 -d 2
tap_is "$(ui_exit_status)" 0 "--exit-after 3 stops by itself"

ui_start_shell 120 40
ui_expect 'lake\.sales\.orders_synced +✔ ONLINE' "Ctrl-Z: the console runs under a shell"
ui_keys C-z
ui_expect 'Stopped' "Ctrl-Z suspends it and the shell takes the terminal back"
tap_is "$(ui_process_state)" T "the console is stopped"
ui_type fg
ui_keys Enter
ui_expect 'lake\.sales\.orders_synced +✔ ONLINE' "fg brings the dashboard back"
ui_keys q
gone=1
for _ in $(seq 100); do [ -z "$(ui_console_pid)" ] && { gone=0; break; }; sleep 0.1; done
tap_result "$gone" "and q still quits"
tap_ok "with the terminal restored" ui_alternate_screen_off

ui_start_argv 120 40
ui_expect 'lake\.sales\.orders_synced +✔ ONLINE' "lakesync with no arguments on a terminal opens the console"
ui_keys q
tap_is "$(ui_exit_status)" 0 "and q quits it"

"$LK" console </dev/null >/dev/null 2>&1
tap_is "$?" 1 "without a terminal the console refuses to start"
"$LK" console --bogus >/dev/null 2>&1
tap_is "$?" 2 "an unknown option is a usage error"
tap_done
