# MEDIAPLANE_PORTABLE: the prebuilt addons (scripts/prebuild.js). The C++ runtime is
# linked in statically (zig links its libc++ statically; with GCC, -static-libstdc++),
# so the addon needs no system libstdc++ and only the libc symbols of the target's
# baseline (glibc 2.28 or musl 1.2, chosen by the toolchain's target triple). Unused
# sections are dropped and the result is stripped.
function(mediaplane_make_portable target)
	target_compile_options(mediaplane_core PRIVATE -ffunction-sections -fdata-sections)
	target_compile_options(mediaplane_io PRIVATE -ffunction-sections -fdata-sections)
	target_compile_options(srtp2 PRIVATE -ffunction-sections -fdata-sections)
	target_compile_options(${target} PRIVATE -ffunction-sections -fdata-sections)
	target_link_options(${target} PRIVATE -Wl,--gc-sections -s)
	if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
		target_link_options(${target} PRIVATE -static-libstdc++ -static-libgcc)
	endif()
endfunction()
