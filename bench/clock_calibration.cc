// Copyright 2026 The sframecpp Authors.

#include "bench/clock_calibration.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace sframe {
namespace bench {

double CalibrateCoreGhz(int trials) {
#if defined(__x86_64__)
  constexpr uint64_t kIterations = 20'000'000;  // x 8 dependent adds
  std::vector<double> ghz;
  for (int t = 0; t < trials; ++t) {
    uint64_t x = 0;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < kIterations; ++i) {
      // Eight adds, each depending on the previous: 8 cycles per iteration
      // whatever the loop overhead (which runs in parallel).
      asm volatile(
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\t"
          "add $1, %0\n\tadd $1, %0\n\tadd $1, %0\n\tadd $1, %0"
          : "+r"(x));
    }
    const double ns = std::chrono::duration<double, std::nano>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    ghz.push_back(static_cast<double>(kIterations) * 8 / ns);
  }
  std::sort(ghz.begin(), ghz.end());
  return ghz[ghz.size() / 2];
#else
  (void)trials;
  return 0;
#endif
}

}  // namespace bench
}  // namespace sframe
