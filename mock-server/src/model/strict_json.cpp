#include "model/strict_json.h"

#include <optional>
#include <set>
#include <vector>

namespace livedata::server {

Expected<nlohmann::json, std::string> parseJsonStrictly(std::string_view text) {
  using Event = nlohmann::json::parse_event_t;
  std::vector<std::set<std::string>> keysOfOpenObjects;  // innermost last
  std::optional<std::string> repeated;
  const nlohmann::json::parser_callback_t noteKeys = [&](int, Event event, nlohmann::json& parsed) {
    if (event == Event::object_start) {
      keysOfOpenObjects.emplace_back();
    } else if (event == Event::object_end) {
      keysOfOpenObjects.pop_back();
    } else if (event == Event::key && !keysOfOpenObjects.back().insert(parsed.get<std::string>()).second) {
      if (!repeated) repeated = parsed.get<std::string>();
    }
    return true;
  };
  auto document = nlohmann::json::parse(text, noteKeys, /*allow_exceptions=*/false);
  if (document.is_discarded()) return unexpected(std::string("is not valid JSON"));
  if (repeated) {
    constexpr std::size_t kShown = 64;  // a key may be as long as the body: named, not echoed whole
    const std::string shown = repeated->size() > kShown ? repeated->substr(0, kShown) + "..." : *repeated;
    return unexpected("repeats the key '" + shown + "' in one object");
  }
  return document;
}

}  // namespace livedata::server
