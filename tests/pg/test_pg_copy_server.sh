#!/usr/bin/env bash
# tests/pg/test_pg_copy_server.sh: runs the COPY encoder's server test against a throwaway
# PostgreSQL.
exec "$top_srcdir/tests/lib/with-pg" "$top_builddir/tests/pg/test_pg_copy_server"
