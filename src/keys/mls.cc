// Copyright 2026 The sframecpp Authors.
//
// RFC 9605 §5.2: MLS epochs. One exported base key per epoch; per-sender and
// per-context separation comes only from the KID, which is part of the
// key-derivation labels (§4.4.2).

#include <algorithm>
#include <cstring>
#include <mutex>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "sframe/keys.h"
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

uint64_t EpochMask(int epoch_bits) {
  return epoch_bits >= 64 ? ~uint64_t{0} : (uint64_t{1} << epoch_bits) - 1;
}

}  // namespace

// ------------------------------------------------------------ MlsEncryptor

struct MlsEncryptor::State {
  State(CipherSuite suite, const MlsKeyIdLayout& layout, uint64_t index,
        const Options& options)
      : suite(suite), layout(layout), sender_index(index), options(options) {}

  const CipherSuite suite;
  const MlsKeyIdLayout layout;
  const uint64_t sender_index;
  const Options options;
  mutable std::mutex mu;  // guards every member below that is not const
  std::optional<uint64_t> epoch;
  SecretBuffer base_key;
  // One Encryptor (KID and counter) per context used in this epoch.
  absl::flat_hash_map<uint64_t, Encryptor> streams;
};

MlsEncryptor::MlsEncryptor(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
MlsEncryptor::MlsEncryptor(MlsEncryptor&&) noexcept = default;
MlsEncryptor& MlsEncryptor::operator=(MlsEncryptor&&) noexcept = default;
MlsEncryptor::~MlsEncryptor() = default;

absl::StatusOr<MlsEncryptor> MlsEncryptor::Create(CipherSuite suite,
                                                  const MlsKeyIdLayout& layout,
                                                  uint64_t sender_index) {
  return Create(suite, layout, sender_index, Options());
}

absl::StatusOr<MlsEncryptor> MlsEncryptor::Create(CipherSuite suite,
                                                  const MlsKeyIdLayout& layout,
                                                  uint64_t sender_index,
                                                  const Options& options) {
  if (!CipherSuiteFromId(static_cast<uint16_t>(suite)).ok()) {
    return absl::InvalidArgumentError("unknown cipher suite");
  }
  absl::StatusOr<KeyId> probe = MlsKeyId(layout, 0, sender_index, 0);
  if (!probe.ok()) return probe.status();
  if (options.reserve_counters && options.reservation_block == 0) {
    return absl::InvalidArgumentError("reservation_block must be >= 1");
  }
  return MlsEncryptor(
      std::make_unique<State>(suite, layout, sender_index, options));
}

absl::Status MlsEncryptor::SetEpoch(uint64_t epoch,
                                    absl::Span<const uint8_t> base_key) {
  std::lock_guard<std::mutex> lock(state_->mu);
  if (base_key.empty()) {
    return absl::InvalidArgumentError("base_key must not be empty");
  }
  if (state_->epoch.has_value() && epoch <= *state_->epoch) {
    return absl::FailedPreconditionError("epoch is not newer than the current");
  }
  state_->streams.clear();  // wipes every key of the previous epoch
  state_->base_key = CopySecret(base_key);
  state_->epoch = epoch;
  return absl::OkStatus();
}

absl::StatusOr<absl::Span<uint8_t>> MlsEncryptor::Encrypt(
    uint64_t context, absl::Span<const uint8_t> metadata,
    absl::Span<const uint8_t> plaintext, absl::Span<uint8_t> out) {
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  if (!st.epoch.has_value()) {
    return absl::Status(absl::StatusCode::kFailedPrecondition, "");
  }
  auto it = st.streams.find(context);
  if (it == st.streams.end()) {
    absl::StatusOr<KeyId> kid =
        MlsKeyId(st.layout, *st.epoch, st.sender_index, context);
    if (!kid.ok()) return absl::Status(absl::StatusCode::kInvalidArgument, "");
    Encryptor::Options o;
    o.reserve_counters = st.options.reserve_counters;
    o.reservation_block = st.options.reservation_block;
    absl::StatusOr<Encryptor> enc =
        Encryptor::Create(st.suite, *kid, st.base_key.span(), o);
    if (!enc.ok()) return enc.status();
    it = st.streams.emplace(context, *std::move(enc)).first;
  }
  return it->second.Encrypt(metadata, plaintext, out);
}

size_t MlsEncryptor::CiphertextSize(uint64_t context,
                                    size_t plaintext_size) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->streams.find(context);
  if (it != state_->streams.end()) {
    return it->second.CiphertextSize(plaintext_size);
  }
  absl::StatusOr<KeyId> kid = MlsKeyId(
      state_->layout, state_->epoch.value_or(0), state_->sender_index, context);
  if (!kid.ok()) return 0;
  return internal::AddSaturating(
      plaintext_size, EncodedHeaderSize({*kid, 0}) + TagSize(state_->suite));
}

