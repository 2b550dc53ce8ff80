// Report writers, and the HTML page as a browser renders it.
#include "harness_test_support.hpp"
#include "reports.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <regex>

namespace zbh {
namespace {

// 3 scenarios x 4 pairs, every outcome present, messages full of characters that need escaping.
std::vector<CellResult> sample_results() {
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"cpp", "cpp"}, {"cpp", "python"}, {"python", "cpp"}, {"python", "python"}};
  const Outcome outcomes[] = {Outcome::passed, Outcome::failed, Outcome::skipped, Outcome::expected_failure,
                              Outcome::unexpected_pass};
  std::vector<CellResult> out;
  int i = 0;
  for (const char* id : {"wrap.marker", "life.writer-closed", "basic.text"}) {
    for (const auto& [w, r] : pairs) {
      CellResult c;
      c.scenario = id;
      c.title = std::string("Title of ") + id + " <b>&</b>";
      c.tier = "required";
      c.writer = w;
      c.reader = r;
      c.outcome = outcomes[i++ % 5];
      if (c.outcome != Outcome::passed) c.message = "expected <5> & got \"6\" \x01 bad";
      if (c.outcome == Outcome::failed) c.failed_step = "step 3 (reader.readFrames)";
      c.duration_ms = 12.5;
      c.log = "[ 0.1 ms] log of " + c.cell_name() + " <tag>\n";
      c.repro = "zerobuffer-harness run --scenario " + c.scenario;
      out.push_back(c);
    }
  }
  return out;
}

RunInfo sample_info() {
  RunInfo info;
  info.command_line = "zerobuffer-harness run -j2";
  info.started_at = "2025-01-01T00:00:00Z";
  info.duration_ms = 1234;
  info.writers = {"cpp", "python"};
  info.readers = {"cpp", "python"};
  return info;
}

std::size_t count(const std::string& text, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = text.find(needle); pos != std::string::npos; pos = text.find(needle, pos + 1)) ++n;
  return n;
}

TEST(HarnessReport, JunitHasOneTestcasePerCellAndEscapesText) {
  const auto results = sample_results();
  const std::string xml = junit_xml(sample_info(), results);
  EXPECT_EQ(count(xml, "<testcase "), results.size());
  EXPECT_EQ(count(xml, "<testsuite "), 4u);
  const Tally t = tally(results);
  EXPECT_NE(xml.find("failures=\"" + std::to_string(t.failed + t.unexpected_passes) + "\""), std::string::npos);
  EXPECT_EQ(count(xml, "<skipped "), static_cast<std::size_t>(t.skipped));
  EXPECT_EQ(xml.find("<5>"), std::string::npos);
  EXPECT_EQ(xml.find('\x01'), std::string::npos);
  EXPECT_NE(xml.find("expected &lt;5&gt; &amp; got &quot;6&quot;"), std::string::npos);
}

TEST(HarnessReport, ResultsJsonListsEveryCellWithSummary) {
  const auto results = sample_results();
  auto doc = nlohmann::json::parse(results_json(sample_info(), results));
  ASSERT_EQ(doc["cells"].size(), results.size());
  EXPECT_EQ(doc["summary"]["total"], results.size());
  EXPECT_EQ(doc["cells"][0]["name"], "conformance.wrap.marker.cpp-cpp");
  EXPECT_EQ(doc["cells"][1]["outcome"], "failed");
  EXPECT_EQ(doc["cells"][1]["log"], "logs/wrap.marker.cpp-python.log");
  EXPECT_EQ(doc["cells"][3]["outcome"], "xfail");
}

TEST(HarnessReport, MarkdownHasWriterReaderMatrixAndARowPerScenario) {
  const std::string md = markdown_report(sample_info(), sample_results());
  EXPECT_NE(md.find("| writer \\ reader | cpp | python |"), std::string::npos) << md;
  EXPECT_NE(md.find("| scenario | tier | cpp→cpp | cpp→python | python→cpp | python→python |"), std::string::npos);
  for (const char* id : {"`wrap.marker`", "`life.writer-closed`", "`basic.text`"}) EXPECT_NE(md.find(id), std::string::npos);
  EXPECT_NE(md.find("repro: `zerobuffer-harness run"), std::string::npos);
}

TEST(HarnessReport, ConsoleMatrixShowsPassedOverRunPerPair) {
  const std::string table = console_matrix(sample_info(), sample_results());
  EXPECT_NE(table.find("writer \\ reader"), std::string::npos);
  EXPECT_NE(table.find("python"), std::string::npos);
}

TEST(HarnessReport, ReportDirectoryHoldsAllFilesAndALogPerCell) {
  test::TempDir dir;
  const auto results = sample_results();
  write_reports(dir.path(), sample_info(), results);
  for (const char* file : {"junit.xml", "results.json", "matrix.md", "index.html"}) {
    EXPECT_TRUE(std::filesystem::exists(dir.path() + "/" + file)) << file;
  }
  const std::string html = test::read_file(dir.path() + "/index.html");
  for (const auto& r : results) {
    const std::string log = dir.path() + "/" + log_path(r);
    ASSERT_TRUE(std::filesystem::exists(log)) << log;
    EXPECT_NE(test::read_file(log).find("log of " + r.cell_name()), std::string::npos);
    EXPECT_NE(html.find("href=\"" + log_path(r) + "\""), std::string::npos);
  }
  EXPECT_EQ(html.find("<b>&</b>"), std::string::npos) << "unescaped title";
}

// Loads the page in headless Chromium and reads back what the page's own script counted in
// the rendered DOM.
TEST(HarnessReport, HtmlPageRendersEveryCellInChromium) {
  const std::string chromium = ZBH_TEST_CHROMIUM;
  test::TempDir dir;
  const auto results = sample_results();
  write_reports(dir.path(), sample_info(), results);
  auto rendered = test::run_command({"timeout", "90", chromium, "--headless", "--no-sandbox", "--disable-gpu",
                                     "--no-first-run", "--disable-background-networking",
                                     "--disable-component-update", "--disable-sync",
                                     "--user-data-dir=" + dir.path() + "/profile", "--dump-dom",
                                     "file://" + dir.path() + "/index.html"});
  ASSERT_EQ(rendered.exit_code, 0) << rendered.output.substr(0, 3000);
  std::smatch m;
  ASSERT_TRUE(std::regex_search(rendered.output, m, std::regex("id=\"rendered-cells\">([0-9]+)<")))
      << "the page's script did not run: " << rendered.output.substr(0, 3000);
  EXPECT_EQ(std::stoul(m[1]), results.size());
  EXPECT_EQ(count(rendered.output, "<td class=\"cell "), results.size());
  EXPECT_EQ(count(rendered.output, "<td class=\"cell failed\">"), 3u);
}

}  // namespace
}  // namespace zbh
