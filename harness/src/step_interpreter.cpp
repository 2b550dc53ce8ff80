#include "step_interpreter.hpp"

#include "checks.hpp"
#include "leftovers.hpp"
#include "serve_session.hpp"
#include "shm_inspector.hpp"
#include "shm_layout.hpp"
#include "traffic_log.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <map>
#include <pwd.h>
#include <sys/stat.h>
#include <memory>
#include <random>
#include <set>
#include <sys/file.h>
#include <thread>
#include <unistd.h>

namespace zbh {
namespace {

namespace fs = std::filesystem;
using Ms = std::chrono::duration<double, std::milli>;

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

// Problems with the hello answer serve-protocol.md §3 describes.
std::vector<std::string> hello_answer_problems(const Answer& answer) {
  const json& r = answer.result;
  std::vector<std::string> problems = answer.shape_problems;
  if (r.value("serveProtocol", 0) != 1) problems.push_back("serveProtocol is not 1");
  if (r.value("wireVersion", std::string()) != "1.0.0") problems.push_back("wireVersion is not \"1.0.0\"");
  if (!r.contains("pid") || !r.at("pid").is_number_unsigned() || r.at("pid").get<std::uint64_t>() == 0) {
    problems.push_back("pid is missing or not a positive integer");
  }
  if (!r.contains("capabilities") || !r.at("capabilities").is_array()) problems.push_back("capabilities is not an array");
  return problems;
}

class StepInterpreter {
 public:
  StepInterpreter(const CellSpec& cell, const RunnerOptions& options)
      : cell_(cell), scenario_(*cell.scenario), options_(options) {}

  CellResult run() {
    CellResult result;
    result.scenario = scenario_.id;
    result.title = scenario_.title;
    result.tier = scenario_.tier;
    result.writer = cell_.writer.name;
    result.reader = cell_.reader.name;
    log_.start();
    budget_ = {log_.started() + std::chrono::milliseconds(scenario_.timeout_ms), scenario_.timeout_ms};

    int exclusive_fd = -1;
    try {
      if (!options_.record_dir.empty()) {
        traffic_ = std::make_unique<TrafficLog>(traffic_log_path(options_.record_dir, result.cell_name()));
      }
      if (scenario_.exclusive) exclusive_fd = lock_exclusive();
      prepare();
      start_roles(scenario_.roles);
      run_steps(scenario_.steps);
      result.outcome = Outcome::passed;
    } catch (const StepFailure& failure) {
      result.outcome = Outcome::failed;
      result.message = failure.message;
      result.failed_step = current_step_;
      log_.note("FAILED at " + current_step_ + ": " + failure.message);
    } catch (const SkipCell& skip) {
      result.outcome = Outcome::skipped;
      result.message = skip.reason;
      log_.note("SKIPPED: " + skip.reason);
    } catch (const std::exception& e) {
      result.outcome = Outcome::failed;
      result.message = std::string("harness error: ") + e.what();
      result.failed_step = current_step_;
      log_.note("HARNESS ERROR: " + std::string(e.what()));
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
      log_.note("FAILED at teardown: " + result.message);
    }
    if (exclusive_fd >= 0) ::close(exclusive_fd);

    result.duration_ms = log_.elapsed_ms();
    log_.note(std::string("outcome: ") + outcome_name(result.outcome) + " in " + format_ms(result.duration_ms) + " ms");
    for (const auto& section : retired_stderr_) log_.append(section);
    for (const auto& [name, role] : roles_) log_.append(role.stderr_section());
    result.log = log_.text();
    return result;
  }

 private:
  // ---- set-up and tear-down -------------------------------------------------------------

  int lock_exclusive() {
    int fd = ::open(options_.exclusive_lock.c_str(), O_CREAT | O_RDWR | O_CLOEXEC, 0666);
    if (fd < 0) throw StepFailure{"cannot open " + options_.exclusive_lock};
    log_.note("waiting for the exclusive lock (scenario uses literal buffer names)");
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
    log_.note("scenario " + scenario_.id + " (" + scenario_.file + "): " + scenario_.title);
    log_.note("writer " + cell_.writer.name + ", reader " + cell_.reader.name + ", buffer name " + bindings_.name +
              ", ZEROBUFFER_LOCK_DIR=" + lock_dir_);
  }

