// Proof that the suite catches real bugs: tests/fixtures/buggy_serve.py forwards to the real
// C++ serve but breaks one thing; the right scenarios must fail, and the faithful proxy (the
// control) must pass the same scenarios.
#include "harness_test_support.hpp"
#include "runner.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

class HarnessCatchesBugs : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::cpp_serve().empty()) GTEST_SKIP() << "the C++ serve is not built";
  }

  // Runs `scenario_id` with the C++ serve writing and the buggy serve reading.
  CellResult run_with_buggy_reader(const std::string& scenario_id, const std::string& bug) {
    CellSpec cell{&test::scenario(scenario_id), test::cpp_port(), test::buggy_port(bug)};
    return run_cell(cell, RunnerOptions{});
  }

  static std::string describe(const CellResult& r) { return r.message + "\n" + r.log; }
};

TEST_F(HarnessCatchesBugs, FaithfulProxyPassesTheScenariosUsedBelow) {
  for (const char* id : {"basic.single-frame", "basic.sequential", "corrupt.payload-byte", "verify.last-byte-of-4mib-frame",
                         "verify.frame-deep-in-batch", "verify.frame-after-wrap-marker", "layout.close"}) {
    auto r = run_with_buggy_reader(id, "none");
    EXPECT_EQ(r.outcome, Outcome::passed) << id << ": " << describe(r);
  }
}

TEST_F(HarnessCatchesBugs, MisreportedSequenceFailsTheDataPathScenarios) {
  for (const char* id : {"basic.single-frame", "basic.sequential"}) {
    auto r = run_with_buggy_reader(id, "misreport-sequence");
    EXPECT_EQ(r.outcome, Outcome::failed) << id;
    EXPECT_NE(r.message.find("sequence: expected 1, got 2"), std::string::npos) << describe(r);
    EXPECT_NE(r.failed_step.find("reader.readFrames"), std::string::npos) << r.failed_step;
  }
}

TEST_F(HarnessCatchesBugs, WrongChecksumFailsTheReadEvenWithoutAnExpectationAboutIt) {
  // The expectation does not mention intactness: the harness demands it.
  auto scenarios = load_scenarios_from_text(R"({"scenarios": [{"id": "test.read", "title": "read", "steps": [
      {"role": "reader", "call": "createReader", "args": {"metadataSize": 0, "payloadSize": 4096}},
      {"role": "writer", "call": "connectWriter"},
      {"role": "writer", "call": "writeFrames", "args": {"size": 1024}},
      {"role": "reader", "call": "readFrames", "args": {"timeoutMs": 2000}, "expect": {"read": 1}}]}]})",
                                            "read.json");
  CellSpec cell{&scenarios[0], test::cpp_port(), test::buggy_port("wrong-checksum")};
  auto r = run_cell(cell, RunnerOptions{});
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_NE(r.message.find("frame sequence 1 (size 1024): checksum"), std::string::npos) << describe(r);
  EXPECT_NE(r.message.find("the pattern (seed 0) gives"), std::string::npos) << describe(r);
  EXPECT_NE(r.failed_step.find("reader.readFrames"), std::string::npos) << r.failed_step;
}

TEST_F(HarnessCatchesBugs, ChecksumOfThePatternInsteadOfTheBytesIsCaughtByTheCorruptionScenarios) {
  for (const char* id : {"corrupt.payload-byte", "verify.last-byte-of-4mib-frame", "verify.frame-deep-in-batch",
                         "verify.frame-after-wrap-marker"}) {
    auto r = run_with_buggy_reader(id, "fake-checksum");
    EXPECT_EQ(r.outcome, Outcome::failed) << id;
    EXPECT_NE(r.message.find("].intact: expected "), std::string::npos) << id << ": " << describe(r);
  }
  // A happy-path scenario cannot see this bug; that is why the corruption scenarios exist.
  EXPECT_EQ(run_with_buggy_reader("basic.single-frame", "fake-checksum").outcome, Outcome::passed);
}

