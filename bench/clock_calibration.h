// Copyright 2026 The sframecpp Authors.
//
// Core clock estimate for VMs without a cycle counter.

#ifndef SFRAME_BENCH_CLOCK_CALIBRATION_H_
#define SFRAME_BENCH_CLOCK_CALIBRATION_H_

namespace sframe {
namespace bench {

// Times a long chain of dependent 64-bit multiplies (3 cycles each on every
// modern x86-64 core) against the steady clock and returns the core clock in
// GHz: the median of `trials` measurements. Returns 0 where it cannot
// measure (non-x86).
double CalibrateCoreGhz(int trials = 7);

}  // namespace bench
}  // namespace sframe

#endif  // SFRAME_BENCH_CLOCK_CALIBRATION_H_
