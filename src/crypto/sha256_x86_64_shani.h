// Copyright 2026 The sframecpp Authors.
//
// HMAC-SHA-256 (RFC 2104, FIPS 180-4) on the x86 SHA extensions (SHA-NI),
// for the AES-CTR-HMAC suites 1–3 (RFC 9605 §4.5.1).
//
// The key is set up once: the SHA-256 chaining values after the ipad block
// and after the opad block are stored, so a MAC costs only the message's own
// blocks plus two finalisation blocks (the inner padding block when the
// message does not leave room for it, and the outer block), and nothing is
// allocated. Example:
//
//   HmacSha256Key k;
//   if (Sha256ShaniSupported()) HmacSha256ShaniInit(&k, key, 32);
//   const absl::Span<const uint8_t> parts[] = {prefix, aad, ct};
//   uint8_t mac[32];
//   HmacSha256Shani(k, parts, mac);
//   ...
//   WipeSecret(&k, sizeof(k));
//
// Everything here is constant time with respect to the key and the data:
// branches and memory indices depend only on lengths.

#ifndef SFRAME_SRC_CRYPTO_SHA256_X86_64_SHANI_H_
#define SFRAME_SRC_CRYPTO_SHA256_X86_64_SHANI_H_

#include <cstddef>
#include <cstdint>

#include "absl/types/span.h"

namespace sframe {
namespace internal {

inline constexpr size_t kSha256DigestSize = 32;
inline constexpr size_t kSha256BlockSize = 64;

// Precomputed HMAC-SHA-256 key: the chaining values after compressing
// (key ^ ipad) and (key ^ opad), stored in the SHA-NI register layout (ABEF,
// CDGH). Key-equivalent secret material: the owner wipes it with WipeSecret.
struct HmacSha256Key {
  uint32_t inner[8];
  uint32_t outer[8];
};

// True if this CPU has SHA-NI, SSE4.1 and AVX2 (checked once).
bool Sha256ShaniSupported();

// Sets up `key` from `raw` (at most kSha256BlockSize bytes, which covers
// every SFrame suite's Nh). Requires Sha256ShaniSupported(). Temporaries are
// wiped before it returns.
void HmacSha256ShaniInit(HmacSha256Key* key, const uint8_t* raw,
                         size_t raw_len);

// Writes HMAC-SHA-256(key, parts[0] || parts[1] || ...) to `mac` (32 bytes).
// Requires Sha256ShaniSupported(). Allocates nothing; thread-safe for
// concurrent calls on one key.
void HmacSha256Shani(const HmacSha256Key& key,
                     absl::Span<const absl::Span<const uint8_t>> parts,
                     uint8_t* mac);

// One message of HmacSha256ShaniMulti: HMAC-SHA-256(*key, parts[0] ||
// parts[1] || ...) goes to `mac` (kSha256DigestSize bytes).
struct HmacSha256Job {
  const HmacSha256Key* key;
  absl::Span<const absl::Span<const uint8_t>> parts;
  uint8_t* mac;
};

// Optional callbacks of HmacSha256ShaniMulti, for per-message work of the
// caller (e.g. AES-CTR) that should run while the SHA unit is busy with other
// messages: the out-of-order core overlaps them, which a separate pass over
// the messages would not. Both are called exactly once per job, from the
// calling thread, at points that depend only on the lengths.
class HmacSha256MultiHooks {
 public:
  // Before jobs[index] or any byte its parts point to is read: the caller
  // may fill in the job, or produce the bytes (e.g. encrypt the ciphertext
  // that is MACed), here.
  virtual void BeforeMac(size_t index) = 0;
  // After jobs[index].mac was written.
  virtual void AfterMac(size_t index) = 0;