  // Shuts every serve down (killing busy or hung ones); returns a problem worth failing for.
  std::string teardown() {
    std::string problem;
    std::vector<ServeSession*> stopping;
    for (auto& [name, role] : roles_) {
      if (!role.process || role.killed) continue;
      if (!role.process->running()) {
        problem += role.label() + " ended before shutdown (" + role.process->exit_description() + "). ";
        continue;
      }
      if (role.pending_id != 0) {
        log_.note("teardown: " + role.label() + " is still busy; killing it");
        role.process->kill_group();
        continue;
      }
      try {
        log_.set_quiet(true);
        role.send("shutdown", json::object());
        stopping.push_back(&role);
      } catch (const StepFailure&) {
        role.process->kill_group();
      }
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(options_.shutdown_deadline_ms);
    for (ServeSession* role : stopping) {
      role->drain_answer(deadline);  // the {} answer, if it comes
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
    log_.set_quiet(false);
    if (!problem.empty()) log_.note("teardown: " + problem);
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
      log_.note("cleanup: the harness removed leftovers:" + list);
    }
    if (removed.size() != found.size()) log_.note("cleanup: some leftovers could not be removed");
    std::error_code ec;
    if (!work_dir_.empty()) fs::remove_all(work_dir_, ec);
    return found;
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
      if (existing->second.process) retired_stderr_.push_back(existing->second.stderr_section());
      roles_.erase(existing);
    }
    const Port& port = vocab::role_side(name) == "reader" ? cell_.reader : cell_.writer;
    std::map<std::string, std::string> env = {{"ZEROBUFFER_LOCK_DIR", lock_dir_}};
    for (const auto& [key, value] : role_env_[name]) env[key] = value;
    std::vector<std::string> prefix;
    if (pid_isolated_.count(name)) prefix = {"unshare", "--pid", "--fork"};
    if (auto user = run_as_.find(name); user != run_as_.end()) {
      prefix.insert(prefix.end(), {"setpriv", "--reuid=" + std::to_string(user->second.first),
                                   "--regid=" + std::to_string(user->second.second), "--clear-groups", "--"});
    }
    auto [it, added] = roles_.try_emplace(name, name, port, env, log_, traffic_.get(), prefix);
    log_.note("started " + it->second.label() + ": pid " + std::to_string(it->second.process->pid()));
  }

