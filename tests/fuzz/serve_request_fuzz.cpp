// libFuzzer target: the C++ serve's request handling (zbserve::Dispatcher::handle_line and the
// session behind it), fed lines of arbitrary bytes.
//
// The input is split at '\n' like the serve's stdin; blank lines are skipped as the serve does.
// Two sessions run side by side so that a writer can connect to a reader of the same input: a
// line that starts with byte 0x01 goes (without that byte) to the second session, any other
// line to the first. Calls act on real buffers, so a sandbox keeps an input small and its own:
// in a request that parses as JSON, `params.name` is prefixed with this process's name prefix,
// durations (`...Ms`) are capped at 5 ms (and `timeoutMs: 5` is added to the blocking calls
// that lack it: their defaults wait seconds), counts at 16 and block/frame sizes at 64 KiB (values
// beyond 2^48 pass unchanged, for the overflow paths); lines after the first 32, or after
// 300 ms of an input, are not run. Lines that are not such a request reach the dispatcher byte
// for byte.
//
// Invariant: handle_line never throws; every answer (not sent for a notification) is one line
// of valid JSON: {"jsonrpc":"2.0","id":...} with exactly one of result / error, an error has an
// integer code, a string message and, for code -32000, data.kind from the closed list of error
// kinds; no sanitizer report, no input runs longer than 1 s, no named object left behind.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string>
#include <string_view>

#include "fuzz_env.h"
#include "log.h"
#include "rpc.h"
#include "session.h"
#include "zerobuffer/error.h"

namespace {

using zbserve::Json;

constexpr std::uint64_t kUnclamped = std::uint64_t{1} << 48;
constexpr int kMaxLines = 32;
constexpr auto kInputBudget = std::chrono::milliseconds(300);

[[noreturn]] void fail(const std::string& why, std::string_view line, const std::string& answer) {
  std::fprintf(stderr, "serve_request_fuzz: %s\n  request: %.*s\n  answer: %s\n", why.c_str(),
               static_cast<int>(std::min<std::size_t>(line.size(), 400)), line.data(), answer.c_str());
  std::abort();
}

void clamp_number(Json& value, std::uint64_t cap) {
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > cap && value.get<std::uint64_t>() < kUnclamped) {
    value = cap;
  } else if (value.is_number_float() && value.get<double>() > static_cast<double>(cap) &&
             value.get<double>() < static_cast<double>(kUnclamped)) {
    value = static_cast<double>(cap);
  }
}

// Returns the request to hand to the dispatcher: the line itself, or the sandboxed request.
std::string sandbox(std::string_view line) {
  Json request = Json::parse(line.begin(), line.end(), nullptr, false);
  if (!request.is_object()) return std::string(line);
  const auto method = request.find("method");
  const bool blocking = method != request.end() && (*method == "connectWriter" || *method == "writeFrames" ||
                                                    *method == "readFrames");
  if (blocking && !request.contains("params")) request["params"] = Json::object();
  const auto params = request.find("params");
  if (params == request.end() || !params->is_object()) return std::string(line);
  if (blocking && !params->contains("timeoutMs")) (*params)["timeoutMs"] = 5;
  for (auto& [key, value] : params->items()) {
    if (key == "name" && value.is_string()) {
      value = zbfuzz::buffer_name("serve") + "-" + value.get<std::string>();
    } else if (key.size() > 2 && key.ends_with("Ms")) {
      clamp_number(value, 5);
    } else if (key == "count") {
      clamp_number(value, 16);
    } else if (key == "size" || key == "metadataSize" || key == "payloadSize") {
      clamp_number(value, 65536);
    } else if (key == "sizes" && value.is_array()) {
      if (value.size() > 64) value.erase(value.begin() + 64, value.end());
      for (auto& size : value) clamp_number(size, 65536);
    }
  }
  return request.dump(-1, ' ', false, Json::error_handler_t::replace);
}

void check_answer(std::string_view line, const std::string& answer) {
  if (answer.find('\n') != std::string::npos) fail("answer spans more than one line", line, answer);
  const Json reply = Json::parse(answer, nullptr, false);
  if (!reply.is_object()) fail("answer is not a JSON object", line, answer);
  if (reply.value("jsonrpc", Json()) != "2.0") fail("answer lacks \"jsonrpc\":\"2.0\"", line, answer);
  const auto id = reply.find("id");
  if (id == reply.end() || !(id->is_string() || id->is_number() || id->is_null())) fail("bad id", line, answer);
  if (reply.contains("result") == reply.contains("error")) fail("not exactly one of result/error", line, answer);
  if (!reply.contains("error")) return;
  const Json& error = reply["error"];
  if (!error.is_object() || !error.contains("code") || !error["code"].is_number_integer() ||
      !error.contains("message") || !error["message"].is_string()) {
    fail("malformed error object", line, answer);
  }
  if (error["code"] != zbserve::kLibraryError) return;
  const auto data = error.find("data");
  if (data == error.end() || !data->is_object() || !data->contains("kind") || !(*data)["kind"].is_string()) {
    fail("-32000 error without data.kind", line, answer);
  }
  const std::string kind = (*data)["kind"];
  for (int code = 0; code <= static_cast<int>(zerobuffer::ErrorCode::Internal); ++code) {
    if (zerobuffer::to_string(static_cast<zerobuffer::ErrorCode>(code)) == kind) return;
  }
  fail("error kind outside the closed list", line, answer);
}

bool blank(std::string_view line) { return line.find_first_not_of(" \t\r") == std::string_view::npos; }

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  zbfuzz::init_process_env();
  zbserve::set_log_level(zbserve::LogLevel::Off);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::atomic<bool> stop{false};
  zbserve::Session sessions[2] = {zbserve::Session(stop), zbserve::Session(stop)};
  zbserve::Dispatcher dispatchers[2];
  sessions[0].register_methods(dispatchers[0]);
  sessions[1].register_methods(dispatchers[1]);

  std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto deadline = std::chrono::steady_clock::now() + kInputBudget;
  for (int lines = 0; !input.empty() && lines < kMaxLines && std::chrono::steady_clock::now() < deadline; ++lines) {
    const std::size_t end = std::min(input.find('\n'), input.size());
    std::string_view line = input.substr(0, end);
    input.remove_prefix(std::min(end + 1, input.size()));
    const int which = !line.empty() && line.front() == '\x01' ? 1 : 0;
    if (which == 1) line.remove_prefix(1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (blank(line)) continue;
    if (sessions[which].shutdown_requested()) continue;  // the serve would have exited
    const std::string request = sandbox(line);
    const std::optional<std::string> answer = dispatchers[which].handle_line(request);
    if (answer) check_answer(request, *answer);
  }
  sessions[0].close();
  sessions[1].close();
  return 0;
}