TEST_F(HarnessCatchesBugs, CloseThatLeaksIsCaughtByTheLeakCheck) {
  auto r = run_with_buggy_reader("layout.close", "ignore-close");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_NE(r.message.find("leaked objects: /dev/shm/"), std::string::npos) << describe(r);
  EXPECT_NE(r.failed_step.find("check noLeaks"), std::string::npos) << r.failed_step;
}

TEST_F(HarnessCatchesBugs, AReplyThatBreaksTheSchemaFailsTheStep) {
  auto r = run_with_buggy_reader("basic.single-frame", "old-read-result");
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_NE(r.message.find("reply to readFrames breaks docs/schema: result has a key the schema does not allow: allValid"),
            std::string::npos)
      << describe(r);
}

TEST_F(HarnessCatchesBugs, ObjectsLeftAfterACleanExitFailTheCell) {
  // The serve exits 0 and nothing was killed: a leftover semaphore is the port's fault.
  auto r = run_with_buggy_reader("basic.single-frame", "leak-semaphore");
  EXPECT_EQ(r.outcome, Outcome::failed) << describe(r);
  EXPECT_NE(r.message.find("leftovers after every role exited 0 with nothing killed or fabricated: /dev/shm/sem.sem-w-"),
            std::string::npos)
      << describe(r);
  EXPECT_EQ(r.failed_step, "teardown");
}

TEST_F(HarnessCatchesBugs, ALockFileInTheDefaultLockDirectoryIsALeftover) {
  auto r = run_with_buggy_reader("basic.single-frame", "default-lock-dir");
  EXPECT_EQ(r.outcome, Outcome::failed) << describe(r);
  EXPECT_NE(r.message.find("/tmp/zerobuffer/"), std::string::npos) << describe(r);
}

TEST_F(HarnessCatchesBugs, MissingCapabilityIsASkipNeverAPass) {
  CellSpec cell{&test::scenario("basic.zero-copy-write"), test::buggy_port("no-capabilities"), test::cpp_port()};
  auto r = run_cell(cell, RunnerOptions{});
  EXPECT_EQ(r.outcome, Outcome::skipped);
  EXPECT_NE(r.message.find("zeroCopyWrite"), std::string::npos) << r.message;
}

TEST_F(HarnessCatchesBugs, HungServeIsKilledAtTheStepDeadlineAndItsStderrShown) {
  auto scenarios = load_scenarios_from_text(R"({"scenarios": [{"id": "test.hang", "title": "hang", "steps": [
      {"role": "reader", "call": "createReader", "args": {"metadataSize": 0, "payloadSize": 1024}},
      {"role": "reader", "call": "readFrames", "args": {"timeoutMs": 100}, "deadlineMs": 500}]}]})",
                                            "hang.json");
  CellSpec cell{&scenarios[0], test::cpp_port(), test::buggy_port("hang-on:readFrames")};
  const auto start = std::chrono::steady_clock::now();
  auto r = run_cell(cell, RunnerOptions{});
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_NE(r.message.find("did not answer readFrames within"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("buggy serve: hanging on readFrames on purpose"), std::string::npos) << r.message;
  EXPECT_LT(took, std::chrono::seconds(10));
}

// One deliberate bug per kind of harness check: the cell must fail, at the step of that check,
// with a message naming what differed. The faithful proxy passes the same cells (control).
struct CaughtBug {
  const char* bug;
  bool buggy_writer;  // else the buggy serve is the reader
  const char* scenario;
  const char* failed_step;  // what the cell's failed step must contain: the check that caught it
  const char* message;      // what the failure message must contain
};

