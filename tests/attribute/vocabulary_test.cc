#include "mixlet/attribute/vocabulary.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/hash/hash.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_split.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"

namespace mixlet {
namespace {

// The 90 attributes of Istio 1.7's default manifests (`istioproxy`, then `kubernetes`), in the
// order that gives their ids. Taken from the manifests; the peer's vocabulary.tsv, when present,
// is checked against the built vocabulary too.
struct ManifestRow {
  const char* name;
  ValueType type;
};
const ManifestRow kManifest[] = {
    {"origin.ip", ValueType::kIpAddress},
    {"origin.uid", ValueType::kString},
    {"origin.user", ValueType::kString},
    {"request.headers", ValueType::kStringMap},
    {"request.id", ValueType::kString},
    {"request.host", ValueType::kString},
    {"request.method", ValueType::kString},
    {"request.path", ValueType::kString},
    {"request.url_path", ValueType::kString},
    {"request.query_params", ValueType::kStringMap},
    {"request.reason", ValueType::kString},
    {"request.referer", ValueType::kString},
    {"request.scheme", ValueType::kString},
    {"request.total_size", ValueType::kInt64},
    {"request.size", ValueType::kInt64},
    {"request.time", ValueType::kTimestamp},
    {"request.useragent", ValueType::kString},
    {"response.code", ValueType::kInt64},
    {"response.duration", ValueType::kDuration},
    {"response.headers", ValueType::kStringMap},
    {"response.total_size", ValueType::kInt64},
    {"response.size", ValueType::kInt64},
    {"response.time", ValueType::kTimestamp},
    {"response.grpc_status", ValueType::kString},
    {"response.grpc_message", ValueType::kString},
    {"source.uid", ValueType::kString},
    {"source.user", ValueType::kString},
    {"source.principal", ValueType::kString},
    {"destination.uid", ValueType::kString},
    {"destination.principal", ValueType::kString},
    {"destination.port", ValueType::kInt64},
    {"connection.event", ValueType::kString},
    {"connection.id", ValueType::kString},
    {"connection.received.bytes", ValueType::kInt64},
    {"connection.received.bytes_total", ValueType::kInt64},
    {"connection.sent.bytes", ValueType::kInt64},
    {"connection.sent.bytes_total", ValueType::kInt64},
    {"connection.duration", ValueType::kDuration},
    {"connection.mtls", ValueType::kBool},
    {"connection.requested_server_name", ValueType::kString},
    {"context.protocol", ValueType::kString},
    {"context.proxy_error_code", ValueType::kString},
    {"context.timestamp", ValueType::kTimestamp},
    {"context.time", ValueType::kTimestamp},
    {"context.reporter.local", ValueType::kBool},
    {"context.reporter.kind", ValueType::kString},
    {"context.reporter.uid", ValueType::kString},
    {"context.proxy_version", ValueType::kString},
    {"api.service", ValueType::kString},
    {"api.version", ValueType::kString},
    {"api.operation", ValueType::kString},
    {"api.protocol", ValueType::kString},
    {"request.auth.principal", ValueType::kString},
    {"request.auth.audiences", ValueType::kString},
    {"request.auth.presenter", ValueType::kString},
    {"request.auth.claims", ValueType::kStringMap},
    {"request.auth.raw_claims", ValueType::kString},
    {"request.api_key", ValueType::kString},
    {"rbac.permissive.response_code", ValueType::kString},
    {"rbac.permissive.effective_policy_id", ValueType::kString},
    {"check.error_code", ValueType::kInt64},
    {"check.error_message", ValueType::kString},
    {"check.cache_hit", ValueType::kBool},
    {"quota.cache_hit", ValueType::kBool},
    {"source.ip", ValueType::kIpAddress},
    {"source.labels", ValueType::kStringMap},
    {"source.metadata", ValueType::kStringMap},
    {"source.name", ValueType::kString},
    {"source.namespace", ValueType::kString},
    {"source.owner", ValueType::kString},
    {"source.serviceAccount", ValueType::kString},
    {"source.services", ValueType::kString},
    {"source.workload.uid", ValueType::kString},
    {"source.workload.name", ValueType::kString},
    {"source.workload.namespace", ValueType::kString},
    {"destination.ip", ValueType::kIpAddress},
    {"destination.labels", ValueType::kStringMap},
    {"destination.metadata", ValueType::kStringMap},
    {"destination.owner", ValueType::kString},
    {"destination.name", ValueType::kString},
    {"destination.container.name", ValueType::kString},
    {"destination.namespace", ValueType::kString},
    {"destination.service.uid", ValueType::kString},
    {"destination.service.name", ValueType::kString},
    {"destination.service.namespace", ValueType::kString},
    {"destination.service.host", ValueType::kString},
    {"destination.serviceAccount", ValueType::kString},
    {"destination.workload.uid", ValueType::kString},
    {"destination.workload.name", ValueType::kString},
    {"destination.workload.namespace", ValueType::kString},
};

// The checkout's sibling `shared/` folder, present in the development tree only.
std::string SharedPath(absl::string_view relative) {
  return std::string(MIXLET_SOURCE_DIR "/../shared/") + std::string(relative);
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream buf;
  buf << in.rdbuf();
  *out = buf.str();
  return true;
}

TEST_CASE("Vocabulary: the standard vocabulary is the 90 manifest attributes", "[attribute]") {
  const std::shared_ptr<const Vocabulary> vocab = Vocabulary::Standard();
  REQUIRE(sizeof(kManifest) / sizeof(kManifest[0]) == 90);
  REQUIRE(vocab->size() == 90);
  for (uint32_t i = 0; i < 90; ++i) {
    const ManifestRow& row = kManifest[i];
    CAPTURE(row.name);
    const absl::optional<AttributeInfo> info = vocab->Find(row.name);
    REQUIRE(info.has_value());
    CHECK(info->id.value == i);
    CHECK(info->type == row.type);
    CHECK(vocab->name(AttributeId{i}) == row.name);
    CHECK(vocab->type(AttributeId{i}) == row.type);
  }
  CHECK(Vocabulary::Standard() == vocab);  // Built once.
}

TEST_CASE("Vocabulary: StandardAttributes lists manifest rows first, then the others",
          "[attribute]") {
  const absl::Span<const StandardAttribute> all = StandardAttributes();
  const std::shared_ptr<const Vocabulary> vocab = Vocabulary::Standard();
  std::set<absl::string_view> names;
  size_t manifest = 0;
  bool seen_other = false;
  for (const StandardAttribute& a : all) {
    CAPTURE(a.name);
    CHECK(names.insert(a.name).second);  // No duplicates.
    CHECK(a.type != ValueType::kUnspecified);
    CHECK(static_cast<int>(a.type) < kValueTypeCount);
    CHECK_FALSE(a.description.empty());
    const absl::optional<AttributeInfo> info = vocab->Find(a.name);
    if (a.in_default_manifest) {
      CHECK_FALSE(seen_other);
      REQUIRE(info.has_value());
      CHECK(info->id.value == manifest);
      CHECK(info->type == a.type);
      ++manifest;
    } else {
      seen_other = true;
      CHECK_FALSE(info.has_value());
    }
  }
  CHECK(manifest == 90);
  CHECK(all.size() > 90);
}

TEST_CASE("Vocabulary: matches the Mixer peer's vocabulary.tsv row by row", "[attribute]") {
  std::string text;
  const std::string path = SharedPath("peers/mixer-go/vocabulary.tsv");
  if (!ReadFile(path, &text)) {
    WARN("skipped: " << path << " not found (only the development tree has ../shared)");
    SUCCEED();
    return;
  }
  const std::shared_ptr<const Vocabulary> vocab = Vocabulary::Standard();
  uint32_t row = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    const std::vector<absl::string_view> fields = absl::StrSplit(line, '\t');
    REQUIRE(fields.size() == 3);  // manifest, attribute, valueType
    CAPTURE(line);
    CHECK((fields[0] == "istioproxy" || fields[0] == "kubernetes"));
    REQUIRE(row < vocab->size());
    CHECK(vocab->name(AttributeId{row}) == fields[1]);
    CHECK(ValueTypeName(vocab->type(AttributeId{row})) == fields[2]);
    ++row;
  }
  CHECK(row == vocab->size());
}

TEST_CASE("Vocabulary: every attribute in attributes.md section 3 is in the table", "[attribute]") {
  std::string text;
  const std::string path = SharedPath("spec/attributes.md");
  if (!ReadFile(path, &text)) {
    WARN("skipped: " << path << " not found (only the development tree has ../shared)");
    SUCCEED();
    return;
  }
  const size_t begin = text.find("\n## 3.");
  const size_t end = text.find("\n## 4.");
  REQUIRE(begin != std::string::npos);
  REQUIRE(end != std::string::npos);
  const absl::string_view section = absl::string_view(text).substr(begin, end - begin);
  int checked = 0;
  for (absl::string_view line : absl::StrSplit(section, '\n')) {
    // Table rows: | `name` | manifest type | ...
    if (!absl::ConsumePrefix(&line, "| `")) continue;
    const size_t tick = line.find('`');
    REQUIRE(tick != absl::string_view::npos);
    const absl::string_view name = line.substr(0, tick);
    const std::vector<absl::string_view> cells = absl::StrSplit(line.substr(tick + 1), '|');
    REQUIRE(cells.size() >= 2);
    const absl::string_view type_cell = absl::StripAsciiWhitespace(cells[1]);
    CAPTURE(name, type_cell);
    const StandardAttribute* found = nullptr;
    for (const StandardAttribute& a : StandardAttributes()) {
      if (a.name == name) found = &a;
    }
    REQUIRE(found != nullptr);
    if (absl::optional<ValueType> type = ParseValueTypeName(type_cell)) {
      CHECK(found->in_default_manifest);
      CHECK(found->type == *type);
    } else {
      CHECK(absl::StartsWith(type_cell, "not in"));
      CHECK_FALSE(found->in_default_manifest);
    }
    ++checked;
  }
  CHECK(checked == static_cast<int>(StandardAttributes().size()));
}

TEST_CASE("Vocabulary: Find of names it does not declare", "[attribute]") {
  const std::shared_ptr<const Vocabulary> vocab = Vocabulary::Standard();
  CHECK_FALSE(vocab->Find("").has_value());
  CHECK_FALSE(vocab->Find("source.port").has_value());  // Documented, not in the manifests.
  CHECK_FALSE(vocab->Find("Source.IP").has_value());    // Names are case-sensitive.
  CHECK_FALSE(vocab->Find("source.ip ").has_value());
  CHECK(vocab->Find("source.ip").has_value());
}

TEST_CASE("VocabularyBuilder: ids, overwrites and errors", "[attribute]") {
  VocabularyBuilder b = VocabularyBuilder::Standard();
  REQUIRE(b.Add("my.custom", ValueType::kDouble).ok());
  REQUIRE(b.Add("my.other", ValueType::kUri).ok());
  // A name added again keeps its id and takes the later type, as Mixer's manifest merge did.
  REQUIRE(b.Add("source.ip", ValueType::kString).ok());
  REQUIRE(b.Add("my.custom", ValueType::kDnsName).ok());

  struct Bad {
    const char* name;
    ValueType type;
    const char* message;
  };
  const Bad bad[] = {
      {"", ValueType::kString, "attribute name must not be empty"},
      {"x", ValueType::kUnspecified, "attribute 'x': value type must be one of the 11 value types"},
      {"y", static_cast<ValueType>(12),
       "attribute 'y': value type must be one of the 11 value types"},
  };
  for (const Bad& row : bad) {
    CAPTURE(row.name);
    const absl::Status s = b.Add(row.name, row.type);
    CHECK(s.code() == absl::StatusCode::kInvalidArgument);
    CHECK(s.message() == row.message);
  }

  const std::shared_ptr<const Vocabulary> v = std::move(b).Build();
  const std::shared_ptr<const Vocabulary> standard = Vocabulary::Standard();
  REQUIRE(v->size() == 92);
  CHECK(v->Find("my.custom")->id.value == 90);
  CHECK(v->Find("my.custom")->type == ValueType::kDnsName);
  CHECK(v->Find("my.other")->id.value == 91);
  CHECK(v->Find("source.ip")->id == standard->Find("source.ip")->id);
  CHECK(v->Find("source.ip")->type == ValueType::kString);
  CHECK_FALSE(v->Find("x").has_value());
  CHECK_FALSE(v->Find("y").has_value());
  for (uint32_t i = 0; i < 90; ++i)
    CHECK(v->name(AttributeId{i}) == standard->name(AttributeId{i}));
  // The standard vocabulary is untouched.
  CHECK(standard->Find("source.ip")->type == ValueType::kIpAddress);
  CHECK(standard->size() == 90);
}

TEST_CASE("VocabularyBuilder: an empty builder builds an empty vocabulary", "[attribute]") {
  VocabularyBuilder b;
  const std::shared_ptr<const Vocabulary> empty = VocabularyBuilder().Build();
  CHECK(empty->size() == 0);
  REQUIRE(b.Add("a", ValueType::kBool).ok());
  const std::shared_ptr<const Vocabulary> one = std::move(b).Build();
  REQUIRE(one->size() == 1);
  CHECK(one->Find("a")->id.value == 0);
}

TEST_CASE("AttributeId: compares and hashes by value", "[attribute]") {
  CHECK(AttributeId{3} == AttributeId{3});
  CHECK(AttributeId{3} != AttributeId{4});
  CHECK(AttributeId{3} < AttributeId{4});
  CHECK(absl::Hash<AttributeId>()(AttributeId{3}) == absl::Hash<AttributeId>()(AttributeId{3}));
}

}  // namespace
}  // namespace mixlet
