#!/usr/bin/env bash
# tests/api/test_api_server.sh: `lakesync serve` against a throwaway PostgreSQL and small
# Delta tables (log-only ones and one written by tests/engine/fixture): the documented curl
# sequence (create, get until ONLINE, delete) with only host and token changed; every error
# path with its status and body, and that it stored nothing; PATCH with update_mask; paged
# lists; Sync now through /api/2.0/pipelines/{id}/updates; /healthz; /metrics; the start-up
# checks of the token rules; a clean stop on SIGTERM.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
engine_test_begin
. "$top_srcdir/tests/api/lib.sh"
sql() { psql -XAtqc "$1"; }
n_tables() { sql "select count(*) from lakesync.synced_tables"; }

log_table "$LAKESYNC_CATALOG/lake/sales/orders" "$(field id long),$(field note string)" \
	'"delta.enableChangeDataFeed":"true"'
mkdir -p "$work/written" && "$FIXTURE" kitchen "$work/written/kitchen" || exit 1
stage_table "$work/written/kitchen" "$LAKESYNC_CATALOG/lake/fx/kitchen" 1

# --- start-up rules -----------------------------------------------------------------------
unset LAKESYNC_API_TOKEN
out=$("$LK" serve --listen 127.0.0.1:1 2>&1)
tap_is "$?" 1 "with no token configured the daemon refuses to start"
tap_like "$out" "no API token configured" "and says how to configure one"
out=$("$LK" serve --listen 0.0.0.0:1 --insecure-no-auth 2>&1)
tap_is "$?" 1 "--insecure-no-auth is refused on a non-loopback address"
tap_like "$out" "only a loopback address may serve without a token" "and says why"
"$LK" serve --bogus >/dev/null 2>&1
tap_is "$?" 2 "an unknown serve option is a usage error"
if api_start --insecure-no-auth; then
	call_noauth GET /api/2.0/database/synced_tables
	tap_is "$status" 200 "--insecure-no-auth on loopback serves without a token"
	api_stop
fi

export LAKESYNC_API_TOKEN=t0ken-$RANDOM-$RANDOM
TOKEN=$LAKESYNC_API_TOKEN
api_start || { tap_result 1 "the daemon starts"; tap_done; }
tap_result 0 "the daemon starts with \$LAKESYNC_API_TOKEN on $HOST"
tap_like "$(cat "$work/serve.log")" "serving the API on http://127.0.0.1:$API_PORT" "it logs where it listens"

# --- the documented sequence: create, get until ONLINE, delete ------------------------------
out=$(curl -sS -X POST "$HOST/api/2.0/database/synced_tables" \
	-H "Authorization: Bearer $TOKEN" \
	-H "Content-Type: application/json" \
	--data '{
    "name": "lake.fx.kitchen_synced",
    "database_instance_name": "default",
    "logical_database_name": "postgres",
    "spec": {
      "source_table_full_name": "lake.fx.kitchen",
      "primary_key_columns": ["id"],
      "scheduling_policy": "TRIGGERED",
      "new_pipeline_spec": {"storage_catalog": "lake", "storage_schema": "fx"}
    }
  }')
tap_like "$out" '"name":"lake.fx.kitchen_synced"' "POST synced_tables returns the object"
tap_like "$out" '"detailed_state":"SYNCED_TABLE_PROVISIONING' "provisioning"
pipeline=$(json_field "$out" pipeline_id)
tap_like "$pipeline" '^[0-9a-f-]{36}$' "with a pipeline id"
wait_for_state lake.fx.kitchen_synced '^SYNCED_TABLE_ONLINE'
tap_like "$(json_field "$body" detailed_state)" '^SYNCED_TABLE_ONLINE' "GET until SYNCED_TABLE_ONLINE..."
tap_like "$body" '"delta_commit_version":1' "the initial load reached version 1"
tap_is "$(sql "select count(*) from fx.kitchen_synced")" 2000 "rows landed in PostgreSQL"
out=$(curl -sS -X DELETE "$HOST/api/2.0/database/synced_tables/lake.fx.kitchen_synced" \
	-H "Authorization: Bearer $TOKEN")
