// The shared case table (expression_cases.h) through compiler and evaluator, plus evaluator
// behaviour the table cannot express (context reuse, foreign vocabularies, copies).
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "expr/expression_cases.h"
#include "mixlet/attribute/mutable_bag.h"
#include "mixlet/expr/compiler.h"
#include "mixlet/expr/expression.h"
#include "mixlet/value/value_json.h"

namespace mixlet {
namespace {

using expr_testing::ExpressionCase;
using expr_testing::kExpressionCases;
using expr_testing::TestVocabulary;

TEST_CASE("Expression cases: the table is large and well formed", "[expr]") {
  REQUIRE(sizeof(kExpressionCases) / sizeof(kExpressionCases[0]) >= 200);
  for (const ExpressionCase& c : kExpressionCases) {
    INFO(c.expression);
    const int outcomes =
        (c.value != nullptr) + (c.compile_error != nullptr) + (c.eval_error != nullptr);
    CHECK(outcomes == 1);
    CHECK((c.compile_error != nullptr) == (c.type == ValueType::kUnspecified));
  }
}

TEST_CASE("Expression cases: compile, type and evaluate", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  int index = 0;
  for (const ExpressionCase& c : kExpressionCases) {
    INFO("case " << index++ << ": " << c.expression << "   [" << c.note << "]");
    CompileError error;
    absl::StatusOr<Expression> e = compiler.Compile(c.expression, &error);
    if (c.compile_error != nullptr) {
      REQUIRE_FALSE(e.ok());
      INFO("compile error: " << e.status().message());
      CHECK(e.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK(absl::StrContains(e.status().message(), c.compile_error));
      CHECK(absl::StrContains(error.message, c.compile_error));
      CHECK(error.column >= 1);
      continue;
    }
    INFO("compile status: " << e.status());
    REQUIRE(e.ok());
    CHECK(e->result_type() == c.type);
    CHECK(e->text() == c.expression);

    MutableBag bag(TestVocabulary());
    REQUIRE(expr_testing::BuildCaseBag(c, &bag).ok());

    EvalContext ctx;
    Value v;
    const bool ok = e->Evaluate(bag, ctx, &v);
    absl::StatusOr<OwnedValue> owned = e->Evaluate(bag);
    if (c.value != nullptr) {
      INFO("evaluation error: " << ctx.error());
      REQUIRE(ok);
      CHECK(ctx.error().ok());
      CHECK(v.type() == c.type);
      CHECK(ToJson(v) == c.value);
      REQUIRE(owned.ok());
      CHECK(ToJson(owned->value()) == c.value);
    } else {
      INFO("result: " << (ok ? ToJson(v) : std::string("(failed)")));
      REQUIRE_FALSE(ok);
      const absl::Status status = ctx.error();
      INFO("evaluation error: " << status);
      CHECK(absl::StrContains(status.message(), c.eval_error));
      const bool lookup = absl::StartsWith(c.eval_error, "lookup failed");
      CHECK(status.code() ==
            (lookup ? absl::StatusCode::kNotFound : absl::StatusCode::kInvalidArgument));
      REQUIRE_FALSE(owned.ok());
      CHECK(owned.status() == status);
    }
  }
}

// A bag on another vocabulary object (here an identical copy) is read by name, through the
// dispatch loop only: no fast path. Both routes must give the same answers.
TEST_CASE("Expression cases: reading by name agrees with reading by id", "[expr]") {
  VocabularyBuilder b = VocabularyBuilder::Standard();
  for (const expr_testing::TestAttribute& a : expr_testing::kTestAttributes) {
    REQUIRE(b.Add(a.name, a.type).ok());
  }
  const std::shared_ptr<const Vocabulary> copy = std::move(b).Build();
  const ExpressionCompiler compiler(TestVocabulary());
  for (const ExpressionCase& c : kExpressionCases) {
    if (c.compile_error != nullptr) continue;
    INFO(c.expression << "   [" << c.note << "]");
    absl::StatusOr<Expression> e = compiler.Compile(c.expression);
    REQUIRE(e.ok());
    MutableBag by_id(TestVocabulary());
    MutableBag by_name(copy);
    REQUIRE(expr_testing::BuildCaseBag(c, &by_id).ok());
    REQUIRE(expr_testing::BuildCaseBag(c, &by_name).ok());
    absl::StatusOr<OwnedValue> x = e->Evaluate(by_id);
    absl::StatusOr<OwnedValue> y = e->Evaluate(by_name);
    REQUIRE(x.ok() == y.ok());
    if (x.ok()) {
      CHECK(ToJson(x->value()) == ToJson(y->value()));
    } else {
      CHECK(x.status() == y.status());
    }
  }
}

TEST_CASE("Expression: attributes() lists what may be read, in id order", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  absl::StatusOr<Expression> e =
      compiler.Compile(R"(abc | bs | conditional(ab, request.path, "x") == source.name)");
  REQUIRE(e.ok());
  std::vector<std::string> names;
  for (AttributeId id : e->attributes()) {
    names.emplace_back(TestVocabulary()->name(id));
  }
  const Vocabulary& v = *TestVocabulary();
  std::vector<AttributeId> expected = {v.Find("abc")->id, v.Find("bs")->id, v.Find("ab")->id,
                                       v.Find("request.path")->id, v.Find("source.name")->id};
  std::sort(expected.begin(), expected.end());
  CHECK(std::vector<AttributeId>(e->attributes().begin(), e->attributes().end()) == expected);
  CHECK_FALSE(e->is_constant());

  absl::StatusOr<Expression> folded = compiler.Compile(R"(size("abc") + 1)");
  REQUIRE(folded.ok());
  CHECK(folded->is_constant());
  CHECK(folded->attributes().empty());
}

TEST_CASE("Expression: a context is reused and its error reset", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  absl::StatusOr<Expression> e = compiler.Compile(R"(abc + "-" + bs)");
  REQUIRE(e.ok());
  EvalContext ctx;
  MutableBag bag(TestVocabulary());
  Value v;
  REQUIRE_FALSE(e->Evaluate(bag, ctx, &v));
  CHECK(ctx.error() == absl::NotFoundError("lookup failed: 'abc'"));
  REQUIRE(bag.Set("abc", Value::String("a")).ok());
  REQUIRE(bag.Set("bs", Value::String("b")).ok());
  REQUIRE(e->Evaluate(bag, ctx, &v));
  CHECK(ctx.error().ok());
  CHECK(v.string() == "a-b");
  // A longer result in the same context: the arena grows, earlier views are not reused after.
  REQUIRE(bag.Set("abc", Value::String(std::string(1000, 'x'))).ok());
  REQUIRE(e->Evaluate(bag, ctx, &v));
  CHECK(v.string().size() == 1002);
  CHECK(v.string().substr(999) == "x-b");
}

TEST_CASE("Expression: copies share the program and evaluate alike", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  absl::StatusOr<Expression> e = compiler.Compile(R"(ai | 7)");
  REQUIRE(e.ok());
  Expression copy = *e;
  Expression moved = std::move(copy);
  MutableBag bag(TestVocabulary());
  REQUIRE(moved.Evaluate(bag).ok());
  CHECK(moved.Evaluate(bag)->value().int64() == 7);
  CHECK(moved.Disassemble() == e->Disassemble());
}

TEST_CASE("Expression: a bag built on another vocabulary is read by name", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  absl::StatusOr<Expression> e = compiler.Compile(R"(request.path == "/x" && (ai | 0) == 3)");
  REQUIRE(e.ok());

  // The standard vocabulary gives request.path the same id, but `ai` does not exist there: it
  // is carried by name.
  MutableBag standard(Vocabulary::Standard());
  REQUIRE(standard.Set("request.path", Value::String("/x")).ok());
  REQUIRE(standard.Set("ai", Value::Int64(3)).ok());
  absl::StatusOr<OwnedValue> v = e->Evaluate(standard);
  REQUIRE(v.ok());
  CHECK(v->value().bool_value());

  // A vocabulary that declares `ai` with another type: the value is refused, as Mixer did.
  VocabularyBuilder b;
  REQUIRE(b.Add("ai", ValueType::kString).ok());
  REQUIRE(b.Add("request.path", ValueType::kString).ok());
  MutableBag other(std::move(b).Build());
  REQUIRE(other.Set("request.path", Value::String("/x")).ok());
  REQUIRE(other.Set("ai", Value::String("3")).ok());
  v = e->Evaluate(other);
  CHECK(v.status() ==
        absl::InvalidArgumentError("error converting value to integer or duration: '3'"));
}

TEST_CASE("Expression: values from parent bags are seen", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  absl::StatusOr<Expression> e = compiler.Compile(R"(abc + bs)");
  REQUIRE(e.ok());
  MutableBag parent(TestVocabulary());
  REQUIRE(parent.Set("abc", Value::String("p")).ok());
  MutableBag child(TestVocabulary(), &parent);
  REQUIRE(child.Set("bs", Value::String("c")).ok());
  absl::StatusOr<OwnedValue> v = e->Evaluate(child);
  REQUIRE(v.ok());
  CHECK(v->value().string() == "pc");
}

// Token soup: whatever the text, compiling gives an expression or an InvalidArgument naming a
// position inside the text, and evaluating gives a value of the static type or a status.
TEST_CASE("Expression: arbitrary text never crashes the compiler or the evaluator", "[expr]") {
  const char* const kPieces[] = {"abc",
                                 "bs",
                                 "ai",
                                 "ar",
                                 "request.headers",
                                 "source.labels",
                                 "ab",
                                 "t1",
                                 "aip",
                                 "adns",
                                 "\"x\"",
                                 "'c'",
                                 "`r`",
                                 "\"10ms\"",
                                 "1",
                                 "0x1p-2",
                                 "2.5",
                                 "true",
                                 "(",
                                 ")",
                                 "[",
                                 "]",
                                 ".",
                                 ",",
                                 "|",
                                 "||",
                                 "&&",
                                 "==",
                                 "!=",
                                 "<",
                                 "<=",
                                 "+",
                                 "-",
                                 "!",
                                 "*",
                                 "match",
                                 "matches",
                                 "startsWith",
                                 "toLower",
                                 "size",
                                 "ip",
                                 "conditional",
                                 "emptyStringMap",
                                 "\n",
                                 " ",
                                 "@",
                                 "{",
                                 "}",
                                 "/*",
                                 "*/",
                                 "//",
                                 "\"",
                                 "\\",
                                 "\xff",
                                 "\xc3\xa9",
                                 "1_0",
                                 "08",
                                 "...",
                                 ":"};
  const ExpressionCompiler compiler(TestVocabulary());
  MutableBag empty(TestVocabulary());
  MutableBag full(TestVocabulary());
  REQUIRE(ParseBagJson(R"({"abc": "x", "bs": "Y", "ai": 3, "ab": true, "ar": {"x": "1"},
                           "request.headers": {}, "t1": "2015-01-02T15:04:35Z",
                           "aip": "::1", "adns": "a.b"})",
                       &full)
              .ok());
  uint64_t seed = 42;
  auto next = [&seed] {
    seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
    return static_cast<size_t>(seed >> 33);
  };
  int compiled = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text;
    const size_t n = 1 + next() % 9;
    for (size_t j = 0; j < n; ++j) {
      absl::StrAppend(&text, kPieces[next() % (sizeof(kPieces) / sizeof(kPieces[0]))],
                      next() % 2 ? " " : "");
    }
    INFO(text);
    CompileError error;
    absl::StatusOr<Expression> e = compiler.Compile(text, &error);
    if (!e.ok()) {
      CHECK(e.status().code() == absl::StatusCode::kInvalidArgument);
      CHECK_FALSE(error.message.empty());
      CHECK(error.line >= 1);
      CHECK(error.column >= 1);
      continue;
    }
    ++compiled;
    for (const Bag* bag : {static_cast<const Bag*>(&empty), static_cast<const Bag*>(&full)}) {
      EvalContext ctx;
      Value v;
      if (e->Evaluate(*bag, ctx, &v)) {
        CHECK(v.type() == e->result_type());
      } else {
        const absl::StatusCode code = ctx.error().code();
        CHECK((code == absl::StatusCode::kNotFound || code == absl::StatusCode::kInvalidArgument));
      }
    }
  }
  CHECK(compiled > 100);
}

