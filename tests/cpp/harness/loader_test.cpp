// The loader rejects anything the runner could trip over, with file, scenario id and step.
#include "harness_test_support.hpp"

#include <gtest/gtest.h>

#include <set>

namespace zbh {
namespace {

std::string file_with(const std::string& scenarios) { return R"({"scenarios": [)" + scenarios + "]}"; }

std::string scenario_with_steps(const std::string& steps, const std::string& extra = "") {
  return R"({"id": "x.y", "title": "t", )" + extra + R"("steps": [)" + steps + "]}";
}

// The loader's message for `text`, or "" when it loads.
std::string load_error(const std::string& text) {
  try {
    load_scenarios_from_text(text, "area.json");
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

std::string step_error(const std::string& steps, const std::string& extra = "") {
  return load_error(file_with(scenario_with_steps(steps, extra)));
}

TEST(HarnessLoader, RepositoryScenarioFilesLoad) {
  EXPECT_GE(test::catalog().size(), 50u);
}

TEST(HarnessLoader, RequiredCatalogIsCompleteInTheRepository) {
  const std::vector<std::string> required = {
      "basic.single-frame", "basic.sequential", "basic.mixed-sizes", "basic.zero-copy-write", "basic.text",
      "basic.large-frames", "metadata.roundtrip", "metadata.write-once", "metadata.bounds", "metadata.none",
      "metadata.before-write", "layout.fresh", "layout.first-frame", "layout.rounding", "layout.close",
      "wrap.marker", "wrap.exact-fit", "wrap.short-tail", "wrap.unplaceable", "wrap.too-large", "wrap.high-volume",
      "wrap.variable-stream", "flow.full-then-resume", "flow.blocked-writer", "flow.slow-reader",
      "flow.held-frames-safe", "flow.burst", "life.writer-killed-while-waiting", "life.writer-killed-after-writing",
      "life.writer-closed", "life.no-writer-yet", "life.reader-killed-writer-blocked", "life.reader-closed",
      "life.reader-replaced", "life.second-writer", "life.writer-takeover", "life.writer-first",
      "life.second-reader", "life.stale-cleanup", "life.crash-leftovers", "corrupt.sequence", "corrupt.frame-size",
      "corrupt.version", "corrupt.metadata-length", "corrupt.oieb-sizes", "names.valid", "names.invalid",
      "names.mode"};
  for (const auto& id : required) {
    EXPECT_EQ(test::scenario(id).tier, "required") << id;
  }
  EXPECT_EQ(test::scenario("stress.create-close").tier, "extended");
  EXPECT_EQ(test::scenario("stress.long-stream").tier, "extended");
}

TEST(HarnessLoader, ValidScenarioLoads) {
  auto scenarios = load_scenarios_from_text(file_with(scenario_with_steps(
                                                R"({"role": "reader", "call": "createReader",
                                                    "args": {"metadataSize": 0, "payloadSize": 64}},
                                                   {"role": "writer2", "call": "writeFrames", "args": {"size": 1}, "async": "w"},
                                                   {"pending": "w", "forMs": 10},
                                                   {"await": "w", "expectError": {"kind": "ReaderDead", "data": {"written": 0}}},
                                                   {"check": "oieb", "expect": {"payloadFreeBytes": {"min": 1}}},
                                                   {"repeat": 2, "steps": [{"do": "sleep", "ms": 1}]})",
                                                R"("needs": ["holdFrames"], "tier": "extended", )")),
                                            "area.json");
  ASSERT_EQ(scenarios.size(), 1u);
  EXPECT_EQ(scenarios[0].tier, "extended");
  EXPECT_EQ(scenarios[0].steps.size(), 6u);
  EXPECT_EQ(scenarios[0].steps[3].expect.error_kind, "ReaderDead");
  EXPECT_EQ(scenarios[0].steps[5].body.size(), 1u);
}

TEST(HarnessLoader, UnknownMethodIsRejectedWithFileScenarioAndStep) {
  auto error = step_error(R"({"role": "reader", "call": "createReaderX"})");
  EXPECT_NE(error.find("area.json: scenario 'x.y': step 1: unknown method 'createReaderX'"), std::string::npos) << error;
}

TEST(HarnessLoader, UnknownRoleIsRejected) {
  auto error = step_error(R"({"role": "observer", "call": "status"})");
  EXPECT_NE(error.find("unknown role 'observer'"), std::string::npos) << error;
}

TEST(HarnessLoader, UnknownStepFieldIsRejected) {
  auto error = step_error(R"({"role": "reader", "call": "status", "expct": {}})");
  EXPECT_NE(error.find("step 1: unknown field 'expct'"), std::string::npos) << error;
}

TEST(HarnessLoader, UnknownErrorKindIsRejected) {
  auto error = step_error(R"({"role": "reader", "call": "readFrames", "expectError": "WriterGone"})");
  EXPECT_NE(error.find("unknown error kind 'WriterGone'"), std::string::npos) << error;
}

TEST(HarnessLoader, UnknownArgumentOfAMethodIsRejected) {
  auto error = step_error(R"({"role": "reader", "call": "readFrames", "args": {"timeOutMs": 5}})");
  EXPECT_NE(error.find("unknown argument 'timeOutMs' for readFrames"), std::string::npos) << error;
}

TEST(HarnessLoader, UnknownCapabilityIsRejected) {
  auto error = step_error(R"({"role": "reader", "call": "status"})", R"("needs": ["teleport"], )");
  EXPECT_NE(error.find("unknown capability \"teleport\""), std::string::npos) << error;
}

TEST(HarnessLoader, UnknownOiebFieldIsRejected) {
  auto error = step_error(R"({"check": "oieb", "expect": {"writePos": 0}})");
  EXPECT_NE(error.find("unknown OIEB field 'writePos'"), std::string::npos) << error;
}

TEST(HarnessLoader, UnknownActionAndCheckAreRejected) {
  EXPECT_NE(step_error(R"({"do": "reboot"})").find("unknown action 'reboot'"), std::string::npos);
  EXPECT_NE(step_error(R"({"check": "vibes"})").find("unknown check 'vibes'"), std::string::npos);
}

TEST(HarnessLoader, BadLocationIsRejected) {
  auto error = step_error(R"({"check": "bytes", "at": "payload-4", "hex": "00"})");
  EXPECT_NE(error.find("bad location 'payload-4'"), std::string::npos) << error;
}

TEST(HarnessLoader, AwaitOfAHandleNeverStartedIsRejected) {
  auto error = step_error(R"({"await": "w1"})");
  EXPECT_NE(error.find("await of 'w1'"), std::string::npos) << error;
}

TEST(HarnessLoader, AsyncCallNeverAwaitedIsRejected) {
  auto error = step_error(R"({"role": "writer", "call": "writeFrames", "args": {"size": 1}, "async": "w1"})");
  EXPECT_NE(error.find("async handle 'w1' is never awaited"), std::string::npos) << error;
}

TEST(HarnessLoader, SecondRequestToABusyRoleIsRejected) {
  auto error = step_error(R"({"role": "writer", "call": "writeFrames", "args": {"size": 1}, "async": "w1"},
                             {"role": "writer", "call": "status"},
                             {"await": "w1"})");
  EXPECT_NE(error.find("step 2: role 'writer' still has async call 'w1' in flight"), std::string::npos) << error;
}

TEST(HarnessLoader, CallToAKilledRoleIsRejected) {
  auto error = step_error(R"({"do": "kill", "role": "writer"}, {"role": "writer", "call": "status"})");
  EXPECT_NE(error.find("role 'writer' was killed earlier"), std::string::npos) << error;
}

TEST(HarnessLoader, ProblemInsideRepeatNamesTheNestedStep) {
  auto error = step_error(R"({"repeat": 3, "steps": [{"do": "sleep", "ms": 1}, {"role": "reader", "call": "nope"}]})");
  EXPECT_NE(error.find("step 1.2: unknown method 'nope'"), std::string::npos) << error;
}

TEST(HarnessLoader, EveryProblemIsReportedAtOnce) {
  auto error = step_error(R"({"role": "reader", "call": "nope"}, {"role": "reader", "call": "status", "bogus": 1})");
  EXPECT_NE(error.find("step 1: unknown method"), std::string::npos) << error;
  EXPECT_NE(error.find("step 2: unknown field 'bogus'"), std::string::npos) << error;
}

TEST(HarnessLoader, DuplicateIdsAreRejected) {
  const auto one = scenario_with_steps(R"({"do": "sleep", "ms": 1})");
  auto error = load_error(file_with(one + "," + one));
  EXPECT_NE(error.find("scenario 'x.y': duplicate scenario id"), std::string::npos) << error;
}

TEST(HarnessLoader, MalformedIdAndTierAreRejected) {
  auto error = load_error(R"({"scenarios": [{"id": "NoArea", "title": "t", "tier": "sometimes", "steps": [{"do": "sleep", "ms": 1}]}]})");
  EXPECT_NE(error.find("malformed 'id'"), std::string::npos) << error;
  EXPECT_NE(error.find("'tier' is 'required' or 'extended'"), std::string::npos) << error;
}

TEST(HarnessLoader, InvalidJsonNamesTheFile) {
  auto error = load_error("{\"scenarios\": [");
  EXPECT_NE(error.find("area.json: not valid JSON"), std::string::npos) << error;
}

TEST(HarnessLoader, ExpectAndExpectErrorExcludeEachOther) {
  auto error = step_error(R"({"role": "reader", "call": "status", "expect": {}, "expectError": "Timeout"})");
  EXPECT_NE(error.find("exclude each other"), std::string::npos) << error;
}

}  // namespace
}  // namespace zbh
