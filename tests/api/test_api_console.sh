#!/usr/bin/env bash
# tests/api/test_api_console.sh: lakesync's console endpoints (/api/2.0/lakesync/..., doc/api.md)
# against a running `lakesync serve`: the dashboard (a synced table with its source's latest
# version, its PostgreSQL row count and what the engine does), a table's runs and events, the
# catalog's names, a source preview and the database instances (never a connection string),
# with every error path; and the same answers through the client (api/client.h), which
# tests/api/console_client parses and renders again: it must print what curl got, byte for
# byte, and fail with the server's own words.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
engine_test_begin
. "$top_srcdir/tests/api/lib.sh"
CLIENT=$top_builddir/tests/api/console_client
L=/api/2.0/lakesync
sql() { psql -XAtqc "$1"; }

log_table "$LAKESYNC_CATALOG/lake/sales/orders" "$(field id long),$(field note string)" \
	'"delta.enableChangeDataFeed":"true"'
mkdir -p "$work/written" && "$FIXTURE" kitchen "$work/written/kitchen" || exit 1
stage_table "$work/written/kitchen" "$LAKESYNC_CATALOG/lake/fx/kitchen" 1

# Connection strings with a host and a password (trust authentication ignores it): the
# instances endpoint must show none of them.
mkdir -p "$XDG_CONFIG_HOME/lakesync"
cat >"$XDG_CONFIG_HOME/lakesync/lakesync.conf" <<EOF
projects = (
  { name = "default";
    conninfo = "host=$PGHOST port=$PGPORT user=$PGUSER password=hunter2-default";
    database = "$PGDATABASE"; },
  { name = "prod";
    branches = (
      { name = "main"; conninfo = "postgresql://sync:pw-prod@db1.invalid:5432"; database = "app"; },
      { name = "dev"; conninfo = "host=db2.invalid user=sync password=s3cret-dev"; }
    ); }
);
EOF

export LAKESYNC_API_TOKEN=console-$RANDOM-$RANDOM
TOKEN=$LAKESYNC_API_TOKEN
api_start || { tap_result 1 "the daemon starts"; tap_done; }
tap_result 0 "the daemon starts"

# json_num BODY KEY: the first number of "KEY" in BODY.
json_num() {
	printf '%s' "$1" | grep -o "\"$2\":-\\?[0-9]*" | head -n 1 | cut -d: -f2
}
# count_of BODY KEY: how many times "KEY": occurs in BODY.
count_of() {
	printf '%s' "$1" | grep -o "\"$2\":" | wc -l | tr -d ' '
}
# client VERB [ARG [LIMIT]]: the client's line ($client_out) and exit status ($client_rc),
# with the token in $CLIENT_TOKEN (default $TOKEN).
client() {
	client_out=$("$CLIENT" "$HOST" "${CLIENT_TOKEN-$TOKEN}" "$@")
	client_rc=$?
}
# same_as_curl TEST-NAME PATH VERB [ARG [LIMIT]]: curl's answer and the client's line agree:
# the same JSON for a 200, the server's error code and message otherwise.
same_as_curl() {
	local name=$1 path=$2
	shift 2
	call GET "$path"
	client "$@"
	if [ "$status" = 200 ]; then
		tap_is "$client_rc|$client_out" "0|$body" "client: $name"
	else
		tap_is "$client_rc|$client_out" \
			"1|error $(json_field "$body" error_code): $(json_field "$body" message)" \
			"client: $name (HTTP $status)"
	fi
}

# --- a synced table, loaded ----------------------------------------------------------------
call POST /api/2.0/database/synced_tables --data '{"name":"lake.fx.kitchen_synced",
	"spec":{"source_table_full_name":"lake.fx.kitchen","primary_key_columns":["id"],
	"scheduling_policy":"TRIGGERED"}}'
tap_is "$status" 200 "create a synced table"
pipeline=$(json_field "$body" pipeline_id)
wait_for_state lake.fx.kitchen_synced '^SYNCED_TABLE_ONLINE'
tap_like "$(json_field "$body" detailed_state)" '^SYNCED_TABLE_ONLINE' "it comes ONLINE"

