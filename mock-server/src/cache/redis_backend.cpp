#include "livedata/expected.h"
#include "cache/redis_backend.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <signal.h>
#include <sys/time.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <unordered_set>
#include <utility>
#include <vector>

#include "livedata/url_password.h"

namespace livedata::server {

namespace {

constexpr char kMagic[] = {'L', 'D', 'R'};
constexpr unsigned char kFormatVersion = 1;
constexpr std::size_t kHeaderSize = sizeof kMagic + 1;
constexpr const char* kScanCount = "500";

// Blocks SIGPIPE in this thread for the guard's lifetime and swallows one raised meanwhile
// (a write to a socket the peer closed). See the header.
class SigpipeGuard {
 public:
  SigpipeGuard() {
    sigemptyset(&pipeSet_);
    sigaddset(&pipeSet_, SIGPIPE);
    sigset_t pending;
    sigemptyset(&pending);
    sigpending(&pending);
    wasPending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipeSet_, &previous_);
  }
  ~SigpipeGuard() {
    if (!wasPending_) {
      sigset_t pending;
      sigemptyset(&pending);
      sigpending(&pending);
      if (sigismember(&pending, SIGPIPE) == 1) {
        const timespec zero{0, 0};
        while (sigtimedwait(&pipeSet_, nullptr, &zero) > 0) {
        }
      }
    }
    pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
  }
  SigpipeGuard(const SigpipeGuard&) = delete;
  SigpipeGuard& operator=(const SigpipeGuard&) = delete;

 private:
  sigset_t pipeSet_;
  sigset_t previous_;
  bool wasPending_ = false;
};

timeval toTimeval(int ms) {
  timeval tv{};
  tv.tv_sec = ms / 1000;
  tv.tv_usec = static_cast<suseconds_t>((ms % 1000) * 1000);
  return tv;
}

CacheBackendError unavailable(const std::string& message) {
  return CacheBackendError(CacheBackendError::Kind::unavailable, message);
}

std::string replyText(const redisReply* reply) {
  return reply->str ? std::string(reply->str, reply->len) : std::string();
}

bool isStatus(const redisReply* reply, std::string_view expected) {
  return reply->type == REDIS_REPLY_STATUS && std::string_view(reply->str, reply->len) == expected;
}

// Digits only, at most `maxValue`.
std::optional<long> parseNumber(std::string_view text, long maxValue) {
  if (text.empty() || text.size() > 9) return std::nullopt;
  long value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  if (value > maxValue) return std::nullopt;
  return value;
}

// RFC 3986's %XX escapes decoded; nullopt for a '%' not followed by two hex digits.
std::optional<std::string> percentDecoded(std::string_view text) {
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = hex(text[i + 1]);
    const int low = hex(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

void appendLength(std::string& out, std::size_t length) {
  const auto n = static_cast<std::uint32_t>(length);
  out += static_cast<char>((n >> 24) & 0xff);
  out += static_cast<char>((n >> 16) & 0xff);
  out += static_cast<char>((n >> 8) & 0xff);
  out += static_cast<char>(n & 0xff);
}

bool readField(std::string_view& in, std::string& field) {
  if (in.size() < 4) return false;
  const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(in[i])); };
  const std::uint32_t length = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
  in.remove_prefix(4);
  if (in.size() < length) return false;
  field.assign(in.data(), length);
  in.remove_prefix(length);
  return true;
}

}  // namespace

// ---------------------------------------------------------------- URL and values

