// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §5.1 sender keys: the ratcheting send stream and the multi-sender
// receiver with tentative ratchet resolution.

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "sframe/keys.h"
#include "src/core/header_internal.h"
#include "src/crypto/secret.h"
#include "src/keys/ratchet.h"

namespace sframe {

using internal::SecretBuffer;

namespace {

SecretBuffer CopySecret(absl::Span<const uint8_t> bytes) {
  SecretBuffer out(bytes.size());
  if (!bytes.empty()) memcpy(out.data(), bytes.data(), bytes.size());
  return out;
}

void Zero(absl::Span<uint8_t> out) {
  if (!out.empty()) memset(out.data(), 0, out.size());
}

}  // namespace

// ------------------------------------------------------ SenderKeyEncryptor

struct SenderKeyEncryptor::State {
  State(CipherSuite suite, int ratchet_bits, uint64_t generation, uint64_t step,
        SecretBuffer base_key, Encryptor encryptor, const Options& options)
      : suite(suite),
        ratchet_bits(ratchet_bits),
        generation(generation),
        step(step),
        base_key(std::move(base_key)),
        encryptor(std::move(encryptor)),
        options(options) {}

  const CipherSuite suite;
  const int ratchet_bits;
  mutable std::mutex mu;  // guards every member below that is not const
  uint64_t generation;
  uint64_t step;
  SecretBuffer base_key;  // the key at `step`
  Encryptor encryptor;
  const Options options;

  absl::StatusOr<Encryptor> MakeEncryptor(KeyId key_id,
                                          absl::Span<const uint8_t> key,
                                          Counter first_counter) const {
    Encryptor::Options o;
    o.first_counter = first_counter;
    o.reserve_counters = options.reserve_counters;
    o.reservation_block = options.reservation_block;
    return Encryptor::Create(suite, key_id, key, o);
  }
};

SenderKeyEncryptor::SenderKeyEncryptor(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
SenderKeyEncryptor::SenderKeyEncryptor(SenderKeyEncryptor&&) noexcept = default;
SenderKeyEncryptor& SenderKeyEncryptor::operator=(
    SenderKeyEncryptor&&) noexcept = default;
SenderKeyEncryptor::~SenderKeyEncryptor() = default;

absl::StatusOr<SenderKeyEncryptor> SenderKeyEncryptor::Create(
    CipherSuite suite, int ratchet_bits, uint64_t generation,
    absl::Span<const uint8_t> base_key) {
  return Create(suite, ratchet_bits, generation, base_key, Options());
}

absl::StatusOr<SenderKeyEncryptor> SenderKeyEncryptor::Create(
    CipherSuite suite, int ratchet_bits, uint64_t generation,
    absl::Span<const uint8_t> base_key, const Options& options) {
  if (!CipherSuiteFromId(static_cast<uint16_t>(suite)).ok()) {
    return absl::InvalidArgumentError("unknown cipher suite");
  }
  absl::StatusOr<KeyId> kid =
      SenderKeyId(ratchet_bits, generation, options.step);
  if (!kid.ok()) return kid.status();
  Encryptor::Options o;
  o.first_counter = options.first_counter;
  o.reserve_counters = options.reserve_counters;
  o.reservation_block = options.reservation_block;
  absl::StatusOr<Encryptor> enc = Encryptor::Create(suite, *kid, base_key, o);
  if (!enc.ok()) return enc.status();
  return SenderKeyEncryptor(
      std::make_unique<State>(suite, ratchet_bits, generation, options.step,
                              CopySecret(base_key), *std::move(enc), options));
}

size_t SenderKeyEncryptor::CiphertextSize(size_t plaintext_size) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->encryptor.CiphertextSize(plaintext_size);
}

absl::StatusOr<absl::Span<uint8_t>> SenderKeyEncryptor::Encrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> plaintext,
    absl::Span<uint8_t> out) {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->encryptor.Encrypt(metadata, plaintext, out);
}

absl::Status SenderKeyEncryptor::Ratchet() {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.step == std::numeric_limits<uint64_t>::max()) {
    return absl::ResourceExhaustedError("ratchet step space exhausted");
  }
  SecretBuffer next(HashSize(s.suite));
  if (absl::Status r = RatchetBaseKey(s.suite, s.base_key.span(), next.span());
      !r.ok()) {
    return r;
  }
  absl::StatusOr<KeyId> kid =
      SenderKeyId(s.ratchet_bits, s.generation, s.step + 1);
  if (!kid.ok()) return kid.status();
  absl::StatusOr<Encryptor> enc = s.MakeEncryptor(*kid, next.span(), 0);
  if (!enc.ok()) return enc.status();
  // The old Encryptor and base key are wiped as they are replaced.
  s.encryptor = *std::move(enc);
  s.base_key = std::move(next);
  ++s.step;
  return absl::OkStatus();
}

