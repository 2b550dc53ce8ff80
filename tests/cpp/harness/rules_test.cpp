// Rule traceability: rule ids come from the docs' markers, `covers` must name known rules, and
// the coverage report names every rule without a scenario. Also the loader's raw/send steps.
#include "harness_test_support.hpp"
#include "rules.hpp"

#include <gtest/gtest.h>

namespace zbh {
namespace {

std::string load_error(const std::string& text) {
  try {
    load_scenarios_from_text(text, "area.json");
  } catch (const LoadError& e) {
    return e.what();
  }
  return "";
}

std::string scenario_json(const std::string& extra, const std::string& steps) {
  return R"({"scenarios": [{"id": "x.y", "title": "t", )" + extra + R"("steps": [)" + steps + "]}]}";
}

const std::string kStatus = R"({"role": "reader", "call": "status"})";

RuleCatalog catalog_of(std::vector<std::string> ids) {
  RuleCatalog catalog;
  catalog.present = true;
  for (auto& id : ids) catalog.rules.push_back({id, "protocol.md", "4.1 Writing a frame"});
  return catalog;
}

TEST(HarnessRules, MarkersAreExtractedInOrderWithTheirSection) {
  auto rules = extract_rules(
      "# Title\nIntro `[rule AREA.NAME]` explains the notation.\n## 4. Frames\nA rule. `[rule frame.header]`\n"
      "```\n`[rule not.this-one]` inside a code block\n```\n### 4.1 Writing\nTwo `[rule write.a]` and `[rule write.b-c]`.\n",
      "protocol.md");
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].id, "frame.header");
  EXPECT_EQ(rules[0].section, "4. Frames");
  EXPECT_EQ(rules[2].id, "write.b-c");
  EXPECT_EQ(rules[2].section, "4.1 Writing");
}

TEST(HarnessRules, MalformedOrDuplicatedMarkerIsALoadError) {
  EXPECT_THROW(extract_rules("`[rule nodot]`", "protocol.md"), LoadError);
  EXPECT_THROW(extract_rules("`[rule a.b]` and `[rule a.b]`", "protocol.md"), LoadError);
}

TEST(HarnessRules, CoversMustBeWellFormedAndUnique) {
  EXPECT_NE(load_error(scenario_json(R"("covers": "wrap.marker", )", kStatus)).find("'covers' must be an array"),
            std::string::npos);
  EXPECT_NE(load_error(scenario_json(R"("covers": ["Wrap"], )", kStatus)).find("malformed rule id"), std::string::npos);
  EXPECT_NE(load_error(scenario_json(R"("covers": ["a.b", "a.b"], )", kStatus)).find("listed twice"),
            std::string::npos);
  EXPECT_EQ(load_error(scenario_json(R"("covers": ["a.b", "c.d-e"], )", kStatus)), "");
}

TEST(HarnessRules, UnknownRuleIdIsRejected) {
  auto scenarios = load_scenarios_from_text(scenario_json(R"("covers": ["wrap.marker", "wrap.nope"], )", kStatus),
                                            "area.json");
  try {
    check_covers(scenarios, catalog_of({"wrap.marker"}));
    FAIL() << "an unknown rule id was accepted";
  } catch (const LoadError& e) {
    EXPECT_NE(std::string(e.what()).find("covers unknown rule 'wrap.nope'"), std::string::npos) << e.what();
  }
  EXPECT_NO_THROW(check_covers(scenarios, catalog_of({"wrap.marker", "wrap.nope"})));
}

TEST(HarnessRules, CoverageNamesUncoveredRulesAndScenariosWithoutCovers) {
  auto scenarios = load_scenarios_from_text(
      R"({"scenarios": [{"id": "x.a", "title": "t", "covers": ["r.one"], "steps": [)" + kStatus +
          R"(]}, {"id": "x.b", "title": "t", "steps": [)" + kStatus + "]}]}",
      "area.json");
  RuleCatalog catalog = catalog_of({"r.one", "r.two", "r.three"});
  catalog.not_testable.push_back({"r.three", "a reason", {"tests/cpp/x_test.cpp"}, {}});
  const CoverageReport report = rule_coverage(scenarios, catalog);
  ASSERT_EQ(report.problems.size(), 2u);
  EXPECT_NE(report.problems[0].find("scenario 'x.b'"), std::string::npos) << report.problems[0];
  EXPECT_NE(report.problems[1].find("rule 'r.two'"), std::string::npos) << report.problems[1];
  const std::string table = coverage_markdown(report);
  EXPECT_NE(table.find("| `r.one` | protocol.md §4.1 | `x.a` |"), std::string::npos) << table;
  EXPECT_NE(table.find("**uncovered**"), std::string::npos) << table;
  EXPECT_NE(table.find("not testable through a serve: a reason"), std::string::npos) << table;
}

