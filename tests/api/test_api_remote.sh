#!/usr/bin/env bash
# tests/api/test_api_remote.sh: the CLI's remote mode (--host/--token, $LAKESYNC_HOST and
# $LAKESYNC_TOKEN): every `lakesync database` verb and `lakesync sync` through a running
# `lakesync serve` prints what the same verb prints in-process, on stdout and stderr, with
# the same exit status; plus the errors only remote mode has (unreachable host, bad token),
# and the config's `remotes` profiles chosen with --remote or $LAKESYNC_REMOTE.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
engine_test_begin
. "$top_srcdir/tests/api/lib.sh"
mkdir -p "$work/written" && "$FIXTURE" kitchen "$work/written/kitchen" || exit 1
stage_table "$work/written/kitchen" "$LAKESYNC_CATALOG/lake/fx/kitchen" 1
unset LAKESYNC_REMOTE LAKESYNC_CA_FILE
export LAKESYNC_API_TOKEN=remote-$RANDOM-$RANDOM
TOKEN=$LAKESYNC_API_TOKEN
api_start || { tap_result 1 "the daemon starts"; tap_done; }

# run WHERE ARGS...: the CLI in-process (WHERE=local) or through the daemon (remote);
# sets $out, $err and $rc.
run() {
	local where=$1
	shift
	if [ "$where" = remote ]; then
		set -- --host "$HOST" --token "$TOKEN" "$@"
	fi
	out=$("$LK" "$@" 2>"$work/stderr")
	rc=$?
	err=$(cat "$work/stderr")
}
# same TEST-NAME ARGS...: local and remote runs print the same and exit the same.
same() {
	local name=$1 lout lerr lrc
	shift
	run local "$@"
	lout=$out lerr=$err lrc=$rc
	run remote "$@"
	tap_is "$rc|$out|$err" "$lrc|$lout|$lerr" "$name"
}
# norm NAME: the output with the table's name, pipeline id and timestamps made neutral, so
# that what two tables print can be compared.
norm() {
	sed -E -e "s/$1/NAME/g" -e 's/"pipeline_id":[[:space:]]*"[^"]*"/"pipeline_id":"P"/' \
		-e 's/"[0-9]{4}-[0-9]{2}-[0-9]{2}T[^"]*"/"TS"/g'
}
spec() { printf '"spec":{"source_table_full_name":"lake.fx.kitchen","primary_key_columns":["id"],"scheduling_policy":"%s"}' "$1"; }

# --- create: one table in-process, one through the daemon --------------------------------
run local database create-synced-database-table --json "{\"name\":\"lake.fx.local_synced\",$(spec TRIGGERED)}"
lout=$(printf '%s' "$out" | norm lake.fx.local_synced) lrc=$rc
run remote database create-synced-database-table --json "{\"name\":\"lake.fx.remote_synced\",$(spec TRIGGERED)}"
tap_is "$rc" "$lrc" "create: same exit status"
tap_is "$(printf '%s' "$out" | norm lake.fx.remote_synced)" "$lout" "create: same output"
tap_like "$out" '"detailed_state":[[:space:]]*"SYNCED_TABLE_PROVISIONING"' "create: the daemon stored it"

same "duplicate create" database create-synced-database-table --json "{\"name\":\"lake.fx.local_synced\",$(spec TRIGGERED)}"
tap_like "$err" "^lakesync: synced table lake.fx.local_synced already exists$" "duplicate create: the message"
same "malformed JSON" database create-synced-database-table --json '{"name": oops}'
same "a bad name" database create-synced-database-table --json "{\"name\":\"lake.fx-x.t\",$(spec SNAPSHOT)}"
same "a missing source" database create-synced-database-table --json '{"name":"lake.fx.m_synced","spec":{"source_table_full_name":"lake.fx.missing","primary_key_columns":["id"],"scheduling_policy":"SNAPSHOT"}}'
same "an unknown key column" database create-synced-database-table --json '{"name":"lake.fx.k_synced","spec":{"source_table_full_name":"lake.fx.kitchen","primary_key_columns":["nope"],"scheduling_policy":"SNAPSHOT"}}'
same "a missing --json" database create-synced-database-table

