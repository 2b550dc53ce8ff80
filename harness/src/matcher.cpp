#include "matcher.hpp"

#include <cstdio>
#include <random>

namespace zbh {
namespace {

std::string describe(const json& value) {
  std::string text = value.dump();
  if (text.size() > 200) text = text.substr(0, 200) + "...";
  return text;
}

std::string child_path(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

bool is_range(const json& expected) {
  if (!expected.is_object() || expected.empty() || expected.size() > 2) return false;
  for (const auto& [key, value] : expected.items()) {
    if ((key != "min" && key != "max") || !value.is_number()) return false;
  }
  return true;
}

json lookup_saved(const std::string& expression, const Bindings& bindings) {
  // HANDLE.key.key ... ; numeric parts index arrays.
  const json* node = &bindings.saved;
  std::size_t start = 0;
  while (start <= expression.size()) {
    std::size_t dot = expression.find('.', start);
    std::string part = expression.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (node->is_object() && node->contains(part)) {
      node = &node->at(part);
    } else if (node->is_array() && !part.empty() && part.find_first_not_of("0123456789") == std::string::npos &&
               std::stoul(part) < node->size()) {
      node = &node->at(std::stoul(part));
    } else {
      throw ResolveError("placeholder ${" + expression + "}: no value at '" + part + "'");
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return *node;
}

json placeholder_value(const std::string& expression, const Bindings& bindings) {
  if (expression == "name") return bindings.name;
  if (expression == "uuid") return bindings.uuid;
  if (expression.rfind("name:", 0) == 0) {
    std::size_t length = 0;
    try {
      length = std::stoul(expression.substr(5));
    } catch (const std::exception&) {
      throw ResolveError("placeholder ${" + expression + "}: bad length");
    }
    if (length < bindings.name.size() + 1) {
      throw ResolveError("placeholder ${" + expression + "}: shorter than the test's name");
    }
    std::string padded = bindings.name + "-";
    padded.resize(length, 'x');
    return padded;
  }
  if (expression.rfind("pid.", 0) == 0) {
    auto it = bindings.pids.find(expression.substr(4));
    if (it == bindings.pids.end()) {
      throw ResolveError("placeholder ${" + expression + "}: role not started");
    }
    return it->second;
  }
  return lookup_saved(expression, bindings);
}

json resolve_string(const std::string& text, const Bindings& bindings) {
  if (text.size() > 3 && text.rfind("${", 0) == 0 && text.find("${", 2) == std::string::npos &&
      text.find('}') == text.size() - 1) {
    return placeholder_value(text.substr(2, text.size() - 3), bindings);
  }
  std::string out;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("${", pos);
    if (open == std::string::npos) break;
    std::size_t close = text.find('}', open);
    if (close == std::string::npos) throw ResolveError("unterminated placeholder in \"" + text + "\"");
    out += text.substr(pos, open - pos);
    json value = placeholder_value(text.substr(open + 2, close - open - 2), bindings);
    out += value.is_string() ? value.get<std::string>() : value.dump();
    pos = close + 1;
  }
  return out + text.substr(pos);
}

json expand_random_sizes(const json& spec, const char* form = "$randomSizes") {
  for (const char* key : {"seed", "count", "min", "max"}) {
    if (!spec.contains(key) || !spec.at(key).is_number_unsigned()) {
      throw ResolveError(std::string(form) + " needs a non-negative integer '" + key + "'");
    }
  }
  auto min = spec.at("min").get<std::uint64_t>();
  auto max = spec.at("max").get<std::uint64_t>();
  auto count = spec.at("count").get<std::size_t>();
  if (min < 1 || min > max || count < 1 || count > 1000000) {
    throw ResolveError(std::string(form) + " needs 1 <= min <= max and 1 <= count <= 1000000");
  }
  return random_sizes(spec.at("seed").get<std::uint64_t>(), count, min, max);
}

}  // namespace

json resolve(const json& value, const Bindings& bindings) {
  if (value.is_string()) return resolve_string(value.get<std::string>(), bindings);
  if (value.is_array()) {
    json out = json::array();
    for (const auto& item : value) out.push_back(resolve(item, bindings));
    return out;
  }
  if (value.is_object()) {
    if (value.size() == 1 && value.contains("$randomSizes")) return expand_random_sizes(value.at("$randomSizes"));
    if (value.size() == 1 && value.contains("$randomSizesTotal")) {
      std::uint64_t total = 0;
      for (const auto& size : expand_random_sizes(value.at("$randomSizesTotal"), "$randomSizesTotal")) {
        total += size.get<std::uint64_t>();
      }
      return total;
    }
    json out = json::object();
    for (const auto& [key, item] : value.items()) out[key] = resolve(item, bindings);
    return out;
  }
  return value;
}

std::vector<std::string> match(const json& expected, const json& actual, const std::string& path) {
  const std::string where = path.empty() ? "result" : path;
  if (is_range(expected) && actual.is_number()) {
    const double v = actual.get<double>();
    if ((expected.contains("min") && v < expected.at("min").get<double>()) ||
        (expected.contains("max") && v > expected.at("max").get<double>())) {
      return {where + ": expected " + describe(expected) + ", got " + describe(actual)};
    }
    return {};
  }
  if (expected.is_object()) {
    if (!actual.is_object()) return {where + ": expected an object, got " + describe(actual)};
    std::vector<std::string> out;
    for (const auto& [key, value] : expected.items()) {
      if (!actual.contains(key)) {
        out.push_back(child_path(path, key) + ": missing (expected " + describe(value) + ")");
        continue;
      }
      auto inner = match(value, actual.at(key), child_path(path, key));
      out.insert(out.end(), inner.begin(), inner.end());
    }
    return out;
  }
  if (expected.is_array()) {
    if (!actual.is_array()) return {where + ": expected an array, got " + describe(actual)};
    if (expected.size() != actual.size()) {
      return {where + ": expected " + std::to_string(expected.size()) + " entries, got " +
              std::to_string(actual.size()) + ": " + describe(actual)};
    }
    std::vector<std::string> out;
    for (std::size_t i = 0; i < expected.size(); ++i) {
      auto inner = match(expected[i], actual[i], where + "[" + std::to_string(i) + "]");
      out.insert(out.end(), inner.begin(), inner.end());
    }
    return out;
  }
  if (expected.is_number() && actual.is_number()) {
    if (expected == actual) return {};
    return {where + ": expected " + describe(expected) + ", got " + describe(actual)};
  }
  if (expected != actual) return {where + ": expected " + describe(expected) + ", got " + describe(actual)};
  return {};
}

std::vector<std::uint64_t> random_sizes(std::uint64_t seed, std::size_t count, std::uint64_t min,
                                        std::uint64_t max) {
  std::uint64_t state = seed * 0x9E3779B97F4A7C15ull + 0x2545F4914F6CDD1Dull;
  std::vector<std::uint64_t> out;
  out.reserve(count);
  const std::uint64_t span = max - min + 1;
  for (std::size_t i = 0; i < count; ++i) {
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    out.push_back(min + state % span);
  }
  return out;
}

std::string make_uuid() {
  std::random_device device;
  std::mt19937_64 engine((std::uint64_t{device()} << 32) ^ device());
  std::uint64_t hi = engine(), lo = engine();
  hi = (hi & 0xFFFFFFFFFFFF0FFFull) | 0x0000000000004000ull;  // version 4
  lo = (lo & 0x3FFFFFFFFFFFFFFFull) | 0x8000000000000000ull;  // RFC 4122 variant
  char text[37];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0xFFFF),
                static_cast<unsigned>(lo >> 48), static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFull));
  return text;
}

}  // namespace zbh