TEST_CASE("Expression: one expression evaluated from many threads", "[expr]") {
  const ExpressionCompiler compiler(TestVocabulary());
  absl::StatusOr<Expression> f = compiler.Compile(
      R"(conditional(ai > 10, abc + "-big", toLower(abc)) + (ar["k"] | "") + conditionalString("^[a-z]+$".matches(bs | ""), "!", "?"))");
  REQUIRE(f.ok());
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      MutableBag bag(TestVocabulary());
      EvalContext ctx;
      for (int i = 0; i < 2000; ++i) {
        bag.Reset();
        const int64_t n = (i + t) % 20;
        bag.Set("ai", Value::Int64(n)).IgnoreError();
        bag.Set("abc", Value::String(t % 2 ? "ABC" : "xyz")).IgnoreError();
        if (i % 3 == 0) bag.Set("bs", Value::String("lower")).IgnoreError();
        Value v;
        if (!f->Evaluate(bag, ctx, &v)) {
          ++failures;
          continue;
        }
        const std::string base = n > 10 ? std::string(t % 2 ? "ABC" : "xyz") + "-big"
                                        : std::string(t % 2 ? "abc" : "xyz");
        const std::string want = base + (i % 3 == 0 ? "!" : "?");
        if (v.string() != want) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  CHECK(failures.load() == 0);
}

}  // namespace
}  // namespace mixlet
