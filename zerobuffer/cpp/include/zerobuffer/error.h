// Error vocabulary of ZeroBuffer: one ErrorCode per kind of failure, one exception class per code.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace zerobuffer {

/// Every way a ZeroBuffer call can fail. The names match the serve protocol's error kinds.
enum class ErrorCode : std::uint8_t {
  Timeout,                 ///< no frame within the timeout (only used by try/serve layers; read_frame returns an empty Frame)
  WriterDead,              ///< the writer died, or closed and every frame was consumed
  ReaderDead,              ///< the reader died or closed; also connecting to a buffer without a live reader
  BufferFull,              ///< no space for a frame before the write timeout, reader alive
  FrameTooLarge,           ///< the frame can never fit: larger than the ring, or not placeable from the write position
  InvalidFrameSize,        ///< a zero-length frame
  MetadataTooLarge,        ///< metadata plus its 8-byte length prefix exceeds the metadata block
  MetadataAlreadyWritten,  ///< metadata is write-once per buffer
  BufferNotFound,          ///< no buffer of that name, or one of its semaphores is missing
  WriterAlreadyConnected,  ///< another live writer holds the buffer
  ReaderAlreadyConnected,  ///< another live reader owns the name
  SequenceError,           ///< a frame's sequence number is not the expected one
  Corrupt,                 ///< a header field is impossible (out of its block, inconsistent sizes)
  IncompatibleVersion,     ///< OIEB size is not 128 or the major version is not 1
  InvalidName,             ///< the buffer name breaks the naming rule
  InvalidState,            ///< the call is not valid in the object's current state
  Internal,                ///< an operating-system call failed unexpectedly (message says which)
};

/// The serve protocol's name of an error kind, e.g. "WriterDead".
std::string_view to_string(ErrorCode code) noexcept;

/// Base of every exception the library throws.
class ZeroBufferException : public std::runtime_error {
 public:
  ZeroBufferException(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const noexcept { return code_; }

 private:
  ErrorCode code_;
};

#define ZEROBUFFER_DEFINE_EXCEPTION(Name, Code)                                                   \
  class Name : public ZeroBufferException {                                                        \
   public:                                                                                         \
    explicit Name(const std::string& message) : ZeroBufferException(ErrorCode::Code, message) {}  \
  }

ZEROBUFFER_DEFINE_EXCEPTION(WriterDeadException, WriterDead);
ZEROBUFFER_DEFINE_EXCEPTION(ReaderDeadException, ReaderDead);
ZEROBUFFER_DEFINE_EXCEPTION(BufferFullException, BufferFull);
ZEROBUFFER_DEFINE_EXCEPTION(FrameTooLargeException, FrameTooLarge);
ZEROBUFFER_DEFINE_EXCEPTION(InvalidFrameSizeException, InvalidFrameSize);
ZEROBUFFER_DEFINE_EXCEPTION(MetadataTooLargeException, MetadataTooLarge);
ZEROBUFFER_DEFINE_EXCEPTION(MetadataAlreadyWrittenException, MetadataAlreadyWritten);
ZEROBUFFER_DEFINE_EXCEPTION(BufferNotFoundException, BufferNotFound);
ZEROBUFFER_DEFINE_EXCEPTION(WriterAlreadyConnectedException, WriterAlreadyConnected);
ZEROBUFFER_DEFINE_EXCEPTION(ReaderAlreadyConnectedException, ReaderAlreadyConnected);
ZEROBUFFER_DEFINE_EXCEPTION(CorruptBufferException, Corrupt);
ZEROBUFFER_DEFINE_EXCEPTION(IncompatibleVersionException, IncompatibleVersion);
ZEROBUFFER_DEFINE_EXCEPTION(InvalidNameException, InvalidName);
ZEROBUFFER_DEFINE_EXCEPTION(InvalidStateException, InvalidState);
ZEROBUFFER_DEFINE_EXCEPTION(InternalException, Internal);

#undef ZEROBUFFER_DEFINE_EXCEPTION

/// A frame's sequence number differs from the expected one.
class SequenceErrorException : public ZeroBufferException {
 public:
  SequenceErrorException(std::uint64_t expected, std::uint64_t actual);
  std::uint64_t expected() const noexcept { return expected_; }
  std::uint64_t actual() const noexcept { return actual_; }

 private:
  std::uint64_t expected_;
  std::uint64_t actual_;
};

}  // namespace zerobuffer
