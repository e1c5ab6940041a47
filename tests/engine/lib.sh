# tests/engine/lib.sh: helpers for engine tests (sourced): a catalog of table copies whose
# logs can be replayed commit by commit, and the lakesync commands the tests run.

LK=${LAKESYNC:-$top_builddir/lakesync}
ORACLE=$top_builddir/tests/engine/snapshot_oracle

# stage_table SRC_ROOT DEST_ROOT LAST_VERSION: a copy of a Delta table whose data files are
# symlinks and whose log holds the commits up to LAST_VERSION (checkpoints left out).
stage_table() {
	local src=$1 dest=$2 last=$3 f v
	mkdir -p "$dest/_delta_log"
	for f in "$src"/*; do
		[ "$(basename "$f")" = _delta_log ] && continue
		ln -s "$f" "$dest/$(basename "$f")"
	done
	for f in "$src"/_delta_log/[0-9]*.json; do
		v=$(basename "$f" .json)
		case $v in *.*) continue ;; esac
		[ $((10#$v)) -le "$last" ] && cp "$f" "$dest/_delta_log/"
	done
	return 0
}

# stage_commits SRC_ROOT DEST_ROOT LAST_VERSION: adds the commits up to LAST_VERSION.
stage_commits() {
	local src=$1 dest=$2 last=$3 f v
	for f in "$src"/_delta_log/[0-9]*.json; do
		v=$(basename "$f" .json)
		case $v in *.*) continue ;; esac
		[ $((10#$v)) -le "$last" ] && cp -n "$f" "$dest/_delta_log/"
	done
	return 0
}

# latest_version ROOT
latest_version() {
	ls "$1/_delta_log" | grep -E '^[0-9]{20}\.json$' | sort | tail -n 1 | sed 's/\.json$//;s/^0*//;s/^$/0/'
}

# create_synced NAME SOURCE KEY POLICY
create_synced() {
	"$LK" database create-synced-database-table --json \
		"{\"name\":\"$1\",\"spec\":{\"source_table_full_name\":\"$2\",\"primary_key_columns\":[\"$3\"],\"scheduling_policy\":\"$4\"}}"
}

# synced_version NAME: delta_commit_version of the last successful sync
synced_version() {
	"$LK" database get-synced-database-table "$1" |
		sed -n 's/.*"delta_commit_version":[[:space:]]*\([0-9]*\).*/\1/p'
}
