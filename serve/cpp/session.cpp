#include "session.h"

#include <unistd.h>

#include "log.h"
#include "params.h"

namespace zbserve {

using zerobuffer::ErrorCode;

namespace {

constexpr const char* kCapabilities[] = {"zeroCopyWrite", "holdFrames", "writerRestart", "createMode"};

}  // namespace

void Session::register_methods(Dispatcher& dispatcher) {
  const auto bind = [this](Json (Session::*method)(const Params&)) {
    return [this, method](const Params& params) { return (this->*method)(params); };
  };
  dispatcher.add("hello", [this](const Params& params) { return hello(params); });
  dispatcher.add("createReader", bind(&Session::create_reader));
  dispatcher.add("connectWriter", bind(&Session::connect_writer));
  dispatcher.add("setMetadata", bind(&Session::set_metadata));
  dispatcher.add("getMetadata", bind(&Session::get_metadata));
  dispatcher.add("writeFrames", bind(&Session::write_frames));
  dispatcher.add("readFrames", bind(&Session::read_frames));
  dispatcher.add("releaseFrames", bind(&Session::release_frames));
  dispatcher.add("status", [this](const Params& params) { return status(params); });
  dispatcher.add("close", bind(&Session::close_role));
  dispatcher.add("shutdown", bind(&Session::shutdown));
}

void Session::close() noexcept {
  if (reader_) {
    log(LogLevel::Info, "closing reader of \"" + reader_->name() + "\"");
    reader_->close();
    reader_.reset();
  }
  if (writer_) {
    log(LogLevel::Info, "closing writer of \"" + writer_->name() + "\"");
    writer_->close();
    writer_.reset();
  }
}

void Session::require_no_role(const char* method) const {
  if (reader_ || writer_) {
    throw kind_error(ErrorCode::InvalidState, std::string(method) + ": this serve already holds the " +
                                                  (reader_ ? "reader" : "writer") + " role; close it first");
  }
}

ReaderRole& Session::require_reader(const char* method) {
  if (!reader_) {
    throw kind_error(ErrorCode::InvalidState, std::string(method) + " needs the reader role (this serve holds " +
                                                  (writer_ ? "the writer role)" : "no role)"));
  }
  return *reader_;
}

WriterRole& Session::require_writer(const char* method) {
  if (!writer_) {
    throw kind_error(ErrorCode::InvalidState, std::string(method) + " needs the writer role (this serve holds " +
                                                  (reader_ ? "the reader role)" : "no role)"));
  }
  return *writer_;
}

Json Session::hello(const Params&) const {
  return Json{{"implementation", "cpp"},
              {"library", std::string("zerobuffer-cpp ") + zerobuffer::kLibraryVersion},
              {"wireVersion", zerobuffer::kProtocolVersion},
              {"serveProtocol", 1},
              {"pid", ::getpid()},
              {"capabilities", kCapabilities}};
}

Json Session::create_reader(const Params& params) {
  zerobuffer::BufferConfig config;
  const std::string name = params.string("name");
  config.metadata_size = params.uint("metadataSize");
  config.payload_size = params.uint("payloadSize");
  const std::uint64_t mode = params.uint_or("mode", config.mode);  // default: the library's
  if (mode > UINT32_MAX) throw invalid_params("'mode' must be an integer below 2^32");
  config.mode = static_cast<std::uint32_t>(mode);
  require_no_role("createReader");
  reader_.emplace(name, config);
  log(LogLevel::Info, "reader created for \"" + name + "\"");
  return reader_->created();
}

Json Session::connect_writer(const Params& params) {
  const std::string name = params.string("name");
  const auto budget = params.duration_or("timeoutMs", std::chrono::milliseconds(0));
  require_no_role("connectWriter");
  writer_.emplace(name, budget);
  log(LogLevel::Info, "writer connected to \"" + name + "\"");
  return Json{{"pid", ::getpid()}};
}

// Parameters are parsed before the role is checked: a malformed request is -32602 in any state.

Json Session::set_metadata(const Params& params) {
  const auto request = MetadataWrite::from(params);
  return require_writer("setMetadata").set_metadata(request);
}

Json Session::get_metadata(const Params& params) {
  static_cast<void>(params);
  return require_reader("getMetadata").get_metadata();
}

Json Session::write_frames(const Params& params) {
  const auto request = WriteRequest::from(params);
  return require_writer("writeFrames").write_frames(request, stop_);
}

Json Session::read_frames(const Params& params) {
  const auto request = ReadRequest::from(params);
  return require_reader("readFrames").read_frames(request, stop_);
}

Json Session::release_frames(const Params& params) {
  const auto count = params.optional_uint("count");
  return Json{{"released", reader_ ? reader_->release(count) : 0}};
}

Json Session::status(const Params&) const {
  Json result{{"role", reader_ ? "reader" : writer_ ? "writer" : "none"}, {"name", nullptr}};
  if (reader_) {
    result["name"] = reader_->name();
    reader_->add_status(result);
  } else if (writer_) {
    result["name"] = writer_->name();
    writer_->add_status(result);
  } else {
    result["peerConnected"] = false;
  }
  result["held"] = reader_ ? reader_->held() : 0;
  return result;
}

Json Session::close_role(const Params&) {
  close();
  return Json::object();
}

Json Session::shutdown(const Params&) {
  close();
  shutdown_requested_ = true;
  return Json::object();
}

}  // namespace zbserve