const CaughtBug kCaughtBugs[] = {
    {"oieb-free-bytes", false, "layout.fresh", "check oieb", "payloadFreeBytes: expected 1024, got 960"},
    {"version-reserved", false, "layout.fresh", "check bytes", "bytes at oieb+0"},
    {"grow-object", false, "layout.fresh", "check objectSize", "objectSize: expected 1280, got 1344"},
    {"mode-0644", false, "names.mode", "check mode", "mode 0644, expected 0600"},
    {"drop-lock-file", false, "lockdir.location", "check present", "missing objects:"},
    {"scribble-frame", true, "basic.zero-copy-write", "check frame", "frame data at payload+0: byte 0"},
    {"ignore-close", false, "layout.close", "check noLeaks", "leaked objects: /dev/shm/"},
    {"exit-after-error", false, "corrupt.sequence", "check alive", ""},
    {"slow:readFrames:1500", false, "life.writer-killed-while-waiting", "await", "1000"},
    {"early-timeout", false, "life.no-writer-yet", "reader.readFrames", "at least"},
    {"answer-early:writeFrames", true, "flow.blocked-writer", "pending", ""},
    {"kind:WriterDead:Timeout", false, "life.writer-closed", "reader.readFrames", "WriterDead"},
    {"swallow-error:createReader", false, "life.second-reader", "reader2.createReader", "ReaderAlreadyConnected"},
    {"error-data", false, "corrupt.sequence", "reader.readFrames", "actual: expected 5, got 6"},
    {"crash-at-shutdown", false, "basic.single-frame", "teardown", "exited with exit code 3 after shutdown"},
    {"misreport-first-sequence", true, "basic.zero-copy-write", "writer.writeFrames", "firstSequence: expected 1, got 2"},
};

TEST_F(HarnessCatchesBugs, EveryKindOfCheckFailsTheCellOfItsBug) {
  for (const auto& bug : kCaughtBugs) {
    SCOPED_TRACE(std::string(bug.bug) + " in " + bug.scenario);
    const Port buggy = test::buggy_port(bug.bug);
    CellSpec cell{&test::scenario(bug.scenario), bug.buggy_writer ? buggy : test::cpp_port(),
                  bug.buggy_writer ? test::cpp_port() : buggy};
    auto r = run_cell(cell, RunnerOptions{});
    EXPECT_EQ(r.outcome, Outcome::failed) << describe(r);
    EXPECT_NE(r.failed_step.find(bug.failed_step), std::string::npos) << r.failed_step << "\n" << describe(r);
    EXPECT_NE(r.message.find(bug.message), std::string::npos) << describe(r);
  }
}

TEST_F(HarnessCatchesBugs, FaithfulProxyPassesTheCellsOfEveryCheckKind) {
  for (const auto& bug : kCaughtBugs) {
    SCOPED_TRACE(bug.scenario);
    const Port proxy = test::buggy_port("none");
    CellSpec cell{&test::scenario(bug.scenario), bug.buggy_writer ? proxy : test::cpp_port(),
                  bug.buggy_writer ? test::cpp_port() : proxy};
    auto r = run_cell(cell, RunnerOptions{});
    EXPECT_EQ(r.outcome, Outcome::passed) << describe(r);
  }
}

TEST_F(HarnessCatchesBugs, PortCommandMayNameAProgramOnPath) {
  Port port = test::buggy_port("none", "onpath");
  port.command[0] = "python3";
  CellSpec cell{&test::scenario("basic.single-frame"), test::cpp_port(), port};
  auto r = run_cell(cell, RunnerOptions{});
  EXPECT_EQ(r.outcome, Outcome::passed) << describe(r);
}

TEST_F(HarnessCatchesBugs, ServeThatCannotStartFailsWithAClearMessage) {
  CellSpec cell{&test::scenario("basic.single-frame"), test::cpp_port(),
                Port{"ghost", {"/nonexistent/zerobuffer-serve-ghost"}, ""}};
  auto r = run_cell(cell, RunnerOptions{});
  EXPECT_EQ(r.outcome, Outcome::failed);
  EXPECT_NE(r.message.find("ghost"), std::string::npos) << r.message;
}

}  // namespace
}  // namespace zbh
