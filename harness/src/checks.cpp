#include "checks.hpp"

#include "shm_inspector.hpp"
#include "shm_layout.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace zbh {
namespace {

[[noreturn]] void fail_with(const std::vector<std::string>& problems, const std::string& context = "") {
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
  if (!context.empty()) text += " [" + context + "]";
  throw StepFailure{text};
}

// The harness's own verdict on a reader's report (read_verdict.hpp), added to the answer.
std::vector<std::string> judge(Answer& answer, const std::string& method, const PatternCheck& check) {
  if (method == "getMetadata" && answer.ok) return judge_metadata(answer.result, check);
  if (method != "readFrames") return {};
  if (answer.ok) return judge_read(answer.result, check);
  if (answer.error.contains("data") && answer.error.at("data").contains("frames")) {
    return judge_read(answer.error.at("data"), check);
  }
  return {};
}

void check_oieb(const Step& step, const std::string& name, Bindings bindings) {
  ShmView view = ShmView::open(name, false);
  json snapshot = view.oieb();
  bindings.saved["oieb"] = snapshot;  // ${oieb.field} in the expectation names the snapshot
  auto mismatches = match(resolved(step.params.at("expect"), bindings), snapshot, "oieb");
  if (!mismatches.empty()) fail_with(mismatches, "OIEB now: " + dump(snapshot));
}

void check_bytes(const Step& step, const std::string& name) {
  const json& p = step.params;
  ShmView view = ShmView::open(name, false);
  const auto expected = *parse_hex(p.at("hex"));
  const std::uint64_t offset = view.resolve(*parse_location(p.at("at")));
  const auto actual = view.read_bytes(offset, expected.size());
  if (actual != expected) {
    throw StepFailure{"bytes at " + p.at("at").get<std::string>() + " (offset " + std::to_string(offset) +
                      "): expected " + to_hex(expected.data(), expected.size()) + ", got " +
                      to_hex(actual.data(), actual.size())};
  }
}

void check_frame(const Step& step, const std::string& name) {
  const json& p = step.params;
  ShmView view = ShmView::open(name, false);
  const std::uint64_t offset = view.resolve(*parse_location(p.at("at")));
  const auto size = p.at("size").get<std::uint64_t>();
  const auto sequence = p.at("sequence").get<std::uint64_t>();
  const auto seed = p.value("seed", std::uint64_t{0});
  const std::uint64_t header_size = view.read_uint(offset, 8);
  const std::uint64_t header_sequence = view.read_uint(offset + 8, 8);
  if (header_size != size || header_sequence != sequence) {
    throw StepFailure{"frame header at " + p.at("at").get<std::string>() + ": expected size " +
                      std::to_string(size) + " sequence " + std::to_string(sequence) + ", got size " +
                      std::to_string(header_size) + " sequence " + std::to_string(header_sequence)};
  }
  const auto data = view.read_bytes(offset + kFrameHeaderSize, size);
  for (std::uint64_t i = 0; i < size; ++i) {
    if (data[i] != pattern_byte(i, sequence, seed)) {
      throw StepFailure{"frame data at " + p.at("at").get<std::string>() + ": byte " + std::to_string(i) + " is " +
                        std::to_string(data[i]) + ", the pattern says " +
                        std::to_string(pattern_byte(i, sequence, seed)) + " (overwritten?)"};
    }
  }
}

void check_object_size(const Step& step, const BufferPaths& paths, const Bindings& bindings) {
  struct stat st {};
  if (::stat(paths.shm.c_str(), &st) != 0) throw StepFailure{paths.shm + " does not exist"};
  auto mismatches =
      match(resolved(step.params.at("expect"), bindings), json(static_cast<std::uint64_t>(st.st_size)), "objectSize");
  if (!mismatches.empty()) fail_with(mismatches);
}

void check_no_leaks(const Step& step, const std::string& name, const std::string& lock_dir,
                    const Bindings& bindings) {
  const bool whole_test = step.params.value("scope", std::string("name")) == "test";
  auto left = whole_test ? objects_containing(bindings.name, lock_dir) : existing_objects(name, lock_dir);
  if (!left.empty()) {
    std::string list;
    for (const auto& path : left) list += " " + path;
    throw StepFailure{"leaked objects:" + list};
  }
}

void check_present(const Step& step, const BufferPaths& paths) {
  // The lock file's place is the lock-directory rule's subject: checked only when asked for.
  std::set<std::string> wanted = {"shm", "semW", "semR"};
  if (step.params.contains("objects")) wanted = step.params.at("objects").get<std::set<std::string>>();
  std::string missing;
  for (const auto& [label, path] : paths.labelled()) {
    if (wanted.count(label) && ::access(path.c_str(), F_OK) != 0) missing += " " + path;
  }
  if (!missing.empty()) throw StepFailure{"missing objects:" + missing};
}

void check_mode(const Step& step, const BufferPaths& paths, const std::string& lock_dir) {
  const json& p = step.params;
  const unsigned expected = std::stoul(p.at("expect").get<std::string>(), nullptr, 8);
  std::set<std::string> wanted = {"shm", "semW", "semR", "lock"};
  if (p.contains("objects")) wanted = p.at("objects").get<std::set<std::string>>();
  std::vector<std::string> problems;
  auto objects = paths.labelled();
  objects.emplace_back("lockDir", lock_dir);  // only when asked for: not one of the buffer's objects
  for (const auto& [label, path] : objects) {
    if (!wanted.count(label)) continue;
    const unsigned mode = file_mode(path);
    if (mode != expected) {
      char text[160];
      std::snprintf(text, sizeof text, "%s: mode %04o, expected %04o", path.c_str(), mode, expected);
      problems.push_back(text);
    }
  }
  if (!problems.empty()) fail_with(problems);
}

}  // namespace

