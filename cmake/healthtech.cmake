# healthtech_embed_migrations(<target> <dir> <namespace>)
# Compiles every V*.sql file of <dir> into the target as a sorted list of
# healthtech::pg::Migration{version, name, sql}, so binaries carry their own schema.
function(healthtech_embed_migrations target dir ns)
  file(GLOB sql_files CONFIGURE_DEPENDS ${dir}/V*.sql)
  list(SORT sql_files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_migrations.cc)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ns} "-DFILES=${sql_files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    DEPENDS ${sql_files} ${PROJECT_SOURCE_DIR}/cmake/embed_migrations.cmake
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()

# healthtech_test(<name> SOURCES ... LIBS ... LABEL unit|integration)
function(healthtech_test name)
  cmake_parse_arguments(T "" "LABEL" "SOURCES;LIBS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main GTest::gmock)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  gtest_discover_tests(${name} PROPERTIES LABELS ${T_LABEL} DISCOVERY_TIMEOUT 30)
endfunction()

# healthtech_embed_files(<target> <dir> <namespace> <function>): every file under <dir>
# becomes an entry of <namespace>::<function>() (relative path -> content).
function(healthtech_embed_files target dir ns fn)
  file(GLOB_RECURSE files CONFIGURE_DEPENDS ${dir}/*)
  list(SORT files)
  set(out ${CMAKE_CURRENT_BINARY_DIR}/${target}_${fn}.cc)
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -DOUT=${out} -DNS=${ns} -DFN=${fn} -DBASE=${dir} "-DFILES=${files}"
            -P ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    DEPENDS ${files} ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake
    VERBATIM)
  target_sources(${target} PRIVATE ${out})
endfunction()

# healthtech_embed_sql(<target> <dir> <namespace>): every .sql file under <dir> (one named
# statement each, grouped by resource: "booking/insert.sql") becomes an entry of
# <namespace>::Statements(); the service prepares each by name ("booking/insert") at start-up.
function(healthtech_embed_sql target dir ns)
  healthtech_embed_files(${target} ${dir} ${ns} Statements)
endfunction()
