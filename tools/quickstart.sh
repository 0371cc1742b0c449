#!/usr/bin/env bash
# The main job: install what is missing, build, verify the official RFC 9605
# vectors with the CLI, then run the loopback conference demo
# (examples/conference: senders, a key-less SFU on 127.0.0.1, receivers,
# ratchet, rekey, a participant leaving, injected loss/reordering/duplicates).
#
# Arguments go to the conference demo (e.g. --duration 5 --suite 1 --loss 5;
# see `conference --help`). For compatibility, a leading bare number N first
# runs the older per-suite stream demo with N frames per suite.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh build
build=${SFRAME_BUILD_DIR:-build-release}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSFRAME_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target sframe conference stream_demo
echo
echo "== sframe vectors: the official RFC 9605 (and AES-256-CTR draft) vectors"
"$build/tools/sframe/sframe" vectors tests/data/test-vectors.json \
  tests/data/test-vectors-aes256.json tests/data/test-vectors-sframe-wg-main.json
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  echo
  "$build/examples/stream_demo" "$1"
  shift
fi
echo
echo "== examples/conference: a loopback SFrame conference through a key-less SFU"
"$build/examples/conference" "$@"