absl::Status SenderKeyEncryptor::Rekey(absl::Span<const uint8_t> new_base_key) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  if (new_base_key.empty()) {
    return absl::InvalidArgumentError("base_key must not be empty");
  }
  absl::StatusOr<KeyId> kid =
      s.generation == std::numeric_limits<uint64_t>::max()
          ? absl::InvalidArgumentError("")
          : SenderKeyId(s.ratchet_bits, s.generation + 1, 0);
  if (!kid.ok()) {
    return absl::ResourceExhaustedError("generation space exhausted");
  }
  absl::StatusOr<Encryptor> enc = s.MakeEncryptor(*kid, new_base_key, 0);
  if (!enc.ok()) return enc.status();
  s.encryptor = *std::move(enc);
  s.base_key = CopySecret(new_base_key);
  ++s.generation;
  s.step = 0;
  return absl::OkStatus();
}

KeyId SenderKeyEncryptor::key_id() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->encryptor.key_id();
}
uint64_t SenderKeyEncryptor::generation() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->generation;
}
uint64_t SenderKeyEncryptor::step() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->step;
}
Counter SenderKeyEncryptor::next_counter() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->encryptor.next_counter();
}

// ------------------------------------------------------ SenderKeyDecryptor

namespace {

// A superseded step still installed for reordered frames.
struct Retained {
  uint64_t step;
  KeyId key_id;
  absl::Time retire_at;
  uint64_t retire_after_frames;
};

// One generation of one sender: its newest step and that step's base key
// (the head of the ratchet chain), and older steps kept for a grace period.
struct Generation {
  uint64_t number = 0;
  uint64_t step = 0;
  KeyId key_id = 0;                // KID of `step`
  SecretBuffer base_key;           // base key at `step`
  std::vector<Retained> retained;  // ascending steps
  bool superseded = false;
  absl::Time retire_at = absl::InfiniteFuture();
  uint64_t retire_after_frames = std::numeric_limits<uint64_t>::max();
};

struct Sender {
  Sender(SenderId id, int ratchet_bits, Decryptor decryptor, uint32_t ahead,
         uint32_t retained)
      : id(id),
        ratchet_bits(ratchet_bits),
        decryptor(std::move(decryptor)),
        max_ahead(ahead),
        max_retained(retained) {}

  const SenderId id;
  const int ratchet_bits;
  Decryptor decryptor;
  const uint32_t max_ahead;     // clamped to the KID space
  const uint32_t max_retained;  // clamped to the KID space
  // Oldest first; back() is the newest generation.
  std::vector<std::unique_ptr<Generation>> generations;
  SenderStats stats;
  uint64_t frames = 0;  // verified frames: drives grace_frames

  uint64_t StepMask() const { return (uint64_t{1} << ratchet_bits) - 1; }
  Generation* Find(uint64_t number) {
    for (auto& g : generations) {
      if (g->number == number) return g.get();
    }
    return nullptr;
  }
};

}  // namespace

struct SenderKeyDecryptor::State {
  State(CipherSuite suite, const Options& options)
      : suite(suite), options(options) {}

  const CipherSuite suite;
  const Options options;
  mutable std::mutex mu;  // guards every member below that is not const
  absl::flat_hash_map<SenderId, std::unique_ptr<Sender>> senders;
  uint64_t unknown_sender_frames = 0;
  // No retained key or generation expires by time before this.
  absl::Time next_deadline = absl::InfiniteFuture();

  void Emit(KeyEventType type, SenderId sender, KeyId key_id,
            Counter counter) const {
    if (options.on_event) options.on_event({type, sender, key_id, counter});
  }

  void RetireKey(Sender& s, KeyId key_id) {
    if (s.decryptor.RemoveKey(key_id).ok()) {
      ++s.stats.keys_retired;
      Emit(KeyEventType::kKeyRetired, s.id, key_id, 0);
    }
  }

  void RetireGeneration(Sender& s, Generation& g) {
    for (const Retained& r : g.retained) RetireKey(s, r.key_id);
    g.retained.clear();
    RetireKey(s, g.key_id);
  }

