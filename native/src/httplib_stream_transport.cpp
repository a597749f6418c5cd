#include "livedata_native/httplib_stream_transport.h"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "url_parts.h"

namespace livedata::native {
namespace {

// How long a read may wait for the next byte. The live feed sends a heartbeat every 15 s
// and its client reconnects after 45 s of silence on its own; this only ends a read that
// nothing else would.
constexpr Millis kReadTimeoutMs = 10 * 60 * 1000;

struct Stream {
  std::atomic<bool> closed{false};
  httplib::Client* client = nullptr;  // GUARDED_BY(Shared::mutex): set while it runs
};

}  // namespace

struct HttplibStreamTransport::Shared {
  explicit Shared(HttplibTransportOptions o) : options(o) {}
  const HttplibTransportOptions options;
  std::mutex mutex;
  std::condition_variable ended;  // a stream's thread is done
  std::unordered_map<RequestId, std::shared_ptr<Stream>> streams;
  RequestId nextId = 1;
  bool stopping = false;
};

namespace {

thread_local const HttplibStreamTransport::Shared* streamThreadOf = nullptr;

void runStream(const std::shared_ptr<HttplibStreamTransport::Shared>& shared,
               const std::shared_ptr<Stream>& stream, HttpRequest request, StreamHandlers handlers) {
  streamThreadOf = shared.get();
  const auto finish = [&](std::optional<TransportFailure> failure) {
    if (stream->closed.load()) failure = TransportFailure{TransportFailureKind::cancelled, "closed"};
    handlers.onEnd(std::move(failure));
  };
  const auto url = splitUrl(request.url);
  if (!url) return finish(TransportFailure{TransportFailureKind::network, "unsupported URL: " + request.url});
  httplib::Client client(url->origin);
  client.set_keep_alive(false);
  client.set_tcp_nodelay(true);
  client.set_url_encode(false);
  client.set_follow_location(false);
  client.set_decompress(false);
  applyTimeout(std::min(std::max<Millis>(request.timeoutMs, 1), shared->options.connectTimeoutMs),
               [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
  applyTimeout(kReadTimeoutMs, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  httplib::Headers headers{{"User-Agent", shared->options.userAgent}};
  for (const auto& [name, value] : request.headers.fields()) headers.emplace(name, value);
  {
    std::lock_guard<std::mutex> lock(shared->mutex);
    if (stream->closed.load()) return finish(std::nullopt);
    stream->client = &client;
  }
  const auto result = client.Get(
      url->target, headers,
      [&](const httplib::Response& head) {
        Headers converted;
        for (const auto& [name, value] : head.headers) converted.add(name, value);
        handlers.onResponse(head.status, converted);
        return !stream->closed.load();
      },
      [&](const char* data, std::size_t length) {
        if (stream->closed.load()) return false;
        handlers.onData(std::string_view(data, length));
        return true;
      });
  {
    std::lock_guard<std::mutex> lock(shared->mutex);
    stream->client = nullptr;
  }
  if (result) return finish(std::nullopt);
  const httplib::Error error = result.error();
  const bool connecting = error == httplib::Error::Connection || error == httplib::Error::ConnectionTimeout;
  finish(TransportFailure{TransportFailureKind::network,
                          std::string(connecting ? "cannot connect to " : "lost the stream from ") + url->origin +
                              " (httplib: " + httplib::to_string(error) + ")"});
}

// Shuts the socket of a running stream, so its blocked read returns. REQUIRES: shared.mutex.
void interrupt(Stream& stream) {
  stream.closed.store(true);
  if (stream.client) stream.client->stop();
}

}  // namespace

HttplibStreamTransport::HttplibStreamTransport(HttplibTransportOptions options)
    : shared_(std::make_shared<Shared>(options)) {}

HttplibStreamTransport::~HttplibStreamTransport() {
  std::unique_lock<std::mutex> lock(shared_->mutex);
  shared_->stopping = true;
  const std::size_t own = streamThreadOf == shared_.get() ? 1 : 0;  // a handler destroying us
  // A stream that was between its closed check and its connect when interrupted would
  // miss the shutdown: interrupt again until every thread is done.
  while (shared_->streams.size() > own) {
    for (auto& [id, stream] : shared_->streams) interrupt(*stream);
    shared_->ended.wait_for(lock, std::chrono::milliseconds(50));
  }
}

RequestId HttplibStreamTransport::open(HttpRequest request, StreamHandlers handlers) {
  auto stream = std::make_shared<Stream>();
  RequestId id = 0;
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    id = shared_->nextId++;
    if (shared_->stopping) stream->closed.store(true);
    shared_->streams.emplace(id, stream);
  }
  std::thread([shared = shared_, id, stream, request = std::move(request), handlers = std::move(handlers)]() mutable {
    runStream(shared, stream, std::move(request), std::move(handlers));
    std::lock_guard<std::mutex> lock(shared->mutex);
    shared->streams.erase(id);
    shared->ended.notify_all();
  }).detach();
  return id;
}

void HttplibStreamTransport::close(RequestId id) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  const auto found = shared_->streams.find(id);
  if (found != shared_->streams.end()) interrupt(*found->second);
}

}  // namespace livedata::native
