// The log of one cell: time-stamped notes (shown with -v and in reports), the quiet switch that
// keeps repeated iterations out of it, and the text helpers its messages are built with.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstddef>
#include <sstream>
#include <string>

namespace zbh {

using json = nlohmann::json;

// A step did not go as the scenario says: the cell fails with this message.
struct StepFailure {
  std::string message;
};
// The pair lacks a capability the scenario needs: the cell is skipped with this reason.
struct SkipCell {
  std::string reason;
};

inline constexpr std::size_t kLogValueLimit = 2000;   // longest request/reply line in the log
inline constexpr std::size_t kStderrInMessage = 3000;  // tail of a serve's stderr in a failure

// `text` cut to `limit` bytes, saying how much was left out.
std::string clip(const std::string& text, std::size_t limit);
// The last `limit` bytes of `text`, saying how much came before.
std::string tail(const std::string& text, std::size_t limit);
// Compact JSON; invalid UTF-8 replaced rather than thrown on.
std::string dump(const json& value);
// Milliseconds with one decimal.
std::string format_ms(double ms);

class CellLog {
 public:
  using Clock = std::chrono::steady_clock;

  void start() { start_ = Clock::now(); }
  Clock::time_point started() const { return start_; }
  double elapsed_ms() const;

  // One line, stamped with the milliseconds since start().
  void note(const std::string& text);
  // Appends text as it is (stderr sections at the end).
  void append(const std::string& text) { out_ << text; }
  std::string text() const { return out_.str(); }

  // While quiet, request/reply traffic and checks are not logged (repeat iterations 2..N, teardown).
  bool quiet() const { return quiet_; }
  void set_quiet(bool quiet) { quiet_ = quiet; }

 private:
  Clock::time_point start_ = Clock::now();
  std::ostringstream out_;
  bool quiet_ = false;
};

}  // namespace zbh
