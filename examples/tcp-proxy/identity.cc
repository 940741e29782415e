#include "identity.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "mixlet/value/value_json.h"
#include "yaml-cpp/yaml.h"

namespace mixlet::tcp_proxy {
namespace {

// Attributes the proxy writes for every connection; an identity file cannot give them.
constexpr absl::string_view kProxySetAttributes[] = {
    "source.ip",         "origin.ip",           "destination.ip",       "destination.port",
    "context.protocol",  "context.reporter.kind", "context.reporter.uid", "context.proxy_version",
    "context.time",
};

bool IsProxySet(absl::string_view name) {
  if (absl::StartsWith(name, "connection.")) return true;
  for (absl::string_view n : kProxySetAttributes) {
    if (n == name) return true;
  }
  return false;
}

// How YAML 1.2's core schema reads a plain (unquoted) scalar.
enum class PlainKind { kString, kNull, kBool, kInt, kFloat };

bool AllOf(absl::string_view s, bool (*pred)(unsigned char)) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!pred(static_cast<unsigned char>(c))) return false;
  }
  return true;
}
bool IsDigit(unsigned char c) { return c >= '0' && c <= '9'; }
bool IsOctal(unsigned char c) { return c >= '0' && c <= '7'; }
bool IsHex(unsigned char c) { return absl::ascii_isxdigit(c); }

bool IsCoreFloat(absl::string_view s) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) s.remove_prefix(1);
  if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
  size_t i = 0;
  size_t digits = 0;
  while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return false;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    if (i == s.size()) return false;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  return i == s.size();
}

PlainKind ClassifyPlain(absl::string_view s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return PlainKind::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" ||
      s == "FALSE") {
    return PlainKind::kBool;
  }
  absl::string_view unsigned_part = s;
  if (unsigned_part[0] == '+' || unsigned_part[0] == '-') unsigned_part.remove_prefix(1);
  if (AllOf(unsigned_part, IsDigit)) return PlainKind::kInt;
  if (absl::StartsWith(s, "0o") && AllOf(s.substr(2), IsOctal)) return PlainKind::kInt;
  if (absl::StartsWith(s, "0x") && AllOf(s.substr(2), IsHex)) return PlainKind::kInt;
  if (s == ".nan" || s == ".NaN" || s == ".NAN" || IsCoreFloat(s)) return PlainKind::kFloat;
  return PlainKind::kString;
}

// A plain scalar is untagged ("?"); quoted or explicitly `!!str` ones are strings.
bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          absl::StrAppendFormat(&out, "\\u%04x", static_cast<unsigned char>(c));
        } else {
          out += c;
        }
    }
  }
  out += "\"";
  return out;
}

absl::string_view NodeKindName(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a map";
    case YAML::NodeType::Null:
      return "nothing";
    default:
      return "a scalar";
  }
}

// Where errors point: `file:line`.
class Reader {
 public:
  explicit Reader(absl::string_view file) : file_(file) {}

  absl::Status Error(const YAML::Node& at, absl::string_view message) const {
    const YAML::Mark mark = at.Mark();
    if (mark.is_null()) return absl::InvalidArgumentError(absl::StrCat(file_, ": ", message));
    return absl::InvalidArgumentError(absl::StrCat(file_, ":", mark.line + 1, ": ", message));
  }

  // The text of a string-typed scalar, or why it is not one.
  absl::StatusOr<std::string> StringScalar(const YAML::Node& node, absl::string_view what,
                                           absl::string_view type_name) const {
    if (!node.IsScalar()) {
      return Error(node, absl::StrCat(what, ": expected a string for ", type_name, ", got ",
                                      NodeKindName(node)));
    }
    const std::string& text = node.Scalar();
    if (IsPlain(node)) {
      switch (ClassifyPlain(text)) {
        case PlainKind::kString:
          break;
        case PlainKind::kNull:
          return Error(node, absl::StrCat(what, ": has no value"));
        case PlainKind::kBool:
          return Error(node, absl::StrCat(what, ": expected a string for ", type_name,
                                          ", got the boolean ", text,
                                          " (quote it to make it a string)"));
        case PlainKind::kInt:
        case PlainKind::kFloat:
          return Error(node, absl::StrCat(what, ": expected a string for ", type_name,
                                          ", got the number ", text,
                                          " (quote it to make it a string)"));
      }
    }
    return text;
  }

