# perch_write_link_graph(FILE): writes what every target of the tree links,
# for scripts/check-test-seams to prove that no binary but a test reaches a
# *_testing library. Call it last, once every target_link_libraries has run.
# One line per target: NAME TYPE ROLE DEP..., where ROLE is "test" for the
# binaries perch_add_test made and "other" for the rest, and DEP are the
# target's direct link dependencies, PRIVATE ones included.

function(_perch_targets_under dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub IN LISTS subdirs)
    _perch_targets_under(${sub} more)
    list(APPEND targets ${more})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(perch_write_link_graph file)
  _perch_targets_under(${PROJECT_SOURCE_DIR} targets)
  get_property(tests GLOBAL PROPERTY PERCH_TEST_TARGETS)
  set(lines "")
  foreach(target IN LISTS targets)
    get_target_property(type ${target} TYPE)
    if(type STREQUAL "UTILITY")
      continue()
    endif()
    set(deps "")
    if(NOT type STREQUAL "INTERFACE_LIBRARY")
      get_target_property(linked ${target} LINK_LIBRARIES)
      if(linked)
        list(APPEND deps ${linked})
      endif()
    endif()
    get_target_property(interface ${target} INTERFACE_LINK_LIBRARIES)
    if(interface)
      list(APPEND deps ${interface})
    endif()
    # A static library's PRIVATE dependencies reach its users as
    # $<LINK_ONLY:dep>: linked all the same.
    list(TRANSFORM deps REPLACE "^\\$<LINK_ONLY:(.*)>$" "\\1")
    list(REMOVE_DUPLICATES deps)
    set(role other)
    if(target IN_LIST tests)
      set(role test)
    endif()
    list(JOIN deps " " deps)
    string(APPEND lines "${target} ${type} ${role} ${deps}\n")
  endforeach()
  file(WRITE ${file} "${lines}")
endfunction()
