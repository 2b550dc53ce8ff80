#include "zerobuffer/error.h"

#include <string>

#include "shared.h"
#include "zerobuffer/zerobuffer.h"

namespace zerobuffer {

std::string_view to_string(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::Timeout: return "Timeout";
    case ErrorCode::WriterDead: return "WriterDead";
    case ErrorCode::ReaderDead: return "ReaderDead";
    case ErrorCode::BufferFull: return "BufferFull";
    case ErrorCode::FrameTooLarge: return "FrameTooLarge";
    case ErrorCode::InvalidFrameSize: return "InvalidFrameSize";
    case ErrorCode::MetadataTooLarge: return "MetadataTooLarge";
    case ErrorCode::MetadataAlreadyWritten: return "MetadataAlreadyWritten";
    case ErrorCode::BufferNotFound: return "BufferNotFound";
    case ErrorCode::WriterAlreadyConnected: return "WriterAlreadyConnected";
    case ErrorCode::ReaderAlreadyConnected: return "ReaderAlreadyConnected";
    case ErrorCode::SequenceError: return "SequenceError";
    case ErrorCode::Corrupt: return "Corrupt";
    case ErrorCode::IncompatibleVersion: return "IncompatibleVersion";
    case ErrorCode::InvalidName: return "InvalidName";
    case ErrorCode::InvalidState: return "InvalidState";
    case ErrorCode::Internal: return "Internal";
  }
  return "Internal";
}

SequenceErrorException::SequenceErrorException(std::uint64_t expected, std::uint64_t actual)
    : ZeroBufferException(ErrorCode::SequenceError, "sequence error: expected frame " + std::to_string(expected) +
                                                        ", got " + std::to_string(actual)),
      expected_(expected),
      actual_(actual) {}

bool is_valid_name(std::string_view name) noexcept {
  if (name.empty() || name.size() > 200 || name.front() == '.') return false;
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace detail {

void require_valid_name(std::string_view name) {
  if (is_valid_name(name)) return;
  std::string shown(name.substr(0, 64));
  if (name.size() > 64) shown += "...";
  throw InvalidNameException("invalid buffer name \"" + shown + "\" (" + std::to_string(name.size()) +
                             " bytes): use 1..200 characters of A-Z a-z 0-9 . _ -, not starting with '.'");
}

void throw_not_owned(std::string_view what, std::uint64_t owner) {
  throw InvalidStateException("this " + std::string(what) + " belongs to process " + std::to_string(owner) +
                              "; a process forked from it cannot use it (close or destroy it)");
}

}  // namespace detail
}  // namespace zerobuffer
