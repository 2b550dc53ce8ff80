// The command line: exit codes (CTest relies on 77 for a skipped cell), expected-failure lists,
// reports, certify.
#include "harness_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

namespace zbh {
namespace {

class HarnessCli : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::cpp_serve().empty()) GTEST_SKIP() << "the C++ serve is not built";
  }

  // A ports file with the C++ serve and the buggy serve (with `bug`) as port "buggy".
  std::string ports_file(const std::string& bug) {
    nlohmann::json ports = {{"ports",
                             {{"cpp", {{"command", test::cpp_port().command}}},
                              {"buggy", {{"command", test::buggy_port(bug).command}}}}}};
    return dir_.write("ports-" + bug + ".json", ports.dump());
  }

  test::CommandResult harness(std::vector<std::string> args) {
    args.insert(args.begin(), ZBH_TEST_HARNESS);
    return test::run_command(args);
  }

  test::CommandResult run_cell(const std::string& scenario, const std::string& bug, const std::string& writer,
                               const std::string& reader, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"run", "--scenario", scenario, "--writer", writer, "--reader", reader,
                                     "--ports", ports_file(bug), "--expected", dir_.path() + "/expected"};
    args.insert(args.end(), extra.begin(), extra.end());
    return harness(args);
  }

  test::TempDir dir_;
};

TEST_F(HarnessCli, ListShowsScenariosAndPorts) {
  auto r = harness({"list"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("wrap.marker"), std::string::npos);
  EXPECT_NE(r.output.find("cpp      available"), std::string::npos) << r.output;
}

TEST_F(HarnessCli, FailFastStartsNoCellAfterTheFirstFailure) {
  // Both cells fail (the buggy reader misreports sequences); with -j1 only the first runs.
  auto r = run_cell("basic.single-frame,basic.sequential", "misreport-sequence", "cpp", "buggy", {"--fail-fast"});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("1 cells: 0 passed, 1 failed"), std::string::npos) << r.output;
  auto all = run_cell("basic.single-frame,basic.sequential", "misreport-sequence", "cpp", "buggy");
  EXPECT_NE(all.output.find("2 cells: 0 passed, 2 failed"), std::string::npos) << all.output;
}

TEST_F(HarnessCli, PassingCellExitsZero) {
  auto r = run_cell("basic.single-frame", "none", "cpp", "buggy");
  EXPECT_EQ(r.exit_code, 0) << r.output;
}

TEST_F(HarnessCli, FailingCellExitsOneWithLogAndReproCommand) {
  auto r = run_cell("basic.single-frame", "misreport-sequence", "cpp", "buggy");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("failed conformance.basic.single-frame.cpp-buggy"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("-> reader: "), std::string::npos) << "the cell's log is printed";
  EXPECT_NE(r.output.find("run --scenario basic.single-frame --writer cpp --reader buggy"), std::string::npos)
      << r.output;
}

TEST_F(HarnessCli, SingleSkippedCellExitsWithCTestSkipCode) {
  auto r = run_cell("basic.zero-copy-write", "no-capabilities", "buggy", "cpp");
  EXPECT_EQ(r.exit_code, 77) << r.output;
}

TEST_F(HarnessCli, ListedFailurePassesTheRunButNotUnderStrict) {
  dir_.write("expected/buggy.json",
             R"({"expectedFailures": [{"scenario": "basic.single-frame", "as": "reader", "reason": "misreports sequences"}]})");
  auto r = run_cell("basic.single-frame", "misreport-sequence", "cpp", "buggy");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("xfail"), std::string::npos) << r.output;
  auto strict = run_cell("basic.single-frame", "misreport-sequence", "cpp", "buggy", {"--strict"});
  EXPECT_EQ(strict.exit_code, 1) << strict.output;
}

TEST_F(HarnessCli, UnexpectedPassFailsTheRun) {
  dir_.write("expected/buggy.json",
             R"({"expectedFailures": [{"scenario": "basic.single-frame", "reason": "thought to be broken"}]})");
  auto r = run_cell("basic.single-frame", "none", "cpp", "buggy");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("unexpected pass"), std::string::npos) << r.output;
}

TEST_F(HarnessCli, StaleEntryFailsBeforeAnythingRuns) {
  dir_.write("expected/buggy.json", R"({"expectedFailures": [{"scenario": "wrap.gone", "reason": "old"}]})");
  auto r = run_cell("basic.single-frame", "none", "cpp", "buggy");
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("stale entry"), std::string::npos) << r.output;
}

