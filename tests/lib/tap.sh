# tests/lib/tap.sh: a small TAP producer for shell tests (sourced, not run).
# Each check prints "ok N - name" or "not ok N - name" with diagnostics; tap_done prints the
# plan and exits non-zero when any check failed, so automake's TAP driver and a human
# reading the log both see what broke.

tap_count=0
tap_failed=0

tap_diag() {
	printf '%s\n' "$@" | sed 's/^/# /'
}

tap_result() { # tap_result STATUS NAME
	tap_count=$((tap_count + 1))
	if [ "$1" -eq 0 ]; then
		printf 'ok %d - %s\n' "$tap_count" "$2"
	else
		printf 'not ok %d - %s\n' "$tap_count" "$2"
		tap_failed=$((tap_failed + 1))
	fi
}

# tap_ok NAME CMD [ARGS...]: passes when the command succeeds.
# (Locals are prefixed tap_ so that they never hide the caller's variables from CMD.)
tap_ok() {
	local tap_name=$1
	shift
	local tap_out tap_status
	tap_out=$("$@" 2>&1)
	tap_status=$?
	tap_result "$tap_status" "$tap_name"
	[ "$tap_status" -eq 0 ] || tap_diag "command failed ($tap_status): $*" "$tap_out"
	return "$tap_status"
}

# tap_fails NAME CMD [ARGS...]: passes when the command fails.
tap_fails() {
	local tap_name=$1
	shift
	local tap_out tap_status
	tap_out=$("$@" 2>&1)
	tap_status=$?
	if [ "$tap_status" -ne 0 ]; then tap_result 0 "$tap_name"; else
		tap_result 1 "$tap_name"
		tap_diag "command unexpectedly succeeded: $*" "$tap_out"
	fi
}

# tap_is GOT EXPECTED NAME
tap_is() {
	if [ "$1" = "$2" ]; then tap_result 0 "$3"; else
		tap_result 1 "$3"
		tap_diag "got:      '$1'" "expected: '$2'"
	fi
}

# tap_like GOT EXTENDED-REGEX NAME
tap_like() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then tap_result 0 "$3"; else
		tap_result 1 "$3"
		tap_diag "got:      '$1'" "expected to match: /$2/"
	fi
}

# tap_unlike GOT EXTENDED-REGEX NAME
tap_unlike() {
	if printf '%s' "$1" | grep -Eq -- "$2"; then
		tap_result 1 "$3"
		tap_diag "got:      '$1'" "expected not to match: /$2/"
	else tap_result 0 "$3"; fi
}

# tap_skip_all REASON: the whole script is skipped (prints a plan of 0 with the reason).
tap_skip_all() {
	printf '1..0 # SKIP %s\n' "$1"
	exit 0
}

tap_done() {
	printf '1..%d\n' "$tap_count"
	[ "$tap_failed" -eq 0 ]
	exit $?
}
