# Included by cpack when it runs (CPACK_PROJECT_CONFIG_FILE, set in
# PerchPackaging.cmake), once the binaries exist: the .deb's Depends are the
# Debian packages providing every library perch-server and perch load (the
# scan deploy/image/stage uses), each at least at the version built against,
# plus ca-certificates (libcurl verifies the upstream against the system
# store).
if(NOT CPACK_GENERATOR STREQUAL "DEB")
  return()
endif()
execute_process(
  COMMAND ${CPACK_PERCH_RUNTIME_PACKAGES} ${CPACK_PERCH_DEB_BINARIES}
  OUTPUT_VARIABLE _packages
  ERROR_VARIABLE _error
  RESULT_VARIABLE _result)
if(NOT _result EQUAL 0)
  message(FATAL_ERROR "perch .deb Depends: runtime-packages failed: ${_error}")
endif()
string(REGEX REPLACE "\n$" "" _packages "${_packages}")
string(REPLACE "\n" ";" _packages "${_packages}")
set(_depends)
foreach(_package IN LISTS _packages)
  execute_process(
    COMMAND dpkg-query -W -f=\${Version} ${_package}
    OUTPUT_VARIABLE _version
    RESULT_VARIABLE _result)
  if(NOT _result EQUAL 0 OR _version STREQUAL "")
    message(FATAL_ERROR "perch .deb Depends: no installed version of ${_package}")
  endif()
  # "libc6:amd64" -> "libc6": an arch-dependent package depends on its own
  # architecture's.
  string(REGEX REPLACE ":.*$" "" _name "${_package}")
  list(APPEND _depends "${_name} (>= ${_version})")
endforeach()
list(APPEND _depends ca-certificates)
list(JOIN _depends ", " CPACK_DEBIAN_PACKAGE_DEPENDS)
