// Test helper: one zerobuffer-serve child process spoken to over pipes, and the log of every
// message exchanged (checked against docs/schema by validate_messages.py).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace zbserve_test {

using Json = nlohmann::json;
using namespace std::chrono_literals;

/// Appends one JSON object per exchanged message to a JSONL file.
class MessageLog {
 public:
  explicit MessageLog(const std::string& path);  // truncates
  ~MessageLog();
  MessageLog(const MessageLog&) = delete;
  MessageLog& operator=(const MessageLog&) = delete;
  void append(const Json& entry);

 private:
  std::FILE* file_ = nullptr;
};

class ServeProcess {
 public:
  /// Starts the serve; `label` names it in the log ("reader", "writer" ...).
  ServeProcess(MessageLog& log, std::string label, const std::vector<std::string>& args = {});
  /// Closes stdin and waits for the exit (SIGKILL after a few seconds).
  ~ServeProcess();
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;

  pid_t pid() const noexcept { return pid_; }

  /// Sends a well-formed request (logged as one that must validate); returns its id.
  int send(const std::string& method, const Json& params = Json::object());
  /// Sends a request without params.
  int send_without_params(const std::string& method);
  /// Sends a raw line (a trailing '\n' is added unless `newline` is false). `method` (if any) is
  /// the method a response to it belongs to; `schema_valid` says whether the line should
  /// satisfy the request schemas.
  void send_raw(std::string_view line, bool schema_valid = false, std::optional<std::string> method = std::nullopt,
                bool newline = true);

  /// Reads the next message within `timeout`; nullopt on timeout or end of output.
  std::optional<Json> next_message(std::chrono::milliseconds timeout = 20s);
  /// Reads the next message and checks that it answers request `id`.
  Json receive(int id, std::chrono::milliseconds timeout = 20s);
  Json call(const std::string& method, const Json& params = Json::object()) { return receive(send(method, params)); }

  /// Expects a successful answer and returns its result (an empty object on failure, after
  /// recording a test failure).
  Json ok(const std::string& method, const Json& params = Json::object());
  /// Expects a -32000 error of `kind` and returns its data.
  Json fails(const std::string& method, const Json& params, std::string_view kind);

  /// Reads one stdout line as is (command-line output, not protocol traffic; not logged).
  std::optional<std::string> raw_line(std::chrono::milliseconds timeout = 20s) { return read_line(timeout); }

  void close_stdin();
  void close_stdout();
  /// Waits for the process to exit; its wait status, or nullopt on timeout.
  std::optional<int> wait_exit(std::chrono::milliseconds timeout = 20s);

 private:
  std::optional<std::string> read_line(std::chrono::milliseconds timeout);
  void write_all(std::string_view data);

  MessageLog& log_;
  std::string label_;
  pid_t pid_ = -1;
  int stdin_fd_ = -1;
  int stdout_fd_ = -1;
  int next_id_ = 1;
  std::map<int, std::string> pending_;  // id -> method of requests not yet answered
  std::optional<std::string> raw_method_;
  std::string buffer_;
  std::optional<int> exit_status_;
};

/// The result of a response, or the error's data, with test failures recorded for the rest.
Json result_of(const Json& response);
Json error_data_of(const Json& response, std::string_view kind);
/// Expects a JSON-RPC error with this code (any -326xx) and returns the error object.
Json rpc_error_of(const Json& response, int code);

}  // namespace zbserve_test
