# perch_polyglot_test(NAME COMMAND cmd... [ENVIRONMENT var=value...]
#                     [FIXTURES_REQUIRED fixture...] [WRONG_KEY] [APP_REFUSED]
#                     [TIMEOUT s])
# Registers COMMAND as a test run by tests/polyglot/with_perch.sh against a
# real perch-server (API keys, TLS with the test certificates) and
# perch-emulator; COMMAND gets --server=127.0.0.1:PORT and the reader's key.
# WRONG_KEY adds NAME_wrong_key: the same COMMAND given a key perch does not
# know, passing only if it stops with UNAUTHENTICATED CALLER_UNAUTHENTICATED
# (exit 4). APP_REFUSED adds NAME_app_refused: a good key, but perch's own
# consumer secret is wrong, passing only if COMMAND reports UNAUTHENTICATED
# APP_CREDENTIALS_REJECTED (api.twitter.com) as perch's failure (exit 1), not
# as a refused key. TIMEOUT defaults to 120 s.
include_guard(GLOBAL)

function(perch_polyglot_test name)
  cmake_parse_arguments(ARG "WRONG_KEY;APP_REFUSED" "TIMEOUT" "COMMAND;ENVIRONMENT;FIXTURES_REQUIRED" ${ARGN})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 120)
  endif()
  if(NOT PERCH_TEST_CERT_DIR)
    message(FATAL_ERROR "perch_polyglot_test: PERCH_TEST_CERT_DIR is set by tests/, "
                        "which must be added before ${CMAKE_CURRENT_SOURCE_DIR}")
  endif()
  set(variants ${name})
  if(ARG_WRONG_KEY)
    list(APPEND variants ${name}_wrong_key)
  endif()
  if(ARG_APP_REFUSED)
    list(APPEND variants ${name}_app_refused)
  endif()
  foreach(test ${variants})
    set(mode)
    if(test STREQUAL "${name}_wrong_key")
      set(mode --wrong_key)
    elseif(test STREQUAL "${name}_app_refused")
      set(mode --app_refused)
    endif()
    add_test(NAME ${test}
      COMMAND ${PROJECT_SOURCE_DIR}/tests/polyglot/with_perch.sh ${mode}
              $<TARGET_FILE:perch-emulator> $<TARGET_FILE:perch-server>
              ${PERCH_TEST_CERT_DIR} -- ${ARG_COMMAND})
    # 77: skipped (a tool the test needs is absent; its output says which).
    set_tests_properties(${test} PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS polyglot
      SKIP_RETURN_CODE 77)
    if(ARG_ENVIRONMENT)
      set_tests_properties(${test} PROPERTIES ENVIRONMENT "${ARG_ENVIRONMENT}")
    endif()
    if(ARG_FIXTURES_REQUIRED)
      set_tests_properties(${test} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES_REQUIRED}")
    endif()
  endforeach()
endfunction()