  absl::StatusOr<OwnedValue> Value(const YAML::Node& node, absl::string_view name,
                                   ValueType type) const {
    const std::string what = absl::StrCat("attribute '", name, "'");
    const absl::string_view type_name = ValueTypeName(type);
    if (!node.IsDefined() || node.IsNull()) return Error(node, absl::StrCat(what, ": has no value"));
    std::string json;
    switch (type) {
      case ValueType::kInt64:
      case ValueType::kDouble:
      case ValueType::kBool: {
        if (!node.IsScalar()) {
          return Error(node, absl::StrCat(what, ": expected a ", type_name, " value, got ",
                                          NodeKindName(node)));
        }
        const PlainKind kind =
            IsPlain(node) ? ClassifyPlain(node.Scalar()) : PlainKind::kString;
        const bool fits = type == ValueType::kBool
                              ? kind == PlainKind::kBool
                              : (kind == PlainKind::kInt ||
                                 (type == ValueType::kDouble && kind == PlainKind::kFloat));
        if (!fits) {
          return Error(node, absl::StrCat(what, ": expected ",
                                          type == ValueType::kBool ? "a boolean" : "a number",
                                          " for ", type_name, ", got ",
                                          kind == PlainKind::kString
                                              ? absl::StrCat("the string ", JsonQuote(node.Scalar()))
                                              : node.Scalar()));
        }
        json = type == ValueType::kBool ? absl::AsciiStrToLower(node.Scalar()) : node.Scalar();
        break;
      }
      case ValueType::kStringMap: {
        if (!node.IsMap()) {
          return Error(node, absl::StrCat(what, ": expected a map of strings for STRING_MAP, got ",
                                          NodeKindName(node)));
        }
        std::vector<std::pair<std::string, std::string>> entries;
        absl::flat_hash_set<std::string> keys;
        for (const auto& entry : node) {
          if (!entry.first.IsScalar()) {
            return Error(entry.first, absl::StrCat(what, ": a key is ", NodeKindName(entry.first),
                                                   ", not a string"));
          }
          const std::string& key = entry.first.Scalar();
          if (!keys.insert(key).second) {
            return Error(entry.first, absl::StrCat(what, ": key '", key, "' appears twice"));
          }
          absl::StatusOr<std::string> value =
              StringScalar(entry.second, absl::StrCat(what, " key '", key, "'"), "STRING_MAP");
          if (!value.ok()) return value.status();
          entries.emplace_back(key, *std::move(value));
        }
        return OwnedValue::StringMapOf(std::move(entries));
      }
      default: {
        absl::StatusOr<std::string> text = StringScalar(node, what, type_name);
        if (!text.ok()) return text.status();
        json = JsonQuote(*text);
      }
    }
    absl::StatusOr<OwnedValue> value = ParseJsonValue(type, json);
    if (!value.ok()) return Error(node, absl::StrCat(what, ": ", value.status().message()));
    return value;
  }

  // A map of attribute name -> value.
  absl::Status Attributes(const YAML::Node& node, absl::string_view where,
                          const Vocabulary& vocabulary,
                          std::vector<std::pair<std::string, OwnedValue>>* out) const {
    if (!node.IsDefined() || node.IsNull()) return absl::OkStatus();
    if (!node.IsMap()) {
      return Error(node, absl::StrCat(where, ": expected a map of attribute name to value, got ",
                                      NodeKindName(node)));
    }
    absl::flat_hash_set<std::string> seen;
    for (const auto& entry : node) {
      if (!entry.first.IsScalar()) {
        return Error(entry.first, absl::StrCat(where, ": an attribute name is ",
                                               NodeKindName(entry.first)));
      }
      const std::string& name = entry.first.Scalar();
      if (!seen.insert(name).second) {
        return Error(entry.first, absl::StrCat("attribute '", name, "' appears twice in ", where));
      }
      const absl::optional<AttributeInfo> info = vocabulary.Find(name);
      if (!info.has_value()) {
        return Error(entry.first, absl::StrCat("unknown attribute '", name, "'"));
      }
      if (IsProxySet(name)) {
        return Error(entry.first,
                     absl::StrCat("attribute '", name,
                                  "' is set by the proxy for each connection; it cannot be given "
                                  "in the identity file"));
      }
      absl::StatusOr<OwnedValue> value = Value(entry.second, name, info->type);
      if (!value.ok()) return value.status();
      out->emplace_back(name, *std::move(value));
    }
    return absl::OkStatus();
  }

