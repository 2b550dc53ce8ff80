// Command lines of the reliability subcommands (soak, fuzz): options parsed here, the work done
// by soak.* and port_fuzz.*. main.cpp hands them the arguments after the subcommand's name.
#pragma once

#include <string>

namespace zbh {

struct SubcommandContext {
  std::string source_dir;    // value of ${source} in ports.json
  std::string build_dir;     // value of ${build}
  std::string command_line;  // the whole command line, shell-quoted, for rerun hints
};

// Both return the process exit code: 0 passed, 1 a check failed, 2 usage error.
int soak_command(int argc, char** argv, const SubcommandContext& context);
int fuzz_command(int argc, char** argv, const SubcommandContext& context);


}  // namespace zbh
