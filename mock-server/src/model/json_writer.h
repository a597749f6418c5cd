// Compact JSON text written straight into a string, without building a tree first: the
// renderers of /api bodies and upstream pages write thousands of records per response, and
// an nlohmann tree per record cost most of their time (profiles of the cold path).
//
// Invariant: the bytes are exactly those nlohmann's dump(-1, ' ', false,
// error_handler_t::replace) writes for the same values in the same order, so bodies and
// their ETags do not change with the writer: integers in decimal, doubles through
// nlohmann's own shortest round-trip formatter (non-finite ones as null), strings escaped
// as nlohmann escapes them (an invalid UTF-8 byte becomes U+FFFD).
//
// Header-only because both the store (api_queries) and the upstream (page_json) libraries
// use it and neither depends on the other.
//
// Threading: one writer per string; no shared state.
#pragma once

#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace livedata::server {

class JsonWriter {
 public:
  // Appends to `out`, which must outlive the writer.
  explicit JsonWriter(std::string& out) : out_(out) {}

  void beginObject() { open('{'); }
  void endObject() { close('}'); }
  void beginArray() { open('['); }
  void endArray() { close(']'); }

  // An object member's name; the value written next is its value. `name` must need no
  // escaping (our field names are plain ASCII identifiers).
  void key(std::string_view name) {
    separate();
    out_ += '"';
    out_ += name;
    out_ += "\":";
    needsComma_ = false;
  }

  void text(std::string_view value) {
    separate();
    if (isPlain(value)) {
      out_ += '"';
      out_ += value;
      out_ += '"';
    } else {
      // Rare (escapes or non-ASCII text): nlohmann's own escaping, byte for byte.
      out_ += nlohmann::json(std::string(value)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    needsComma_ = true;
  }

  void integer(std::int64_t value) {
    separate();
    std::array<char, 24> buffer{};
    const char* end = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value).ptr;
    out_.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
    needsComma_ = true;
  }

  void number(double value) {
    separate();
    if (!std::isfinite(value)) {
      out_ += "null";  // as nlohmann's dump_float
    } else {
      std::array<char, 64> buffer{};  // nlohmann's serializer uses the same size
      char* end = nlohmann::detail::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
      out_.append(buffer.data(), static_cast<std::size_t>(end - buffer.data()));
    }
    needsComma_ = true;
  }

  void null() {
    separate();
    out_ += "null";
    needsComma_ = true;
  }

 private:
  // Printable ASCII without '"' and '\\': written as is by nlohmann too (0x7f included).
  static bool isPlain(std::string_view value) {
    for (const char c : value) {
      const auto byte = static_cast<unsigned char>(c);
      if (byte < 0x20 || byte >= 0x80 || c == '"' || c == '\\') return false;
    }
    return true;
  }

  void separate() {
    if (needsComma_) out_ += ',';
  }
  void open(char bracket) {
    separate();
    out_ += bracket;
    needsComma_ = false;
  }
  void close(char bracket) {
    out_ += bracket;
    needsComma_ = true;
  }

  std::string& out_;
  // Whether a value was written last at this level, so the next member or element needs a
  // comma first. Opening a container clears it; closing one sets it.
  bool needsComma_ = false;
};

}  // namespace livedata::server