# --- runs ----------------------------------------------------------------------------------
call GET "$L/synced_tables/lake.fx.kitchen_synced/runs"
tap_is "$status" 200 "GET runs"
tap_like "$body" '^\{"runs":\[\{"run_id":[0-9]+,"kind":"FULL","start_time":"[0-9-]{10}T[0-9:]{8}\.[0-9]{6}Z","end_time":"[^"]*Z",' \
	"the initial run is FULL, with times to the microsecond"
tap_like "$body" '"to_version":1,"rows_inserted":2000,' "it loaded version 1, 2000 rows"
tap_like "$body" '"outcome":"SUCCEEDED"' "it SUCCEEDED"
tap_like "$body" '"engine":"[^"]+:[0-9]+"\}\]\}$' "it names the engine that ran it"
tap_is "$(count_of "$body" run_id)" 1 "one run so far"
same_as_curl "runs" "$L/synced_tables/lake.fx.kitchen_synced/runs" runs lake.fx.kitchen_synced

stage_commits "$work/written/kitchen" "$LAKESYNC_CATALOG/lake/fx/kitchen" 4
call POST "/api/2.0/pipelines/$pipeline/updates"
update=$(json_field "$body" update_id)
wait_for_update "$pipeline" "$update"
tap_like "$body" '"state":"COMPLETED"' "Sync now to version 4 completes"
call GET "$L/synced_tables/lake.fx.kitchen_synced/runs"
tap_is "$(count_of "$body" run_id)" 2 "two runs now"
tap_like "$body" '^\{"runs":\[\{"run_id":[0-9]+,"kind":"INCREMENTAL",[^}]*"from_version":1,"to_version":4,[^}]*"outcome":"SUCCEEDED"[^}]*\},\{"run_id":[0-9]+,"kind":"FULL"' \
	"newest first: the incremental run from 1 to 4, then the full load"
call GET "$L/synced_tables/lake.fx.kitchen_synced/runs?max_results=1"
tap_is "$(count_of "$body" run_id)" 1 "max_results=1: one run"
tap_like "$body" '"kind":"INCREMENTAL"' "the newest"
same_as_curl "runs with a limit" "$L/synced_tables/lake.fx.kitchen_synced/runs?max_results=1" \
	runs lake.fx.kitchen_synced 1

# --- events --------------------------------------------------------------------------------
call GET "$L/synced_tables/lake.fx.kitchen_synced/events"
tap_is "$status" 200 "GET events"
tap_like "$body" '^\{"events":\[\{"event_id":[0-9]+,"time":"[0-9-]{10}T[0-9:]{8}\.[0-9]{6}Z","level":"[a-z]+","message":"[^"]+"\}' \
	"events carry an id, a time, a level and a message"
n_events=$(count_of "$body" event_id)
tap_like "$n_events" '^[1-9][0-9]*$' "the table has events ($n_events)"
tap_is "$n_events" "$(sql "select count(*) from lakesync.events where name = 'lake.fx.kitchen_synced'")" \
	"as many as the registry holds"
first=$(json_num "$body" event_id)
tap_is "$first" "$(sql "select max(event_id) from lakesync.events where name = 'lake.fx.kitchen_synced'")" \
	"newest first"
call GET "$L/synced_tables/lake.fx.kitchen_synced/events?max_results=1"
tap_is "$(count_of "$body" event_id)|$(json_num "$body" event_id)" "1|$first" "max_results=1: the newest event"
same_as_curl "events" "$L/synced_tables/lake.fx.kitchen_synced/events" events lake.fx.kitchen_synced
same_as_curl "events with a limit" "$L/synced_tables/lake.fx.kitchen_synced/events?max_results=1" \
	events lake.fx.kitchen_synced 1

# --- the dashboard -------------------------------------------------------------------------
rows=$(sql "select count(*) from fx.kitchen_synced")
sql "analyze fx.kitchen_synced"
# dashboard_until REGEX: polls the dashboard (10 s at most) until its body matches.
dashboard_until() {
	local i
	for i in $(seq 1 50); do
		call GET "$L/dashboard"
		printf '%s' "$body" | grep -Eq -- "$1" && return 0
		sleep 0.2
	done
	return 1
}
dashboard_until "\"target_row_count\":$rows,\"engine\":\\{\"queued\":false,\"running\":false,"
tap_is "$status" 200 "GET dashboard"
tap_like "$body" '^\{"tables":\[\{"synced_table":\{"name":"lake.fx.kitchen_synced",' "it lists the synced table"
call GET /api/2.0/database/synced_tables/lake.fx.kitchen_synced
table=$body
call GET "$L/dashboard"
printf '%s' "$body" | grep -qF "{\"synced_table\":$table,"
tap_is "$?" 0 "its synced_table is the object GET synced_tables/{name} answers"
tap_is "$(json_num "$body" source_latest_version)" 4 "source_latest_version: the source's latest version"
count=$(json_num "$body" target_row_count)
tap_like "$count" '^[1-9][0-9]*$' "target_row_count is present and positive ($count)"
tap_is "$count" "$rows" "and after ANALYZE equals the table's row count"
tap_like "$body" '"engine":\{"queued":false,"running":false,"held_elsewhere":false,"consecutive_failures":0\}' \
	"the engine is idle with the table"
