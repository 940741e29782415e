// mixlet-encode-report: one TCP report through the istio.mixer.v1 wire format and back.
//
// Builds the outbound `continue` report of Istio's Bookinfo TCP-metrics sample (ratings-v2
// talking to mongodb-v1), encodes it into a ReportRequest the way istio/proxy 1.1+ does
// (INDEPENDENT_ENCODING, shared default_words, 222 global words), prints the wire size and the
// compressed message with every index resolved, decodes the serialized bytes back into a bag and
// checks that it equals the original. Exit status 0 when the round trip holds, 1 otherwise.
//
//   mixlet-encode-report           # the report above
//   mixlet-encode-report --hex     # also dump the serialized request
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/wire/compressed_attributes.h"
#include "mixlet/wire/global_dictionary.h"
#include "mixlet/wire/report_batch.h"

namespace {

using istio::mixer::v1::CompressedAttributes;
using istio::mixer::v1::ReportRequest;
using mixlet::Bag;
using mixlet::MutableBag;
using mixlet::StringMapEntry;
using mixlet::StringMapView;
using mixlet::Value;

// The report of EXPECTED.md §3, attribute by attribute.
absl::Status BuildReport(MutableBag* bag) {
  static const StringMapEntry kSourceLabels[] = {{"version", "v2"}};
  static const StringMapEntry kDestinationLabels[] = {{"version", "v1"}};
  const std::pair<const char*, Value> attributes[] = {
      {"context.reporter.kind", Value::String("outbound")},
      {"source.namespace", Value::String("default")},
      {"context.protocol", Value::String("tcp")},
      {"destination.service.host", Value::String("mongodb.default.svc.cluster.local")},
      {"connection.event", Value::String("continue")},
      {"connection.received.bytes", Value::Int64(1200)},
      {"connection.received.bytes_total", Value::Int64(1200)},
      {"connection.sent.bytes", Value::Int64(3400)},
      {"source.workload.name", Value::String("ratings-v2")},
      {"source.labels", Value::StringMap(StringMapView(kSourceLabels, 1))},
      {"destination.labels", Value::StringMap(StringMapView(kDestinationLabels, 1))},
  };
  for (const auto& [name, value] : attributes) {
    absl::Status s = bag->Set(name, value);
    if (!s.ok()) return s;
  }
  return absl::OkStatus();
}

// "name (131)" for a word index, resolved against the request's message dictionary.
class WordPrinter {
 public:
  explicit WordPrinter(const google::protobuf::RepeatedPtrField<std::string>& words)
      : words_(words) {}

  std::string Word(int32_t index) const {
    if (index >= 0) {
      if (static_cast<uint32_t>(index) < mixlet::kGlobalDictionarySize) {
        return std::string(mixlet::GlobalDictionary()[index]);
      }
    } else if (-(static_cast<int64_t>(index) + 1) < words_.size()) {
      return words_.Get(static_cast<int>(-(static_cast<int64_t>(index) + 1)));
    }
    return "<out of range>";
  }
  std::string Indexed(int32_t index) const {
    return absl::StrCat(Word(index), " (", index, index >= 0 ? ", global" : ", message", ")");
  }

