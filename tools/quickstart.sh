#!/usr/bin/env bash
# The main job: install what is missing, build, verify the official RFC 9605
# vectors with the CLI, then run the sender/receiver stream demo.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh build
build=${SFRAME_BUILD_DIR:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSFRAME_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target sframe stream_demo
echo
echo "== sframe vectors: the official RFC 9605 (and AES-256-CTR draft) vectors"
"$build/tools/sframe/sframe" vectors tests/data/test-vectors.json \
  tests/data/test-vectors-aes256.json tests/data/test-vectors-sframe-wg-main.json
echo
"$build/examples/stream_demo" "$@"
