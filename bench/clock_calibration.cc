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
  constexpr uint64_t kIterations = 10'000'000;  // x 4 dependent multiplies
  std::vector<double> ghz;
  for (int t = 0; t < trials; ++t) {
    uint64_t x = 3;
    const auto start = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < kIterations; ++i) {
      // Four 64-bit multiplies, each depending on the previous: 3 cycles
      // each on Intel since Nehalem and AMD since Zen, so 12 cycles per
      // iteration whatever the loop overhead (which runs in parallel).
      // Not a chain of `add $1`: Golden Cove and later fold immediate adds
      // at rename, which read 2-4x the real clock (6.5-10.9 "GHz" on an
      // Emerald Rapids host that runs at 2.8 GHz).
      asm volatile("imul %0, %0\n\timul %0, %0\n\timul %0, %0\n\timul %0, %0"
                   : "+r"(x));
    }
    const double ns = std::chrono::duration<double, std::nano>(
                          std::chrono::steady_clock::now() - start)
                          .count();
    ghz.push_back(static_cast<double>(kIterations) * 12 / ns);
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
