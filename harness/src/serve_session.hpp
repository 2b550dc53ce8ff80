// Talking to one serve process in one role of a cell: JSON-RPC requests with ids, replies read
// against deadlines, the reply's envelope and error object checked, every line logged, and the
// serve's stderr kept for failure messages. Problems are thrown as StepFailure (cell_log.hpp).
#pragma once

#include "cell_log.hpp"
#include "ports.hpp"
#include "process.hpp"
#include "read_verdict.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace zbh {

using json = nlohmann::json;

// A serve's answer to one request.
struct Answer {
  bool ok = false;
  json result;       // when ok
  std::string kind;  // error kind otherwise: data.kind, or "rpc <code>"
  json error;        // the JSON-RPC error object
  std::vector<std::string> shape_problems;  // where the reply breaks docs/schema (reply_shape.hpp)
  Clock::time_point received;

  std::string describe() const;
};

// What is wrong with a -32000 error object (serve-protocol.md §4: `data` holds the kind and the
// same message), or "" when nothing is. Other codes carry no data requirement.
std::string library_error_problem(const json& error);

// The scenario's whole budget, named in the message when a wait runs into it.
struct Budget {
  Clock::time_point deadline;
  int timeout_ms = 0;
};

// A raw line's answer: the text and its JSON.
struct RawReply {
  std::string text;
  json value;
};

// Receives every request line a session sends and the reply line it read (or "" when none came).
class TrafficRecorder {
 public:
  virtual ~TrafficRecorder() = default;
  virtual void exchange(const std::string& role, const std::string& port, const std::string& method,
                        const std::string& request, const std::string& reply) = 0;
};

struct ServeSession {
  // Starts the serve of `port` in role `name` with `env` added to the environment.
  /// command_prefix runs the serve under another program (unshare, setpriv).
  ServeSession(std::string name, const Port& port, const std::map<std::string, std::string>& env, CellLog& log,
               TrafficRecorder* recorder,
               const std::vector<std::string>& command_prefix = {});

  std::string name;
  std::string side;  // "reader" or "writer"
  const Port* port = nullptr;
  std::unique_ptr<ServeProcess> process;
  std::uint64_t pid = 0;  // from hello
  std::set<std::string> capabilities;
  bool killed = false;

  int pending_id = 0;  // request in flight, 0 = none
  std::string pending_method;
  PatternCheck pending_check;  // how the harness judges the answer of a reader call
  Clock::time_point pending_sent;

  std::string label() const { return name + " (" + port->name + ")"; }

  // Sends a request; the answer is read with wait_answer.
  void send(const std::string& method, const json& params);
  // The answer to the request in flight, by `deadline`. At the deadline the serve is killed.
  Answer wait_answer(Clock::time_point deadline, const std::string& what, const Budget& budget);

  // Reads the answer to the request in flight if it comes by `deadline`, without judging it
  // (teardown's shutdown).
  void drain_answer(Clock::time_point deadline);

  // Sends `line` as it is (no request in flight allowed).
  void send_raw(const std::string& line, const std::string& what);
  // The next line after send_raw, parsed, by `deadline`. At the deadline the serve is killed.
  RawReply raw_reply(Clock::time_point deadline, const std::string& what);

  // SIGKILL to the serve's process group; `reap` false leaves a zombie.
  void kill(bool reap);

  // The failure message for a serve that ended while handling `what`, with its stderr.
  std::string gone(const std::string& what, const std::string& detail = "");
  // The serve's stderr as a log section.
  std::string stderr_section() const;

 private:
  void record(const std::string& method, const std::string& request, const std::string& reply);

  CellLog* log_;
  TrafficRecorder* recorder_;
  int next_id_ = 1;
  std::string pending_line_;  // the request in flight as sent, for the recorder
};

}  // namespace zbh
