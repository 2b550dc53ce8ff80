// Proof that the kill -9 soak and the port fuzz catch real bugs: each runs against
// tests/fixtures/buggy_serve.py (the C++ serve with one thing broken) and must fail with the
// right report, while the faithful proxy (the control) passes the same run.
#include "harness_test_support.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

class ReliabilityCatchesBugs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::cpp_serve().empty()) GTEST_SKIP() << "the C++ serve is not built";
  }

  static std::string port_option(const std::string& bug) {
    std::string option = "broken=";
    for (const auto& arg : test::buggy_port(bug).command) option += arg + " ";
    return option;
  }

  static test::CommandResult soak(const std::string& bug, const std::string& kills) {
    return test::run_command({ZBH_TEST_HARNESS, "soak", "--port", port_option(bug), "--port",
                              "cpp=" + test::cpp_serve(), "--writer", "cpp", "--reader", "broken", "--kills", kills,
                              "--seed", "1"});
  }

  static test::CommandResult fuzz(const std::string& bug) {
    return test::run_command({ZBH_TEST_HARNESS, "fuzz", "--port", port_option(bug), "--port",
                              "cpp=" + test::cpp_serve(), "--peer", "cpp", "--iterations", "20", "--seed", "1"});
  }
};

TEST_F(ReliabilityCatchesBugs, SoakPassesTheFaithfulProxy) {
  const auto r = soak("none", "6");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("PASS, 6 kills"), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, SoakFailsAFrameWithTheWrongChecksum) {
  const auto r = soak("wrong-checksum", "6");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("its checksum is not the pattern's"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("rerun: "), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, SoakFailsAMisreportedSequence) {
  const auto r = soak("misreport-sequence", "6");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("(a new writer session) was next"), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, SoakFailsALeakedSemaphore) {
  const auto r = soak("leak-semaphore", "2");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("left behind after the soak: /dev/shm/sem.sem-w-zbsoak-"), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, FuzzPassesTheFaithfulProxy) {
  const auto r = fuzz("none");
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("fuzz broken as writer: PASS, 20 iterations"), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, FuzzFailsAnErrorKindOutsideTheClosedList) {
  const auto r = fuzz("kind:Corrupt:Garbled");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("answered with an error outside the closed list"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("--from "), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, FuzzFailsAServeThatDies) {
  const auto r = fuzz("exit-after-error");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("died (exit code 0)"), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, FuzzFailsObjectsLeftBehind) {
  const auto r = fuzz("ignore-close");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("after both closed, left behind"), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, FuzzFailsAFrameThatIsNotTheOneWritten) {
  const auto r = fuzz("wrong-checksum");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("before any corruption, which is not the frame the writer wrote"), std::string::npos)
      << r.output;
}

TEST_F(ReliabilityCatchesBugs, FuzzFailsFrameBytesThatAreNotWhereTheOiebSays) {
  const auto r = fuzz("scribble-frame");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("fuzz broken as writer"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("is not the pattern"), std::string::npos) << r.output;
}

TEST_F(ReliabilityCatchesBugs, FuzzFailsAWrongFirstSequence) {
  const auto r = fuzz("misreport-first-sequence");
  EXPECT_EQ(r.exit_code, 1) << r.output;
  EXPECT_NE(r.output.find("where frame 1 fits at ring offset"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace zbh
