// The name types of CEXL: DNS_NAME, EMAIL_ADDRESS and URI.
//
// Their constructor functions (`dnsName()`, `email()`, `uri()`) validate text the way Mixer's Go
// code did (x/net/idna, net/mail, net/url), and their `==` is semantic, not byte-wise
// (expressions.md §5 and §6). Each function returns the exact error message Mixer produced, as an
// InvalidArgument status, so the evaluator can surface it unchanged.
//
// Lib-private (namespace expr_internal). Used by the code generator (constant folding) and the
// evaluator. Evaluation of these is allowed to allocate: their results are not borrowed strings.
#ifndef MIXLET_LIB_EXPR_NET_NAMES_H_
#define MIXLET_LIB_EXPR_NET_NAMES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace mixlet::expr_internal {

// dnsName(s): IDNA ToUnicode validation; returns the (NFC, xn-- decoded) name or
// `error converting '<s>' to dns name: '<detail>'`.
absl::StatusOr<std::string> ToDnsName(absl::string_view s);
// DNS_NAME `==`: IDNA lookup mapping of both sides, one trailing dot ignored; mapping failure is
// an error with the bare IDNA message.
absl::StatusOr<bool> DnsNameEqual(absl::string_view a, absl::string_view b);

// email(s): OK when `s` is a valid single address without display name and a domain passing
// ToDnsName; else `error converting '<s>' to e-mail: '<detail>'` (or `...: display names are not
// allowed`).
absl::Status ValidateEmail(absl::string_view s);
// EMAIL_ADDRESS `==`.
absl::StatusOr<bool> EmailEqual(absl::string_view a, absl::string_view b);

// uri(s): OK when non-empty and parseable as Go's url.Parse would; else
// `error converting string to uri: empty string` or `error converting string to uri '<s>':
// '<detail>'`.
absl::Status ValidateUri(absl::string_view s);
// URI `==`.
absl::StatusOr<bool> UriEqual(absl::string_view a, absl::string_view b);

}  // namespace mixlet::expr_internal

#endif  // MIXLET_LIB_EXPR_NET_NAMES_H_
