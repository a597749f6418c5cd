#include "http/request_id.h"

#include <charconv>
#include <cstdio>
#include <iterator>
#include <random>

namespace livedata::server {

bool isAcceptableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == ':' || c == '-';
    if (!ok) return false;
  }
  return true;
}

namespace {

std::string randomPrefix() {
  std::random_device device;
  char text[9];
  std::snprintf(text, sizeof text, "%08x", static_cast<unsigned>(device()));
  return text;
}

}  // namespace

RequestIds::RequestIds() : prefix_(randomPrefix()) {}

std::string RequestIds::next() {
  const auto number = counter_.fetch_add(1, std::memory_order_relaxed) + 1;
  char counter[2 * sizeof number];  // hex digits
  const auto written = std::to_chars(std::begin(counter), std::end(counter), number, 16);  // not snprintf: per request
  std::string id;
  id.reserve(prefix_.size() + 1 + static_cast<std::size_t>(written.ptr - counter));
  id.append(prefix_).append(1, '-').append(counter, written.ptr);
  return id;
}

std::string RequestIds::forRequest(std::string_view incoming) {
  return isAcceptableRequestId(incoming) ? std::string(incoming) : next();
}

}  // namespace livedata::server