  // Removes what has expired for one sender; returns the earliest time
  // deadline left.
  absl::Time ExpireSender(Sender& s, absl::Time now) {
    absl::Time earliest = absl::InfiniteFuture();
    auto due = [&](absl::Time at, uint64_t frames) {
      return now >= at || s.frames >= frames;
    };
    for (auto it = s.generations.begin(); it != s.generations.end();) {
      Generation& g = **it;
      if (g.superseded && due(g.retire_at, g.retire_after_frames)) {
        RetireGeneration(s, g);
        it = s.generations.erase(it);
        continue;
      }
      if (g.superseded) earliest = std::min(earliest, g.retire_at);
      auto keep = g.retained.begin();
      for (Retained& r : g.retained) {
        if (due(r.retire_at, r.retire_after_frames)) {
          RetireKey(s, r.key_id);
        } else {
          earliest = std::min(earliest, r.retire_at);
          *keep++ = r;
        }
      }
      g.retained.erase(keep, g.retained.end());
      ++it;
    }
    return earliest;
  }

  void ExpireAll(absl::Time now) {
    absl::Time earliest = absl::InfiniteFuture();
    for (auto& [id, s] : senders) {
      earliest = std::min(earliest, ExpireSender(*s, now));
    }
    next_deadline = earliest;
  }

  // After a verified frame at `new_step` of `g` (its key already installed by
  // DecryptWithCandidateKey): keep the newest `max_retained` older steps,
  // installing skipped ones from the chain, and advance the head.
  void CommitStep(Sender& s, Generation& g, uint64_t new_step, KeyId new_kid,
                  absl::Span<const uint8_t> new_base_key, absl::Time now) {
    const uint64_t keep_from =
        new_step - std::min<uint64_t>(new_step, s.max_retained);
    const absl::Time retire_at = internal::AddGrace(now, options.grace_period);
    const uint64_t retire_frames =
        internal::SaturatingAdd(s.frames + 1, options.grace_frames);
    std::vector<Retained> kept;
    kept.reserve(s.max_retained);
    for (const Retained& r : g.retained) {
      if (r.step >= keep_from) {
        kept.push_back(r);
      } else {
        RetireKey(s, r.key_id);
      }
    }
    if (g.step >= keep_from) {
      kept.push_back({g.step, g.key_id, retire_at, retire_frames});
    } else {
      RetireKey(s, g.key_id);
    }
    // Skipped steps inside the retained range (bounded by max_retained):
    // derived from the old head so that reordered frames still decrypt.
    if (new_step - g.step > 1 && keep_from < new_step) {
      uint8_t chain[64];
      const size_t nh = HashSize(suite);
      bool ok = RatchetBaseKey(suite, g.base_key.span(), {chain, nh}).ok();
      for (uint64_t t = g.step + 1; ok && t < new_step; ++t) {
        if (t >= keep_from) {
          absl::StatusOr<KeyId> kid = SenderKeyId(s.ratchet_bits, g.number, t);
          if (kid.ok() && s.decryptor.AddKey(*kid, {chain, nh}).ok()) {
            kept.push_back({t, *kid, retire_at, retire_frames});
          }
        }
        if (t + 1 < new_step) {
          ok = RatchetBaseKey(suite, {chain, nh}, {chain, nh}).ok();
        }
      }
      internal::WipeSecret(chain, sizeof(chain));
    }
    std::sort(
        kept.begin(), kept.end(),
        [](const Retained& a, const Retained& b) { return a.step < b.step; });
    s.stats.ratchet_steps += new_step - g.step;
    Emit(KeyEventType::kRatchetStep, s.id, new_kid, new_step - g.step);
    g.retained = std::move(kept);
    g.step = new_step;
    g.key_id = new_kid;
    g.base_key = CopySecret(new_base_key);
    next_deadline = std::min(next_deadline, retire_at);
  }
};

