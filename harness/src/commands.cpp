#include "commands.hpp"

#include "certify_verdict.hpp"
#include "console_progress.hpp"
#include "port_probe.hpp"
#include "reply_schema_check.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <stdlib.h>

namespace zbh {
namespace {

std::string now_iso() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

// A temporary directory for the replies a certify or smoke run records (removed after the check).
std::string temporary_record_dir(const char* command) {
  std::string path = std::string("/tmp/zerobuffer-") + command + "-XXXXXX";
  if (!::mkdtemp(path.data())) throw LoadError(std::string("cannot create a directory for the recorded replies in /tmp"));
  return path;
}

}  // namespace

std::string shell_quote(const std::string& text) {
  if (!text.empty() && text.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/._-=:,+") ==
                           std::string::npos) {
    return text;
  }
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Harness::Harness(Settings settings) : s_(std::move(settings)) {
  if (s_.scenarios_dir.empty()) s_.scenarios_dir = s_.source_dir + "/scenarios";
  if (s_.ports_file.empty()) s_.ports_file = s_.scenarios_dir + "/ports.json";
  if (s_.expected_dir.empty()) s_.expected_dir = s_.scenarios_dir + "/expected";
  catalog_ = load_scenario_dir(s_.scenarios_dir);
  rules_ = load_rule_catalog(s_.scenarios_dir);
  check_covers(catalog_, rules_);
  ports_ = PortRegistry::load(s_.ports_file, s_.build_dir, s_.source_dir);
}

int Harness::list() {
  const ExpectedFailures expected = ExpectedFailures::load(s_.expected_dir, ports_, catalog_);
  std::size_t width = 10;
  for (const auto* s : selected_scenarios()) width = std::max(width, s->id.size());
  for (const auto* s : selected_scenarios()) {
    std::string needs;
    for (const auto& n : s->needs) needs += (needs.empty() ? "needs " : ",") + n;
    std::printf("%-*s  %-8s  %s%s%s\n", static_cast<int>(width), s->id.c_str(), s->tier.c_str(), s->title.c_str(),
                needs.empty() ? "" : "  ", needs.c_str());
  }
  std::printf("\n%zu scenarios, %zu expected-failure entries. Ports (%s):\n", selected_scenarios().size(),
              expected.entries().size(), s_.ports_file.c_str());
  for (const auto& port : ports_.ports) {
    std::string command;
    for (const auto& arg : port.command) command += (command.empty() ? "" : " ") + shell_quote(arg);
    std::printf("  %-8s %-13s %s\n", port.name.c_str(), port.available() ? "available" : "not available",
                command.c_str());
  }
  return kExitPass;
}

int Harness::rules() {
  if (!s_.check_docs.empty() || !s_.update_docs.empty()) {
    const bool update = !s_.update_docs.empty();
    const auto differences = sync_rule_docs(update ? s_.update_docs : s_.check_docs, s_.scenarios_dir, catalog_, update);
    for (const auto& line : differences) std::printf("%s\n", line.c_str());
    if (update) std::printf("updated %s/rules/rules.json and the rules table of scenarios.md\n", s_.scenarios_dir.c_str());
    else if (differences.empty()) std::printf("rules.json and the rules table of scenarios.md match the docs\n");
    return differences.empty() || update ? kExitPass : kExitFailures;
  }
  if (!rules_.present) throw LoadError(s_.scenarios_dir + ": no rules/rules.json");
  const CoverageReport report = rule_coverage(catalog_, rules_);
  std::printf("%s", s_.markdown ? coverage_markdown(report).c_str() : coverage_text(report).c_str());
  return report.problems.empty() ? kExitPass : kExitFailures;
}

int Harness::run() {
  for (const auto& option : s_.port_options) ports_.add_or_replace(parse_port_option(option));
  std::vector<std::string> writers = choose_ports(s_.writers, "--writer");
  std::vector<std::string> readers = choose_ports(s_.readers, "--reader");
  ExpectedFailures expected;
  if (!s_.strict) expected = ExpectedFailures::load(s_.expected_dir, ports_, catalog_);
  std::vector<CellSpec> cells;
  for (const auto* scenario : selected_scenarios()) {
    for (const auto& w : writers) {
      for (const auto& r : readers) cells.push_back({scenario, *ports_.find(w), *ports_.find(r)});
    }
  }
  if (cells.empty()) throw LoadError("no scenario matches the selection");
  auto [results, info] = run_cells(cells, writers, readers, s_.strict ? nullptr : &expected);
  return finish(results, info);
}

Port Harness::add_candidate(const char* command) {
  Port candidate = parse_port_option(s_.port_options.front());
  ports_.add_or_replace(candidate);
  const Port* reference = ports_.find("cpp");
  if (!reference || !reference->available()) {
    throw LoadError(std::string(command) + " needs the C++ reference serve (port 'cpp' in " + s_.ports_file +
                    "); build it first");
  }
  return candidate;
}

int Harness::certify() {
  const Port candidate = add_candidate("certify");
  if (!ports_.find(candidate.name)->available()) {
    throw LoadError("port " + candidate.name + ": cannot execute '" + candidate.command.front() + "'");
  }
  s_.tier = "required";
  s_.strict = true;
  std::vector<CellSpec> cells;
  for (const auto* scenario : selected_scenarios()) {
    for (const auto& [w, r] : certify_pairs(candidate.name)) {
      cells.push_back({scenario, *ports_.find(w), *ports_.find(r)});
    }
  }
  std::vector<std::string> names = {candidate.name};
  if (candidate.name != "cpp") names.push_back("cpp");
  // Every reply is recorded and validated against docs/schema: in --record-replies DIR if
  // given (kept), else in a temporary directory.
  const bool own_recordings = s_.record_dir.empty();
  if (own_recordings) s_.record_dir = temporary_record_dir("certify");
  auto [results, info] = run_cells(cells, names, names, nullptr);
  finish(results, info);
  const ReplySchemaCheck schema = check_recorded_replies(s_.source_dir, s_.record_dir);
  std::printf("\nreplies against docs/schema:\n%s", schema.output.c_str());
  if (own_recordings) std::filesystem::remove_all(s_.record_dir);
  return print_certify_verdict(candidate.name, results, announced_capabilities(candidate), schema.passed)
             ? kExitPass
             : kExitFailures;
}

int Harness::smoke() {
  const Port candidate = add_candidate("smoke");
  std::printf("smoke test of port '%s'\n", candidate.name.c_str());
  auto fail = [&](const std::string& what, const std::string& problem) {
    std::printf("FAIL  %s: %s\n", what.c_str(), problem.c_str());
    for (const auto& advice : advice_for(problem)) std::printf("      advice: %s\n", advice.c_str());
  };
  const HelloProbe probe = probe_hello(candidate, std::chrono::seconds(5));
  if (!probe.result) {
    fail("hello", probe.problem);
    return kExitFailures;
  }
  const auto problems = hello_problems(*probe.result);
  if (!problems.empty()) {
    std::string text;
    for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
    fail("hello", "bad hello answer (" + text + "): " + probe.result->dump());
    return kExitFailures;
  }
  std::printf("ok    hello: %s\n", probe.result->dump().c_str());
  const Scenario* scenario = nullptr;
  for (const auto& s : catalog_) {
    if (s.id == "basic.single-frame") scenario = &s;
  }
  if (!scenario) throw LoadError("smoke needs the scenario basic.single-frame");
  const Port& reference = *ports_.find("cpp");
  const std::vector<CellSpec> cells = {{scenario, candidate, reference}, {scenario, reference, candidate}};
  MatrixOptions matrix;
  matrix.finish = [&](CellResult& r) { r.repro = repro(r); };
  RunnerOptions runner;
  runner.record_dir = temporary_record_dir("smoke");  // every reply is checked against docs/schema below
  int failed = 0;
  for (const auto& r : run_matrix(cells, runner, matrix)) {
    const std::string what = "one frame, writer " + r.writer + " -> reader " + r.reader;
    if (r.outcome == Outcome::passed) {
      std::printf("ok    %s (%.0f ms)\n", what.c_str(), r.duration_ms);
      continue;
    }
    ++failed;
    fail(what + " [" + r.failed_step + "]", r.message.substr(0, 1500));
    std::printf("      repro: %s\n", r.repro.c_str());
  }
  const ReplySchemaCheck schema = check_recorded_replies(s_.source_dir, runner.record_dir);
  std::filesystem::remove_all(runner.record_dir);
  if (schema.passed) {
    std::printf("ok    replies against docs/schema\n");
  } else {
    ++failed;
    fail("replies against docs/schema", schema.output);
  }
  std::printf("%s; `certify --port %s` gives the full verdict.\n", failed ? "smoke test FAILED" : "smoke test passed",
              shell_quote(s_.port_options.front()).c_str());
  return failed ? kExitFailures : kExitPass;
}

std::vector<std::string> Harness::announced_capabilities(const Port& port) const {
  const HelloProbe probe = probe_hello(port, std::chrono::seconds(5));
  return probe.result ? announced(*probe.result) : std::vector<std::string>{};
}

std::vector<const Scenario*> Harness::selected_scenarios() const {
  std::vector<const Scenario*> out;
  for (const auto& scenario : catalog_) {
    if (s_.tier != "all" && scenario.tier != s_.tier) continue;
    bool match = s_.scenario_globs.empty();
    for (const auto& glob : s_.scenario_globs) match = match || glob_match(glob, scenario.id);
    if (match) out.push_back(&scenario);
  }
  return out;
}

std::vector<std::string> Harness::choose_ports(const std::vector<std::string>& requested, const char* option) {
  std::vector<std::string> out;
  if (requested.empty()) {
    for (const auto& port : ports_.ports) {
      if (port.available()) out.push_back(port.name);
      else std::fprintf(stderr, "note: port %s is not available (%s not found); not run\n", port.name.c_str(),
                        port.command.front().c_str());
    }
    if (out.empty()) throw LoadError("no port in " + s_.ports_file + " is available; build the serves first");
    return out;
  }
  for (const auto& name : requested) {
    const Port* port = ports_.find(name);
    if (!port) throw LoadError(std::string(option) + " " + name + ": no such port in " + s_.ports_file);
    if (!port->available()) {
      throw LoadError(std::string(option) + " " + name + ": cannot execute '" + port->command.front() + "'");
    }
    out.push_back(name);
  }
  return out;
}

std::string Harness::repro(const CellResult& r) const {
  std::string out = shell_quote(s_.self) + " run --scenario " + r.scenario + " --writer " + shell_quote(r.writer) +
                    " --reader " + shell_quote(r.reader);
  for (const auto& arg : s_.explicit_args) out += " " + shell_quote(arg);
  return out;
}

std::pair<std::vector<CellResult>, RunInfo> Harness::run_cells(const std::vector<CellSpec>& cells,
                                                               const std::vector<std::string>& writers,
                                                               const std::vector<std::string>& readers,
                                                               const ExpectedFailures* expected) {
  RunInfo info;
  info.started_at = now_iso();
  info.writers = writers;
  info.readers = readers;
  info.strict = s_.strict;
  info.command_line = s_.command_line;
  RunnerOptions options;
  if (!s_.record_dir.empty()) {
    std::filesystem::create_directories(s_.record_dir);
    options.record_dir = s_.record_dir;
  }
  ConsoleProgress progress(s_.verbose, cells.size());
  MatrixOptions matrix;
  matrix.jobs = s_.jobs;
  matrix.fail_fast = s_.fail_fast;
  matrix.finish = [&](CellResult& r) {
    if (expected) expected->apply(r);
    r.repro = repro(r);
  };
  matrix.on_result = [&](const CellResult& r, std::size_t done, std::size_t total) { progress.cell_done(r, done, total); };
  const auto start = std::chrono::steady_clock::now();
  auto results = run_matrix(cells, options, matrix);
  info.duration_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  progress.matrix_done();
  return {std::move(results), std::move(info)};
}

int Harness::finish(const std::vector<CellResult>& results, const RunInfo& info) {
  print_run_end(results, info, s_.report_dir);
  const Tally t = tally(results);
  if (t.failed + t.unexpected_passes > 0) return kExitFailures;
  if (results.size() == 1 && t.skipped == 1) return kExitSkipped;
  return kExitPass;
}

}  // namespace zbh
