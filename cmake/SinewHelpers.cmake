# SPDX-License-Identifier: Apache-2.0
# Small CMake helpers shared by the top-level CMakeLists.txt and tests/CMakeLists.txt.

# sinew_warnings(target): -Wall -Wextra for C++, -Xcompiler=-Wall for CUDA (host side).
function(sinew_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra>
    $<$<COMPILE_LANGUAGE:CUDA>:-Xcompiler=-Wall>)
endfunction()

# sinew_find_header_only(package imported_target header): find_package(package CONFIG) as Debian
# ships it; when the package has no CMake config, fall back to an INTERFACE target around the
# directory that holds `header`.
function(sinew_find_header_only package target header)
  find_package(${package} CONFIG QUIET)
  if(TARGET ${target})
    message(STATUS "Sinew: ${package} found (CMake config)")
    return()
  endif()
  find_path(_sinew_${package}_dir NAMES ${header})
  if(NOT _sinew_${package}_dir)
    message(FATAL_ERROR "Sinew: ${package} not found (no CMake config, no ${header}); run "
                        "tools/bootstrap.sh")
  endif()
  add_library(${target} INTERFACE IMPORTED GLOBAL)
  set_target_properties(${target} PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${_sinew_${package}_dir}")
  message(STATUS "Sinew: ${package} found (header ${_sinew_${package}_dir}/${header})")
endfunction()

# sinew_test_labels(source out_var): the labels of one test file, read from a comment line near
# the top of the file:   // ctest-labels: fast physics
# Unknown labels are an error (a typo would silently drop a test from CI's label filters).
set(SINEW_KNOWN_TEST_LABELS fast physics learning gpu browser slow)
function(sinew_test_labels source out_var)
  file(STRINGS "${source}" _lines LIMIT_INPUT 4096 REGEX "^[ \t]*//[ \t]*ctest-labels:")
  set(_labels "")
  foreach(_line IN LISTS _lines)
    string(REGEX REPLACE "^[ \t]*//[ \t]*ctest-labels:[ \t]*" "" _line "${_line}")
    separate_arguments(_words UNIX_COMMAND "${_line}")
    list(APPEND _labels ${_words})
  endforeach()
  foreach(_l IN LISTS _labels)
    if(NOT _l IN_LIST SINEW_KNOWN_TEST_LABELS)
      message(FATAL_ERROR "${source}: unknown ctest label '${_l}' (known: "
                          "${SINEW_KNOWN_TEST_LABELS}; add new ones in cmake/SinewHelpers.cmake)")
    endif()
  endforeach()
  list(REMOVE_DUPLICATES _labels)
  set(${out_var} "${_labels}" PARENT_SCOPE)
endfunction()
