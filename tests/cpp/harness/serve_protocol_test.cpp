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
};

TEST_F(ServeProtocolScenarios, FaithfulLineProxyPassesEveryServeScenario) {
  for (const char* id : {"serve.bad-lines", "serve.unknown-method", "serve.invalid-params", "serve.roles",
                         "serve.until-writer-gone"}) {
    const CellResult r = run(id, "none");
    EXPECT_EQ(r.outcome, Outcome::passed) << id << ": " << r.message << "\n" << r.log;
  }
}

// One protocol mistake of tests/fixtures/protocol_bug_serve.py, the scenario of its rule, and
// what that scenario's failure message must say.
struct ProtocolBug {
  const char* bug;
  const char* scenario;
  const char* message;
};

constexpr ProtocolBug kProtocolBugs[] = {
    {"parse-error-with-id", "serve.bad-lines", "reply.id: expected null, got 0"},
    {"batch-is-parse-error", "serve.bad-lines", "reply.error.code: expected -32600, got -32700"},
    {"answers-blank-lines", "serve.bad-lines", "got -32700"},
    {"unknown-method-is-state", "serve.unknown-method", "reply.error.code: expected -32601, got -32000"},
    {"role-before-params", "serve.invalid-params", "reply.error.code: expected -32602, got -32000"},
    {"truncates-fractions", "serve.invalid-params", "reply.error: missing (expected {\"code\":-32602})"},
    {"error-message-differs", "serve.roles", "data.message is not the same text as error.message"},
    {"invents-error-kind", "serve.roles", "kind 'WrongState', which is not in the closed list"},
};

class ProtocolBugCaught : public ServeProtocolScenarios, public ::testing::WithParamInterface<ProtocolBug> {};

TEST_P(ProtocolBugCaught, ByTheScenarioOfItsRule) {
  const auto& [bug, scenario, message] = GetParam();
  const CellResult r = run(scenario, bug);
  EXPECT_EQ(r.outcome, Outcome::failed) << scenario << " with " << bug;
  EXPECT_NE(r.message.find(message), std::string::npos) << r.message << "\n" << r.log;
}

INSTANTIATE_TEST_SUITE_P(Bugs, ProtocolBugCaught, ::testing::ValuesIn(kProtocolBugs), [](const auto& info) {
  std::string label = info.param.bug;
  for (char& c : label) {
    if (c == '-') c = '_';
  }
  return label;
});

}  // namespace
}  // namespace zbh
