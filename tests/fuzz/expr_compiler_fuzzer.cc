// libFuzzer target for CEXL: lexer, parser, checker, constant folder and code generator, then
// the evaluator, on the whole input as one expression. Also, for the name types, the input split
// at its first newline into two strings goes through dnsName/email/uri and their `==`
// (lib/expr/net_names.cc) directly.
//
// Checked: compile errors are InvalidArgument with a message; a compiled expression evaluates
// over a fixed bag to a value of its static type or to a NotFound / InvalidArgument error, and
// the hot path (`Evaluate(bag, ctx, &value)`) and the convenient `Evaluate(bag)` agree, twice
// in a row with the same context. Anything else, a crash, a hang, a leak, an ASan or UBSan
// report is a bug.
//
// Run: build-d-fuzz/tests/fuzz/expr_compiler_fuzzer -max_total_time=60
//        -dict=tests/fuzz/expr_compiler_fuzzer.dict tests/fuzz/corpus/expr_compiler
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "expr/net_names.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/attribute/vocabulary.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/expression.h"
#include "mixlet/value/owned_value.h"
#include "mixlet/value/value_json.h"

namespace {

using mixlet::EvalContext;
using mixlet::Expression;
using mixlet::ExpressionCompiler;
using mixlet::MutableBag;
using mixlet::OwnedValue;
using mixlet::Value;
using mixlet::ValueType;
using mixlet::Vocabulary;

[[noreturn]] void Fail(const std::string& what, absl::string_view input) {
  std::fprintf(stderr, "expr_compiler_fuzzer: %s\ninput: %s\n", what.c_str(),
               std::string(input).c_str());
  std::abort();
}

struct State {
  State() : vocabulary(Vocabulary::Standard()), compiler(vocabulary), bag(vocabulary) {
    auto set = [&](const char* name, Value v) {
      if (!bag.Set(name, v).ok()) Fail(absl::StrCat("cannot set ", name), "");
    };
    headers = OwnedValue::StringMapOf(
        {{"user-agent", "Mozilla/5.0 (iPhone) Mobile Safari"}, {"x-user", "jason"},
         {":path", "/api/v1"}, {"", "empty key"}});
    labels = OwnedValue::StringMapOf({{"app", "ratings"}, {"version", "v1"}});
    set("request.path", Value::String("/api/v1?x=%41"));
    set("request.host", Value::String("B\xc3\xbc" "cher.example."));
    set("request.method", Value::String(""));
    set("request.useragent", Value::String("\xff\xfe invalid utf-8"));
    set("source.user", Value::String("\"istio\"@istio.io"));
    set("destination.service.host", Value::String("http://istio.io:80/a%2fb"));
    set("context.protocol", Value::String("tcp"));
    set("request.headers", headers.value());
    set("source.labels", labels.value());
    set("request.size", Value::Int64(9223372036854775807));
    set("response.code", Value::Int64(-1));
    set("connection.mtls", Value::Bool(true));
    set("response.duration", Value::Duration(int64_t{1500000000}));
    set("request.time", Value::TimestampValue(mixlet::Timestamp{1420211075, 500000000}));
    set("source.ip", Value::IpAddress(absl::string_view("\x0a\x00\x00\x01", 4)));
    set("destination.ip",
        Value::IpAddress(absl::string_view("\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16)));
  }

  std::shared_ptr<const Vocabulary> vocabulary;
  ExpressionCompiler compiler;
  OwnedValue headers;
  OwnedValue labels;
  MutableBag bag;
  EvalContext ctx;
};

void CheckEvalError(const absl::Status& s, absl::string_view input) {
  if (s.code() != absl::StatusCode::kNotFound && s.code() != absl::StatusCode::kInvalidArgument) {
    Fail(absl::StrCat("unexpected evaluation status ", s.ToString()), input);
  }
  if (s.message().empty()) Fail("evaluation error without a message", input);
}

void FuzzExpression(State& st, absl::string_view text) {
  mixlet::CompileError error;
  absl::StatusOr<Expression> expr = st.compiler.Compile(text, &error);
  if (!expr.ok()) {
    if (expr.status().code() != absl::StatusCode::kInvalidArgument) {
      Fail(absl::StrCat("unexpected compile status ", expr.status().ToString()), text);
    }
    if (error.message.empty()) Fail("compile error without a message", text);
    return;
  }
  if (expr->result_type() == ValueType::kUnspecified) Fail("no result type", text);
  if (expr->Disassemble().empty()) Fail("empty disassembly", text);

  absl::StatusOr<OwnedValue> owned = expr->Evaluate(st.bag);
  for (int round = 0; round < 2; ++round) {
    Value v;
    const bool ok = expr->Evaluate(st.bag, st.ctx, &v);
    if (ok != owned.ok()) {
      Fail(absl::StrCat("hot path and Evaluate(bag) disagree: ", ok, " vs ",
                        owned.status().ToString()),
           text);
    }
    if (!ok) {
      CheckEvalError(st.ctx.error(), text);
      if (st.ctx.error().message() != owned.status().message()) {
        Fail(absl::StrCat("different errors: ", st.ctx.error().ToString(), " vs ",
                          owned.status().ToString()),
             text);
      }
      continue;
    }
    if (v.type() != expr->result_type()) {
      Fail(absl::StrCat("result of type ", mixlet::ValueTypeName(v.type()), ", expected ",
                        mixlet::ValueTypeName(expr->result_type())),
           text);
    }
    if (mixlet::ToJson(v) != mixlet::ToJson(owned->value())) {
      Fail(absl::StrCat("hot path ", mixlet::ToJson(v), " vs ", mixlet::ToJson(owned->value())),
           text);
    }
  }
}

void CheckNameStatus(const absl::Status& s, absl::string_view input) {
  if (!s.ok() && (s.code() != absl::StatusCode::kInvalidArgument || s.message().empty())) {
    Fail(absl::StrCat("name type status ", s.ToString()), input);
  }
}

void FuzzNames(absl::string_view input) {
  namespace ei = mixlet::expr_internal;
  const size_t nl = input.find('\n');
  const absl::string_view a = input.substr(0, nl);
  const absl::string_view b = nl == absl::string_view::npos ? a : input.substr(nl + 1);
  absl::StatusOr<std::string> dns = ei::ToDnsName(a);
  CheckNameStatus(dns.status(), input);
  if (dns.ok()) {
    // dnsName() of its own result is stable, and a name equals itself when it maps at all.
    absl::StatusOr<std::string> again = ei::ToDnsName(*dns);
    CheckNameStatus(again.status(), input);
    absl::StatusOr<bool> self = ei::DnsNameEqual(*dns, *dns);
    CheckNameStatus(self.status(), input);
    if (self.ok() && !*self) Fail("a DNS name differs from itself", input);
  }
  CheckNameStatus(ei::DnsNameEqual(a, b).status(), input);
  CheckNameStatus(ei::ValidateEmail(a), input);
  CheckNameStatus(ei::EmailEqual(a, b).status(), input);
  CheckNameStatus(ei::ValidateUri(a), input);
  absl::StatusOr<bool> uri_self = ei::UriEqual(a, a);
  CheckNameStatus(uri_self.status(), input);
  if (uri_self.ok() && !*uri_self) Fail("a URI differs from itself", input);
  CheckNameStatus(ei::UriEqual(a, b).status(), input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static State* state = new State();
  const absl::string_view input(reinterpret_cast<const char*>(data), size);
  FuzzExpression(*state, input);
  FuzzNames(input);
  return 0;
}
