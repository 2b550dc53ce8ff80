// A serve driven by request/reply: numbered JSON-RPC requests to one ServeProcess and the
// matching replies, for the harness commands that drive serves from code (soak, fuzz) rather
// than from a scenario.
#pragma once

#include "process.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace zbh {

struct Reply {
  nlohmann::json message;  // the whole JSON-RPC response
  Clock::time_point received;

  bool ok() const { return message.contains("result"); }
  // data.kind of a -32000 error, "" for a success or another error.
  std::string kind() const;
  // The result, or the error's data (progress of a failed call), or an empty object.
  const nlohmann::json& body() const;
};

class ServeClient {
 public:
  ServeClient(std::string label, const std::vector<std::string>& argv, const std::map<std::string, std::string>& env);

  const std::string& label() const { return label_; }
  ServeProcess& process() { return process_; }

  // Sends a request and returns its id. Throws ProcessError when the serve's stdin is closed.
  std::int64_t send(const std::string& method, const nlohmann::json& params);
  // Sends one raw line (not necessarily JSON); the reply carries id null or the line's own id.
  void send_raw(const std::string& line);
  // The reply to `id`, or nullopt at the deadline or when stdout ended. Throws ProcessError on
  // a line that is not a JSON object or answers another request.
  std::optional<Reply> await(std::int64_t id, Clock::time_point deadline);
  // The next reply, whatever its id (for raw lines).
  std::optional<Reply> next_reply(Clock::time_point deadline);

 private:
  std::string label_;
  ServeProcess process_;
  std::int64_t next_id_ = 1;
};

}  // namespace zbh
