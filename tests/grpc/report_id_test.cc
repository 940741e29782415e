#include "grpc/report_id.h"

#include <thread>

#include <catch2/catch.hpp>

#include "absl/strings/match.h"
#include "absl/time/clock.h"

namespace mixlet::grpc_internal {
namespace {

TEST_CASE("RecentReportIds: a new id is let through, a finished one answered again",
          "[grpc]") {
  RecentReportIds ids(10);
  absl::Status previous;
  REQUIRE(ids.Begin("c-1", absl::ZeroDuration(), &previous));
  ids.Finish("c-1", absl::InvalidArgumentError("1 of 2 reports refused"));
  REQUIRE_FALSE(ids.Begin("c-1", absl::ZeroDuration(), &previous));
  CHECK(previous == absl::InvalidArgumentError("1 of 2 reports refused"));
  REQUIRE(ids.Begin("c-2", absl::ZeroDuration(), &previous));
}

TEST_CASE("RecentReportIds: an abandoned id is let through again", "[grpc]") {
  RecentReportIds ids(10);
  absl::Status previous;
  REQUIRE(ids.Begin("c-1", absl::ZeroDuration(), &previous));
  ids.Abandon("c-1");
  CHECK(ids.Begin("c-1", absl::ZeroDuration(), &previous));
}

TEST_CASE("RecentReportIds: the oldest ids are forgotten beyond capacity", "[grpc]") {
  RecentReportIds ids(3);
  absl::Status previous;
  for (const char* id : {"a", "b", "c", "d"}) {
    REQUIRE(ids.Begin(id, absl::ZeroDuration(), &previous));
    ids.Finish(id, absl::OkStatus());
  }
  CHECK(ids.size() == 3);
  CHECK(ids.Begin("a", absl::ZeroDuration(), &previous));   // forgotten: applied again
  CHECK_FALSE(ids.Begin("d", absl::ZeroDuration(), &previous));
}

TEST_CASE("RecentReportIds: a retry waits for the attempt still being applied", "[grpc]") {
  RecentReportIds ids(10);
  absl::Status previous;
  REQUIRE(ids.Begin("c-1", absl::ZeroDuration(), &previous));
  std::thread finisher([&] {
    absl::SleepFor(absl::Milliseconds(100));
    ids.Finish("c-1", absl::OkStatus());
  });
  absl::Status answer = absl::UnknownError("unset");
  CHECK_FALSE(ids.Begin("c-1", absl::Seconds(10), &answer));
  CHECK(answer.ok());
  finisher.join();

  // Without an answer in time: UNAVAILABLE, which the client retries.
  REQUIRE(ids.Begin("c-2", absl::ZeroDuration(), &previous));
  CHECK_FALSE(ids.Begin("c-2", absl::Milliseconds(10), &answer));
  CHECK(answer.code() == absl::StatusCode::kUnavailable);
  CHECK(absl::StrContains(answer.message(), "still being applied"));
}

TEST_CASE("NewClientId: 16 hex digits, different each time", "[grpc]") {
  const std::string a = NewClientId();
  const std::string b = NewClientId();
  CHECK(a.size() == 16);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(a != b);
}

}  // namespace
}  // namespace mixlet::grpc_internal