 protected:
  ~HmacSha256MultiHooks() = default;
};

// How many messages HmacSha256ShaniMulti hashes side by side when not told:
// the test hook's value if set, else the environment variable
// SFRAME_HMAC_LANES (1 to 4; read once, for benchmarks), else by CPU: 2 on
// AMD CPUs without AVX-512 (Zen 3), 4 on the others. Measured: on Zen 5, 4
// lanes ~75 cycles per block, 2 ~90, 1 ~135; on Zen 4, 2 and 4 lanes tie at
// their best; on Zen 3 2 lanes take 0.85 of 4 lanes' time in the CTR-HMAC
// batch, where sha256msg2 competes with sha256rnds2 for the SHA unit
// (docs/kernels.md). 1 lane takes about twice as long everywhere.
int HmacSha256Lanes();

// Test hook: forces HmacSha256Lanes() (1 to 4); 0 restores the default. Not
// thread-safe; tests only.
void SetHmacSha256LanesForTesting(int lanes);

// The same MACs as HmacSha256Shani on each job, computed several messages at
// a time: one SHA-NI stream is bound by the latency of its dependent rounds,
// so the compressions of `lanes` messages (1 to 4; any other value means
// HmacSha256Lanes(); keys and lengths may differ) are interleaved round by
// round, and a lane whose message is done takes the next job. `hooks` may be
// null. Requires Sha256ShaniSupported(). The jobs' `mac` buffers must not
// overlap each other or any input. Allocates nothing; constant time as above
// (branches depend only on lengths and the job count).
void HmacSha256ShaniMulti(absl::Span<const HmacSha256Job> jobs,
                          HmacSha256MultiHooks* hooks = nullptr, int lanes = 0);

// HmacSha256Lanes() for HmacSha256ShaniMultiEqual: forced the same way,
// else 4 on every CPU.
int HmacSha256EqualLanes();

// Messages of at most this many bytes can take HmacSha256ShaniMultiEqual.
inline constexpr size_t kSha256EqualMaxLen = 24 * kSha256BlockSize - 9;

// HmacSha256ShaniMulti for jobs whose messages all have the same length
// `len` (at most kSha256EqualMaxLen; the sum of each job's part sizes, once
// its BeforeMac has run). Groups of up to `lanes` messages (any other value
// than 1 to 4 means HmacSha256EqualLanes()), as even as they can be (9 jobs
// on 4 lanes: 3, 3, 3, since a group of one is latency-bound), then run all
// their blocks together, with no per-block planning: on Zen 3, 4 lanes here
// take about 0.9 of the time of HmacSha256ShaniMulti's default per MAC. A
// group's hooks run around it: BeforeMac for each of its jobs, the MACs,
// AfterMac for each. Uses 6 KiB of stack for the padded copies. Same contract
// otherwise. A caller's error is contained: for `len` over the limit the jobs
// go to HmacSha256ShaniMulti, and a job whose parts do not sum to `len` gets a
// wrong MAC but no memory is overrun.
void HmacSha256ShaniMultiEqual(absl::Span<const HmacSha256Job> jobs, size_t len,
                               HmacSha256MultiHooks* hooks = nullptr,
                               int lanes = 0);

// HmacSha256ShaniMultiEqual for messages of lengths that differ a little (a
// video frame's packets in per-packet mode, the last one shorter; runs of
// such from several frames or senders), at most kSha256EqualMaxLen each:
// lens[i] is the sum of jobs[i]'s part sizes once its BeforeMac has run.
// Groups of up to `lanes` consecutive jobs (as even as they can be) run in
// lockstep, each lane dropping out when its message ends. If that would leave
// more than one lane-block idle per 8 busy ones (scattered lengths), or a
// length is over the limit, all the jobs go to HmacSha256ShaniMulti instead.
// Lanes, hooks (BeforeMac for each job of a group, in any order, the MACs,
// AfterMac for each), stack and the containment of a caller's errors as in
// HmacSha256ShaniMultiEqual.
void HmacSha256ShaniLockstep(absl::Span<const HmacSha256Job> jobs,
                             const size_t* lens,
                             HmacSha256MultiHooks* hooks = nullptr,
                             int lanes = 0);

}  // namespace internal
}  // namespace sframe

#endif  // SFRAME_SRC_CRYPTO_SHA256_X86_64_SHANI_H_
