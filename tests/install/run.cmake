# Installs ctnn into a scratch prefix and builds a consumer against it with find_package(ctnn), then
# with the flags pkg-config gives from the installed ctnn.pc and ctnn-data.pc; then builds the same
# consumer with ctnn vendored through add_subdirectory. All must run.
file(REMOVE_RECURSE ${WORK_DIR})

function(run_step what)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${what} failed")
  endif()
endfunction()

# Configures, builds and runs the consumer in SOURCE, into BINARY, with the extra cache arguments.
function(check_consumer what source binary)
  run_step("configuring the ${what} consumer" ${CMAKE_COMMAND} -S ${source} -B ${binary}
           -DCMAKE_CXX_COMPILER=${COMPILER} ${ARGN})
  run_step("building the ${what} consumer" ${CMAKE_COMMAND} --build ${binary})
  execute_process(COMMAND ${binary}/consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
  if(NOT rc EQUAL 0 OR NOT out MATCHES "parameters: 1732")
    message(FATAL_ERROR "the ${what} consumer did not run as expected: ${out}")
  endif()
endfunction()

run_step("configuring ctnn" ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/build -DCTNN_BUILD_TESTS=OFF
         -DCTNN_BUILD_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix)
run_step("installing ctnn" ${CMAKE_COMMAND} --install ${WORK_DIR}/build)
check_consumer(find_package ${SOURCE_DIR}/tests/install ${WORK_DIR}/consumer -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
check_consumer(add_subdirectory ${SOURCE_DIR}/tests/install/subdirectory ${WORK_DIR}/vendored
               -DCTNN_SOURCE_DIR=${SOURCE_DIR})

# pkg-config: the installed .pc files alone give the flags (the data readers' one links zlib).
find_program(PKG_CONFIG pkg-config REQUIRED)
set(ENV{PKG_CONFIG_PATH} ${WORK_DIR}/prefix/share/pkgconfig)
execute_process(COMMAND ${PKG_CONFIG} --cflags --libs ctnn-data RESULT_VARIABLE rc OUTPUT_VARIABLE flags
                OUTPUT_STRIP_TRAILING_WHITESPACE)
if(NOT rc EQUAL 0 OR NOT flags MATCHES "-lz" OR NOT flags MATCHES "${WORK_DIR}/prefix/include")
  message(FATAL_ERROR "pkg-config --cflags --libs ctnn-data gave '${flags}'")
endif()
separate_arguments(flag_list UNIX_COMMAND "${flags}")
run_step("building the pkg-config consumer" ${COMPILER} -O1 ${SOURCE_DIR}/tests/install/main.cpp ${flag_list}
         -o ${WORK_DIR}/pkgconfig_consumer)
execute_process(COMMAND ${WORK_DIR}/pkgconfig_consumer RESULT_VARIABLE rc OUTPUT_VARIABLE out)
if(NOT rc EQUAL 0 OR NOT out MATCHES "parameters: 1732")
  message(FATAL_ERROR "the pkg-config consumer did not run as expected: ${out}")
endif()
