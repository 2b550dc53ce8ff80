// Diagnostics of the serve. They go to stderr only: stdout belongs to the protocol.
#pragma once

#include <optional>
#include <string_view>

namespace zbserve {

enum class LogLevel { Off, Error, Warn, Info, Debug };

/// "off", "error", "warn", "info" or "debug"; nullopt for anything else.
std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

void set_log_level(LogLevel level) noexcept;
bool log_enabled(LogLevel level) noexcept;

/// Writes one line "zerobuffer-serve[PID] LEVEL: message" to stderr if `level` is enabled.
void log(LogLevel level, std::string_view message) noexcept;

}  // namespace zbserve