Expected<RedisUrl, std::string> parseRedisUrl(std::string_view url) {
  const auto bad = [&](const std::string& why) {
    return "invalid Redis URL '" + redactUrlPassword(url) + "': " + why +
           " (expected redis://[[USER]:PASSWORD@]HOST[:PORT][/DB])";
  };
  constexpr std::string_view kScheme = "redis://";
  if (url.rfind("rediss://", 0) == 0) return bad("TLS (rediss://) is not supported");
  if (url.rfind(kScheme, 0) != 0) return bad("the scheme must be redis://");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.find_first_of("?#") != std::string_view::npos) return bad("a query or fragment is not supported");
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  const std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  RedisUrl parsed;
  if (const auto at = authority.rfind('@'); at != std::string_view::npos) {
    const std::string_view userInfo = authority.substr(0, at);
    const auto colon = userInfo.find(':');
    if (colon == std::string_view::npos) return bad("the credentials must be USER:PASSWORD or :PASSWORD");
    const auto user = percentDecoded(userInfo.substr(0, colon));
    const auto password = percentDecoded(userInfo.substr(colon + 1));
    if (!user || !password) return bad("the credentials hold a bad %-escape");
    if (password->empty()) return bad("empty password");
    parsed.user = *user;
    parsed.password = *password;
    authority = authority.substr(at + 1);
  }
  std::string_view portText;
  if (!authority.empty() && authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) return bad("unterminated '[' in the host");
    parsed.host = std::string(authority.substr(1, close - 1));
    const std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return bad("unexpected text after the host");
      portText = after.substr(1);
      if (portText.empty()) return bad("empty port");
    }
  } else {
    const auto colon = authority.find(':');
    if (colon != std::string_view::npos && authority.find(':', colon + 1) != std::string_view::npos) {
      return bad("an IPv6 host must be in brackets");
    }
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) {
      portText = authority.substr(colon + 1);
      if (portText.empty()) return bad("empty port");
    }
  }
  if (parsed.host.empty()) return bad("empty host");
  if (!portText.empty()) {
    const auto port = parseNumber(portText, 65535);
    if (!port || *port == 0) return bad("the port must be a number from 1 to 65535");
    parsed.port = static_cast<int>(*port);
  }
  if (!path.empty()) {
    const auto db = parseNumber(path, 1'000'000);
    if (!db) return bad("the database must be a non-negative number");
    parsed.db = static_cast<int>(*db);
  }
  return parsed;
}

std::string encodeRepresentation(const Representation& value) {
  std::string out;
  out.reserve(kHeaderSize + 16 + value.body.size() + value.etag.size() + value.gzipBody.size() +
              value.gzipEtag.size());
  out.append(kMagic, sizeof kMagic);
  out += static_cast<char>(kFormatVersion);
  for (const std::string* field : {&value.body, &value.etag, &value.gzipBody, &value.gzipEtag}) {
    appendLength(out, field->size());
    out += *field;
  }
  return out;
}

std::optional<Representation> decodeRepresentation(std::string_view encoded) {
  if (encoded.size() < kHeaderSize || encoded.compare(0, sizeof kMagic, std::string_view(kMagic, sizeof kMagic)) != 0 ||
      static_cast<unsigned char>(encoded[sizeof kMagic]) != kFormatVersion) {
    return std::nullopt;
  }
  encoded.remove_prefix(kHeaderSize);
  Representation value;
  for (std::string* field : {&value.body, &value.etag, &value.gzipBody, &value.gzipEtag}) {
    if (!readField(encoded, *field)) return std::nullopt;
  }
  if (!encoded.empty()) return std::nullopt;
  return value;
}

std::optional<std::string> validate(const RedisBackendOptions& options) {
  const auto url = parseRedisUrl(options.url);
  if (!url) return url.error();
  if (options.connectTimeoutMs < 1 || options.connectTimeoutMs > 60000) return "connectTimeoutMs: expected 1..60000 ms";
  if (options.commandTimeoutMs < 1 || options.commandTimeoutMs > 60000) return "commandTimeoutMs: expected 1..60000 ms";
  if (options.poolSize < 1 || options.poolSize > 1024) return "poolSize: expected 1..1024";
  if (options.poolWaitMs < 0 || options.poolWaitMs > 60000) return "poolWaitMs: expected 0..60000 ms";
  return std::nullopt;
}

// ---------------------------------------------------------------- connections

void RedisCacheBackend::ContextDeleter::operator()(redisContext* context) const {
  if (context) redisFree(context);
}

void RedisCacheBackend::ReplyDeleter::operator()(redisReply* reply) const {
  if (reply) freeReplyObject(reply);
}

RedisCacheBackend::Lease::~Lease() {
  if (context_) owner_->release(std::move(context_), generation_, broken_);
}

