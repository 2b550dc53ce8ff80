#include "cell_log.hpp"

#include <cstdio>

namespace zbh {

std::string clip(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  return text.substr(0, limit) + "... (" + std::to_string(text.size() - limit) + " more bytes)";
}

std::string tail(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  return "(... " + std::to_string(text.size() - limit) + " bytes before)\n" + text.substr(text.size() - limit);
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string format_ms(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", ms);
  return text;
}

double CellLog::elapsed_ms() const {
  return std::chrono::duration<double, std::milli>(Clock::now() - start_).count();
}

void CellLog::note(const std::string& text) {
  char stamp[32];
  std::snprintf(stamp, sizeof stamp, "[%9.1f ms] ", elapsed_ms());
  out_ << stamp << text << "\n";
}

}  // namespace zbh
