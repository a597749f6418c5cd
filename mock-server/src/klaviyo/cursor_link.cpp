#include "klaviyo/cursor_link.h"

#include "livedata/cache.h"  // parseQueryString

namespace livedata::server::klaviyo {
namespace {

// "scheme://authority" of an absolute http(s) URL, and the rest (path, query); nullopt otherwise.
std::optional<std::pair<std::string_view, std::string_view>> splitOrigin(std::string_view url) {
  const auto schemeEnd = url.find("://");
  if (schemeEnd == std::string_view::npos) return std::nullopt;
  const std::string_view scheme = url.substr(0, schemeEnd);
  if (scheme != "http" && scheme != "https") return std::nullopt;
  const auto pathStart = url.find_first_of("/?#", schemeEnd + 3);
  const std::size_t end = pathStart == std::string_view::npos ? url.size() : pathStart;
  if (end == schemeEnd + 3) return std::nullopt;  // no host
  return std::make_pair(url.substr(0, end), url.substr(end));
}

// A path compares without its trailing '/' (Klaviyo writes /api/campaigns/).
std::string_view withoutTrailingSlash(std::string_view path) {
  return path.size() > 1 && path.back() == '/' ? path.substr(0, path.size() - 1) : path;
}

}  // namespace

Expected<std::string, std::string> cursorFromNextLink(std::string_view link, std::string_view origin, std::string_view path) {
  const auto parts = splitOrigin(link);
  if (!parts) return unexpected(std::string("links.next is not an absolute http(s) URL"));
  // Scheme and host compare without letter case (RFC 3986 section 6.2.2.1); a default port is
  // not taken off, so "http://h" and "http://h:80" differ, which only makes the check stricter.
  const auto sameText = [](std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
    }
    return true;
  };
  if (!sameText(parts->first, origin)) return unexpected(std::string("links.next points to another origin than the API's"));
  std::string_view rest = parts->second;
  if (const auto fragment = rest.find('#'); fragment != std::string_view::npos) rest = rest.substr(0, fragment);
  const auto queryStart = rest.find('?');
  const std::string_view linkPath = rest.substr(0, queryStart);
  if (withoutTrailingSlash(linkPath) != withoutTrailingSlash(path)) {
    return unexpected(std::string("links.next points to another path than the one asked"));
  }
  if (queryStart == std::string_view::npos) return unexpected(std::string("links.next has no page[cursor]"));
  std::optional<std::string> cursor;
  for (auto& [name, value] : parseQueryString(rest.substr(queryStart + 1))) {
    if (name != "page[cursor]") continue;
    if (cursor) return unexpected(std::string("links.next has page[cursor] twice"));
    cursor = std::move(value);
  }
  if (!cursor || cursor->empty()) return unexpected(std::string("links.next has no page[cursor]"));
  return *cursor;
}

}  // namespace livedata::server::klaviyo
