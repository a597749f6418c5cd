#include "http/compression.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "livedata/types.h"  // equalsIgnoreCase

namespace livedata::server {
namespace {

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// The weight of one list member "coding;q=0.5" (1 when absent or unparsable).
double weightOf(std::string_view parameters) {
  while (!parameters.empty()) {
    const std::size_t semicolon = parameters.find(';');
    const std::string_view parameter = trim(parameters.substr(0, semicolon));
    parameters = semicolon == std::string_view::npos ? std::string_view{} : parameters.substr(semicolon + 1);
    if (parameter.size() >= 2 && (parameter[0] == 'q' || parameter[0] == 'Q') && parameter[1] == '=') {
      const std::string value(trim(parameter.substr(2)));
      char* end = nullptr;
      const double q = std::strtod(value.c_str(), &end);
      return end == value.c_str() ? 1.0 : q;
    }
  }
  return 1.0;
}

// One deflate stream per thread, reset between uses: deflateInit2 allocates and clears about
// 256 KiB of window and hash tables, which cost more than compressing a typical body.
// The stream lives until its thread ends (the server's worker threads live as long as it).
class ThreadDeflater {
 public:
  ThreadDeflater() {
    // windowBits 15 + 16 asks zlib for a gzip wrapper (with mtime 0, so output is stable).
    ready_ = deflateInit2(&stream_, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
  }
  ~ThreadDeflater() {
    if (ready_) deflateEnd(&stream_);
  }
  ThreadDeflater(const ThreadDeflater&) = delete;
  ThreadDeflater& operator=(const ThreadDeflater&) = delete;

  z_stream* stream() { return ready_ ? &stream_ : nullptr; }

 private:
  z_stream stream_{};
  bool ready_ = false;
};

thread_local std::unique_ptr<ThreadDeflater> tDeflater;

// This thread's stream, made at first use; null if zlib cannot make one.
z_stream* threadDeflater() {
  if (!tDeflater) tDeflater = std::make_unique<ThreadDeflater>();
  z_stream* stream = tDeflater->stream();
  if (!stream) tDeflater.reset();  // try again next time
  return stream;
}

void discardThreadDeflater() { tDeflater.reset(); }

}  // namespace

bool acceptsCoding(std::string_view acceptEncoding, std::string_view wanted) {
  const bool gzip = equalsIgnoreCase(wanted, "gzip");
  std::optional<double> codingWeight;
  std::optional<double> anyWeight;
  while (!acceptEncoding.empty()) {
    const std::size_t comma = acceptEncoding.find(',');
    const std::string_view member = acceptEncoding.substr(0, comma);
    acceptEncoding = comma == std::string_view::npos ? std::string_view{} : acceptEncoding.substr(comma + 1);
    const std::size_t semicolon = member.find(';');
    const std::string_view coding = trim(member.substr(0, semicolon));
    const double weight =
        semicolon == std::string_view::npos ? 1.0 : weightOf(member.substr(semicolon + 1));
    if (equalsIgnoreCase(coding, wanted) || (gzip && equalsIgnoreCase(coding, "x-gzip"))) {
      codingWeight = weight;
    } else if (coding == "*") {
      anyWeight = weight;
    }
  }
  if (codingWeight) return *codingWeight > 0;
  return anyWeight && *anyWeight > 0;
}

std::optional<std::string> gzipCompress(std::string_view data) {
  z_stream* stream = threadDeflater();
  if (!stream) return std::nullopt;
  std::string out(deflateBound(stream, static_cast<uLong>(data.size())) + 32, '\0');
  stream->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  stream->avail_in = static_cast<uInt>(data.size());
  stream->next_out = reinterpret_cast<Bytef*>(out.data());
  stream->avail_out = static_cast<uInt>(out.size());
  const int status = deflate(stream, Z_FINISH);
  const std::size_t produced = stream->total_out;
  // Back to the state deflateInit2 left: the next member is compressed exactly as by a fresh
  // stream (deflateReset keeps only the allocations and the parameters).
  const bool reusable = deflateReset(stream) == Z_OK;
  if (!reusable) discardThreadDeflater();
  if (status != Z_STREAM_END) return std::nullopt;
  out.resize(produced);
  return out;
}

}  // namespace livedata::server
