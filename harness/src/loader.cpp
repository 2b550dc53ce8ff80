#include "loader.hpp"

#include "shm_layout.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

namespace zbh {
namespace {

namespace fs = std::filesystem;

std::string join(const std::vector<std::string>& items, const char* separator = ", ") {
  std::string out;
  for (const auto& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

// Collects every problem of one file, each prefixed with where it is.
class Problems {
 public:
  explicit Problems(std::string file) : file_(std::move(file)) {}
  void add(const std::string& scenario, const std::string& where, const std::string& text) {
    std::string line = file_;
    if (!scenario.empty()) line += ": scenario '" + scenario + "'";
    if (!where.empty()) line += ": " + where;
    lines_.push_back(line + ": " + text);
  }
  bool empty() const { return lines_.empty(); }
  std::string text() const { return join(lines_, "\n"); }

 private:
  std::string file_;
  std::vector<std::string> lines_;
};

// Validation of one scenario; records problems instead of stopping at the first one.
class ScenarioParser {
 public:
  ScenarioParser(Problems& problems, std::string id) : problems_(problems), id_(std::move(id)) {}

  std::vector<Step> parse_steps(const json& steps, const std::string& prefix) {
    std::vector<Step> out;
    if (!steps.is_array() || steps.empty()) {
      fail(prefix.empty() ? "" : "step " + prefix, "'steps' must be a non-empty array");
      return out;
    }
    for (std::size_t i = 0; i < steps.size(); ++i) {
      std::string where = "step " + (prefix.empty() ? "" : prefix + ".") + std::to_string(i + 1);
      out.push_back(parse_step(steps[i], where, prefix.empty() ? std::to_string(i + 1)
                                                                : prefix + "." + std::to_string(i + 1)));
    }
    return out;
  }

 private:
  void fail(const std::string& where, const std::string& text) { problems_.add(id_, where, text); }

  // Unknown keys are errors: a typo must not silently turn a check into a no-op.
  void only_fields(const json& step, const std::string& where, std::vector<std::string> allowed) {
    allowed.push_back("comment");
    allowed.push_back("deadlineMs");
    for (const auto& [key, value] : step.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        fail(where, "unknown field '" + key + "' (allowed here: " + join(allowed) + ")");
      }
    }
  }

  bool require(const json& step, const std::string& where, const std::string& key,
               json::value_t type) {
    if (!step.contains(key)) {
      fail(where, "missing field '" + key + "'");
      return false;
    }
    const json& value = step.at(key);
    bool ok = value.type() == type ||
              (type == json::value_t::number_integer && value.is_number_unsigned()) ||
              (type == json::value_t::number_float && value.is_number());
    if (!ok) fail(where, "field '" + key + "' has the wrong type");
    return ok;
  }

  void optional_number(const json& step, const std::string& where, const std::string& key) {
    if (step.contains(key) && (!step.at(key).is_number() || step.at(key).get<double>() < 0)) {
      fail(where, "field '" + key + "' must be a non-negative number");
    }
  }

  void check_role(const std::string& role, const std::string& where) {
    if (!vocab::is_role(role)) {
      fail(where, "unknown role '" + role + "' (roles are reader, writer, reader2, writer2, ...)");
    }
  }

  void check_name_field(const json& step, const std::string& where) {
    if (step.contains("name") && !step.at("name").is_string()) {
      fail(where, "field 'name' must be a string");
    }
  }

  void check_location(const json& step, const std::string& where, const std::string& key) {
    if (!require(step, where, key, json::value_t::string)) return;
    if (!parse_location(step.at(key).get<std::string>())) {
      fail(where, "bad location '" + step.at(key).get<std::string>() +
                      "' (use oieb+N, meta+N, payload+N, frame+N or an absolute offset)");
    }
  }

  void check_hex(const json& step, const std::string& where, const std::string& key) {
    if (!require(step, where, key, json::value_t::string)) return;
    auto bytes = parse_hex(step.at(key).get<std::string>());
    if (!bytes || bytes->empty()) fail(where, "field '" + key + "' is not a hex byte string");
  }

  void parse_expectations(const json& step, const std::string& where, Step& out) {
    if (step.contains("expect")) {
      if (!step.at("expect").is_object()) fail(where, "'expect' must be an object");
      out.expect.result = step.at("expect");
    }
    if (step.contains("expectError")) {
      const json& e = step.at("expectError");
      std::string kind;
      if (e.is_string()) {
        kind = e.get<std::string>();
      } else if (e.is_object() && e.contains("kind") && e.at("kind").is_string()) {
        kind = e.at("kind").get<std::string>();
        for (const auto& [key, value] : e.items()) {
          if (key != "kind" && key != "data") fail(where, "unknown field 'expectError." + key + "'");
        }
        if (e.contains("data")) {
          if (!e.at("data").is_object()) fail(where, "'expectError.data' must be an object");
          out.expect.error_data = e.at("data");
        }
      } else {
        fail(where, "'expectError' must be an error kind or {\"kind\", \"data\"?}");
      }
      if (!kind.empty() && !vocab::is_error_kind(kind)) {
        fail(where, "unknown error kind '" + kind + "' (known: " + join(vocab::error_kinds()) + ")");
      }
      out.expect.error_kind = kind;
      if (out.expect.result) fail(where, "'expect' and 'expectError' exclude each other");
    }
    optional_number(step, where, "withinMs");
    optional_number(step, where, "atLeastMs");
    if (step.contains("withinMs")) out.expect.within_ms = step.at("withinMs").get<double>();
    if (step.contains("atLeastMs")) out.expect.at_least_ms = step.at("atLeastMs").get<double>();
  }

  Step parse_step(const json& step, const std::string& where, const std::string& index) {
    Step out;
    out.where = where;
    out.source = step;
    if (!step.is_object()) {
      fail(where, "a step must be an object");
      return out;
    }
    if (step.contains("deadlineMs")) {
      if (!step.at("deadlineMs").is_number_integer() || step.at("deadlineMs").get<int>() <= 0) {
        fail(where, "'deadlineMs' must be a positive integer");
      } else {
        out.deadline_ms = step.at("deadlineMs").get<int>();
      }
    }
    if (step.contains("comment") && !step.at("comment").is_string()) {
      fail(where, "'comment' must be a string");
    }

    int kinds = 0;
    for (const char* key : {"call", "await", "pending", "do", "check", "repeat", "raw", "send"}) {
      kinds += step.contains(key) ? 1 : 0;
    }
    if (kinds != 1) {
      fail(where, "a step has exactly one of 'call', 'await', 'pending', 'do', 'check', 'repeat', 'raw', 'send'");
      return out;
    }

    if (step.contains("call")) {
      parse_call(step, where, out);
    } else if (step.contains("raw") || step.contains("send")) {
      parse_raw(step, where, out);
    } else if (step.contains("await")) {
      out.type = StepType::await;
      only_fields(step, where, {"await", "expect", "expectError", "withinMs", "atLeastMs", "as"});
      if (require(step, where, "await", json::value_t::string)) out.handle = step.at("await");
      parse_expectations(step, where, out);
      if (step.contains("as") && step.at("as").is_string()) out.save_as = step.at("as");
    } else if (step.contains("pending")) {
      out.type = StepType::pending;
      only_fields(step, where, {"pending", "forMs"});
      if (require(step, where, "pending", json::value_t::string)) out.handle = step.at("pending");
      if (require(step, where, "forMs", json::value_t::number_integer)) out.for_ms = step.at("forMs");
    } else if (step.contains("do")) {
      out.type = StepType::action;
      parse_action(step, where, out);
    } else if (step.contains("check")) {
      out.type = StepType::check;
      parse_check(step, where, out);
    } else {
      out.type = StepType::repeat;
      only_fields(step, where, {"repeat", "steps"});
      if (require(step, where, "repeat", json::value_t::number_integer)) {
        out.times = step.at("repeat").get<int>();
        if (out.times < 1 || out.times > 100000) fail(where, "'repeat' must be 1..100000");
      }
      if (step.contains("steps")) out.body = parse_steps(step.at("steps"), index);
      else fail(where, "missing field 'steps'");
    }
    return out;
  }

  void parse_call(const json& step, const std::string& where, Step& out) {
    out.type = StepType::call;
    only_fields(step, where,
                {"role", "call", "args", "expect", "expectError", "withinMs", "atLeastMs", "async", "as"});
    if (require(step, where, "role", json::value_t::string)) {
      out.role = step.at("role");
      check_role(out.role, where);
    }
    if (require(step, where, "call", json::value_t::string)) {
      out.method = step.at("call");
      if (!vocab::is_method(out.method)) {
        std::vector<std::string> names;
        for (const auto& [name, args] : vocab::methods()) names.push_back(name);
        fail(where, "unknown method '" + out.method + "' (known: " + join(names) + ")");
      }
    }
    if (step.contains("args")) {
      if (!step.at("args").is_object()) {
        fail(where, "'args' must be an object");
      } else {
        out.args = step.at("args");
        if (const auto* allowed = vocab::method_args(out.method)) {
          for (const auto& [key, value] : out.args.items()) {
            if (std::find(allowed->begin(), allowed->end(), key) == allowed->end()) {
              fail(where, "unknown argument '" + key + "' for " + out.method +
                              (allowed->empty() ? " (takes none)" : " (allowed: " + join(*allowed) + ")"));
            }
          }
        }
      }
    }
    if (step.contains("async")) {
      if (require(step, where, "async", json::value_t::string)) out.async_handle = step.at("async");
      if (step.contains("expect") || step.contains("expectError") || step.contains("withinMs") ||
          step.contains("atLeastMs") || step.contains("as")) {
        fail(where, "an 'async' call states its expectations on the matching 'await'");
      }
    }
    if (step.contains("as")) {
      if (step.at("as").is_string()) out.save_as = step.at("as");
      else fail(where, "'as' must be a string");
    }
    parse_expectations(step, where, out);
  }

  // A line sent as it is ("raw", a string) or a JSON value sent as one line ("send"), bypassing
  // the harness's request building, and the whole response it must get.
  void parse_raw(const json& step, const std::string& where, Step& out) {
    out.type = StepType::raw;
    const bool text = step.contains("raw");
    only_fields(step, where, {"role", text ? "raw" : "send", "expectReply", "noReply"});
    if (require(step, where, "role", json::value_t::string)) {
      out.role = step.at("role");
      check_role(out.role, where);
    }
    out.raw_is_text = text;
    out.raw_line = step.at(text ? "raw" : "send");
    if (text && (!out.raw_line.is_string() || out.raw_line.get<std::string>().find('\n') != std::string::npos)) {
      fail(where, "'raw' must be a string without a newline (one line)");
    }
    if (step.contains("noReply")) {
      // A line the serve must not answer (a blank line): a stray answer fails the next step.
      if (step.contains("expectReply") || step.at("noReply") != true) {
        fail(where, "'noReply' is true and excludes 'expectReply'");
      }
    } else if (require(step, where, "expectReply", json::value_t::object)) {
      out.expect.reply = step.at("expectReply");
    }
  }

  void parse_action(const json& step, const std::string& where, Step& out) {
    if (!require(step, where, "do", json::value_t::string)) return;
    out.verb = step.at("do");
    out.params = step;
    const std::string& verb = out.verb;
    if (verb == "start" || verb == "kill") {
      if (verb == "kill") {
        only_fields(step, where, {"do", "role", "reap"});
        if (step.contains("reap") && !step.at("reap").is_boolean()) fail(where, "'reap' must be true or false");
      } else {
        only_fields(step, where, {"do", "role"});
      }
      if (require(step, where, "role", json::value_t::string)) {
        out.role = step.at("role");
        check_role(out.role, where);
      }
    } else if (verb == "sleep") {
      only_fields(step, where, {"do", "ms"});
      if (require(step, where, "ms", json::value_t::number_integer) &&
          (step.at("ms").get<int>() < 0 || step.at("ms").get<int>() > 60000)) {
        fail(where, "'ms' must be 0..60000");
      }
    } else if (verb == "corrupt") {
      only_fields(step, where, {"do", "name", "field", "frameField", "at", "value", "hex", "width"});
      check_name_field(step, where);
      int targets = (step.contains("field") ? 1 : 0) + (step.contains("frameField") ? 1 : 0) +
                    (step.contains("at") ? 1 : 0);
      if (targets != 1) fail(where, "corrupt needs exactly one of 'field', 'frameField', 'at'");
      if (step.contains("field") && require(step, where, "field", json::value_t::string) &&
          !find_oieb_field(step.at("field").get<std::string>())) {
        fail(where, "unknown OIEB field '" + step.at("field").get<std::string>() + "'");
      }
      if (step.contains("frameField") && require(step, where, "frameField", json::value_t::string) &&
          step.at("frameField") != "size" && step.at("frameField") != "sequence") {
        fail(where, "'frameField' is 'size' or 'sequence'");
      }
      if (step.contains("at")) check_location(step, where, "at");
      if (step.contains("value") == step.contains("hex")) {
        fail(where, "corrupt needs exactly one of 'value' and 'hex'");
      }
      if (step.contains("value") && !step.at("value").is_number_unsigned() &&
          !(step.at("value").is_number_integer() && step.at("value").get<long long>() >= 0)) {
        fail(where, "'value' must be a non-negative integer");
      }
      if (step.contains("hex")) {
        check_hex(step, where, "hex");
        if (!step.contains("at")) fail(where, "'hex' goes with 'at'");
      }
      if (step.contains("width")) {
        if (!step.contains("at") || !step.contains("value")) fail(where, "'width' goes with 'at' and 'value'");
        int w = step.at("width").is_number_integer() ? step.at("width").get<int>() : 0;
        if (w != 1 && w != 2 && w != 4 && w != 8) fail(where, "'width' is 1, 2, 4 or 8");
      }
    } else if (verb == "fabricateStale") {
      only_fields(step, where, {"do", "name", "metadataSize", "payloadSize"});
      check_name_field(step, where);
      for (const char* key : {"metadataSize", "payloadSize"}) {
        if (step.contains(key)) require(step, where, key, json::value_t::number_integer);
      }
    } else if (verb == "unlink") {
      only_fields(step, where, {"do", "name", "object"});
      check_name_field(step, where);
      if (require(step, where, "object", json::value_t::string)) {
        const auto labels = BufferPaths::of("", "").labelled();
        if (std::none_of(labels.begin(), labels.end(), [&](const auto& l) { return l.first == step.at("object"); })) {
          fail(where, "'object' is one of shm, semW, semR, lock, writerLock");
        }
      }
    } else if (verb == "writeLockPid") {
      only_fields(step, where, {"do", "name", "object", "value"});
      check_name_field(step, where);
      if (require(step, where, "object", json::value_t::string) && step.at("object") != "lock" &&
          step.at("object") != "writerLock") {
        fail(where, "'object' is lock or writerLock");
      }
      require(step, where, "value", json::value_t::number_unsigned);
    } else if (verb == "createObject") {
      only_fields(step, where, {"do", "name", "size"});
      check_name_field(step, where);
      if (require(step, where, "size", json::value_t::number_unsigned) &&
          step.at("size").get<std::uint64_t>() > (std::uint64_t{1} << 30)) {
        fail(where, "'size' must be 0..2^30");
      }
    } else if (verb == "runAs") {
      only_fields(step, where, {"do", "role", "user"});
      if (require(step, where, "role", json::value_t::string)) {
        out.role = step.at("role");
        check_role(out.role, where);
      }
      require(step, where, "user", json::value_t::string);
    } else if (verb == "isolatePids") {
      only_fields(step, where, {"do", "role"});
      if (require(step, where, "role", json::value_t::string)) {
        out.role = step.at("role");
        check_role(out.role, where);
      }
    } else if (verb == "setEnv") {
      only_fields(step, where, {"do", "role", "env"});
      if (require(step, where, "role", json::value_t::string)) {
        out.role = step.at("role");
        check_role(out.role, where);
      }
      if (require(step, where, "env", json::value_t::object)) {
        for (const auto& [key, value] : step.at("env").items()) {
          if (!value.is_string()) fail(where, "env value of '" + key + "' must be a string");
        }
      }
    } else {
      fail(where, "unknown action '" + verb +
                      "' (known: start, kill, sleep, corrupt, fabricateStale, unlink, writeLockPid, createObject, setEnv, isolatePids, runAs)");
    }
  }

  void parse_check(const json& step, const std::string& where, Step& out) {
    if (!require(step, where, "check", json::value_t::string)) return;
    out.verb = step.at("check");
    out.params = step;
    const std::string& verb = out.verb;
    check_name_field(step, where);
    if (verb == "oieb") {
      only_fields(step, where, {"check", "name", "expect"});
      if (require(step, where, "expect", json::value_t::object)) {
        for (const auto& [key, value] : step.at("expect").items()) {
          if (!find_oieb_field(key)) fail(where, "unknown OIEB field '" + key + "'");
        }
      }
    } else if (verb == "bytes") {
      only_fields(step, where, {"check", "name", "at", "hex"});
      check_location(step, where, "at");
      check_hex(step, where, "hex");
    } else if (verb == "frame") {
      only_fields(step, where, {"check", "name", "at", "size", "sequence", "seed"});
      check_location(step, where, "at");
      require(step, where, "size", json::value_t::number_integer);
      require(step, where, "sequence", json::value_t::number_integer);
      if (step.contains("seed")) require(step, where, "seed", json::value_t::number_integer);
    } else if (verb == "objectSize") {
      only_fields(step, where, {"check", "name", "expect"});
      if (!step.contains("expect")) fail(where, "missing field 'expect'");
    } else if (verb == "noLeaks") {
      only_fields(step, where, {"check", "name", "scope"});
      if (step.contains("scope") && step.at("scope") != "name" && step.at("scope") != "test") {
        fail(where, "'scope' is 'name' (default) or 'test'");
      }
    } else if (verb == "present" || verb == "mode") {
      if (verb == "present") only_fields(step, where, {"check", "name", "objects"});
      if (verb == "mode") only_fields(step, where, {"check", "name", "expect", "objects"});
      if (verb == "mode" && require(step, where, "expect", json::value_t::string)) {
        static const std::regex octal("0[0-7]{3,4}");
        if (!std::regex_match(step.at("expect").get<std::string>(), octal)) {
          fail(where, "'expect' is an octal mode string such as \"0600\"");
        }
      }
      if (step.contains("objects") && require(step, where, "objects", json::value_t::array)) {
        for (const auto& object : step.at("objects")) {
          if (object != "shm" && object != "semW" && object != "semR" && object != "lock" && object != "writerLock" &&
              object != "lockDir") {
            fail(where, "'objects' entries are shm, semW, semR, lock, writerLock, lockDir");
          }
        }
      }
    } else if (verb == "lockPid") {
      only_fields(step, where, {"check", "name", "object", "expect"});
      if (require(step, where, "object", json::value_t::string) && step.at("object") != "lock" &&
          step.at("object") != "writerLock") {
        fail(where, "'object' is lock or writerLock");
      }
      if (!step.contains("expect")) fail(where, "missing field 'expect'");
    } else if (verb == "locked") {
      only_fields(step, where, {"check", "name", "objects", "expect"});
      require(step, where, "expect", json::value_t::boolean);
      if (require(step, where, "objects", json::value_t::array)) {
        for (const auto& object : step.at("objects")) {
          if (object != "lock" && object != "writerLock") fail(where, "'objects' entries are lock, writerLock");
        }
      }
    } else if (verb == "alive") {
      only_fields(step, where, {"check", "role"});
      if (require(step, where, "role", json::value_t::string)) {
        out.role = step.at("role");
        check_role(out.role, where);
      }
    } else {
      fail(where, "unknown check '" + verb +
                      "' (known: oieb, bytes, frame, objectSize, noLeaks, present, mode, locked, lockPid, alive)");
    }
  }

  Problems& problems_;
  std::string id_;
};

// Walks the steps in order, as the runner will, and rejects flows that cannot work: an await
// of a handle never started, a second request to a role that still has one in flight, a call
// to a role after it was killed, an async call never awaited.
class FlowChecker {
 public:
  FlowChecker(Problems& problems, const Scenario& scenario) : problems_(problems), scenario_(scenario) {}

  void run() {
    walk(scenario_.steps);
    for (const auto& [handle, role] : open_handles_) {
      problems_.add(scenario_.id, "", "async handle '" + handle + "' is never awaited");
    }
  }

 private:
  void fail(const Step& step, const std::string& text) { problems_.add(scenario_.id, step.where, text); }

  void use_role(const Step& step, const std::string& role) {
    if (killed_.count(role)) fail(step, "role '" + role + "' was killed earlier; start it again first");
    for (const auto& [handle, busy_role] : open_handles_) {
      if (busy_role == role) {
        fail(step, "role '" + role + "' still has async call '" + handle + "' in flight");
      }
    }
  }

  void walk(const std::vector<Step>& steps) {
    for (const auto& step : steps) {
      switch (step.type) {
        case StepType::raw:
          use_role(step, step.role);
          break;
        case StepType::call:
          use_role(step, step.role);
          if (!step.async_handle.empty()) {
            if (open_handles_.count(step.async_handle) || used_handles_.count(step.async_handle)) {
              fail(step, "async handle '" + step.async_handle + "' is used twice");
            }
            open_handles_[step.async_handle] = step.role;
            used_handles_.insert(step.async_handle);
          }
          break;
        case StepType::await:
          if (!open_handles_.count(step.handle)) {
            fail(step, "await of '" + step.handle + "', which is not an async call in flight");
          }
          open_handles_.erase(step.handle);
          break;
        case StepType::pending:
          if (!open_handles_.count(step.handle)) {
            fail(step, "pending of '" + step.handle + "', which is not an async call in flight");
          }
          break;
        case StepType::action:
          if (step.verb == "kill") {
            killed_.insert(step.role);
            for (auto it = open_handles_.begin(); it != open_handles_.end();) {
              it = it->second == step.role ? open_handles_.erase(it) : std::next(it);
            }
          } else if (step.verb == "start") {
            killed_.erase(step.role);
          }
          break;
        case StepType::check:
          if (step.verb == "alive") use_role(step, step.role);
          break;
        case StepType::repeat:
          walk(step.body);
          break;
      }
    }
  }

  Problems& problems_;
  const Scenario& scenario_;
  std::map<std::string, std::string> open_handles_;  // handle -> role
  std::set<std::string> used_handles_;
  std::set<std::string> killed_;
};

Scenario parse_scenario(const json& item, const std::string& file, Problems& problems) {
  Scenario scenario;
  scenario.file = file;
  if (!item.is_object()) {
    problems.add("", "", "each entry of 'scenarios' must be an object");
    return scenario;
  }
  if (item.contains("id") && item.at("id").is_string()) scenario.id = item.at("id");
  const std::string& id = scenario.id;
  static const std::regex id_pattern("[a-z][a-z0-9-]*(\\.[a-z0-9][a-z0-9-]*)+");
  if (id.empty() || !std::regex_match(id, id_pattern)) {
    problems.add(id, "", "missing or malformed 'id' (area.name, lower case, e.g. wrap.marker)");
  }
  static const std::vector<std::string> allowed = {"id",    "title",     "tier",      "needs",   "covers", "roles",
                                                   "steps", "timeoutMs", "exclusive", "comment"};
  for (const auto& [key, value] : item.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      problems.add(id, "", "unknown field '" + key + "' (allowed: " + join(allowed) + ")");
    }
  }
  if (item.contains("title") && item.at("title").is_string()) scenario.title = item.at("title");
  else problems.add(id, "", "missing 'title'");

  scenario.tier = item.value("tier", std::string("required"));
  if (scenario.tier != "required" && scenario.tier != "extended") {
    problems.add(id, "", "'tier' is 'required' or 'extended'");
  }
  if (item.contains("needs")) {
    if (!item.at("needs").is_array()) problems.add(id, "", "'needs' must be an array");
    else
      for (const auto& need : item.at("needs")) {
        if (!need.is_string() || !vocab::capability_side(need.get<std::string>())) {
          std::vector<std::string> known;
          for (const auto& [name, side] : vocab::capabilities()) known.push_back(name);
          problems.add(id, "", "unknown capability " + need.dump() + " in 'needs' (known: " + join(known) + ")");
        } else {
          scenario.needs.push_back(need);
        }
      }
  }
  if (item.contains("covers")) {
    static const std::regex rule_id("[a-z][a-z0-9-]*(\\.[a-z0-9-]+)+");
    if (!item.at("covers").is_array()) problems.add(id, "", "'covers' must be an array of rule ids");
    else
      for (const auto& rule : item.at("covers")) {
        if (!rule.is_string() || !std::regex_match(rule.get<std::string>(), rule_id)) {
          problems.add(id, "", "malformed rule id " + rule.dump() + " in 'covers' (area.name, e.g. wrap.marker)");
        } else if (std::find(scenario.covers.begin(), scenario.covers.end(), rule) != scenario.covers.end()) {
          problems.add(id, "", "rule " + rule.dump() + " listed twice in 'covers'");
        } else {
          scenario.covers.push_back(rule);
        }
      }
  }
  scenario.roles = {"reader", "writer"};
  if (item.contains("roles")) {
    scenario.roles.clear();
    if (!item.at("roles").is_array()) problems.add(id, "", "'roles' must be an array");
    else
      for (const auto& role : item.at("roles")) {
        if (!role.is_string() || !vocab::is_role(role.get<std::string>())) {
          problems.add(id, "", "unknown role " + role.dump() + " in 'roles'");
        } else if (std::find(scenario.roles.begin(), scenario.roles.end(), role) != scenario.roles.end()) {
          problems.add(id, "", "role " + role.dump() + " listed twice in 'roles'");
        } else {
          scenario.roles.push_back(role);
        }
      }
  }
  scenario.timeout_ms = scenario.tier == "extended" ? kDefaultExtendedTimeoutMs : kDefaultRequiredTimeoutMs;
  if (item.contains("timeoutMs")) {
    const json& t = item.at("timeoutMs");
    if (!t.is_number_integer() || t.get<int>() < 1000 || t.get<int>() > 600000) {
      problems.add(id, "", "'timeoutMs' must be an integer 1000..600000");
    } else {
      scenario.timeout_ms = t.get<int>();
    }
  }
  if (item.contains("exclusive")) {
    if (!item.at("exclusive").is_boolean()) problems.add(id, "", "'exclusive' must be true or false");
    else scenario.exclusive = item.at("exclusive").get<bool>();
  }
  if (item.contains("comment") && !item.at("comment").is_string()) {
    problems.add(id, "", "'comment' must be a string");
  }

  ScenarioParser parser(problems, id);
  if (item.contains("steps")) scenario.steps = parser.parse_steps(item.at("steps"), "");
  else problems.add(id, "", "missing 'steps'");

  FlowChecker(problems, scenario).run();
  return scenario;
}

}  // namespace

std::vector<Scenario> load_scenarios_from_text(const std::string& text, const std::string& file) {
  json document;
  try {
    document = json::parse(text);
  } catch (const json::exception& e) {  // a syntax error, or a number out of range (406)
    throw LoadError(file + ": not valid JSON: " + e.what());
  }
  Problems problems(file);
  std::vector<Scenario> scenarios;
  if (!document.is_object() || !document.contains("scenarios") || !document.at("scenarios").is_array()) {
    throw LoadError(file + ": expected an object with a 'scenarios' array");
  }
  for (const auto& [key, value] : document.items()) {
    if (key != "scenarios" && key != "$schema" && key != "area" && key != "comment") {
      problems.add("", "", "unknown top-level field '" + key + "' (allowed: $schema, area, comment, scenarios)");
    }
  }
  std::set<std::string> ids;
  for (const auto& item : document.at("scenarios")) {
    Scenario scenario = parse_scenario(item, file, problems);
    if (!scenario.id.empty() && !ids.insert(scenario.id).second) {
      problems.add(scenario.id, "", "duplicate scenario id");
    }
    scenarios.push_back(std::move(scenario));
  }
  if (!problems.empty()) throw LoadError(problems.text());
  return scenarios;
}

std::vector<Scenario> load_scenario_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw LoadError(path + ": cannot open");
  std::stringstream text;
  text << in.rdbuf();
  return load_scenarios_from_text(text.str(), path);
}

std::vector<Scenario> load_scenario_dir(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw LoadError(dir + ": not a directory");
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json" &&
        entry.path().filename() != "ports.json") {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<Scenario> all;
  std::map<std::string, std::string> seen;  // id -> file
  std::vector<std::string> errors;
  for (const auto& file : files) {
    try {
      for (auto& scenario : load_scenario_file(file.string())) {
        auto [it, inserted] = seen.emplace(scenario.id, scenario.file);
        if (!inserted) {
          errors.push_back(scenario.file + ": scenario '" + scenario.id + "': duplicate id (also in " +
                           it->second + ")");
        }
        all.push_back(std::move(scenario));
      }
    } catch (const LoadError& e) {
      errors.push_back(e.what());
    }
  }
  if (!errors.empty()) throw LoadError(join(errors, "\n"));
  if (all.empty()) throw LoadError(dir + ": no scenario files found");
  return all;
}

}  // namespace zbh
