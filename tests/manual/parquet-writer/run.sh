#!/bin/sh
# tests/manual/parquet-writer/run.sh: the independent check of the Parquet writer. Builds
# roundtrip.c against a build directory's liblakesync.a, writes the files, and reads them back
# with hyparquet (npm), installed in a scratch directory outside the repository.
# Usage: tests/manual/parquet-writer/run.sh BUILD_DIR [SCRATCH_DIR]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../../.." && pwd)
build=$(cd "${1:?usage: run.sh BUILD_DIR [SCRATCH_DIR]}" && pwd)
scratch=${2:-/tmp/hyp}
mkdir -p "$scratch/out"
if [ ! -d "$scratch/node_modules/hyparquet" ]; then
	(cd "$scratch" && npm init -y >/dev/null && npm install hyparquet hyparquet-compressors)
fi
cc -std=gnu11 -O1 -g -Wall -Wextra -I"$build" -I"$top/src" -I"$top" \
	"$here/roundtrip.c" "$build/liblakesync.a" -lsnappy -lz -lzstd -lm -o "$scratch/roundtrip"
rm -f "$scratch"/out/*
"$scratch/roundtrip" "$scratch/out"
cp "$here/check.mjs" "$scratch/check.mjs"
cd "$scratch" && node check.mjs "$scratch/out"
