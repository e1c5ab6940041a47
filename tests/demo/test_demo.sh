#!/usr/bin/env bash
# tests/demo/test_demo.sh: `lakesync demo init` writes the sample lakehouse (doc/demo.md) and
# every table reads back through `lakesync inspect delta` and `lakesync catalog ls` as
# designed; `lakesync demo stream` commits changes, adds its column once and leaves the
# tables readable; usage errors exit 2 and an existing lakehouse is refused.
set -u
. "$top_srcdir/tests/lib/tap.sh"
LK=${LAKESYNC:-$top_builddir/lakesync}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
lake=$work/lake

rows() { "$LK" inspect delta "$lake/$1" | wc -l | tr -d ' '; }
info() { "$LK" inspect delta "$lake/$1" --info; }
json_field() { sed -n "s/.*\"$1\":\\([^,}]*\\).*/\\1/p"; }

tap_ok "demo init writes the sample lakehouse" "$LK" demo init "$lake"

# table path, rows, versions (latest), change data feed
while read -r path want_rows want_version cdf; do
	tap_is "$(rows "$path")" "$want_rows" "$path: $want_rows rows"
	tap_is "$(info "$path" | json_field version)" "$want_version" "$path: at version $want_version"
	tap_is "$(info "$path" | json_field change_data_feed)" "$cdf" "$path: change data feed $cdf"
done <<'EOS'
analytics/gold/user_profiles 3039 11 true
ml/features/customer_features 2004 5 true
ml/predictions/churn_scores 2103 5 true
analytics/kpi/daily_revenue 356 13 true
analytics/raw/web_events 7519 3 false
EOS

for path in analytics/gold/user_profiles analytics/kpi/daily_revenue; do
	tap_ok "$path: a checkpoint at version 10" \
		test -s "$lake/$path/_delta_log/00000000000000000010.checkpoint.parquet"
	tap_is "$(info "$path" | json_field checkpoint_version)" 10 "$path: the reader uses it"
done
tap_like "$(info analytics/kpi/daily_revenue)" '"partition_columns":\["date"\]' \
	"daily_revenue is partitioned by date"
tap_ok "daily_revenue has a directory per day" test -d "$lake/analytics/kpi/daily_revenue/date=2026-09-01"
tap_like "$(info ml/features/customer_features)" '"name":"updated_at","type":"timestamp_ntz"' \
	"customer_features has a timestamp_ntz column"
tap_like "$(info analytics/gold/user_profiles)" \
	'"name":"preferences","type":"map<string,string>".*"name":"tags","type":"array<string>".*"name":"address","type":"struct<' \
	"user_profiles has map, array and struct columns"

for path in analytics/gold/user_profiles ml/features/customer_features \
	ml/predictions/churn_scores analytics/kpi/daily_revenue; do
	changes=$("$LK" inspect delta "$lake/$path" --changes 2..5 | grep -o '"_change_type":"[a-z_]*"' | sort -u | tr '\n' ' ')
	tap_like "$changes" 'update_postimage.*update_preimage' "$path: the change feed has update pre- and post-images"
	tap_ok "$path: cdc files as Databricks writes them" \
		sh -c "ls '$lake/$path/_change_data' | grep -q ."
done
tap_like "$("$LK" inspect delta "$lake/analytics/gold/user_profiles" --changes 2..11)" \
	'"_change_type":"delete"' "user_profiles: the change feed has deletes"
tap_ok "web_events has no change data files" test ! -e "$lake/analytics/raw/web_events/_change_data"
tap_fails "web_events has no change feed to read" \
	"$LK" inspect delta "$lake/analytics/raw/web_events" --changes 1..2

export LAKESYNC_CATALOG=$lake XDG_CONFIG_HOME=$work/xdg
unset LAKESYNC_CONFIG
tap_is "$("$LK" catalog ls | tr '\n' ' ')" "analytics ml " "catalog ls lists the catalogs"
tap_is "$("$LK" catalog ls analytics | tr '\n' ' ')" "analytics.gold analytics.kpi analytics.raw " \
	"catalog ls analytics lists its schemas"