# --- get, list ------------------------------------------------------------------------------
wait_for_state lake.fx.local_synced '^SYNCED_TABLE_ONLINE'
wait_for_state lake.fx.remote_synced '^SYNCED_TABLE_ONLINE'
same "get" database get-synced-database-table lake.fx.remote_synced
tap_like "$out" '"delta_commit_version":[[:space:]]*1' "get: the daemon's engine loaded it"
same "get of an unknown table" database get-synced-database-table lake.fx.nothing
tap_is "$err" "lakesync: synced table lake.fx.nothing does not exist" "get of an unknown table: the message"
same "list" database list-synced-database-tables
same "list of an instance" database list-synced-database-tables default
same "list of an unknown instance" database list-synced-database-tables prod
same "a page" database list-synced-database-tables default --page-size 1
same "the next page" database list-synced-database-tables default --page-size 1 --page-token lake.fx.local_synced

# --- update -----------------------------------------------------------------------------------
run local database update-synced-database-table lake.fx.local_synced spec.schedule --json '{"spec":{"schedule":"1h"}}'
lout=$(printf '%s' "$out" | norm lake.fx.local_synced) lrc=$rc
run remote database update-synced-database-table lake.fx.remote_synced spec.schedule --json '{"spec":{"schedule":"1h"}}'
tap_is "$rc|$(printf '%s' "$out" | norm lake.fx.remote_synced)" "$lrc|$lout" "update: same output"
tap_like "$out" '"schedule":[[:space:]]*"1h"' "update: applied by the daemon"
same "update of an immutable field" database update-synced-database-table lake.fx.remote_synced spec.source_table_full_name --json '{"spec":{}}'

# --- sync -------------------------------------------------------------------------------------
stage_commits "$work/written/kitchen" "$LAKESYNC_CATALOG/lake/fx/kitchen" 4
run local sync lake.fx.local_synced --wait
lout=$(printf '%s' "$out" | norm lake.fx.local_synced) lrc=$rc
run remote sync lake.fx.remote_synced --wait
tap_is "$rc|$(printf '%s' "$out" | norm lake.fx.remote_synced)" "$lrc|$lout" "sync --wait: same output"
tap_is "$out" "lake.fx.remote_synced: at version 4 (incremental: 200 inserted, 100 updated, 50 deleted)" \
	"sync --wait: the incremental run's counts"
run local sync lake.fx.local_synced --full-refresh --wait
lout=$(printf '%s' "$out" | norm lake.fx.local_synced) lrc=$rc
run remote sync lake.fx.remote_synced --full-refresh --wait
tap_is "$rc|$(printf '%s' "$out" | norm lake.fx.remote_synced)" "$lrc|$lout" "sync --full-refresh --wait: same output"
tap_like "$out" "at version 4 \(full load" "sync --full-refresh: a full load"
run remote sync lake.fx.nothing --wait
tap_is "$rc|$err" "1|lakesync: synced table lake.fx.nothing does not exist" "sync of an unknown table fails with its name"
run remote sync lake.fx.remote_synced
tap_like "$rc|$out" "^0\|lake.fx.remote_synced: update [0-9]+ of pipeline [0-9a-f-]{36} started on $HOST$" \
	"sync without --wait says which update started"

