#include "mixlet/wire/global_dictionary.h"

#include <array>
#include <cstring>

namespace mixlet {
namespace {

constexpr absl::string_view kGlobalWords[] = {
#include "wire/global_dictionary.inc"
};

static_assert(sizeof(kGlobalWords) / sizeof(kGlobalWords[0]) == kGlobalDictionarySize,
              "global_dictionary.yaml and kGlobalDictionarySize disagree: Istio only appends "
              "words, so update the constant (and the tests) together with the file");

// Word -> position, for the encoder's hot path: an open-addressing table keyed by the length
// and three bytes of the word (not a hash of the whole string), then one compare per probe.
constexpr size_t kSlots = 1024;  // > 4x the words: probes are short.
static_assert(kGlobalDictionarySize < 255, "slots hold position + 1 in a byte");

size_t SlotOf(absl::string_view word) {
  const size_t n = word.size();
  uint32_t h = static_cast<uint32_t>(n) * 0x9E3779B1u;
  h ^= static_cast<uint8_t>(word[0]) * 0x85EBCA77u;
  h ^= static_cast<uint8_t>(word[n / 2]) * 0xC2B2AE3Du;
  h ^= static_cast<uint8_t>(word[n - 1]) * 0x27D4EB2Fu;
  h ^= h >> 15;
  return h & (kSlots - 1);
}

struct WordTable {
  WordTable() {
    slots.fill(0);
    for (uint32_t i = 0; i < kGlobalDictionarySize; ++i) {
      size_t s = SlotOf(kGlobalWords[i]);
      while (slots[s] != 0) s = (s + 1) & (kSlots - 1);
      slots[s] = static_cast<uint8_t>(i + 1);
    }
  }
  std::array<uint8_t, kSlots> slots;  // Position + 1; 0 = empty.
};

}  // namespace

absl::Span<const absl::string_view> GlobalDictionary() { return kGlobalWords; }

absl::optional<uint32_t> GlobalDictionaryIndex(absl::string_view word) {
  static const WordTable* const kTable = new WordTable();
  if (word.empty()) return absl::nullopt;  // No global word is empty.
  for (size_t s = SlotOf(word);; s = (s + 1) & (kSlots - 1)) {
    const uint8_t slot = kTable->slots[s];
    if (slot == 0) return absl::nullopt;
    const absl::string_view candidate = kGlobalWords[slot - 1];
    if (candidate.size() == word.size() &&
        std::memcmp(candidate.data(), word.data(), word.size()) == 0) {
      return slot - 1u;
    }
  }
}

}  // namespace mixlet
