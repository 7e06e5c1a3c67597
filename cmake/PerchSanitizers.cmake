# PERCH_SANITIZE: which sanitizers instrument the whole build.
#   OFF     none (the default)
#   ON      AddressSanitizer + UndefinedBehaviorSanitizer (scripts/test with
#           PERCH_SANITIZE=1, into build-asan/)
#   thread  ThreadSanitizer (PERCH_SANITIZE=thread scripts/test, into
#           build-tsan/): builds only the perch_tsan_tests target, the tests
#           labelled "tsan" (perch_add_test ... LABELS tsan), i.e. the layers
#           below gRPC. Debian's gRPC and Abseil are not instrumented, and
#           absl::Mutex synchronises in them where TSan cannot see it: those
#           layers lock with perch::Mutex (server/common/mutex.h) instead.
set(PERCH_SANITIZE OFF CACHE STRING
    "Sanitizers: OFF, ON (ASan+UBSan) or thread (TSan)")
set_property(CACHE PERCH_SANITIZE PROPERTY STRINGS OFF ON thread)

# PERCH_SANITIZER_TEST_ENV: the runtime options every perch_add_test test
# gets in its ctest ENVIRONMENT, so a plain `ctest -L tsan` in build-tsan/
# reads the suppressions (Debian's uninstrumented Abseil otherwise shows
# absl::Status refcounts as races) and stops at the first report, exactly as
# under scripts/test.
string(TOLOWER "${PERCH_SANITIZE}" _perch_sanitize)
set(PERCH_SANITIZER_TEST_ENV "")
if(_perch_sanitize STREQUAL "thread")
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer)
  add_link_options(-fsanitize=thread)
  set(PERCH_SANITIZER_TEST_ENV
      "TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=${PROJECT_SOURCE_DIR}/tests/tsan_suppressions.txt")
elseif(PERCH_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  set(PERCH_SANITIZER_TEST_ENV
      "ASAN_OPTIONS=detect_leaks=1:abort_on_error=1"
      "UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1")
endif()
