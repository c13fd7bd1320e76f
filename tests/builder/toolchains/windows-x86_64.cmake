# Cross toolchain for checking the wheels-src CMake projects' Windows output on Linux
# with mingw-w64 (tests/build/test_cross_platform.py). CI's real Windows builds use MSVC;
# what both must agree on is checked: DLL names, exports, imports, install locations.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR AMD64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
