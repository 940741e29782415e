// RecordingMixer: an in-test istio.mixer.v1.Mixer server that decodes every Report it gets and
// keeps each report bag as JSON (bag_json.h's BagToJson), so tests can see exactly what a
// proxy sent.
#ifndef MIXLET_TESTS_E2E_RECORDING_MIXER_H_
#define MIXLET_TESTS_E2E_RECORDING_MIXER_H_

#include <memory>
#include <string>
#include <vector>

namespace mixlet::e2e {

class RecordingMixer {
 public:
  // Listens on a free loopback port.
  RecordingMixer();
  ~RecordingMixer();
  RecordingMixer(const RecordingMixer&) = delete;
  RecordingMixer& operator=(const RecordingMixer&) = delete;

  // "127.0.0.1:PORT".
  std::string address() const;
  // Every report bag received so far, as compact JSON sorted by attribute name.
  std::vector<std::string> reports() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mixlet::e2e

#endif  // MIXLET_TESTS_E2E_RECORDING_MIXER_H_
