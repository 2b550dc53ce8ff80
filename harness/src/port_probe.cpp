#include "port_probe.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "process.hpp"

namespace zbh {

HelloProbe probe_hello(const Port& port, std::chrono::milliseconds deadline) {
  HelloProbe probe;
  if (!port.available()) {
    probe.problem = "cannot execute '" + port.command.front() + "'";
    return probe;
  }
  std::unique_ptr<ServeProcess> serve;
  try {
    serve = std::make_unique<ServeProcess>(port.command, std::map<std::string, std::string>{});
    serve->send_line(R"({"jsonrpc":"2.0","id":1,"method":"hello"})");
  } catch (const ProcessError& e) {
    probe.problem = std::string("cannot start the serve: ") + e.what();
    return probe;
  }
  const auto until = Clock::now() + deadline;
  auto line = serve->next_line(until);
  if (!line) {
    probe.problem = serve->stdout_ended()
                        ? "the serve ended without answering hello (" + serve->exit_description() + ")"
                        : "the serve did not answer hello within " + std::to_string(deadline.count()) + " ms";
  } else {
    try {
      const json message = json::parse(line->text);
      if (message.is_object() && message.contains("result") && message.at("result").is_object()) {
        probe.result = message.at("result");
      } else {
        probe.problem = "hello was not answered with a result object: " + line->text.substr(0, 300);
      }
    } catch (const std::exception&) {
      probe.problem = "the serve wrote a line on stdout that is not JSON: " + line->text.substr(0, 300);
    }
  }
  serve->close_stdin();
  if (!serve->wait_exit(Clock::now() + std::chrono::seconds(3))) {
    serve->kill_group();
    if (probe.problem.empty()) probe.problem = "the serve did not exit within 3 s of end of input";
  }
  if (!probe.problem.empty()) {
    const std::string err = serve->stderr_text();
    probe.problem += "; its stderr: " + (err.empty() ? std::string("(empty)") : err.substr(0, 2000));
  }
  return probe;
}

std::vector<std::string> hello_problems(const json& r) {
  std::vector<std::string> problems;
  if (!r.contains("implementation") || !r.at("implementation").is_string())
    problems.push_back("implementation is not a string");
  if (!r.contains("library") || !r.at("library").is_string()) problems.push_back("library is not a string");
  if (r.value("wireVersion", json()) != "1.0.0") problems.push_back("wireVersion is not \"1.0.0\"");
  if (r.value("serveProtocol", json()) != 1) problems.push_back("serveProtocol is not 1");
  if (!r.contains("pid") || !r.at("pid").is_number_unsigned() || r.at("pid").get<std::uint64_t>() == 0) {
    problems.push_back("pid is not a positive integer");
  }
  if (!r.contains("capabilities") || !r.at("capabilities").is_array()) {
    problems.push_back("capabilities is not an array");
  } else {
    for (const auto& c : r.at("capabilities")) {
      if (!c.is_string()) problems.push_back("capabilities holds a non-string: " + c.dump());
    }
  }
  return problems;
}

std::vector<std::string> announced(const json& hello_result) {
  std::vector<std::string> out;
  if (!hello_result.contains("capabilities") || !hello_result.at("capabilities").is_array()) return out;
  for (const auto& c : hello_result.at("capabilities")) {
    if (c.is_string()) out.push_back(c.get<std::string>());
  }
  return out;
}

std::vector<std::string> advice_for(const std::string& message) {
  static const char* const kChecksum =
      "checksum = the first 8 bytes of SHA-256 of the bytes the reader got, as 16 lowercase hex digits "
      "(docs/serve-protocol.md#checksums); hash the frame as read, never the pattern";
  static const std::array<std::pair<const char*, const char*>, 10> kAdvice = {{
      {"cannot execute", "the command must name an executable file (chmod +x, a #! line) or a program on PATH"},
      {"did not answer",
       "flush stdout after every response line (Python: print(..., flush=True); C: fflush), "
       "and read requests line by line, not until end of input"},
      {"not JSON", "stdout carries JSON-RPC lines only: send logs, banners and warnings to stderr"},
      {"checksum", kChecksum},
      {"intact: expected true, got false", kChecksum},
      {"did not report its frames",
       "readFrames lists every frame as {sequence, size, checksum} (docs/serve-protocol.md)"},
      {"leftovers",
       "close, shutdown and end of input must remove /dev/shm/NAME, both semaphores and "
       "LOCKDIR/NAME.lock (the reader owns them)"},
      {"/tmp/zerobuffer/", "honour ZEROBUFFER_LOCK_DIR: the harness gives every cell its own lock directory"},
      {"after shutdown", "after shutdown or end of input the serve must exit with status 0 within 3 s"},
      {"bad hello answer",
       "hello returns implementation, library, wireVersion \"1.0.0\", serveProtocol 1, pid and "
       "capabilities (docs/serve-protocol.md#hello)"},
  }};
  std::vector<std::string> out;
  for (const auto& [needle, advice] : kAdvice) {
    const bool known = std::find(out.begin(), out.end(), advice) != out.end();
    if (!known && message.find(needle) != std::string::npos) out.emplace_back(advice);
  }
  return out;
}

}  // namespace zbh
