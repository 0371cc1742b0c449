#!/usr/bin/env bash
# Installs sframecpp into a temporary prefix, then builds and runs
# examples/consumer out of tree twice: with CMake (find_package, shared and
# static targets) and with pkg-config. Usage: tools/consumer_test.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?build dir}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null

cmake -S "$top/examples/consumer" -B "$work/cmake" \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake" -j"$(nproc)" >/dev/null
"$work/cmake/consumer"
"$work/cmake/consumer_static"

export PKG_CONFIG_PATH="$work/prefix/lib/pkgconfig:$work/prefix/lib/$(gcc -print-multiarch)/pkgconfig"
# shellcheck disable=SC2046
g++ -std=c++17 "$top/examples/consumer/main.cc" -o "$work/consumer_pc" \
  $(pkg-config --cflags --libs sframecpp)
"$work/consumer_pc"
"$work/prefix/bin/sframe" --help >/dev/null
echo "consumer builds (CMake shared, CMake static, pkg-config) all ran"
