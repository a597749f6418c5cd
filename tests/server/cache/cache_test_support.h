// Shared by the cache's tests: representations to store, a plain hiredis connection to look
// at Redis behind the cache's back, and polling with a deadline.
#pragma once

#include <hiredis/hiredis.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "model/representation.h"

namespace livedata::server::testing {

// A representation whose every field names `tag`, with gzip bytes that include NULs.
inline std::shared_ptr<const Representation> makeRepresentation(const std::string& tag, std::size_t bodyBytes = 0) {
  Representation value;
  value.body = "{\"tag\":\"" + tag + "\"}";
  if (value.body.size() < bodyBytes) value.body.append(bodyBytes - value.body.size(), ' ');
  value.etag = "\"" + tag + "\"";
  value.gzipBody = std::string("\x1f\x8b\x08\x00", 4) + std::string(3, '\0') + tag + std::string(1, '\0') + "\xff\r\n";
  value.gzipEtag = "\"" + tag + "-gzip\"";
  return std::make_shared<const Representation>(std::move(value));
}

// The tag makeRepresentation put in, or "" for null.
inline std::string tagOf(const std::shared_ptr<const Representation>& value) {
  if (!value) return "";
  const auto& etag = value->etag;
  return etag.size() >= 2 ? etag.substr(1, etag.size() - 2) : etag;
}

inline bool waitUntil(const std::function<bool()>& condition,
                      std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (std::chrono::steady_clock::now() < until) {
    if (condition()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return condition();
}

// A one-shot gate between threads: wait() blocks until open().
class Latch {
 public:
  void open() {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  void wait() {
    std::unique_lock<std::mutex> lock(mutex_);
    changed_.wait(lock, [&] { return open_; });
  }
  bool waitFor(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool open_ = false;
};

// One hiredis connection of the test's own (not the cache's), for checks and tampering.
class RedisClient {
 public:
  explicit RedisClient(int port) {
    context_ = redisConnect("127.0.0.1", port);
    if (context_ == nullptr || context_->err) {
      const std::string why = context_ ? context_->errstr : "out of memory";
      if (context_) redisFree(context_);
      throw std::runtime_error("test redis connection: " + why);
    }
    const timeval timeout{2, 0};
    redisSetTimeout(context_, timeout);
  }
  ~RedisClient() { redisFree(context_); }
  RedisClient(const RedisClient&) = delete;
  RedisClient& operator=(const RedisClient&) = delete;

  struct Reply {
    int type = 0;
    long long integer = 0;
    std::string text;                 // string, status or error
    std::vector<std::string> items;   // array of strings
  };

  Reply command(const std::vector<std::string>& args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    auto* raw = static_cast<redisReply*>(redisCommandArgv(context_, static_cast<int>(argv.size()), argv.data(), lengths.data()));
    if (raw == nullptr) throw std::runtime_error("test redis command failed: " + std::string(context_->errstr));
    Reply reply;
    reply.type = raw->type;
    reply.integer = raw->integer;
    if (raw->str) reply.text.assign(raw->str, raw->len);
    for (std::size_t i = 0; i < raw->elements; ++i) {
      if (raw->element[i]->str) reply.items.emplace_back(raw->element[i]->str, raw->element[i]->len);
    }
    freeReplyObject(raw);
    return reply;
  }

  // Every key matching `pattern`, by SCAN (deduplicated).
  std::set<std::string> scanKeys(const std::string& pattern = "*") {
    std::set<std::string> keys;
    std::string cursor = "0";
    do {
      auto* raw = static_cast<redisReply*>(redisCommand(context_, "SCAN %s MATCH %b COUNT 1000", cursor.c_str(),
                                                        pattern.data(), pattern.size()));
      if (raw == nullptr || raw->type != REDIS_REPLY_ARRAY || raw->elements != 2) {
        if (raw) freeReplyObject(raw);
        throw std::runtime_error("test redis SCAN failed");
      }
      cursor.assign(raw->element[0]->str, raw->element[0]->len);
      for (std::size_t i = 0; i < raw->element[1]->elements; ++i) {
        keys.emplace(raw->element[1]->element[i]->str, raw->element[1]->element[i]->len);
      }
      freeReplyObject(raw);
    } while (cursor != "0");
    return keys;
  }

 private:
  redisContext* context_ = nullptr;
};

}  // namespace livedata::server::testing
