#include "read_verdict.hpp"

#include <array>
#include <map>
#include <span>
#include <utility>

#include "checksum.h"

namespace zbh {
namespace {

constexpr std::uint64_t kModulus = 251;
constexpr std::size_t kListedProblems = 5;

// Pattern phase of byte 0 of a frame: (7 * sequence + seed) mod 251, seed already reduced.
std::uint64_t phase(std::uint64_t seed, std::uint64_t sequence) {
  return (7 * (sequence % kModulus) + seed) % kModulus;
}

// One period-aligned block of the pattern (a multiple of 251 bytes) plus 251 bytes of lead-in,
// so any phase is a pointer into it.
constexpr std::size_t kBlock = kModulus * 64;
const std::array<std::byte, kModulus + kBlock>& pattern_table() {
  static const auto table = [] {
    std::array<std::byte, kModulus + kBlock> t{};
    for (std::size_t i = 0; i < t.size(); ++i) t[i] = static_cast<std::byte>(i % kModulus);
    return t;
  }();
  return table;
}

std::uint64_t reduced_seed(const json& seed) {
  if (seed.is_number_unsigned()) return seed.get<std::uint64_t>() % kModulus;
  const auto value = seed.get<std::int64_t>();
  const auto residue = value % static_cast<std::int64_t>(kModulus);
  return static_cast<std::uint64_t>(residue < 0 ? residue + static_cast<std::int64_t>(kModulus) : residue);
}

bool is_checksum(const json& value) {
  if (!value.is_string()) return false;
  const auto& text = value.get_ref<const std::string&>();
  if (text.size() != 16) return false;
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool mentions(const json& expected, const char* key) {
  if (expected.is_object()) {
    for (const auto& [k, v] : expected.items()) {
      if (k == key || mentions(v, key)) return true;
    }
  } else if (expected.is_array()) {
    for (const auto& v : expected) {
      if (mentions(v, key)) return true;
    }
  }
  return false;
}

std::string frame_label(const json& frame) {
  return "frame sequence " + frame.at("sequence").dump() + " (size " + frame.at("size").dump() + ")";
}

}  // namespace

PatternCheck take_pattern_args(const std::string& method, json& args) {
  PatternCheck check;
  if (method != "readFrames" && method != "getMetadata") return check;
  check.judge = method == "readFrames";
  if (args.contains("seed")) {
    check.seed = reduced_seed(args.at("seed"));
    check.judge = true;
    args.erase("seed");
  }
  if (method == "getMetadata" && args.contains("size")) {
    check.size = args.at("size").get<std::uint64_t>();
    check.judge = true;
    args.erase("size");
  }
  if (method == "readFrames" && args.contains("verify")) {
    check.judge = args.at("verify").get<bool>();
    args.erase("verify");
  }
  return check;
}

std::string pattern_checksum(std::uint64_t seed, std::uint64_t sequence, std::uint64_t size) {
  // A stream of equal frames repeats at most 251 phases: remember what was computed.
  thread_local std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> cache;
  const std::uint64_t start = phase(seed % kModulus, sequence);
  const auto key = std::make_pair(start, size);
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  zbchecksum::Sha256 hash;
  const std::byte* source = pattern_table().data() + start;
  for (std::uint64_t at = 0; at < size; at += kBlock) {
    hash.update(std::span(source, static_cast<std::size_t>(std::min<std::uint64_t>(kBlock, size - at))));
  }
  std::string text = zbchecksum::checksum_text(hash.finish());
  if (cache.size() > 4096) cache.clear();
  cache.emplace(key, text);
  return text;
}

std::vector<std::string> judge_read(json& report, const PatternCheck& check) {
  std::vector<std::string> problems;
  if (!report.is_object()) return problems;
  if (!report.contains("frames") || !report.at("frames").is_array()) {
    problems.push_back("the reader did not report its frames (\"frames\" is missing or not an array)");
    return problems;
  }
  json& frames = report.at("frames");
  std::uint64_t bytes = 0;
  bool in_order = true;
  bool all_intact = true;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    json& frame = frames.at(i);
    const std::string where = "frames[" + std::to_string(i) + "]";
    if (!frame.is_object() || !frame.contains("sequence") || !is_uint(frame.at("sequence")) ||
        !frame.contains("size") || !is_uint(frame.at("size"))) {
      problems.push_back(where + " lacks an integer sequence or size: " + frame.dump());
      return problems;
    }
    const auto sequence = frame.at("sequence").get<std::uint64_t>();
    const auto size = frame.at("size").get<std::uint64_t>();
    bytes += size;
    if (i > 0 && sequence != frames.at(i - 1).at("sequence").get<std::uint64_t>() + 1) in_order = false;
    if (!check.judge) continue;
    if (!frame.contains("checksum") || !is_checksum(frame.at("checksum"))) {
      problems.push_back(where + " has no checksum of 16 lowercase hex digits: " + frame.dump());
      return problems;
    }
    const bool intact = frame.at("checksum").get<std::string>() == pattern_checksum(check.seed, sequence, size);
    frame["intact"] = intact;
    all_intact = all_intact && intact;
  }
  const auto reported = [&](const char* key, std::uint64_t computed) {
    if (!report.contains(key) || !is_uint(report.at(key))) {
      problems.push_back(std::string(key) + " is missing or not an integer");
    } else if (report.at(key).get<std::uint64_t>() != computed) {
      problems.push_back(std::string(key) + " is " + report.at(key).dump() + ", but the frames listed give " +
                         std::to_string(computed));
    }
  };
  reported("read", frames.size());
  reported("bytes", bytes);
  reported("firstSequence", frames.empty() ? 0 : frames.front().at("sequence").get<std::uint64_t>());
  reported("lastSequence", frames.empty() ? 0 : frames.back().at("sequence").get<std::uint64_t>());
  report["inOrder"] = in_order;
  if (check.judge) report["allIntact"] = all_intact;
  return problems;
}

std::vector<std::string> judge_metadata(json& result, const PatternCheck& check) {
  std::vector<std::string> problems;
  if (!check.judge || !result.is_object()) return problems;
  if (!result.contains("size") || !is_uint(result.at("size")) || !result.contains("checksum") ||
      !is_checksum(result.at("checksum"))) {
    problems.push_back("getMetadata must report an integer size and a checksum of 16 lowercase hex digits");
    return problems;
  }
  const auto size = result.at("size").get<std::uint64_t>();
  const bool size_ok = !check.size || *check.size == size;
  result["intact"] = size_ok && result.at("checksum").get<std::string>() == pattern_checksum(check.seed, 0, size);
  return problems;
}

std::vector<std::string> demand_intact(const std::string& method, const json& expected, const json& judged,
                                       const PatternCheck& check) {
  std::vector<std::string> problems;
  if (!check.judge || mentions(expected, "intact") || mentions(expected, "allIntact")) return problems;
  const std::string pattern = "the pattern (seed " + std::to_string(check.seed) + ")";
  if (method == "getMetadata") {
    if (judged.value("intact", true)) return problems;
    problems.push_back("metadata (size " + judged.at("size").dump() + ", checksum " + judged.at("checksum").dump() +
                       ") is not " + pattern + (check.size ? " of size " + std::to_string(*check.size) : "") +
                       ", whose checksum is " +
                       pattern_checksum(check.seed, 0, check.size.value_or(judged.at("size").get<std::uint64_t>())));
    return problems;
  }
  if (!judged.contains("frames")) return problems;
  std::size_t bad = 0;
  for (const auto& frame : judged.at("frames")) {
    if (frame.value("intact", true)) continue;
    if (++bad <= kListedProblems) {
      problems.push_back(frame_label(frame) + ": checksum " + frame.at("checksum").get<std::string>() + ", " + pattern +
                         " gives " +
                         pattern_checksum(check.seed, frame.at("sequence").get<std::uint64_t>(),
                                          frame.at("size").get<std::uint64_t>()));
    }
  }
  if (bad > kListedProblems)
    problems.push_back("... " + std::to_string(bad - kListedProblems) + " more frames not intact");
  return problems;
}

}  // namespace zbh
