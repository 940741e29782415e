// The shared table of CEXL cases: expression, input bag, expected type and value, or the expected
// compile or evaluation error. Every row of expressions.md §10 is here, Mixer's own cases
// (mixer/pkg/il/testing/tests.go), and mixlet's pins for each "Mixer bug" the spec lists, for
// operator precedence, literal forms, every built-in in both forms, typed equality, constant
// folding and the error paths.
//
// The table drives tests/expr/evaluator_test.cc and the zero-allocation test; it is meant to be
// reused by the expression benchmark and the differential test against Mixer, so it includes
// no test framework. Bags are JSON objects read by `ParseBagJson` (attribute/bag_json.h) with
// the test vocabulary; the few values JSON cannot express (a 4-byte IP address, -0.0, NaN) are
// set by a `BagBuilder` afterwards. Expected values are `ToJson` text (value/value_json.h).
//
// Example:
//   for (const ExpressionCase& c : kExpressionCases) {
//     ExpressionCompiler compiler(TestVocabulary());
//     absl::StatusOr<Expression> e = compiler.Compile(c.expression);
//     ...
//   }
#ifndef MIXLET_TESTS_EXPR_EXPRESSION_CASES_H_
#define MIXLET_TESTS_EXPR_EXPRESSION_CASES_H_

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "mixlet/attribute/bag_json.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/value/value.h"

