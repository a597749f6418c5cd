#include "http/static_files.h"

#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "http/compression.h"
#include "http/http_caching.h"

namespace livedata::server {
namespace {

bool endsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

// The request path as a path relative to the root: "/" and "/dir/" name their index.html.
// nullopt for anything that could leave the root or name a file ambiguously.
std::optional<std::string> relativePathOf(std::string_view requestPath) {
  if (requestPath.empty() || requestPath.front() != '/') return std::nullopt;
  std::string relative(requestPath.substr(1));
  if (relative.empty() || relative.back() == '/') relative += "index.html";
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t slash = relative.find('/', start);
    const std::string_view segment =
        std::string_view(relative).substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (segment.empty() || segment == "." || segment == "..") return std::nullopt;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  for (const char c : relative) {
    if (c == '\\' || c == '\0') return std::nullopt;
  }
  return relative;
}

std::optional<std::string> readFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return std::nullopt;
  return bytes;
}

// The precompressed sibling (`name.br`, `name.gz`) in `coding`, if the build made one.
std::optional<StaticRepresentation> precompressed(const std::filesystem::path& file, const char* suffix,
                                                  const char* coding, const std::string& identityEtag) {
  auto bytes = readFile(file.string() + suffix);
  if (!bytes) return std::nullopt;
  return StaticRepresentation{coding, std::move(*bytes), etagForCoding(identityEtag, coding)};
}

std::shared_ptr<const StaticFile> load(const std::filesystem::path& path, const std::string& relative) {
  auto bytes = readFile(path);
  if (!bytes) return nullptr;
  auto file = std::make_shared<StaticFile>();
  file->contentType = contentTypeForFile(relative);
  file->immutable = relative.rfind("assets/", 0) == 0;
  const std::string etag = strongEtagFor(*bytes);
  file->identity = StaticRepresentation{"", std::move(*bytes), etag};
  file->brotli = precompressed(path, ".br", "br", etag);
  file->gzip = precompressed(path, ".gz", "gzip", etag);
  return file;
}

}  // namespace

const StaticRepresentation& StaticFile::representationFor(std::string_view acceptEncoding) const {
  if (brotli && acceptsCoding(acceptEncoding, "br")) return *brotli;
  if (gzip && acceptsCoding(acceptEncoding, "gzip")) return *gzip;
  return identity;
}

StaticFiles::StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}

std::shared_ptr<const StaticFile> StaticFiles::find(std::string_view requestPath) const {
  const auto relative = relativePathOf(requestPath);
  if (!relative) return nullptr;
  // The compressed siblings are representations of their file, not files of their own.
  if (endsWith(*relative, ".br") || endsWith(*relative, ".gz")) return nullptr;
  const std::filesystem::path path = root_ / *relative;
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) return nullptr;
  const auto modified = std::filesystem::last_write_time(path, error);
  if (error) return nullptr;
  const auto size = std::filesystem::file_size(path, error);
  if (error) return nullptr;
  {
    std::lock_guard lock(mutex_);
    const auto cached = cache_.find(*relative);
    if (cached != cache_.end() && cached->second.modified == modified && cached->second.size == size) {
      return cached->second.file;
    }
  }
  // Read outside the lock; two first requests may both read, and either result is right.
  auto file = load(path, *relative);
  if (!file) return nullptr;
  std::lock_guard lock(mutex_);
  cache_[*relative] = Cached{modified, size, file};
  return file;
}

std::string contentTypeForFile(std::string_view name) {
  struct Mapping {
    std::string_view extension;
    std::string_view type;
  };
  static constexpr Mapping kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      // instantiateStreaming refuses a module without this type.
      {".wasm", "application/wasm"},
      {".json", "application/json; charset=utf-8"},
      {".map", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
      {".woff2", "font/woff2"},
  };
  for (const Mapping& mapping : kTypes) {
    if (endsWith(name, mapping.extension)) return std::string(mapping.type);
  }
  return "application/octet-stream";
}

}  // namespace livedata::server
