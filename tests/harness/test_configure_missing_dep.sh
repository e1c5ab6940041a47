#!/usr/bin/env bash
# tests/harness/test_configure_missing_dep.sh: configure stops with a message naming the
# Debian package to install when a dependency is missing, both for one found by pkg-config
# (cJSON, hidden from a pkg-config wrapper) and one found by AC_CHECK_LIB (snappy).
set -u
. "$top_srcdir/tests/lib/tap.sh"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

[ -x "$top_srcdir/configure" ] || tap_skip_all "no generated configure script (run ./autogen.sh)"

# configure refuses a second build in a configured source tree, so run a copy of the script.
mkdir -p "$scratch/src/src/cli"
cp "$top_srcdir/configure" "$scratch/src/"
cp -R "$top_srcdir/build-aux" "$scratch/src/"
cp "$top_srcdir/src/cli/main.c" "$scratch/src/src/cli/"

real_pkg_config=$(command -v pkg-config)
cat >"$scratch/pkg-config" <<EOS
#!/bin/sh
# pretends libcjson is not installed
for arg in "\$@"; do
	case \$arg in libcjson*) exit 1 ;; esac
done
exec "$real_pkg_config" "\$@"
EOS
chmod +x "$scratch/pkg-config"

(cd "$scratch/src" && PKG_CONFIG="$scratch/pkg-config" ./configure) >"$scratch/out1" 2>&1
status=$?
out=$(cat "$scratch/out1")
tap_ok "configure fails when libcjson is missing" test "$status" -ne 0
tap_like "$out" "error: libcjson was not found" "the error names the missing library"
tap_like "$out" "install the Debian package 'libcjson-dev'" "the error names the Debian package"

(cd "$scratch/src" && ac_cv_lib_snappy_snappy_uncompress=no ./configure) >"$scratch/out2" 2>&1
status=$?
out=$(cat "$scratch/out2")
tap_ok "configure fails when libsnappy is missing" test "$status" -ne 0
tap_like "$out" "error: libsnappy not found" "the error names the missing library"
tap_like "$out" "install the Debian package 'libsnappy-dev'" "the error names the Debian package"

tap_done
