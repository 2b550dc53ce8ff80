// Line transport: newline-delimited messages in on one file descriptor, out on another.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace zbserve {

/// Reads '\n'-terminated lines from a file descriptor (blocking). A trailing '\r' is dropped;
/// a last line without '\n' is returned at end of input.
class LineReader {
 public:
  enum class Status {
    Line,         ///< `line` holds the next line
    TooLong,      ///< a line exceeded the limit; it was skipped up to its end
    EndOfInput,   ///< end of input (or a read error)
    Interrupted,  ///< woken through wake_fd while waiting
  };

  /// `wake_fd` (or -1) becomes readable when the reader should stop waiting (a signal handler
  /// writes to it: the self-pipe pattern, free of the race between checking a flag and reading).
  LineReader(int fd, std::size_t max_line, int wake_fd) noexcept : fd_(fd), max_line_(max_line), wake_fd_(wake_fd) {}

  Status next(std::string& line);

 private:
  /// Reads more bytes into buffer_; false at end of input or on error.
  bool fill(Status& why);

  int fd_;
  std::size_t max_line_;
  int wake_fd_;
  std::string buffer_;
  std::size_t scanned_ = 0;  // bytes of buffer_ already known to contain no '\n'
  bool eof_ = false;
};

/// Writes whole lines to a file descriptor, each followed by '\n', retrying partial writes.
class LineWriter {
 public:
  explicit LineWriter(int fd) noexcept : fd_(fd) {}
  /// False once the descriptor is gone (EPIPE, closed); later calls keep returning false.
  bool write_line(std::string_view line);

 private:
  int fd_;
  bool broken_ = false;
};

}  // namespace zbserve
