# Installing perch, and its Debian package.
#
# `cmake --install BUILD --prefix PREFIX` puts under PREFIX:
#   bin/perch-server, bin/perch, bin/perch-emulator
#   share/perch/protos/   the API's .proto files (perch/v1, google/rpc)
#   share/doc/perch/      README.md and docs/*.md
# `cpack` (in BUILD) makes perch_<version>_<arch>.deb: perch-server and the
# perch CLI (not the emulator, a development tool), the protos and docs,
# a hardened systemd unit and /etc/default/perch (deploy/deb/). Its Depends
# come from the library scan the image uses (deploy/image/runtime-packages),
# run when cpack runs, on the binaries it packs (PerchDebDepends.cmake).
include(GNUInstallDirs)

# PERCH_VERSION is set at the top of CMakeLists.txt.

install(TARGETS perch-server perch
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT server)
install(TARGETS perch-emulator
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT emulator)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/protos/perch ${PROJECT_SOURCE_DIR}/protos/google
  DESTINATION ${CMAKE_INSTALL_DATADIR}/perch/protos COMPONENT server
  FILES_MATCHING PATTERN "*.proto")
file(GLOB _perch_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${_perch_docs}
  DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT server)
# Outside any prefix, so only the package installs them (EXCLUDE_FROM_ALL:
# a plain `cmake --install` never writes to the machine's /etc).
install(FILES ${PROJECT_SOURCE_DIR}/deploy/deb/perch.service
  DESTINATION /lib/systemd/system COMPONENT system EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/deb/perch.default
  DESTINATION /etc/default RENAME perch COMPONENT system EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME perch)
set(CPACK_PACKAGE_VERSION ${PERCH_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "gRPC gateway for X's (Twitter's) app-only read API")
set(CPACK_PACKAGE_CONTACT "perch maintainers <perch@example.com>")
# One package of the listed components; the emulator is not among them.
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
set(CPACK_COMPONENTS_ALL server system)
# Absolute destinations (/etc, /lib) land in the package, not on this machine.
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "gRPC gateway for X's (Twitter's) app-only read API\n perch-server serves timelines, search, followers and lists over gRPC,\n holding the app's bearer token; perch is its command-line client.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/deploy/deb/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Read by PerchDebDepends.cmake when cpack runs.
set(CPACK_PERCH_RUNTIME_PACKAGES ${PROJECT_SOURCE_DIR}/deploy/image/runtime-packages)
set(CPACK_PERCH_DEB_BINARIES
  ${PROJECT_BINARY_DIR}/server/perch-server ${PROJECT_BINARY_DIR}/client/perch)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/PerchDebDepends.cmake)
include(CPack)
