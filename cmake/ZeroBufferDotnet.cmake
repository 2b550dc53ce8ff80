# Settings shared by the CMake builds of the C# library (zerobuffer/csharp), its serve
# (serve/csharp) and its tests (tests/csharp): one .NET SDK, one Release configuration, and
# every bin/ and obj/ under <build>/csharp/artifacts. Each of the three runs after the previous
# one (they share that folder), and no build server outlives a build. Each includes this file.

find_program(DOTNET_EXECUTABLE dotnet)
set(ZEROBUFFER_CSHARP_OUT "${CMAKE_BINARY_DIR}/csharp")
set(ZEROBUFFER_CSHARP_ARTIFACTS "${ZEROBUFFER_CSHARP_OUT}/artifacts")
set(ZEROBUFFER_CSHARP_ENV ${CMAKE_COMMAND} -E env DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
                          DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1 DOTNET_GENERATE_ASPNET_CERTIFICATE=0)
set(ZEROBUFFER_CSHARP_COMMON -c Release --artifacts-path "${ZEROBUFFER_CSHARP_ARTIFACTS}" --nologo)

# The C# sources under `dir` (a path of the repository), for a custom command's DEPENDS.
function(zerobuffer_csharp_sources out dir)
  file(GLOB_RECURSE sources CONFIGURE_DEPENDS
       "${PROJECT_SOURCE_DIR}/${dir}/*.cs" "${PROJECT_SOURCE_DIR}/${dir}/*.csproj"
       "${PROJECT_SOURCE_DIR}/${dir}/*.props" "${PROJECT_SOURCE_DIR}/${dir}/*.slnx"
       "${PROJECT_SOURCE_DIR}/${dir}/*.md" "${PROJECT_SOURCE_DIR}/${dir}/*.json")
  list(FILTER sources EXCLUDE REGEX "/(artifacts|bin|obj)/")
  set(${out} ${sources} PARENT_SCOPE)
endfunction()