Expected<std::unique_ptr<RedisCacheBackend>, std::string> RedisCacheBackend::create(RedisBackendOptions options) {
  if (auto error = validate(options)) return *error;
  RedisUrl url = parseRedisUrl(options.url).value();
  return std::unique_ptr<RedisCacheBackend>(new RedisCacheBackend(std::move(options), std::move(url)));
}

RedisCacheBackend::RedisCacheBackend(RedisBackendOptions options, RedisUrl url)
    : options_(std::move(options)), url_(std::move(url)) {}

RedisCacheBackend::~RedisCacheBackend() {
  // Leases never outlive a call, so every connection is idle now.
  SigpipeGuard guard;
  std::lock_guard<std::mutex> lock(poolMutex_);
  idle_.clear();
}

RedisCacheBackend::ContextPtr RedisCacheBackend::connect() const {
  const std::string where = url_.host + ":" + std::to_string(url_.port);
  SigpipeGuard guard;
  ContextPtr context(redisConnectWithTimeout(url_.host.c_str(), url_.port, toTimeval(options_.connectTimeoutMs)));
  if (!context) throw unavailable("redis connect " + where + ": out of memory");
  if (context->err) throw unavailable("redis connect " + where + ": " + context->errstr);
  if (redisSetTimeout(context.get(), toTimeval(options_.commandTimeoutMs)) != REDIS_OK) {
    throw unavailable("redis connect " + where + ": cannot set the command timeout: " + context->errstr);
  }
  if (!url_.password.empty()) {
    // The password never goes into a message: the server's reply says what went wrong.
    std::vector<const char*> argv{"AUTH"};
    std::vector<std::size_t> lengths{4};
    if (!url_.user.empty()) {
      argv.push_back(url_.user.c_str());
      lengths.push_back(url_.user.size());
    }
    argv.push_back(url_.password.c_str());
    lengths.push_back(url_.password.size());
    ReplyPtr reply(static_cast<redisReply*>(
        redisCommandArgv(context.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
    if (!reply) throw unavailable("redis AUTH at " + where + ": " + context->errstr);
    if (!isStatus(reply.get(), "OK")) throw unavailable("redis AUTH at " + where + ": " + replyText(reply.get()));
  }
  if (url_.db != 0) {
    const std::string db = std::to_string(url_.db);
    const char* argv[] = {"SELECT", db.c_str()};
    const std::size_t lengths[] = {6, db.size()};
    ReplyPtr reply(static_cast<redisReply*>(redisCommandArgv(context.get(), 2, argv, lengths)));
    if (!reply) throw unavailable("redis SELECT " + db + ": " + context->errstr);
    if (!isStatus(reply.get(), "OK")) throw unavailable("redis SELECT " + db + ": " + replyText(reply.get()));
  }
  return context;
}

RedisCacheBackend::Lease RedisCacheBackend::acquire() {
  const int waitMs = options_.poolWaitMs > 0 ? options_.poolWaitMs : options_.connectTimeoutMs + options_.commandTimeoutMs;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(waitMs);
  std::unique_lock<std::mutex> lock(poolMutex_);
  for (;;) {
    if (!idle_.empty()) {
      ContextPtr context = std::move(idle_.back());
      idle_.pop_back();
      return Lease(*this, std::move(context), generation_);
    }
    if (open_ < options_.poolSize) {
      ++open_;
      const std::uint64_t generation = generation_;
      lock.unlock();
      try {
        return Lease(*this, connect(), generation);
      } catch (...) {
        lock.lock();
        --open_;
        poolChanged_.notify_one();
        throw;
      }
    }
    if (poolChanged_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.poolSize) {
      throw CacheBackendError(CacheBackendError::Kind::busy,
                              "redis: no pooled connection free within " + std::to_string(waitMs) + " ms");
    }
  }
}

void RedisCacheBackend::release(ContextPtr context, std::uint64_t generation, bool broken) {
  std::unique_lock<std::mutex> lock(poolMutex_);
  if (broken || generation != generation_) {
    --open_;
    lock.unlock();
    poolChanged_.notify_one();
    SigpipeGuard guard;
    context.reset();
    return;
  }
  idle_.push_back(std::move(context));
  lock.unlock();
  poolChanged_.notify_one();
}

void RedisCacheBackend::resetConnections() {
  std::vector<ContextPtr> dropped;
  {
    std::lock_guard<std::mutex> lock(poolMutex_);
    ++generation_;
    open_ -= static_cast<int>(idle_.size());
    dropped.swap(idle_);
  }
  poolChanged_.notify_all();
  SigpipeGuard guard;
  dropped.clear();
}

RedisCacheBackend::ReplyPtr RedisCacheBackend::command(Lease& lease, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lengths;
  for (const auto& arg : args) {
    argv.push_back(arg.data());
    lengths.push_back(arg.size());
  }
  SigpipeGuard guard;
  ReplyPtr reply(static_cast<redisReply*>(
      redisCommandArgv(lease.get(), static_cast<int>(argv.size()), argv.data(), lengths.data())));
  if (!reply) {
    lease.markBroken();
    throw unavailable("redis " + std::string(args.front()) + ": " + lease.get()->errstr);
  }
  return reply;
}

std::vector<RedisCacheBackend::ReplyPtr> RedisCacheBackend::pipeline(
    Lease& lease, const std::vector<std::vector<std::string_view>>& commands) {
  SigpipeGuard guard;
  for (const auto& args : commands) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lengths;
    for (const auto& arg : args) {
      argv.push_back(arg.data());
      lengths.push_back(arg.size());
    }
    if (redisAppendCommandArgv(lease.get(), static_cast<int>(argv.size()), argv.data(), lengths.data()) != REDIS_OK) {
      lease.markBroken();
      throw unavailable("redis pipeline: " + std::string(lease.get()->errstr));
    }
  }
  std::vector<ReplyPtr> replies;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(lease.get(), &raw) != REDIS_OK || raw == nullptr) {
      lease.markBroken();
      throw unavailable("redis pipeline: " + std::string(lease.get()->errstr));
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

void RedisCacheBackend::scan(Lease& lease, const std::string& scanPattern, const std::atomic<bool>* cancel,
                             const std::function<void(std::vector<std::string>& keys)>& batch) {
  std::string cursor = "0";
  do {
    if (cancel && cancel->load()) throw unavailable("redis SCAN: cancelled");
    const ReplyPtr reply = command(lease, {"SCAN", cursor, "MATCH", scanPattern, "COUNT", kScanCount});
    if (reply->type == REDIS_REPLY_ERROR) throw unavailable("redis SCAN: " + replyText(reply.get()));
    if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 2 || reply->element[0]->type != REDIS_REPLY_STRING ||
        reply->element[1]->type != REDIS_REPLY_ARRAY) {
      lease.markBroken();
      throw unavailable("redis SCAN: unexpected reply");
    }
    cursor = replyText(reply->element[0]);
    std::vector<std::string> keys;
    const redisReply* list = reply->element[1];
    for (std::size_t i = 0; i < list->elements; ++i) {
      if (list->element[i]->type == REDIS_REPLY_STRING) keys.push_back(replyText(list->element[i]));
    }
    if (!keys.empty()) batch(keys);
  } while (cursor != "0");
}

// ---------------------------------------------------------------- operations

std::shared_ptr<const Representation> RedisCacheBackend::get(const std::string& resourceKey) {
  const std::string key = redisKeyFor(resourceKey);
  Lease lease = acquire();
  const ReplyPtr reply = command(lease, {"GET", key});
  switch (reply->type) {
    case REDIS_REPLY_NIL:
      return nullptr;
    case REDIS_REPLY_STRING:
      if (auto decoded = decodeRepresentation(std::string_view(reply->str, reply->len))) {
        return std::make_shared<const Representation>(std::move(*decoded));
      }
      break;  // not ours: delete it below
    case REDIS_REPLY_ERROR:
      if (replyText(reply.get()).rfind("WRONGTYPE", 0) != 0) {
        throw unavailable("redis GET: " + replyText(reply.get()));
      }
      break;  // a list or hash under our key: delete it below
    default:
      lease.markBroken();
      throw unavailable("redis GET: unexpected reply");
  }
  const ReplyPtr removed = command(lease, {"UNLINK", key});
  if (removed->type == REDIS_REPLY_ERROR) throw unavailable("redis UNLINK: " + replyText(removed.get()));
  return nullptr;
}

void RedisCacheBackend::put(const std::string& resourceKey, std::shared_ptr<const Representation> value,
                            std::chrono::seconds ttl) {
  if (!value) return;
  const std::string key = redisKeyFor(resourceKey);
  const std::string encoded = encodeRepresentation(*value);
  const std::string seconds = std::to_string(std::max<std::chrono::seconds::rep>(1, ttl.count()));
  Lease lease = acquire();
  const ReplyPtr reply = command(lease, {"SET", key, encoded, "EX", seconds});
  if (!isStatus(reply.get(), "OK")) {
    throw unavailable("redis SET: " + (reply->type == REDIS_REPLY_ERROR ? replyText(reply.get()) : "unexpected reply"));
  }
}

std::size_t RedisCacheBackend::invalidate(const KeyPattern& pattern) { return invalidate(pattern, nullptr); }

std::size_t RedisCacheBackend::invalidate(const KeyPattern& pattern, const std::atomic<bool>* cancel) {
  Lease lease = acquire();
  std::size_t removed = 0;
  scan(lease, redisScanPatternFor(pattern.scanGlob()), cancel, [&](std::vector<std::string>& keys) {
    std::vector<std::string_view> args{"UNLINK"};
    for (const auto& key : keys) {
      // SCAN MATCH found a superset; keep exactly what the memory backend would remove.
      if (key.rfind(kRedisKeyPrefix, 0) == 0 && pattern.matches(std::string_view(key).substr(kRedisKeyPrefix.size()))) {
        args.push_back(key);
      }
    }
    if (args.size() == 1) return;
    const ReplyPtr reply = command(lease, args);
    if (reply->type != REDIS_REPLY_INTEGER) {
      throw unavailable("redis UNLINK: " + (reply->type == REDIS_REPLY_ERROR ? replyText(reply.get()) : "unexpected reply"));
    }
    removed += static_cast<std::size_t>(reply->integer);
  });
  return removed;
}

std::size_t RedisCacheBackend::clear() { return invalidate(KeyPattern::all(), nullptr); }

BackendStats RedisCacheBackend::stats() {
  Lease lease = acquire();
  BackendStats stats;
  std::unordered_set<std::string> seen;  // SCAN may return a key twice
  scan(lease, redisScanPatternFor("*"), nullptr, [&](std::vector<std::string>& keys) {
    std::vector<std::vector<std::string_view>> commands;
    std::vector<const std::string*> fresh;
    for (const auto& key : keys) {
      if (!seen.insert(key).second) continue;
      fresh.push_back(&key);
      commands.push_back({"STRLEN", key});
    }
    if (commands.empty()) return;
    const auto replies = pipeline(lease, commands);
    for (std::size_t i = 0; i < replies.size(); ++i) {
      // 0: expired or deleted since SCAN saw it (a stored value is never empty).
      if (replies[i]->type != REDIS_REPLY_INTEGER || replies[i]->integer <= 0) continue;
      ++stats.keys;
      stats.bytes += fresh[i]->size() - kRedisKeyPrefix.size() + static_cast<std::size_t>(replies[i]->integer);
    }
  });
  return stats;
}

std::optional<std::string> RedisCacheBackend::probe() {
  try {
    ContextPtr context = connect();
    SigpipeGuard guard;
    const char* argv[] = {"PING"};
    const std::size_t lengths[] = {4};
    ReplyPtr reply(static_cast<redisReply*>(redisCommandArgv(context.get(), 1, argv, lengths)));
    if (!reply) return "redis PING: " + std::string(context->errstr);
    if (!isStatus(reply.get(), "PONG")) return "redis PING: " + replyText(reply.get());
    return std::nullopt;
  } catch (const CacheBackendError& error) {
    return std::string(error.what());
  }
}

}  // namespace livedata::server
