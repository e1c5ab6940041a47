#!/usr/bin/env bash
# tests/engine/test_engine_cdf_corpus.sh: for each Change Data Feed table of the shared
# corpus with a usable key: a full load at version A, then the change feed applied up to the
# latest version B; the PostgreSQL table must equal the snapshot at B (checked row by row by
# tests/engine/snapshot_oracle) and the synced version must be B.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
corpus=${LAKESYNC_TESTDATA:-}/delta
[ -d "$corpus" ] || tap_skip_all "no shared Delta corpus at $corpus"
engine_test_begin

# table  key  A (first version loaded in full)  B (last version applied; default: latest)
# cdf-table-simple stops at 1: its version 2 is a hand-made commit of cdc actions only (no
# add), so its change feed and its snapshot disagree by construction.
# cdf-table-non-partitioned has duplicate ids: see the duplicate-key check below.
# cdf-table-with-dv changes rows only through deletion vectors (per-row inserts and deletes).
cases="
cdf-table id 0
cdf-table-partitioned id 0
cdf-table-simple id 0 1
cdf-table-delete-unconditional id 0
cdf-table-delete-conditional-all-rows id 0
cdf-table-data-change id 0
cdf-table-with-dv value 0
cdf-column-mapping-name-mode id 1
cdf-column-mapping-name-mode-3-7 id 1
"
while read -r table key first last; do
	[ -n "$table" ] || continue
	name=$(printf '%s' "$table" | tr -- '-' '_')
	src=$corpus/$table
	dest=$LAKESYNC_CATALOG/corpus/cdf/$name
	stage_table "$src" "$dest" "$first"
	[ -n "$last" ] || last=$(latest_version "$src")
	tap_ok "$table: create synced table" create_synced "corpus.cdf.${name}_synced" \
		"corpus.cdf.$name" "$key" TRIGGERED
	tap_ok "$table: full load at version $first" "$LK" sync "corpus.cdf.${name}_synced" --wait
	tap_is "$(synced_version "corpus.cdf.${name}_synced")" "$first" "$table: synced version is $first"
	tap_ok "$table: equals the snapshot at $first" "$ORACLE" "$dest" "$first" \
		"corpus.cdf.${name}_synced" "$key"
	stage_commits "$src" "$dest" "$last"
	tap_ok "$table: change feed applied up to $last" "$LK" sync "corpus.cdf.${name}_synced" --wait
	tap_is "$(synced_version "corpus.cdf.${name}_synced")" "$last" "$table: synced version is $last"
	tap_ok "$table: equals the snapshot at $last" "$ORACLE" "$dest" "$last" \
		"corpus.cdf.${name}_synced" "$key"
done <<<"$cases"

# A source with duplicate keys fails the run with PRIMARY_KEY_CONSTRAINT_VIOLATION naming
# the key, and leaves the target as it was.
table=cdf-table-non-partitioned
src=$corpus/$table
dest=$LAKESYNC_CATALOG/corpus/cdf/cdf_table_non_partitioned
stage_table "$src" "$dest" 0
create_synced corpus.cdf.cdf_table_non_partitioned_synced corpus.cdf.cdf_table_non_partitioned \
	id TRIGGERED >/dev/null
tap_ok "$table: full load at version 0" "$LK" sync corpus.cdf.cdf_table_non_partitioned_synced --wait
before=$(psql -XAtqc "select count(*), sum(id) from cdf.cdf_table_non_partitioned_synced")
stage_commits "$src" "$dest" "$(latest_version "$src")"
err=$("$LK" sync corpus.cdf.cdf_table_non_partitioned_synced --wait 2>&1 >/dev/null)
tap_is "$?" 1 "$table: duplicate keys fail the run"
tap_like "$err" "primary key \(id\)=\([0-9]+\)" "$table: the error names the key"
tap_like "$("$LK" database get-synced-database-table corpus.cdf.cdf_table_non_partitioned_synced)" \
	"PRIMARY_KEY_CONSTRAINT_VIOLATION" "$table: the status carries the error class"
tap_is "$(psql -XAtqc "select count(*), sum(id) from cdf.cdf_table_non_partitioned_synced")" \
	"$before" "$table: the target is left as it was"
tap_is "$(synced_version corpus.cdf.cdf_table_non_partitioned_synced)" 0 "$table: the cursor stays"

# Non-standard change types (update_pre/update_post) fail the run clearly, changing nothing.
table=cdf-table-update-ops
src=$corpus/$table
dest=$LAKESYNC_CATALOG/corpus/cdf/cdf_table_update_ops
stage_table "$src" "$dest" 0
create_synced corpus.cdf.cdf_table_update_ops_synced corpus.cdf.cdf_table_update_ops id TRIGGERED >/dev/null
"$LK" sync corpus.cdf.cdf_table_update_ops_synced --wait >/dev/null 2>&1
before=$(psql -XAtqc "select count(*), coalesce(sum(id),0) from cdf.cdf_table_update_ops_synced")
stage_commits "$src" "$dest" "$(latest_version "$src")"
err=$("$LK" sync corpus.cdf.cdf_table_update_ops_synced --wait 2>&1 >/dev/null)
status=$?
tap_is "$status" 1 "$table: unknown change types fail the run"
tap_like "$err" "change type 'update_p" "$table: the error names the change type"
tap_is "$(psql -XAtqc "select count(*), coalesce(sum(id),0) from cdf.cdf_table_update_ops_synced")" \
	"$before" "$table: the target is left as it was"
tap_is "$(synced_version corpus.cdf.cdf_table_update_ops_synced)" 0 "$table: the cursor stays"

tap_done
