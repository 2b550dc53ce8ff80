// Process lifecycle of zerobuffer-serve: command line, end of input, signals, a lost client.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>
#include <thread>

#include "serve_fixture.h"

namespace zbserve_test {
namespace {

class ServeLifecycle : public ServeTest {
 protected:
  /// Runs the serve with `args` and no input; returns (exit status, stdout).
  std::pair<int, std::string> run(const std::vector<std::string>& args) {
    ServeProcess serve(*log_, "cli", args);  // not a fixture serve: its exit status is the point
    serve.close_stdin();
    std::string out;
    while (auto line = serve.raw_line()) out += *line + "\n";
    const auto status = serve.wait_exit();
    EXPECT_TRUE(status && WIFEXITED(*status));
    return {status && WIFEXITED(*status) ? WEXITSTATUS(*status) : -1, out};
  }
};

TEST_F(ServeLifecycle, VersionAndHelpExitZero) {
  const auto [version_status, version] = run({"--version"});
  EXPECT_EQ(version_status, 0);
  EXPECT_NE(version.find("zerobuffer-serve 1.0.0"), std::string::npos) << version;
  EXPECT_NE(version.find("serve protocol 1"), std::string::npos) << version;
  const auto [help_status, help] = run({"--help"});
  EXPECT_EQ(help_status, 0);
  EXPECT_NE(help.find("--log-level"), std::string::npos) << help;
}

TEST_F(ServeLifecycle, BadCommandLineExitsTwo) {
  EXPECT_EQ(run({"--no-such-option"}).first, 2);
  EXPECT_EQ(run({"--log-level", "loud"}).first, 2);
  EXPECT_EQ(run({"stray"}).first, 2);
}

TEST_F(ServeLifecycle, LogLevelDebugKeepsStdoutClean) {
  auto& serve = start("serve", {"--log-level", "debug"});
  EXPECT_EQ(serve.ok("hello")["implementation"], "cpp");  // stdout still holds only the response
}

TEST_F(ServeLifecycle, EndOfInputClosesTheReaderAndExitsZero) {
  const std::string buffer = name();
  auto& serve = reader(buffer);
  EXPECT_TRUE(shm_objects_exist(buffer));
  EXPECT_EQ(stop(serve), 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
  EXPECT_FALSE(std::filesystem::exists(lock_dir_ + "/" + buffer + ".lock"));
}

TEST_F(ServeLifecycle, EndOfInputWithHeldFramesAndAWriter) {
  const std::string buffer = name();
  auto& r = reader(buffer);
  auto& w = writer(buffer);
  w.ok("writeFrames", {{"size", 10}, {"count", 3}});
  r.ok("readFrames", {{"count", 2}, {"hold", true}});
  EXPECT_EQ(stop(w), 0);
  EXPECT_EQ(stop(r), 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
}

TEST_F(ServeLifecycle, LastLineWithoutNewlineIsAnswered) {
  auto& serve = start("serve");
  serve.send_raw(R"({"jsonrpc":"2.0","id":1,"method":"hello"})", true, "hello", false);
  serve.close_stdin();
  const auto response = serve.next_message();
  ASSERT_TRUE(response);
  EXPECT_EQ(result_of(*response)["implementation"], "cpp");
  EXPECT_EQ(serve.wait_exit(), 0);
}

TEST_F(ServeLifecycle, SigtermClosesGracefully) {
  const std::string buffer = name();
  auto& serve = reader(buffer);
  ASSERT_EQ(::kill(serve.pid(), SIGTERM), 0);
  EXPECT_EQ(serve.wait_exit(), 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
}

TEST_F(ServeLifecycle, SigtermDuringABlockingReadClosesGracefullyWhenTheReadEnds) {
  const std::string buffer = name();
  auto& serve = reader(buffer);
  // The read is one library call with its full timeout; the signal is handled after it.
  serve.send("readFrames", {{"timeoutMs", 500}, {"untilWriterGone", true}});
  std::this_thread::sleep_for(100ms);  // let the read block (nothing observable to wait for)
  ASSERT_EQ(::kill(serve.pid(), SIGTERM), 0);
  const auto response = serve.next_message(20s);
  ASSERT_TRUE(response);
  error_data_of(*response, "Timeout");  // with progress
  EXPECT_EQ(serve.wait_exit(), 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
}

TEST_F(ServeLifecycle, LostStdoutEndsTheSessionWithoutSigpipe) {
  const std::string buffer = name();
  auto& serve = reader(buffer);
  serve.close_stdout();
  serve.send_raw(R"({"jsonrpc":"2.0","id":9,"method":"hello"})", true, "hello");
  const auto status = serve.wait_exit();
  ASSERT_TRUE(status);
  EXPECT_TRUE(WIFEXITED(*status)) << "killed by signal " << WTERMSIG(*status);
  EXPECT_EQ(*status, 0);
  EXPECT_FALSE(shm_objects_exist(buffer));
}

}  // namespace
}  // namespace zbserve_test