tap_is "$out" "{}" "DELETE returns {}"
call GET /api/2.0/database/synced_tables/lake.fx.kitchen_synced
tap_is "$status" 404 "and the table is gone"
tap_is "$(sql "select count(*) from fx.kitchen_synced")" 2000 "without purge_data the PostgreSQL table stays"

# --- create again (for the rest), duplicates and bad requests --------------------------------
# (The table above was deleted and is created again below at once: the engine tells the
# two apart by their pipeline ids.)
spec() { printf '"spec":{"source_table_full_name":"%s","primary_key_columns":["%s"],"scheduling_policy":"%s"}' "$1" "$2" "$3"; }
call POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.fx.kitchen_synced\",$(spec lake.fx.kitchen id TRIGGERED)}"
tap_is "$status" 200 "create again"
pipeline=$(json_field "$body" pipeline_id)
call POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.sales.orders_synced\",$(spec lake.sales.orders id TRIGGERED)}"
tap_is "$status" 200 "create a second table"
before=$(n_tables)
registry_before=$(sql "select string_agg(name || spec::text, ',' order by name) from lakesync.synced_tables")

expect_error "duplicate create" 409 ALREADY_EXISTS "synced table lake.fx.kitchen_synced already exists" \
	POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.fx.kitchen_synced\",$(spec lake.fx.kitchen id TRIGGERED)}"
expect_error "malformed JSON" 400 INVALID_PARAMETER_VALUE "malformed JSON near byte" \
	POST /api/2.0/database/synced_tables --data '{"name": oops}'
expect_error "empty body" 400 INVALID_PARAMETER_VALUE "the request body is empty" \
	POST /api/2.0/database/synced_tables
expect_error "a bad name" 400 INVALID_PARAMETER_VALUE "schema name must be letters, digits and underscores" \
	POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.sales-x.orders\",$(spec lake.sales.orders id SNAPSHOT)}"
expect_error "a two-part name" 400 INVALID_PARAMETER_VALUE "name" \
	POST /api/2.0/database/synced_tables --data "{\"name\":\"sales.orders\",$(spec lake.sales.orders id SNAPSHOT)}"
expect_error "a field of the wrong type" 400 INVALID_PARAMETER_VALUE "spec.primary_key_columns" \
	POST /api/2.0/database/synced_tables --data '{"name":"lake.sales.x_synced","spec":{"source_table_full_name":"lake.sales.orders","primary_key_columns":"id","scheduling_policy":"SNAPSHOT"}}'
expect_error "an unknown field" 400 INVALID_PARAMETER_VALUE "frobnicate" \
	POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.sales.y_synced\",\"frobnicate\":1,$(spec lake.sales.orders id SNAPSHOT)}"
expect_error "a missing source" 404 RESOURCE_DOES_NOT_EXIST "lake.sales.missing not found" \
	POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.sales.m_synced\",$(spec lake.sales.missing id SNAPSHOT)}"
expect_error "an unknown key column" 400 INVALID_PARAMETER_VALUE "primary key column 'nope'" \
	POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.sales.k_synced\",$(spec lake.sales.orders nope SNAPSHOT)}"
big=$work/big.json
{ printf '{"name":"lake.sales.big_synced","x":"'; head -c 1100000 /dev/zero | tr '\0' a; printf '"}'; } >"$big"
expect_error "an oversized body" 413 RESOURCE_LIMIT_EXCEEDED "exceeds 1048576 bytes" \
	POST /api/2.0/database/synced_tables --data-binary "@$big"
expect_error "an oversized chunked body" 413 RESOURCE_LIMIT_EXCEEDED "exceeds 1048576 bytes" \
	POST /api/2.0/database/synced_tables -H "Transfer-Encoding: chunked" --data-binary "@$big"
