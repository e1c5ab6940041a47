#!/usr/bin/env bash
# tests/engine/test_cli_synced_tables.sh: the `lakesync database` verbs and `lakesync sync`
# against a throwaway PostgreSQL and small Delta tables written here (log only, no data
# files): create with every check that refuses a request, get, list with paging, update,
# sync of an empty table, delete with and without purge, and the exit statuses scripts
# rely on.
set -u
. "$top_srcdir/tests/lib/tap.sh"
. "$top_srcdir/tests/engine/lib.sh"
engine_test_begin

cdf='"delta.enableChangeDataFeed":"true"'
log_table "$LAKESYNC_CATALOG/lake/sales/orders" "$(field id long),$(field amount 'decimal(12,2)'),$(field note string)" "$cdf"
log_table "$LAKESYNC_CATALOG/lake/sales/no_cdf" "$(field id long)" ""
log_table "$LAKESYNC_CATALOG/lake/sales/odd_types" "$(field id long),$(field v variant),$(field w variant)" "$cdf"

create() { "$LK" database create-synced-database-table --json "$1"; }
spec() { # spec SOURCE KEY POLICY
	printf '"spec":{"source_table_full_name":"%s","primary_key_columns":["%s"],"scheduling_policy":"%s"}' "$1" "$2" "$3"
}

# --- create ---------------------------------------------------------------------------
out=$(create "{\"name\":\"lake.sales.orders_synced\",$(spec lake.sales.orders id TRIGGERED)}")
tap_is "$?" 0 "create exits 0"
tap_like "$out" '"detailed_state":[[:space:]]*"SYNCED_TABLE_PROVISIONING"' "create returns the table provisioning"
tap_like "$out" '"pipeline_id":[[:space:]]*"[0-9a-f-]{36}"' "create assigns a pipeline id"
tap_like "$out" '"effective_logical_database_name":[[:space:]]*"postgres"' "the database defaults to libpq's"
tap_like "$out" '"effective_database_instance_name":[[:space:]]*"default"' "the instance defaults to the default project"

err=$(create "{\"name\":\"lake.sales.orders_synced\",$(spec lake.sales.orders id TRIGGERED)}" 2>&1)
tap_is "$?" 1 "a duplicate create exits 1"
tap_like "$err" "^lakesync: synced table lake.sales.orders_synced already exists$" "and says so"

err=$(create "{\"name\":\"lake.sales.nc_synced\",$(spec lake.sales.no_cdf id CONTINUOUS)}" 2>&1)
tap_is "$?" 1 "CONTINUOUS on a table without Change Data Feed is refused"
tap_like "$err" "ALTER TABLE lake.sales.no_cdf SET TBLPROPERTIES \(delta.enableChangeDataFeed = true\)" \
	"the error gives the exact command that enables it"
tap_ok "SNAPSHOT on it is accepted" create "{\"name\":\"lake.sales.nc_synced\",$(spec lake.sales.no_cdf id SNAPSHOT)}"

err=$(create "{\"name\":\"lake.sales.odd_synced\",$(spec lake.sales.odd_types id SNAPSHOT)}" 2>&1)
tap_is "$?" 1 "unsupported column types are refused"
tap_like "$err" "v \(variant\), w \(variant\)" "every unsupported column is named"

err=$(create "{\"name\":\"lake.sales.k_synced\",$(spec lake.sales.orders nope SNAPSHOT)}" 2>&1)
tap_like "$err" "primary key column 'nope' is not a column of the source table" "an unknown key column is named"
err=$(create "{\"name\":\"lake.sales-x.orders\",$(spec lake.sales.orders id SNAPSHOT)}" 2>&1)
tap_like "$err" "the schema name must be letters, digits and underscores" "a bad name is refused"
err=$(create "{\"name\":\"lake.sales.m_synced\",$(spec lake.sales.missing id SNAPSHOT)}" 2>&1)
tap_like "$err" "table lake.sales.missing not found" "a missing source table is named"
err=$(create "{\"name\":\"lake.sales.i_synced\",\"database_instance_name\":\"prod\",$(spec lake.sales.orders id SNAPSHOT)}" 2>&1)
tap_like "$err" "database instance 'prod' is not configured" "an unknown instance is named"
err=$(create '{"name": oops}' 2>&1)
tap_is "$?" 1 "malformed JSON exits 1"
tap_like "$err" "malformed JSON near byte" "and says where"
"$LK" database create-synced-database-table >/dev/null 2>&1
tap_is "$?" 2 "a missing --json is a usage error (exit 2)"
"$LK" database frobnicate >/dev/null 2>&1
tap_is "$?" 2 "an unknown verb is a usage error (exit 2)"
tap_is "$(psql -XAtqc "select count(*) from lakesync.synced_tables")" 2 "refused requests stored nothing"

