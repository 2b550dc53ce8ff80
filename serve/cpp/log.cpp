#include "log.h"

#include <unistd.h>

#include <string>

namespace zbserve {
namespace {

LogLevel g_level = LogLevel::Warn;

std::string_view level_name(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::Error: return "error";
    case LogLevel::Warn: return "warn";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
    case LogLevel::Off: break;
  }
  return "off";
}

}  // namespace

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
  for (LogLevel level : {LogLevel::Off, LogLevel::Error, LogLevel::Warn, LogLevel::Info, LogLevel::Debug}) {
    if (text == level_name(level)) return level;
  }
  return std::nullopt;
}

void set_log_level(LogLevel level) noexcept { g_level = level; }

bool log_enabled(LogLevel level) noexcept { return level != LogLevel::Off && level <= g_level; }

void log(LogLevel level, std::string_view message) noexcept {
  if (!log_enabled(level)) return;
  try {
    std::string line = "zerobuffer-serve[" + std::to_string(::getpid()) + "] ";
    line += level_name(level);
    line += ": ";
    line += message;
    line += '\n';
    // One write per line so that lines of concurrent processes sharing stderr do not interleave.
    std::string_view rest = line;
    while (!rest.empty()) {
      const ssize_t n = ::write(STDERR_FILENO, rest.data(), rest.size());
      if (n <= 0) return;  // stderr gone or interrupted: diagnostics are best effort
      rest.remove_prefix(static_cast<std::size_t>(n));
    }
  } catch (...) {
    // Out of memory while formatting a log line: drop the line.
  }
}

}  // namespace zbserve