TEST_F(HarnessCli, ReportDirectoryIsWritten) {
  auto r = run_cell("basic.single-frame,basic.mixed-sizes", "none", "cpp", "cpp,buggy", {"--report", dir_.path() + "/report", "-j", "2"});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  for (const char* file : {"junit.xml", "results.json", "matrix.md", "index.html",
                           "logs/basic.mixed-sizes.cpp-buggy.log"}) {
    EXPECT_TRUE(std::filesystem::exists(dir_.path() + "/report/" + file)) << file;
  }
  auto results = nlohmann::json::parse(test::read_file(dir_.path() + "/report/results.json"));
  EXPECT_EQ(results["cells"].size(), 4u);
}

TEST_F(HarnessCli, CertifyGivesAVerdict) {
  const std::string fixture = test::buggy_port("none").command[1];
  const std::string good = "good=" + test::buggy_port("none").command[0] + " " + fixture + " --bug none -- " +
                           test::cpp_serve();
  auto ok = harness({"certify", "--port", good, "--scenario", "basic.single-frame,wrap.marker"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_NE(ok.output.find("port 'good' is CERTIFIED"), std::string::npos) << ok.output;

  const std::string bad = "bad=" + test::buggy_port("none").command[0] + " " + fixture +
                          " --bug misreport-sequence -- " + test::cpp_serve();
  auto no = harness({"certify", "--port", bad, "--scenario", "basic.single-frame"});
  EXPECT_EQ(no.exit_code, 1) << no.output;
  EXPECT_NE(no.output.find("port 'bad' is NOT CERTIFIED"), std::string::npos) << no.output;
}

// "NAME=python3 buggy_serve.py --bug BUG -- zerobuffer-serve": the buggy serve as a --port value.
std::string port_option(const std::string& name, const std::string& bug) {
  const Port buggy = test::buggy_port(bug);
  return name + "=" + buggy.command[0] + " " + buggy.command[1] + " --bug " + bug + " -- " + test::cpp_serve();
}

// The first line after `marker` in `output`, without its leading blanks.
std::string line_after(const std::string& output, const std::string& marker) {
  auto at = output.find(marker);
  if (at == std::string::npos) return "";
  at = output.find('\n', at);
  if (at == std::string::npos) return "";
  const auto end = output.find('\n', at + 1);
  std::string line = output.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
  return line.substr(line.find_first_not_of(' '));
}

TEST_F(HarnessCli, ReproLineOfACertifyFailureWorksAsPrinted) {
  auto no = harness({"certify", "--port", port_option("bad", "wrong-checksum"), "--scenario", "basic.single-frame"});
  ASSERT_EQ(no.exit_code, 1) << no.output;
  const std::string repro = line_after(no.output, "  basic.single-frame.bad-bad [");
  ASSERT_NE(repro.find(" run --scenario basic.single-frame --writer bad --reader bad"), std::string::npos) << no.output;
  ASSERT_NE(repro.find("--port"), std::string::npos) << repro;
  auto again = test::run_command({"/bin/sh", "-c", repro});
  EXPECT_EQ(again.exit_code, 1) << again.output;
  EXPECT_NE(again.output.find("failed conformance.basic.single-frame.bad-bad"), std::string::npos) << again.output;
}

TEST_F(HarnessCli, RunAcceptsPortsFromTheCommandLine) {
  auto r = harness({"run", "--scenario", "basic.single-frame", "--writer", "cpp", "--reader", "mine", "--port",
                    port_option("mine", "none")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("conformance.basic.single-frame.cpp-mine"), std::string::npos) << r.output;
}

TEST_F(HarnessCli, PortNamesAreLowerCaseLettersDigitsAndUnderscores) {
  auto r = harness({"certify", "--port", port_option("upstream-py", "none"), "--scenario", "basic.single-frame"});
  EXPECT_EQ(r.exit_code, 2) << r.output;
  EXPECT_NE(r.output.find("[a-z0-9_]+"), std::string::npos) << r.output;
  EXPECT_EQ(harness({"run", "--port", port_option("Upstream", "none"), "--scenario", "basic.single-frame"}).exit_code, 2);
}

TEST_F(HarnessCli, CertifyAlwaysListsWhatItDidNotCover) {
  auto all = harness({"certify", "--port", port_option("good", "none"), "--scenario", "basic.zero-copy-write"});
  EXPECT_EQ(all.exit_code, 0) << all.output;
  EXPECT_NE(all.output.find("not covered (optional capability): none"), std::string::npos) << all.output;
  // A port that does not announce zeroCopyWrite is certified without it, and told so.
  auto some = harness({"certify", "--port", port_option("lean", "no-capabilities"), "--scenario",
                       "basic.zero-copy-write,basic.single-frame"});
  EXPECT_EQ(some.exit_code, 0) << some.output;
  EXPECT_NE(some.output.find("does not offer capability 'zeroCopyWrite'"), std::string::npos) << some.output;
}

// Every cell passes (the harness's own reply check sees a string where one belongs), but the
// schema wants a non-empty implementation name: only the schema check of the recorded replies
// can refuse the port.
TEST_F(HarnessCli, CertifyRefusesRepliesThatBreakTheSchemas) {
  auto no = harness({"certify", "--port", port_option("anon", "empty-implementation"), "--scenario",
                     "basic.single-frame"});
  EXPECT_EQ(no.exit_code, 1) << no.output;
  EXPECT_NE(no.output.find("3 cells: 3 passed"), std::string::npos) << no.output;
  EXPECT_NE(no.output.find("answering hello: implementation: '' should be non-empty"), std::string::npos) << no.output;
  EXPECT_NE(no.output.find("replies that break docs/schema"), std::string::npos) << no.output;
}

TEST_F(HarnessCli, RecordedRepliesAreOneFilePerCell) {
  test::TempDir dir;
  auto r = harness({"run", "--scenario", "basic.single-frame", "--writer", "cpp", "--reader", "cpp",
                    "--record-replies", dir.path()});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  std::ifstream in(dir.path() + "/basic.single-frame.cpp-cpp.jsonl");
  std::string first;
  ASSERT_TRUE(std::getline(in, first)) << "no recording";
  const auto entry = nlohmann::json::parse(first);
  EXPECT_EQ(entry["method"], "hello");
  EXPECT_EQ(entry["port"], "cpp");
  EXPECT_EQ(nlohmann::json::parse(entry["reply"].get<std::string>())["result"]["implementation"], "cpp");
}

TEST_F(HarnessCli, SmokeTestPassesAGoodPortInSeconds) {
  const auto start = std::chrono::steady_clock::now();
  auto r = harness({"smoke", "--port", port_option("good", "none")});
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("ok    hello"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok    one frame, writer good -> reader cpp"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok    one frame, writer cpp -> reader good"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("ok    replies against docs/schema"), std::string::npos) << r.output;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
}

TEST_F(HarnessCli, SmokeTestRefusesRepliesThatBreakTheSchemas) {
  auto r = harness({"smoke", "--port", port_option("anon", "empty-implementation")});
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("ok    one frame, writer anon -> reader cpp"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("FAIL  replies against docs/schema"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("answering hello: implementation: '' should be non-empty"), std::string::npos) << r.output;
}

TEST_F(HarnessCli, SmokeTestGivesAdviceForUsualMistakes) {
  auto checksum = harness({"smoke", "--port", port_option("bad", "wrong-checksum")});
  EXPECT_EQ(checksum.exit_code, 1) << checksum.output;
  EXPECT_NE(checksum.output.find("advice: checksum = the first 8 bytes of SHA-256"), std::string::npos)
      << checksum.output;
  auto missing = harness({"smoke", "--port", "gone=/nonexistent/serve"});
  EXPECT_EQ(missing.exit_code, 1) << missing.output;
  EXPECT_NE(missing.output.find("advice: the command must name an executable"), std::string::npos) << missing.output;
}

TEST_F(HarnessCli, UsageErrorsExitTwo) {
  EXPECT_EQ(harness({"frobnicate"}).exit_code, 2);
  EXPECT_EQ(harness({"run", "--tier", "sometimes"}).exit_code, 2);
  EXPECT_EQ(harness({"run", "--writer", "cobol"}).exit_code, 2);
  EXPECT_EQ(harness({"certify"}).exit_code, 2);
  EXPECT_EQ(harness({"smoke"}).exit_code, 2);
  EXPECT_EQ(harness({"run", "--scenario", "no.such.scenario"}).exit_code, 2);
}

}  // namespace
}  // namespace zbh
