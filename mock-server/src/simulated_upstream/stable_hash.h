// FNV-1a, 64 bits: the same value for the same text on every run and platform (std::hash
// promises neither), for what the simulated upstream derives from text and must keep across a
// restart: cursors' walk digests, creation times, report ids.
#pragma once

#include <cstdint>
#include <string_view>

namespace livedata::server {

inline std::uint64_t stableHash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ull;
  for (const char c : text) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace livedata::server
