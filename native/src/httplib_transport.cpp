#include "livedata_native/httplib_transport.h"

#include "url_parts.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

namespace livedata::native {
namespace {

using SteadyClock = std::chrono::steady_clock;

// Where a request is, as far as cancel() is concerned. Shared between the worker that runs
// the request and cancel(); `stoppers` is guarded by HttplibTransport::Shared::mutex.
struct RequestState {
  std::atomic<bool> cancelled{false};
  httplib::Client* client = nullptr;  // set while running; owned by the worker
  int stoppers = 0;                   // cancel() calls currently inside client->stop()
};

struct Job {
  RequestId id = 0;
  HttpRequest request;
  TransportCallback done;
  std::shared_ptr<RequestState> state;
};

TransportResult toResult(httplib::Response&& res) {
  HttpResponse out;
  out.status = res.status;
  for (auto& [name, value] : res.headers) out.headers.add(name, value);
  out.body = std::move(res.body);
  return TransportResult::ok(std::move(out));
}

// httplib 0.11 reports a read timeout as Error::Read, as it does a reset: the time spent
// tells them apart (a timeout fires only after the full timeout of silence).
TransportResult toFailure(httplib::Error error, const Job& job, Millis elapsedMs,
                          const std::string& origin) {
  const Millis timeoutMs = job.request.timeoutMs;
  // The core prefixes the method and URL; say only what happened.
  const std::string cause = " (httplib: " + httplib::to_string(error) + ")";
  if (job.state->cancelled.load()) {
    return TransportResult::failed(TransportFailureKind::cancelled, "cancelled" + cause);
  }
  const bool outOfTime = elapsedMs >= timeoutMs - timeoutMs / 20;
  switch (error) {
    case httplib::Error::Canceled:  // only the body's receiver cancels: the deadline passed
    case httplib::Error::Read:
    case httplib::Error::Write:
      if (error == httplib::Error::Canceled || outOfTime) {
        return TransportResult::failed(
            TransportFailureKind::timeout,
            "no complete response within " + std::to_string(timeoutMs) + " ms" + cause);
      }
      return TransportResult::failed(TransportFailureKind::network,
                                     "connection to " + origin + " lost" + cause);
    case httplib::Error::Connection:
    case httplib::Error::ConnectionTimeout:
    case httplib::Error::BindIPAddress:
    case httplib::Error::SSLConnection:
    case httplib::Error::SSLLoadingCerts:
    case httplib::Error::SSLServerVerification:
      return TransportResult::failed(TransportFailureKind::network,
                                     "cannot connect to " + origin + cause);
    default:
      return TransportResult::failed(TransportFailureKind::network, "request failed" + cause);
  }
}

}  // namespace

struct HttplibTransport::Shared {
  explicit Shared(HttplibTransportOptions opts) : options(opts) {}

