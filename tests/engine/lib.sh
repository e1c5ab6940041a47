# tests/engine/lib.sh: helpers for engine tests (sourced): a catalog of table copies whose
# logs can be replayed commit by commit, and the lakesync commands the tests run.

LK=${LAKESYNC:-$top_builddir/lakesync}
ORACLE=$top_builddir/tests/engine/snapshot_oracle

# engine_test_begin: a throwaway PostgreSQL (tests/lib/pg.sh), a scratch directory $work
# removed on exit, and a zero-config environment whose catalog is $work/catalog.
engine_test_begin() {
	. "$top_srcdir/tests/lib/pg.sh"
	pg_start || exit 1
	work=$(mktemp -d)
	pg_on_exit "rm -rf '$work'"
	export LAKESYNC_CATALOG=$work/catalog XDG_CONFIG_HOME=$work/xdg
	unset LAKESYNC_CONFIG
}

# stage_bench_subset BENCH DEST: the benchmark table with two of its eight data files at
# version 0 (250,000 rows); its version 1 (100,000 updates and 10,000 deletes of rows in the
# first file) is copied in by the test when it wants it.
stage_bench_subset() {
	local f
	mkdir -p "$2/_delta_log"
	for f in "$1"/*.parquet "$1/_change_data"; do ln -s "$f" "$2/"; done
	grep -v -E '"path":"part-0000[2-7]' "$1/_delta_log/00000000000000000000.json" \
		>"$2/_delta_log/00000000000000000000.json"
}

# log_table DIR SCHEMA_FIELDS CONFIGURATION: a table whose version 0 has no data files.
log_table() {
	mkdir -p "$1/_delta_log"
	local schema="{\\\"type\\\":\\\"struct\\\",\\\"fields\\\":[$2]}"
	cat >"$1/_delta_log/00000000000000000000.json" <<EOS
{"commitInfo":{"timestamp":1700000000000,"operation":"CREATE TABLE"}}
{"protocol":{"minReaderVersion":1,"minWriterVersion":4}}
{"metaData":{"id":"00000000-0000-0000-0000-000000000001","format":{"provider":"parquet","options":{}},"schemaString":"$schema","partitionColumns":[],"configuration":{$3},"createdTime":1700000000000}}
EOS
}
# field NAME TYPE: a nullable field of a schemaString
field() {
	printf '{\\"name\\":\\"%s\\",\\"type\\":\\"%s\\",\\"nullable\\":true,\\"metadata\\":{}}' "$1" "$2"
}

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

# wait_version NAME V SECONDS: waits until synced table NAME reports version V
wait_version() {
	local i
	for ((i = 0; i < $3 * 20; i++)); do
		[ "$(synced_version "$1")" = "$2" ] && return 0
		sleep 0.05
	done
	return 1
}

# synced_version NAME: delta_commit_version of the last successful sync
synced_version() {
	"$LK" database get-synced-database-table "$1" |
		sed -n 's/.*"delta_commit_version":[[:space:]]*\([0-9]*\).*/\1/p'
}