json resolved(const json& value, const Bindings& bindings) {
  try {
    return resolve(value, bindings);
  } catch (const ResolveError& e) {
    throw StepFailure{e.what()};
  }
}

void check_answer(const Step& step, Answer& answer, double measured_ms, const std::string& method,
                  const PatternCheck& check, const Bindings& bindings) {
  const Expectation& expect = step.expect;
  std::vector<std::string> problems = answer.shape_problems;
  auto verdict = judge(answer, method, check);
  problems.insert(problems.end(), verdict.begin(), verdict.end());
  if (expect.expects_error()) {
    if (answer.ok || answer.kind != *expect.error_kind) {
      problems.push_back("expected error " + *expect.error_kind + ", got " + answer.describe());
    } else {
      const json data = answer.error.contains("data") ? answer.error.at("data") : json::object();
      const json expected = expect.error_data ? resolved(*expect.error_data, bindings) : json::object();
      auto mismatches = match(expected, data, "error.data");
      problems.insert(problems.end(), mismatches.begin(), mismatches.end());
      auto damaged = demand_intact(method, expected, data, check);
      problems.insert(problems.end(), damaged.begin(), damaged.end());
    }
  } else if (!answer.ok) {
    problems.push_back("unexpected error " + answer.describe());
  } else {
    const json expected = expect.result ? resolved(*expect.result, bindings) : json::object();
    auto mismatches = match(expected, answer.result);
    problems.insert(problems.end(), mismatches.begin(), mismatches.end());
    auto damaged = demand_intact(method, expected, answer.result, check);
    problems.insert(problems.end(), damaged.begin(), damaged.end());
  }
  const std::string came_back = answer.ok ? "the result" : answer.kind;
  if (expect.within_ms && measured_ms > *expect.within_ms) {
    problems.push_back(came_back + " after " + format_ms(measured_ms) + " ms, expected within " +
                       format_ms(*expect.within_ms) + " ms");
  }
  if (expect.at_least_ms && measured_ms < *expect.at_least_ms) {
    problems.push_back(came_back + " after " + format_ms(measured_ms) + " ms, expected at least " +
                       format_ms(*expect.at_least_ms) + " ms");
  }
  if (!problems.empty()) fail_with(problems);
}

namespace {

// The pid a lock file holds (live.lock-pid).
void check_lock_pid(const Step& step, const BufferPaths& paths, const Bindings& bindings) {
  const json& p = step.params;
  const std::string& path = p.at("object") == "lock" ? paths.lock : paths.writer_lock;
  const json expected = resolved(p.at("expect"), bindings);
  const std::string want = expected.is_string() ? expected.get<std::string>() : expected.dump();
  const std::string content = read_lock_file(path);
  if (content != want) throw StepFailure{path + " holds \"" + content + "\", expected \"" + want + "\""};
}

// Whether the named lock files are held by a live process (live.writer-lock).
void check_locked(const Step& step, const BufferPaths& paths) {
  const json& p = step.params;
  const bool expected = p.at("expect").get<bool>();
  const json& wanted = p.at("objects");
  std::string wrong;
  for (const auto& [label, path] : paths.labelled()) {
    if (std::find(wanted.begin(), wanted.end(), label) == wanted.end()) continue;
    if (lock_held(path) != expected) wrong += " " + path;
  }
  if (!wrong.empty()) throw StepFailure{std::string(expected ? "not locked:" : "locked:") + wrong};
}

}  // namespace

void check_shared_memory(const Step& step, const std::string& name, const std::string& lock_dir,
                         const Bindings& bindings) {
  const std::string& verb = step.verb;
  const auto paths = BufferPaths::of(name, lock_dir);
  try {
    if (verb == "oieb") check_oieb(step, name, bindings);
    else if (verb == "bytes") check_bytes(step, name);
    else if (verb == "frame") check_frame(step, name);
    else if (verb == "objectSize") check_object_size(step, paths, bindings);
    else if (verb == "noLeaks") check_no_leaks(step, name, lock_dir, bindings);
    else if (verb == "present") check_present(step, paths);
    else if (verb == "mode") check_mode(step, paths, lock_dir);
    else if (verb == "lockPid") check_lock_pid(step, paths, bindings);
    else if (verb == "locked") check_locked(step, paths);
  } catch (const ShmError& e) {
    throw StepFailure{"check " + verb + ": " + e.what()};
  }
}

}  // namespace zbh
