#include "certify_verdict.hpp"

#include <cstdio>
#include <set>

namespace zbh {

std::vector<std::pair<std::string, std::string>> certify_pairs(const std::string& candidate) {
  std::vector<std::pair<std::string, std::string>> pairs = {{candidate, candidate}};
  if (candidate != "cpp") {
    pairs.push_back({candidate, "cpp"});
    pairs.push_back({"cpp", candidate});
  }
  return pairs;
}

bool print_certify_verdict(const std::string& candidate, const std::vector<CellResult>& results,
                           const std::vector<std::string>& announced, bool replies_valid) {
  const Tally t = tally(results);
  std::set<std::string> missing;
  for (const auto& r : results) {
    if (r.outcome == Outcome::skipped) missing.insert(r.message);
  }
  // A skip is fair only for a capability the port does not announce.
  std::vector<std::string> announced_but_skipped;
  for (const auto& capability : announced) {
    for (const auto& m : missing) {
      if (m.find("'" + capability + "'") != std::string::npos) announced_but_skipped.push_back(m);
    }
  }
  std::printf("\nnot covered (optional capability):%s\n", missing.empty() ? " none" : "");
  for (const auto& m : missing) std::printf("  %s\n", m.c_str());
  if (t.failed + t.unexpected_passes > 0 || t.passed == 0 || !announced_but_skipped.empty() || !replies_valid) {
    std::printf("VERDICT: port '%s' is NOT CERTIFIED: %d of %d required cells failed", candidate.c_str(), t.failed,
                t.total());
    if (!announced_but_skipped.empty()) {
      std::printf(", %zu skip(s) of capabilities the port announces in hello", announced_but_skipped.size());
    }
    if (!replies_valid) std::printf(", replies that break docs/schema (listed above)");
    std::printf(".\n");
    return false;
  }
  std::printf("VERDICT: port '%s' is CERTIFIED for ZeroBuffer protocol 1.0: %d required cells passed "
              "(itself, writer to cpp, cpp to reader).\n",
              candidate.c_str(), t.passed);
  return true;
}

}  // namespace zbh
