// The harness's own verdict on reader reports: checksums of the pattern, intactness, and the
// consistency of the summary with the frame list.
#include "read_verdict.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

json frame(std::uint64_t sequence, std::uint64_t size, const std::string& checksum) {
  return json{{"sequence", sequence}, {"size", size}, {"checksum", checksum}};
}

json report_of(const json& frames) {
  json report = {{"read", frames.size()}, {"bytes", 0}, {"firstSequence", 0}, {"lastSequence", 0}, {"frames", frames}};
  for (const auto& f : frames) report["bytes"] = report["bytes"].get<std::uint64_t>() + f["size"].get<std::uint64_t>();
  if (!frames.empty()) {
    report["firstSequence"] = frames.front()["sequence"];
    report["lastSequence"] = frames.back()["sequence"];
  }
  return report;
}

TEST(PatternChecksum, MatchesTheTestVectorOfTheServeProtocol) {
  EXPECT_EQ(pattern_checksum(5, 1, 1000), "e249a6ab18def5f0");  // docs/serve-protocol.md, Checksums
  EXPECT_EQ(pattern_checksum(0, 7, 0), "e3b0c44298fc1c14");     // SHA-256 of nothing
}

TEST(PatternChecksum, SeedAndSequenceSelectThePhase) {
  // (7 * 1 + 5) mod 251 == (7 * 0 + 12) mod 251: the same bytes.
  EXPECT_EQ(pattern_checksum(5, 1, 300), pattern_checksum(12, 0, 300));
  EXPECT_NE(pattern_checksum(5, 1, 300), pattern_checksum(5, 2, 300));
}

TEST(JudgeRead, MarksEachFrameIntactOrNot) {
  json report = report_of(json::array({frame(1, 100, pattern_checksum(3, 1, 100)), frame(2, 100, "0000000000000000")}));
  PatternCheck check;
  check.judge = true;
  check.seed = 3;
  EXPECT_TRUE(judge_read(report, check).empty());
  EXPECT_EQ(report["frames"][0]["intact"], true);
  EXPECT_EQ(report["frames"][1]["intact"], false);
  EXPECT_EQ(report["allIntact"], false);
  EXPECT_EQ(report["inOrder"], true);
  const auto demanded = demand_intact("readFrames", json::object(), report, check);
  ASSERT_EQ(demanded.size(), 1u);
  EXPECT_EQ(demanded[0], "frame sequence 2 (size 100): checksum 0000000000000000, the pattern (seed 3) gives " +
                             pattern_checksum(3, 2, 100));
  // An expectation that speaks about intactness itself is not overruled.
  EXPECT_TRUE(demand_intact("readFrames", json{{"allIntact", false}}, report, check).empty());
}

TEST(JudgeRead, ASummaryThatDisagreesWithTheFrameListIsAProblem) {
  json report =
      report_of(json::array({frame(1, 10, pattern_checksum(0, 1, 10)), frame(3, 10, pattern_checksum(0, 3, 10))}));
  report["bytes"] = 30;
  report["read"] = 3;
  const auto problems = judge_read(report, PatternCheck{true, 0, std::nullopt});
  ASSERT_EQ(problems.size(), 2u);
  EXPECT_EQ(problems[0], "read is 3, but the frames listed give 2");
  EXPECT_EQ(problems[1], "bytes is 30, but the frames listed give 20");
  EXPECT_EQ(report["inOrder"], false);
}

TEST(JudgeRead, AMissingOrMalformedChecksumIsAProblem) {
  json report = report_of(json::array({json{{"sequence", 1}, {"size", 10}}}));
  EXPECT_FALSE(judge_read(report, PatternCheck{true, 0, std::nullopt}).empty());
  json upper = report_of(json::array({frame(1, 10, "E249A6AB18DEF5F0")}));
  EXPECT_FALSE(judge_read(upper, PatternCheck{true, 0, std::nullopt}).empty());
  json no_frames = {{"read", 0}};
  EXPECT_FALSE(judge_read(no_frames, PatternCheck{true, 0, std::nullopt}).empty());
}

TEST(JudgeRead, UnjudgedFramesGetNoVerdictButStillCount) {
  json report = report_of(json::array({json{{"sequence", 1}, {"size", 5}, {"checksum", "x"}, {"text", "hello"}}}));
  EXPECT_TRUE(judge_read(report, PatternCheck{false, 0, std::nullopt}).empty());
  EXPECT_FALSE(report["frames"][0].contains("intact"));
  EXPECT_FALSE(report.contains("allIntact"));
}

TEST(TakePatternArgs, HarnessOnlyKeysAreNotSent) {
  json args = {{"count", 2}, {"seed", -1}, {"verify", true}};
  const PatternCheck check = take_pattern_args("readFrames", args);
  EXPECT_EQ(args, (json{{"count", 2}}));
  EXPECT_TRUE(check.judge);
  EXPECT_EQ(check.seed, 250u);  // -1 mod 251
  json metadata = {{"size", 500}, {"seed", 3}};
  const PatternCheck meta = take_pattern_args("getMetadata", metadata);
  EXPECT_EQ(metadata, json::object());
  EXPECT_EQ(meta.size, 500u);
  json plain = json::object();
  EXPECT_FALSE(take_pattern_args("getMetadata", plain).judge);  // text metadata: nothing to judge
  json write = {{"size", 10}, {"seed", 3}};
  take_pattern_args("writeFrames", write);
  EXPECT_EQ(write["seed"], 3);  // a writer's seed is the serve's
}

TEST(JudgeMetadata, SizeAndChecksumMustBeThePatterns) {
  json result = {{"size", 500}, {"checksum", pattern_checksum(3, 0, 500)}};
  EXPECT_TRUE(judge_metadata(result, PatternCheck{true, 3, 500}).empty());
  EXPECT_EQ(result["intact"], true);
  judge_metadata(result, PatternCheck{true, 3, 499});
  EXPECT_EQ(result["intact"], false);
  judge_metadata(result, PatternCheck{true, 4, std::nullopt});
  EXPECT_EQ(result["intact"], false);
}

}  // namespace
}  // namespace zbh
