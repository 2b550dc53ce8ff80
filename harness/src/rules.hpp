// Rule traceability: the normative rules of docs/protocol.md and docs/serve-protocol.md (each
// marked `[rule area.name]` in the text), which scenarios cover each, and the rules that a
// serve cannot exercise (with the per-port unit tests that cover them instead).
//
// The harness reads the rule ids from scenarios/rules/rules.json, a file generated from the
// docs (`zerobuffer-harness rules --update-docs docs`) that travels with the scenarios, so an
// installed harness or a certify run needs no docs; `rules --check-docs docs` (a CTest test)
// keeps the file and the docs in sync.
#pragma once

#include "scenario_model.hpp"

#include <string>
#include <vector>

namespace zbh {

struct Rule {
  std::string id;       // "wrap.short-tail-skip"
  std::string doc;      // "protocol.md"
  std::string section;  // the heading the marker is under, "4.1 Writing a frame"
};

// A rule that no scenario can check through a serve, and why.
struct NotTestable {
  std::string rule;
  std::string reason;
  std::vector<std::string> unit_tests;  // the per-port tests that cover it instead
  std::string open_gap;  // when no test exists yet: what one would need (then unit_tests is empty)
};

struct RuleCatalog {
  bool present = false;  // the scenario directory has rules/rules.json
  std::vector<Rule> rules;
  std::vector<NotTestable> not_testable;

  const Rule* find(const std::string& id) const;
  const NotTestable* not_testable_entry(const std::string& id) const;
};

// The documents whose `[rule ...]` markers define the rules, in catalog order.
const std::vector<std::string>& rule_documents();

// Every `[rule ID]` marker of a Markdown document, in order, with its section heading.
// Throws LoadError on a malformed or duplicated id.
std::vector<Rule> extract_rules(const std::string& markdown, const std::string& doc_name);

// <scenarios_dir>/rules/rules.json and rules/not-testable.json. A directory without them gives
// a catalog with present == false. Throws LoadError on a malformed file.
RuleCatalog load_rule_catalog(const std::string& scenarios_dir);

// Every id in a scenario's `covers` is a rule of the catalog (a directory without a catalog
// accepts no `covers` at all). Throws LoadError naming each unknown id and its scenario.
void check_covers(const std::vector<Scenario>& scenarios, const RuleCatalog& catalog);

// The coverage of each rule, and what is wrong with it.
struct RuleCoverage {
  const Rule* rule = nullptr;
  std::vector<std::string> scenarios;
  const NotTestable* not_testable = nullptr;
};
struct CoverageReport {
  std::vector<RuleCoverage> rules;
  std::vector<std::string> problems;  // uncovered rules, scenarios without covers, stale entries
};
CoverageReport rule_coverage(const std::vector<Scenario>& scenarios, const RuleCatalog& catalog);

std::string coverage_text(const CoverageReport& report);
// The table of docs/scenarios.md (between the rules-table markers).
std::string coverage_markdown(const CoverageReport& report);

// rules/rules.json for these rules.
std::string rules_json(const std::vector<Rule>& rules);

// Rewrites rules/rules.json from the docs alone, before any scenario is loaded: a scenario may
// already cover a rule that only the edited docs define.
void write_rules_json(const std::string& docs_dir, const std::string& scenarios_dir);

// Compares rules.json with the docs in `docs_dir` and the table of docs_dir/scenarios.md with
// the current coverage; returns the differences (empty: in sync). With `update`, rewrites both.
std::vector<std::string> sync_rule_docs(const std::string& docs_dir, const std::string& scenarios_dir,
                                        const std::vector<Scenario>& scenarios, bool update);

}  // namespace zbh
