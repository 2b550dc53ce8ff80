// Proof that scenarios/serve.json catches serves that get the serve protocol wrong:
// tests/fixtures/protocol_bug_serve.py passes every line to the real C++ serve but makes one
// protocol mistake; the scenario of that rule must fail with a message naming the mistake, and
// the faithful proxy (the control) must pass every serve scenario.
#include "harness_test_support.hpp"
#include "runner.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

class ServeProtocolScenarios : public ::testing::Test {
 protected:
  void SetUp() override {
    if (test::cpp_serve().empty()) GTEST_SKIP() << "the C++ serve is not built";
  }

  static Port protocol_bug_port(const std::string& bug) {
    std::string python = ZBH_TEST_PYTHON;
    if (python.empty()) python = "python3";
    return Port{"protocolbug",
                {python, test::source_dir() + "/tests/fixtures/protocol_bug_serve.py", "--bug", bug, "--",
                 test::cpp_serve()},
                "serve that breaks the serve protocol"};
  }

  // Runs `scenario_id` with the protocol-breaking serve in both roles.
  static CellResult run(const std::string& scenario_id, const std::string& bug) {
    const Port port = protocol_bug_port(bug);
    return run_cell(CellSpec{&test::scenario(scenario_id), port, port}, RunnerOptions{});
  }

  static void expect_caught(const std::string& scenario_id, const std::string& bug, const std::string& message) {
    const CellResult r = run(scenario_id, bug);
    EXPECT_EQ(r.outcome, Outcome::failed) << scenario_id << " with " << bug;
    EXPECT_NE(r.message.find(message), std::string::npos) << r.message << "\n" << r.log;
  }
};

TEST_F(ServeProtocolScenarios, FaithfulLineProxyPassesEveryServeScenario) {
  for (const char* id : {"serve.bad-lines", "serve.unknown-method", "serve.invalid-params", "serve.roles",
                         "serve.until-writer-gone"}) {
    const CellResult r = run(id, "none");
    EXPECT_EQ(r.outcome, Outcome::passed) << id << ": " << r.message << "\n" << r.log;
  }
}

TEST_F(ServeProtocolScenarios, ParseErrorWithAnIdIsCaught) {
  expect_caught("serve.bad-lines", "parse-error-with-id", "reply.id: expected null, got 0");
}

TEST_F(ServeProtocolScenarios, BatchAnsweredAsParseErrorIsCaught) {
  expect_caught("serve.bad-lines", "batch-is-parse-error", "reply.error.code: expected -32600, got -32700");
}

TEST_F(ServeProtocolScenarios, AnsweredBlankLineIsCaught) {
  expect_caught("serve.bad-lines", "answers-blank-lines", "got -32700");
}

TEST_F(ServeProtocolScenarios, UnknownMethodAsLibraryErrorIsCaught) {
  expect_caught("serve.unknown-method", "unknown-method-is-state", "reply.error.code: expected -32601, got -32000");
}

TEST_F(ServeProtocolScenarios, RoleCheckedBeforeParametersIsCaught) {
  expect_caught("serve.invalid-params", "role-before-params", "reply.error.code: expected -32602, got -32000");
}

TEST_F(ServeProtocolScenarios, LenientIntegerParserIsCaught) {
  expect_caught("serve.invalid-params", "truncates-fractions", "reply.error: missing (expected {\"code\":-32602})");
}

TEST_F(ServeProtocolScenarios, ErrorDataMessageThatDiffersIsCaught) {
  expect_caught("serve.roles", "error-message-differs", "data.message is not the same text as error.message");
}

TEST_F(ServeProtocolScenarios, InventedErrorKindIsCaught) {
  expect_caught("serve.roles", "invents-error-kind", "kind 'WrongState', which is not in the closed list");
}

}  // namespace
}  // namespace zbh