  const HttplibTransportOptions options;
  std::mutex mutex;
  std::condition_variable wake;     // queue or stopping changed
  std::condition_variable stopped;  // a RequestState's stoppers dropped
  // Cancelled jobs are moved to the front, so they complete without waiting their turn.
  std::deque<Job> queue;
  std::unordered_map<RequestId, std::shared_ptr<RequestState>> running;
  RequestId nextId = 1;
  bool stopping = false;
  std::vector<std::thread> workers;
};

namespace {

void complete(Job& job, TransportResult result) {
  auto done = std::move(job.done);
  done(std::move(result));
}

httplib::Client& clientFor(std::map<std::string, std::unique_ptr<httplib::Client>>& clients,
                           const std::string& origin, const HttplibTransportOptions& options) {
  auto& client = clients[origin];
  if (!client) {
    client = std::make_unique<httplib::Client>(origin);
    client->set_keep_alive(true);
    client->set_tcp_nodelay(true);  // avoids the 40 ms Nagle/delayed-ACK stall per request
    client->set_url_encode(false);  // the core's URLs are already percent-encoded
    client->set_follow_location(false);
    client->set_default_headers({{"User-Agent", options.userAgent}});
  }
  return *client;
}

// Sends one job on this worker's client for its origin and returns its outcome.
TransportResult run(HttplibTransport::Shared& shared, Job& job,
                    std::map<std::string, std::unique_ptr<httplib::Client>>& clients) {
  const auto url = splitUrl(job.request.url);
  if (!url) {
    return TransportResult::failed(TransportFailureKind::network,
                                   "unsupported URL (http:// or https:// expected): " +
                                       job.request.url);
  }
  httplib::Client& client = clientFor(clients, url->origin, shared.options);
  if (!client.is_valid()) {
    clients.erase(url->origin);
    return TransportResult::failed(TransportFailureKind::network,
                                   "cannot create a client for " + url->origin);
  }
  const Millis timeoutMs = std::max<Millis>(job.request.timeoutMs, 1);
  applyTimeout(std::min(timeoutMs, shared.options.connectTimeoutMs),
               [&](time_t s, time_t us) { client.set_connection_timeout(s, us); });
  applyTimeout(timeoutMs, [&](time_t s, time_t us) { client.set_read_timeout(s, us); });
  applyTimeout(timeoutMs, [&](time_t s, time_t us) { client.set_write_timeout(s, us); });

  httplib::Request req;
  req.method = job.request.method;
  req.path = url->target;
  for (const auto& [name, value] : job.request.headers.fields()) req.headers.emplace(name, value);
  req.body = job.request.body;
  const auto start = SteadyClock::now();
  const auto deadline = start + std::chrono::milliseconds(timeoutMs);
  // httplib 0.11 reads a body after a 304 as if it could have one (cpp-httplib issue
  // #1998): with no Content-Length it waits for the connection to close, which on a
  // kept-alive connection is the whole read timeout. A 304 never has a body (RFC 9110
  // section 15.4.5), so stop at its headers; httplib then reports Canceled and drops the
  // connection, and the response is complete as it stands.
  bool notModified = false;
  req.response_handler = [&notModified](const httplib::Response& head) {
    notModified = head.status == 304;
    return !notModified;
  };
  // The body is gathered here, as its pieces arrive whatever the framing (Content-Length,
  // chunked, or until the connection closes; httplib's progress callback sees only the
  // first): the overall deadline, cancellation, and the bound of maxResponseBytes hold
  // mid-body. Stopping makes httplib report Canceled and drop the connection, the rest unread.
  std::string body;
  bool cutAtBound = false;
  req.content_receiver = [&body, &cutAtBound, state = job.state, deadline, limit = job.request.maxResponseBytes](
                             const char* data, std::size_t length, std::uint64_t, std::uint64_t) {
    if (state->cancelled.load() || SteadyClock::now() >= deadline) return false;
    cutAtBound = length > limit - body.size();
    body.append(data, cutAtBound ? limit - body.size() : length);
    return !cutAtBound;
  };

  {
    std::lock_guard<std::mutex> lock(shared.mutex);
    if (job.state->cancelled.load()) {
      return TransportResult::failed(TransportFailureKind::cancelled, "cancelled before sending");
    }
    job.state->client = &client;
    shared.running.emplace(job.id, job.state);
  }

  httplib::Response res;
  auto error = httplib::Error::Success;
  const bool ok = client.send(req, res, error);
  const auto elapsedMs =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - start).count();

  {
    // A cancel() inside client.stop() must finish before this client runs anything else,
    // or its stop() could hit the next request.
    std::unique_lock<std::mutex> lock(shared.mutex);
    shared.stopped.wait(lock, [&] { return job.state->stoppers == 0; });
    shared.running.erase(job.id);
    job.state->client = nullptr;
  }

