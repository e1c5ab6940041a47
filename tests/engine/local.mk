# tests/engine: the sync engine end to end against a throwaway PostgreSQL.
check_PROGRAMS += tests/engine/snapshot_oracle
tests_engine_snapshot_oracle_SOURCES = tests/engine/snapshot_oracle.c
tests_engine_snapshot_oracle_CFLAGS = $(LK_TEST_CFLAGS)
tests_engine_snapshot_oracle_LDADD = $(LK_TEST_LIBS)
TESTS += \
	tests/engine/test_engine_cdf_corpus.sh \
	tests/engine/test_cli_synced_tables.sh \
	tests/engine/test_exactly_once.sh \
	tests/engine/test_two_engines.sh \
	tests/engine/test_engine_scheduling.sh \
	tests/engine/test_engine_fixtures.sh
EXTRA_DIST += tests/engine
check_PROGRAMS += tests/engine/fixture
tests_engine_fixture_SOURCES = tests/engine/fixture.c
tests_engine_fixture_CFLAGS = $(LK_TEST_CFLAGS)
tests_engine_fixture_LDADD = $(LK_TEST_LIBS)
