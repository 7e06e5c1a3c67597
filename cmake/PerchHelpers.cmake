# Small helpers shared by every CMakeLists.txt in the tree.

# perch_add_library(NAME SRCS ... DEPS ... [PRIVATE_DEPS ...]): a static
# library whose public include root is the repository top, so includes read
# "server/http/x.h". DEPS are what its headers expose (PUBLIC); PRIVATE_DEPS
# what only its .cc files use, so a user of the library does not inherit them
# and each link line shows which layer a layer builds on.
function(perch_add_library name)
  cmake_parse_arguments(ARG "" "" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SRCS})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# perch_add_test(NAME SRCS ... DEPS ... [LABELS ...] [TIMEOUT s]): a GoogleTest
# binary registered with ctest as one test (so ctest -j runs binaries in
# parallel and each keeps its own fixtures). LABELS tsan also makes it part of
# the perch_tsan_tests target, the ThreadSanitizer pass (PerchSanitizers.cmake).
function(perch_add_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SRCS;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SRCS})
  # Tests may link *_testing libraries; scripts/check-test-seams reads this.
  set_property(GLOBAL APPEND PROPERTY PERCH_TEST_TARGETS ${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set(env "PERCH_SHARED_DIR=${PERCH_SHARED_DIR}"
          "PERCH_BINARY_DIR=${PROJECT_BINARY_DIR}" ${PERCH_SANITIZER_TEST_ENV})
  set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT}
    LABELS "${ARG_LABELS}" ENVIRONMENT "${env}")
  if("tsan" IN_LIST ARG_LABELS)
    set_property(GLOBAL APPEND PROPERTY PERCH_TSAN_TESTS ${name})
  endif()
endfunction()
