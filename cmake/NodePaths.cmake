# Where the headers of the node that will load the addon are.
#
# MEDIAPLANE_NODE_INCLUDE_DIR: Node's full header set (node_api.h, and openssl/ and uv.h,
# which node-api-headers does not have). Default: beside MEDIAPLANE_NODE_EXECUTABLE
# (<prefix>/include/node, as Debian, NodeSource and the nodejs.org tarballs install it;
# scripts/build-native.js and prebuild.js set the executable to the node running them),
# else cmake-js's header directory (npm_config_nodedir). Prebuilds for another
# architecture use the same headers: Node's OpenSSL headers pick their per-architecture
# configuration at compile time (openssl/archs/<target>/).
# MEDIAPLANE_NODE_ADDON_API_DIR: node-addon-api's napi.h (an npm dependency).
find_program(MEDIAPLANE_NODE_EXECUTABLE NAMES node nodejs REQUIRED)

if(NOT MEDIAPLANE_NODE_INCLUDE_DIR)
	execute_process(
		COMMAND "${MEDIAPLANE_NODE_EXECUTABLE}" -p "require('path').resolve(process.execPath, '..', '..', 'include', 'node')"
		OUTPUT_VARIABLE _mp_beside_node OUTPUT_STRIP_TRAILING_WHITESPACE)
	set(_mp_candidates "${_mp_beside_node}")
	foreach(_mp_dir IN LISTS CMAKE_JS_INC)
		list(APPEND _mp_candidates "${_mp_dir}")
	endforeach()
	foreach(_mp_dir IN LISTS _mp_candidates)
		if(EXISTS "${_mp_dir}/node_api.h" AND EXISTS "${_mp_dir}/openssl/ssl.h" AND EXISTS "${_mp_dir}/uv.h")
			set(MEDIAPLANE_NODE_INCLUDE_DIR "${_mp_dir}" CACHE PATH "Node's include/node directory")
			break()
		endif()
	endforeach()
endif()
if(NOT EXISTS "${MEDIAPLANE_NODE_INCLUDE_DIR}/openssl/ssl.h" OR NOT EXISTS "${MEDIAPLANE_NODE_INCLUDE_DIR}/uv.h")
	message(FATAL_ERROR "mediaplane: Node's headers (with openssl/ and uv.h) were not found. "
		"Install them with node (they are in <prefix>/include/node of the nodejs.org tarball) "
		"and pass it: npm run build:native -- --CDMEDIAPLANE_NODE_INCLUDE_DIR=<prefix>/include/node")
endif()

if(NOT MEDIAPLANE_NODE_ADDON_API_DIR)
	execute_process(
		COMMAND "${MEDIAPLANE_NODE_EXECUTABLE}" -p "require('node-addon-api').include_dir"
		WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
		OUTPUT_VARIABLE _mp_napi_dir OUTPUT_STRIP_TRAILING_WHITESPACE
		RESULT_VARIABLE _mp_napi_result)
	if(_mp_napi_result EQUAL 0)
		get_filename_component(_mp_napi_dir "${_mp_napi_dir}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
		set(MEDIAPLANE_NODE_ADDON_API_DIR "${_mp_napi_dir}" CACHE PATH "node-addon-api's include directory")
	endif()
endif()
if(MEDIAPLANE_BUILD_ADDON AND NOT EXISTS "${MEDIAPLANE_NODE_ADDON_API_DIR}/napi.h")
	message(FATAL_ERROR "mediaplane: node-addon-api was not found (run npm install first)")
endif()