std::optional<uint64_t> MlsEncryptor::epoch() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->epoch;
}

// ------------------------------------------------------------ MlsDecryptor

namespace {

struct Epoch {
  uint64_t number = 0;
  SecretBuffer base_key;
  std::vector<KeyId> key_ids;  // KIDs cached after a verified frame
  absl::Time retire_at = absl::InfiniteFuture();
};

}  // namespace

struct MlsDecryptor::State {
  State(CipherSuite suite, const MlsKeyIdLayout& layout, const Options& options,
        Decryptor decryptor)
      : suite(suite),
        layout(layout),
        options(options),
        decryptor(std::move(decryptor)) {}

  const CipherSuite suite;
  const MlsKeyIdLayout layout;
  const Options options;
  mutable std::mutex mu;  // guards every member below that is not const
  Decryptor decryptor;
  // Live epochs by their low E bits: RFC 9605 §5.2 keeps at most one.
  absl::flat_hash_map<uint64_t, std::unique_ptr<Epoch>> epochs;
  uint64_t purged_below = 0;
  SenderStats stats;
  absl::Time next_deadline = absl::InfiniteFuture();

  void Emit(KeyEventType type, SenderId sender, KeyId key_id,
            Counter counter) const {
    if (options.on_event) options.on_event({type, sender, key_id, counter});
  }

  void RemoveEpochKeys(Epoch& e) {
    for (KeyId kid : e.key_ids) {
      if (decryptor.RemoveKey(kid).ok()) ++stats.keys_retired;
    }
    e.key_ids.clear();
    Emit(KeyEventType::kEpochRemoved, 0, 0, e.number);
  }

  void ExpireAll(absl::Time now) {
    absl::Time earliest = absl::InfiniteFuture();
    for (auto it = epochs.begin(); it != epochs.end();) {
      if (now >= it->second->retire_at) {
        RemoveEpochKeys(*it->second);
        epochs.erase(it++);
      } else {
        earliest = std::min(earliest, it->second->retire_at);
        ++it;
      }
    }
    next_deadline = earliest;
  }
};

MlsDecryptor::MlsDecryptor(std::unique_ptr<State> state)
    : state_(std::move(state)) {}
MlsDecryptor::MlsDecryptor(MlsDecryptor&&) noexcept = default;
MlsDecryptor& MlsDecryptor::operator=(MlsDecryptor&&) noexcept = default;
MlsDecryptor::~MlsDecryptor() = default;

absl::StatusOr<MlsDecryptor> MlsDecryptor::Create(
    CipherSuite suite, const MlsKeyIdLayout& layout) {
  return Create(suite, layout, Options());
}

absl::StatusOr<MlsDecryptor> MlsDecryptor::Create(CipherSuite suite,
                                                  const MlsKeyIdLayout& layout,
                                                  const Options& options) {
  absl::StatusOr<KeyId> probe = MlsKeyId(layout, 0, 0, 0);
  if (!probe.ok()) return probe.status();
  if (options.max_keys_per_epoch == 0) {
    return absl::InvalidArgumentError("max_keys_per_epoch must be >= 1");
  }
  Decryptor::Options o;
  o.replay_window = options.replay_window;
  absl::StatusOr<Decryptor> dec = Decryptor::Create(suite, o);
  if (!dec.ok()) return dec.status();
  return MlsDecryptor(
      std::make_unique<State>(suite, layout, options, *std::move(dec)));
}

