#pragma once

namespace zerobuffer {
/// Version of this library (the wire protocol version is kVersionMajor.kVersionMinor.kVersionPatch).
inline constexpr const char* kLibraryVersion = "1.0.0";
}  // namespace zerobuffer
