// The dashboard's files, served from a folder (--web-root) with the content codings the
// build precompressed beside them: `app.js` is sent as `app.js.br` or `app.js.gz` to a
// client that accepts brotli or gzip (RFC 9110 section 12.5.3), with its own strong ETag per
// coding and `Vary: Accept-Encoding` (section 8.8.3.3). Nothing is compressed per request.
//
// A file is read at its first request and kept while its size and modification time stay
// the same, so a new build is served without a restart. Only regular files under the folder
// are served: a path with an empty, "." or ".." segment is not found.
//
// Threading: every member is safe to call from any thread.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace livedata::server {

// One representation of a file: its bytes in one content coding.
struct StaticRepresentation {
  std::string coding;  // "" (identity), "br" or "gzip"
  std::string bytes;
  std::string etag;
};

struct StaticFile {
  std::string contentType;
  // Whether its name carries a content hash (under /assets/, as Vite names them): such a
  // file never changes, so it may be cached for a year; others are revalidated each time.
  bool immutable = false;
  StaticRepresentation identity;
  std::optional<StaticRepresentation> brotli;
  std::optional<StaticRepresentation> gzip;

  // The representation for an Accept-Encoding field value: brotli, then gzip, as accepted.
  const StaticRepresentation& representationFor(std::string_view acceptEncoding) const;
};

class StaticFiles {
 public:
  explicit StaticFiles(std::filesystem::path root);

  // The file at a request path ("/" is "/index.html"), or null when there is none.
  std::shared_ptr<const StaticFile> find(std::string_view requestPath) const;

 private:
  struct Cached {
    std::filesystem::file_time_type modified;
    std::uintmax_t size = 0;
    std::shared_ptr<const StaticFile> file;
  };
  const std::filesystem::path root_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, Cached, std::less<>> cache_;  // GUARDED_BY(mutex_); by relative path
};

// The media type for a file name, by its extension (application/octet-stream if unknown).
std::string contentTypeForFile(std::string_view name);

}  // namespace livedata::server
