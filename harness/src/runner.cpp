#include "runner.hpp"

#include "leftovers.hpp"
#include "matcher.hpp"
#include "process.hpp"
#include "read_verdict.hpp"
#include "reply_shape.hpp"
#include "shm_inspector.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <cstdio>
#include <fcntl.h>
#include <pwd.h>
#include <filesystem>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <sstream>
#include <sys/file.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace zbh {
namespace {

namespace fs = std::filesystem;
using Ms = std::chrono::duration<double, std::milli>;

constexpr std::size_t kLogValueLimit = 2000;
constexpr std::size_t kStderrInMessage = 3000;

// A step did not go as the scenario says: the cell fails with this message.
struct StepFailure {
  std::string message;
};
// The pair lacks a capability the scenario needs.
struct SkipCell {
  std::string reason;
};

std::string clip(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  return text.substr(0, limit) + "... (" + std::to_string(text.size() - limit) + " more bytes)";
}

std::string tail(const std::string& text, std::size_t limit) {
  if (text.size() <= limit) return text;
  return "(... " + std::to_string(text.size() - limit) + " bytes before)\n" + text.substr(text.size() - limit);
}

std::string dump(const json& value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string format_ms(double ms) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", ms);
  return text;
}

std::string unique_token() {
  static std::atomic<unsigned> counter{0};
  static const unsigned salt = [] {
    std::random_device device;
    return device() & 0xFFFFFF;
  }();
  char text[64];
  std::snprintf(text, sizeof text, "zbh%06x-%d-%u", salt, static_cast<int>(::getpid()), ++counter);
  return text;
}

std::string describe_step(const Step& step) {
  switch (step.type) {
    case StepType::call:
      return step.role + "." + step.method + (step.async_handle.empty() ? "" : " (async " + step.async_handle + ")");
    case StepType::await: return "await " + step.handle;
    case StepType::pending: return "pending " + step.handle;
    case StepType::action: return "do " + step.verb + (step.role.empty() ? "" : " " + step.role);
    case StepType::check: return "check " + step.verb + (step.role.empty() ? "" : " " + step.role);
    case StepType::repeat: return "repeat " + std::to_string(step.times);
    case StepType::raw: return step.role + (step.raw_is_text ? " raw line" : " sent value");
  }
  return "step";
}

// What is wrong with a -32000 error object (serve-protocol.md §4: `data` holds the kind and the
// same message), or "" when nothing is. Other codes carry no data requirement.
std::string library_error_problem(const json& error) {
  if (!error.is_object() || error.value("code", 0) != -32000) return "";
  if (!error.contains("data") || !error.at("data").is_object()) return "a -32000 error without a 'data' object";
  const json& data = error.at("data");
  if (!data.contains("kind") || !data.at("kind").is_string()) return "a -32000 error whose data has no string 'kind'";
  if (!vocab::is_error_kind(data.at("kind").get<std::string>())) {
    return "a -32000 error of kind '" + data.at("kind").get<std::string>() + "', which is not in the closed list";
  }
  if (!data.contains("message") || data.at("message") != error.value("message", json())) {
    return "a -32000 error whose data.message is not the same text as error.message";
  }
  return "";
}

struct Answer {
  bool ok = false;
  json result;       // when ok
  std::string kind;  // error kind otherwise: data.kind, or "rpc <code>"
  json error;        // the JSON-RPC error object
  std::vector<std::string> shape_problems;  // where the reply breaks docs/schema (reply_shape.hpp)
  Clock::time_point received;

  std::string describe() const {
    if (ok) return "result " + clip(dump(result), 500);
    return kind + ": " + error.value("message", std::string()) +
           (error.contains("data") ? " data=" + clip(dump(error.at("data")), 500) : "");
  }
};

struct Role {
  std::string name;
  std::string side;  // "reader" or "writer"
  const Port* port = nullptr;
  std::unique_ptr<ServeProcess> process;
  std::uint64_t pid = 0;
  std::set<std::string> capabilities;
  int next_id = 1;
  bool killed = false;

  int pending_id = 0;  // request in flight, 0 = none
  std::string pending_method;
  PatternCheck pending_check;  // how the harness judges the answer of a reader call
  Clock::time_point pending_sent;

  std::string label() const { return name + " (" + port->name + ")"; }
};

class CellRun {
 public:
  CellRun(const CellSpec& cell, const RunnerOptions& options)
      : cell_(cell), scenario_(*cell.scenario), options_(options) {}

