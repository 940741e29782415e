// Builds a TCP report bag with the standard vocabulary and prints it: the smallest use of an
// installed mixlet. The install test compares the output with expected_output.txt.
#include <iostream>
#include <memory>

#include "mixlet/attribute/bag_json.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/value.h"

namespace {

constexpr char kReport[] = R"({
  "context.protocol": "tcp",
  "source.ip": "10.44.0.7",
  "destination.service.host": "mongodb.default.svc.cluster.local",
  "connection.duration": "1m30s"
})";

}  // namespace

int main() {
  const std::shared_ptr<const mixlet::Vocabulary> vocabulary = mixlet::Vocabulary::Standard();
  std::cout << "vocabulary: " << vocabulary->size() << " attributes\n";

  mixlet::MutableBag bag(vocabulary);
  absl::Status status = mixlet::ParseBagJson(kReport, &bag);
  if (status.ok()) {
    const mixlet::AttributeId received = vocabulary->Find("connection.received.bytes")->id;
    status = bag.Set(received, mixlet::Value::Int64(1200));
  }
  if (!status.ok()) {
    std::cerr << "error: " << status << "\n";
    return 1;
  }
  std::cout << "bag: " << mixlet::BagToJson(bag) << "\n";
  std::cout << bag.DebugString();
  return 0;
}