absl::Status MlsDecryptor::AddEpoch(uint64_t epoch,
                                    absl::Span<const uint8_t> base_key) {
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  if (base_key.empty()) {
    return absl::InvalidArgumentError("base_key must not be empty");
  }
  if (epoch < st.purged_below) {
    return absl::FailedPreconditionError("epoch was purged");
  }
  const uint64_t low = epoch & EpochMask(st.layout.epoch_bits);
  auto same_bits = st.epochs.find(low);
  if (same_bits != st.epochs.end()) {
    if (same_bits->second->number == epoch) {
      return absl::AlreadyExistsError("epoch already added");
    }
    if (same_bits->second->number > epoch) {
      return absl::FailedPreconditionError(
          "a newer epoch with the same low bits is live");
    }
  }
  const absl::Time now = internal::ReadClock(st.options.clock);
  const absl::Time retire_at = internal::AddGrace(now, st.options.epoch_grace);
  // RFC 9605 §5.2: "receivers MUST remove an old epoch when a new epoch
  // with the same low-order E bits is introduced."
  if (same_bits != st.epochs.end()) {
    st.RemoveEpochKeys(*same_bits->second);
    st.epochs.erase(same_bits);
  }
  auto e = std::make_unique<Epoch>();
  e->number = epoch;
  e->base_key = CopySecret(base_key);
  // Older epochs retire after the grace period; so does this one if a newer
  // epoch is already live.
  for (auto& [bits, other] : st.epochs) {
    if (other->number < epoch) {
      other->retire_at = std::min(other->retire_at, retire_at);
    } else {
      e->retire_at = retire_at;
    }
  }
  st.next_deadline = std::min(st.next_deadline, retire_at);
  st.epochs.emplace(low, std::move(e));
  return absl::OkStatus();
}

size_t MlsDecryptor::PurgeBefore(uint64_t epoch) {
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  st.purged_below = std::max(st.purged_below, epoch);
  size_t removed = 0;
  for (auto it = st.epochs.begin(); it != st.epochs.end();) {
    if (it->second->number < epoch) {
      st.RemoveEpochKeys(*it->second);
      st.epochs.erase(it++);
      ++removed;
    } else {
      ++it;
    }
  }
  return removed;
}

absl::StatusOr<absl::Span<uint8_t>> MlsDecryptor::Decrypt(
    absl::Span<const uint8_t> metadata, absl::Span<const uint8_t> ciphertext,
    absl::Span<uint8_t> out) {
  State& st = *state_;
  std::lock_guard<std::mutex> lock(st.mu);
  const absl::Time now = internal::ReadClock(st.options.clock);
  if (now >= st.next_deadline) st.ExpireAll(now);
  absl::StatusOr<ParsedHeader> parsed = ParseHeader(ciphertext);
  const bool well_formed =
      parsed.ok() && parsed->payload.size() >= TagSize(st.suite);
  const KeyId kid = well_formed ? parsed->header.key_id : 0;
  const Counter ctr = well_formed ? parsed->header.counter : 0;
  MlsKeyIdParts parts;
  if (well_formed) parts = *ParseMlsKeyId(st.layout, kid);

  absl::StatusOr<absl::Span<uint8_t>> result;
  auto epoch =
      well_formed ? st.epochs.find(parts.epoch_low_bits) : st.epochs.end();
  if (!well_formed || st.decryptor.HasKey(kid) || epoch == st.epochs.end() ||
      epoch->second->key_ids.size() >= st.options.max_keys_per_epoch) {
    // (A KID beyond the epoch's bound is not derived: kNotFound.)
    result = st.decryptor.Decrypt(metadata, ciphertext, out);
  } else {
    // First frame of this KID in the epoch: derive from the epoch's base
    // key and cache only after the tag verifies (one derivation per forged
    // frame, no growth).
    result = st.decryptor.DecryptWithCandidateKey(
        epoch->second->base_key.span(), metadata, ciphertext, out);
    if (result.ok()) epoch->second->key_ids.push_back(kid);
  }

  const SenderId sender = parts.sender_index;
  switch (result.status().code()) {
    case absl::StatusCode::kOk:
      ++st.stats.decrypted;
      break;
    default:
      internal::RecordFailure(st, st.stats, result.status().code(), well_formed,
                              sender, /*malformed_sender=*/0, kid, ctr);
      break;
  }
  return result;
}

void MlsDecryptor::ExpireKeys() {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->ExpireAll(internal::ReadClock(state_->options.clock));
}

bool MlsDecryptor::HasEpoch(uint64_t epoch) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto it = state_->epochs.find(epoch & EpochMask(state_->layout.epoch_bits));
  return it != state_->epochs.end() && it->second->number == epoch;
}

size_t MlsDecryptor::epoch_count() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->epochs.size();
}

size_t MlsDecryptor::key_count() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->decryptor.key_count();
}

SenderStats MlsDecryptor::GetStats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->stats;
}

std::optional<KeyStats> MlsDecryptor::GetKeyStats(KeyId key_id) const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->decryptor.GetKeyStats(key_id);
}

}  // namespace sframe
