# Packs the C# library into OUTPUT and checks the package: one ZeroBuffer.*.nupkg holding the
# assembly, its XML documentation and README.md. Run by the csharp.pack CTest test.
foreach(var DOTNET PROJECT ARTIFACTS OUTPUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "pack.cmake: -D${var}=... is required")
  endif()
endforeach()

file(REMOVE_RECURSE "${OUTPUT}")
set(ENV{DOTNET_CLI_TELEMETRY_OPTOUT} 1)
set(ENV{DOTNET_NOLOGO} 1)
execute_process(
  COMMAND "${DOTNET}" pack "${PROJECT}" -c Release --artifacts-path "${ARTIFACTS}" --no-build --nologo -o "${OUTPUT}"
  RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "dotnet pack failed (${result})")
endif()

file(GLOB packages "${OUTPUT}/ZeroBuffer.*.nupkg")
list(LENGTH packages count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one ZeroBuffer package in ${OUTPUT}, found: ${packages}")
endif()

execute_process(COMMAND "${CMAKE_COMMAND}" -E tar tf "${packages}" OUTPUT_VARIABLE listing RESULT_VARIABLE result)
if(NOT result EQUAL 0)
  message(FATAL_ERROR "cannot list ${packages}")
endif()
foreach(entry "README.md" "lib/net10.0/ZeroBuffer.dll" "lib/net10.0/ZeroBuffer.xml" "ZeroBuffer.nuspec")
  string(FIND "${listing}" "${entry}" position)
  if(position EQUAL -1)
    message(FATAL_ERROR "${packages} lacks ${entry}; it holds:\n${listing}")
  endif()
endforeach()
message(STATUS "package ok: ${packages}")
