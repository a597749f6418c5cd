// Fakes for unit tests only: a manual timeline (clock + scheduler) and a scripted transport.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "livedata/livedata.h"

namespace livedata::testing {

// The JSON syntax check the native adapter uses (ClientDependencies::acceptsJson).
inline bool acceptsJson(std::string_view text) { return nlohmann::json::accept(text); }

// A clock that moves only when told to, and a scheduler whose tasks run when the clock
// passes their time, in time order.
class FakeTimeline : public Clock, public Scheduler {
 public:
  explicit FakeTimeline(Millis start = 1'700'000'000'000) : now_(start) {}

  Millis nowMs() const override { return now_; }

  TimerId runAfter(Millis delayMs, Callback<void()> task) override {
    const TimerId id = nextId_++;
    tasks_.emplace(std::make_pair(now_ + delayMs, id), std::move(task));
    delays_.push_back(delayMs);
    return id;
  }

  void cancel(TimerId id) override {
    for (auto it = tasks_.begin(); it != tasks_.end(); ++it) {
      if (it->first.second == id) {
        tasks_.erase(it);
        return;
      }
    }
  }

  // Moves time forward by `ms`, running every task that falls due on the way.
  void advance(Millis ms) {
    const Millis target = now_ + ms;
    while (!tasks_.empty() && tasks_.begin()->first.first <= target) {
      auto it = tasks_.begin();
      now_ = it->first.first;
      auto task = std::move(it->second);
      tasks_.erase(it);
      task();
    }
    now_ = target;
  }

  std::size_t pendingTasks() const { return tasks_.size(); }
  const std::vector<Millis>& scheduledDelays() const { return delays_; }

 private:
  Millis now_;
  TimerId nextId_ = 1;
  std::map<std::pair<Millis, TimerId>, std::function<void()>> tasks_;
  std::vector<Millis> delays_;
};

inline HttpResponse jsonResponse(int status, std::string body, Headers headers = {}) {
  HttpResponse response;
  response.status = status;
  response.body = std::move(body);
  response.headers = std::move(headers);
  if (!response.headers.has("Content-Type")) response.headers.add("Content-Type", "application/json");
  return response;
}

// Records every request. With a responder set, answers at once (before send returns);
// otherwise requests stay pending until the test answers them.
class FakeTransport : public Transport {
 public:
  using Responder = std::function<TransportResult(const HttpRequest&)>;

  struct Pending {
    RequestId id;
    HttpRequest request;
    TransportCallback done;
  };

  RequestId send(HttpRequest request, TransportCallback done) override {
    const RequestId id = nextId_++;
    sent.push_back(request);
    if (responder) {
      done(responder(request));
      return id;
    }
    pending.push_back({id, std::move(request), std::move(done)});
    return id;
  }

  void cancel(RequestId id) override {
    cancelled.push_back(id);
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      if (it->id == id) {
        auto done = std::move(it->done);
        pending.erase(it);
        done(TransportResult::failed(TransportFailureKind::cancelled, "cancelled"));
        return;
      }
    }
  }

  // Answers the oldest pending request.
  void respond(TransportResult result) {
    auto next = std::move(pending.front());
    pending.pop_front();
    next.done(std::move(result));
  }
  void respond(HttpResponse response) { respond(TransportResult::ok(std::move(response))); }

  // Answers the pending request with this id.
  void respondTo(RequestId id, TransportResult result) {
    for (auto it = pending.begin(); it != pending.end(); ++it) {
      if (it->id == id) {
        auto done = std::move(it->done);
        pending.erase(it);
        done(std::move(result));
        return;
      }
    }
  }

  Responder responder;
  std::vector<HttpRequest> sent;
  std::deque<Pending> pending;
  std::vector<RequestId> cancelled;

 private:
  RequestId nextId_ = 1;
};

// A scripted StreamTransport: records every stream opened; the test plays the server.
class FakeStream : public StreamTransport {
 public:
  struct Opened {
    RequestId id = 0;
    HttpRequest request;
    StreamHandlers handlers;
    bool closed = false;
  };

  RequestId open(HttpRequest request, StreamHandlers handlers) override {
    opened.push_back({nextId_, std::move(request), std::move(handlers), false});
    return nextId_++;
  }
  void close(RequestId id) override {
    for (Opened& stream : opened) {
      if (stream.id == id) stream.closed = true;
    }
  }

  Opened& last() { return opened.back(); }
  std::size_t openCount() const { return opened.size(); }
  // The latest stream answers 200 with an event stream (or `status`, e.g. a 503 with headers).
  void accept(int status = 200, Headers headers = {{"Content-Type", "text/event-stream"}}) {
    last().handlers.onResponse(status, headers);
  }
  void send(std::string_view bytes) { last().handlers.onData(bytes); }
  void end(std::optional<TransportFailure> failure = std::nullopt) { last().handlers.onEnd(std::move(failure)); }

  std::vector<Opened> opened;

 private:
  RequestId nextId_ = 1;
};

inline std::optional<std::string> queryValue(const HttpRequest& request, const std::string& name) {
  for (const auto& [key, value] : request.query) {
    if (key == name) return value;
  }
  return std::nullopt;
}

}  // namespace livedata::testing
