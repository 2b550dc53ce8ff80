# One CTest entry per Python unittest module, shared by tests/python and tests/cli:
#   zerobuffer_add_unittest_modules(PREFIX p MODULES m... LABELS l... TIMEOUT s [ENVIRONMENT e...])
# registers `p.m` running `python -m unittest -v test_m` in the calling source directory, with
# its own lock directory (ZEROBUFFER_LOCK_DIR=<binary dir>/locks-m) and no .pyc files written.
function(zerobuffer_add_unittest_modules)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "PREFIX;TIMEOUT" "MODULES;LABELS;ENVIRONMENT")
  foreach(module IN LISTS arg_MODULES)
    add_test(NAME ${arg_PREFIX}.${module}
             COMMAND ${Python3_EXECUTABLE} -m unittest -v test_${module}
             WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR})
    set_tests_properties(${arg_PREFIX}.${module} PROPERTIES
      LABELS "${arg_LABELS}"
      TIMEOUT ${arg_TIMEOUT}
      ENVIRONMENT "${arg_ENVIRONMENT};ZEROBUFFER_LOCK_DIR=${CMAKE_CURRENT_BINARY_DIR}/locks-${module};PYTHONDONTWRITEBYTECODE=1")
  endforeach()
endfunction()
