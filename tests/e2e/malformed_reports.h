// Malformed Report calls for the e2e tests, sent with gRPC's generic stub.
#ifndef MIXLET_TESTS_E2E_MALFORMED_REPORTS_H_
#define MIXLET_TESTS_E2E_MALFORMED_REPORTS_H_

#include <string>

namespace mixlet::e2e {

// Sends four bad Report calls to the server at `address` and returns how many were answered
// INVALID_ARGUMENT; `answers` gets one line per call (code and message):
//   1. bytes whose framing does not parse (refused whole);
//   2. a request claiming a newer global dictionary (refused whole: the dictionary-skew message);
//   3. an unknown repeated_attributes_semantics (refused whole);
//   4. two elements: a good TCP report of 7 received bytes from ratings-v2 to mongodb (the
//      sample's labels), and one naming a word outside the dictionary (refused alone).
int SendMalformedReports(const std::string& address, std::string* answers);

}  // namespace mixlet::e2e

#endif  // MIXLET_TESTS_E2E_MALFORMED_REPORTS_H_
