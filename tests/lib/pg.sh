# tests/lib/pg.sh: a throwaway PostgreSQL server for one test (sourced, not run).
#
#   . "$top_srcdir/tests/lib/pg.sh"
#   pg_start            # initdb + pg_ctl in a private temp dir; exports PG* for libpq/psql
#   ...                 # psql, lakesync, ... all reach the new server through PG*
#   (pg_stop runs by itself on exit, failure, SIGINT, SIGTERM or SIGHUP)
#
# The server listens on a unix socket inside its own directory and on 127.0.0.1 at a free
# port. As root, the server runs as the unprivileged `postgres` user (runuser), since
# PostgreSQL refuses to run as root. A watchdog stops and removes the server if the test
# process dies without running its traps (kill -9), so nothing is ever left behind.
# Extra cleanups: pg_on_exit 'command'.

LK_PG_DIR=
LK_PG_PID=
lk_pg_exit_hooks=

pg_on_exit() {
	lk_pg_exit_hooks="$lk_pg_exit_hooks
$1"
}

lk_pg_bindir() {
	local dir
	if [ -n "${LAKESYNC_PG_BINDIR:-}" ]; then
		printf '%s\n' "$LAKESYNC_PG_BINDIR"
		return
	fi
	for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
		if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ]; then
			printf '%s\n' "$dir"
			return
		fi
	done
	dir=$(dirname "$(command -v initdb 2>/dev/null)" 2>/dev/null)
	if [ -n "$dir" ] && [ -x "$dir/pg_ctl" ]; then printf '%s\n' "$dir"; fi
}

# Runs a command as the server's OS user: ourselves, or `postgres` when we are root.
lk_pg_as_owner() {
	if [ "$(id -u)" -eq 0 ]; then
		runuser -u "${LAKESYNC_PG_OS_USER:-postgres}" -- "$@"
	else
		"$@"
	fi
}

lk_pg_port_in_use() {
	local hex
	hex=$(printf ':%04X ' "$1")
	grep -q "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

lk_pg_cleanup() {
	local status=$?
	trap - EXIT INT TERM HUP
	pg_stop
	local hook
	while IFS= read -r hook; do
		[ -n "$hook" ] && eval "$hook"
	done <<EOF_HOOKS
$lk_pg_exit_hooks
EOF_HOOKS
	return $status
}

pg_start() {
	local bindir base port tries
	bindir=$(lk_pg_bindir)
	if [ -z "$bindir" ]; then
		echo "pg.sh: PostgreSQL server binaries (initdb, pg_ctl) not found;" \
			"install the Debian package postgresql (scripts/install-deps does)" >&2
		return 1
	fi
	base=${TMPDIR:-/tmp}
	[ "$(id -u)" -eq 0 ] && base=/tmp # the postgres user must be able to reach it
	LK_PG_DIR=$(mktemp -d "$base/lakesync-pg.XXXXXX") || return 1
	chmod 0755 "$LK_PG_DIR"
	trap lk_pg_cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
	if [ "$(id -u)" -eq 0 ]; then
		if ! id "${LAKESYNC_PG_OS_USER:-postgres}" >/dev/null 2>&1; then
			echo "pg.sh: running as root needs the unprivileged user" \
				"'${LAKESYNC_PG_OS_USER:-postgres}' (created by the Debian package postgresql)" >&2
			return 1
		fi
		chown "${LAKESYNC_PG_OS_USER:-postgres}" "$LK_PG_DIR"
	fi
	if ! lk_pg_as_owner "$bindir/initdb" -D "$LK_PG_DIR/data" -A trust -U lakesync \
		-E UTF8 --locale=C --no-sync >"$LK_PG_DIR/initdb.log" 2>&1; then
		echo "pg.sh: initdb failed:" >&2
		cat "$LK_PG_DIR/initdb.log" >&2
		return 1
	fi
	for tries in 1 2 3 4 5 6 7 8 9 10; do
		port=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		lk_pg_port_in_use "$port" && continue
		if lk_pg_as_owner "$bindir/pg_ctl" -D "$LK_PG_DIR/data" -l "$LK_PG_DIR/server.log" \
			-w -t 60 -o "-p $port -k $LK_PG_DIR -c listen_addresses=127.0.0.1 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c max_connections=100 \
-c shared_buffers=64MB" start >/dev/null 2>&1; then
			export PGHOST="$LK_PG_DIR" PGPORT="$port" PGUSER=lakesync PGDATABASE=postgres
			unset PGSERVICE PGPASSWORD PGHOSTADDR PGOPTIONS
			LK_PG_PID=$(head -n 1 "$LK_PG_DIR/data/postmaster.pid")
			lk_pg_watchdog "$$" "$bindir"
			return 0
		fi
	done
	echo "pg.sh: the server did not start; its log:" >&2
	cat "$LK_PG_DIR/server.log" >&2 2>/dev/null
	return 1
}

# Stops the server and removes its directory if the test process disappears without
# cleaning up. Its output goes nowhere, so it never holds the test's stdout open.
lk_pg_watchdog() {
	local owner=$1 bindir=$2 dir=$LK_PG_DIR
	(
		trap '' INT HUP
		while kill -0 "$owner" 2>/dev/null && [ -d "$dir/data" ]; do sleep 1; done
		if [ -d "$dir/data" ]; then
			lk_pg_as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate -w stop
			rm -rf "$dir"
		fi
	) </dev/null >/dev/null 2>&1 &
}

pg_stop() {
	[ -n "$LK_PG_DIR" ] || return 0
	local bindir
	bindir=$(lk_pg_bindir)
	if [ -f "$LK_PG_DIR/data/postmaster.pid" ]; then
		lk_pg_as_owner "$bindir/pg_ctl" -D "$LK_PG_DIR/data" -m immediate -w stop \
			>/dev/null 2>&1
	fi
	rm -rf "$LK_PG_DIR"
	LK_PG_DIR=
}
