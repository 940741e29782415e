// GlobalDictionary: the word list compiled into every Mixer client and server.
//
// On the istio.mixer.v1 wire, an attribute name or string value is sent as a small integer: a
// non-negative index is a position in this list (a negative one is a word of the message's own
// dictionary). The list is Istio's `global_dictionary.yaml` (istio/api 1.4–1.7, 222 words),
// turned into code at build time by taking each line that starts with `-` verbatim, as Mixer and
// istio/proxy do; so word 94 is the five characters `'200'` with its quotes, and word 218 is
// `"-"` with its double quotes (wire.md §6). A word's index never changes: Istio only appends.
//
// Use `GlobalDictionaryIndex` to encode and `GlobalDictionary()[i]` to decode. Both are safe to
// call from any thread; the words have static storage duration.
//
// Example:
//   absl::Span<const absl::string_view> words = GlobalDictionary();
//   words[131];                                       // "context.protocol"
//   GlobalDictionaryIndex("tcp");                     // 124
//   GlobalDictionaryIndex("mongodb.default.svc");     // nullopt: goes into the message words
#ifndef MIXLET_WIRE_GLOBAL_DICTIONARY_H_
#define MIXLET_WIRE_GLOBAL_DICTIONARY_H_

#include <cstdint>

#include "absl/strings/string_view.h"
#include "absl/types/optional.h"
#include "absl/types/span.h"

namespace mixlet {

// Number of words in the compiled-in global dictionary (222 for Istio 1.4–1.7). A request whose
// `global_word_count` is larger comes from a client with a newer dictionary.
inline constexpr uint32_t kGlobalDictionarySize = 222;

// The size of the dictionary's first section (Istio's "base" list). istio/proxy falls back to
// this many global words after a server answers that its dictionary is invalid.
inline constexpr uint32_t kGlobalDictionaryBaseSize = 111;

// The words, by position: `GlobalDictionary()[i]` is word `i`. Static storage; size
// `kGlobalDictionarySize`.
absl::Span<const absl::string_view> GlobalDictionary();

// The position of `word` in the global dictionary, or nullopt when it is not one of its words.
// The comparison is exact (case-sensitive, byte for byte). No allocation; the word is not
// hashed as a whole (a table keyed by its length and three of its bytes, then one compare).
absl::optional<uint32_t> GlobalDictionaryIndex(absl::string_view word);

}  // namespace mixlet

#endif  // MIXLET_WIRE_GLOBAL_DICTIONARY_H_
