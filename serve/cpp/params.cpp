#include "params.h"

#include <cmath>
#include <limits>

#include "pattern.h"

namespace zbserve {
namespace {

std::string quoted(std::string_view key) { return "'" + std::string(key) + "'"; }

/// The value as a non-negative 64-bit integer, if it is one (an integral float counts).
std::optional<std::uint64_t> as_uint(const Json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer()) {
    const auto v = value.get<std::int64_t>();
    if (v >= 0) return static_cast<std::uint64_t>(v);
    return std::nullopt;
  }
  if (value.is_number_float()) {
    const double v = value.get<double>();
    // 2^64 is exactly representable; every integral double below it converts exactly.
    if (std::isfinite(v) && v >= 0 && v < 18446744073709551616.0 && std::floor(v) == v) {
      return static_cast<std::uint64_t>(v);
    }
  }
  return std::nullopt;
}

}  // namespace

const Json* Params::find(std::string_view key) const {
  const auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

bool Params::has(std::string_view key) const { return find(key) != nullptr; }

std::optional<std::string> Params::optional_string(std::string_view key) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) throw invalid_params(quoted(key) + " must be a string");
  return value->get<std::string>();
}

std::string Params::string(std::string_view key) const {
  auto value = optional_string(key);
  if (!value) throw invalid_params(quoted(key) + " is required");
  return std::move(*value);
}

std::optional<std::uint64_t> Params::optional_uint(std::string_view key) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  const auto number = as_uint(*value);
  if (!number) throw invalid_params(quoted(key) + " must be a non-negative integer (at most 2^64-1)");
  return number;
}

std::uint64_t Params::uint(std::string_view key) const {
  const auto value = optional_uint(key);
  if (!value) throw invalid_params(quoted(key) + " is required");
  return *value;
}

std::uint64_t Params::uint_or(std::string_view key, std::uint64_t fallback) const {
  return optional_uint(key).value_or(fallback);
}

std::optional<std::vector<std::uint64_t>> Params::optional_uint_array(std::string_view key) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_array() || value->empty()) {
    throw invalid_params(quoted(key) + " must be a non-empty array of non-negative integers");
  }
  std::vector<std::uint64_t> numbers;
  numbers.reserve(value->size());
  for (const Json& item : *value) {
    const auto number = as_uint(item);
    if (!number) throw invalid_params(quoted(key) + " must be a non-empty array of non-negative integers");
    numbers.push_back(*number);
  }
  return numbers;
}

bool Params::bool_or(std::string_view key, bool fallback) const {
  const Json* value = find(key);
  if (value == nullptr) return fallback;
  if (!value->is_boolean()) throw invalid_params(quoted(key) + " must be a boolean");
  return value->get<bool>();
}

std::chrono::milliseconds Params::duration_or(std::string_view key, std::chrono::milliseconds fallback) const {
  const auto value = optional_uint(key);
  if (!value) return fallback;
  if (*value > static_cast<std::uint64_t>(kMaxDuration.count())) return kMaxDuration;
  return std::chrono::milliseconds(static_cast<std::int64_t>(*value));
}

std::optional<std::uint8_t> Params::optional_seed(std::string_view key) const {
  const Json* value = find(key);
  if (value == nullptr) return std::nullopt;
  constexpr auto m = pattern::kModulus;
  if (value->is_number_unsigned()) return static_cast<std::uint8_t>(value->get<std::uint64_t>() % m);
  if (value->is_number_integer()) {
    const std::int64_t r = value->get<std::int64_t>() % static_cast<std::int64_t>(m);  // in (-m, m)
    return static_cast<std::uint8_t>(r < 0 ? r + static_cast<std::int64_t>(m) : r);
  }
  if (value->is_number_float()) {
    const double v = value->get<double>();
    if (std::isfinite(v) && std::floor(v) == v) {
      double r = std::fmod(v, static_cast<double>(m));  // exact for integral v
      if (r < 0) r += static_cast<double>(m);
      return static_cast<std::uint8_t>(r);
    }
  }
  throw invalid_params(quoted(key) + " must be an integer");
}

}  // namespace zbserve