tap_like "$body" '\],"engine_running":true\}$' "engine_running: the daemon runs an engine"
same_as_curl "dashboard" "$L/dashboard" dashboard

# --- the catalog ---------------------------------------------------------------------------
call GET "$L/catalog?prefix="
tap_is "$status $body" '200 {"names":["lake"]}' "catalog prefix '': the catalogs"
call GET "$L/catalog"
tap_is "$status $body" '200 {"names":["lake"]}' "no prefix: the catalogs too"
call GET "$L/catalog?prefix=lake"
tap_is "$status $body" '200 {"names":["fx","sales"]}' "catalog prefix 'lake': its schemas"
call GET "$L/catalog?prefix=lake.fx"
tap_is "$status $body" '200 {"names":["kitchen"]}' "catalog prefix 'lake.fx': its tables"
same_as_curl "catalog ''" "$L/catalog?prefix=" catalog ""
same_as_curl "catalog 'lake'" "$L/catalog?prefix=lake" catalog lake
same_as_curl "catalog 'lake.fx'" "$L/catalog?prefix=lake.fx" catalog lake.fx
expect_error "an unknown catalog" 404 RESOURCE_DOES_NOT_EXIST "catalog 'nope' not found" \
	GET "$L/catalog?prefix=nope"
same_as_curl "an unknown catalog" "$L/catalog?prefix=nope" catalog nope
expect_error "an unknown schema" 404 RESOURCE_DOES_NOT_EXIST "schema 'lake.nope' not found" \
	GET "$L/catalog?prefix=lake.nope"
expect_error "a malformed prefix" 400 INVALID_PARAMETER_VALUE "'lake-x' is not a catalog" \
	GET "$L/catalog?prefix=lake-x"
same_as_curl "a prefix that needs escaping" "$L/catalog?prefix=a%20b%26c%3Dd" catalog "a b&c=d"

# --- a source preview ----------------------------------------------------------------------
call GET "$L/sources/lake.fx.kitchen/preview"
tap_is "$status" 200 "GET sources/{source}/preview"
tap_like "$body" "^\\{\"source_table_full_name\":\"lake.fx.kitchen\",\"storage_location\":\"$LAKESYNC_CATALOG/lake/fx/kitchen\",\"version\":4," \
	"the source, where it is and its latest version"
tap_like "$body" '"columns":\[\{"name":"id","source_type":"long","target_type":"bigint","nullable":true,"suggested_key":true\},\{"name":"name","source_type":"string","target_type":"text","nullable":true,"suggested_key":false\},\{"name":"amount","source_type":"decimal\(12,2\)","target_type":"numeric\(12,2\)"' \
	"the columns with their types, id suggested as the key"
tap_like "$body" '"unsupported_column_count":0,"partition_columns":\[\],"file_count":[1-9][0-9]*' \
	"no unsupported column, no partitions, its files"
tap_like "$body" '"enable_cdf_sql":"ALTER TABLE lake.fx.kitchen SET TBLPROPERTIES' "the ALTER TABLE that turns CDF on"
same_as_curl "preview" "$L/sources/lake.fx.kitchen/preview" preview lake.fx.kitchen
expect_error "preview of an unknown source" 404 RESOURCE_DOES_NOT_EXIST "lake.fx.missing" \
	GET "$L/sources/lake.fx.missing/preview"
same_as_curl "preview of an unknown source" "$L/sources/lake.fx.missing/preview" preview lake.fx.missing
expect_error "preview of a bad name" 400 INVALID_PARAMETER_VALUE "source table" \
	GET "$L/sources/not-a-name/preview"