  CellResult run() {
    CellResult result;
    result.scenario = scenario_.id;
    result.title = scenario_.title;
    result.tier = scenario_.tier;
    result.writer = cell_.writer.name;
    result.reader = cell_.reader.name;
    start_ = Clock::now();
    test_deadline_ = start_ + std::chrono::milliseconds(scenario_.timeout_ms);

    int exclusive_fd = -1;
    try {
      if (scenario_.exclusive) exclusive_fd = lock_exclusive();
      prepare();
      start_roles(scenario_.roles);
      run_steps(scenario_.steps);
      result.outcome = Outcome::passed;
    } catch (const StepFailure& failure) {
      result.outcome = Outcome::failed;
      result.message = failure.message;
      result.failed_step = current_step_;
      note("FAILED at " + current_step_ + ": " + failure.message);
    } catch (const SkipCell& skip) {
      result.outcome = Outcome::skipped;
      result.message = skip.reason;
      note("SKIPPED: " + skip.reason);
    } catch (const std::exception& e) {
      result.outcome = Outcome::failed;
      result.message = std::string("harness error: ") + e.what();
      result.failed_step = current_step_;
      note("HARNESS ERROR: " + std::string(e.what()));
    }

    std::string teardown_problem = teardown();
    if (!teardown_problem.empty() && result.outcome == Outcome::passed) {
      result.outcome = Outcome::failed;
      result.message = "teardown: " + teardown_problem;
      result.failed_step = "teardown";
    }
    const bool clean_exit = teardown_problem.empty() && !fabricated_ &&
                            std::none_of(roles_.begin(), roles_.end(), [](const auto& r) { return r.second.killed; });
    const std::vector<std::string> left = cleanup();
    if (!left.empty() && clean_exit && result.outcome == Outcome::passed) {
      std::string list;
      for (const auto& path : left) list += " " + path;
      result.outcome = Outcome::failed;
      result.message = "leftovers after every role exited 0 with nothing killed or fabricated:" + list;
      result.failed_step = "teardown";
      note("FAILED at teardown: " + result.message);
    }
    if (exclusive_fd >= 0) ::close(exclusive_fd);

    result.duration_ms = Ms(Clock::now() - start_).count();
    note(std::string("outcome: ") + outcome_name(result.outcome) + " in " + format_ms(result.duration_ms) + " ms");
    append_stderr_sections();
    result.log = log_.str();
    return result;
  }

 private:
  // ---- set-up and tear-down -------------------------------------------------------------

