// Typed access to a request's named parameters. A missing required parameter, or one of the
// wrong JSON type, throws RpcError(-32602); values of the right type pass unchanged.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc.h"

namespace zbserve {

class Params {
 public:
  /// `object` must be a JSON object and outlive this view.
  explicit Params(const Json& object) noexcept : object_(object) {}

  bool has(std::string_view key) const;

  std::string string(std::string_view key) const;
  std::optional<std::string> optional_string(std::string_view key) const;

  /// Non-negative integer that fits in 64 bits (5.0 counts as 5).
  std::uint64_t uint(std::string_view key) const;
  std::optional<std::uint64_t> optional_uint(std::string_view key) const;
  std::uint64_t uint_or(std::string_view key, std::uint64_t fallback) const;
  /// A non-empty array of such integers.
  std::optional<std::vector<std::uint64_t>> optional_uint_array(std::string_view key) const;

  bool bool_or(std::string_view key, bool fallback) const;

  /// A duration in milliseconds (non-negative integer), clamped to kMaxDuration.
  std::chrono::milliseconds duration_or(std::string_view key, std::chrono::milliseconds fallback) const;

  /// A pattern seed: any integer, returned as its residue modulo 251.
  std::optional<std::uint8_t> optional_seed(std::string_view key) const;
  std::uint8_t seed_or_zero(std::string_view key) const { return optional_seed(key).value_or(0); }

  /// Longest duration a request may ask for; larger values are treated as this.
  static constexpr std::chrono::milliseconds kMaxDuration{2147483647};

 private:
  const Json* find(std::string_view key) const;

  const Json& object_;
};

}  // namespace zbserve
