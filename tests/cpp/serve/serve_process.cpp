#include "serve_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace zbserve_test {

MessageLog::MessageLog(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
  if (file_ == nullptr) throw std::runtime_error("cannot open message log " + path + ": " + std::strerror(errno));
}

MessageLog::~MessageLog() { std::fclose(file_); }

void MessageLog::append(const Json& entry) {
  const std::string line = entry.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n";
  std::fwrite(line.data(), 1, line.size(), file_);
  std::fflush(file_);
}

namespace {

void close_fd(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

}  // namespace

ServeProcess::ServeProcess(MessageLog& log, std::string label, const std::vector<std::string>& args)
    : log_(log), label_(std::move(label)) {
  ::signal(SIGPIPE, SIG_IGN);  // a serve that exits must not kill the test through our writes
  int in[2];
  int out[2];
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  std::vector<std::string> argv_strings{ZEROBUFFER_SERVE_PATH};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);
  const int rc = ::posix_spawn(&pid_, ZEROBUFFER_SERVE_PATH, &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  ::close(in[0]);
  ::close(out[1]);
  stdin_fd_ = in[1];
  stdout_fd_ = out[0];
  if (rc != 0) {
    close_fd(stdin_fd_);
    close_fd(stdout_fd_);
    throw std::runtime_error(std::string("posix_spawn failed: ") + std::strerror(rc));
  }
}

ServeProcess::~ServeProcess() {
  close_stdin();
  if (!wait_exit(10s)) {
    ADD_FAILURE() << label_ << " serve did not exit after end of input; killing it";
    ::kill(pid_, SIGKILL);
    wait_exit(10s);
  }
  close_fd(stdout_fd_);
}

void ServeProcess::write_all(std::string_view data) {
  while (!data.empty() && stdin_fd_ >= 0) {
    const ssize_t n = ::write(stdin_fd_, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      ADD_FAILURE() << "writing to the " << label_ << " serve failed: " << std::strerror(errno);
      return;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

int ServeProcess::send(const std::string& method, const Json& params) {
  const int id = next_id_++;
  // `{}` in a braced call site is JSON null; a request's params are always an object.
  const Json request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params.is_null() ? Json::object() : params}};
  log_.append(Json{{"serve", label_}, {"direction", "request"}, {"schemaValid", true}, {"message", request}});
  pending_[id] = method;
  write_all(request.dump() + "\n");
  return id;
}

int ServeProcess::send_without_params(const std::string& method) {
  const int id = next_id_++;
  const Json request{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}};
  log_.append(Json{{"serve", label_}, {"direction", "request"}, {"schemaValid", true}, {"message", request}});
  pending_[id] = method;
  write_all(request.dump() + "\n");
  return id;
}

void ServeProcess::send_raw(std::string_view line, bool schema_valid, std::optional<std::string> method,
                            bool newline) {
  constexpr std::size_t kLoggedBytes = 4096;  // huge lines are logged truncated (and cannot validate)
  Json entry{{"serve", label_}, {"direction", "request"}, {"schemaValid", schema_valid}};
  entry["raw"] = std::string(line.substr(0, kLoggedBytes));
  if (line.size() > kLoggedBytes) entry["truncated"] = true;
  log_.append(entry);
  raw_method_ = std::move(method);
  write_all(line);
  if (newline) write_all("\n");
}

std::optional<std::string> ServeProcess::read_line(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto nl = buffer_.find('\n');
    if (nl != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      return line;
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 || stdout_fd_ < 0) return std::nullopt;
    pollfd p{stdout_fd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) return std::nullopt;
    char chunk[65536];
    const ssize_t n = ::read(stdout_fd_, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buffer_.append(chunk, static_cast<std::size_t>(n));
  }
}

std::optional<Json> ServeProcess::next_message(std::chrono::milliseconds timeout) {
  const auto line = read_line(timeout);
  if (!line) return std::nullopt;
  Json message = Json::parse(*line, nullptr, false);
  EXPECT_FALSE(message.is_discarded()) << label_ << " serve wrote a line that is not JSON: " << *line;
  std::optional<std::string> method = raw_method_;  // answers a raw line, unless it answers a send()
  if (message.is_object() && message.contains("id") && message["id"].is_number_integer()) {
    const auto it = pending_.find(message["id"].get<int>());
    if (it != pending_.end()) {
      method = it->second;
      pending_.erase(it);
    }
  }
  Json entry{{"serve", label_}, {"direction", "response"}, {"message", message}};
  entry["method"] = method ? Json(*method) : Json(nullptr);
  log_.append(entry);
  return message;
}

Json ServeProcess::receive(int id, std::chrono::milliseconds timeout) {
  auto message = next_message(timeout);
  if (!message) {
    ADD_FAILURE() << "no answer from the " << label_ << " serve to request " << id;
    return Json::object();
  }
  EXPECT_EQ((*message)["jsonrpc"], "2.0");
  EXPECT_EQ((*message)["id"], id) << message->dump();
  return *message;
}

Json ServeProcess::ok(const std::string& method, const Json& params) { return result_of(call(method, params)); }

Json ServeProcess::fails(const std::string& method, const Json& params, std::string_view kind) {
  return error_data_of(call(method, params), kind);
}

void ServeProcess::close_stdin() { close_fd(stdin_fd_); }

void ServeProcess::close_stdout() { close_fd(stdout_fd_); }

std::optional<int> ServeProcess::wait_exit(std::chrono::milliseconds timeout) {
  if (exit_status_) return exit_status_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      exit_status_ = status;
      return exit_status_;
    }
    if (r < 0 && errno != EINTR) return std::nullopt;
    if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
    std::this_thread::sleep_for(5ms);
  }
}

Json result_of(const Json& response) {
  if (!response.contains("result")) {
    ADD_FAILURE() << "expected a result, got " << response.dump();
    return Json::object();
  }
  return response["result"];
}

Json error_data_of(const Json& response, std::string_view kind) {
  const Json error = response.value("error", Json::object());
  if (error.value("code", 0) != -32000 || !error.contains("data")) {
    ADD_FAILURE() << "expected a " << kind << " error, got " << response.dump();
    return Json::object();
  }
  EXPECT_EQ(error["data"].value("kind", ""), kind) << response.dump();
  EXPECT_EQ(error["data"].value("message", ""), error.value("message", "?"));
  return error["data"];
}

Json rpc_error_of(const Json& response, int code) {
  const Json error = response.value("error", Json::object());
  EXPECT_EQ(error.value("code", 0), code) << response.dump();
  EXPECT_FALSE(error.value("message", "").empty()) << response.dump();
  return error;
}

}  // namespace zbserve_test
