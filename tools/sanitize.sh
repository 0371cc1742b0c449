#!/usr/bin/env bash
# The hostile-input evidence of CI (issue 8), each part failing loudly:
#   1. the whole test suite under AddressSanitizer + UndefinedBehaviorSanitizer;
#   2. the concurrency tests under ThreadSanitizer;
#   3. a libFuzzer smoke pass (SFRAME_FUZZ_SECONDS per target, default 30);
#   4. the constant-time checks (MemorySanitizer for the VAES kernels,
#      valgrind memcheck for the portable paths), and their self-tests.
# The VAES kernel sources are compiled without instrumentation in parts 1-3
# (see SFRAME_GCM_KERNEL_OPTIONS in CMakeLists.txt: the guard-page tests
# check their memory accesses, part 4 their constant time).
# Usage: tools/sanitize.sh [asan|tsan|fuzz|ct]...   (default: all)
set -euo pipefail
cd "$(dirname "$0")/.."
tools/deps.sh build test fuzz ct
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(asan tsan fuzz ct)
jobs=$(nproc)
kernels=-DSFRAME_GCM_KERNEL_OPTIONS=-fno-sanitize=all

for part in "${parts[@]}"; do
  case "$part" in
    asan)
      # Examples included: the WebRTC adapter's, the C example's and the
      # conference's tests run under the sanitizers too.
      cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "$kernels" \
        -DSFRAME_BUILD_EXAMPLES=ON \
        -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=address,undefined" \
        -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=address,undefined" >/dev/null
      cmake --build build-asan -j"$jobs"
      # The flood test bounds RSS; ASan's quarantine would count against it.
      ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=16 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        ctest --test-dir build-asan --output-on-failure -j"$jobs" -E "consumer_test|python_example|ct_valgrind"
      ;;
    tsan)
      cmake -S . -B build-tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        "$kernels" \
        -DSFRAME_BUILD_EXAMPLES=OFF \
        -DCMAKE_CXX_FLAGS="-fsanitize=thread -fno-omit-frame-pointer" \
        -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" \
        -DCMAKE_SHARED_LINKER_FLAGS="-fsanitize=thread" >/dev/null
      cmake --build build-tsan -j"$jobs" --target keys_concurrency_test
      TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1 \
        build-tsan/tests/keys_concurrency_test
      ;;
    fuzz)
      # The kernels keep the coverage instrumentation (not the sanitizers):
      # it guides the fuzzer through their lane-group shapes, for about 15%
      # more of their compile time.
      CC=clang CXX=clang++ cmake -S . -B build-fuzz -DSFRAME_FUZZ=ON \
        "$kernels;-fsanitize=fuzzer-no-link" \
        -DSFRAME_BUILD_TESTS=OFF -DSFRAME_BUILD_EXAMPLES=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
      cmake --build build-fuzz -j"$jobs"
      # One target per seed corpus (a stale binary in build-fuzz is ignored;
      # a missing one fails).
      for corpus in fuzz/corpus/*/; do
        name=$(basename "$corpus")
        f=build-fuzz/fuzz/${name}_fuzzer
        [ -x "$f" ] || { echo "fuzzer $name not built"; exit 1; }
        work=$(mktemp -d)
        echo "== fuzz smoke: $name (${SFRAME_FUZZ_SECONDS:-30} s)"
        status=0
        "$f" -max_total_time="${SFRAME_FUZZ_SECONDS:-30}" -print_final_stats=1 \
          -artifact_prefix="$work/" "$work" "fuzz/corpus/$name" \
          >"$work/log" 2>&1 || status=$?
        grep -E "stat::number_of_executed_units|DONE" "$work/log" || true
        # libFuzzer exits non-zero on any finding (crash, sanitizer report,
        # invariant abort). A run that stopped early is a failure too.
        if [ "$status" -ne 0 ] || ! grep -q "DONE" "$work/log"; then
          tail -n 40 "$work/log"
          echo "fuzzer $name FAILED (exit $status)"
          exit 1
        fi
        rm -rf "$work"
      done
      ;;
    ct)
      CC=clang CXX=clang++ cmake -S . -B build-ct-msan -DSFRAME_CT_MSAN=ON \
        -DSFRAME_BUILD_TESTS=OFF -DSFRAME_BUILD_EXAMPLES=OFF \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
      cmake --build build-ct-msan -j"$jobs" --target ct_msan_test ct_msan_selftest
      ctest --test-dir build-ct-msan --output-on-failure
      ;;
    *) echo "sanitize.sh: unknown part '$part'" >&2; exit 2 ;;
  esac
done
echo "sanitize.sh: ${parts[*]} passed"
