// The harness's own verdict on what a reader reported. Serves report, per frame, the sequence,
// size and checksum of the bytes they got (docs/serve-protocol.md, "Checksums"); the harness
// computes what the payload pattern says those bytes should have been and adds its verdict
// to the answer before the scenario's expectations are matched:
//   readFrames: "intact" on every frame, and "allIntact" and "inOrder" on the summary;
//   getMetadata: "intact".
// It also checks that the summary a serve reports agrees with its own frame list.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace zbh {

using json = nlohmann::json;

// The pattern a reader call is judged against. It comes from harness-only arguments of the
// step (docs/scenarios.md), which are taken off before the request is sent.
struct PatternCheck {
  bool judge = false;                 // readFrames: unless "verify": false; getMetadata: with seed or size
  std::uint64_t seed = 0;             // "seed"
  std::optional<std::uint64_t> size;  // getMetadata "size": the expected metadata size
};

// A JSON integer >= 0 (parsed as unsigned or built as a signed value).
inline bool is_uint(const json& value) {
  return value.is_number_unsigned() || (value.is_number_integer() && value.get<std::int64_t>() >= 0);
}

// Removes the harness-only arguments of `method` from `args` and returns the check they ask for.
PatternCheck take_pattern_args(const std::string& method, json& args);

// Checksum (docs/serve-protocol.md) of the pattern bytes of (seed, sequence, size).
std::string pattern_checksum(std::uint64_t seed, std::uint64_t sequence, std::uint64_t size);

// Adds the verdict keys to a readFrames result or error data (`report`) and returns every
// inconsistency of the report itself (a count or sum that disagrees with the frame list, a
// malformed frame entry).
std::vector<std::string> judge_read(json& report, const PatternCheck& check);

// Adds "intact" to a getMetadata result when the check asks for a pattern; returns malformed keys.
std::vector<std::string> judge_metadata(json& result, const PatternCheck& check);

// When `expected` (the step's expectation) says nothing about intactness, the harness demands
// it: one line per frame (or metadata) that is not intact.
std::vector<std::string> demand_intact(const std::string& method, const json& expected, const json& judged,
                                       const PatternCheck& check);

}  // namespace zbh
