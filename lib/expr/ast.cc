#include "expr/ast.h"

#include <utility>

#include "absl/strings/str_cat.h"
#include "mixlet/value/value_json.h"

namespace mixlet::expr_internal {
namespace {

// A Go double-quoted literal for `s` (what strconv.Quote would print for printable text).
std::string QuoteString(absl::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        if (c < 0x20 || c == 0x7F) {
          out += "\\x";
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
  }
  out.push_back('"');
  return out;
}

// The text of a constant that has no source text (it was folded).
std::string PrintFoldedConstant(const Value& v) {
  switch (v.type()) {
    case ValueType::kString:
      return QuoteString(v.string());
    case ValueType::kDnsName:
      return absl::StrCat("dnsName(", QuoteString(v.string()), ")");
    case ValueType::kEmailAddress:
      return absl::StrCat("email(", QuoteString(v.string()), ")");
    case ValueType::kUri:
      return absl::StrCat("uri(", QuoteString(v.string()), ")");
    case ValueType::kIpAddress:
      return absl::StrCat("ip(", QuoteString(FormatIp(v.ip_bytes())), ")");
    case ValueType::kTimestamp:
      return absl::StrCat("timestamp(", QuoteString(FormatRfc3339Nano(v.timestamp())), ")");
    case ValueType::kDuration:
      return QuoteString(FormatGoDuration(v.duration_nanos()));
    case ValueType::kStringMap:
      return v.string_map().empty() ? "emptyStringMap()" : v.ToText();
    case ValueType::kDouble: {
      std::string s = FormatDoubleShortest(v.double_value());
      // Keep it a float literal: Mixer would read "3" as INT64.
      if (s.find_first_of(".eEnN") == std::string::npos) s += ".0";
      return s;
    }
    default:
      return v.ToText();
  }
}

void Print(const Node& node, bool with_types, std::string* out) {
  switch (node.kind) {
    case NodeKind::kConstant:
      out->append(node.text.empty() ? PrintFoldedConstant(node.value.value()) : node.text);
      break;
    case NodeKind::kVariable:
      absl::StrAppend(out, "$", node.name);
      break;
    case NodeKind::kCall:
      if (node.target != nullptr) {
        Print(*node.target, with_types, out);
        out->push_back(':');
      }
      absl::StrAppend(out, node.function, "(");
      for (size_t i = 0; i < node.args.size(); ++i) {
        if (i > 0) out->append(", ");
        Print(*node.args[i], with_types, out);
      }
      out->push_back(')');
      break;
  }
  if (with_types && node.type != ValueType::kUnspecified) {
    absl::StrAppend(out, ":", ValueTypeName(node.type));
  }
}

}  // namespace

Node* Ast::NewNode(NodeKind kind, int offset, int op_offset) {
  nodes_.push_back(std::make_unique<Node>());
  Node* n = nodes_.back().get();
  n->kind = kind;
  n->offset = offset;
  n->op_offset = op_offset;
  return n;
}

Node* Ast::NewConstant(OwnedValue value, std::string text, int offset) {
  Node* n = NewNode(NodeKind::kConstant, offset, offset);
  n->value = std::move(value);
  n->text = std::move(text);
  n->type = n->value.value().type();
  return n;
}

Node* Ast::NewVariable(std::string name, int offset) {
  Node* n = NewNode(NodeKind::kVariable, offset, offset);
  n->name = std::move(name);
  return n;
}

Node* Ast::NewCall(std::string function, Node* target, std::vector<Node*> args, int offset,
                   int op_offset) {
  Node* n = NewNode(NodeKind::kCall, offset, op_offset);
  n->function = std::move(function);
  n->target = target;
  n->args = std::move(args);
  return n;
}

std::string PrintNode(const Node& node) {
  std::string out;
  Print(node, /*with_types=*/false, &out);
  return out;
}

std::string AstPrinter::Print(const Node& node) {
  std::string out;
  expr_internal::Print(node, /*with_types=*/true, &out);
  return out;
}

}  // namespace mixlet::expr_internal