# --- remote-only errors, the environment ------------------------------------------------------
out=$("$LK" --host "$HOST" --token wrong database get-synced-database-table lake.fx.remote_synced 2>&1)
tap_is "$?|$out" "1|lakesync: invalid access token" "a wrong token fails with the server's message"
out=$("$LK" --host "$HOST" database get-synced-database-table lake.fx.remote_synced 2>&1)
tap_like "$?|$out" "^1\|lakesync: missing Authorization header" "no token fails too"
out=$("$LK" --host "http://127.0.0.1:$(api_free_port)" --token x database get-synced-database-table lake.fx.remote_synced 2>&1)
tap_like "$?|$out" "^1\|lakesync: cannot reach the lakesync API at http://127.0.0.1:[0-9]+: " "an unreachable daemon is named"
out=$("$LK" --host ftp://x database get-synced-database-table lake.fx.remote_synced 2>&1)
tap_like "$?|$out" "^1\|lakesync: --host 'ftp://x': expected http" "a host that is not http(s) is refused"
out=$(LAKESYNC_HOST=$HOST LAKESYNC_TOKEN=$TOKEN "$LK" database get-synced-database-table lake.fx.remote_synced 2>&1)
tap_like "$?|$out" '^0\|\{' "\$LAKESYNC_HOST and \$LAKESYNC_TOKEN select remote mode"

# --- remote profiles: remotes = { NAME = { host; token; }; } in the config -------------------
cat >"$work/remotes.conf" <<CONF
remotes = {
  p = { host = "$HOST"; token = "$TOKEN"; };
  wrong = { host = "$HOST"; token = "not-the-token"; };
};
CONF
printf 'catalog = "%s";\n' "$LAKESYNC_CATALOG" >"$work/no-remotes.conf"
# profile ARGS...: the CLI with the profiles' config file and no way to PostgreSQL (so that
# only remote mode can answer); sets $out (stdout and stderr) and $rc.
profile() {
	out=$(PGHOST=$work/no-pg "$LK" --config "$work/remotes.conf" "$@" 2>&1)
	rc=$?
}
listed='^0\|\[.*"name":[[:space:]]*"lake.fx.remote_synced"'
profile --remote p database list-synced-database-tables
tap_like "$rc|$(printf '%s' "$out" | tr -d '\n')" "$listed" "--remote p lists the daemon's tables"
LAKESYNC_REMOTE=p profile database list-synced-database-tables
tap_like "$rc|$(printf '%s' "$out" | tr -d '\n')" "$listed" "\$LAKESYNC_REMOTE=p does the same"
out=$(PGHOST=$work/no-pg LAKESYNC_CONFIG=$work/remotes.conf LAKESYNC_REMOTE=p "$LK" database get-synced-database-table lake.fx.remote_synced 2>&1)
tap_like "$?|$out" '^0\|\{' "the profile is found through \$LAKESYNC_CONFIG too"
LAKESYNC_HOST=http://127.0.0.1:1 LAKESYNC_TOKEN=x profile --remote p database list-synced-database-tables
tap_like "$rc|$out" '^0\|\[' "the profile wins over \$LAKESYNC_HOST and \$LAKESYNC_TOKEN"
LAKESYNC_REMOTE=wrong profile --remote p database list-synced-database-tables
tap_like "$rc|$out" '^0\|\[' "--remote wins over \$LAKESYNC_REMOTE"
dead=http://127.0.0.1:$(api_free_port)
profile --remote p --host "$dead" database list-synced-database-tables
tap_like "$rc|$out" "^1\|lakesync: cannot reach the lakesync API at $dead: " "--host wins over the profile"
profile --remote p --token wrong database list-synced-database-tables
tap_is "$rc|$out" "1|lakesync: invalid access token" "--token wins over the profile"
profile --remote wrong database get-synced-database-table lake.fx.remote_synced
tap_is "$rc|$out" "1|lakesync: invalid access token" "a profile with a wrong token gets the daemon's 403"
profile --remote staging database list-synced-database-tables
tap_is "$rc|$out" "1|lakesync: remote profile 'staging' is not defined in $work/remotes.conf (its remotes: p, wrong)" \
	"an unknown profile fails, naming it, the file and the profiles it has"
LAKESYNC_REMOTE=staging profile sync lake.fx.remote_synced
tap_like "$rc|$out" "^1\|lakesync: remote profile 'staging' is not defined in " "an unknown \$LAKESYNC_REMOTE fails too"
out=$("$LK" --config "$work/no-remotes.conf" --remote p database list-synced-database-tables 2>&1)
tap_is "$?|$out" "1|lakesync: remote profile 'p' is not defined: $work/no-remotes.conf has no remotes" \
	"a config without remotes says so"
profile --remote staging version
tap_like "$rc|$out" '^0\|lakesync ' "commands that never act remotely ignore --remote"

# --- delete -----------------------------------------------------------------------------------
same "delete of an unknown table" database delete-synced-database-table lake.fx.nothing
run local database delete-synced-database-table lake.fx.local_synced --purge-data
lout="$rc|$out|$err"
run remote database delete-synced-database-table lake.fx.remote_synced --purge-data
tap_is "$rc|$out|$err" "$lout" "delete --purge-data: same output"
tap_is "$(psql -XAtqc "select count(*) from lakesync.synced_tables")" 0 "both tables are gone"
tap_is "$(psql -XAtqc "select count(*) from pg_tables where schemaname = 'fx'")" 0 "and purged"

api_stop
tap_is "$api_stop_status" 0 "the daemon stops cleanly"
tap_done