CALL=call_noauth expect_error "no token" 401 UNAUTHENTICATED "missing Authorization header" \
	POST /api/2.0/database/synced_tables --data "{\"name\":\"lake.sales.z_synced\",$(spec lake.sales.orders id SNAPSHOT)}"
CALL=call_noauth expect_error "a malformed Authorization header" 401 UNAUTHENTICATED "expected 'Bearer <token>'" \
	GET /api/2.0/database/synced_tables -H "Authorization: Basic $TOKEN"
CALL=call_noauth expect_error "a wrong token" 403 PERMISSION_DENIED "invalid access token" \
	DELETE /api/2.0/database/synced_tables/lake.fx.kitchen_synced -H "Authorization: Bearer ${TOKEN}x"
CALL=call_noauth expect_error "a token that is a prefix of the right one" 403 PERMISSION_DENIED "invalid access token" \
	GET /api/2.0/database/synced_tables -H "Authorization: Bearer ${TOKEN%?}"
expect_error "an unknown table" 404 RESOURCE_DOES_NOT_EXIST "synced table lake.sales.nothing does not exist" \
	GET /api/2.0/database/synced_tables/lake.sales.nothing
expect_error "delete of an unknown table" 404 RESOURCE_DOES_NOT_EXIST "lake.sales.nothing" \
	DELETE /api/2.0/database/synced_tables/lake.sales.nothing
expect_error "a bad name in the path" 400 INVALID_PARAMETER_VALUE "name" \
	GET /api/2.0/database/synced_tables/not-a-name
expect_error "purge_data not a boolean" 400 INVALID_PARAMETER_VALUE "purge_data" \
	DELETE "/api/2.0/database/synced_tables/lake.fx.kitchen_synced?purge_data=maybe"
expect_error "PATCH without update_mask" 400 INVALID_PARAMETER_VALUE "update_mask" \
	PATCH /api/2.0/database/synced_tables/lake.sales.orders_synced --data '{"spec":{"schedule":"5m"}}'
expect_error "PATCH of an immutable field" 400 INVALID_PARAMETER_VALUE "cannot be updated" \
	PATCH "/api/2.0/database/synced_tables/lake.sales.orders_synced?update_mask=spec.source_table_full_name" --data '{"spec":{}}'
expect_error "an unknown route" 404 ENDPOINT_NOT_FOUND "no API endpoint GET /api/2.0/nothing" \
	GET /api/2.0/nothing
expect_error "a wrong method" 405 METHOD_NOT_ALLOWED "PUT is not allowed" \
	PUT /api/2.0/database/synced_tables/lake.fx.kitchen_synced --data '{}'
allow=$(curl -sS -o /dev/null -D - -X PUT -H "Authorization: Bearer $TOKEN" "$HOST/api/2.0/database/synced_tables/x.y.z" | tr -d '\r' | sed -n 's/^Allow: //Ip')
tap_is "$allow" "GET, DELETE, PATCH" "a 405 lists the allowed methods"
expect_error "a bad page_size" 400 INVALID_PARAMETER_VALUE "page_size" \
	GET "/api/2.0/database/instances/default/synced_tables?page_size=-3"
expect_error "Sync now of an unknown pipeline" 404 RESOURCE_DOES_NOT_EXIST "pipeline nope does not exist" \
	POST /api/2.0/pipelines/nope/updates
expect_error "Sync now with a non-boolean full_refresh" 400 INVALID_PARAMETER_VALUE "full_refresh" \
	POST "/api/2.0/pipelines/$pipeline/updates" --data '{"full_refresh":"yes"}'
tap_is "$(n_tables)" "$before" "refused requests stored nothing"
tap_is "$(sql "select string_agg(name || spec::text, ',' order by name) from lakesync.synced_tables")" \
	"$registry_before" "and changed nothing"
