// `run --record-replies DIR`: every request line the harness sends to a serve and the reply line
// it reads back, one JSON object per line in DIR/<cell>.jsonl:
//   {"role": "reader", "port": "python", "method": "readFrames", "request": "<line>", "reply": "<line>" | null}
// "method" is null for a scenario's raw line (sent as written, possibly malformed on purpose);
// "reply" is null when none came. Lines are kept as text: a reply that is not JSON is recorded
// too. tests/schema/validate_replies.py checks every recorded reply against docs/schema.
#pragma once

#include "serve_session.hpp"

#include <fstream>
#include <mutex>
#include <string>

namespace zbh {

class TrafficLog : public TrafficRecorder {
 public:
  // Creates (truncates) `path`; throws std::runtime_error when it cannot.
  explicit TrafficLog(const std::string& path);
  void exchange(const std::string& role, const std::string& port, const std::string& method,
                const std::string& request, const std::string& reply) override;

 private:
  std::mutex mutex_;
  std::ofstream out_;
};

// The file of one cell in `dir`: <scenario>.<writer>-<reader>.jsonl.
std::string traffic_log_path(const std::string& dir, const std::string& cell_name);

}  // namespace zbh
