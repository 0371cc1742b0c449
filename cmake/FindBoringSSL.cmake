# FindBoringSSL
# -------------
# Finds BoringSSL's libcrypto without confusing it with OpenSSL.
#
# Search order:
#   1. BORINGSSL_ROOT_DIR (a user's own build or install): <root>/include and
#      <root>/lib, <root>/build, <root>/build/crypto or <root>/crypto.
#   2. Debian's android-libboringssl-dev: headers in <prefix>/include/android,
#      library in <prefix>/lib/<multiarch>/android.
#
# Result: imported target BoringSSL::Crypto, BoringSSL_FOUND,
# BoringSSL_INCLUDE_DIR, BoringSSL_CRYPTO_LIBRARY, BoringSSL_LIBRARY_DIR.

set(_bssl_hint_inc)
set(_bssl_hint_lib)
if(BORINGSSL_ROOT_DIR)
  list(APPEND _bssl_hint_inc "${BORINGSSL_ROOT_DIR}/include")
  list(APPEND _bssl_hint_lib "${BORINGSSL_ROOT_DIR}/lib"
       "${BORINGSSL_ROOT_DIR}/build" "${BORINGSSL_ROOT_DIR}/build/crypto"
       "${BORINGSSL_ROOT_DIR}/crypto")
endif()
if(CMAKE_LIBRARY_ARCHITECTURE)
  list(APPEND _bssl_hint_lib "/usr/lib/${CMAKE_LIBRARY_ARCHITECTURE}/android")
endif()
list(APPEND _bssl_hint_inc "/usr/include/android")

# BoringSSL's headers are recognised by <openssl/base.h> with
# OPENSSL_IS_BORINGSSL; OpenSSL has no base.h.
find_path(BoringSSL_INCLUDE_DIR
  NAMES openssl/base.h
  HINTS ${_bssl_hint_inc}
  NO_DEFAULT_PATH)
find_library(BoringSSL_CRYPTO_LIBRARY
  NAMES crypto
  HINTS ${_bssl_hint_lib}
  NO_DEFAULT_PATH)

if(BoringSSL_INCLUDE_DIR AND NOT EXISTS "${BoringSSL_INCLUDE_DIR}/openssl/base.h")
  set(BoringSSL_INCLUDE_DIR BoringSSL_INCLUDE_DIR-NOTFOUND)
endif()
if(BoringSSL_INCLUDE_DIR)
  file(STRINGS "${BoringSSL_INCLUDE_DIR}/openssl/base.h" _bssl_marker
       REGEX "define OPENSSL_IS_BORINGSSL")
  if(NOT _bssl_marker)
    set(BoringSSL_INCLUDE_DIR BoringSSL_INCLUDE_DIR-NOTFOUND)
  endif()
endif()

include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(BoringSSL
  REQUIRED_VARS BoringSSL_CRYPTO_LIBRARY BoringSSL_INCLUDE_DIR)

if(BoringSSL_FOUND)
  get_filename_component(BoringSSL_LIBRARY_DIR "${BoringSSL_CRYPTO_LIBRARY}" DIRECTORY)
  if(NOT TARGET BoringSSL::Crypto)
    add_library(BoringSSL::Crypto UNKNOWN IMPORTED)
    set_target_properties(BoringSSL::Crypto PROPERTIES
      IMPORTED_LOCATION "${BoringSSL_CRYPTO_LIBRARY}"
      INTERFACE_INCLUDE_DIRECTORIES "${BoringSSL_INCLUDE_DIR}")
  endif()
endif()
mark_as_advanced(BoringSSL_INCLUDE_DIR BoringSSL_CRYPTO_LIBRARY)