SenderKeyDecryptor::SenderKeyDecryptor(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
SenderKeyDecryptor::SenderKeyDecryptor(SenderKeyDecryptor&&) noexcept = default;
SenderKeyDecryptor& SenderKeyDecryptor::operator=(
    SenderKeyDecryptor&&) noexcept = default;
SenderKeyDecryptor::~SenderKeyDecryptor() = default;

absl::StatusOr<SenderKeyDecryptor> SenderKeyDecryptor::Create(
    CipherSuite suite) {
  return Create(suite, Options());
}

absl::StatusOr<SenderKeyDecryptor> SenderKeyDecryptor::Create(
    CipherSuite suite, const Options& options) {
  Decryptor::Options o;
  o.replay_window = options.replay_window;
  // Validates the suite and the window once, here.
  absl::StatusOr<Decryptor> probe = Decryptor::Create(suite, o);
  if (!probe.ok()) return probe.status();
  return SenderKeyDecryptor(std::make_unique<State>(suite, options));
}

absl::Status SenderKeyDecryptor::AddSender(SenderId sender, int ratchet_bits) {
  State& st = *state_;
  if (ratchet_bits < 0 || ratchet_bits > 63) {
    return absl::InvalidArgumentError("ratchet_bits must be in [0, 63]");
  }
  std::lock_guard<std::mutex> lock(st.mu);
  if (st.senders.contains(sender)) {
    return absl::AlreadyExistsError("sender already added");
  }
  Decryptor::Options o;
  o.replay_window = st.options.replay_window;
  absl::StatusOr<Decryptor> dec = Decryptor::Create(st.suite, o);
  if (!dec.ok()) return dec.status();
  // Only R bits of the step are on the wire: the newest step, the retained
  // ones and the ones reachable ahead must have distinct low bits.
  const uint64_t slots = ratchet_bits >= 33 ? uint64_t{1} << 32
                                            : (uint64_t{1} << ratchet_bits) - 1;
  const uint32_t ahead = static_cast<uint32_t>(
      std::min<uint64_t>(st.options.max_steps_ahead, slots));
  const uint32_t retained = static_cast<uint32_t>(
      std::min<uint64_t>(st.options.max_retained_steps, slots - ahead));
  st.senders.emplace(
      sender, std::make_unique<Sender>(sender, ratchet_bits, *std::move(dec),
                                       ahead, retained));
  return absl::OkStatus();
}

absl::Status SenderKeyDecryptor::RemoveSender(SenderId sender) {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) {
    return absl::NotFoundError("unknown sender");
  }
  state_->senders.erase(it);  // every key and chain head is wiped
  return absl::OkStatus();
}

absl::Status SenderKeyDecryptor::InstallKey(
    SenderId sender, uint64_t generation, uint64_t step,
    absl::Span<const uint8_t> base_key) {
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  auto it = st.senders.find(sender);
  if (it == st.senders.end()) return absl::NotFoundError("unknown sender");
  Sender& s = *it->second;
  if (base_key.empty()) {
    return absl::InvalidArgumentError("base_key must not be empty");
  }
  absl::StatusOr<KeyId> kid = SenderKeyId(s.ratchet_bits, generation, step);
  if (!kid.ok()) return kid.status();
  if (s.Find(generation) != nullptr) {
    return absl::AlreadyExistsError("this generation is installed");
  }
  if (!s.generations.empty() && s.generations.back()->number > generation) {
    return absl::FailedPreconditionError(
        "a newer generation of this sender is installed");
  }
  if (absl::Status added = s.decryptor.AddKey(*kid, base_key); !added.ok()) {
    return added;
  }
  auto g = std::make_unique<Generation>();
  g->number = generation;
  g->step = step;
  g->key_id = *kid;
  g->base_key = CopySecret(base_key);
  g->retained.reserve(s.max_retained);
  // Rotation overlap: the previous generation keeps working for the grace
  // period, then is wiped.
  const absl::Time now = internal::ReadClock(st.options.clock);
  if (!s.generations.empty()) {
    Generation& previous = *s.generations.back();
    previous.superseded = true;
    previous.retire_at = internal::AddGrace(now, st.options.grace_period);
    previous.retire_after_frames =
        internal::SaturatingAdd(s.frames, st.options.grace_frames);
    st.next_deadline = std::min(st.next_deadline, previous.retire_at);
  }
  s.generations.push_back(std::move(g));
  while (s.generations.size() > 1 + st.options.max_previous_generations) {
    st.RetireGeneration(s, *s.generations.front());
    s.generations.erase(s.generations.begin());
  }
  return absl::OkStatus();
}