tap_is "$(sql "select count(*) from lakesync.requests")" 0 "and filed no Sync-now request"

# --- PATCH, lists ---------------------------------------------------------------------------
call PATCH "/api/2.0/database/synced_tables/lake.sales.orders_synced?update_mask=spec.schedule" --data '{"spec":{"schedule":"5m"}}'
tap_is "$status" 200 "PATCH with update_mask"
tap_like "$body" '"schedule":"5m"' "returns the updated object"
tap_like "$(sql "select spec::text from lakesync.synced_tables where name = 'lake.sales.orders_synced'")" '"schedule": "5m"' "and stores it"
call GET "/api/2.0/database/instances/default/synced_tables?page_size=1"
tap_like "$body" '^\{"synced_tables":\[\{"name":"lake.fx.kitchen_synced".*\],"next_page_token":"lake.fx.kitchen_synced"\}$' "a page carries the next token"
call GET "/api/2.0/database/instances/default/synced_tables?page_size=1&page_token=lake.fx.kitchen_synced"
tap_like "$body" '"name":"lake.sales.orders_synced"' "the next page continues"
tap_unlike "$body" 'next_page_token' "the last page has no token"
call GET /api/2.0/database/instances/prod/synced_tables
tap_is "$status $body" '200 {"synced_tables":[]}' "an instance with no tables lists nothing"
call GET /api/2.0/database/synced_tables
tap_is "$(printf '%s' "$body" | grep -o '"name":"lake[^"]*"' | tr '\n' ' ')" \
	'"name":"lake.fx.kitchen_synced" "name":"lake.sales.orders_synced" ' "the list of all tables"

# --- Sync now -------------------------------------------------------------------------------
wait_for_state lake.fx.kitchen_synced '^SYNCED_TABLE_ONLINE'
stage_commits "$work/written/kitchen" "$LAKESYNC_CATALOG/lake/fx/kitchen" 4
call POST "/api/2.0/pipelines/$pipeline/updates"
tap_is "$status" 200 "POST pipelines/{id}/updates starts an update"
update=$(json_field "$body" update_id)
tap_like "$update" '^[0-9]+$' "and answers its update_id"
wait_for_update "$pipeline" "$update"
tap_like "$body" '"state":"COMPLETED"' "the update completes"
tap_like "$body" '"last_run":\{"kind":"incremental","outcome":"succeeded","from_version":1,"to_version":4' \
	"an incremental run to version 4"
call GET /api/2.0/database/synced_tables/lake.fx.kitchen_synced
tap_like "$body" '"delta_commit_version":4' "the table reports version 4"
call POST "/api/2.0/pipelines/$pipeline/updates" --data '{"full_refresh": true}'
update=$(json_field "$body" update_id)
wait_for_update "$pipeline" "$update"
tap_like "$body" '"state":"COMPLETED".*"last_run":\{"kind":"full"' "full_refresh: true runs a full load"
tap_is "$(sql "select count(*) from fx.kitchen_synced")" \
	"$(sql "select count(*) from fx.kitchen_synced")" "the table is readable after the full refresh"

# --- concurrency: more requests than pooled registry connections; a stalled client ----------
for i in $(seq 1 24); do
	curl -s -o /dev/null -w '%{http_code}\n' -H "Authorization: Bearer $TOKEN" \
		"$HOST/api/2.0/database/synced_tables/lake.fx.kitchen_synced" >"$work/par.$i" &
done
wait_curls() { local i; for i in $(seq 1 24); do while [ ! -s "$work/par.$i" ]; do sleep 0.1; done; done; }
wait_curls
tap_is "$(cat "$work"/par.* | sort | uniq -c | sed 's/^ *//')" "24 200" "24 requests at once all answer 200"
exec 3<>"/dev/tcp/127.0.0.1/$API_PORT"
printf 'POST /api/2.0/database/synced_tables HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: 100\r\n\r\n{' "$TOKEN" >&3
started=$(date +%s)
call GET /api/2.0/database/synced_tables/lake.fx.kitchen_synced
tap_is "$status" 200 "a client stalled mid-body does not hold up others"
tap_like "$(( $(date +%s) - started ))" '^[0-2]$' "which answer at once"
exec 3>&-
tap_is "$(n_tables)" 2 "the stalled request created nothing"

# --- health and metrics ---------------------------------------------------------------------
call_noauth GET /healthz
tap_is "$status" 200 "/healthz answers without a token"
tap_like "$body" '"status":"ok"' "and says ok"
call_noauth GET /metrics
tap_is "$status" 401 "/metrics needs the token"
call GET /metrics
tap_is "$status" 200 "/metrics with the token"
m() { printf '%s\n' "$body" | grep -F -- "$1" | head -n 1; }
tap_like "$(m 'lakesync_synced_table_state{name="lake.fx.kitchen_synced"')" \
	'state="SYNCED_TABLE_ONLINE[A-Z_]*"\} 1$' "metrics: the table's state"
tap_is "$(m 'lakesync_synced_table_lag_versions{name="lake.fx.kitchen_synced"}')" \
	'lakesync_synced_table_lag_versions{name="lake.fx.kitchen_synced"} 0' "metrics: no lag in versions"
tap_is "$(m 'lakesync_synced_table_lag_seconds{name="lake.fx.kitchen_synced"}')" \
	'lakesync_synced_table_lag_seconds{name="lake.fx.kitchen_synced"} 0' "metrics: no lag in seconds"
tap_is "$(m 'lakesync_synced_table_synced_version{name="lake.fx.kitchen_synced"}')" \
	'lakesync_synced_table_synced_version{name="lake.fx.kitchen_synced"} 4' "metrics: the synced version"
tap_like "$(m 'lakesync_synced_table_rows_applied{name="lake.fx.kitchen_synced",op="updated"}')" \
	' 100$' "metrics: rows applied by operation"
tap_like "$(m 'lakesync_synced_table_runs{name="lake.fx.kitchen_synced",outcome="succeeded"}')" \
	' [3-9]$' "metrics: runs by outcome"
tap_like "$(m 'lakesync_synced_table_run_duration_seconds_count{name="lake.fx.kitchen_synced"}')" \
	' [3-9]$' "metrics: run durations"
tap_like "$(m 'lakesync_synced_table_consecutive_failures{name="lake.fx.kitchen_synced"}')" \
	' 0$' "metrics: failures"
tap_like "$(m '# TYPE lakesync_synced_table_run_duration_seconds')" 'summary$' "metrics: typed"
stage_commits "$work/written/kitchen" "$LAKESYNC_CATALOG/lake/fx/kitchen" 7
call GET /metrics
tap_is "$(m 'lakesync_synced_table_lag_versions{name="lake.fx.kitchen_synced"}')" \
	'lakesync_synced_table_lag_versions{name="lake.fx.kitchen_synced"} 3' "metrics: a TRIGGERED table behind by 3 versions"
tap_like "$(m 'lakesync_synced_table_lag_seconds{name="lake.fx.kitchen_synced"}')" \
	' [0-9.e+-]+$' "metrics: and lagging in seconds"

# --- purge through the API, then a clean stop -----------------------------------------------
call DELETE "/api/2.0/database/synced_tables/lake.fx.kitchen_synced?purge_data=true"
tap_is "$status" 200 "DELETE with purge_data=true"
tap_is "$(sql "select count(*) from pg_tables where schemaname = 'fx' and tablename = 'kitchen_synced'")" \
	0 "drops the PostgreSQL table"
api_stop
tap_is "$api_stop_status" 0 "SIGTERM stops the daemon with status 0"
tap_like "$(tail -n 3 "$work/serve.log")" "received SIGTERM, stopping" "it logs the signal"
tap_like "$(tail -n 1 "$work/serve.log")" "stopped$" "and a clean stop"

tap_done
