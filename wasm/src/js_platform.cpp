#include "js_platform.h"

#include <emscripten/html5.h>

#include <utility>

namespace livedata::wasm {

using emscripten::val;

namespace {

val flatHeaders(const Headers& headers) {
  val flat = val::array();
  for (const auto& [name, value] : headers.fields()) {
    flat.call<void>("push", name);
    flat.call<void>("push", value);
  }
  return flat;
}

}  // namespace

RequestId JsTransport::send(HttpRequest request, TransportCallback done) {
  const RequestId id = nextId_++;
  pending_.emplace(id, std::move(done));
  // Ids, times and sizes cross as doubles: JavaScript numbers are exact up to 2^53.
  host_.call<void>("send", static_cast<double>(id), request.method, request.url, flatHeaders(request.headers),
                   request.body, static_cast<double>(request.timeoutMs), static_cast<double>(request.maxResponseBytes));
  return id;
}

void JsTransport::cancel(RequestId id) {
  if (pending_.count(id) == 0) return;
  host_.call<void>("abort", static_cast<double>(id));
}

void JsTransport::complete(RequestId id, TransportResult result) {
  auto found = pending_.find(id);
  if (found == pending_.end()) return;
  TransportCallback done = std::move(found->second);
  pending_.erase(found);  // before the callback, which may send again
  done(std::move(result));
}

RequestId JsStreamTransport::open(HttpRequest request, StreamHandlers handlers) {
  const RequestId id = nextId_++;
  streams_.emplace(id, std::make_shared<StreamHandlers>(std::move(handlers)));
  host_.call<void>("openStream", static_cast<double>(id), request.url, flatHeaders(request.headers),
                   static_cast<double>(request.timeoutMs));
  return id;
}

void JsStreamTransport::close(RequestId id) {
  if (streams_.erase(id) == 0) return;
  host_.call<void>("closeStream", static_cast<double>(id));
}

void JsStreamTransport::response(RequestId id, int status, const Headers& headers) {
  const auto found = streams_.find(id);
  if (found == streams_.end()) return;
  const auto handlers = found->second;
  handlers->onResponse(status, headers);
}

void JsStreamTransport::data(RequestId id, std::string_view text) {
  const auto found = streams_.find(id);
  if (found == streams_.end()) return;
  const auto handlers = found->second;
  handlers->onData(text);
}

void JsStreamTransport::end(RequestId id, std::optional<TransportFailure> failure) {
  const auto found = streams_.find(id);
  if (found == streams_.end()) return;
  const auto handlers = found->second;
  streams_.erase(found);
  handlers->onEnd(std::move(failure));
}

TimerId JsScheduler::runAfter(Millis delayMs, Callback<void()> task) {
  const TimerId id = nextId_++;
  tasks_.emplace(id, std::move(task));
  host_.call<void>("setTimer", static_cast<double>(id), static_cast<double>(delayMs < 0 ? 0 : delayMs));
  return id;
}

void JsScheduler::cancel(TimerId id) {
  if (tasks_.erase(id) == 0) return;
  host_.call<void>("clearTimer", static_cast<double>(id));
}

void JsScheduler::run(TimerId id) {
  auto found = tasks_.find(id);
  if (found == tasks_.end()) return;
  Callback<void()> task = std::move(found->second);
  tasks_.erase(found);
  task();
}

Millis JsClock::nowMs() const { return static_cast<Millis>(emscripten_date_now()); }

Logger jsLogger(val host) {
  return [host = std::move(host)](LogLevel level, std::string_view message) {
    host.call<void>("log", std::string(toString(level)), std::string(message));
  };
}

JsonSyntaxCheck jsJsonCheck(val host) {
  return [host = std::move(host)](std::string_view text) { return host.call<bool>("acceptsJson", std::string(text)); };
}

}  // namespace livedata::wasm
