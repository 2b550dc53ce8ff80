#include "rpc.h"

#include <new>

#include "log.h"
#include "params.h"

namespace zbserve {
namespace {

struct TooDeep {};

std::string encode(const Json& message) {
  // `replace` guarantees valid UTF-8 output even if a string slipped through unchecked.
  return message.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::string error_response(const Json& id, int code, const std::string& message, const Json& data = nullptr) {
  Json error = {{"code", code}, {"message", message}};
  if (!data.is_null()) error["data"] = data;
  return encode(Json{{"jsonrpc", "2.0"}, {"id", id}, {"error", std::move(error)}});
}

std::string error_response(const Json& id, const RpcError& error) {
  return error_response(id, error.code(), error.what(), error.data());
}

/// Parses one line; throws RpcError(kParseError) for anything that is not JSON we accept.
Json parse(std::string_view line) {
  const Json::parser_callback_t limit_depth = [](int depth, Json::parse_event_t, Json&) {
    if (depth > kMaxNesting) throw TooDeep{};
    return true;
  };
  try {
    return Json::parse(line.begin(), line.end(), limit_depth);
  } catch (const TooDeep&) {
    throw RpcError(kParseError, "parse error: nesting deeper than " + std::to_string(kMaxNesting) + " levels");
  } catch (const Json::exception& e) {
    throw RpcError(kParseError, std::string("parse error: ") + e.what());
  }
}

bool usable_id(const Json& id) { return id.is_string() || id.is_number() || id.is_null(); }

}  // namespace

void RpcError::add_data(const Json& extra) {
  if (!extra.is_object()) return;
  if (!data_.is_object()) data_ = Json::object();
  for (const auto& [key, value] : extra.items()) data_[key] = value;
}

RpcError invalid_params(const std::string& message) { return RpcError(kInvalidParams, "invalid params: " + message); }

RpcError kind_error(zerobuffer::ErrorCode kind, const std::string& message, const Json& extra) {
  RpcError error(kLibraryError, message, Json{{"kind", zerobuffer::to_string(kind)}, {"message", message}});
  error.add_data(extra);
  return error;
}

RpcError library_error(const zerobuffer::ZeroBufferException& error, const Json& extra) {
  RpcError result = kind_error(error.code(), error.what(), extra);
  if (const auto* sequence = dynamic_cast<const zerobuffer::SequenceErrorException*>(&error)) {
    result.add_data(Json{{"expected", sequence->expected()}, {"actual", sequence->actual()}});
  }
  return result;
}

void Dispatcher::add(std::string method, Handler handler) { handlers_[std::move(method)] = std::move(handler); }

std::string Dispatcher::line_too_long_response() {
  return error_response(nullptr, kParseError,
                        "parse error: request line longer than " + std::to_string(kMaxLineBytes) + " bytes");
}

std::optional<std::string> Dispatcher::handle_line(std::string_view line) const {
  Json id = nullptr;
  bool notification = false;
  try {
    const Json request = parse(line);
    if (!request.is_object()) {
      throw RpcError(kInvalidRequest, request.is_array() ? "invalid request: batches are not supported"
                                                         : "invalid request: a request must be a JSON object");
    }
    const auto id_it = request.find("id");
    if (id_it != request.end()) {
      if (!usable_id(*id_it)) throw RpcError(kInvalidRequest, "invalid request: 'id' must be a string, number or null");
      id = *id_it;
    }
    const auto version = request.find("jsonrpc");
    if (version == request.end() || *version != "2.0") {
      throw RpcError(kInvalidRequest, "invalid request: 'jsonrpc' must be \"2.0\"");
    }
    const auto method = request.find("method");
    if (method == request.end() || !method->is_string()) {
      throw RpcError(kInvalidRequest, "invalid request: 'method' must be a string");
    }
    // A well-formed request without id is a notification: it runs, but nothing is sent back.
    notification = id_it == request.end();
    const auto handler = handlers_.find(method->get_ref<const std::string&>());
    if (handler == handlers_.end()) {
      throw RpcError(kMethodNotFound, "method not found: " + method->get<std::string>());
    }
    const auto params_it = request.find("params");
    const Json no_params = Json::object();
    if (params_it != request.end() && !params_it->is_object()) {
      throw invalid_params("'params' must be an object (parameters are passed by name)");
    }
    const Params params(params_it != request.end() ? *params_it : no_params);
    Json result = handler->second(params);
    if (notification) return std::nullopt;
    return encode(Json{{"jsonrpc", "2.0"}, {"id", id}, {"result", std::move(result)}});
  } catch (const RpcError& e) {
    if (notification) return std::nullopt;
    return error_response(id, e);
  } catch (const zerobuffer::ZeroBufferException& e) {
    if (notification) return std::nullopt;
    return error_response(id, library_error(e));
  } catch (const std::bad_alloc&) {
    log(LogLevel::Error, "out of memory while handling a request");
    if (notification) return std::nullopt;
    return error_response(id, kind_error(zerobuffer::ErrorCode::Internal, "out of memory"));
  } catch (const std::exception& e) {
    log(LogLevel::Error, std::string("unexpected failure: ") + e.what());
    if (notification) return std::nullopt;
    return error_response(id, kind_error(zerobuffer::ErrorCode::Internal, e.what()));
  }
}

}  // namespace zbserve
