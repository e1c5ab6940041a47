#!/usr/bin/env bash
# tests/api/test_api_tls.sh: `lakesync serve` with api.tls_cert and api.tls_key (a
# self-signed certificate made here with openssl) and tokens from the configuration file:
# HTTPS answers, plain HTTP does not, and the CLI's remote mode trusts the certificate
# through $LAKESYNC_CA_FILE.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
command -v openssl >/dev/null || tap_skip_all "openssl (to make a certificate) is not installed"
engine_test_begin
API_SCHEME=https
API_CURL_TLS="--cacert $work/cert.pem"
. "$top_srcdir/tests/api/lib.sh"
unset LAKESYNC_API_TOKEN
mkdir -p "$LAKESYNC_CATALOG"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$work/key.pem" -out "$work/cert.pem" \
	-days 1 -subj /CN=127.0.0.1 -addext "subjectAltName=IP:127.0.0.1" >/dev/null 2>&1 ||
	tap_skip_all "openssl cannot make a self-signed certificate here"
TOKEN=conf-token-$RANDOM-0123456789
export LAKESYNC_CONFIG=$work/lakesync.conf
cat >"$LAKESYNC_CONFIG" <<EOC
api = {
  tokens = [ "other-token-0123456789", "$TOKEN" ];
  tls_cert = "$work/cert.pem";
  tls_key = "$work/key.pem";
};
EOC

api_start || { tap_result 1 "the daemon starts with TLS"; tap_done; }
tap_result 0 "the daemon starts with TLS on $HOST"
call GET /api/2.0/database/synced_tables
tap_is "$status $body" '200 {"synced_tables":[]}' "HTTPS answers with a token from the configuration"
TOKEN=other-token-0123456789 call GET /api/2.0/database/synced_tables
tap_is "$status" 200 "every configured token is accepted"
TOKEN=nope call GET /api/2.0/database/synced_tables
tap_is "$status" 403 "others are not"
plain=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$API_PORT/healthz")
tap_unlike "$plain" '^2' "plain HTTP gets no answer"
out=$(LAKESYNC_CA_FILE=$work/cert.pem "$LK" --host "$HOST" --token "$TOKEN" database list-synced-database-tables 2>&1)
tap_is "$?|$out" "0|[]" "remote mode over HTTPS trusts \$LAKESYNC_CA_FILE"
out=$("$LK" --host "$HOST" --token "$TOKEN" database list-synced-database-tables 2>&1)
tap_like "$?|$out" "^1\|lakesync: cannot reach the lakesync API at $HOST: .*(SSL|certificate)" \
	"and refuses an unknown certificate without it"
api_stop
tap_is "$api_stop_status" 0 "the daemon stops cleanly"
tap_done
