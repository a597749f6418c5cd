#include "app/log.h"

#include <chrono>
#include <string>

#include "model/civil_time.h"

namespace livedata::server {
namespace {

std::string timestampNow() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now).count();
  std::string stamp = formatIsoTimestamp(ms / 1000);  // "2026-11-25T09:41:05Z"
  const std::string millis = std::to_string(1000 + ms % 1000).substr(1);
  stamp.insert(stamp.size() - 1, "." + millis);
  return stamp;
}

}  // namespace

Log::Log(LogLevel minimum, LogFormat format, std::FILE* out) : minimum_(minimum), format_(format), out_(out) {}

void Log::write(LogLevel level, std::string_view message, const nlohmann::ordered_json& fields) const {
  if (!enabled(level)) return;
  std::string line;
  if (format_ == LogFormat::json) {
    nlohmann::ordered_json object;
    object["ts"] = timestampNow();
    object["level"] = toString(level);
    object["msg"] = std::string(message);
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) object[key] = value;
    }
    // Invalid UTF-8 (say, a client's header) is replaced rather than dropping the line.
    line = object.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  } else {
    line = timestampNow() + " " + toString(level) + " " + std::string(message);
    if (fields.is_object()) {
      for (const auto& [key, value] : fields.items()) {
        line += " " + key + "=" + value.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
      }
    }
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

}  // namespace livedata::server