# --- get, list, update ----------------------------------------------------------------
out=$("$LK" database get-synced-database-table lake.sales.orders_synced)
tap_like "$out" '"source_table_full_name":[[:space:]]*"lake.sales.orders"' "get prints the table"
err=$("$LK" database get-synced-database-table lake.sales.nothing 2>&1)
tap_is "$?" 1 "get of an unknown table exits 1"
tap_like "$err" "synced table lake.sales.nothing does not exist" "and names it"
out=$("$LK" database list-synced-database-tables)
tap_is "$(printf '%s' "$out" | grep -c '"name":')" 2 "list shows every table"
out=$("$LK" database list-synced-database-tables default --page-size 1)
tap_like "$out" '"next_page_token":[[:space:]]*"lake.sales.nc_synced"' "a page carries the next token"
out=$("$LK" database list-synced-database-tables default --page-size 1 --page-token lake.sales.nc_synced)
tap_like "$out" '"name":[[:space:]]*"lake.sales.orders_synced"' "the next page continues"
tap_unlike "$out" 'next_page_token' "the last page has no token"
out=$("$LK" database update-synced-database-table lake.sales.orders_synced spec.schedule --json '{"spec":{"schedule":"5m"}}')
tap_like "$out" '"schedule":[[:space:]]*"5m"' "update sets spec.schedule"
err=$("$LK" database update-synced-database-table lake.sales.orders_synced spec.source_table_full_name --json '{"spec":{}}' 2>&1)
tap_like "$err" "cannot be updated" "an immutable field cannot be updated"

# --- sync an empty table, delete ---------------------------------------------------------
out=$("$LK" sync lake.sales.orders_synced --wait)
tap_is "$?" 0 "sync of an empty source exits 0"
tap_like "$out" "at version 0 \(full load" "it was a full load to version 0"
tap_is "$(psql -XAtqc "select count(*) from sales.orders_synced")" 0 "the target table exists, empty"
tap_is "$(psql -XAtqc "select format_type(atttypid, atttypmod) from pg_attribute where attrelid = 'sales.orders_synced'::regclass and attname = 'amount'")" \
	"numeric(12,2)" "decimal(12,2) became numeric(12,2)"
tap_is "$(psql -XAtqc "select string_agg(a.attname, ',') from pg_index i join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any(i.indkey) where i.indrelid = 'sales.orders_synced'::regclass and i.indisprimary")" \
	"id" "the primary key is built"
tap_is "$(synced_version lake.sales.orders_synced)" 0 "get reports the synced version"
err=$("$LK" sync lake.sales.nothing 2>&1)
tap_is "$?" 1 "sync of an unknown table exits 1"
"$LK" sync >/dev/null 2>&1
tap_is "$?" 2 "sync without a name is a usage error"

tap_ok "delete without purge" "$LK" database delete-synced-database-table lake.sales.orders_synced
tap_is "$(psql -XAtqc "select count(*) from pg_tables where schemaname = 'sales' and tablename = 'orders_synced'")" \
	1 "without purge the PostgreSQL table stays"
tap_ok "the same name can be created again" create "{\"name\":\"lake.sales.orders_synced\",$(spec lake.sales.orders id SNAPSHOT)}"
tap_ok "and synced (a new pipeline starts with a full load)" "$LK" sync lake.sales.orders_synced
tap_ok "delete with purge" "$LK" database delete-synced-database-table lake.sales.orders_synced --purge-data
tap_is "$(psql -XAtqc "select count(*) from pg_tables where schemaname = 'sales' and tablename = 'orders_synced'")" \
	0 "with purge the PostgreSQL table is dropped"
err=$("$LK" database delete-synced-database-table lake.sales.orders_synced 2>&1)
tap_is "$?" 1 "deleting it again exits 1"

# --- a project's branch routes the rows to its database ----------------------------------------
psql -XAtqc "create database devdb" >/dev/null
cat >"$work/lakesync.conf" <<EOS
projects = ( { name = "default"; },
             { name = "shop"; branches = ( { name = "main"; },
                                           { name = "dev"; database = "devdb"; } ); } );
state = { project = "default"; };
EOS
out=$(LAKESYNC_CONFIG=$work/lakesync.conf create "{\"name\":\"lake.sales.dev_synced\",\"database_instance_name\":\"shop/dev\",$(spec lake.sales.orders id SNAPSHOT)}")
tap_like "$out" '"effective_logical_database_name":[[:space:]]*"devdb"' "an instance project/branch takes the branch's database"
tap_ok "and syncs there" env LAKESYNC_CONFIG="$work/lakesync.conf" "$LK" sync lake.sales.dev_synced
tap_is "$(psql -XAtq -d devdb -c "select count(*) from pg_tables where schemaname = 'sales' and tablename = 'dev_synced'")" \
	1 "the table is in devdb"
tap_is "$(psql -XAtq -d devdb -c "select count(*) from lakesync.cursors where synced_table = 'lake.sales.dev_synced'")" \
	1 "with its cursor beside it"
err=$(LAKESYNC_CONFIG=$work/lakesync.conf create "{\"name\":\"lake.sales.qa_synced\",\"database_instance_name\":\"shop/qa\",$(spec lake.sales.orders id SNAPSHOT)}" 2>&1)
tap_like "$err" "project 'shop' has no branch 'qa'" "an unknown branch is named"

# --- several first loads into one new schema at once ----------------------------------------
# (CREATE SCHEMA IF NOT EXISTS races with itself; the engine serialises it.)
pids=
for i in 1 2 3 4 5 6; do
	create "{\"name\":\"lake.fresh.t${i}_synced\",$(spec lake.sales.orders id SNAPSHOT)}" >/dev/null
done
for i in 1 2 3 4 5 6; do
	"$LK" sync lake.fresh.t${i}_synced >"$work/par$i.out" 2>&1 &
	pids="$pids $!"
done
failed=0
for pid in $pids; do wait "$pid" || failed=$((failed + 1)); done
tap_is "$failed" 0 "six first loads into one new schema at once all succeed"
tap_is "$(psql -XAtqc "select count(*) from pg_tables where schemaname = 'fresh'")" 6 \
	"six tables in the new schema"

tap_done
