#include "shm_layout.hpp"

#include <cctype>
#include <charconv>

namespace zbh {

std::optional<Location> parse_location(const std::string& text) {
  static const std::pair<std::string_view, Location::Base> bases[] = {
      {"oieb", Location::Base::oieb},
      {"meta", Location::Base::meta},
      {"payload", Location::Base::payload},
      {"frame", Location::Base::frame},
  };
  Location location;
  std::string_view rest = text;
  for (const auto& [word, base] : bases) {
    if (rest.substr(0, word.size()) == word) {
      location.base = base;
      rest.remove_prefix(word.size());
      if (rest.empty()) return location;
      if (rest.front() != '+') return std::nullopt;
      rest.remove_prefix(1);
      break;
    }
  }
  int radix = 10;
  if (rest.size() > 2 && rest[0] == '0' && (rest[1] == 'x' || rest[1] == 'X')) {
    radix = 16;
    rest.remove_prefix(2);
  }
  if (rest.empty()) return std::nullopt;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), location.offset, radix);
  if (error != std::errc() || end != rest.data() + rest.size()) return std::nullopt;
  return location;
}

std::optional<std::vector<std::uint8_t>> parse_hex(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c == ' ') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    digits += c;
  }
  if (digits.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i < digits.size(); i += 2) {
    bytes.push_back(static_cast<std::uint8_t>(std::stoi(digits.substr(i, 2), nullptr, 16)));
  }
  return bytes;
}

std::string to_hex(const std::uint8_t* data, std::size_t size) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += digits[data[i] >> 4];
    out += digits[data[i] & 0xF];
  }
  return out;
}

}  // namespace zbh