absl::StatusOr<absl::Span<uint8_t>> SenderKeyDecryptor::Decrypt(
    SenderId sender, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> ciphertext, absl::Span<uint8_t> out) {
  // The overlap rule first: a bad overlap writes nothing, whichever path
  // (unknown sender, derivation failure) would otherwise zero `out`.
  if (internal::BadDecryptOverlap(metadata.data(), metadata.size(),
                                  ciphertext.data(), ciphertext.size(),
                                  out.data(), out.size())) {
    return absl::Status(absl::StatusCode::kInvalidArgument, "");
  }
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  const absl::Time now = internal::ReadClock(st.options.clock);
  if (now >= st.next_deadline) st.ExpireAll(now);
  auto it = st.senders.find(sender);
  if (it == st.senders.end()) {
    ++st.unknown_sender_frames;
    st.Emit(KeyEventType::kUnknownSender, sender, 0, 0);
    Zero(out);
    return absl::Status(absl::StatusCode::kNotFound, "");
  }
  Sender& s = *it->second;
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(ciphertext);
  const bool well_formed =
      parsed.ok() && parsed->payload.size() >= TagSize(st.suite);
  const KeyId kid = well_formed ? parsed->header.key_id : 0;
  const Counter ctr = well_formed ? parsed->header.counter : 0;

  absl::StatusOr<absl::Span<uint8_t>> result;
  if (!well_formed || s.decryptor.HasKey(kid)) {
    result = s.decryptor.Decrypt(metadata, ciphertext, out);
  } else {
    // Unknown KID: a step ahead of a live generation's head, within bounds,
    // is tried with the ratcheted key (RFC 9605 §5.1). Nothing is committed
    // unless the tag verifies.
    const uint64_t mask = s.StepMask();
    Generation* g = s.Find(s.ratchet_bits == 0 ? kid : kid >> s.ratchet_bits);
    const uint64_t delta = g == nullptr ? 0 : ((kid & mask) - g->step) & mask;
    if (g != nullptr && delta >= 1 && delta <= s.max_ahead &&
        g->step <= std::numeric_limits<uint64_t>::max() - delta) {
      uint8_t candidate[64];
      const size_t nh = HashSize(st.suite);
      bool derived =
          RatchetBaseKey(st.suite, g->base_key.span(), {candidate, nh}).ok();
      for (uint64_t i = 1; derived && i < delta; ++i) {
        derived =
            RatchetBaseKey(st.suite, {candidate, nh}, {candidate, nh}).ok();
      }
      if (!derived) {
        Zero(out);
        result = absl::Status(absl::StatusCode::kInternal, "");
      } else {
        result = s.decryptor.DecryptWithCandidateKey({candidate, nh}, metadata,
                                                     ciphertext, out);
        if (result.ok()) {
          st.CommitStep(s, *g, g->step + delta, kid, {candidate, nh}, now);
        }
      }
      internal::WipeSecret(candidate, sizeof(candidate));
    } else {
      result = s.decryptor.Decrypt(metadata, ciphertext, out);  // kNotFound
    }
  }

  switch (result.status().code()) {
    case absl::StatusCode::kOk:
      ++s.stats.decrypted;
      ++s.frames;
      if (st.options.grace_frames != std::numeric_limits<uint64_t>::max()) {
        st.ExpireSender(s, now);
      }
      break;
    default:
      internal::RecordFailure(st, s.stats, result.status().code(), well_formed,
                              sender, /*malformed_sender=*/sender, kid, ctr);
      break;
  }
  return result;
}

void SenderKeyDecryptor::ExpireKeys() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->ExpireAll(internal::ReadClock(state_->options.clock));
}

bool SenderKeyDecryptor::HasSender(SenderId sender) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->senders.contains(sender);
}

size_t SenderKeyDecryptor::key_count(SenderId sender) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->senders.find(sender);
  return it == state_->senders.end() ? 0 : it->second->decryptor.key_count();
}

std::optional<uint64_t> SenderKeyDecryptor::current_step(
    SenderId sender) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->senders.find(sender);
  if (it == state_->senders.end() || it->second->generations.empty()) {
    return std::nullopt;
  }
  return it->second->generations.back()->step;
}

std::optional<uint64_t> SenderKeyDecryptor::current_generation(
    SenderId sender) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->senders.find(sender);
  if (it == state_->senders.end() || it->second->generations.empty()) {
    return std::nullopt;
  }
  return it->second->generations.back()->number;
}

std::optional<SenderStats> SenderKeyDecryptor::GetSenderStats(
    SenderId sender) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) return std::nullopt;
  return it->second->stats;
}

std::optional<KeyStats> SenderKeyDecryptor::GetKeyStats(SenderId sender,
                                                        KeyId key_id) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->senders.find(sender);
  if (it == state_->senders.end()) return std::nullopt;
  return it->second->decryptor.GetKeyStats(key_id);
}

uint64_t SenderKeyDecryptor::unknown_sender_frames() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->unknown_sender_frames;
}

}  // namespace sframe
