// zerobuffer-serve: the C++ ZeroBuffer library behind the serve protocol
// (newline-delimited JSON-RPC 2.0 on stdin/stdout; see docs/serve-protocol.md).
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include <atomic>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>

#include <cxxopts.hpp>

#include "zerobuffer/zerobuffer.h"

#include "log.h"
#include "rpc.h"
#include "session.h"
#include "transport.h"

namespace {

std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the stop flag is set from a signal handler");
int g_wake_pipe[2] = {-1, -1};  // written by the handler so that a wait for input ends at once

extern "C" void request_stop(int) {
  const int saved_errno = errno;
  g_stop.store(true);
  const char byte = 1;
  [[maybe_unused]] const ssize_t ignored = ::write(g_wake_pipe[1], &byte, 1);
  errno = saved_errno;
}

void install_signal_handlers() {
  // A vanished client must not kill the serve: writes then fail with EPIPE and the session ends.
  ::signal(SIGPIPE, SIG_IGN);
  if (::pipe2(g_wake_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    zbserve::log(zbserve::LogLevel::Warn, "no wake-up pipe; SIGTERM is noticed at the next request");
    g_wake_pipe[0] = g_wake_pipe[1] = -1;
  }
  struct sigaction action {};
  action.sa_handler = request_stop;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGTERM, SIGINT, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
}

bool blank(const std::string& line) { return line.find_first_not_of(" \t\r") == std::string::npos; }

/// Serves requests until shutdown, end of input, a lost stdout or a stop signal.
void serve(zbserve::Session& session, const zbserve::Dispatcher& dispatcher) {
  using zbserve::LineReader;
  using zbserve::log;
  using zbserve::LogLevel;
  LineReader input(STDIN_FILENO, zbserve::kMaxLineBytes, g_wake_pipe[0]);
  zbserve::LineWriter output(STDOUT_FILENO);
  std::string line;
  while (!g_stop.load()) {
    const LineReader::Status status = input.next(line);
    std::optional<std::string> response;
    if (status == LineReader::Status::TooLong) {
      log(LogLevel::Warn, "skipped a request line longer than the limit");
      response = zbserve::Dispatcher::line_too_long_response();
    } else if (status != LineReader::Status::Line) {
      log(LogLevel::Info, status == LineReader::Status::EndOfInput ? "end of input" : "stopped by a signal");
      return;
    } else if (blank(line)) {
      continue;
    } else {
      if (zbserve::log_enabled(LogLevel::Debug)) log(LogLevel::Debug, "<- " + line);
      response = dispatcher.handle_line(line);
    }
    if (response) {
      if (zbserve::log_enabled(LogLevel::Debug)) log(LogLevel::Debug, "-> " + *response);
      if (!output.write_line(*response)) {
        log(LogLevel::Warn, "stdout is gone; closing");
        return;
      }
    }
    if (session.shutdown_requested()) return;
  }
  log(LogLevel::Info, "stopped by a signal");
}

}  // namespace

int main(int argc, char** argv) {
  cxxopts::Options options("zerobuffer-serve",
                           "Serves the C++ ZeroBuffer library over newline-delimited JSON-RPC 2.0 on stdin/stdout\n"
                           "(serve protocol 1, see docs/serve-protocol.md). Logs go to stderr.");
  options.add_options()("log-level", "off, error, warn, info or debug",
                        cxxopts::value<std::string>()->default_value("warn"))(
      "version", "print versions and exit")("h,help", "print this help and exit");
  try {
    const auto args = options.parse(argc, argv);
    if (args.count("help") != 0) {
      std::cout << options.help() << std::flush;
      return 0;
    }
    if (args.count("version") != 0) {
      std::cout << "zerobuffer-serve " << ZEROBUFFER_SERVE_VERSION << " (library " << zerobuffer::kLibraryVersion
                << ", wire protocol " << int(zerobuffer::kVersionMajor) << '.' << int(zerobuffer::kVersionMinor) << '.'
                << int(zerobuffer::kVersionPatch) << ", serve protocol 1)\n"
                << std::flush;
      return 0;
    }
    if (!args.unmatched().empty()) {
      std::cerr << "zerobuffer-serve: unexpected argument '" << args.unmatched().front() << "' (see --help)\n";
      return 2;
    }
    const std::string level_text = args["log-level"].as<std::string>();
    const auto level = zbserve::parse_log_level(level_text);
    if (!level) {
      std::cerr << "zerobuffer-serve: unknown log level '" << level_text << "' (off, error, warn, info, debug)\n";
      return 2;
    }
    zbserve::set_log_level(*level);
  } catch (const std::exception& e) {
    std::cerr << "zerobuffer-serve: " << e.what() << " (see --help)\n";
    return 2;
  }

  install_signal_handlers();
  zbserve::Session session(g_stop);
  try {
    zbserve::Dispatcher dispatcher;
    session.register_methods(dispatcher);
    serve(session, dispatcher);
  } catch (const std::exception& e) {
    zbserve::log(zbserve::LogLevel::Error, std::string("fatal: ") + e.what());
    session.close();
    return 1;
  }
  session.close();
  return 0;
}
