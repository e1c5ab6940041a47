#!/usr/bin/env bash
# tests/harness/test_pg_harness.sh: the throwaway PostgreSQL of tests/lib/pg.sh works for the
# user running the suite (as root, the server runs as `postgres`), and it leaves no server
# and no directory behind: after success, a failed test, SIGTERM, SIGINT and kill -9.
set -u
. "$top_srcdir/tests/lib/tap.sh"
lib=$top_srcdir/tests/lib
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

command -v psql >/dev/null || tap_skip_all "psql not installed (Debian package postgresql-client)"

# A child test that starts a server, records where it lives, then ends as told.
cat >"$scratch/child.sh" <<'EOS'
#!/usr/bin/env bash
set -u
. "$1/pg.sh"
pg_start || exit 99
printf '%s %s %s\n' "$LK_PG_DIR" "$LK_PG_PID" "$PGPORT" >"$2"
psql -XAtq -c 'select 1' >/dev/null || exit 98
case $3 in
success) exit 0 ;;
fail) exit 1 ;;
term) kill -TERM $$; sleep 30 ;;
int) kill -INT $$; sleep 30 ;;
hang) sleep 300 ;;
esac
EOS
chmod +x "$scratch/child.sh"

server_gone() { # server_gone DIR PID [SECONDS]: waits until neither exists
	local i
	for ((i = 0; i < ${3:-5} * 10; i++)); do
		if [ ! -e "$1" ] && ! kill -0 "$2" 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	return 1
}

# --- the server works, for this user ---------------------------------------------------
(
	. "$lib/pg.sh"
	pg_start || exit 1
	printf 'dir=%s\n' "$LK_PG_DIR"
	printf 'host=%s\n' "$PGHOST"
	printf 'port=%s\n' "$PGPORT"
	printf 'answer=%s\n' "$(psql -XAtq -c 'select 6*7')"
	printf 'tcp=%s\n' "$(psql -XAtq -h 127.0.0.1 -c 'select 1')"
	printf 'owner=%s\n' "$(ps -o user= -p "$LK_PG_PID" | tr -d ' ')"
	printf 'socket=%s\n' "$(ls -A "$LK_PG_DIR" | grep -c "^\.s\.PGSQL\.$PGPORT\$")"
	printf 'pid=%s\n' "$LK_PG_PID"
) >"$scratch/info" 2>&1
info=$(cat "$scratch/info")
get() { printf '%s\n' "$info" | sed -n "s/^$1=//p"; }
tap_is "$(get answer)" 42 "psql reaches the throwaway server through PG* variables"
tap_is "$(get tcp)" 1 "the server also answers on 127.0.0.1 at its port"
tap_is "$(get host)" "$(get dir)" "PGHOST is the server's private directory (socket inside it)"
tap_is "$(get socket)" 1 "the unix socket lives in that directory"
if [ "$(id -u)" -eq 0 ]; then
	tap_is "$(get owner)" postgres "as root, the server runs as the unprivileged postgres user"
else
	tap_is "$(get owner)" "$(id -un)" "as a normal user, the server runs as that user"
fi
tap_ok "after a passing test, no server and no directory remain" \
	server_gone "$(get dir)" "$(get pid)"

# --- every exit path cleans up ---------------------------------------------------------
for how in success fail term int; do
	"$scratch/child.sh" "$lib" "$scratch/where.$how" "$how" >/dev/null 2>&1
	status=$?
	read -r dir pid port <"$scratch/where.$how"
	case $how in
	success) tap_is "$status" 0 "a passing child exits 0" ;;
	fail) tap_is "$status" 1 "a failing child keeps its exit status 1" ;;
	term) tap_is "$status" 143 "a child interrupted by SIGTERM exits 143" ;;
	int) tap_is "$status" 130 "a child interrupted by SIGINT exits 130" ;;
	esac
	tap_ok "after '$how', the server is stopped and its directory removed" \
		server_gone "$dir" "$pid"
done

# kill -9 cannot run traps: the watchdog must clean up.
"$scratch/child.sh" "$lib" "$scratch/where.kill" hang >/dev/null 2>&1 &
child=$!
for ((i = 0; i < 300; i++)); do [ -s "$scratch/where.kill" ] && break; sleep 0.1; done
read -r dir pid port <"$scratch/where.kill"
kill -9 "$child"
wait "$child" 2>/dev/null
tap_ok "after kill -9 of the test, the watchdog stops the server and removes its directory" \
	server_gone "$dir" "$pid" 15
pkill -f "sleep 300" -P "$child" 2>/dev/null

# with-pg propagates the command's status and cleans up.
"$lib/with-pg" sh -c 'printf "%s" "$PGHOST" >"$0"; psql -XAtq -c "select 1" >/dev/null && exit 3' \
	"$scratch/with-pg-dir"
status=$?
tap_is "$status" 3 "with-pg exits with the command's status"
dir=$(cat "$scratch/with-pg-dir")
tap_like "$dir" 'lakesync-pg\.' "with-pg gave the command a private server"
tap_ok "with-pg removed the server's directory" test ! -e "$dir"

# Two servers at once get their own ports and directories.
(
	. "$lib/pg.sh"
	pg_start || exit 1
	first="$PGHOST:$PGPORT"
	(
		. "$lib/pg.sh"
		pg_start || exit 1
		printf '%s %s\n' "$first" "$PGHOST:$PGPORT"
		psql -XAtq -c 'select 1' >/dev/null || exit 1
	)
) >"$scratch/two" 2>&1
read -r a b <"$scratch/two"
tap_ok "two servers start side by side" test -n "$b"
tap_ok "they differ in directory and port" test "$a" != "$b"

tap_done
