#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "handler/prometheus/epoch.h"
#include "handler/prometheus/series_table.h"
#include "testing/count_allocations.h"

namespace mixlet::handler_internal {
namespace {

Series* Get(SeriesTable& table, const std::vector<absl::string_view>& labels,
            SeriesTable::Outcome* outcome) {
  return table.FindOrCreate(SeriesTable::Hash(labels), labels, outcome);
}

std::vector<std::string> LabelStrings(const Series& s) {
  std::vector<std::string> out;
  for (absl::string_view v : s.labels()) out.emplace_back(v);
  return out;
}

std::vector<std::vector<std::string>> SortedLabels(const SeriesTable& table) {
  std::vector<std::vector<std::string>> out;
  EpochDomain::ReadSection section;
  table.ForEachSorted([&](const Series& s) { out.push_back(LabelStrings(s)); });
  return out;
}

TEST_CASE("SeriesTable: a series is created once and found again", "[handler]") {
  SeriesTable table(3, 0, 0, "overflow");
  EpochDomain::ReadSection section;
  SeriesTable::Outcome outcome;
  Series* a = Get(table, {"v1", "ratings-v2", "v2"}, &outcome);
  REQUIRE(a != nullptr);
  CHECK(outcome == SeriesTable::Outcome::kCreated);
  CHECK(Get(table, {"v1", "ratings-v2", "v2"}, &outcome) == a);
  CHECK(outcome == SeriesTable::Outcome::kFound);
  Series* b = Get(table, {"v1", "ratings-v2", "v3"}, &outcome);
  CHECK(b != a);
  CHECK(outcome == SeriesTable::Outcome::kCreated);
  // Label boundaries matter: ("ab", "c") is not ("a", "bc").
  Series* c = Get(table, {"ab", "c", ""}, &outcome);
  Series* d = Get(table, {"a", "bc", ""}, &outcome);
  CHECK(c != d);
  CHECK(table.size() == 4);
}

TEST_CASE("SeriesTable: differing label sets with one hash stay distinct series", "[handler]") {
  // Callers pass the hash; force every label set onto one hash (the worst collision a weak
  // hash could allow), through growth and deletion.
  SeriesTable table(2, 0, 0, "overflow");
  constexpr uint64_t kHash = 42;
  std::vector<std::string> names;
  for (int i = 0; i < 40; ++i) names.push_back(absl::StrCat("svc-", i));
  std::vector<Series*> created;
  {
    EpochDomain::ReadSection section;
    SeriesTable::Outcome outcome;
    for (const std::string& name : names) {
      const absl::string_view labels[] = {name, "v1"};
      Series* s = table.FindOrCreate(kHash, labels, &outcome);
      CHECK(outcome == SeriesTable::Outcome::kCreated);
      s->CounterAdd(1);
      created.push_back(s);
    }
    for (size_t i = 0; i < names.size(); ++i) {
      const absl::string_view labels[] = {names[i], "v1"};
      CHECK(table.Find(kHash, labels) == created[i]);
      CHECK(created[i]->hash() == kHash);
      CHECK(LabelStrings(*created[i]) == std::vector<std::string>{names[i], "v1"});
    }
    const absl::string_view other[] = {"svc-0", "v2"};
    CHECK(table.Find(kHash, other) == nullptr);
  }
  CHECK(table.size() == names.size());
  // Expire the even ones: the odd ones are still found past their tombstones.
  for (size_t i = 0; i < names.size(); i += 2) created[i]->deadline.store(5);
  CHECK(table.DeleteExpired(10) == names.size() / 2);
  EpochDomain::ReadSection section;
  for (size_t i = 0; i < names.size(); ++i) {
    const absl::string_view labels[] = {names[i], "v1"};
    CHECK(table.Find(kHash, labels) == (i % 2 == 1 ? created[i] : nullptr));
  }
}

TEST_CASE("SeriesTable: finding an existing series allocates nothing", "[handler]") {
  SeriesTable table(3, 0, 0, "overflow");
  EpochDomain::ReadSection section;
  SeriesTable::Outcome outcome;
  const std::vector<absl::string_view> labels{"v1", "ratings-v2", "v2"};
  Get(table, labels, &outcome)->CounterAdd(1);
  testing::CountAllocations allocs;
  for (int i = 0; i < 100; ++i) {
    Series* s = table.FindOrCreate(SeriesTable::Hash(labels), labels, &outcome);
    s->CounterAdd(1);
  }
  CHECK(allocs.count() == 0);
  CHECK(Get(table, labels, &outcome)->CounterValue() == 101);
}

TEST_CASE("SeriesTable: grows and keeps every series", "[handler]") {
  SeriesTable table(1, 0, 0, "overflow");
  std::vector<std::string> names;
  for (int i = 0; i < 5000; ++i) names.push_back(absl::StrCat("s", i));
  EpochDomain::ReadSection section;
  SeriesTable::Outcome outcome;
  for (int round = 0; round < 2; ++round) {
    for (const std::string& n : names) Get(table, {n}, &outcome)->CounterAdd(1);
  }
  CHECK(table.size() == 5000);
  for (const std::string& n : names) {
    Series* s = table.Find(SeriesTable::Hash({n}), {n});
    REQUIRE(s != nullptr);
    CHECK(s->CounterValue() == 2);
  }
}

TEST_CASE("SeriesTable: sorted iteration compares label values byte-wise in order",
          "[handler]") {
  SeriesTable table(2, 0, 0, "overflow");
  {
    EpochDomain::ReadSection section;
    SeriesTable::Outcome outcome;
    for (auto labels : std::vector<std::vector<absl::string_view>>{
             {"b", "1"}, {"a", "2"}, {"a", "10"}, {"B", "z"}, {"\xc3\xa9", ""}, {"a", ""}}) {
      Get(table, labels, &outcome);
    }
  }
  CHECK(SortedLabels(table) == std::vector<std::vector<std::string>>{{"B", "z"},
                                                                     {"a", ""},
                                                                     {"a", "10"},
                                                                     {"a", "2"},
                                                                     {"b", "1"},
                                                                     {"\xc3\xa9", ""}});
  // The cached order follows later changes.
  {
    EpochDomain::ReadSection section;
    SeriesTable::Outcome outcome;
    Get(table, {"A", "0"}, &outcome);
  }
  CHECK(SortedLabels(table).front() == std::vector<std::string>{"A", "0"});
}

TEST_CASE("SeriesTable: label values must be valid UTF-8", "[handler]") {
  SeriesTable table(1, 0, 0, "overflow");
  EpochDomain::ReadSection section;
  SeriesTable::Outcome outcome;
  const char* bad[] = {"\xff", "\xc0\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "a\xe2\x82"};
  for (const char* v : bad) {
    INFO(v);
    CHECK(Get(table, {v}, &outcome) == nullptr);
    CHECK(outcome == SeriesTable::Outcome::kInvalidLabel);
  }
  const absl::string_view good[] = {"", "ascii", "\xc3\xa9", "\xe2\x82\xac",
                                     "\xf0\x9f\x98\x80", absl::string_view("nul\0inside", 10)};
  for (absl::string_view v : good) {
    CHECK(Get(table, {v}, &outcome) != nullptr);
  }
  CHECK(table.size() == 6);
}

TEST_CASE("SeriesTable: the guard folds new label sets into one overflow series",
          "[handler]") {
  SeriesTable table(2, 0, 3, "mixlet_overflow");
  EpochDomain::ReadSection section;
  SeriesTable::Outcome outcome;
  for (int i = 0; i < 3; ++i) {
    const std::string v = absl::StrCat(i);
    Get(table, {v, "x"}, &outcome)->CounterAdd(1);
    CHECK(outcome == SeriesTable::Outcome::kCreated);
  }
  Series* overflow = Get(table, {"3", "x"}, &outcome);
  CHECK(outcome == SeriesTable::Outcome::kOverflow);
  REQUIRE(overflow != nullptr);
  CHECK(LabelStrings(*overflow) == std::vector<std::string>{"mixlet_overflow", "mixlet_overflow"});
  overflow->CounterAdd(1);
  for (int i = 4; i < 1000; ++i) {
    const std::string v = absl::StrCat(i);
    Series* s = Get(table, {v, "x"}, &outcome);
    CHECK(s == overflow);
    s->CounterAdd(1);
  }
  // Existing series are still found and updated.
  CHECK(Get(table, {"0", "x"}, &outcome) != overflow);
  CHECK(outcome == SeriesTable::Outcome::kFound);
  CHECK(table.size() == 4);
  CHECK(overflow->CounterValue() == 997);
}

TEST_CASE("SeriesTable: DeleteExpired removes series whose deadline passed", "[handler]") {
  SeriesTable table(1, 0, 2, "overflow");
  SeriesTable::Outcome outcome;
  {
    EpochDomain::ReadSection section;
    Get(table, {"old"}, &outcome)->deadline.store(100);
    Get(table, {"new"}, &outcome)->deadline.store(200);
    Get(table, {"full"}, &outcome)->deadline.store(100);  // overflow series
    CHECK(outcome == SeriesTable::Outcome::kOverflow);
    Get(table, {"forever"}, &outcome);  // also the overflow series, deadline 100
  }
  CHECK(table.DeleteExpired(99) == 0);
  CHECK(table.DeleteExpired(100) == 2);  // "old" and the overflow series
  CHECK(SortedLabels(table) == std::vector<std::vector<std::string>>{{"new"}});
  {
    EpochDomain::ReadSection section;
    // Room again: a new series is created, and a deleted one starts afresh.
    Series* s = Get(table, {"old"}, &outcome);
    CHECK(outcome == SeriesTable::Outcome::kCreated);
    CHECK(s->CounterValue() == 0);
    CHECK(s->deadline.load() == kNoDeadline);
  }
  CHECK(table.DeleteExpired(1000) == 1);  // "new"; "old" has no deadline now
  CHECK(table.size() == 1);
}

TEST_CASE("SeriesTable: counters sum integers exactly and fractions apart", "[handler]") {
  SeriesTable table(0, 0, 0, "overflow");
  EpochDomain::ReadSection section;
  SeriesTable::Outcome outcome;
  Series* s = Get(table, {}, &outcome);
  s->CounterAdd(0.1);
  s->CounterAdd(1);
  s->CounterAdd(0.1);
  CHECK(s->CounterValue() == 1.2);  // a single running double would give 1.2000000000000002
  Series* big = Get(table, {}, &outcome);
  CHECK(big == s);
  SeriesTable t2(0, 0, 0, "overflow");
  Series* b = Get(t2, {}, &outcome);
  b->CounterAdd(9007199254740992.0);  // 2^53
  b->CounterAdd(1);
  b->CounterAdd(1);
  CHECK(b->cell0.load() == 9007199254740994u);
}

TEST_CASE("SeriesTable: concurrent creation, updates and expiry lose nothing", "[handler]") {
  // Writers add to a fixed set of series while a sweeper deletes series that nobody updates
  // (deadline 0) and the table grows: every increment on a kept series must arrive.
  SeriesTable table(1, 0, 0, "overflow");
  constexpr int kThreads = 4;
  constexpr int kIterations = 20000;
  std::atomic<bool> done{false};
  std::thread sweeper([&] {
    while (!done.load()) table.DeleteExpired(0);
  });
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      SeriesTable::Outcome outcome;
      for (int i = 0; i < kIterations; ++i) {
        EpochDomain::ReadSection section;
        const std::string kept = absl::StrCat("kept", i % 64);
        Get(table, {kept}, &outcome)->CounterAdd(1);
        const std::string churn = absl::StrCat("churn", t, "-", i);
        Get(table, {churn}, &outcome)->deadline.store(0);
      }
    });
  }
  for (auto& w : writers) w.join();
  done = true;
  sweeper.join();
  table.DeleteExpired(0);
  double total = 0;
  {
    EpochDomain::ReadSection section;
    table.ForEachSorted([&](const Series& s) { total += s.CounterValue(); });
  }
  CHECK(table.size() == 64);
  CHECK(total == kThreads * kIterations);
}

}  // namespace
}  // namespace mixlet::handler_internal
