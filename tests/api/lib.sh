# tests/api/lib.sh: helpers for the REST daemon's tests (sourced): start `lakesync serve` on
# a free loopback port, call it with curl, stop it. Needs tests/lib/pg.sh sourced and
# pg_start done (the daemon's registry is that server), and $work. Sourcing it also makes
# the test's exit stop a daemon left running, and leaves remote mode off (the CLI calls in
# the test run in-process unless they say --host).

LK=${LAKESYNC:-$top_builddir/lakesync}
API_PID=
API_PORT=
HOST=
API_SCHEME=${API_SCHEME:-http}   # https when the daemon is configured with TLS
API_CURL_TLS=${API_CURL_TLS:-}   # e.g. "--cacert FILE"

# api_free_port: a loopback TCP port nothing listens on now.
api_free_port() {
	local port
	while :; do
		port=$((20000 + RANDOM % 40000))
		lk_pg_port_in_use "$port" || break
	done
	printf '%s\n' "$port"
}

# api_start [SERVE OPTIONS...]: starts the daemon in the background (log in $work/serve.log)
# and waits until /healthz answers; sets API_PID, API_PORT and HOST. Returns 1 on failure.
api_start() {
	local tries=0 i
	while [ $tries -lt 5 ]; do
		tries=$((tries + 1))
		API_PORT=$(api_free_port)
		HOST=$API_SCHEME://127.0.0.1:$API_PORT
		"$LK" --log-file "$work/serve.log" serve --listen "127.0.0.1:$API_PORT" "$@" &
		API_PID=$!
		for i in $(seq 1 100); do
			if ! kill -0 "$API_PID" 2>/dev/null; then
				wait "$API_PID" 2>/dev/null
				API_PID=
				break
			fi
			if [ "$(curl -s $API_CURL_TLS -o /dev/null -w '%{http_code}' "$HOST/healthz")" = 200 ]; then
				return 0
			fi
			sleep 0.1
		done
		[ -n "$API_PID" ] && { kill "$API_PID"; wait "$API_PID"; API_PID=; }
	done
	echo "api_start: the daemon did not start; its log:" >&2
	cat "$work/serve.log" >&2
	return 1
}

# api_stop: SIGTERM, then waits; sets api_stop_status to the daemon's exit status.
api_stop() {
	api_stop_status=
	[ -n "$API_PID" ] || return 0
	kill -TERM "$API_PID"
	wait "$API_PID"
	api_stop_status=$?
	API_PID=
}

# call METHOD PATH [CURL ARGS...]: sets $status (HTTP code) and $body, with the token in $TOKEN.
call() {
	local method=$1 path=$2 out
	shift 2
	out=$(curl -sS $API_CURL_TLS -X "$method" -H "Authorization: Bearer $TOKEN" -w '\n%{http_code}' "$@" \
		"$HOST$path")
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}

# call_noauth METHOD PATH [CURL ARGS...]: as call, with no Authorization header.
call_noauth() {
	local method=$1 path=$2 out
	shift 2
	out=$(curl -sS $API_CURL_TLS -X "$method" -w '\n%{http_code}' "$@" "$HOST$path")
	status=${out##*$'\n'}
	body=${out%$'\n'*}
}

# json_field BODY KEY: the first string value of "KEY" in BODY (flat JSON, no escapes).
json_field() {
	printf '%s' "$1" | sed -n "s/.*\"$2\":[[:space:]]*\"\\([^\"]*\\)\".*/\\1/p" | head -n 1
}

# wait_for_state NAME REGEX [SECONDS]: polls GET until detailed_state matches.
wait_for_state() {
	local i state
	for i in $(seq 1 $((${3:-60} * 5))); do
		call GET "/api/2.0/database/synced_tables/$1"
		state=$(json_field "$body" detailed_state)
		printf '%s' "$state" | grep -Eq -- "$2" && return 0
		sleep 0.2
	done
	echo "wait_for_state: $1 still in '$state'" >&2
	return 1
}

# wait_for_update PIPELINE_ID UPDATE_ID [SECONDS]: polls the update until it has ended;
# $body holds its last answer.
wait_for_update() {
	local i
	for i in $(seq 1 $((${3:-60} * 5))); do
		call GET "/api/2.0/pipelines/$1/updates/$2"
		printf '%s' "$body" | grep -Eq '"state":"(COMPLETED|FAILED)"' && return 0
		sleep 0.2
	done
	return 1
}

# expect_error TEST-NAME STATUS ERROR_CODE MESSAGE-REGEX METHOD PATH [CURL ARGS...]
# (CALL=call_noauth to send no token of ours)
expect_error() {
	local name=$1 want_status=$2 code=$3 message=$4
	shift 4
	${CALL:-call} "$@"
	tap_is "$status" "$want_status" "$name: HTTP $want_status"
	tap_like "$body" "^\\{\"error_code\":\"$code\",\"message\":\"[^\"]*$message" "$name: $code body"
}

pg_on_exit '[ -n "$API_PID" ] && kill "$API_PID" 2>/dev/null'
unset LAKESYNC_HOST LAKESYNC_TOKEN LAKESYNC_REMOTE LAKESYNC_CA_FILE
FIXTURE=$top_builddir/tests/engine/fixture
