// FunctionRegistry: embedder functions are type-checked, bound and called like built-ins.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "expr/expression_cases.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/function_registry.h"
#include "testing/count_allocations.h"

namespace mixlet {
namespace {

bool Reverse(FunctionCall& call, absl::Span<const Value> args, Value* result) {
  std::string r(args[0].string().rbegin(), args[0].string().rend());
  *result = Value::String(call.CopyString(r));
  return true;
}

bool Repeat(FunctionCall& call, absl::Span<const Value> args, Value* result) {
  if (args[1].int64() < 0 || args[1].int64() > 100) {
    call.Fail(absl::StrCat("repeat: count ", args[1].int64(), " out of range"));
    return false;
  }
  std::string r;
  for (int64_t i = 0; i < args[1].int64(); ++i)
    r.append(args[0].string().data(), args[0].string().size());
  *result = Value::String(call.CopyString(r));
  return true;
}

bool IsEven(FunctionCall&, absl::Span<const Value> args, Value* result) {
  *result = Value::Bool(args[0].int64() % 2 == 0);
  return true;
}

bool First(FunctionCall&, absl::Span<const Value> args, Value* result) {
  *result = args[0];  // a view of the argument's bytes: no copy needed
  return true;
}

bool Silent(FunctionCall&, absl::Span<const Value>, Value*) { return false; }

bool WrongType(FunctionCall&, absl::Span<const Value>, Value* result) {
  *result = Value::Int64(1);
  return true;
}

FunctionRegistry MakeRegistry() {
  FunctionRegistry r;
  REQUIRE(r.Register({"reverse", FunctionForm::kGlobal, {ValueType::kString}, ValueType::kString},
                     &Reverse)
              .ok());
  REQUIRE(r.Register({"repeat",
                      FunctionForm::kReceiver,
                      {ValueType::kString, ValueType::kInt64},
                      ValueType::kString},
                     &Repeat)
              .ok());
  REQUIRE(
      r.Register({"isEven", FunctionForm::kGlobal, {ValueType::kInt64}, ValueType::kBool}, &IsEven)
          .ok());
  REQUIRE(r.Register({"isEven", FunctionForm::kReceiver, {ValueType::kInt64}, ValueType::kBool},
                     &IsEven)
              .ok());
  REQUIRE(r.Register({"first",
                      FunctionForm::kGlobal,
                      {ValueType::kString, ValueType::kString},
                      ValueType::kString},
                     &First)
              .ok());
  REQUIRE(r.Register({"silent", FunctionForm::kGlobal, {}, ValueType::kBool}, &Silent).ok());
  REQUIRE(
      r.Register({"wrongType", FunctionForm::kGlobal, {}, ValueType::kString}, &WrongType).ok());
  return r;
}

absl::StatusOr<OwnedValue> Eval(const ExpressionCompiler& compiler, absl::string_view text,
                                const Bag& bag) {
  absl::StatusOr<Expression> e = compiler.Compile(text);
  if (!e.ok()) return e.status();
  return e->Evaluate(bag);
}

TEST_CASE("FunctionRegistry: embedder functions work in both forms", "[expr][registry]") {
  const FunctionRegistry registry = MakeRegistry();
  CompilerOptions options;
  options.functions = &registry;
  const ExpressionCompiler compiler(expr_testing::TestVocabulary(), options);
  MutableBag bag(expr_testing::TestVocabulary());
  REQUIRE(bag.Set("abc", Value::String("abc")).ok());
  REQUIRE(bag.Set("ai", Value::Int64(4)).ok());

  CHECK(Eval(compiler, "reverse(abc)", bag)->value().string() == "cba");
  CHECK(Eval(compiler, R"(reverse(abc) + "!")", bag)->value().string() == "cba!");
  CHECK(Eval(compiler, "abc.repeat(2)", bag)->value().string() == "abcabc");
  CHECK(Eval(compiler, R"("x".repeat(ai))", bag)->value().string() == "xxxx");
  CHECK(Eval(compiler, "isEven(ai) && ai.isEven()", bag)->value().bool_value());
  CHECK(Eval(compiler, R"(first(abc, "z"))", bag)->value().string() == "abc");
  // A call is never absent: the fallback is not used.
  CHECK(Eval(compiler, R"(reverse(abc) | "x")", bag)->value().string() == "cba");
  CHECK(Eval(compiler, R"(reverse(bs))", bag).status() ==
        absl::NotFoundError("lookup failed: 'bs'"));

  // Embedder functions need not be pure: they are never folded.
  absl::StatusOr<Expression> e = compiler.Compile(R"(reverse("abc"))");
  REQUIRE(e.ok());
  CHECK_FALSE(e->is_constant());
  CHECK(absl::StrContains(e->Disassemble(), "call                 reverse/1"));
}

TEST_CASE("FunctionRegistry: calls are type-checked", "[expr][registry]") {
  const FunctionRegistry registry = MakeRegistry();
  CompilerOptions options;
  options.functions = &registry;
  const ExpressionCompiler compiler(expr_testing::TestVocabulary(), options);
  struct Case {
    const char* text;
    const char* error;
  };
  const Case cases[] = {
      {"reverse(1)", "reverse(1) arg 1 (1) typeError got INT64, expected STRING"},
      {"reverse()", "reverse() arity mismatch. Got 0 arg(s), expected 1 arg(s)"},
      {"abc.reverse()", "invoking regular function on instance method: reverse"},
      {"repeat(abc, 2)", "invoking instance method without an instance: repeat"},
      {"ai.repeat(2)", "$ai:repeat(2) target typeError got INT64, expected STRING"},
      {R"(abc.repeat("2"))",
       R"($abc:repeat("2") arg 1 ("2") typeError got STRING, expected INT64)"},
      {"nosuch(1)", "unknown function: nosuch"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    CompileError error;
    CHECK_FALSE(compiler.Compile(c.text, &error).ok());
    CHECK(error.message == c.error);
  }
  // Without the registry the names are unknown.
  const ExpressionCompiler plain(expr_testing::TestVocabulary());
  CompileError error;
  CHECK_FALSE(plain.Compile("reverse(abc)", &error).ok());
  CHECK(error.message == "unknown function: reverse");
}

TEST_CASE("FunctionRegistry: evaluation failures", "[expr][registry]") {
  const FunctionRegistry registry = MakeRegistry();
  CompilerOptions options;
  options.functions = &registry;
  const ExpressionCompiler compiler(expr_testing::TestVocabulary(), options);
  MutableBag bag(expr_testing::TestVocabulary());
  CHECK(Eval(compiler, R"("x".repeat(101))", bag).status() ==
        absl::InvalidArgumentError("repeat: count 101 out of range"));
  CHECK(Eval(compiler, "silent()", bag).status() ==
        absl::InvalidArgumentError("function 'silent' failed"));
  CHECK(Eval(compiler, "wrongType()", bag).status() ==
        absl::InternalError("function 'wrongType' returned INT64, declared STRING"));
  // Short-circuit: a failing function that is not reached does not fail.
  CHECK(Eval(compiler, "true || silent()", bag)->value().bool_value());
}

TEST_CASE("FunctionRegistry: Register refuses bad signatures", "[expr][registry]") {
  FunctionRegistry r;
  struct Case {
    FunctionSignature signature;
    FunctionImpl impl;
    const char* error;
  };
  const Case cases[] = {
      {{"", FunctionForm::kGlobal, {}, ValueType::kBool},
       &IsEven,
       "function name must not be empty"},
      {{"match", FunctionForm::kGlobal, {ValueType::kString}, ValueType::kBool},
       &IsEven,
       "function 'match' is a built-in and cannot be registered"},
      {{"EQ", FunctionForm::kGlobal, {}, ValueType::kBool},
       &IsEven,
       "function 'EQ' is a built-in and cannot be registered"},
      {{"f", FunctionForm::kReceiver, {}, ValueType::kBool},
       &IsEven,
       "receiver function 'f' needs the receiver's type as its first parameter"},
      {{"f", FunctionForm::kGlobal, {ValueType::kUnspecified}, ValueType::kBool},
       &IsEven,
       "function 'f': parameter 1 has no value type"},
      {{"f", FunctionForm::kGlobal, {}, ValueType::kUnspecified},
       &IsEven,
       "function 'f': the result has no value type"},
      {{"f", FunctionForm::kGlobal, {}, ValueType::kBool},
       nullptr,
       "function 'f' has no implementation"},
  };
  for (const Case& c : cases) {
    INFO(c.error);
    absl::Status s = r.Register(c.signature, c.impl);
    CHECK(s == absl::InvalidArgumentError(c.error));
  }
  CHECK(r.entries().empty());
  REQUIRE(r.Register({"f", FunctionForm::kGlobal, {}, ValueType::kBool}, &IsEven).ok());
  CHECK(r.Register({"f", FunctionForm::kGlobal, {}, ValueType::kBool}, &IsEven) ==
        absl::InvalidArgumentError("function 'f' is already registered as a global function"));
  CHECK(r.Register({"f", FunctionForm::kReceiver, {ValueType::kString}, ValueType::kBool}, &IsEven)
            .ok());
  CHECK(r.Find("f", FunctionForm::kGlobal) != nullptr);
  CHECK(r.Find("f", FunctionForm::kReceiver)->signature.parameters.size() == 1);
  CHECK(r.Find("g", FunctionForm::kGlobal) == nullptr);
  CHECK(r.entries().size() == 2);
}

TEST_CASE("FunctionRegistry: a scalar embedder function allocates nothing when warm",
          "[expr][registry][alloc]") {
  const FunctionRegistry registry = MakeRegistry();
  CompilerOptions options;
  options.functions = &registry;
  const ExpressionCompiler compiler(expr_testing::TestVocabulary(), options);
  absl::StatusOr<Expression> e = compiler.Compile(R"(isEven(ai) && first(abc, "z") == "abc")");
  REQUIRE(e.ok());
  MutableBag bag(expr_testing::TestVocabulary());
  REQUIRE(bag.Set("abc", Value::String("abc")).ok());
  REQUIRE(bag.Set("ai", Value::Int64(4)).ok());
  EvalContext ctx;
  Value v;
  REQUIRE(e->Evaluate(bag, ctx, &v));
  testing::CountAllocations allocs;
  REQUIRE(e->Evaluate(bag, ctx, &v));
  CHECK(allocs.count() == 0);
  CHECK(v.bool_value());
}

}  // namespace
}  // namespace mixlet