tap_is "$("$LK" catalog ls analytics.gold)" "analytics.gold.user_profiles" "catalog ls analytics.gold lists user_profiles"
tap_is "$("$LK" catalog ls ml | tr '\n' ' ')" "ml.features ml.predictions " "catalog ls ml lists its schemas"

# the stream
before=$(rows analytics/gold/user_profiles)
out=$("$LK" demo stream "$lake" --count 12 --rate 50)
tap_is "$?" 0 "demo stream --count 12 succeeds"
tap_is "$(printf '%s\n' "$out" | wc -l | tr -d ' ')" 12 "it prints one line per commit"
tap_diag "$out"
tap_like "$out" '^analytics.gold.user_profiles version 12: [0-9]+ inserted, [0-9]+ updated, [0-9]+ deleted' \
	"the first commit goes to user_profiles, version 12"
tap_is "$(printf '%s\n' "$out" | grep -c 'added column loyalty_tier')" 1 "the column is added once"
tap_is "$(printf '%s\n' "$out" | cut -d' ' -f1 | sort -u | wc -l | tr -d ' ')" 4 \
	"all four Change Data Feed tables change"
tap_is "$(info analytics/gold/user_profiles | json_field version)" 15 "user_profiles moved to version 15"
tap_like "$(info analytics/gold/user_profiles)" '"name":"loyalty_tier","type":"string"' "the new column is in the schema"
after=$(rows analytics/gold/user_profiles)
tap_ok "user_profiles is readable and grew ($before -> $after rows)" test "$after" -gt "$before"
tap_ok "new rows fill the new column" sh -c "'$LK' inspect delta '$lake/analytics/gold/user_profiles' | grep -q '\"loyalty_tier\":\"'"
tap_ok "older rows read it as null" sh -c "'$LK' inspect delta '$lake/analytics/gold/user_profiles' | grep -q '\"loyalty_tier\":null'"
for path in ml/features/customer_features ml/predictions/churn_scores analytics/kpi/daily_revenue; do
	tap_ok "$path is readable after the stream" "$LK" inspect delta "$lake/$path" --changes 5..7
done
out=$("$LK" demo stream "$lake" --count 6 --rate 100)
tap_unlike "$out" 'added column' "a second stream does not add the column again"

"$LK" demo stream "$lake" --rate 20 >"$work/stream.out" 2>&1 &
stream=$!
sleep 1
kill -TERM $stream
wait $stream
tap_is "$?" 0 "demo stream stops cleanly on SIGTERM"
tap_ok "after printing some commits" grep -q 'version' "$work/stream.out"

# usage and failures
for args in "demo" "demo bogus" "demo init" "demo init a b" "demo init --bogus $work/x" \
	"demo stream" "demo stream $lake --rate 0" "demo stream $lake --rate x" \
	"demo stream $lake --count 0" "demo stream $lake --count" "demo stream $lake --what"; do
	# shellcheck disable=SC2086
	"$LK" $args >/dev/null 2>&1
	tap_is "$?" 2 "lakesync $args: usage error (exit 2)"
done
err=$("$LK" demo init "$lake" 2>&1)
tap_is "$?" 1 "demo init into an existing lakehouse fails"
tap_like "$err" "already holds a sample lakehouse" "and says why"
tap_like "$err" "demo init --force" "and what to do"
tap_ok "demo init --force replaces it" "$LK" demo init --force "$lake"
tap_is "$(info analytics/gold/user_profiles | json_field version)" 11 "back at version 11"
err=$("$LK" demo stream "$work/empty" --count 1 2>&1)
tap_is "$?" 1 "demo stream into a directory without a lakehouse fails"
tap_like "$err" "holds no sample lakehouse" "and says so"
err=$("$LK" demo up 2>&1)
tap_is "$?" 2 "demo up is a usage error"
tap_like "$err" "scripts/quickstart up" "pointing at scripts/quickstart"
tap_done