# --- instances -----------------------------------------------------------------------------
call GET "$L/instances"
tap_is "$status $body" '200 {"instances":[{"name":"default","branches":[{"name":"main","default_database":"postgres"}]},{"name":"prod","branches":[{"name":"main","default_database":"app"},{"name":"dev"}]}]}' \
	"instances: every project with its branches and default databases"
tap_unlike "$body" 'host=|password|hunter2|s3cret|pw-prod|postgresql://|conninfo' "and never a connection string"
same_as_curl "instances" "$L/instances" instances

# --- errors --------------------------------------------------------------------------------
for path in "$L/dashboard" "$L/synced_tables/lake.fx.kitchen_synced/runs" \
	"$L/synced_tables/lake.fx.kitchen_synced/events" "$L/catalog?prefix=" \
	"$L/sources/lake.fx.kitchen/preview" "$L/instances"; do
	CALL=call_noauth expect_error "no token on ${path%%\?*}" 401 UNAUTHENTICATED "missing Authorization header" \
		GET "$path"
	CALL=call_noauth expect_error "a wrong token on ${path%%\?*}" 403 PERMISSION_DENIED "invalid access token" \
		GET "$path" -H "Authorization: Bearer ${TOKEN}x"
done
CLIENT_TOKEN= client dashboard
tap_is "$client_rc|$client_out" "1|error UNAUTHENTICATED: missing Authorization header: send 'Authorization: Bearer <token>'" \
	"client: no token reads as the server says"
CLIENT_TOKEN=${TOKEN}x client instances
tap_is "$client_rc|$client_out" "1|error UNAUTHENTICATED: invalid access token" "client: a wrong token too"

call GET /api/2.0/database/synced_tables/lake.fx.nothing
unknown_status=$status unknown_body=$body
call GET /api/2.0/database/synced_tables/not-a-name
badname_status=$status badname_body=$body
tap_is "$unknown_status" 404 "(GET synced_tables/{unknown} is a 404)"
for what in runs events; do
	call GET "$L/synced_tables/lake.fx.nothing/$what"
	tap_is "$status $body" "$unknown_status $unknown_body" "$what of an unknown table: as GET synced_tables answers"
	same_as_curl "$what of an unknown table" "$L/synced_tables/lake.fx.nothing/$what" "$what" lake.fx.nothing
	call GET "$L/synced_tables/not-a-name/$what"
	tap_is "$status $body" "$badname_status $badname_body" "$what of a bad name: as GET synced_tables answers"
	for bad in 0 abc 5000 -1 "" 1x; do
		expect_error "$what max_results='$bad'" 400 INVALID_PARAMETER_VALUE \
			"parameter 'max_results' must be a number from 1 to 1000, not '$bad'" \
			GET "$L/synced_tables/lake.fx.kitchen_synced/$what?max_results=$bad"
	done
	call GET "$L/synced_tables/lake.fx.kitchen_synced/$what?max_results=1000"
	tap_is "$status" 200 "$what max_results=1000 is allowed"
done
same_as_curl "runs with max_results=5000" "$L/synced_tables/lake.fx.kitchen_synced/runs?max_results=5000" \
	runs lake.fx.kitchen_synced 5000
expect_error "a wrong method" 405 METHOD_NOT_ALLOWED "POST is not allowed" POST "$L/dashboard"

# --- a daemon without a catalog ------------------------------------------------------------
api_stop
tap_is "$api_stop_status" 0 "the daemon stops cleanly"
unset LAKESYNC_CATALOG
api_start || { tap_result 1 "the daemon starts without a catalog"; tap_done; }
for path in "$L/catalog?prefix=" "$L/sources/lake.fx.kitchen/preview"; do
	expect_error "no catalog configured: ${path%%\?*}" 400 INVALID_PARAMETER_VALUE \
		'no catalog configured: set \$LAKESYNC_CATALOG or `catalog` in the daemon.s configuration' \
		GET "$path"
done
same_as_curl "no catalog configured" "$L/catalog?prefix=" catalog ""
call GET "$L/dashboard"
tap_like "$status $body" '^200 \{"tables":\[\{"synced_table":\{"name":"lake.fx.kitchen_synced".*"engine_running":true\}$' \
	"the dashboard still lists the table"
tap_unlike "$body" 'source_latest_version' "with its source's version unknown, hence left out"
api_stop
tap_is "$api_stop_status" 0 "and stops cleanly"

tap_done
