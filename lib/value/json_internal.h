// Internal to mixlet: the small JSON reader and writer behind value_json.h and bag_json.h.
//
// mixlet reads JSON itself rather than through a general JSON library because its conversions
// need what those hide: a number exactly as written (so INT64 can refuse `1e3` and `1.0`, DOUBLE
// can keep `-0`, and errors can quote the input), and a line and column for every value. The
// reader is strict RFC 8259 (no comments, no trailing commas, UTF-8 only, no lone surrogates),
// bounds nesting at `kMaxJsonDepth`, and never throws.
#ifndef MIXLET_LIB_VALUE_JSON_INTERNAL_H_
#define MIXLET_LIB_VALUE_JSON_INTERNAL_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value_type.h"

namespace mixlet::value_internal {

// Arrays and objects nested deeper than this are refused (InvalidArgument), so that reading and
// destroying a document never recurses without bound.
inline constexpr int kMaxJsonDepth = 64;

struct JsonMember;

struct JsonNode {
  enum class Kind { kNull, kBool, kNumber, kString, kArray, kObject };

  Kind kind = Kind::kNull;
  bool boolean = false;
  // kNumber: the number exactly as written; kString: the decoded UTF-8 text.
  std::string text;
  std::vector<JsonNode> items;      // kArray
  std::vector<JsonMember> members;  // kObject, in document order, duplicate keys kept
  // Where the value starts, 1-based; the column counts bytes.
  int line = 1;
  int column = 1;
};

struct JsonMember {
  std::string key;
  JsonNode value;
};

// Reads exactly one JSON value (surrounding whitespace allowed). InvalidArgument:
// `invalid JSON at line 1, column 7: expected ':' after an object key, found '}'`.
absl::StatusOr<JsonNode> ReadJson(absl::string_view text);

// "an object", "an array", "a string", "a number", "a boolean", "null".
absl::string_view JsonKindName(JsonNode::Kind kind);

// Compact JSON text of `node` for error messages, cut to about 60 bytes with "...".
std::string DescribeJson(const JsonNode& node);

// Converts `node` to `type` by the rules of `ParseJsonValue` (value_json.h).
absl::StatusOr<OwnedValue> ValueFromJson(ValueType type, const JsonNode& node);

// Appends `s` as a JSON string the way Go's encoding/json writes it without HTML escaping:
// `"` `\` and the controls \n \r \t escaped short, other controls as \u00xx, U+2028 and U+2029
// as \u2028 and \u2029, and every byte that is not valid UTF-8 as \ufffd.
void AppendJsonString(std::string* out, absl::string_view s);

// A finite double as Go's encoding/json writes it: shortest round-trip digits, plain decimal
// when 1e-6 <= |v| < 1e21 (or v == 0), otherwise exponent form with Go's `e-7` (not `e-07`).
std::string FormatJsonDouble(double v);

}  // namespace mixlet::value_internal

#endif  // MIXLET_LIB_VALUE_JSON_INTERNAL_H_
