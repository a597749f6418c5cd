#include "http/compression.h"

#include <zlib.h>

#include <cctype>
#include <cstdlib>
#include <memory>

#include "http/weighted_list.h"
#include "livedata/types.h"  // equalsIgnoreCase

namespace livedata::server {
namespace {

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
  std::optional<double> codingWeight = listedWeight(acceptEncoding, wanted);
  if (!codingWeight && equalsIgnoreCase(wanted, "gzip")) codingWeight = listedWeight(acceptEncoding, "x-gzip");
  if (codingWeight) return *codingWeight > 0;
  const std::optional<double> anyWeight = listedWeight(acceptEncoding, "*");
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