 private:
  std::string file_;
};

// An IPv4 address as its IPv4-mapped IPv6 form, so both spellings find the same source.
std::string SixteenBytes(absl::string_view ip) {
  if (ip.size() != 4) return std::string(ip);
  return absl::StrCat(absl::string_view("\0\0\0\0\0\0\0\0\0\0\xff\xff", 12), ip);
}

}  // namespace

ConnectionAttributes ProxyIdentity::AttributesFor(absl::string_view peer_ip) const {
  ConnectionAttributes attributes;
  const std::string key = SixteenBytes(peer_ip);
  for (const auto& [address, merged] : sources_) {
    if (address == key) {
      attributes.extra = merged;
      return attributes;
    }
  }
  attributes.extra = attributes_;
  return attributes;
}

absl::StatusOr<ProxyIdentity> ParseProxyIdentity(absl::string_view yaml_text,
                                                 absl::string_view file_name,
                                                 const Vocabulary& vocabulary) {
  Reader reader(file_name);
  YAML::Node loaded;
  try {
    loaded = YAML::Load(std::string(yaml_text));
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ":", e.mark.line + 1, ":",
                                                   e.mark.column + 1, ": ", e.msg));
  }
  // Read through a const node: operator[] on a non-const one would add missing keys.
  const YAML::Node& root = loaded;
  ProxyIdentity identity;
  try {
    if (!root.IsDefined() || root.IsNull()) return identity;
    if (!root.IsMap()) {
      return reader.Error(root, absl::StrCat("expected a map with `attributes` and `sources`, got ",
                                             NodeKindName(root)));
    }
    for (const auto& entry : root) {
      const std::string key = entry.first.IsScalar() ? entry.first.Scalar() : "";
      if (key != "attributes" && key != "sources") {
        return reader.Error(entry.first,
                            absl::StrCat("unknown key '", key,
                                         "' (an identity file has `attributes` and `sources`)"));
      }
    }
    absl::Status status =
        reader.Attributes(root["attributes"], "attributes", vocabulary, &identity.attributes_);
    if (!status.ok()) return status;

    const YAML::Node sources = root["sources"];
    if (sources.IsDefined() && !sources.IsNull()) {
      if (!sources.IsMap()) {
        return reader.Error(sources, absl::StrCat("sources: expected a map of client IP to "
                                                  "attributes, got ",
                                                  NodeKindName(sources)));
      }
      for (const auto& entry : sources) {
        const std::string ip_text = entry.first.IsScalar() ? entry.first.Scalar() : "";
        absl::StatusOr<std::string> ip = ParseIpText(ip_text);
        if (!ip.ok()) {
          return reader.Error(entry.first,
                              absl::StrCat("sources: '", ip_text, "' is not an IP address"));
        }
        for (const auto& [address, unused] : identity.sources_) {
          if (address == *ip) {
            return reader.Error(entry.first,
                                absl::StrCat("sources: '", ip_text, "' is given twice"));
          }
        }
        ProxyIdentity::Attributes own;
        status = reader.Attributes(entry.second, absl::StrCat("sources '", ip_text, "'"),
                                   vocabulary, &own);
        if (!status.ok()) return status;
        // The proxy's attributes, with the source's replacing any of the same name.
        ProxyIdentity::Attributes merged;
        for (const auto& [name, value] : identity.attributes_) {
          bool replaced = false;
          for (const auto& o : own) replaced = replaced || o.first == name;
          if (!replaced) merged.emplace_back(name, value);
        }
        for (auto& o : own) merged.push_back(std::move(o));
        identity.sources_.emplace_back(*std::move(ip), std::move(merged));
      }
    }
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat(file_name, ":", e.mark.line + 1, ": ", e.msg));
  }
  return identity;
}

absl::StatusOr<ProxyIdentity> LoadProxyIdentity(const std::string& path,
                                                const Vocabulary& vocabulary) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::NotFoundError(
        absl::StrCat("cannot read identity file '", path, "': ", std::strerror(errno)));
  }
  std::ostringstream text;
  text << in.rdbuf();
  return ParseProxyIdentity(text.str(), path, vocabulary);
}

}  // namespace mixlet::tcp_proxy