  void hello(ServeSession& role) {
    role.send("hello", json::object());
    const auto deadline = std::min(budget_.deadline, Clock::now() + std::chrono::milliseconds(options_.hello_deadline_ms));
    Answer answer = role.wait_answer(deadline, "hello", budget_);
    if (!answer.ok) throw StepFailure{role.label() + ": hello failed: " + answer.describe()};
    const json& r = answer.result;
    if (const auto problems = hello_answer_problems(answer); !problems.empty()) {
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

  ServeSession& role_for_use(const std::string& name) {
    auto it = roles_.find(name);
    if (it == roles_.end()) {
      start_roles({name});
      it = roles_.find(name);
    }
    ServeSession& role = it->second;
    if (role.killed) throw StepFailure{"role '" + name + "' was killed"};
    return role;
  }

  ServeSession& awaited_role(const std::string& handle) {
    auto it = handles_.find(handle);
    if (it == handles_.end()) throw StepFailure{"no async call '" + handle + "' in flight"};
    ServeSession& role = roles_.at(it->second);
    if (role.killed) throw StepFailure{"the role of async call '" + handle + "' was killed"};
    return role;
  }

  // ---- steps --------------------------------------------------------------------------

  Clock::time_point deadline_for(const Step& step) const {
    return std::min(budget_.deadline,
                    Clock::now() + std::chrono::milliseconds(step.deadline_ms.value_or(kDefaultStepDeadlineMs)));
  }

  json resolved(const json& value) const { return zbh::resolved(value, bindings_); }

  std::string name_param(const Step& step) {
    if (!step.params.contains("name")) return bindings_.name;
    std::string name = resolved(step.params.at("name")).get<std::string>();
    names_used_.insert(name);
    return name;
  }

  void run_steps(const std::vector<Step>& steps) {
    for (const auto& step : steps) {
      current_step_ = step.where + " (" + describe_step(step) + ")";
      if (Clock::now() >= budget_.deadline) {
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
        if (!log_.quiet()) log_.note("check " + step.verb + ": " + clip(dump(step.params), 500));
        return run_check(step);
      case StepType::repeat: return run_repeat(step);
      case StepType::raw: return run_raw(step);
    }
  }

  void run_repeat(const Step& step) {
    const bool was_quiet = log_.quiet();
    for (int i = 1; i <= step.times; ++i) {
      if (i == 2 && !was_quiet) log_.note("repeat: iterations 2.." + std::to_string(step.times) + " run quietly");
      log_.set_quiet(was_quiet || i > 1);
      try {
        run_steps(step.body);
      } catch (StepFailure& failure) {
        log_.set_quiet(was_quiet);
        failure.message = "in iteration " + std::to_string(i) + " of " + std::to_string(step.times) + ": " +
                          failure.message;
        throw;
      }
    }
    log_.set_quiet(was_quiet);
  }

  void run_call(const Step& step) {
    ServeSession& role = role_for_use(step.role);
    json args = resolved(step.args);
    if ((step.method == "createReader" || step.method == "connectWriter") && !args.contains("name")) {
      args["name"] = bindings_.name;
    }
    if (args.contains("name") && args.at("name").is_string()) names_used_.insert(args.at("name").get<std::string>());
    const PatternCheck check = take_pattern_args(step.method, args);
    role.send(step.method, args);
    role.pending_check = check;
    if (!step.async_handle.empty()) {
      handles_[step.async_handle] = role.name;
      return;
    }
    Answer answer = role.wait_answer(deadline_for(step), step.method, budget_);
    verify(step, answer, Ms(answer.received - role.pending_sent).count(), step.method, check);
  }

  // Sends the step's line as it is and matches the whole response line (the serve protocol's
  // own rules: parse errors, envelopes, ids, error codes).
  void run_raw(const Step& step) {
    ServeSession& role = role_for_use(step.role);
    json value = resolved(step.raw_line);
    const std::string line = step.raw_is_text && value.is_string() ? value.get<std::string>() : dump(value);
    const std::string what = "the raw line " + clip(line, 200);
    role.send_raw(line, what);
    if (!step.expect.reply) return;  // noReply: a stray answer fails the role's next request
    const RawReply reply = role.raw_reply(deadline_for(step), what);
    auto mismatches = match(resolved(*step.expect.reply), reply.value, "reply");
    if (reply.value.is_object() && reply.value.contains("error")) {
      if (auto problem = library_error_problem(reply.value.at("error")); !problem.empty()) mismatches.push_back(problem);
    }
    if (!mismatches.empty()) {
      std::string text;
      for (const auto& m : mismatches) text += (text.empty() ? "" : "; ") + m;
      throw StepFailure{text + " (the reply: " + clip(reply.text, 500) + ")"};
    }
  }

  void run_await(const Step& step) {
    ServeSession& role = awaited_role(step.handle);
    const auto began = Clock::now();
    const std::string method = role.pending_method;
    const PatternCheck check = role.pending_check;
    Answer answer = role.wait_answer(deadline_for(step), method + " (async '" + step.handle + "')", budget_);
    handles_.erase(step.handle);
    verify(step, answer, std::max(0.0, Ms(answer.received - began).count()), method, check);
  }

  void run_pending(const Step& step) {
    ServeSession& role = awaited_role(step.handle);
    auto line = role.process->next_line(Clock::now() + std::chrono::milliseconds(step.for_ms));
    if (line) {
      const double after = Ms(line->received - role.pending_sent).count();
      throw StepFailure{"async call '" + step.handle + "' (" + role.pending_method + ") should still be blocked " +
                        std::to_string(step.for_ms) + " ms on, but it answered after " + format_ms(after) +
                        " ms: " + clip(line->text, 500)};
    }
    if (role.process->stdout_ended()) throw StepFailure{role.gone(role.pending_method)};
    log_.note("pending: '" + step.handle + "' still blocked after " + std::to_string(step.for_ms) + " ms");
  }

  void verify(const Step& step, Answer& answer, double measured_ms, const std::string& method,
              const PatternCheck& check) {
    if (!log_.quiet() && (step.expect.within_ms || step.expect.at_least_ms)) {
      log_.note("timing: " + format_ms(measured_ms) + " ms");
    }
    check_answer(step, answer, measured_ms, method, check, bindings_);
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
      ServeSession& role = it->second;
      const bool reap = p.value("reap", true);
      role.kill(reap);
      for (auto h = handles_.begin(); h != handles_.end();) h = h->second == role.name ? handles_.erase(h) : std::next(h);
      log_.note("killed " + role.label() + " (SIGKILL to process group " + std::to_string(role.process->pid()) + ")" +
                (reap ? "" : "; not reaped: it stays a zombie"));
    } else if (step.verb == "sleep") {
      const auto until = std::min(budget_.deadline, Clock::now() + std::chrono::milliseconds(p.at("ms").get<int>()));
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
      log_.note("role " + step.role + " will run in a PID namespace of its own (unshare --pid --fork)");
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
      log_.note("role " + step.role + " will run as user " + user + " (uid " + std::to_string(entry->pw_uid) + ")");
    } else if (step.verb == "writeLockPid") {
      const auto paths = BufferPaths::of(name_param(step), lock_dir_);
      const std::string& path = p.at("object") == "lock" ? paths.lock : paths.writer_lock;
      try {
        write_lock_pid(path, p.at("value").get<std::uint64_t>());
      } catch (const ShmError& e) {
        throw StepFailure{"writeLockPid: " + std::string(e.what())};
      }
      log_.note("wrote pid " + std::to_string(p.at("value").get<std::uint64_t>()) + " into " + path);
    } else if (step.verb == "fabricateStale") {
      const std::string name = name_param(step);
      try {
        fabricate_stale(name, lock_dir_, p.value("metadataSize", 64), p.value("payloadSize", 1024));
      } catch (const ShmError& e) {
        throw StepFailure{e.what()};
      }
      fabricated_ = true;
      log_.note("fabricated stale resources for " + name);
    } else if (step.verb == "unlink") {
      const std::string name = name_param(step);
      try {
        log_.note("unlinked " + unlink_object(name, lock_dir_, p.at("object").get<std::string>()));
      } catch (const ShmError& e) {
        throw StepFailure{e.what()};
      }
    } else if (step.verb == "createObject") {
      const std::string name = name_param(step);
      try {
        create_object(name, p.at("size").get<std::uint64_t>());
      } catch (const ShmError& e) {
        throw StepFailure{e.what()};
      }
      fabricated_ = true;  // an object the harness made: no port owns it
      log_.note("created /dev/shm/" + name + " of " + std::to_string(p.at("size").get<std::uint64_t>()) + " bytes");
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
      log_.note("corrupt: offset " + std::to_string(offset) + ": " + to_hex(before.data(), before.size()) + " -> " +
                to_hex(bytes.data(), bytes.size()));
    } catch (const ShmError& e) {
      throw StepFailure{"corrupt: " + std::string(e.what())};
    }
  }

  // ---- checks -------------------------------------------------------------------------

  void run_check(const Step& step) {
    if (step.verb == "alive") return check_alive(step);
    check_shared_memory(step, name_param(step), lock_dir_, bindings_);
  }

  // The one check that asks a serve: it still runs and answers status.
  void check_alive(const Step& step) {
    auto it = roles_.find(step.role);
    if (it == roles_.end()) throw StepFailure{"role '" + step.role + "' was never started"};
    ServeSession& role = it->second;
    if (!role.process->running()) throw StepFailure{role.gone("nothing (it should be alive)")};
    role.send("status", json::object());
    Answer answer = role.wait_answer(deadline_for(step), "status", budget_);
    if (!answer.ok) throw StepFailure{role.label() + " is alive but status failed: " + answer.describe()};
  }

  const CellSpec& cell_;
  const Scenario& scenario_;
  const RunnerOptions& options_;
  CellLog log_;
  std::unique_ptr<TrafficLog> traffic_;  // with --record-replies
  Budget budget_;
  bool fabricated_ = false;  // the harness made objects itself: leftovers are not the port's fault
  std::string current_step_ = "start-up";

  Bindings bindings_;
  std::string work_dir_;
  std::string lock_dir_;
  std::set<std::string> names_used_;
  std::map<std::string, ServeSession> roles_;
  std::map<std::string, std::map<std::string, std::string>> role_env_;
  std::set<std::string> pid_isolated_;  // roles started under unshare --pid --fork
  std::map<std::string, std::pair<uid_t, gid_t>> run_as_;  // roles started as another user (setpriv)
  std::map<std::string, std::string> handles_;  // async handle -> role
  std::vector<std::string> retired_stderr_;
};

}  // namespace

CellResult interpret_cell(const CellSpec& cell, const RunnerOptions& options) {
  return StepInterpreter(cell, options).run();
}

}  // namespace zbh
