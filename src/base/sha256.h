// SHA-256 of bytes in memory (OpenSSL), for fingerprints of scanned files and digests.
#pragma once

#include <string>
#include <string_view>

namespace imagepin::base {

// "sha256:<64 lowercase hex>" of `bytes`.
std::string Sha256Digest(std::string_view bytes);

}  // namespace imagepin::base
