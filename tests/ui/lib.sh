# tests/ui/lib.sh: helpers for console tests (sourced): the real `lakesync console` in a
# tmux server of its own (private socket, no config, fixed size), keys sent to it, and a
# screen polled with capture-pane until it shows what a user would expect, or dumped into
# the TAP log when it does not. Also a throwaway PostgreSQL (tests/lib/pg.sh) and a small
# catalog of log-only Delta tables.
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
. "$top_srcdir/tests/lib/pg.sh"

command -v tmux >/dev/null 2>&1 || tap_skip_all "tmux is not installed"

# Each console gets a tmux server of its own (a fresh socket: a server being killed may
# still answer on the old one).
UI_SOCKET_BASE=lakesync-ui-$$
UI_STARTS=0
UI_SOCKET=$UI_SOCKET_BASE-0
UI_TIMEOUT=${UI_TIMEOUT:-20}
ui_tmux() { tmux -L "$UI_SOCKET" -f /dev/null "$@"; }
ui_kill_all() {
	local i
	for i in $(seq 0 "$UI_STARTS"); do
		tmux -L "$UI_SOCKET_BASE-$i" kill-server 2>/dev/null
	done
	rm -f "${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$UI_SOCKET_BASE-"*
	return 0
}

# ui_setup: PostgreSQL, a work directory with an empty catalog; exports what the console
# needs (no config file, themes from the source tree, logs into the work directory).
ui_setup() {
	engine_test_begin
	pg_on_exit ui_kill_all
	export XDG_STATE_HOME=$work/state
	export LAKESYNC_THEMES_DIR=$top_srcdir/themes LANG=C.UTF-8 LC_ALL=C.UTF-8
	unset NO_COLOR
	mkdir -p "$LAKESYNC_CATALOG"
}

cdf='"delta.enableChangeDataFeed":"true"'

# empty_commit DIR VERSION: a commit that changes nothing (a new version to follow).
empty_commit() {
	printf '{"commitInfo":{"timestamp":%s,"operation":"OPTIMIZE"}}\n' "$((1700000000000 + $2 * 1000))" \
		>"$1/_delta_log/$(printf '%020d' "$2").json"
}

# ui_start COLS LINES [ARGS...]: starts `lakesync console ARGS` in a fresh tmux server.
# The pane stays after the console exits, so that the restored screen can be checked;
# its exit status goes to $work/exit.
ui_start() {
	local cols=$1 lines=$2
	shift 2
	ui_start_argv "$cols" "$lines" console "$@"
}

# ui_start_argv COLS LINES ARGV...: as ui_start, for any `lakesync ARGV` (or none).
ui_start_argv() {
	local cols=$1 lines=$2
	shift 2
	rm -f "$work/exit"
	{
		printf 'cd %q || exit 1\n' "$work"
		printf '%q' "$LK"
		[ $# -gt 0 ] && printf ' %q' "$@"
		printf '\necho $? >%q\n' "$work/exit"
	} >"$work/run.sh"
	ui_new_server
	# the pane stays when the console exits (remain-on-exit), so set it before it runs
	ui_tmux new-session -d -x "$cols" -y "$lines" "sleep 0.3; exec bash $work/run.sh" || return 1
	ui_tmux set-option -g remain-on-exit on >/dev/null
}

ui_new_server() {
	ui_tmux kill-server 2>/dev/null
	UI_STARTS=$((UI_STARTS + 1))
	UI_SOCKET=$UI_SOCKET_BASE-$UI_STARTS
}

# ui_start_shell COLS LINES [ARGS...]: the console started from an interactive shell in the
# pane (job control: Ctrl-Z stops it, fg brings it back).
ui_start_shell() {
	local cols=$1 lines=$2
	shift 2
	rm -f "$work/exit"
	ui_new_server
	ui_tmux new-session -d -x "$cols" -y "$lines" "env PS1='$ ' bash --norc --noprofile -i" || return 1
	ui_wait '^\$' 10 || return 1
	ui_type "cd '$work' && '$LK' console $*; echo \$? >'$work/exit'"
	ui_keys Enter
}

ui_screen() { ui_tmux capture-pane -p 2>/dev/null; }

ui_keys() { ui_tmux send-keys "$@"; }
ui_type() { ui_tmux send-keys -l -- "$1"; }

# ui_wait REGEX [SECONDS]: polls the screen until it matches (grep -E).
ui_wait() {
	local deadline=$((SECONDS + ${2:-$UI_TIMEOUT}))
	while [ "$SECONDS" -lt "$deadline" ]; do
		ui_screen | grep -Eq -- "$1" && return 0
		sleep 0.1
	done
	return 1
}

# ui_wait_gone REGEX [SECONDS]: polls until the screen no longer matches.
ui_wait_gone() {
	local deadline=$((SECONDS + ${2:-$UI_TIMEOUT}))
	while [ "$SECONDS" -lt "$deadline" ]; do
		ui_screen | grep -Eq -- "$1" || return 0
		sleep 0.1
	done
	return 1
}

# ui_expect REGEX NAME [SECONDS]: a TAP check that the screen comes to show REGEX; on
# failure the screen goes into the log.
ui_expect() {
	if ui_wait "$1" "${3:-$UI_TIMEOUT}"; then tap_result 0 "$2"; else
		tap_result 1 "$2"
		tap_diag "screen never matched /$1/; it shows:" "$(ui_screen)"
		return 1
	fi
}

ui_expect_gone() {
	if ui_wait_gone "$1" "${3:-$UI_TIMEOUT}"; then tap_result 0 "$2"; else
		tap_result 1 "$2"
		tap_diag "screen still matches /$1/; it shows:" "$(ui_screen)"
		return 1
	fi
}

# ui_exit_status [SECONDS]: waits for the console to exit; prints its status.
ui_exit_status() {
	local deadline=$((SECONDS + ${1:-$UI_TIMEOUT}))
	while [ "$SECONDS" -lt "$deadline" ]; do
		[ -s "$work/exit" ] && { cat "$work/exit"; return 0; }
		sleep 0.1
	done
	echo timeout
}

# ui_alternate_screen_off: after the console exited, the pane is back on the normal
# screen (ncurses restored the terminal).
ui_alternate_screen_off() {
	[ "$(ui_tmux display-message -p '#{alternate_on}')" = 0 ]
}

ui_console_pid() {
	pgrep -f "^$LK" -P "$(ui_tmux display-message -p '#{pane_pid}')" 2>/dev/null | head -n 1
}

# ui_process_state: the console's state letter (S running/sleeping, T stopped).
ui_process_state() {
	ps -o stat= -p "$(ui_console_pid)" 2>/dev/null | cut -c1
}