namespace mixlet::expr_testing {

// Attributes the cases use besides the standard vocabulary: Mixer's test manifests
// (`defaultAttrs`, `exprEvalAttrs` in tests.go) and the §10 test attributes.
struct TestAttribute {
  const char* name;
  ValueType type;
};

inline constexpr TestAttribute kTestAttributes[] = {
    {"a", ValueType::kInt64},           {"b", ValueType::kInt64},
    {"x", ValueType::kInt64},           {"y", ValueType::kInt64},
    {"ai", ValueType::kInt64},          {"bi", ValueType::kInt64},
    {"ad", ValueType::kDouble},         {"bd", ValueType::kDouble},
    {"ab", ValueType::kBool},           {"bb", ValueType::kBool},
    {"b1", ValueType::kBool},           {"b2", ValueType::kBool},
    {"abc", ValueType::kString},        {"bs", ValueType::kString},
    {"ar", ValueType::kStringMap},      {"br", ValueType::kStringMap},
    {"sm", ValueType::kStringMap},      {"adur", ValueType::kDuration},
    {"bdur", ValueType::kDuration},     {"at", ValueType::kTimestamp},
    {"bt", ValueType::kTimestamp},      {"t1", ValueType::kTimestamp},
    {"t2", ValueType::kTimestamp},      {"aip", ValueType::kIpAddress},
    {"bip", ValueType::kIpAddress},     {"adns", ValueType::kDnsName},
    {"bdns", ValueType::kDnsName},      {"amail", ValueType::kEmailAddress},
    {"bmail", ValueType::kEmailAddress}, {"auri", ValueType::kUri},
    {"buri", ValueType::kUri},          {"request.user", ValueType::kString},
    {"request.user2", ValueType::kString}, {"request.user3", ValueType::kString},
    {"request.size1", ValueType::kInt64}, {"request.header", ValueType::kStringMap},
    {"source.target", ValueType::kString}, {"service.name", ValueType::kString},
    {"service.user", ValueType::kString}, {"origin.name", ValueType::kString},
    {"headername", ValueType::kString}, {"servicename", ValueType::kString},
};

// The standard vocabulary plus `kTestAttributes`. Built once.
inline std::shared_ptr<const Vocabulary> TestVocabulary() {
  static const std::shared_ptr<const Vocabulary>* const kVocabulary = [] {
    VocabularyBuilder b = VocabularyBuilder::Standard();
    for (const TestAttribute& a : kTestAttributes) b.Add(a.name, a.type).IgnoreError();
    return new std::shared_ptr<const Vocabulary>(std::move(b).Build());
  }();
  return *kVocabulary;
}

enum CaseFlag : unsigned {
  // mixlet deliberately differs from Mixer here (one of the spec's "Mixer bug" paragraphs, or a
  // compile-time check Mixer lacked); a differential test should expect a different answer.
  kMixerDiffers = 1u << 0,
  // Evaluation may allocate (ip(), dnsName(), email(), uri() of a non-constant, the DNS /
  // e-mail / URI equalities, or an error built by one of those): excluded from the
  // zero-allocation test.
  kMayAllocate = 1u << 1,
};

// Sets values JSON cannot express, after the JSON is read.
using BagBuilder = void (*)(MutableBag& bag);

struct ExpressionCase {
  const char* expression;
  const char* bag;            // JSON object; "{}" for the empty bag
  ValueType type;             // expected static type; kUnspecified for a compile error
  const char* value;          // expected ToJson(result), or nullptr when an error is expected
  const char* compile_error;  // fragment of the compile error message, or nullptr
  const char* eval_error;     // fragment of the evaluation error message, or nullptr
  unsigned flags;
  const char* note;           // where the case comes from / what it pins
  BagBuilder builder;         // or nullptr
};

constexpr ExpressionCase Ok(const char* expression, const char* bag, ValueType type,
                            const char* value, unsigned flags = 0, const char* note = "",
                            BagBuilder builder = nullptr) {
  return {expression, bag, type, value, nullptr, nullptr, flags, note, builder};
}
constexpr ExpressionCase EvalError(const char* expression, const char* bag, ValueType type,
                                   const char* error, unsigned flags = 0, const char* note = "",
                                   BagBuilder builder = nullptr) {
  return {expression, bag, type, nullptr, nullptr, error, flags, note, builder};
}
constexpr ExpressionCase CompileError(const char* expression, const char* error,
                                      unsigned flags = 0, const char* note = "") {
  return {expression, "{}", ValueType::kUnspecified, nullptr, error, nullptr, flags, note,
          nullptr};
}

// Builds the bag of `c` (JSON, then the builder) into `bag`, which must use TestVocabulary().
inline absl::Status BuildCaseBag(const ExpressionCase& c, MutableBag* bag) {
  absl::Status s = ParseBagJson(c.bag, bag);
  if (!s.ok()) return s;
  if (c.builder != nullptr) c.builder(*bag);
  return absl::OkStatus();
}

namespace builders {
inline void Ipv4AsFourBytes(MutableBag& bag) {  // aip=01020304, bip=04050607
  bag.Set("aip", Value::IpAddress(absl::string_view("\x01\x02\x03\x04", 4))).IgnoreError();
  bag.Set("bip", Value::IpAddress(absl::string_view("\x04\x05\x06\x07", 4))).IgnoreError();
}
inline void Ipv4FourAndSixteenBytes(MutableBag& bag) {  // 1.2.3.4 in both forms
  bag.Set("aip", Value::IpAddress(absl::string_view("\x01\x02\x03\x04", 4))).IgnoreError();
  bag.Set("bip", Value::IpAddress(absl::string_view(
                     "\0\0\0\0\0\0\0\0\0\0\xff\xff\x01\x02\x03\x04", 16)))
      .IgnoreError();
}
inline void NegativeAndPositiveZero(MutableBag& bag) {
  bag.Set("ad", Value::Double(-0.0)).IgnoreError();
  bag.Set("bd", Value::Double(0.0)).IgnoreError();
}
inline void SameNaN(MutableBag& bag) {
  bag.Set("ad", Value::Double(__builtin_nan(""))).IgnoreError();
  bag.Set("bd", Value::Double(__builtin_nan(""))).IgnoreError();
}
}  // namespace builders

// Short type names for the table.
inline constexpr ValueType kStr = ValueType::kString;
inline constexpr ValueType kInt = ValueType::kInt64;
inline constexpr ValueType kDbl = ValueType::kDouble;
inline constexpr ValueType kBool = ValueType::kBool;
inline constexpr ValueType kTime = ValueType::kTimestamp;
inline constexpr ValueType kIp = ValueType::kIpAddress;
inline constexpr ValueType kMail = ValueType::kEmailAddress;
inline constexpr ValueType kUri = ValueType::kUri;
inline constexpr ValueType kDns = ValueType::kDnsName;
inline constexpr ValueType kDur = ValueType::kDuration;
inline constexpr ValueType kMap = ValueType::kStringMap;

// clang-format off
inline constexpr ExpressionCase kExpressionCases[] = {
    // ---------------------------------------------------------------- expressions.md §10
    Ok(R"(request.size | 200)", R"({"request.size": 120})", kInt, "120", 0, "§10 #1"),
    Ok(R"(request.size | 200)", R"({"request.size": 0})", kInt, "0", 0, "§10 #2: 0 is present"),
    Ok(R"(request.size | 200)", "{}", kInt, "200", 0, "§10 #3"),
    Ok(R"(abc | "")", "{}", kStr, R"("")", 0, "§10 #4"),
    Ok(R"(abc | bs | "user1")", R"({"bs": "b2"})", kStr, R"("b2")", 0, "§10 #5"),
    Ok(R"(abc | bs | "user1")", R"({"abc": "a2", "bs": "b2"})", kStr, R"("a2")", 0, "§10 #6"),
    Ok(R"("foo" | "bar")", "{}", kStr, R"("foo")", 0, "§10 #7"),
    Ok(R"(ar["c"] | "foo")", "{}", kStr, R"("foo")", 0, "§10 #8"),
    Ok(R"(ar["b"] | ar["c"] | "null")", R"({"ar": {"c": "b"}})", kStr, R"("b")", 0, "§10 #9"),
    Ok(R"(ar[abc] | "foo")", R"({"ar": {"abcval": "bar"}, "abc": "abcval"})", kStr, R"("bar")", 0, "§10 #10"),
    Ok(R"(ar[abc] | "foo")", R"({"ar": {"abc": "bar"}})", kStr, R"("foo")", 0, "§10 #11"),
    Ok(R"((ar | br)["foo"])", R"({"br": {"foo": "far"}})", kStr, R"("far")", 0, "§10 #12"),
    Ok(R"(source.labels["version"] | "unknown")", R"({"source.labels": {"app": "ratings"}})", kStr, R"("unknown")", 0, "§10 #13"),
    Ok(R"(match(request.headers["user-agent"], "curl*"))", R"({"request.headers": {}})", kBool, "false", 0, "§10 #14: missing key reads as \"\""),
    EvalError(R"(match(request.headers["user-agent"], "curl*"))", "{}", kBool, "lookup failed: 'request.headers'", 0, "§10 #15"),
    Ok(R"(match(service.name, "*.ns1.cluster"))", R"({"service.name": "svc1.ns1.cluster"})", kBool, "true", 0, "§10 #16"),
    EvalError(R"(a == 2)", "{}", kBool, "lookup failed: 'a'", 0, "§10 #17"),
    Ok(R"((origin.name | "unknown") == "users")", "{}", kBool, "false", 0, "§10 #18"),
    Ok(R"((x == 20 && y == 10) || x == 30)", R"({"x": 20, "y": 10})", kBool, "true", 0, "§10 #19"),
    Ok(R"(ai == 20 || ar["foo"] == "bar")", R"({"ai": 20})", kBool, "true", 0, "§10 #20: right side never evaluated"),
    EvalError(R"(x == 20 && y == 10)", R"({"a": 20, "b": 10})", kBool, "lookup failed: 'x'", 0, "§10 #21"),
    CompileError(R"(true == a)", "EQ(true, $a) arg 2 ($a) typeError got INT64, expected BOOL", 0, "§10 #22"),
    CompileError(R"(3.14 == a)", "EQ(3.14, $a) arg 2 ($a) typeError got INT64, expected DOUBLE", 0, "§10 #23"),
    CompileError(R"((x/y) == 30)", "unknown function: QUO", 0, "§10 #24"),
    CompileError(R"(a = 2)", "expected '==', found '='", 0, "§10 #25"),
    CompileError(R"(@23)", "illegal character U+0040 '@'", 0, "§10 #26"),
    Ok(R"(destination.ip | ip("10.1.12.3"))", "{}", kIp, R"("10.1.12.3")", 0, "§10 #27"),
    EvalError(R"(destination.ip | ip("10.1.12"))", "{}", kIp, "could not convert 10.1.12 to IP_ADDRESS", kMayAllocate, "§10 #28"),
    EvalError(R"(ip(abc) | ip(bs))", R"({"bs": "1.2.3.4"})", kIp, "lookup failed: 'abc'", 0, "§10 #29: a call is never absent"),
    EvalError(R"(request.time | timestamp("242233"))", "{}", kTime, "could not convert '242233' to TIMESTAMP. expected format: '2006-01-02T15:04:05Z07:00'", kMayAllocate, "§10 #30"),
    Ok(R"(adns == bdns)", R"({"adns": "foo.bar.com", "bdns": "fOO.bar.com"})", kBool, "true", kMayAllocate, "§10 #31"),
    Ok(R"(dnsName("foo.bar.baz") == dnsName("foo.Bar.baz."))", "{}", kBool, "true", 0, "§10 #32 (folded)"),
    CompileError(R"(adns == abc)", "EQ($adns, $abc) arg 2 ($abc) typeError got STRING, expected DNS_NAME", 0, "§10 #33"),
    Ok(R"(amail == bmail)", R"({"amail": "\"istio\"@istio.io", "bmail": "istio@istio.io"})", kBool, "true", kMayAllocate, "§10 #34"),
    Ok(R"(email(abc))", R"({"abc": "\"istio\"@istio.io"})", kMail, R"("\"istio\"@istio.io")", kMayAllocate, "§10 #35: returned unchanged"),
    Ok(R"(auri != buri)", R"({"auri": "http://istio.io:80", "buri": "http://istio.io:81"})", kBool, "true", kMayAllocate, "§10 #36"),
    EvalError(R"(uri(""))", "{}", kUri, "error converting string to uri: empty string", kMayAllocate, "§10 #37"),
    Ok(R"(aip == bip)", "{}", kBool, "false", 0, "§10 #38", builders::Ipv4AsFourBytes),
    Ok(R"(t1 < timestamp("2015-01-02T15:04:36Z"))", R"({"t1": "2015-01-02T15:04:35Z"})", kBool, "true", 0, "§10 #39"),
    CompileError(R"(t1 <= 42)", "LEQ($t1, 42) arg 2 (42) typeError got INT64, expected TIMESTAMP", 0, "§10 #40"),
    Ok(R"(adur | "19ms")", "{}", kDur, R"("19ms")", 0, "§10 #41"),
    Ok(R"("a" < "b")", "{}", kBool, "true", 0, "§10 #42"),
    CompileError(R"(1 < "a")", R"(LT(1, "a") arg 2 ("a") typeError got STRING, expected INT64)", 0, "§10 #43"),
    Ok(R"(".*".matches("abc"))", "{}", kBool, "true", 0, "§10 #44: the receiver is the regex"),
    Ok(R"("ab.*d".matches("abc"))", "{}", kBool, "false", 0, "§10 #45"),
    Ok(R"(abc.matches(bs))", R"({"abc": "st.*", "bs": "str1"})", kBool, "true", 0, "§10 #46"),
    CompileError(R"(matches("aaa"))", "invoking instance method without an instance: matches", 0, "§10 #47"),
    CompileError(R"("aaa".startsWith(23))", R"("aaa":startsWith(23) arg 1 (23) typeError got INT64, expected STRING)", 0, "§10 #48"),
    Ok(R"(abc.endsWith(bs))", R"({"abc": "abcd", "bs": "cd"})", kBool, "true", 0, "§10 #49"),
    Ok(R"(conditional(false, 43, 24))", "{}", kInt, "24", 0, "§10 #50"),
    Ok(R"(conditional(ab, "foo", "bar") | abc | bs)", R"({"ab": false})", kStr, R"("bar")", 0, "§10 #51: a call is never absent"),
    Ok(R"(abc | bs | conditional(ab, "foo", "bar"))", R"({"bs": "zoo"})", kStr, R"("zoo")", 0, "§10 #52"),
    Ok(R"(conditional((context.reporter.kind | "inbound") == "outbound", "source", "destination"))", R"({"context.reporter.kind": "outbound"})", kStr, R"("source")", 0, "§10 #53"),
    Ok(R"(abc + (bs | "b") + "c")", R"({"abc": "a"})", kStr, R"("abc")", 0, "§10 #54"),
    Ok(R"(abc | "a" + bs + "c")", R"({"bs": "b"})", kStr, R"("abc")", 0, "§10 #55: ((abc|\"a\")+bs)+\"c\""),
    Ok(R"(ai + 2)", R"({"ai": 1})", kInt, "3", 0, "§10 #56"),
    CompileError(R"(ab + bb)", "internal compiler error -- Add for type not yet implemented: bool", 0, "§10 #57"),
    CompileError(R"(+abc)", "ADD($abc) arity mismatch. Got 1 arg(s), expected 2 arg(s)", 0, "§10 #58"),
    Ok(R"(size(abc))", R"({"abc": "two"})", kInt, "3", 0, "§10 #59"),
    CompileError(R"(size(1))", "size(1) arg 1 (1) typeError got INT64, expected STRING", 0, "§10 #60"),
    Ok(R"(request.headers[toLower(source.uid)] == "curlish")", R"({"request.headers": {"user-agent": "curlish"}, "source.uid": "uSeR-agEnT"})", kBool, "true", 0, "§10 #61"),
    Ok(R"(emptyStringMap() | source.labels)", "{}", kMap, "{}", 0, "§10 #62"),
    Ok(R"("foo".startsWith("bar") | true)", "{}", kBool, "false", 0, "§10 #63: a call is never absent"),
    Ok(R"(ab | true)", "{}", kBool, "true", 0, "§10 #64"),
    Ok(R"(context.protocol == "tcp" && destination.service.host == "mongodb.default.svc.cluster.local")", R"({"context.protocol": "tcp", "destination.service.host": "mongodb.default.svc.cluster.local"})", kBool, "true", 0, "§10 #65"),
    Ok(R"(context.protocol == "tcp" && destination.service.host == "mongodb.default.svc.cluster.local")", R"({"context.protocol": "http"})", kBool, "false", 0, "§10 #66: short-circuit"),
    EvalError(R"(context.protocol == "tcp" && destination.service.host == "mongodb.default.svc.cluster.local")", "{}", kBool, "lookup failed: 'context.protocol'", 0, "§10 #67"),
    CompileError(R"(!ab)", "unknown function: NOT", 0, "§10 #68"),
    CompileError(R"(response.duration == "10ms")", "internal compiler error -- equality for type not yet implemented: duration", 0, "§10 #69"),
    Ok(R"(connection.sent.bytes | 0)", "{}", kInt, "0", 0, "§10 #70"),
    EvalError(R"(ip(abc | bs))", "{}", kIp, "lookup failed: 'bs'", 0, "§10 #71: last operand of a strict chain"),
    Ok(R"(request.user2 | request.user3 | "user1")", R"({"request.user": "user2"})", kStr, R"("user1")", 0, "§10 #72"),

    // ---------------------------------------------------------------- the six hot-path targets
    Ok(R"(connection.received.bytes | 0)", R"({"connection.received.bytes": 1200})", kInt, "1200", 0, "target"),
    Ok(R"(source.workload.name | "unknown")", R"({"source.workload.name": "ratings-v2"})", kStr, R"("ratings-v2")", 0, "target"),
    Ok(R"(source.workload.name | "unknown")", "{}", kStr, R"("unknown")", 0, "target"),
    Ok(R"(source.labels["version"] | "unknown")", R"({"source.labels": {"app": "ratings", "version": "v2"}})", kStr, R"("v2")", 0, "target"),
    Ok(R"(source.labels["version"] | "unknown")", "{}", kStr, R"("unknown")", 0, "target"),
    Ok(R"(match(request.path, "/api/*") && request.headers["x-user"] == "jason")", R"({"request.path": "/api/v1", "request.headers": {"x-user": "jason"}})", kBool, "true", 0, "target"),
    Ok(R"(match(request.path, "/api/*") && request.headers["x-user"] == "jason")", R"({"request.path": "/web", "request.headers": {"x-user": "jason"}})", kBool, "false", 0, "target"),
    Ok(R"("Mobile.*".matches(request.headers["user-agent"]))", R"({"request.headers": {"user-agent": "Mozilla/5.0 (Mobile; rv:40.0) Gecko"}})", kBool, "true", 0, "target"),
    Ok(R"("Mobile.*".matches(request.headers["user-agent"]))", R"({"request.headers": {"user-agent": "curl/7.64"}})", kBool, "false", 0, "target"),

    // ---------------------------------------------------------------- Mixer's table (tests.go)
    Ok(R"(ai == 20 || ar["foo"] == "bar")", R"({"ai": 2, "ar": {"foo": "bar"}})", kBool, "true", 0, "tests.go"),
    Ok(R"(ai == 20 || ar["foo"] == "bar")", R"({"ai": 2, "ar": {"foo": "baz"}})", kBool, "false", 0, "tests.go"),
    Ok(R"(a != 2)", R"({"a": 2})", kBool, "false", 0, "tests.go"),
    EvalError(R"(2 != a)", "{}", kBool, "lookup failed: 'a'", 0, "tests.go"),
    Ok(R"(a )", R"({"a": 2})", kInt, "2", 0, "tests.go"),
    Ok(R"(2 )", "{}", kInt, "2", 0, "tests.go"),
    Ok(R"(request.user == "user1")", R"({"request.user": "user1"})", kBool, "true", 0, "tests.go"),
    Ok(R"(request.user2| request.user | "user1")", R"({"request.user": "user2"})", kStr, R"("user2")", 0, "tests.go"),
    Ok(R"(request.size| 200)", R"({"request.size1": 0})", kInt, "200", 0, "tests.go"),
    Ok(R"(match(service.name, "*.ns1.cluster") && service.user == "admin")", R"({"service.name": "svc1.ns1.cluster", "service.user": "admin"})", kBool, "true", 0, "tests.go"),
    Ok(R"(request.headers[toLower("USER-AGENT")] == "curlish")", R"({"request.headers": {"user-agent": "curlish"}})", kBool, "true", 0, "tests.go"),
    Ok(R"(match(request.headers["user-agent"], "curl*"))", R"({"request.headers": {"user-agent": "ishcurl"}})", kBool, "false", 0, "tests.go"),
    CompileError(R"(match(request.headerzzzz["user-agent"], "curl*"))", "unknown attribute 'request.headerzzzz'", 0, "tests.go"),
    Ok(R"(( origin.name | "unknown" ) == "users")", R"({"origin.name": "users"})", kBool, "true", 0, "tests.go"),
    Ok(R"(request.header["user"] | "unknown")", R"({"request.header": {"myheader": "bbb"}})", kStr, R"("unknown")", 0, "tests.go"),
    Ok(R"(request.header["X-FORWARDED-HOST"] == "aaa")", R"({"request.header": {"X-FORWARDED-HOST": "bbb"}})", kBool, "false", 0, "tests.go"),
    EvalError(R"(request.header["X-FORWARDED-HOST"] == "aaa")", "{}", kBool, "lookup failed: 'request.header'", 0, "tests.go"),
    EvalError(R"(request.header[headername] == "aaa")", R"({"request.header": {"X-FORWARDED-HOST": "bbb"}})", kBool, "lookup failed: 'headername'", 0, "tests.go"),
    Ok(R"(request.header[headername] == "aaa")", R"({"request.header": {"X-FORWARDED-HOST": "aaa"}, "headername": "X-FORWARDED-HOST"})", kBool, "true", 0, "tests.go"),
    Ok(R"(match(service.name, "*.ns1.cluster"))", R"({"service.name": "svc1.ns2.cluster"})", kBool, "false", 0, "tests.go"),
    EvalError(R"(match(service.name, servicename))", R"({"servicename": "*.aaa"})", kBool, "lookup failed: 'service.name'", 0, "tests.go"),
    EvalError(R"(match(service.name, servicename))", R"({"service.name": "svc1.ns2.cluster"})", kBool, "lookup failed: 'servicename'", 0, "tests.go"),
    CompileError(R"(match(service.name, 1))", "match($service.name, 1) arg 2 (1) typeError got INT64, expected STRING", 0, "tests.go"),
    CompileError(R"(destination.ip| ip(2))", "ip(2) arg 1 (2) typeError got INT64, expected STRING", 0, "tests.go"),
    Ok(R"(request.time | timestamp("2015-01-02T15:04:35Z"))", "{}", kTime, R"("2015-01-02T15:04:35Z")", 0, "tests.go"),
    CompileError(R"(request.time | timestamp(2))", "timestamp(2) arg 1 (2) typeError got INT64, expected STRING", 0, "tests.go"),
    Ok(R"(emptyStringMap())", "{}", kMap, "{}", 0, "tests.go"),
    Ok(R"(source.labels | emptyStringMap())", "{}", kMap, "{}", 0, "tests.go"),
    Ok(R"(emptyStringMap() | source.labels)", R"({"source.labels": {"test": "foo"}})", kMap, "{}", 0, "tests.go"),
    Ok(R"(request.user | "user1")", "{}", kStr, R"("user1")", 0, "tests.go"),
    Ok(R"(true)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(false)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"("ABC")", "{}", kStr, R"("ABC")", 0, "tests.go"),
    Ok(R"(456789)", "{}", kInt, "456789", 0, "tests.go"),
    Ok(R"(456.789)", "{}", kDbl, "456.789", 0, "tests.go"),
    Ok(R"(false || true || false)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(false || false || false)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(true && true && false)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(true && true && true)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(b1 && b2)", R"({"b1": true, "b2": false})", kBool, "false", 0, "tests.go"),
    Ok(R"(b1 && b2)", R"({"b1": true, "b2": true})", kBool, "true", 0, "tests.go"),
    Ok(R"(b1 && b2)", R"({"b1": false})", kBool, "false", 0, "tests.go: b2 never read"),
    Ok(R"(b1 || b2)", R"({"b1": false, "b2": true})", kBool, "true", 0, "tests.go"),
    Ok(R"(b1 || b2)", R"({"b1": false, "b2": false})", kBool, "false", 0, "tests.go"),
    Ok(R"(b1 || b2)", R"({"b1": true})", kBool, "true", 0, "tests.go: b2 never read"),
    Ok(R"(3 == 2)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(true == false)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"("ABC" == "ABC")", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(23.45 == 45.23)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(23.45 != 45.23)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(dnsName("foo.bar.baz"))", "{}", kDns, R"("foo.bar.baz")", 0, "tests.go"),
    Ok(R"(adns)", R"({"adns": "foo.bar"})", kDns, R"("foo.bar")", 0, "tests.go"),
    EvalError(R"(dnsName(""))", "{}", kDns, R"(error converting '' to dns name: 'idna: invalid label ""')", kMayAllocate, "tests.go"),
    EvalError(R"(dnsName(abc))", "{}", kDns, "lookup failed: 'abc'", 0, "tests.go"),
    EvalError(R"(dnsName(abc))", R"({"abc": "-foo.-bar"})", kDns, R"(error converting '-foo.-bar' to dns name: 'idna: invalid label "-foo"')", kMayAllocate, "tests.go"),
    Ok(R"(dnsName(abc))", R"({"abc": "foo.bar"})", kDns, R"("foo.bar")", kMayAllocate, "tests.go"),
    Ok(R"(adns | dnsName("foo.bar.baz"))", "{}", kDns, R"("foo.bar.baz")", 0, "tests.go"),
    Ok(R"(adns | bdns | dnsName("foo.bar.baz"))", "{}", kDns, R"("foo.bar.baz")", 0, "tests.go"),
    Ok(R"(adns | dnsName("foo.bar.baz") | bdns)", "{}", kDns, R"("foo.bar.baz")", 0, "tests.go"),
    Ok(R"(adns | dnsName("foo.bar.baz"))", R"({"adns": "www.istio.io"})", kDns, R"("www.istio.io")", 0, "tests.go"),
    Ok(R"(dnsName(abc | bs | "foo"))", "{}", kDns, R"("foo")", kMayAllocate, "tests.go"),
    Ok(R"(dnsName(abc | bs | "foo"))", R"({"abc": "foo.bar.com"})", kDns, R"("foo.bar.com")", kMayAllocate, "tests.go"),
    Ok(R"(adns == bdns)", R"({"adns": "foo.bar.com", "bdns": "bar.foo.com"})", kBool, "false", kMayAllocate, "tests.go"),
    Ok(R"(adns != bdns)", R"({"adns": "foo.bar.com", "bdns": "bar.foo.com"})", kBool, "true", kMayAllocate, "tests.go"),
    Ok(R"(adns != bdns)", R"({"adns": "foo.bar.com", "bdns": "foo.bar.com"})", kBool, "false", kMayAllocate, "tests.go"),
    CompileError(R"(adns != abc)", "NEQ($adns, $abc) arg 2 ($abc) typeError got STRING, expected DNS_NAME", 0, "tests.go"),
    Ok(R"((adns | dnsName("foo.bar.baz")) == dnsName("foo.Bar.baz."))", "{}", kBool, "true", kMayAllocate, "tests.go"),
    Ok(R"((adns | dnsName("foo.bar.baz")) == dnsName("foo.Bar.baz."))", R"({"adns": "foo.bar.com"})", kBool, "false", kMayAllocate, "tests.go"),
    Ok(R"(email("istio@istio.io"))", "{}", kMail, R"("istio@istio.io")", 0, "tests.go"),
    EvalError(R"(email(""))", "{}", kMail, "error converting '' to e-mail: 'mail: no address'", kMayAllocate, "tests.go"),
    EvalError(R"(email(abc))", R"({"abc": "barfoo"})", kMail, "error converting 'barfoo' to e-mail:", kMayAllocate, "tests.go"),
    Ok(R"(amail | email("istio@istio.io"))", "{}", kMail, R"("istio@istio.io")", 0, "tests.go"),
    Ok(R"(amail | email("kubernetes@kubernetes.io"))", R"({"amail": "istio@istio.io"})", kMail, R"("istio@istio.io")", 0, "tests.go"),
    Ok(R"(email(abc | bs | "pilot@istio.io"))", R"({"abc": "istio@istio.io"})", kMail, R"("istio@istio.io")", kMayAllocate, "tests.go"),
    Ok(R"(amail == bmail)", R"({"amail": "istio@istio.io", "bmail": "pilot@istio.io"})", kBool, "false", kMayAllocate, "tests.go"),
    CompileError(R"(amail == abc)", "EQ($amail, $abc) arg 2 ($abc) typeError got STRING, expected EMAIL_ADDRESS", 0, "tests.go"),
    Ok(R"(email("istio@istio.io") == email("istio@istio.io"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(uri("http://istio.io"))", "{}", kUri, R"("http://istio.io")", 0, "tests.go"),
    EvalError(R"(uri(abc))", R"({"abc": ":/"})", kUri, "error converting string to uri", kMayAllocate, "tests.go"),
    Ok(R"(uri(abc))", R"({"abc": "urn:foo"})", kUri, R"("urn:foo")", kMayAllocate, "tests.go"),
    Ok(R"(auri | buri | uri("https://kubernetes.io"))", "{}", kUri, R"("https://kubernetes.io")", 0, "tests.go"),
    Ok(R"(auri == buri)", R"({"auri": "http://foo.bar.com", "buri": "http://fOO.bar.com"})", kBool, "true", kMayAllocate, "tests.go"),
    Ok(R"(auri == buri)", R"({"auri": "http://istio.io:80", "buri": "http://istio.io:81"})", kBool, "false", kMayAllocate, "tests.go"),
    Ok(R"(uri("http://foo.bar.baz") == uri("http://foo.Bar.baz."))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"((auri | uri("https://foo.bar.baz")) == uri("https://foo.Bar.baz."))", R"({"auri": "foo.bar.com"})", kBool, "false", kMayAllocate, "tests.go"),
    CompileError(R"(auri == abc)", "EQ($auri, $abc) arg 2 ($abc) typeError got STRING, expected URI", 0, "tests.go"),
    Ok(R"(3 != 2)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(ab)", R"({"ab": true})", kBool, "true", 0, "tests.go"),
    EvalError(R"(ab)", "{}", kBool, "lookup failed: 'ab'", 0, "tests.go"),
    Ok(R"(ad)", R"({"ad": 23.46})", kDbl, "23.46", 0, "tests.go"),
    Ok(R"(ar["b"])", R"({"ar": {"b": "c"}})", kStr, R"("c")", 0, "tests.go"),
    Ok(R"(ai == 20 || ar["b"] == "c")", R"({"ai": 19, "ar": {"b": "c"}})", kBool, "true", 0, "tests.go"),
    Ok(R"(abc | "")", R"({"abc": "foo"})", kStr, R"("foo")", 0, "tests.go"),
    Ok(R"(ab | bb | true)", R"({"bb": false})", kBool, "false", 0, "tests.go"),
    Ok(R"(ai | bi | 42)", R"({"bi": 20})", kInt, "20", 0, "tests.go"),
    Ok(R"(ai | bi | 42)", "{}", kInt, "42", 0, "tests.go"),
    Ok(R"(ad | bd | 42.1)", R"({"bd": 20})", kDbl, "20", 0, "tests.go"),
    Ok(R"(ad | 42.1)", "{}", kDbl, "42.1", 0, "tests.go"),
    Ok(R"((ar | br)["foo"])", R"({"ar": {"foo": "bar"}, "br": {"foo": "far"}})", kStr, R"("bar")", 0, "tests.go"),
    Ok(R"(ai == 2)", R"({"ai": 9151314447095037952})", kBool, "false", 0, "tests.go"),
    Ok(R"(ai == bi)", R"({"ai": 9151314447095037952, "bi": 9151314447095037952})", kBool, "true", 0, "tests.go"),
    Ok(R"(ad == bd)", R"({"ad": 345345.45, "bd": 345345.45})", kBool, "true", 0, "tests.go"),
    Ok(R"(sm[abc])", R"({"abc": "foo", "sm": {"foo": "bar"}})", kStr, R"("bar")", 0, "tests.go"),
    Ok(R"(ar[abc] | "foo")", "{}", kStr, R"("foo")", 0, "tests.go"),
    Ok(R"(ar[abc] | "foo")", R"({"abc": "bar"})", kStr, R"("foo")", 0, "tests.go"),
    Ok(R"(ar[abc] | "foo")", R"({"ar": {"abc": "bar"}, "abc": "!!!!"})", kStr, R"("foo")", 0, "tests.go"),
    Ok(R"(ar["b"] | ar["c"] | "null")", R"({"ar": {}})", kStr, R"("null")", 0, "tests.go"),
    Ok(R"(ar["b"] | ar["c"] | "null")", R"({"ar": {"b": "c", "c": "b"}})", kStr, R"("c")", 0, "tests.go"),
    Ok(R"(adur)", R"({"adur": "20ms"})", kDur, R"("20ms")", 0, "tests.go"),
    Ok(R"(adur | "19ms")", R"({"adur": "20ms"})", kDur, R"("20ms")", 0, "tests.go"),
    Ok(R"(at | bt)", R"({"at": "1999-12-31T23:59:00Z", "bt": "1977-02-04T12:00:00Z"})", kTime, R"("1999-12-31T23:59:00Z")", 0, "tests.go"),
    Ok(R"(at | bt)", R"({"bt": "1977-02-04T12:00:00Z"})", kTime, R"("1977-02-04T12:00:00Z")", 0, "tests.go"),
    Ok(R"(aip | bip)", R"({"bip": "4.5.6.7"})", kIp, R"("4.5.6.7")", 0, "tests.go"),
    Ok(R"(ip("0.0.0.0"))", "{}", kIp, R"("0.0.0.0")", 0, "tests.go"),
    Ok(R"(timestamp("2015-01-02T15:04:35Z") < timestamp("2015-01-02T15:04:36Z"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(t1 <= t2)", R"({"t1": "2015-01-02T15:04:35Z", "t2": "2015-01-02T15:04:34Z"})", kBool, "false", 0, "tests.go"),
    Ok(R"(t2 <= t1)", R"({"t1": "2015-01-02T15:04:35Z", "t2": "2015-01-02T15:04:34Z"})", kBool, "true", 0, "tests.go"),
    CompileError(R"(42 <= t1)", "LEQ(42, $t1) arg 2 ($t1) typeError got TIMESTAMP, expected INT64", 0, "tests.go"),
    Ok(R"(t1 <= t1)", R"({"t1": "2015-01-02T15:04:35Z"})", kBool, "true", 0, "tests.go"),
    Ok(R"(t1 < t1)", R"({"t1": "2015-01-02T15:04:35Z"})", kBool, "false", 0, "tests.go"),
    Ok(R"(t1 == t2)", R"({"t1": "2015-01-02T15:04:35Z", "t2": "2015-01-02T15:04:34Z"})", kBool, "false", 0, "tests.go"),
    Ok(R"(t1 > t2)", R"({"t1": "2015-01-02T15:04:35Z", "t2": "2015-01-02T15:04:34Z"})", kBool, "true", 0, "tests.go"),
    Ok(R"(t1 >= t2)", R"({"t1": "2015-01-02T15:04:35Z", "t2": "2015-01-02T15:04:34Z"})", kBool, "true", 0, "tests.go"),
    Ok(R"(t1 > t1)", R"({"t1": "2015-01-02T15:04:35Z"})", kBool, "false", 0, "tests.go"),
    Ok(R"(t1 >= t1)", R"({"t1": "2015-01-02T15:04:35Z"})", kBool, "true", 0, "tests.go"),
    Ok(R"(t1 != t2)", R"({"t1": "2015-01-02T15:04:35Z", "t2": "2015-01-02T15:04:35Z"})", kBool, "false", 0, "tests.go"),
    Ok(R"(t1 | t2)", R"({"t2": "2015-01-02T15:04:34Z"})", kTime, R"("2015-01-02T15:04:34Z")", 0, "tests.go"),
    CompileError(R"(ai == true)", "EQ($ai, true) arg 2 (true) typeError got BOOL, expected INT64", 0, "tests.go"),
    Ok(R"(ip("1.2.3.4"))", "{}", kIp, R"("1.2.3.4")", 0, "tests.go"),
    Ok(R"(ip(abc))", R"({"abc": "1.2.3.4"})", kIp, R"("1.2.3.4")", kMayAllocate, "tests.go"),
    Ok(R"(ip("1.2.3.4" | "5.6.7.8"))", "{}", kIp, R"("1.2.3.4")", 0, "tests.go"),
    Ok(R"(ip(abc | "5.6.7.8"))", "{}", kIp, R"("5.6.7.8")", kMayAllocate, "tests.go"),
    Ok(R"(ip(abc | bs))", R"({"bs": "1.2.3.4"})", kIp, R"("1.2.3.4")", kMayAllocate, "tests.go"),
    Ok(R"(ip(ar["foo"]))", R"({"ar": {"foo": "1.2.3.4"}})", kIp, R"("1.2.3.4")", kMayAllocate, "tests.go"),
    Ok(R"(ip(abc) | ip(bs))", R"({"abc": "1.2.3.4", "bs": "5.6.7.8"})", kIp, R"("1.2.3.4")", kMayAllocate, "tests.go"),
    Ok(R"(true | "foo".startsWith("bar"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"("foo".startsWith("bar") | ab)", R"({"ab": true})", kBool, "false", 0, "tests.go"),
    Ok(R"("foo".startsWith("f") | ab)", R"({"ab": false})", kBool, "true", 0, "tests.go"),
    Ok(R"(ab | "foo".startsWith("f"))", R"({"ab": false})", kBool, "false", 0, "tests.go"),
    Ok(R"(ab | "foo".startsWith("f"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"("foo".startsWith("bar") | ab | "foo".startsWith("f"))", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(ab | "foo".startsWith("bar") | bb)", R"({"bb": true})", kBool, "false", 0, "tests.go"),
    Ok(R"(ab | bb | "foo".startsWith("bar"))", R"({"bb": true})", kBool, "true", 0, "tests.go"),
    Ok(R"(ab | true | "foo".startsWith("bar"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(1.0 < 2.0)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(1.0 <= 1.0)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(2.0 > 1.0)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(1.0 >= 2.0)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(ad < bd)", R"({"ad": 1.0, "bd": 2.0})", kBool, "true", 0, "tests.go"),
    Ok(R"(bd <= ad)", R"({"ad": 1.0, "bd": 2.0})", kBool, "false", 0, "tests.go"),
    Ok(R"(ad > ad)", R"({"ad": 1.0})", kBool, "false", 0, "tests.go"),
    Ok(R"(bd >= ad)", R"({"ad": 1.0, "bd": 2.0})", kBool, "true", 0, "tests.go"),
    Ok(R"(1 > 2)", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(2 >= 1)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(1 <= 1)", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(ai < bi)", R"({"ai": 1, "bi": 2})", kBool, "true", 0, "tests.go"),
    Ok(R"(bi > ai)", R"({"ai": 1, "bi": 2})", kBool, "true", 0, "tests.go"),
    Ok(R"(ai >= bi)", R"({"ai": 1, "bi": 2})", kBool, "false", 0, "tests.go"),
    Ok(R"(ai <= ai)", R"({"ai": 1})", kBool, "true", 0, "tests.go"),
    Ok(R"("b" < "a")", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"("a" >= "a")", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(abc < "b")", R"({"abc": "a"})", kBool, "true", 0, "tests.go"),
    Ok(R"("b" < abc)", R"({"abc": "a"})", kBool, "false", 0, "tests.go"),
    Ok(R"(bs > abc)", R"({"abc": "a", "bs": "b"})", kBool, "true", 0, "tests.go"),
    Ok(R"(abc >= bs)", R"({"abc": "a", "bs": "b"})", kBool, "false", 0, "tests.go"),
    CompileError(R"("aaa".matches(23))", R"("aaa":matches(23) arg 1 (23) typeError got INT64, expected STRING)", 0, "tests.go"),
    CompileError(R"(matches())", "invoking instance method without an instance: matches", 0, "tests.go"),
    CompileError(R"(startsWith("aaa"))", "invoking instance method without an instance: startsWith", 0, "tests.go"),
    CompileError(R"(endsWith())", "invoking instance method without an instance: endsWith", 0, "tests.go"),
    Ok(R"("abc".matches("abc"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(abc.matches(bs))", R"({"abc": "st.*", "bs": "sqr1"})", kBool, "false", 0, "tests.go"),
    Ok(R"("abcd".startsWith("abc"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"("abfood".startsWith("abc"))", "{}", kBool, "false", 0, "tests.go"),
    Ok(R"(abc.startsWith(bs))", R"({"abc": "abcd", "bs": "ab"})", kBool, "true", 0, "tests.go"),
    Ok(R"(abc.startsWith(bs))", R"({"abc": "bcda", "bs": "abc"})", kBool, "false", 0, "tests.go"),
    Ok(R"("abcd".endsWith("bcd"))", "{}", kBool, "true", 0, "tests.go"),
    Ok(R"(abc.endsWith(bs))", R"({"abc": "bcda", "bs": "abc"})", kBool, "false", 0, "tests.go"),
    Ok(R"(conditional(true, "aa", "bb"))", "{}", kStr, R"("aa")", 0, "tests.go"),
    Ok(R"(conditional(ab, 43.25, 25.43))", R"({"ab": false})", kDbl, "25.43", 0, "tests.go"),
    Ok(R"(conditional(ab, ab, bb))", R"({"ab": false, "bb": true})", kBool, "true", 0, "tests.go"),
    Ok(R"(conditional(ab, auri, buri))", R"({"ab": true, "auri": "http://foo"})", kUri, R"("http://foo")", 0, "tests.go: buri never read"),
    Ok(R"(conditional(ab, at, bt))", R"({"ab": false, "at": "1999-12-31T23:59:00Z", "bt": "1977-02-04T12:00:00Z"})", kTime, R"("1977-02-04T12:00:00Z")", 0, "tests.go"),
    Ok(R"(conditional(ab, aip, bip))", R"({"ab": true, "aip": "1.2.3.4", "bip": "5.6.7.8"})", kIp, R"("1.2.3.4")", 0, "tests.go"),
    Ok(R"(abc | conditional(ab, "foo", "bar") | bs)", R"({"ab": false})", kStr, R"("bar")", 0, "tests.go"),
    Ok(R"(abc | conditional(ab, "foo", "bar") | bs)", R"({"ab": true})", kStr, R"("foo")", 0, "tests.go"),
    Ok(R"(abc | bs | conditional(ab, "foo", "bar"))", R"({"abc": "boo"})", kStr, R"("boo")", 0, "tests.go"),
    Ok(R"(conditional(ab, "foo", "bar") | abc | bs)", R"({"abc": "boo", "bs": "zoo", "ab": true})", kStr, R"("foo")", 0, "tests.go"),
    Ok(R"(abc + bs)", R"({"abc": "a", "bs": "b"})", kStr, R"("ab")", 0, "tests.go"),
    Ok(R"("b" + abc)", R"({"abc": "a"})", kStr, R"("ba")", 0, "tests.go"),
    Ok(R"("a" + "b")", "{}", kStr, R"("ab")", 0, "tests.go"),
    Ok(R"(abc | "unknown" + "b")", R"({"abc": "a"})", kStr, R"("ab")", 0, "tests.go"),
    Ok(R"(abc | "a" + "b")", "{}", kStr, R"("ab")", 0, "tests.go"),
    Ok(R"(ai + bi)", R"({"ai": 1, "bi": 2})", kInt, "3", 0, "tests.go"),
    Ok(R"(ad + bd)", R"({"ad": 1, "bd": 2})", kDbl, "3", 0, "tests.go"),
    Ok(R"(ad + 2.0)", R"({"ad": 1})", kDbl, "3", 0, "tests.go"),
    CompileError(R"(1 + "b")", R"(ADD(1, "b") arg 2 ("b") typeError got STRING, expected INT64)", 0, "tests.go"),
    CompileError(R"(abc + 1.0)", "ADD($abc, 1.0) arg 2 (1.0) typeError got DOUBLE, expected STRING", 0, "tests.go"),
    Ok(R"(size("x"))", "{}", kInt, "1", 0, "tests.go"),
    CompileError(R"(size())", "size() arity mismatch. Got 0 arg(s), expected 1 arg(s)", 0, "tests.go"),

    // ---------------------------------------------------------------- Mixer bugs mixlet fixes
    Ok(R"((request.path == "/x") | false)", R"({"request.path": "/x"})", kBool, "true", kMixerDiffers, "fix: an operator left of | is present (Mixer: false)"),
    Ok(R"(("x" + request.host) | "d")", R"({"request.host": "h"})", kStr, R"("xh")", kMixerDiffers, "fix: + left of | is present (Mixer: \"d\")"),
    Ok(R"(size("abc") | 7)", "{}", kInt, "3", kMixerDiffers, "fix: size left of | is present (Mixer: 7)"),
    Ok(R"(("x" + "y") | request.path)", "{}", kStr, R"("xy")", kMixerDiffers, "fix (Mixer: lookup failed: 'request.path')"),
    Ok(R"((ai == 1 || bi == 2) | false)", R"({"ai": 1})", kBool, "true", kMixerDiffers, "fix: || left of | is present"),
    Ok(R"(request.headers["x-" + request.path] | "d")", R"({"request.headers": {"x-/p": "v"}, "request.path": "/p"})", kStr, R"("v")", kMixerDiffers, "fix: a + key is looked up (Mixer: \"d\")"),
    Ok(R"(t1 <= timestamp("2015-01-02T16:04:35+01:00"))", R"({"t1": "2015-01-02T15:04:35Z"})", kBool, "true", kMixerDiffers, "fix: <= compares instants (Mixer: false)"),
    Ok(R"(timestamp("2015-01-02T16:04:35+01:00") >= timestamp("2015-01-02T16:04:35+01:00"))", "{}", kBool, "true", kMixerDiffers, "fix: >= compares instants"),
    Ok(R"(match(conditionalString(true || false, "a", "b"), "zzz"))", "{}", kBool, "false", kMixerDiffers, "fix: || inside a call (Mixer: true)"),
    Ok(R"(conditionalString(ab || bb, "yes", "no"))", R"({"ab": true})", kStr, R"("yes")", kMixerDiffers, "fix: || inside a call (Mixer: invalid heap access)"),
    Ok(R"(conditionalString(ab || bb, "yes", "no") == "yes")", R"({"ab": true})", kBool, "true", 0, "Mixer gets this one right"),
    EvalError(R"(abc | (bs | origin.name))", "{}", kStr, "lookup failed: 'origin.name'", kMixerDiffers, "fix: right-nested chain (Mixer: stack underflow)"),
    Ok(R"(abc | (bs | origin.name))", R"({"bs": "b"})", kStr, R"("b")", 0, "right-nested chain"),
    EvalError(R"((abc | bs) | (origin.name | source.name))", "{}", kStr, "lookup failed: 'source.name'", kMixerDiffers, "fix: nested chains"),
    Ok(R"("x".endsWith(ar[abc] | "x"))", R"({"ar": {"k": "v"}})", kBool, "true", kMixerDiffers, "fix: an absent key attribute in a fallback index (Mixer panics)"),
    Ok(R"(conditionalString(true, ar[abc] | "d", "x"))", R"({"ar": {"k": "v"}})", kStr, R"("d")", kMixerDiffers, "fix: same (Mixer leaves the map on its stack and returns \"x\")"),
    CompileError(R"(size("ab", "c"))", "size(\"ab\", \"c\") arity mismatch. Got 2 arg(s), expected 1 arg(s)", kMixerDiffers, "fix: extra arguments (Mixer: 2)"),
    CompileError(R"(toLower("A", "B"))", "arity mismatch. Got 2 arg(s), expected 1 arg(s)", kMixerDiffers, "fix: extra arguments (Mixer: \"b\")"),
    CompileError(R"("abc".startsWith("a", "x"))", "arity mismatch. Got 2 arg(s), expected 1 arg(s)", kMixerDiffers, "fix: extra arguments"),
    CompileError(R"(size("ab", nosuch))", "arity mismatch", kMixerDiffers, "fix: extra arguments (Mixer compiles this)"),
    CompileError(R"("(".matches(abc))", "error parsing regexp: missing closing ): `(`", kMixerDiffers, "a bad regex literal is a compile error (Mixer: evaluation error)"),
    CompileError(R"((match)("a", "b"))", "unexpected expression", kMixerDiffers, "Mixer's compiler crashes"),
    CompileError(R"(ar["k"]("x"))", "unexpected expression", kMixerDiffers, "Mixer's compiler crashes"),

    // ---------------------------------------------------------------- literals (Go lexical rules)
    Ok(R"(010 == 10)", "{}", kBool, "true", 0, "INT is parsed base 10"),
    CompileError(R"(0x10)", R"(strconv.ParseInt: parsing "0x10": invalid syntax)", 0, "hex INT"),
    CompileError(R"(0b1)", "invalid syntax", 0, "binary INT"),
    CompileError(R"(0o10)", "invalid syntax", 0, "octal INT"),
    CompileError(R"(1_000)", "invalid syntax", 0, "separator in INT"),
    CompileError(R"(08)", "invalid digit '8' in octal literal", 0, "Go lexer"),
    CompileError(R"(1__0)", "'_' must separate successive digits", 0, "Go lexer"),
    CompileError(R"(9223372036854775808)", "value out of range", 0, "INT overflow"),
    Ok(R"(9223372036854775807 + 1)", "{}", kInt, "-9223372036854775808", 0, "INT64 + wraps"),
    Ok(R"(ai + 1)", R"({"ai": 9223372036854775807})", kInt, "-9223372036854775808", 0, "INT64 + wraps at evaluation"),
    Ok(R"(0x1p-2 == 0.25)", "{}", kBool, "true", 0, "hex float"),
    Ok(R"(1_0.5 == 10.5)", "{}", kBool, "true", 0, "separator in FLOAT"),
    Ok(R"(.5 + 1.)", "{}", kDbl, "1.5", 0, "float forms"),
    Ok(R"(1e3)", "{}", kDbl, "1000", 0, "exponent"),
    CompileError(R"(1e400)", "value out of range", 0, "FLOAT overflow"),
    Ok(R"(1e308 + 1e308)", "{}", kDbl, "Infinity", 0, "IEEE overflow at evaluation"),
    CompileError(R"(0x1.8)", "hexadecimal mantissa requires a 'p' exponent", 0, "Go lexer"),
    CompileError(R"(1i)", "invalid syntax", 0, "imaginary"),
    Ok(R"('a' == "a")", "{}", kBool, "true", 0, "char literal"),
    Ok(R"('\n' == "\n")", "{}", kBool, "true", 0, "char escape"),
    CompileError(R"('ab')", "illegal rune literal", 0, "char literal"),
    CompileError(R"('')", "illegal rune literal", 0, "char literal"),
    Ok(R"('0')", "{}", kDur, R"("0s")", 0, "duration rule applies to chars"),
    Ok(R"("10ms")", "{}", kDur, R"("10ms")", 0, "duration rule"),
    Ok(R"("1h30m")", "{}", kDur, R"("1h30m0s")", 0, "duration rule"),
    Ok(R"("-1.5s")", "{}", kDur, R"("-1.5s")", 0, "duration rule"),
    Ok(R"("0")", "{}", kDur, R"("0s")", 0, "duration rule"),
    Ok(R"("1")", "{}", kStr, R"("1")", 0, "not a duration"),
    Ok(R"("10 ms")", "{}", kStr, R"("10 ms")", 0, "not a duration"),
    Ok(R"(`10ms`)", "{}", kDur, R"("10ms")", 0, "raw string, duration rule"),
    CompileError(R"(request.path == "0")", R"(EQ($request.path, "0") arg 2 ("0") typeError got DURATION, expected STRING)", 0, "duration rule"),
    CompileError(R"(request.headers["1s"])", R"(INDEX($request.headers, "1s") arg 2 ("1s") typeError got DURATION, expected STRING)", 0, "duration rule"),
    Ok(R"(`a\nb`)", "{}", kStr, R"("a\\nb")", 0, "raw string keeps backslashes"),
    Ok(R"("a\tb\"c")", "{}", kStr, R"("a\tb\"c")", 0, "escapes"),
    Ok(R"("\u00e9\U0001F600\x41\101")", "{}", kStr, "\"\xC3\xA9\xF0\x9F\x98\x80" "AA\"", 0, "escapes"),
    Ok(R"(size("\xff"))", "{}", kInt, "1", 0, "\\x gives one byte"),
    CompileError(R"("\q")", "unknown escape sequence", 0, "Go lexer"),
    CompileError(R"("abc)", "string literal not terminated", 0, "Go lexer"),
    CompileError(R"("\ud800")", "escape sequence is invalid Unicode code point", 0, "Go lexer"),
    Ok(R"(TRUE == true && False == false)", "{}", kBool, "true", 0, "booleans in any case"),
    Ok(R"(/* c */ ab // trailing
)", R"({"ab": true})", kBool, "true", 0, "comments"),
    Ok("abc == \"x\" &&\n bs == \"y\"", R"({"abc": "x", "bs": "y"})", kBool, "true", 0, "break after an operator"),
    CompileError("abc == \"x\"\n&& bs == \"y\"", "expected 'EOF', found '&&'", 0, "newline ends the expression"),
    CompileError("(abc == \"x\"\n&& bs == \"y\")", "expected ')', found newline", 0, "newline inside parentheses"),
    CompileError("abc == \"x\" /* a\n */ && bs == \"y\"", "expected 'EOF', found '&&'", 0, "a comment with a newline acts as one"),
    CompileError(R"(context.reporter.type)", "expected selector or type assertion, found 'type'", 0, "keyword in a name"),
    CompileError(R"(range)", "expected operand, found 'range'", 0, "keyword"),
    CompileError(R"(ab;)", "expected 'EOF', found ';'", 0, "explicit semicolon"),
    CompileError(R"()", "expected operand, found 'EOF'", 0, "empty"),
    CompileError(R"(abc ==)", "expected operand, found 'EOF'", 0, "missing operand"),
    CompileError(R"(match(abc "x"))", "missing ',' in argument list", 0, "call syntax"),
    CompileError(R"(abc[])", "expected operand, found ']'", 0, "index syntax"),
    CompileError("a\x01", "illegal character U+0001", 0, "control character"),
    CompileError("\"\xff\"", "illegal UTF-8 encoding", 0, "invalid UTF-8 in the text"),

    // ---------------------------------------------------------------- precedence and associativity
    Ok(R"(ab | true == false)", "{}", kBool, "false", 0, "| binds tighter than =="),
    Ok(R"(ab | true == false)", R"({"ab": false})", kBool, "true", 0, "(ab | true) == false"),
    Ok(R"(ab || bb && false)", R"({"ab": true, "bb": true})", kBool, "true", 0, "&& binds tighter than ||"),
    Ok(R"(ab && bb || true)", R"({"ab": false, "bb": false})", kBool, "true", 0, "(ab && bb) || true"),
    Ok(R"(1 + 2 == 3)", "{}", kBool, "true", 0, "+ binds tighter than =="),
    Ok(R"(ai + 1 < 3 && abc + "x" == "ax")", R"({"ai": 1, "abc": "a"})", kBool, "true", 0, "mixed levels"),
    Ok(R"(abc + bs | "z")", R"({"abc": "a", "bs": "b"})", kStr, R"("ab")", 0, "+ and | associate left"),
    Ok(R"((abc | "p") + (bs | "q"))", "{}", kStr, R"("pq")", 0, "parentheses"),
    Ok(R"(ai == 1 == true)", R"({"ai": 1})", kBool, "true", 0, "== associates left"),

    // ---------------------------------------------------------------- operators CEXL lacks
    CompileError(R"(ai * 2)", "unknown function: MUL", 0, "no *"),
    CompileError(R"(ai - 1)", "unknown function: SUB", 0, "no -"),
    CompileError(R"(ai % 2)", "unknown function: REM", 0, "no %"),
    CompileError(R"(ai & 1)", "unknown function: AND", 0, "no &"),
    CompileError(R"(ai ^ 1)", "unknown function: XOR", 0, "no ^"),
    CompileError(R"(-1)", "unknown function: SUB", 0, "no unary minus"),
    CompileError(R"(!nosuch)", "unknown function: NOT", 0, "function looked up before operands"),
    CompileError(R"(&ab)", "unknown function: AND", 0, "unary &"),
    CompileError(R"(ai << 1)", "unknown function: ", 0, "<< has no CEXL name"),
    CompileError(R"(*ai)", "unexpected expression", 0, "star expression"),
    CompileError(R"(abc[1:2])", "unexpected expression", 0, "slice"),
    CompileError(R"(abc.(string))", "unexpected expression", 0, "type assertion"),
    CompileError(R"(abc{})", "unexpected expression", 0, "composite literal"),

    // ---------------------------------------------------------------- calls and receivers
    Ok(R"(toLower("ÀÉÎ ΑΣ Ǆ"))", "{}", kStr, R"("àéî ασ ǆ")", 0, "toLower: Unicode"),
    Ok(R"(toLower("İ"))", "{}", kStr, R"("i")", 0, "toLower: simple mapping (U+0130 -> i)"),
    Ok(R"(size(toLower("a\xff")))", "{}", kInt, "4", 0, "toLower: invalid byte -> U+FFFD"),
    Ok(R"(toLower(abc))", R"({"abc": "MiXeD-Case"})", kStr, R"("mixed-case")", 0, "toLower at evaluation"),
    Ok(R"(toLower(abc))", R"({"abc": "ПРИВЕТ Ꭰ Ａ 𐐀"})", kStr, R"("привет ꭰ ａ 𐐨")", 0, "toLower: Cyrillic, Cherokee, fullwidth, Deseret"),
    Ok(R"(match(abc, "*"))", R"({"abc": "anything"})", kBool, "true", 0, "match: * matches all"),
    Ok(R"(match(abc, "*a*"))", R"({"abc": "*abc"})", kBool, "true", 0, "match: only the last * is special"),
    Ok(R"(match(abc, "exact"))", R"({"abc": "exact"})", kBool, "true", 0, "match: equality"),
    Ok(R"(match(abc, bs))", R"({"abc": "svc.ns1", "bs": "*.ns1"})", kBool, "true", 0, "match: pattern at evaluation"),
    Ok(R"(match(abc, bs))", R"({"abc": "Svc", "bs": "svc*"})", kBool, "false", 0, "match: case-sensitive"),
    Ok(R"("^a.c$".matches(abc))", R"({"abc": "abc"})", kBool, "true", 0, "matches: anchors"),
    Ok(R"("^a.c$".matches(abc))", R"({"abc": "xabc"})", kBool, "false", 0, "matches: anchors"),
    Ok(R"("b+".matches(abc))", R"({"abc": "abbbc"})", kBool, "true", 0, "matches: unanchored"),
    EvalError(R"(abc.matches(bs))", R"({"abc": "(", "bs": "x"})", kBool, "error parsing regexp: missing closing )", kMayAllocate, "matches: bad pattern at evaluation"),
    Ok(R"("^/api/".matches(abc))", R"({"abc": "/api/v1"})", kBool, "true", 0, "literal regex: prefix"),
    Ok(R"("^/api/".matches(abc))", R"({"abc": "/v1/api/"})", kBool, "false", 0, "literal regex: prefix"),
    Ok(R"("\\.svc$".matches(abc))", R"({"abc": "a.svc"})", kBool, "true", 0, "literal regex: escaped suffix"),
    Ok(R"("\\.svc$".matches(abc))", R"({"abc": "a.svc\n"})", kBool, "false", 0, "literal regex: $ is the end of the text"),
    Ok(R"("^ok$".matches(abc))", R"({"abc": "ok"})", kBool, "true", 0, "literal regex: exact"),
    Ok(R"("^ok$".matches(abc))", R"({"abc": "okk"})", kBool, "false", 0, "literal regex: exact"),
    Ok(R"(".*x.*".matches(abc))", R"({"abc": "\nx\n"})", kBool, "true", 0, "literal regex: .* at both ends"),
    Ok(R"("a\\.b".matches(abc))", R"({"abc": "axb"})", kBool, "false", 0, "literal regex: escaped dot"),
    Ok(R"("a.b".matches(abc))", R"({"abc": "axb"})", kBool, "true", 0, "not a literal: dot"),
    Ok(R"("^a.c$".matches(abc))", R"({"abc": "a\nc"})", kBool, "false", 0, "RE2: dot does not match newline"),
    Ok(R"("(?i)mobile".matches(abc))", R"({"abc": "MOBILE"})", kBool, "true", 0, "RE2: flags"),
    Ok(R"("é+".matches(abc))", R"({"abc": "caféé"})", kBool, "true", 0, "RE2: UTF-8"),
    Ok(R"((abc | "x").startsWith("x"))", "{}", kBool, "true", 0, "receiver: parenthesized"),
    Ok(R"((request.headers["a"]).startsWith("x"))", R"({"request.headers": {"a": "xyz"}})", kBool, "true", 0, "receiver: parenthesized index"),
    CompileError(R"(request.headers["a"].startsWith("x"))", "unexpected expression", 0, "receiver: index must be parenthesized"),
    CompileError(R"("abc".x.matches(y))", "unexpected expression", 0, "receiver: only a method after a literal"),
    CompileError(R"("abc".size())", "invoking regular function on instance method: size", 0, "receiver rules"),
    CompileError(R"(ai.startsWith("a"))", R"($ai:startsWith("a") target typeError got INT64, expected STRING)", 0, "receiver type"),
    CompileError(R"(abc.nosuch())", "unknown function: nosuch", 0, "unknown method"),
    CompileError(R"(toLower(abc).nosuch())", "unknown function: nosuch", 0, "method on a call"),
    CompileError(R"(foo(1))", "unknown function: foo", 0, "unknown function"),
    CompileError(R"(match(nosuch))", "match($nosuch) arity mismatch. Got 1 arg(s), expected 2 arg(s)", 0, "arity is checked before arguments"),
    CompileError(R"(emptyStringMap(1))", "arity mismatch. Got 1 arg(s), expected 0 arg(s)", kMixerDiffers, "fix: extra argument"),
    CompileError(R"(source.lables == "x")", "unknown attribute 'source.lables'", 0, "unknown attribute"),
    CompileError(R"(request.size | "none")", R"(OR($request.size, "none") arg 2 ("none") typeError got STRING, expected INT64)", 0, "| needs one type"),
    CompileError(R"(conditional(ab, 1, "x"))", R"(conditional($ab, 1, "x") arg 3 ("x") typeError got STRING, expected INT64)", 0, "generic T"),
    CompileError(R"(conditional(1, 1, 2))", "arg 1 (1) typeError got INT64, expected BOOL", 0, "condition type"),
    Ok(R"(ip("::1"))", "{}", kIp, R"("::1")", 0, "ip: IPv6"),
    Ok(R"(ip("1.2.3.4") == ip("::ffff:1.2.3.4"))", "{}", kBool, "true", 0, "ip: mapped form"),
    EvalError(R"(ip(""))", "{}", kIp, "could not convert  to IP_ADDRESS", kMayAllocate, "ip: empty"),
    EvalError(R"(ip(abc))", R"({"abc": "1.2.3.4/8"})", kIp, "could not convert 1.2.3.4/8 to IP_ADDRESS", kMayAllocate, "ip: prefix refused"),
    Ok(R"(timestamp("2015-01-02T15:04:35.5+01:00"))", "{}", kTime, R"("2015-01-02T14:04:35.5Z")", 0, "timestamp: offset applied"),
    EvalError(R"(timestamp(abc))", R"({"abc": "2015-02-30T00:00:00Z"})", kTime, "could not convert '2015-02-30T00:00:00Z' to TIMESTAMP", kMayAllocate, "timestamp: range-checked"),
    Ok(R"(timestamp(abc) > t1)", R"({"abc": "2016-01-01T00:00:00Z", "t1": "2015-01-02T15:04:35Z"})", kBool, "true", 0, "timestamp at evaluation"),
    Ok(R"(conditionalString(ab, abc, bs))", R"({"ab": false, "abc": "a", "bs": "b"})", kStr, R"("b")", 0, "conditionalString"),
    EvalError(R"(conditionalString(true, "a", request.path))", "{}", kStr, "lookup failed: 'request.path'", 0, "conditionalString evaluates all arguments"),
    Ok(R"(conditional(true, "a", request.path))", "{}", kStr, R"("a")", 0, "conditional evaluates one branch"),
    Ok(R"(conditional(ab, ai, bi))", R"({"ab": true, "ai": 7})", kInt, "7", 0, "conditional: other branch not read"),
    EvalError(R"(conditional(ab, abc, bs) | "d")", R"({"ab": false})", kStr, "lookup failed: 'bs'", 0, "a call is never absent"),
    Ok(R"(size(abc))", R"({"abc": "héllo"})", kInt, "6", 0, "size counts bytes"),

    // ---------------------------------------------------------------- string maps
    Ok(R"(request.headers["missing"])", R"({"request.headers": {"a": "b"}})", kStr, R"("")", 0, "missing key reads as \"\""),
    Ok(R"(request.headers["missing"] | "d")", R"({"request.headers": {"a": "b"}})", kStr, R"("d")", 0, "missing key is absent under |"),
    Ok(R"(request.headers["a"] | "d")", R"({"request.headers": {"a": ""}})", kStr, R"("")", 0, "\"\" is present"),
    EvalError(R"(ar[abc])", R"({"ar": {"k": "v"}})", kStr, "lookup failed: 'abc'", 0, "strict key"),
    Ok(R"(ar[abc | "k"])", R"({"ar": {"k": "v"}})", kStr, R"("v")", 0, "fallback key"),
    Ok(R"(ar[ar["k"]] | "d")", R"({"ar": {"k": "k2", "k2": "v2"}})", kStr, R"("v2")", 0, "index as key"),
    Ok(R"(ar[ar["nokey"]] | "d")", R"({"ar": {"k": "v"}})", kStr, R"("d")", 0, "absent index as key"),
    Ok(R"(ar[toLower(abc)] | "d")", R"({"ar": {"key": "v"}, "abc": "KEY"})", kStr, R"("v")", 0, "call as key"),
    Ok(R"((source.labels | emptyStringMap())["x"])", "{}", kStr, R"("")", 0, "index of a fallback map"),
    Ok(R"((ar | br)["foo"] | "none")", R"({"ar": {"x": "y"}})", kStr, R"("none")", 0, "nillable index of a fallback map"),
    Ok(R"(ar)", R"({"ar": {"b": "2", "a": "1"}})", kMap, R"({"a":"1","b":"2"})", 0, "map result"),
    CompileError(R"(ar == br)", "internal compiler error -- equality for type not yet implemented: interface", 0, "maps are not comparable"),

    // ---------------------------------------------------------------- typed equality and order
    Ok(R"(ad == bd)", "{}", kBool, "false", 0, "DOUBLE ==: -0.0 != 0.0 (bit pattern)", builders::NegativeAndPositiveZero),
    Ok(R"(ad <= bd && ad >= bd)", "{}", kBool, "true", 0, "DOUBLE <=: IEEE", builders::NegativeAndPositiveZero),
    Ok(R"(ad == bd)", "{}", kBool, "true", 0, "DOUBLE ==: same NaN pattern", builders::SameNaN),
    Ok(R"(ad < bd || ad >= bd)", "{}", kBool, "false", 0, "DOUBLE <: NaN unordered", builders::SameNaN),
    Ok(R"(aip == bip)", "{}", kBool, "true", 0, "IP: 4-byte equals IPv4-mapped 16-byte", builders::Ipv4FourAndSixteenBytes),
    Ok(R"(aip == ip("1.2.3.4"))", "{}", kBool, "true", 0, "IP: attribute vs ip()", builders::Ipv4FourAndSixteenBytes),
    Ok(R"(at == bt)", R"({"at": "2015-01-02T15:04:35Z", "bt": "2015-01-02T16:04:35+01:00"})", kBool, "true", 0, "TIMESTAMP: instants"),
    Ok(R"(adns < bdns)", R"({"adns": "a.com", "bdns": "b.com"})", kBool, "true", 0, "DNS_NAME < compares bytes"),
    Ok(R"(adns + bdns)", R"({"adns": "a.", "bdns": "com"})", kDns, R"("a.com")", 0, "DNS_NAME + concatenates"),
    CompileError(R"(adur == adur)", "internal compiler error -- equality for type not yet implemented: duration", 0, "DURATION =="),
    CompileError(R"(ab < bb)", "internal compiler error -- less than for type not yet implemented: bool", 0, "BOOL <"),
    CompileError(R"(aip <= bip)", "internal compiler error -- less or equal for type not yet implemented: interface", 0, "IP <="),
    CompileError(R"(adur > bdur)", "internal compiler error -- greater than for type not yet implemented: duration", 0, "DURATION >"),
    CompileError(R"(ar >= br)", "internal compiler error -- greater or equal for type not yet implemented: interface", 0, "STRING_MAP >="),
    CompileError(R"(adur + bdur)", "internal compiler error -- Add for type not yet implemented: duration", 0, "DURATION +"),
    CompileError(R"(at + bt)", "internal compiler error -- Add for type not yet implemented: interface", 0, "TIMESTAMP +"),
    CompileError(R"((adur == adur) == (ai == "x"))", "EQ($ai, \"x\") arg 2", 0, "a type error wins over an unsupported operation"),
    CompileError(R"(source.ip == "10.0.0.1")", R"(EQ($source.ip, "10.0.0.1") arg 2 ("10.0.0.1") typeError got STRING, expected IP_ADDRESS)", 0, "no implicit conversion"),

    // ---------------------------------------------------------------- constant folding
    Ok(R"("a" + "b" + "c" == "abc")", "{}", kBool, "true", 0, "folded"),
    Ok(R"(size("abc" + "de"))", "{}", kInt, "5", 0, "folded"),
    Ok(R"(false && ab)", "{}", kBool, "false", 0, "folded: ab never read"),
    Ok(R"(true || ab)", "{}", kBool, "true", 0, "folded: ab never read"),
    Ok(R"(true && ab)", R"({"ab": false})", kBool, "false", 0, "folded to ab"),
    EvalError(R"(ab && true)", "{}", kBool, "lookup failed: 'ab'", 0, "folded to ab, still strict"),
    Ok(R"(conditional("a" < "b", abc, "x"))", R"({"abc": "y"})", kStr, R"("y")", 0, "folded condition"),
    Ok(R"(match("abc", "a*") && "x".endsWith("x"))", "{}", kBool, "true", 0, "folded built-ins"),
    Ok(R"(ip("10.0.0.1") == ip("10.0.0.1"))", "{}", kBool, "true", 0, "folded ip()"),
    EvalError(R"(ab || ip("10.1.12") == ip("1.2.3.4"))", R"({"ab": false})", kBool, "could not convert 10.1.12 to IP_ADDRESS", kMayAllocate, "a failing constant call is not folded"),
    Ok(R"(ab || ip("10.1.12") == ip("1.2.3.4"))", R"({"ab": true})", kBool, "true", 0, "... and never fails when not reached"),
    Ok(R"(toLower("ABC") + "d")", "{}", kStr, R"("abcd")", 0, "folded toLower"),
    EvalError(R"(conditional(false, "a", abc) | "z")", "{}", kStr, "lookup failed: 'abc'", 0, "a call folded under | stays present"),
    EvalError(R"((true && ab) | false)", "{}", kBool, "lookup failed: 'ab'", 0, "an operator folded under | stays present"),
    Ok(R"((false || ab) | false)", R"({"ab": true})", kBool, "true", 0, "folded under |, present"),
    EvalError(R"(ar[conditional(true, abc, "k")] | "d")", R"({"ar": {"k": "v"}})", kStr, "lookup failed: 'abc'", 0, "a call as a fallback index key stays present"),
    Ok(R"(conditional(true, abc, "k") + "!")", R"({"abc": "x"})", kStr, R"("x!")", 0, "folded where strict"),
};
// clang-format on

}  // namespace mixlet::expr_testing

#endif  // MIXLET_TESTS_EXPR_EXPRESSION_CASES_H_
