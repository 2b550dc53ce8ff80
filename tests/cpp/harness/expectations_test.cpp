// Expected-failure lists: known failures pass the run, stale entries and unexpected passes fail it.
#include "harness_test_support.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

ExpectedFailures parse(const std::string& text, const std::string& port = "python") {
  return ExpectedFailures::parse(text, port, "expected/" + port + ".json", test::catalog());
}

CellResult cell(const std::string& scenario, const std::string& writer, const std::string& reader, Outcome outcome) {
  CellResult r;
  r.scenario = scenario;
  r.writer = writer;
  r.reader = reader;
  r.outcome = outcome;
  r.message = "frames[0].sequence: expected 1, got 2";
  return r;
}

const char* kList = R"({"port": "python", "expectedFailures": [
  {"scenario": "wrap.short-tail", "as": "reader", "reason": "short tail not handled yet"},
  {"scenario": "life.*", "as": "writer", "peer": "csharp", "reason": "liveness check too slow"}]})";

TEST(HarnessExpectations, ListedFailureBecomesExpectedFailureWithItsReason) {
  auto list = parse(kList);
  auto r = cell("wrap.short-tail", "cpp", "python", Outcome::failed);
  list.apply(r);
  EXPECT_EQ(r.outcome, Outcome::expected_failure);
  EXPECT_NE(r.message.find("short tail not handled yet"), std::string::npos);
  EXPECT_FALSE(outcome_fails_run(r.outcome));
}

TEST(HarnessExpectations, ListedCellThatPassesIsAnUnexpectedPassThatFailsTheRun) {
  auto list = parse(kList);
  auto r = cell("wrap.short-tail", "csharp", "python", Outcome::passed);
  list.apply(r);
  EXPECT_EQ(r.outcome, Outcome::unexpected_pass);
  EXPECT_TRUE(outcome_fails_run(r.outcome));
}

TEST(HarnessExpectations, SideAndPeerLimitWhichCellsAnEntryCovers) {
  auto list = parse(kList);
  EXPECT_EQ(list.find("wrap.short-tail", "python", "cpp"), nullptr);  // python as writer: not listed
  EXPECT_NE(list.find("life.writer-closed", "python", "csharp"), nullptr);
  EXPECT_EQ(list.find("life.writer-closed", "python", "cpp"), nullptr);  // other peer
  EXPECT_EQ(list.find("life.writer-closed", "csharp", "python"), nullptr);  // other side
  auto r = cell("basic.text", "cpp", "python", Outcome::failed);
  list.apply(r);
  EXPECT_EQ(r.outcome, Outcome::failed);
}

TEST(HarnessExpectations, SkippedCellsStaySkipped) {
  auto list = parse(kList);
  auto r = cell("wrap.short-tail", "cpp", "python", Outcome::skipped);
  list.apply(r);
  EXPECT_EQ(r.outcome, Outcome::skipped);
}

TEST(HarnessExpectations, StaleEntryIsRejected) {
  try {
    parse(R"({"expectedFailures": [{"scenario": "wrap.removed-long-ago", "reason": "x"}]})");
    FAIL() << "stale entry accepted";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("stale entry"), std::string::npos) << e.what();
  }
}

TEST(HarnessExpectations, EntryWithoutReasonOrWithUnknownFieldIsRejected) {
  EXPECT_THROW(parse(R"({"expectedFailures": [{"scenario": "wrap.marker"}]})"), LoadError);
  EXPECT_THROW(parse(R"({"expectedFailures": [{"scenario": "wrap.marker", "reason": "r", "why": 1}]})"), LoadError);
  EXPECT_THROW(parse(R"({"port": "csharp", "expectedFailures": []})"), LoadError);
}

TEST(HarnessExpectations, FileForAPortThatIsNotRegisteredIsRejected) {
  test::TempDir dir;
  dir.write("expected/ghost.json", R"({"expectedFailures": []})");
  PortRegistry ports;
  ports.ports.push_back({"cpp", {"/bin/true"}, ""});
  EXPECT_THROW(ExpectedFailures::load(dir.path() + "/expected", ports, test::catalog()), LoadError);
}

TEST(HarnessExpectations, RepositoryListsLoadAndCppHasNone) {
  auto ports = PortRegistry::load(test::scenarios_dir() + "/ports.json", "/b", "/s");
  auto lists = ExpectedFailures::load(test::scenarios_dir() + "/expected", ports, test::catalog());
  for (const auto& entry : lists.entries()) EXPECT_NE(entry.port, "cpp") << entry.scenario;
}

TEST(HarnessPorts, RegistrySubstitutesBuildAndSourceDirectories) {
  auto ports = PortRegistry::parse(R"({"ports": {"cpp": {"command": ["${build}/serve", "--x", "${source}/y"]}}})",
                                   "ports.json", "/b", "/s");
  ASSERT_EQ(ports.ports.size(), 1u);
  EXPECT_EQ(ports.ports[0].command, (std::vector<std::string>{"/b/serve", "--x", "/s/y"}));
  EXPECT_THROW(PortRegistry::parse(R"({"ports": {"cpp": {"cmd": []}}})", "ports.json", "/b", "/s"), LoadError);
}

TEST(HarnessPorts, PortOptionSplitsCommandWithQuotes) {
  auto port = parse_port_option("rust=/opt/my serve --flag 'two words'");
  EXPECT_EQ(port.name, "rust");
  EXPECT_EQ(port.command, (std::vector<std::string>{"/opt/my", "serve", "--flag", "two words"}));
  EXPECT_THROW(parse_port_option("no-equals-sign"), LoadError);
}

}  // namespace
}  // namespace zbh
