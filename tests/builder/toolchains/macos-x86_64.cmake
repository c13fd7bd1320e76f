# Cross toolchain for checking the wheels-src CMake projects' macOS output on Linux:
# clang -target x86_64-apple-macos11 with ld64.lld, linked against a text stub of
# libSystem (no SDK needed for C code that includes no system headers).
# Used by tests/build/test_cross_platform.py, which also puts a `sw_vers` printing the
# macOS version on PATH: CMake's Darwin platform files ask it, and below 10.5 (or with no
# answer) CMake turns rpath support off and writes absolute install names.
set(CMAKE_SYSTEM_NAME Darwin)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_SYSTEM_VERSION 20.0)  # Darwin 20 = macOS 11
set(CMAKE_OSX_ARCHITECTURES x86_64)
set(CMAKE_OSX_DEPLOYMENT_TARGET 11.0)
set(CMAKE_C_COMPILER clang)
set(CMAKE_C_COMPILER_TARGET x86_64-apple-macos11)
# cmake --install edits install names and deletes build rpaths with it.
set(_tools install_name_tool llvm-install-name-tool)
foreach(_version RANGE 22 14 -1)
  list(APPEND _tools llvm-install-name-tool-${_version})
endforeach()
find_program(CMAKE_INSTALL_NAME_TOOL REQUIRED NAMES ${_tools})
set(_libsystem "${CMAKE_CURRENT_LIST_DIR}/libSystem.tbd")
foreach(_kind SHARED MODULE EXE)
  set(CMAKE_${_kind}_LINKER_FLAGS_INIT "-fuse-ld=lld -nostdlib ${_libsystem}")
endforeach()
