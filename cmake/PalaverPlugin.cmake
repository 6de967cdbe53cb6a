# palaver_add_plugin(<name> SOURCES <file>... [LIBRARIES <target>...])
#
# Builds a Palaver plugin: a MODULE library named palaver-<name>.so, linked
# against the SDK, placed where palaverd looks for plugins. The same function
# ships in the palaver-dev package for plugins built out of tree.
function(palaver_add_plugin name)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "" "" "SOURCES;LIBRARIES")
  set(target palaver-${name})
  add_library(${target} MODULE ${ARG_SOURCES})
  # Services are shared between plugins by dynamic_cast: libstdc++ matches
  # types across shared objects by their names, so nothing needs exporting.
  set_target_properties(${target} PROPERTIES PREFIX "")
  # Unloadable at run time (palaverctl plugins disable|reload): -Bsymbolic
  # binds the plugin's references to its own definitions, so that no other
  # plugin binds to its copies of inline and template code (glibc keeps a
  # library loaded while another one is bound to it); without GNU unique
  # symbols (static locals of inline functions, e.g. in Poco's headers),
  # which glibc never unloads. Types still match across plugins: libstdc++
  # compares type_info by name.
  target_link_options(${target} PRIVATE -Wl,-Bsymbolic)
  # Exports only POCO's manifest function (what palaverd looks up): a library
  # loaded later with local binding (libvips' modules: poppler, heif...)
  # searches the global scope first and would otherwise bind to the plugin's
  # copies of std:: and Poco:: template code, pinning the plugin in memory.
  set(exports ${CMAKE_CURRENT_BINARY_DIR}/${target}.exports)
  file(WRITE ${exports} "{ global: pocoBuildManifest*; local: *; };\n")
  target_link_options(${target} PRIVATE -Wl,--version-script=${exports})
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS ${exports})
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -fno-gnu-unique)
  endif()
  if(PALAVER_PLUGIN_OUTPUT_DIR)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY ${PALAVER_PLUGIN_OUTPUT_DIR})
  endif()
  target_link_libraries(${target} PRIVATE Palaver::palaver ${ARG_LIBRARIES})
  if(PALAVER_PLUGIN_INSTALL_DIR)
    install(TARGETS ${target} LIBRARY DESTINATION ${PALAVER_PLUGIN_INSTALL_DIR} COMPONENT runtime)
  endif()
endfunction()
