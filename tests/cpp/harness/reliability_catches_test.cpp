// Proof that the kill -9 soak and the port fuzz catch real bugs: each runs against
// tests/fixtures/buggy_serve.py (the C++ serve with one thing broken) and must fail with the
// right report, while the faithful proxy (the control) passes the same run.
#include <ostream>
#include <string>
#include <vector>

#include "harness_test_support.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

enum class Tool { Soak, Fuzz };

// One run of a tool against buggy_serve.py --bug BUG (the port "broken", peer the C++ serve).
struct Catch {
  const char* name;  // the test's name
  Tool tool;
  const char* bug;  // "none": the faithful proxy
  const char* kills;  // soak only
  std::vector<std::string> expected;  // parts of the output; exit code 0 for "none", else 1
};

void PrintTo(const Catch& c, std::ostream* os) { *os << c.name; }

std::string port_option(const std::string& bug) {
  std::string option = "broken=";
  for (const auto& arg : test::buggy_port(bug).command) option += arg + " ";
  return option;
}

test::CommandResult run(const Catch& c) {
  const std::string cpp = "cpp=" + test::cpp_serve();
  if (c.tool == Tool::Soak) {
    return test::run_command({ZBH_TEST_HARNESS, "soak", "--port", port_option(c.bug), "--port", cpp, "--writer",
                              "cpp", "--reader", "broken", "--kills", c.kills, "--seed", "1"});
  }
  return test::run_command({ZBH_TEST_HARNESS, "fuzz", "--port", port_option(c.bug), "--port", cpp, "--peer", "cpp",
                            "--iterations", "20", "--seed", "1"});
}

class ReliabilityCatchesBugs : public ::testing::TestWithParam<Catch> {
 protected:
  void SetUp() override {
    if (test::cpp_serve().empty()) GTEST_SKIP() << "the C++ serve is not built";
  }
};

TEST_P(ReliabilityCatchesBugs, Reports) {
  const Catch& c = GetParam();
  const auto r = run(c);
  EXPECT_EQ(r.exit_code, std::string(c.bug) == "none" ? 0 : 1) << r.output;
  for (const auto& part : c.expected) EXPECT_NE(r.output.find(part), std::string::npos) << part << "\n" << r.output;
}

const Catch kCatches[] = {
    {"SoakPassesTheFaithfulProxy", Tool::Soak, "none", "6", {"PASS, 6 kills"}},
    {"SoakFailsAFrameWithTheWrongChecksum", Tool::Soak, "wrong-checksum", "6",
     {"its checksum is not the pattern's", "rerun: "}},
    {"SoakFailsAMisreportedSequence", Tool::Soak, "misreport-sequence", "6", {"(a new writer session) was next"}},
    {"SoakFailsALeakedSemaphore", Tool::Soak, "leak-semaphore", "2",
     {"left behind after the soak: /dev/shm/sem.sem-w-zbsoak-"}},
    {"FuzzPassesTheFaithfulProxy", Tool::Fuzz, "none", "", {"fuzz broken as writer: PASS, 20 iterations"}},
    {"FuzzFailsAnErrorKindOutsideTheClosedList", Tool::Fuzz, "kind:Corrupt:Garbled", "",
     {"answered with an error outside the closed list", "--from "}},
    {"FuzzFailsAServeThatDies", Tool::Fuzz, "exit-after-error", "", {"died (exit code 0)"}},
    {"FuzzFailsObjectsLeftBehind", Tool::Fuzz, "ignore-close", "", {"after both closed, left behind"}},
    {"FuzzFailsAFrameThatIsNotTheOneWritten", Tool::Fuzz, "wrong-checksum", "",
     {"before any corruption, which is not the frame the writer wrote"}},
    {"FuzzFailsFrameBytesThatAreNotWhereTheOiebSays", Tool::Fuzz, "scribble-frame", "",
     {"fuzz broken as writer", "is not the pattern"}},
    {"FuzzFailsAWrongFirstSequence", Tool::Fuzz, "misreport-first-sequence", "", {"where frame 1 fits at ring offset"}},
};

INSTANTIATE_TEST_SUITE_P(Runs, ReliabilityCatchesBugs, ::testing::ValuesIn(kCatches),
                         [](const ::testing::TestParamInfo<Catch>& info) { return std::string(info.param.name); });

}  // namespace
}  // namespace zbh
