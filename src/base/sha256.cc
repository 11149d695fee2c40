#include "base/sha256.h"

#include <openssl/evp.h>

#include <cstdlib>

namespace imagepin::base {

std::string Sha256Digest(std::string_view bytes) {
  unsigned char hash[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // EVP_Digest is the one-shot form of Init/Update/Final; it fails only on allocation, and a
  // fingerprint that could silently be empty would defeat its purpose.
  if (EVP_Digest(bytes.data(), bytes.size(), hash, &length, EVP_sha256(), nullptr) != 1) {
    std::abort();
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < length; ++i) {
    out += kHex[hash[i] >> 4];
    out += kHex[hash[i] & 0xF];
  }
  return out;
}

}  // namespace imagepin::base
