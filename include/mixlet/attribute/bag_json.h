// Bags as JSON: the bag files of `mixlet eval --attrs` and `mixlet report --bags`, and a JSON
// dump of any bag.
//
// A bag file is one JSON object that maps attribute names to values. Each value is read as the
// type the bag's vocabulary declares for its name, by the rules of `ParseJsonValue`
// (value_json.h): strings, integers, numbers and booleans as such, RFC 3339 timestamps, Go
// durations ("1.5s"), IP addresses as text, string maps as objects of strings. A name the
// vocabulary does not declare is refused, since expressions could never read it.
//
// Example:
//   MutableBag bag(Vocabulary::Standard());
//   absl::Status s = ParseBagJson(
//       R"({"connection.received.bytes": 1200, "source.ip": "10.0.0.1"})", &bag);
//   BagToJson(bag);   // {"connection.received.bytes":1200,"source.ip":"10.0.0.1"}
#ifndef MIXLET_ATTRIBUTE_BAG_JSON_H_
#define MIXLET_ATTRIBUTE_BAG_JSON_H_

#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mixlet/attribute/bag.h"
#include "mixlet/attribute/mutable_bag.h"

namespace mixlet {

// Reads `json_text`, one JSON object of attribute name -> value, into `bag` (values are copied
// into the bag; attributes already in it are overwritten or kept). A name given twice keeps its
// last value, as Go's decoder does. All or nothing: on error `bag` is unchanged.
// InvalidArgument, one of:
//   `invalid JSON at line 2, column 7: expected ':' after an object key, found '1'`
//   `expected a JSON object mapping attribute names to values, got an array at line 1, column 1`
//   `unknown attribute 'x'`
//   `attribute 'request.size': expected a JSON integer for INT64, got "x"`
absl::Status ParseBagJson(absl::string_view json_text, MutableBag* bag);

// A JSON object of every attribute present in `bag` (parents included, shadowed values left
// out), sorted by name, each value written by `ToJson` (value_json.h). Compact: no spaces.
// Attributes the vocabulary does not declare are included too, so the result may not read back
// through `ParseBagJson`.
std::string BagToJson(const Bag& bag);

}  // namespace mixlet

#endif  // MIXLET_ATTRIBUTE_BAG_JSON_H_
