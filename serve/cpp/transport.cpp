#include "transport.h"

#include <poll.h>
#include <unistd.h>

#include <cerrno>

namespace zbserve {

bool LineReader::fill(Status& why) {
  char chunk[64 * 1024];
  while (true) {
    pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_fd_, POLLIN, 0}};
    const int ready = ::poll(fds, wake_fd_ >= 0 ? 2 : 1, -1);
    if (ready < 0 && errno == EINTR) continue;
    if (ready > 0 && wake_fd_ >= 0 && (fds[1].revents & POLLIN) != 0) {
      why = Status::Interrupted;
      return false;
    }
    const ssize_t n = ::read(fd_, chunk, sizeof chunk);
    if (n > 0) {
      buffer_.append(chunk, static_cast<std::size_t>(n));
      return true;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    eof_ = true;  // 0 = end of input; any other error ends the session the same way
    why = Status::EndOfInput;
    return false;
  }
}

LineReader::Status LineReader::next(std::string& line) {
  bool skipping = false;  // inside a line that is too long: drop bytes up to its '\n'
  while (true) {
    const std::size_t nl = buffer_.find('\n', scanned_);
    if (nl != std::string::npos) {
      if (skipping) {
        buffer_.erase(0, nl + 1);
        scanned_ = 0;
        return Status::TooLong;
      }
      line.assign(buffer_, 0, nl);
      buffer_.erase(0, nl + 1);
      scanned_ = 0;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return Status::Line;
    }
    scanned_ = buffer_.size();
    if (scanned_ > max_line_) {
      skipping = true;
      buffer_.clear();
      scanned_ = 0;
    }
    if (eof_) {
      if (skipping) {
        buffer_.clear();
        return Status::TooLong;
      }
      if (buffer_.empty()) return Status::EndOfInput;
      line.swap(buffer_);
      buffer_.clear();
      scanned_ = 0;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      return Status::Line;
    }
    Status why = Status::EndOfInput;
    if (!fill(why) && why == Status::Interrupted) return why;
  }
}

bool LineWriter::write_line(std::string_view line) {
  if (broken_) return false;
  std::string out;
  out.reserve(line.size() + 1);
  out.append(line);
  out.push_back('\n');
  std::string_view rest = out;
  while (!rest.empty()) {
    const ssize_t n = ::write(fd_, rest.data(), rest.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      broken_ = true;
      return false;
    }
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace zbserve