 private:
  const google::protobuf::RepeatedPtrField<std::string>& words_;
};

// Prints one map of the message, entries sorted by attribute name (protobuf maps are unordered).
template <typename Map, typename Format>
void PrintMap(const char* field, const Map& map, const WordPrinter& words, Format format) {
  if (map.empty()) return;
  std::vector<std::pair<std::string, std::string>> lines;
  for (const auto& entry : map) {
    lines.emplace_back(words.Word(entry.first),
                       absl::StrCat(words.Indexed(entry.first), " = ", format(entry.second)));
  }
  std::sort(lines.begin(), lines.end());
  std::printf("    %s:\n", field);
  for (const auto& line : lines) std::printf("      %s\n", line.second.c_str());
}

void PrintCompressed(const CompressedAttributes& a, const WordPrinter& words) {
  PrintMap("strings", a.strings(), words, [&](int32_t v) { return words.Indexed(v); });
  PrintMap("int64s", a.int64s(), words, [](int64_t v) { return absl::StrCat(v); });
  PrintMap("doubles", a.doubles(), words, [](double v) { return absl::StrCat(v); });
  PrintMap("bools", a.bools(), words, [](bool v) { return v ? "true" : "false"; });
  PrintMap("timestamps", a.timestamps(), words, [](const google::protobuf::Timestamp& t) {
    return absl::StrCat("{seconds: ", t.seconds(), ", nanos: ", t.nanos(), "}");
  });
  PrintMap("durations", a.durations(), words, [](const google::protobuf::Duration& d) {
    return absl::StrCat("{seconds: ", d.seconds(), ", nanos: ", d.nanos(), "}");
  });
  PrintMap("bytes", a.bytes(), words, [](const std::string& b) {
    std::string hex;
    for (unsigned char c : b) absl::StrAppendFormat(&hex, "%02x", c);
    return absl::StrCat(b.size(), " bytes 0x", hex);
  });
  PrintMap("string_maps", a.string_maps(), words, [&](const istio::mixer::v1::StringMap& m) {
    std::vector<std::string> entries;
    for (const auto& e : m.entries()) {
      entries.push_back(absl::StrCat(words.Indexed(e.first), ": ", words.Indexed(e.second)));
    }
    std::sort(entries.begin(), entries.end());
    std::string out = "{";
    for (size_t i = 0; i < entries.size(); ++i) {
      absl::StrAppend(&out, i == 0 ? "" : ", ", entries[i]);
    }
    return out + "}";
  });
}

// "" when `b` holds exactly the attributes and values of `a`, else what differs.
std::string Differences(const Bag& a, const Bag& b) {
  std::string diff;
  a.ForEach([&](absl::string_view name, const Value& v) {
    const Value* other = b.Find(name);
    if (other == nullptr) {
      absl::StrAppend(&diff, "  missing ", name, "\n");
    } else if (*other != v) {
      absl::StrAppend(&diff, "  ", name, ": ", v.DebugString(), " became ", other->DebugString(),
                      "\n");
    }
  });
  b.ForEach([&](absl::string_view name, const Value&) {
    if (a.Find(name) == nullptr) absl::StrAppend(&diff, "  unexpected ", name, "\n");
  });
  return diff;
}

void Indent(const std::string& text) {
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::printf("  %s\n", text.substr(start, end - start).c_str());
    start = end + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  bool hex = false;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--hex") == 0) {
      hex = true;
    } else {
      std::fprintf(stderr, "error: unknown argument '%s'\nusage: %s [--hex]\n", argv[i], argv[0]);
      return 2;
    }
  }

  std::shared_ptr<const mixlet::WireCodec> codec =
      mixlet::WireCodec::Create(mixlet::Vocabulary::Standard());
  MutableBag bag(codec->shared_vocabulary());
  if (absl::Status s = BuildReport(&bag); !s.ok()) {
    std::fprintf(stderr, "error: building the report: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf(
      "The report bag (outbound `continue` report, ratings-v2 -> mongodb-v1), %zu "
      "attributes:\n",
      bag.size());
  Indent(bag.DebugString());

  absl::StatusOr<std::unique_ptr<mixlet::ReportBatchEncoder>> encoder =
      mixlet::ReportBatchEncoder::Create(codec);
  if (!encoder.ok()) {
    std::fprintf(stderr, "error: %s\n", encoder.status().ToString().c_str());
    return 1;
  }
  absl::StatusOr<bool> added = (*encoder)->Add(bag);
  if (!added.ok() || !*added) {
    std::fprintf(stderr, "error: encoding the report: %s\n", added.status().ToString().c_str());
    return 1;
  }
  // The encoder writes the serialized request directly; parse it back to show its fields.
  const std::string wire((*encoder)->bytes());
  ReportRequest request;
  if (!request.ParseFromString(wire)) {
    std::fprintf(stderr, "error: the encoded ReportRequest does not parse\n");
    return 1;
  }

  std::printf(
      "\nistio.mixer.v1.ReportRequest: %d report, %s, global_word_count %u, %zu bytes "
      "on the wire\n",
      request.attributes_size(),
      ReportRequest::RepeatedAttributesSemantics_Name(request.repeated_attributes_semantics())
          .c_str(),
      request.global_word_count(), wire.size());
  std::printf("  default_words (the message dictionary; word i has index -(i+1)):\n");
  for (int i = 0; i < request.default_words_size(); ++i) {
    std::printf("    %3d  %s\n", -(i + 1), request.default_words(i).c_str());
  }
  for (int i = 0; i < request.attributes_size(); ++i) {
    const CompressedAttributes& element = request.attributes(i);
    const WordPrinter words(element.words_size() > 0 ? element.words() : request.default_words());
    std::printf("  attributes[%d] (%s), as name (index) = value (index):\n", i,
                element.words_size() == 0 ? "no words of its own: default_words apply"
                                          : "with words of its own");
    PrintCompressed(element, words);
  }
  if (hex) {
    std::printf("\nSerialized request (%zu bytes):\n", wire.size());
    for (size_t i = 0; i < wire.size(); i += 16) {
      std::string line;
      for (size_t j = i; j < std::min(wire.size(), i + 16); ++j) {
        absl::StrAppendFormat(&line, "%02x ", static_cast<unsigned char>(wire[j]));
      }
      std::printf("  %04zx  %s\n", i, line.c_str());
    }
  }

  // Decode the serialized bytes, as a Mixer server would.
  std::string decoded_text;
  std::string differences = "  no report was delivered\n";
  absl::StatusOr<mixlet::ReportBatchResult> result =
      mixlet::DecodeReportBatch(wire, codec, [&](const Bag& decoded) {
        decoded_text = decoded.DebugString();
        differences = Differences(bag, decoded);
      });
  if (!result.ok()) {
    std::fprintf(stderr, "error: decoding the request: %s\n", result.status().ToString().c_str());
    return 1;
  }
  if (!result->ok()) {
    std::fprintf(stderr, "error: %s\n", result->ToStatus().ToString().c_str());
    return 1;
  }
  std::printf("\nDecoded back from the %zu bytes (Bag::DebugString):\n", wire.size());
  Indent(decoded_text);
  if (!differences.empty()) {
    std::printf("\nRound trip FAILED: the decoded bag differs:\n%s", differences.c_str());
    return 1;
  }
  std::printf("\nRound trip OK: the decoded bag equals the original (%zu attributes).\n",
              bag.size());
  return 0;
}