TEST(HarnessRules, OpenGapIsListedAsAGapNotAsCovered) {
  auto scenarios = load_scenarios_from_text(scenario_json(R"("covers": ["r.one"], )", kStatus), "area.json");
  RuleCatalog catalog = catalog_of({"r.one", "r.two"});
  catalog.not_testable.push_back({"r.two", "a reason", {}, "a pause point"});
  const CoverageReport report = rule_coverage(scenarios, catalog);
  EXPECT_TRUE(report.problems.empty());
  const std::string text = coverage_text(report);
  EXPECT_NE(text.find("OPEN GAP, no test yet: a pause point"), std::string::npos) << text;
  EXPECT_NE(text.find("1 covered by scenarios, 0 not testable through a serve (unit tests), 1 open gaps"),
            std::string::npos) << text;
  EXPECT_NE(coverage_markdown(report).find("**open gap**"), std::string::npos);
}

TEST(HarnessRules, RuleBothCoveredAndNotTestableIsAProblem) {
  auto scenarios = load_scenarios_from_text(scenario_json(R"("covers": ["r.one"], )", kStatus), "area.json");
  RuleCatalog catalog = catalog_of({"r.one"});
  catalog.not_testable.push_back({"r.one", "a reason", {"tests/cpp/x_test.cpp"}, {}});
  const CoverageReport report = rule_coverage(scenarios, catalog);
  ASSERT_EQ(report.problems.size(), 1u);
  EXPECT_NE(report.problems[0].find("also listed as not testable"), std::string::npos);
}

TEST(HarnessRules, RepositoryScenariosCoverOnlyDocumentedRules) {
  const RuleCatalog catalog = load_rule_catalog(test::scenarios_dir());
  ASSERT_TRUE(catalog.present);
  EXPECT_GE(catalog.rules.size(), 100u);
  EXPECT_NO_THROW(check_covers(test::catalog(), catalog));
}

TEST(HarnessLoaderRawSteps, RawAndSendStepsLoad) {
  auto scenarios = load_scenarios_from_text(
      scenario_json("", R"({"role": "reader", "raw": "{not json", "expectReply": {"id": null}},
                           {"role": "reader", "raw": "", "noReply": true},
                           {"role": "reader", "send": [1, 2], "expectReply": {"error": {"code": -32600}}})"),
      "area.json");
  ASSERT_EQ(scenarios[0].steps.size(), 3u);
  EXPECT_EQ(scenarios[0].steps[0].type, StepType::raw);
  EXPECT_TRUE(scenarios[0].steps[0].raw_is_text);
  EXPECT_FALSE(scenarios[0].steps[1].expect.reply.has_value());
  EXPECT_FALSE(scenarios[0].steps[2].raw_is_text);
}

TEST(HarnessLoaderRawSteps, MalformedRawStepsAreRejected) {
  EXPECT_NE(load_error(scenario_json("", R"({"role": "reader", "raw": "x"})")).find("missing field 'expectReply'"),
            std::string::npos);
  EXPECT_NE(load_error(scenario_json("", R"({"role": "reader", "raw": "a\nb", "expectReply": {}})")).find("one line"),
            std::string::npos);
  EXPECT_NE(load_error(scenario_json("", R"({"role": "reader", "raw": 5, "expectReply": {}})")).find("one line"),
            std::string::npos);
  EXPECT_NE(
      load_error(scenario_json("", R"({"role": "reader", "raw": "", "noReply": true, "expectReply": {}})"))
          .find("excludes 'expectReply'"),
      std::string::npos);
  EXPECT_NE(load_error(scenario_json("", R"({"role": "reader", "raw": "x", "send": 1, "expectReply": {}})"))
                .find("exactly one of"),
            std::string::npos);
  EXPECT_NE(load_error(scenario_json("", R"({"role": "reader", "call": "readFrames", "async": "r"},
                                            {"role": "reader", "raw": "x", "expectReply": {}},
                                            {"await": "r"})"))
                .find("still has async call 'r' in flight"),
            std::string::npos);
}

}  // namespace
}  // namespace zbh
