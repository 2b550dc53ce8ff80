# Asserts that the conformance cells registered in BUILD_DIR use exactly the ports EXPECTED
# (a ;-list), each as writer and as reader: a port that drops out of the build fails here.
# Usage: cmake -DCTEST=ctest -DBUILD_DIR=dir -DEXPECTED="cpp;csharp;python" -P check_ports.cmake
execute_process(COMMAND ${CTEST} -N --test-dir ${BUILD_DIR} -R "^conformance\\."
  OUTPUT_VARIABLE listing RESULT_VARIABLE status)
if(NOT status EQUAL 0)
  message(FATAL_ERROR "ctest -N failed in ${BUILD_DIR}")
endif()
string(REGEX MATCHALL "conformance\\.[^ \n]+\\.[a-z0-9_]+-[a-z0-9_]+" cells "${listing}")
set(writers "")
set(readers "")
foreach(cell IN LISTS cells)
  string(REGEX MATCH "\\.([a-z0-9_]+)-([a-z0-9_]+)$" pair "${cell}")
  list(APPEND writers ${CMAKE_MATCH_1})
  list(APPEND readers ${CMAKE_MATCH_2})
endforeach()
foreach(side writers readers)
  list(REMOVE_DUPLICATES ${side})
  list(SORT ${side})
endforeach()
set(expected ${EXPECTED})
list(SORT expected)
list(LENGTH cells count)
if(NOT writers STREQUAL expected OR NOT readers STREQUAL expected)
  message(FATAL_ERROR "conformance cells use writers '${writers}' and readers '${readers}', expected '${expected}' "
                      "(${count} cells)")
endif()
message(STATUS "${count} conformance cells over ports ${expected}")