  int lock_exclusive() {
    int fd = ::open(options_.exclusive_lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (fd < 0) throw StepFailure{"cannot open " + options_.exclusive_lock};
    note("waiting for the exclusive lock (scenario uses literal buffer names)");
    while (::flock(fd, LOCK_EX) != 0) {
      if (errno == EINTR) continue;
      const int error = errno;
      ::close(fd);
      throw StepFailure{"cannot lock " + options_.exclusive_lock + ": " + std::strerror(error)};
    }
    return fd;
  }

  void prepare() {
    bindings_.name = unique_token();
    bindings_.uuid = make_uuid();
    work_dir_ = options_.temp_root + "/" + bindings_.name;
    fs::create_directories(work_dir_);
    // The lock directory does not exist yet: creating it is the port's job.
    lock_dir_ = work_dir_ + "/locks";
    note("scenario " + scenario_.id + " (" + scenario_.file + "): " + scenario_.title);
    note("writer " + cell_.writer.name + ", reader " + cell_.reader.name + ", buffer name " + bindings_.name +
         ", ZEROBUFFER_LOCK_DIR=" + lock_dir_);
  }

  // Shuts every serve down (killing busy or hung ones); returns a problem worth failing for.
  std::string teardown() {
    std::string problem;
    std::vector<Role*> stopping;
    for (auto& [name, role] : roles_) {
      if (!role.process || role.killed) continue;
      if (!role.process->running()) {
        problem += role.label() + " ended before shutdown (" + role.process->exit_description() + "). ";
        continue;
      }
      if (role.pending_id != 0) {
        note("teardown: " + role.label() + " is still busy; killing it");
        role.process->kill_group();
        continue;
      }
      try {
        quiet_ = true;
        send(role, "shutdown", json::object());
        stopping.push_back(&role);
      } catch (const StepFailure&) {
        role.process->kill_group();
      }
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(options_.shutdown_deadline_ms);
    for (Role* role : stopping) {
      role->process->next_line(deadline);  // the {} answer, if it comes
      role->pending_id = 0;
      role->process->close_stdin();
      auto code = role->process->wait_exit(deadline);
      if (!code) {
        role->process->kill_group();
        problem += role->label() + " did not exit within " + std::to_string(options_.shutdown_deadline_ms) +
                   " ms of shutdown (killed). ";
      } else if (*code != 0) {
        problem += role->label() + " exited with " + role->process->exit_description() + " after shutdown. ";
      }
    }
    quiet_ = false;
    if (!problem.empty()) note("teardown: " + problem);
    return problem;
  }

  // Removes what the cell left behind (leftovers.hpp) and returns what was found.
  std::vector<std::string> cleanup() {
    std::set<std::string> names = names_used_;
    names.insert(bindings_.name);
    const std::vector<std::string> found = find_leftovers(names, bindings_.name, lock_dir_);
    const std::vector<std::string> removed = remove_paths(found);
    if (!removed.empty()) {
      std::string list;
      for (const auto& path : removed) list += " " + path;
      note("cleanup: the harness removed leftovers:" + list);
    }
    if (removed.size() != found.size()) note("cleanup: some leftovers could not be removed");
    std::error_code ec;
    if (!work_dir_.empty()) fs::remove_all(work_dir_, ec);
    return found;
  }

  // ---- logging ------------------------------------------------------------------------

  void note(const std::string& text) {
    char stamp[32];
    std::snprintf(stamp, sizeof stamp, "[%9.1f ms] ", Ms(Clock::now() - start_).count());
    log_ << stamp << text << "\n";
  }

  void append_stderr_sections() {
    for (const auto& section : retired_stderr_) log_ << section;
    for (const auto& [name, role] : roles_) {
      if (role.process) log_ << stderr_section(role);
    }
  }

  std::string stderr_section(const Role& role) const {
    std::string text = role.process->stderr_text();
    std::ostringstream out;
    out << "--- stderr of " << role.label() << ", pid " << role.process->pid() << ", "
        << role.process->exit_description() << " ---\n"
        << (text.empty() ? "(empty)\n" : tail(text, 64 * 1024));
    if (!text.empty() && text.back() != '\n') out << "\n";
    return out.str();
  }

  // ---- roles --------------------------------------------------------------------------

  void start_roles(const std::vector<std::string>& names) {
    for (const auto& name : names) spawn(name);  // all start in parallel ...
    for (const auto& name : names) hello(roles_.at(name));  // ... then each says hello
  }

  void spawn(const std::string& name) {
    auto existing = roles_.find(name);
    if (existing != roles_.end()) {
      if (existing->second.process && !existing->second.killed && existing->second.process->running()) {
        throw StepFailure{"role '" + name + "' is already running"};
      }
      if (existing->second.process) retired_stderr_.push_back(stderr_section(existing->second));
      roles_.erase(existing);
    }
    Role role;
    role.name = name;
    role.side = vocab::role_side(name);
    role.port = role.side == "reader" ? &cell_.reader : &cell_.writer;
    std::map<std::string, std::string> env = {{"ZEROBUFFER_LOCK_DIR", lock_dir_}};
    for (const auto& [key, value] : role_env_[name]) env[key] = value;
    std::vector<std::string> command = role.port->command;
    if (auto user = run_as_.find(name); user != run_as_.end()) {
      command.insert(command.begin(), {"setpriv", "--reuid=" + std::to_string(user->second.first),
                                       "--regid=" + std::to_string(user->second.second), "--clear-groups", "--"});
    }
    if (pid_isolated_.count(name)) command.insert(command.begin(), {"unshare", "--pid", "--fork"});
    try {
      role.process = std::make_unique<ServeProcess>(command, env);
    } catch (const ProcessError& e) {
      throw StepFailure{"cannot start " + role.label() + ": " + e.what()};
    }
    note("started " + role.label() + ": pid " + std::to_string(role.process->pid()));
    roles_.emplace(name, std::move(role));
  }

  void hello(Role& role) {
    send(role, "hello", json::object());
    const auto deadline = std::min(test_deadline_, Clock::now() + std::chrono::milliseconds(options_.hello_deadline_ms));
    Answer answer = wait_answer(role, deadline, "hello");
    if (!answer.ok) throw StepFailure{role.label() + ": hello failed: " + answer.describe()};
    const json& r = answer.result;
    std::vector<std::string> problems = answer.shape_problems;
    if (r.value("serveProtocol", 0) != 1) problems.push_back("serveProtocol is not 1");
    if (r.value("wireVersion", std::string()) != "1.0.0") problems.push_back("wireVersion is not \"1.0.0\"");
    if (!r.contains("pid") || !r.at("pid").is_number_unsigned() || r.at("pid").get<std::uint64_t>() == 0) {
      problems.push_back("pid is missing or not a positive integer");
    }
    if (!r.contains("capabilities") || !r.at("capabilities").is_array()) problems.push_back("capabilities is not an array");
    if (!problems.empty()) {
      std::string text;
      for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
      throw StepFailure{role.label() + ": bad hello answer (" + text + "): " + dump(r)};
    }
    role.pid = r.at("pid").get<std::uint64_t>();
    for (const auto& capability : r.at("capabilities")) {
      if (capability.is_string()) role.capabilities.insert(capability.get<std::string>());
    }
    bindings_.pids[role.name] = role.pid;
    for (const auto& need : scenario_.needs) {
      if (vocab::capability_side(need) == role.side && !role.capabilities.count(need)) {
        throw SkipCell{role.side + " port '" + role.port->name + "' does not offer capability '" + need + "'"};
      }
    }
  }

  Role& role_for_use(const std::string& name) {
    auto it = roles_.find(name);
    if (it == roles_.end()) {
      start_roles({name});
      it = roles_.find(name);
    }
    Role& role = it->second;
    if (role.killed) throw StepFailure{"role '" + name + "' was killed"};
    return role;
  }

  // ---- requests -----------------------------------------------------------------------

  void send(Role& role, const std::string& method, const json& params) {
    if (role.pending_id != 0) {
      throw StepFailure{role.label() + " still has '" + role.pending_method + "' in flight"};
    }
    const int id = role.next_id++;
    json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
    const std::string line = dump(request);
    if (!quiet_) note("-> " + role.name + ": " + clip(line, kLogValueLimit));
    try {
      role.process->send_line(line);
    } catch (const ProcessError& e) {
      throw StepFailure{process_gone(role, method, e.what())};
    }
    role.pending_id = id;
    role.pending_method = method;
    role.pending_sent = Clock::now();
  }

  std::string process_gone(Role& role, const std::string& what, const std::string& detail = "") {
    role.process->wait_exit(Clock::now() + std::chrono::milliseconds(200));
    return role.label() + " ended (" + role.process->exit_description() + ") while handling " + what +
           (detail.empty() ? "" : " (" + detail + ")") + "; its stderr:\n" +
           tail(role.process->stderr_text(), kStderrInMessage);
  }

  Answer wait_answer(Role& role, Clock::time_point deadline, const std::string& what) {
    auto line = role.process->next_line(deadline);
    if (!line) {
      if (role.process->stdout_ended()) {
        role.pending_id = 0;
        throw StepFailure{process_gone(role, what)};
      }
      const double waited = Ms(Clock::now() - role.pending_sent).count();
      role.process->kill_group();
      role.killed = true;
      const bool budget = deadline >= test_deadline_;
      throw StepFailure{role.label() + " did not answer " + what + " within " + format_ms(waited) + " ms" +
                        (budget ? " (the scenario's budget of " + std::to_string(scenario_.timeout_ms) + " ms ran out)"
                                : " (step deadline)") +
                        "; the harness killed it. Its stderr:\n" + tail(role.process->stderr_text(), kStderrInMessage)};
    }
    if (!quiet_) note("<- " + role.name + ": " + clip(line->text, kLogValueLimit));
    json message;
    try {
      message = json::parse(line->text);
    } catch (const std::exception&) {
      throw StepFailure{role.label() + " wrote a line on stdout that is not JSON (stdout is for protocol "
                        "messages only): " + clip(line->text, 300)};
    }
    if (!message.is_object() || !message.contains("id") || message.at("id") != role.pending_id) {
      throw StepFailure{role.label() + " answered " + what + " with an unexpected message (expected id " +
                        std::to_string(role.pending_id) + "): " + clip(line->text, 300)};
    }
    role.pending_id = 0;
    Answer answer;
    answer.received = line->received;
    answer.shape_problems = reply_shape_problems(role.pending_method, message);
    if (message.contains("result") && message.at("result").is_object()) {
      answer.ok = true;
      answer.result = message.at("result");
    } else if (message.contains("error") && message.at("error").is_object()) {
      answer.error = message.at("error");
      if (auto problem = library_error_problem(answer.error); !problem.empty()) {
        throw StepFailure{role.label() + " answered " + what + " with " + problem + ": " + clip(line->text, 300)};
      }
      const json& data = answer.error.contains("data") ? answer.error.at("data") : json();
      if (answer.error.value("code", 0) == -32000 && data.is_object() && data.contains("kind") &&
          data.at("kind").is_string()) {
        answer.kind = data.at("kind").get<std::string>();
      } else {
        answer.kind = "rpc " + std::to_string(answer.error.value("code", 0));
      }
    } else {
      throw StepFailure{role.label() + " answered " + what + " with neither a result object nor an error: " +
                        clip(line->text, 300)};
    }
    return answer;
  }

  // ---- steps --------------------------------------------------------------------------

  Clock::time_point deadline_for(const Step& step) const {
    return std::min(test_deadline_,
                    Clock::now() + std::chrono::milliseconds(step.deadline_ms.value_or(kDefaultStepDeadlineMs)));
  }

  json resolved(const json& value) {
    try {
      return resolve(value, bindings_);
    } catch (const ResolveError& e) {
      throw StepFailure{e.what()};
    }
  }

  std::string name_param(const Step& step) {
    if (!step.params.contains("name")) return bindings_.name;
    std::string name = resolved(step.params.at("name")).get<std::string>();
    names_used_.insert(name);
    return name;
  }

  void run_steps(const std::vector<Step>& steps) {
    for (const auto& step : steps) {
      current_step_ = step.where + " (" + describe_step(step) + ")";
      if (Clock::now() >= test_deadline_) {
        throw StepFailure{"the scenario's budget of " + std::to_string(scenario_.timeout_ms) + " ms ran out"};
      }
      run_step(step);
    }
  }

  void run_step(const Step& step) {
    switch (step.type) {
      case StepType::call: return run_call(step);
      case StepType::await: return run_await(step);
      case StepType::pending: return run_pending(step);
      case StepType::action: return run_action(step);
      case StepType::check:
        if (!quiet_) note("check " + step.verb + ": " + clip(dump(step.params), 500));
        return run_check(step);
      case StepType::repeat: return run_repeat(step);
      case StepType::raw: return run_raw(step);
    }
  }

  void run_repeat(const Step& step) {
    const bool was_quiet = quiet_;
    for (int i = 1; i <= step.times; ++i) {
      if (i == 2 && !was_quiet) note("repeat: iterations 2.." + std::to_string(step.times) + " run quietly");
      quiet_ = was_quiet || i > 1;
      try {
        run_steps(step.body);
      } catch (StepFailure& failure) {
        quiet_ = was_quiet;
        failure.message = "in iteration " + std::to_string(i) + " of " + std::to_string(step.times) + ": " +
                          failure.message;
        throw;
      }
    }
    quiet_ = was_quiet;
  }

  void run_call(const Step& step) {
    Role& role = role_for_use(step.role);
    json args = resolved(step.args);
    if ((step.method == "createReader" || step.method == "connectWriter") && !args.contains("name")) {
      args["name"] = bindings_.name;
    }
    if (args.contains("name") && args.at("name").is_string()) names_used_.insert(args.at("name").get<std::string>());
    const PatternCheck check = take_pattern_args(step.method, args);
    send(role, step.method, args);
    role.pending_check = check;
    if (!step.async_handle.empty()) {
      handles_[step.async_handle] = role.name;
      return;
    }
    Answer answer = wait_answer(role, deadline_for(step), step.method);
    verify(step, answer, Ms(answer.received - role.pending_sent).count(), step.method, check);
  }

  // Sends the step's line as it is and matches the whole response line (the serve protocol's
  // own rules: parse errors, envelopes, ids, error codes).
  void run_raw(const Step& step) {
    Role& role = role_for_use(step.role);
    if (role.pending_id != 0) throw StepFailure{role.label() + " still has '" + role.pending_method + "' in flight"};
    json value = resolved(step.raw_line);
    const std::string line = step.raw_is_text && value.is_string() ? value.get<std::string>() : dump(value);
    if (!quiet_) note("-> " + role.name + " (raw): " + clip(line, kLogValueLimit));
    const std::string what = "the raw line " + clip(line, 200);
    try {
      role.process->send_line(line);
    } catch (const ProcessError& e) {
      throw StepFailure{process_gone(role, what, e.what())};
    }
    role.pending_sent = Clock::now();
    if (!step.expect.reply) return;  // noReply: a stray answer fails the role's next request
    auto answer = role.process->next_line(deadline_for(step));
    if (!answer) {
      if (role.process->stdout_ended()) throw StepFailure{process_gone(role, what)};
      role.process->kill_group();
      role.killed = true;
      throw StepFailure{role.label() + " did not answer " + what + " (step deadline); the harness killed it"};
    }
    if (!quiet_) note("<- " + role.name + ": " + clip(answer->text, kLogValueLimit));
    json reply;
    try {
      reply = json::parse(answer->text);
    } catch (const std::exception&) {
      throw StepFailure{role.label() + " answered " + what + " with a line that is not JSON: " + clip(answer->text, 300)};
    }
    auto mismatches = match(resolved(*step.expect.reply), reply, "reply");
    if (reply.is_object() && reply.contains("error")) {
      if (auto problem = library_error_problem(reply.at("error")); !problem.empty()) mismatches.push_back(problem);
    }
    if (!mismatches.empty()) {
      std::string text;
      for (const auto& m : mismatches) text += (text.empty() ? "" : "; ") + m;
      throw StepFailure{text + " (the reply: " + clip(answer->text, 500) + ")"};
    }
  }

  void run_await(const Step& step) {
    Role& role = awaited_role(step.handle);
    const auto began = Clock::now();
    const std::string method = role.pending_method;
    const PatternCheck check = role.pending_check;
    Answer answer = wait_answer(role, deadline_for(step), method + " (async '" + step.handle + "')");
    handles_.erase(step.handle);
    verify(step, answer, std::max(0.0, Ms(answer.received - began).count()), method, check);
  }

  Role& awaited_role(const std::string& handle) {
    auto it = handles_.find(handle);
    if (it == handles_.end()) throw StepFailure{"no async call '" + handle + "' in flight"};
    Role& role = roles_.at(it->second);
    if (role.killed) throw StepFailure{"the role of async call '" + handle + "' was killed"};
    return role;
  }

  void run_pending(const Step& step) {
    Role& role = awaited_role(step.handle);
    auto line = role.process->next_line(Clock::now() + std::chrono::milliseconds(step.for_ms));
    if (line) {
      const double after = Ms(line->received - role.pending_sent).count();
      throw StepFailure{"async call '" + step.handle + "' (" + role.pending_method + ") should still be blocked " +
                        std::to_string(step.for_ms) + " ms on, but it answered after " + format_ms(after) +
                        " ms: " + clip(line->text, 500)};
    }
    if (role.process->stdout_ended()) throw StepFailure{process_gone(role, role.pending_method)};
    note("pending: '" + step.handle + "' still blocked after " + std::to_string(step.for_ms) + " ms");
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

  void verify(const Step& step, Answer answer, double measured_ms, const std::string& method,
              const PatternCheck& check) {
    const Expectation& expect = step.expect;
    std::vector<std::string> problems = answer.shape_problems;
    auto verdict = judge(answer, method, check);
    problems.insert(problems.end(), verdict.begin(), verdict.end());
    if (expect.expects_error()) {
      if (answer.ok) {
        problems.push_back("expected error " + *expect.error_kind + ", got " + answer.describe());
      } else if (answer.kind != *expect.error_kind) {
        problems.push_back("expected error " + *expect.error_kind + ", got " + answer.describe());
      } else {
        const json data = answer.error.contains("data") ? answer.error.at("data") : json::object();
        const json expected = expect.error_data ? resolved(*expect.error_data) : json::object();
        auto mismatches = match(expected, data, "error.data");
        problems.insert(problems.end(), mismatches.begin(), mismatches.end());
        auto damaged = demand_intact(method, expected, data, check);
        problems.insert(problems.end(), damaged.begin(), damaged.end());
      }
    } else if (!answer.ok) {
      problems.push_back("unexpected error " + answer.describe());
    } else {
      const json expected = expect.result ? resolved(*expect.result) : json::object();
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
    if (!quiet_ && (expect.within_ms || expect.at_least_ms)) note("timing: " + format_ms(measured_ms) + " ms");
    if (!problems.empty()) {
      std::string text;
      for (const auto& p : problems) text += (text.empty() ? "" : "; ") + p;
      throw StepFailure{text};
    }
    if (!step.save_as.empty()) {
      json saved = answer.ok ? answer.result : answer.error.value("data", json::object());
      bindings_.saved[step.save_as] = saved;
    }
  }

  // ---- harness actions ----------------------------------------------------------------

  void run_action(const Step& step) {
    const json& p = step.params;
    if (step.verb == "start") {
      start_roles({step.role});
    } else if (step.verb == "kill") {
      auto it = roles_.find(step.role);
      if (it == roles_.end() || !it->second.process) throw StepFailure{"role '" + step.role + "' was never started"};
      Role& role = it->second;
      const bool reap = p.value("reap", true);
      role.process->kill_group(reap);
      role.killed = true;
      role.pending_id = 0;
      for (auto h = handles_.begin(); h != handles_.end();) h = h->second == role.name ? handles_.erase(h) : std::next(h);
      note("killed " + role.label() + " (SIGKILL to process group " + std::to_string(role.process->pid()) + ")" +
           (reap ? "" : "; not reaped: it stays a zombie"));
    } else if (step.verb == "sleep") {
      const auto until = std::min(test_deadline_, Clock::now() + std::chrono::milliseconds(p.at("ms").get<int>()));
      std::this_thread::sleep_until(until);
    } else if (step.verb == "setEnv") {
      auto it = roles_.find(step.role);
      if (it != roles_.end() && !it->second.killed) {
        throw StepFailure{"setEnv for role '" + step.role + "', which already runs (set it before the role starts)"};
      }
      for (const auto& [key, value] : p.at("env").items()) role_env_[step.role][key] = resolved(value).get<std::string>();
    } else if (step.verb == "isolatePids") {
      auto it = roles_.find(step.role);
      if (it != roles_.end() && !it->second.killed) {
        throw StepFailure{"isolatePids for role '" + step.role + "', which already runs (isolate it before it starts)"};
      }
      // CI runs as root, where this must work: only a non-root run or a missing unshare skips.
      if (::geteuid() != 0) throw SkipCell{"isolatePids needs root (unshare --pid); not root"};
      if (!is_executable("unshare")) throw SkipCell{"isolatePids needs unshare (util-linux), not found on PATH"};
      if (run_quietly({"unshare", "--pid", "--fork", "true"}) != 0) {
        throw StepFailure{"isolatePids: `unshare --pid --fork true` fails although we are root"};
      }
      pid_isolated_.insert(step.role);
      note("role " + step.role + " will run in a PID namespace of its own (unshare --pid --fork)");
    } else if (step.verb == "runAs") {
      auto it = roles_.find(step.role);
      if (it != roles_.end() && !it->second.killed) {
        throw StepFailure{"runAs for role '" + step.role + "', which already runs (set it before it starts)"};
      }
      const std::string user = p.at("user").get<std::string>();
      if (::geteuid() != 0) throw SkipCell{"runAs needs root (setpriv to user " + user + "); not root"};
      if (!is_executable("setpriv")) throw SkipCell{"runAs needs setpriv (util-linux), not found on PATH"};
      const passwd* entry = ::getpwnam(user.c_str());
      if (entry == nullptr) throw StepFailure{"runAs: no user '" + user + "'"};
      run_as_[step.role] = {entry->pw_uid, entry->pw_gid};
      // The role creates the lock directory inside the cell's directory: let every user do so.
      if (::chmod(work_dir_.c_str(), 01777) != 0) throw StepFailure{"runAs: cannot chmod " + work_dir_};
      note("role " + step.role + " will run as user " + user + " (uid " + std::to_string(entry->pw_uid) + ")");
    } else if (step.verb == "fabricateStale") {
      const std::string name = name_param(step);
      try {
        fabricate_stale(name, lock_dir_, p.value("metadataSize", 64), p.value("payloadSize", 1024));
      } catch (const ShmError& e) {
        throw StepFailure{e.what()};
      }
      fabricated_ = true;
      note("fabricated stale resources for " + name);
    } else if (step.verb == "unlink") {
      const std::string name = name_param(step);
      try {
        note("unlinked " + unlink_object(name, lock_dir_, p.at("object").get<std::string>()));
      } catch (const ShmError& e) {
        throw StepFailure{e.what()};
      }
    } else if (step.verb == "writeLockPid") {
      const auto paths = BufferPaths::of(name_param(step), lock_dir_);
      const std::string& path = p.at("object") == "lock" ? paths.lock : paths.writer_lock;
      try {
        write_lock_pid(path, p.at("value").get<std::uint64_t>());
      } catch (const ShmError& e) {
        throw StepFailure{"writeLockPid: " + std::string(e.what())};
      }
      note("wrote pid " + std::to_string(p.at("value").get<std::uint64_t>()) + " into " + path);
    } else if (step.verb == "createObject") {
      const std::string name = name_param(step);
      try {
        create_object(name, p.at("size").get<std::uint64_t>());
      } catch (const ShmError& e) {
        throw StepFailure{e.what()};
      }
      fabricated_ = true;  // an object the harness made: no port owns it
      note("created /dev/shm/" + name + " of " + std::to_string(p.at("size").get<std::uint64_t>()) + " bytes");
    } else if (step.verb == "corrupt") {
      corrupt(step);
    }
  }

  void corrupt(const Step& step) {
    const json& p = step.params;
    const std::string name = name_param(step);
    try {
      ShmView view = ShmView::open(name, true);
      std::uint64_t offset = 0;
      std::vector<std::uint8_t> bytes;
      if (p.contains("hex")) {
        offset = view.resolve(*parse_location(p.at("at")));
        bytes = *parse_hex(p.at("hex"));
      } else {
        std::size_t width = 8;
        if (p.contains("field")) {
          auto field = *find_oieb_field(p.at("field").get<std::string>());
          offset = field.offset;
          width = field.width;
        } else if (p.contains("frameField")) {
          offset = view.resolve({Location::Base::frame, p.at("frameField") == "size" ? 0u : 8u});
        } else {
          offset = view.resolve(*parse_location(p.at("at")));
          width = p.value("width", 8);
        }
        bytes.resize(width);
        const auto value = p.at("value").get<std::uint64_t>();
        for (std::size_t i = 0; i < width; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
      }
      auto before = view.read_bytes(offset, bytes.size());
      view.write_bytes(offset, bytes);
      note("corrupt: offset " + std::to_string(offset) + ": " + to_hex(before.data(), before.size()) + " -> " +
           to_hex(bytes.data(), bytes.size()));
    } catch (const ShmError& e) {
      throw StepFailure{"corrupt: " + std::string(e.what())};
    }
  }

  // ---- harness checks -----------------------------------------------------------------

  void run_check(const Step& step) {
    const json& p = step.params;
    const std::string& verb = step.verb;
    if (verb == "alive") return check_alive(step);
    const std::string name = name_param(step);
    const auto paths = BufferPaths::of(name, lock_dir_);
    try {
      if (verb == "oieb") {
        ShmView view = ShmView::open(name, false);
        json snapshot = view.oieb();
        bindings_.saved["oieb"] = snapshot;
        json expected = resolved(p.at("expect"));
        bindings_.saved.erase("oieb");
        auto mismatches = match(expected, snapshot, "oieb");
        if (!mismatches.empty()) fail_with(mismatches, "OIEB now: " + dump(snapshot));
      } else if (verb == "bytes") {
        ShmView view = ShmView::open(name, false);
        const auto expected = *parse_hex(p.at("hex"));
        const std::uint64_t offset = view.resolve(*parse_location(p.at("at")));
        const auto actual = view.read_bytes(offset, expected.size());
        if (actual != expected) {
          throw StepFailure{"bytes at " + p.at("at").get<std::string>() + " (offset " + std::to_string(offset) +
                            "): expected " + to_hex(expected.data(), expected.size()) + ", got " +
                            to_hex(actual.data(), actual.size())};
        }
      } else if (verb == "frame") {
        check_frame(step, name);
      } else if (verb == "objectSize") {
        struct stat st {};
        if (::stat(paths.shm.c_str(), &st) != 0) throw StepFailure{paths.shm + " does not exist"};
        auto mismatches = match(resolved(p.at("expect")), json(static_cast<std::uint64_t>(st.st_size)), "objectSize");
        if (!mismatches.empty()) fail_with(mismatches);
      } else if (verb == "noLeaks") {
        const bool whole_test = p.value("scope", std::string("name")) == "test";
        auto left = whole_test ? objects_containing(bindings_.name, lock_dir_) : existing_objects(name, lock_dir_);
        if (!left.empty()) {
          std::string list;
          for (const auto& path : left) list += " " + path;
          throw StepFailure{"leaked objects:" + list};
        }
      } else if (verb == "present") {
        // The lock file's place is the lock-directory rule's subject: checked only when asked for.
        std::set<std::string> wanted = {"shm", "semW", "semR"};
        if (p.contains("objects")) wanted = p.at("objects").get<std::set<std::string>>();
        std::string missing;
        for (const auto& [label, path] : paths.labelled()) {
          if (wanted.count(label) && ::access(path.c_str(), F_OK) != 0) missing += " " + path;
        }
        if (!missing.empty()) throw StepFailure{"missing objects:" + missing};
      } else if (verb == "mode") {
        check_mode(step, paths);
      } else if (verb == "lockPid") {
        const std::string& path = p.at("object") == "lock" ? paths.lock : paths.writer_lock;
        const json expected = resolved(p.at("expect"));
        const std::string want = expected.is_string() ? expected.get<std::string>() : expected.dump();
        const std::string content = read_lock_file(path);
        if (content != want) throw StepFailure{path + " holds \"" + content + "\", expected \"" + want + "\""};
      } else if (verb == "locked") {
        const bool expected = p.at("expect").get<bool>();
        std::string wrong;
        for (const auto& [label, path] : paths.labelled()) {
          const json& wanted = p.at("objects");
          if (std::find(wanted.begin(), wanted.end(), label) == wanted.end()) continue;
          if (lock_held(path) != expected) wrong += " " + path;
        }
        if (!wrong.empty()) throw StepFailure{std::string(expected ? "not locked:" : "locked:") + wrong};
      }
    } catch (const ShmError& e) {
      throw StepFailure{"check " + verb + ": " + e.what()};
    }
  }

  [[noreturn]] void fail_with(const std::vector<std::string>& mismatches, const std::string& context = "") {
    std::string text;
    for (const auto& m : mismatches) text += (text.empty() ? "" : "; ") + m;
    if (!context.empty()) text += " [" + context + "]";
    throw StepFailure{text};
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
        throw StepFailure{"frame data at " + p.at("at").get<std::string>() + ": byte " + std::to_string(i) +
                          " is " + std::to_string(data[i]) + ", the pattern says " +
                          std::to_string(pattern_byte(i, sequence, seed)) + " (overwritten?)"};
      }
    }
  }

  void check_mode(const Step& step, const BufferPaths& paths) {
    const json& p = step.params;
    const unsigned expected = std::stoul(p.at("expect").get<std::string>(), nullptr, 8);
    std::set<std::string> wanted = {"shm", "semW", "semR", "lock"};
    if (p.contains("objects")) wanted = p.at("objects").get<std::set<std::string>>();
    std::vector<std::string> problems;
    auto objects = paths.labelled();
    objects.emplace_back("lockDir", lock_dir_);  // only when asked for: not one of the buffer's objects
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

  void check_alive(const Step& step) {
    auto it = roles_.find(step.role);
    if (it == roles_.end()) throw StepFailure{"role '" + step.role + "' was never started"};
    Role& role = it->second;
    if (!role.process->running()) throw StepFailure{process_gone(role, "nothing (it should be alive)")};
    send(role, "status", json::object());
    Answer answer = wait_answer(role, deadline_for(step), "status");
    if (!answer.ok) throw StepFailure{role.label() + " is alive but status failed: " + answer.describe()};
  }

  const CellSpec& cell_;
  const Scenario& scenario_;
  const RunnerOptions& options_;
  Clock::time_point start_;
  Clock::time_point test_deadline_;
  std::ostringstream log_;
  bool quiet_ = false;
  bool fabricated_ = false;  // the harness made objects itself: leftovers are not the port's fault
  std::string current_step_ = "start-up";

  Bindings bindings_;
  std::string work_dir_;
  std::string lock_dir_;
  std::set<std::string> names_used_;
  std::map<std::string, Role> roles_;
  std::map<std::string, std::map<std::string, std::string>> role_env_;
  std::set<std::string> pid_isolated_;  // roles started under unshare --pid --fork
  std::map<std::string, std::pair<uid_t, gid_t>> run_as_;  // roles started as another user (setpriv)
  std::map<std::string, std::string> handles_;  // async handle -> role
  std::vector<std::string> retired_stderr_;
};

}  // namespace

CellResult run_cell(const CellSpec& cell, const RunnerOptions& options) {
  return CellRun(cell, options).run();
}

std::vector<CellResult> run_matrix(const std::vector<CellSpec>& cells, const RunnerOptions& options,
                                   const MatrixOptions& matrix) {
  std::vector<CellResult> results(cells.size());
  std::vector<bool> ran(cells.size());
  std::atomic<std::size_t> next{0};
  std::atomic<bool> stop{false};
  std::size_t done = 0;
  std::mutex mutex;
  auto worker = [&] {
    while (!stop) {
      const std::size_t index = next++;
      if (index >= cells.size()) return;
      CellResult result = run_cell(cells[index], options);
      std::lock_guard lock(mutex);
      if (matrix.finish) matrix.finish(result);
      if (matrix.fail_fast && outcome_fails_run(result.outcome)) stop = true;
      results[index] = std::move(result);
      ran[index] = true;
      ++done;
      if (matrix.on_result) matrix.on_result(results[index], done, cells.size());
    }
  };
  const int jobs = std::max(1, std::min<int>(matrix.jobs, static_cast<int>(cells.size())));
  std::vector<std::thread> threads;
  for (int i = 1; i < jobs; ++i) threads.emplace_back(worker);
  worker();
  for (auto& thread : threads) thread.join();
  std::vector<CellResult> out;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (ran[i]) out.push_back(std::move(results[i]));
  }
  return out;
}

}  // namespace zbh
