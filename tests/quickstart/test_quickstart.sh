#!/usr/bin/env bash
# tests/quickstart/test_quickstart.sh: the README's quickstart, non-interactively (the
# console replaced by checks of the engine): rows arrive in PostgreSQL for both synced
# tables, a streamed change is applied to the CONTINUOUS one, and `down` leaves no server,
# process or directory behind.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
work=$(mktemp -d)
chmod 0755 "$work"
export LAKESYNC_DEMO_DIR=$work/demo SKIP_DEPS=1 NO_CONSOLE=1 LAKESYNC DEMO_RATE=4
trap '"$top_srcdir/scripts/quickstart" down >/dev/null 2>&1; rm -rf "$work"' EXIT
unset LAKESYNC_CATALOG PGHOST PGPORT PGUSER PGDATABASE

tap_ok "quickstart up" "$top_srcdir/scripts/quickstart" up
export LAKESYNC_CONFIG=$work/demo/lakesync.conf
port=$(cat "$work/demo/pg/port")
sql() { psql -XAtq -h "$work/demo/pg" -p "$port" -U lakesync -d postgres -c "$1"; }
loaded() { [ -n "$(synced_version "$1")" ]; }
until_ok() { # until_ok SECONDS CMD...
	local i n=$(($1 * 10))
	shift
	for ((i = 0; i < n; i++)); do "$@" && return 0; sleep 0.1; done
	return 1
}
tap_ok "the CONTINUOUS table is loaded" until_ok 60 loaded analytics.gold.user_profiles_synced
tap_ok "the TRIGGERED table is loaded" until_ok 60 loaded analytics.kpi.daily_revenue_synced
tap_like "$(sql "select count(*) from gold.user_profiles_synced")" '^[1-9][0-9]{3}$' \
	"user profiles arrived in PostgreSQL"
tap_like "$(sql "select count(*) from kpi.daily_revenue_synced")" '^[1-9][0-9]+$' \
	"daily revenue arrived in PostgreSQL"
first=$(synced_version analytics.gold.user_profiles_synced)
moved() { [ "$(synced_version analytics.gold.user_profiles_synced)" -gt "$first" ]; }
tap_ok "a streamed change is applied to the CONTINUOUS table" until_ok 60 moved
tap_ok "status lists both tables" "$top_srcdir/scripts/quickstart" status
engine=$(cat "$work/demo/engine.pid")
postmaster=$(head -n 1 "$work/demo/pg/data/postmaster.pid")
tap_ok "quickstart down" "$top_srcdir/scripts/quickstart" down
gone() { ! kill -0 "$1" 2>/dev/null; }
tap_ok "the engine is gone" until_ok 10 gone "$engine"
tap_ok "the server is gone" until_ok 10 gone "$postmaster"
tap_ok "the directory is gone" test ! -e "$work/demo"
tap_done