  if (job.state->cancelled.load()) {
    return TransportResult::failed(TransportFailureKind::cancelled, "cancelled");
  }
  res.body = std::move(body);
  if (cutAtBound) {
    // Data past the bound is refused; an error's body only explains it, so its status
    // stands, with the body cut at the bound.
    if (res.status < 200 || res.status >= 300) return toResult(std::move(res));
    return TransportResult::failed(TransportFailureKind::tooLarge,
                                   "response body over " + std::to_string(job.request.maxResponseBytes) +
                                       " bytes (maxResponseBytes); the rest was not read");
  }
  if (ok && error == httplib::Error::Success) return toResult(std::move(res));
  if (notModified && error == httplib::Error::Canceled) return toResult(std::move(res));
  if (error == httplib::Error::Success) error = httplib::Error::Unknown;
  return toFailure(error, job, elapsedMs, url->origin);
}

void workerLoop(std::shared_ptr<HttplibTransport::Shared> shared) {
  // This worker's keep-alive connections, one client per origin (never shared).
  std::map<std::string, std::unique_ptr<httplib::Client>> clients;
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(shared->mutex);
      shared->wake.wait(lock, [&] { return shared->stopping || !shared->queue.empty(); });
      if (shared->queue.empty()) return;  // stopping, and every job has been completed
      job = std::move(shared->queue.front());
      shared->queue.pop_front();
      if (shared->stopping) job.state->cancelled.store(true);
    }
    if (job.state->cancelled.load()) {
      complete(job, TransportResult::failed(TransportFailureKind::cancelled,
                                            "cancelled before sending"));
      continue;
    }
    complete(job, run(*shared, job, clients));
  }
}

// Aborts a running request's I/O. REQUIRES: `lock` holds shared.mutex; it is released
// while httplib's stop() runs (stop() can wait for a connect to finish).
void stopRunning(HttplibTransport::Shared& shared, std::unique_lock<std::mutex>& lock,
                 const std::shared_ptr<RequestState>& state) {
  state->cancelled.store(true);
  httplib::Client* client = state->client;
  if (client == nullptr) return;
  ++state->stoppers;
  lock.unlock();
  client->stop();
  lock.lock();
  --state->stoppers;
  shared.stopped.notify_all();
}

}  // namespace

HttplibTransport::HttplibTransport(HttplibTransportOptions options)
    : shared_(std::make_shared<Shared>(options)) {
  const std::size_t count = std::max<std::size_t>(options.workerThreads, 1);
  std::lock_guard<std::mutex> lock(shared_->mutex);
  for (std::size_t i = 0; i < count; ++i) shared_->workers.emplace_back(workerLoop, shared_);
}

HttplibTransport::~HttplibTransport() {
  std::vector<std::thread> workers;
  {
    std::unique_lock<std::mutex> lock(shared_->mutex);
    shared_->stopping = true;
    workers = std::move(shared_->workers);
    for (auto& job : shared_->queue) job.state->cancelled.store(true);
    std::vector<std::shared_ptr<RequestState>> running;
    for (auto& entry : shared_->running) running.push_back(entry.second);
    for (auto& state : running) stopRunning(*shared_, lock, state);
  }
  shared_->wake.notify_all();
  for (auto& worker : workers) {
    if (worker.get_id() == std::this_thread::get_id()) {
      worker.detach();  // destroyed from one of our own callbacks; it exits once drained
    } else {
      worker.join();
    }
  }
}

RequestId HttplibTransport::send(HttpRequest request, TransportCallback done) {
  Job job{0, std::move(request), std::move(done), std::make_shared<RequestState>()};
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (!shared_->stopping) {
      job.id = shared_->nextId++;
      const RequestId id = job.id;
      shared_->queue.push_back(std::move(job));
      shared_->wake.notify_one();
      return id;
    }
  }
  complete(job, TransportResult::failed(TransportFailureKind::cancelled,
                                        "transport is shutting down"));
  return 0;
}

void HttplibTransport::cancel(RequestId id) {
  std::unique_lock<std::mutex> lock(shared_->mutex);
  auto& queue = shared_->queue;
  auto queued = std::find_if(queue.begin(), queue.end(), [id](const Job& j) { return j.id == id; });
  if (queued != queue.end()) {
    queued->state->cancelled.store(true);
    Job job = std::move(*queued);
    queue.erase(queued);
    queue.push_front(std::move(job));
    shared_->wake.notify_one();
    return;
  }
  auto running = shared_->running.find(id);
  if (running == shared_->running.end()) return;  // completed already, or unknown
  auto state = running->second;
  stopRunning(*shared_, lock, state);
}

}  // namespace livedata::native
