// Text helpers: frames and metadata are reported as text only when they are valid UTF-8.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace zbserve {

/// Strict UTF-8 check: no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::span<const std::byte> bytes) noexcept;

std::string to_string(std::span<const std::byte> bytes);
std::span<const std::byte> as_bytes(std::string_view text) noexcept;

}  // namespace zbserve
