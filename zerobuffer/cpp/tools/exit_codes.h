// Exit codes of the zerobuffer tool (documented in docs/cli.md) and how library errors map to them.
#pragma once

#include "zerobuffer/error.h"

namespace zbcli {

enum ExitCode : int {
  kOk = 0,
  kFailure = 1,       ///< an operating-system call failed (Internal) or another unexpected error
  kUsage = 2,         ///< bad command line or buffer name (InvalidName)
  kNotFound = 3,      ///< no such buffer (BufferNotFound)
  kCorrupt = 4,       ///< a header is corrupt, incompatible or foreign (Corrupt, IncompatibleVersion)
  kPeerGone = 5,      ///< the other side died (ReaderDead; WriterDead is the normal end of `read`)
  kBusy = 6,          ///< the role is taken (ReaderAlreadyConnected, WriterAlreadyConnected)
  kTimeout = 7,       ///< nothing happened in time (Timeout, BufferFull)
  kFrameRefused = 8,  ///< a frame or metadata the library refused (FrameTooLarge, InvalidFrameSize, ...)
  kInterrupted = 130, ///< stopped by SIGINT/SIGTERM before the work was done
};

constexpr ExitCode exit_code_for(zerobuffer::ErrorCode code) noexcept {
  using zerobuffer::ErrorCode;
  switch (code) {
    case ErrorCode::InvalidName: return kUsage;
    case ErrorCode::BufferNotFound: return kNotFound;
    case ErrorCode::Corrupt:
    case ErrorCode::IncompatibleVersion:
    case ErrorCode::SequenceError: return kCorrupt;
    case ErrorCode::WriterDead:
    case ErrorCode::ReaderDead: return kPeerGone;
    case ErrorCode::ReaderAlreadyConnected:
    case ErrorCode::WriterAlreadyConnected: return kBusy;
    case ErrorCode::Timeout:
    case ErrorCode::BufferFull: return kTimeout;
    case ErrorCode::FrameTooLarge:
    case ErrorCode::InvalidFrameSize:
    case ErrorCode::MetadataTooLarge:
    case ErrorCode::MetadataAlreadyWritten: return kFrameRefused;
    case ErrorCode::InvalidState:
    case ErrorCode::Internal: return kFailure;
  }
  return kFailure;
}

}  // namespace zbcli
