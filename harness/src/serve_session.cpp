#include "serve_session.hpp"

#include "reply_shape.hpp"
#include "scenario_model.hpp"

#include <sstream>

namespace zbh {
namespace {

using Ms = std::chrono::duration<double, std::milli>;

}  // namespace

std::string Answer::describe() const {
  if (ok) return "result " + clip(dump(result), 500);
  return kind + ": " + error.value("message", std::string()) +
         (error.contains("data") ? " data=" + clip(dump(error.at("data")), 500) : "");
}

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

ServeSession::ServeSession(std::string role_name, const Port& serve_port,
                           const std::map<std::string, std::string>& env, CellLog& log, TrafficRecorder* recorder,
                           const std::vector<std::string>& command_prefix)
    : name(std::move(role_name)), side(vocab::role_side(name)), port(&serve_port), log_(&log), recorder_(recorder) {
  std::vector<std::string> command = command_prefix;
  command.insert(command.end(), port->command.begin(), port->command.end());
  try {
    process = std::make_unique<ServeProcess>(command, env);
  } catch (const ProcessError& e) {
    throw StepFailure{"cannot start " + label() + ": " + e.what()};
  }
}

void ServeSession::send(const std::string& method, const json& params) {
  if (pending_id != 0) throw StepFailure{label() + " still has '" + pending_method + "' in flight"};
  const int id = next_id_++;
  json request = {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}};
  const std::string line = dump(request);
  if (!log_->quiet()) log_->note("-> " + name + ": " + clip(line, kLogValueLimit));
  try {
    process->send_line(line);
  } catch (const ProcessError& e) {
    throw StepFailure{gone(method, e.what())};
  }
  pending_id = id;
  pending_method = method;
  pending_sent = Clock::now();
  pending_line_ = line;
}

Answer ServeSession::wait_answer(Clock::time_point deadline, const std::string& what, const Budget& budget) {
  auto line = process->next_line(deadline);
  if (!line) {
    record(pending_method, pending_line_, "");
    if (process->stdout_ended()) {
      pending_id = 0;
      throw StepFailure{gone(what)};
    }
    const double waited = Ms(Clock::now() - pending_sent).count();
    process->kill_group();
    killed = true;
    const bool budget_ran_out = deadline >= budget.deadline;
    throw StepFailure{label() + " did not answer " + what + " within " + format_ms(waited) + " ms" +
                      (budget_ran_out ? " (the scenario's budget of " + std::to_string(budget.timeout_ms) + " ms ran out)"
                                      : " (step deadline)") +
                      "; the harness killed it. Its stderr:\n" + tail(process->stderr_text(), kStderrInMessage)};
  }
  record(pending_method, pending_line_, line->text);
  if (!log_->quiet()) log_->note("<- " + name + ": " + clip(line->text, kLogValueLimit));
  json message;
  try {
    message = json::parse(line->text);
  } catch (const std::exception&) {
    throw StepFailure{label() + " wrote a line on stdout that is not JSON (stdout is for protocol "
                      "messages only): " + clip(line->text, 300)};
  }
  if (!message.is_object() || !message.contains("id") || message.at("id") != pending_id) {
    throw StepFailure{label() + " answered " + what + " with an unexpected message (expected id " +
                      std::to_string(pending_id) + "): " + clip(line->text, 300)};
  }
  pending_id = 0;
  Answer answer;
  answer.received = line->received;
  answer.shape_problems = reply_shape_problems(pending_method, message);
  if (message.contains("result") && message.at("result").is_object()) {
    answer.ok = true;
    answer.result = message.at("result");
  } else if (message.contains("error") && message.at("error").is_object()) {
    answer.error = message.at("error");
    if (auto problem = library_error_problem(answer.error); !problem.empty()) {
      throw StepFailure{label() + " answered " + what + " with " + problem + ": " + clip(line->text, 300)};
    }
    const json& data = answer.error.contains("data") ? answer.error.at("data") : json();
    if (answer.error.value("code", 0) == -32000 && data.is_object() && data.contains("kind") &&
        data.at("kind").is_string()) {
      answer.kind = data.at("kind").get<std::string>();
    } else {
      answer.kind = "rpc " + std::to_string(answer.error.value("code", 0));
    }
  } else {
    throw StepFailure{label() + " answered " + what + " with neither a result object nor an error: " +
                      clip(line->text, 300)};
  }
  return answer;
}

void ServeSession::drain_answer(Clock::time_point deadline) {
  auto line = process->next_line(deadline);
  record(pending_method, pending_line_, line ? line->text : "");
  pending_id = 0;
}

void ServeSession::send_raw(const std::string& line, const std::string& what) {
  if (pending_id != 0) throw StepFailure{label() + " still has '" + pending_method + "' in flight"};
  if (!log_->quiet()) log_->note("-> " + name + " (raw): " + clip(line, kLogValueLimit));
  try {
    process->send_line(line);
  } catch (const ProcessError& e) {
    throw StepFailure{gone(what, e.what())};
  }
  pending_sent = Clock::now();
  pending_line_ = line;
}

RawReply ServeSession::raw_reply(Clock::time_point deadline, const std::string& what) {
  auto answer = process->next_line(deadline);
  record("", pending_line_, answer ? answer->text : "");
  if (!answer) {
    if (process->stdout_ended()) throw StepFailure{gone(what)};
    process->kill_group();
    killed = true;
    throw StepFailure{label() + " did not answer " + what + " (step deadline); the harness killed it"};
  }
  if (!log_->quiet()) log_->note("<- " + name + ": " + clip(answer->text, kLogValueLimit));
  RawReply reply{answer->text, json()};
  try {
    reply.value = json::parse(answer->text);
  } catch (const std::exception&) {
    throw StepFailure{label() + " answered " + what + " with a line that is not JSON: " + clip(answer->text, 300)};
  }
  return reply;
}

void ServeSession::kill(bool reap) {
  process->kill_group(reap);
  killed = true;
  pending_id = 0;
}

std::string ServeSession::gone(const std::string& what, const std::string& detail) {
  process->wait_exit(Clock::now() + std::chrono::milliseconds(200));
  return label() + " ended (" + process->exit_description() + ") while handling " + what +
         (detail.empty() ? "" : " (" + detail + ")") + "; its stderr:\n" +
         tail(process->stderr_text(), kStderrInMessage);
}

std::string ServeSession::stderr_section() const {
  std::string text = process->stderr_text();
  std::ostringstream out;
  out << "--- stderr of " << label() << ", pid " << process->pid() << ", " << process->exit_description() << " ---\n"
      << (text.empty() ? "(empty)\n" : tail(text, 64 * 1024));
  if (!text.empty() && text.back() != '\n') out << "\n";
  return out.str();
}

void ServeSession::record(const std::string& method, const std::string& request, const std::string& reply) {
  if (recorder_) recorder_->exchange(name, port->name, method, request, reply);
}

}  // namespace zbh
