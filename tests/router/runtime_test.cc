#include "mixlet/router/runtime.h"

#include <catch2/catch.hpp>
#include <thread>

#include "absl/strings/str_cat.h"
#include "config/testing/param_builders.h"
#include "config/testing/recording_adapter.h"
#include "mixlet/config/config_loader.h"
#include "router/testing/bags.h"
#include "testing/count_allocations.h"

namespace mixlet {
namespace {

using testing::FillMongoReport;
using testing::M;
using testing::MetricInstance;
using testing::RecordingAdapter;
using testing::S;
using testing::TestHandler;
using testing::TestRule;

ConfigResources Sample() {
  return LoadConfigResources(
      {absl::StrCat(MIXLET_SOURCE_DIR, "/tests/config/testdata/tcp-metrics.yaml")});
}

// The sample plus an unrelated rule, instance and handler in another namespace: reloading
// between the two must keep mongohandler (and its counts).
ConfigResources SampleWithExtra(int variant) {
  ConfigResources r = Sample();
  r.instances.push_back(MetricInstance("extra", "other", absl::StrCat(variant)));
  r.handlers.push_back(TestHandler("extra", "other"));
  r.rules.push_back(
      TestRule("extra", "other", "context.protocol == \"http\"", {{"extra", {"extra"}}}));
  return r;
}

struct RuntimeFixture {
  explicit RuntimeFixture(bool record = false)
      : adapter(std::make_shared<RecordingAdapter>("prometheus", record)) {
    AdapterRegistry adapters;
    REQUIRE(adapters.Register(adapter).ok());
    runtime = std::make_unique<Runtime>(std::move(adapters));
  }
  std::shared_ptr<RecordingAdapter> adapter;
  std::unique_ptr<Runtime> runtime;
};

TEST_CASE("Runtime: nothing is dispatched before the first configuration", "[router]") {
  RuntimeFixture f;
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  CHECK(f.runtime->router() == nullptr);
  CHECK(f.runtime->generation() == 0);
  DispatchResult r = f.runtime->Dispatch(bag);
  CHECK(r.rules_evaluated == 0);
  ApplyResult a = f.runtime->Apply(Sample());
  CHECK(a.applied);
  CHECK(a.issues.empty());
  CHECK(f.runtime->generation() == 1);
  CHECK(f.runtime->Dispatch(bag).instances_built == 2);
}

TEST_CASE("Runtime: an invalid configuration is refused and the previous one stays", "[router]") {
  RuntimeFixture f;
  REQUIRE(f.runtime->Apply(Sample()).applied);
  std::shared_ptr<const Router> before = f.runtime->router();
  ConfigResources bad = Sample();
  bad.rules[0].match = "context.protocol == ";
  ApplyResult a = f.runtime->Apply(bad);
  CHECK_FALSE(a.applied);
  REQUIRE(a.issues.size() == 1);
  CHECK(a.issues[0].field == "spec.match");
  CHECK(f.runtime->router() == before);
  CHECK(f.runtime->generation() == 1);
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  CHECK(f.runtime->Dispatch(bag).instances_built == 2);

  // A handler that fails to build is refused too.
  ConfigResources broken = Sample();
  broken.handlers[0].params = M({{"build_error", S("no")}});
  CHECK_FALSE(f.runtime->Apply(broken).applied);
  CHECK(f.runtime->router() == before);
}

TEST_CASE("Runtime: lenient mode applies what Mixer would have applied", "[router]") {
  auto adapter = std::make_shared<RecordingAdapter>();
  AdapterRegistry adapters;
  REQUIRE(adapters.Register(adapter).ok());
  RuntimeOptions options;
  options.config.lenient = true;
  Runtime runtime(std::move(adapters), options);
  ConfigResources r = Sample();
  r.rules.push_back(
      TestRule("broken", "default", "nosuch == 1", {{"mongohandler", {"mongosentbytes"}}}));
  ApplyResult a = runtime.Apply(r);
  CHECK(a.applied);
  REQUIRE(a.issues.size() == 1);
  CHECK(a.issues[0].effect == ConfigIssue::Effect::kRuleDropped);
  CHECK(runtime.router()->config().rules().size() == 1);
}

TEST_CASE("Runtime: handler state survives a reload when its config is unchanged", "[router]") {
  RuntimeFixture f;
  REQUIRE(f.runtime->Apply(Sample()).applied);
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  f.runtime->Dispatch(bag);
  std::shared_ptr<Handler> kept = f.runtime->router()->handler(0);
  REQUIRE(f.adapter->builds() == 1);
  const std::vector<const InstanceDescriptor*> descriptors = f.adapter->descriptors(0);

  REQUIRE(f.runtime->Apply(SampleWithExtra(1)).applied);
  CHECK(f.runtime->router()->handler(0) == kept);
  CHECK(f.adapter->builds() == 2);  // Only `extra` was built.
  // The kept handler's descriptors are the very objects it was built with.
  const Config& c = f.runtime->router()->config();
  for (size_t i = 0; i < descriptors.size(); ++i) {
    CHECK(c.instances()[c.handlers()[0].instances[i]].descriptor.get() == descriptors[i]);
  }
  f.runtime->Dispatch(bag);
  CHECK(f.adapter->handler(0)->instances() == 4);

  // Changing its params builds a new handler: fresh state.
  ConfigResources changed = Sample();
  changed.handlers[0].params = M({{"metrics_expiration_policy", M({})}});
  REQUIRE(f.runtime->Apply(changed).applied);
  CHECK(f.runtime->router()->handler(0) != kept);
  // Changing one of its instances does too.
  ConfigResources other = Sample();
  std::vector<std::pair<std::string, ParamValue>> params = other.instances[0].params.map();
  params[0].second = S("1.5");  // `value` becomes a DOUBLE: a different descriptor.
  other.instances[0].params = ParamValue::Map(params);
  REQUIRE(f.runtime->Apply(other).applied);
  CHECK(f.adapter->builds() == 4);
}

TEST_CASE("Runtime: a warm dispatch allocates nothing", "[router]") {
  RuntimeFixture f;
  REQUIRE(f.runtime->Apply(Sample()).applied);
  MutableBag bag(Vocabulary::Standard());
  FillMongoReport(bag);
  f.runtime->Dispatch(bag);
  testing::CountAllocations allocs;
  for (int i = 0; i < 100; ++i) f.runtime->Dispatch(bag);
  CHECK(allocs.count() == 0);
}

TEST_CASE("Runtime: reloads under concurrent dispatch lose no report", "[router]") {
  RuntimeFixture f;
  REQUIRE(f.runtime->Apply(Sample()).applied);
  constexpr int kThreads = 4;
  constexpr int kReports = 20000;
  std::atomic<int> running{kThreads};
  std::atomic<uint64_t> built{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      MutableBag bag(Vocabulary::Standard());
      FillMongoReport(bag);
      for (int i = 0; i < kReports; ++i) built += f.runtime->Dispatch(bag).instances_built;
      --running;
    });
  }
  int reloads = 0;
  while (running.load() > 0 || reloads < 20) {
    const ApplyResult a = f.runtime->Apply(reloads % 2 == 0 ? SampleWithExtra(reloads) : Sample());
    REQUIRE(a.applied);
    ++reloads;
  }
  for (std::thread& t : threads) t.join();
  CHECK(reloads >= 20);
  CHECK(f.runtime->generation() == static_cast<uint64_t>(reloads + 1));
  CHECK(built.load() == 2ull * kThreads * kReports);
  // mongohandler was built once and saw every instance of every report.
  CHECK(f.adapter->handler(0)->instances() == 2ull * kThreads * kReports);
  CHECK(f.adapter->handler(0)->calls() == 1ull * kThreads * kReports);
  CHECK(f.runtime->router()->handler(0) == f.adapter->handler(0));
}

}  // namespace
}  // namespace mixlet
