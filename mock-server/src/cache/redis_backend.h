// The shared tier of the response cache: Redis through hiredis 0.14 (Debian 12).
//
// Connections. A hiredis context is not thread-safe and is unusable once it reports an
// error, so the backend keeps a small pool: a command borrows a context for its duration,
// and a context that failed (I/O error, timeout, protocol error) is freed instead of being
// returned; the next borrower opens a new one. Contexts are opened with
// redisConnectWithTimeout (connectTimeoutMs) and get redisSetTimeout (commandTimeoutMs), so
// no call blocks longer than those, even when Redis hangs. resetConnections() drops every
// idle context and marks busy ones to be freed when returned (used after a failure).
//
// Values. One Redis string per entry (encodeRepresentation): binary-safe, length-prefixed,
// versioned. A value that does not decode (another writer, an older format, a wrong type)
// is a miss, and the key is deleted. Entries are written with SET key value EX ttl.
//
// Invalidation walks `SCAN cursor MATCH <pattern> COUNT 500` to the end and UNLINKs each
// batch (a key SCAN returns twice is simply unlinked twice, counted once). Never KEYS,
// which blocks Redis for O(N). stats() walks the same way over the whole prefix and asks
// STRLEN of each key in one pipeline per batch: O(number of keys), meant for an admin page,
// not for the request path.
//
// SIGPIPE. hiredis writes with write(2); a write to a connection Redis closed raises
// SIGPIPE, which kills a process that did not ignore it. Every call into hiredis blocks
// SIGPIPE in the calling thread and consumes one it caused, so the backend is safe in a
// process with default signal dispositions (the tests) too.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "livedata/expected.h"
#include "cache/cache_backend.h"

struct redisContext;
struct redisReply;

namespace livedata::server {

struct RedisUrl {
  std::string host;
  int port = 6379;
  int db = 0;
  // AUTH's, from "redis://[USER]:PASSWORD@...": a password alone is the default user's
  // (requirepass); with a user, an ACL user's. Empty: no AUTH.
  std::string user;
  std::string password;
};

// Parses "redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]" (HOST may be a bracketed IPv6 address;
// PORT defaults to 6379, DB to 0; USER and PASSWORD may be percent-encoded). The error names
// what is wrong (scheme, credentials, empty host, port, database or query, which is not
// supported) and shows the URL without its password.
Expected<RedisUrl, std::string> parseRedisUrl(std::string_view url);

// The value stored in Redis for one Representation:
//   "LDR" 0x01, then body, etag, gzipBody, gzipEtag, each a 4-byte big-endian length
//   followed by that many bytes. Exact length: trailing bytes make it undecodable.
std::string encodeRepresentation(const Representation& value);
std::optional<Representation> decodeRepresentation(std::string_view encoded);

struct RedisBackendOptions {
  std::string url;              // redis://[[USER]:PASSWORD@]HOST[:PORT][/DB]
  int connectTimeoutMs = 200;   // bounds opening a connection (and AUTH, SELECT)
  int commandTimeoutMs = 150;   // bounds each command's reply
  int poolSize = 8;             // connections open at most
  // How long a command waits for a pooled connection before failing as `busy`;
  // 0: connectTimeoutMs + commandTimeoutMs.
  int poolWaitMs = 0;
};

// The first problem with `options`, naming the field, or nullopt.
std::optional<std::string> validate(const RedisBackendOptions& options);

// Threading: every member is safe to call from any thread.
// Every operation throws CacheBackendError when Redis cannot be used (busy() when only the
// pool was exhausted).
class RedisCacheBackend final : public CacheBackend {
 public:
  // Validates the options and parses the URL; does not connect (the first command does).
  static Expected<std::unique_ptr<RedisCacheBackend>, std::string> create(RedisBackendOptions options);

  ~RedisCacheBackend() override;
  RedisCacheBackend(const RedisCacheBackend&) = delete;
  RedisCacheBackend& operator=(const RedisCacheBackend&) = delete;

  const char* name() const override { return "redis"; }
  std::shared_ptr<const Representation> get(const std::string& resourceKey) override;
  void put(const std::string& resourceKey, std::shared_ptr<const Representation> value,
           std::chrono::seconds ttl) override;
  std::size_t invalidate(const KeyPattern& pattern) override;
  std::size_t clear() override;
  BackendStats stats() override;
  // PING on a newly opened connection (not a pooled one, which may be stale); false when
  // Redis does not answer PONG in time. Never throws.
  bool ping() override { return !probe(); }
  // The same, with the reason it failed (nullopt: PONG).
  std::optional<std::string> probe();

  // invalidate() that gives up between SCAN batches once `*cancel` is set (for a purge that
  // must not hold up shutdown).
  std::size_t invalidate(const KeyPattern& pattern, const std::atomic<bool>* cancel);

  // Frees idle connections; busy ones are freed when returned. After a failure, so that no
  // later command reuses a connection from before it.
  void resetConnections();

  const RedisUrl& url() const { return url_; }
  const RedisBackendOptions& options() const { return options_; }

 private:
  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;
  struct ReplyDeleter {
    void operator()(redisReply* reply) const;
  };
  using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

  // A borrowed connection, returned to the pool at destruction unless it failed.
  class Lease {
   public:
    Lease(RedisCacheBackend& owner, ContextPtr context, std::uint64_t generation)
        : owner_(&owner), context_(std::move(context)), generation_(generation) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    redisContext* get() const { return context_.get(); }
    void markBroken() { broken_ = true; }

   private:
    RedisCacheBackend* owner_;
    ContextPtr context_;
    std::uint64_t generation_;
    bool broken_ = false;
  };

  RedisCacheBackend(RedisBackendOptions options, RedisUrl url);

  ContextPtr connect() const;  // throws CacheBackendError
  Lease acquire();             // throws CacheBackendError
  void release(ContextPtr context, std::uint64_t generation, bool broken);
  // One command; the reply, which may be an error reply. Throws (and marks the lease
  // broken) when no reply came.
  ReplyPtr command(Lease& lease, const std::vector<std::string_view>& args);
  // Sends every command, then reads every reply (one round trip).
  std::vector<ReplyPtr> pipeline(Lease& lease, const std::vector<std::vector<std::string_view>>& commands);
  // Walks SCAN MATCH `scanPattern` to the end, handing each batch of keys to `batch`.
  void scan(Lease& lease, const std::string& scanPattern, const std::atomic<bool>* cancel,
            const std::function<void(std::vector<std::string>& keys)>& batch);

  const RedisBackendOptions options_;
  const RedisUrl url_;

  std::mutex poolMutex_;
  std::condition_variable poolChanged_;
  std::vector<ContextPtr> idle_;  // GUARDED_BY(poolMutex_)
  int open_ = 0;                  // GUARDED_BY(poolMutex_); idle + borrowed + being opened
  std::uint64_t generation_ = 0;  // GUARDED_BY(poolMutex_); bumped by resetConnections
};

}  // namespace livedata::server
