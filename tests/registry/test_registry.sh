#!/usr/bin/env bash
# tests/registry/test_registry.sh: the registry tests against a throwaway PostgreSQL.
exec "$top_srcdir/tests/lib/with-pg" "$top_builddir/tests/registry/test_registry"
