// Embind bindings over core/: one WasmClient per createLiveData(), holding a core Client on
// the JavaScript host's transport, scheduler and clock (js_platform.h). Conversions only:
// arguments are converted in, results out, and nothing of the data layer's logic, order or
// rules is here or in JavaScript; what JavaScript must know of them it reads from the
// module (describeEndpoints, resultLayout).
//
// The crossing is kept small, because a cached read is mostly crossing:
// - parameters come as plain values in a fixed shape (CrossedParams), in the order of the
//   core's endpoint table, which livedata.js reads from describeEndpoints();
// - a result goes back as a few numbers in a record in wasm memory (ResultRecord), whose
//   layout livedata.js reads from resultLayout(); its strings, error and body cross only
//   when JavaScript lacks them (resultDetail);
// - a result names its cache entry (FetchResult::entryId); livedata.js keeps the parsed data
//   of one version per entry until the core announces the entry's removal (entryRemoved),
//   so that memo stays within the core's cache limits, and repeats a read it has seen as
//   livedata_peek_entry(entry): one number in, no query or key built again;
// - a body is parsed once, by the host, when its response arrives: the core gets that
//   verdict for its JSON check, and a result carrying that body is flagged
//   kBodyFromResponse so livedata.js takes the host's parsed value.
#include <emscripten/bind.h>
#include <emscripten/em_macros.h>
#include <emscripten/val.h>

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "js_platform.h"
#include "livedata/livedata.h"

namespace livedata::wasm {
namespace {

using emscripten::val;

val optionalNumber(const std::optional<Millis>& value) {
  return value ? val(static_cast<double>(*value)) : val::null();
}

val toJs(const Error& error) {
  val out = val::object();
  out.set("kind", std::string(toString(error.kind)));
  out.set("status", error.status);
  out.set("endpoint", error.endpoint);
  out.set("attempts", error.attempts);
  out.set("message", error.message);
  out.set("detail", error.detail);
  return out;
}

val toJs(const std::optional<Error>& error) { return error ? toJs(*error) : val::null(); }

val toJs(const Freshness& freshness) {
  val out = val::object();
  out.set("lastUpdated", optionalNumber(freshness.lastUpdated));
  out.set("ageMs", static_cast<double>(freshness.ageMs));
  out.set("stale", freshness.stale);
  out.set("loading", freshness.loading);
  out.set("error", toJs(freshness.error));
  return out;
}

val toJs(const ClientStats& stats) {
  val out = val::object();
  const std::pair<const char*, std::uint64_t> counters[] = {
      {"hits", stats.hits},         {"misses", stats.misses},           {"revalidations", stats.revalidations},
      {"notModified", stats.notModified}, {"networkRequests", stats.networkRequests},
      {"deduplicated", stats.deduplicated}, {"retries", stats.retries}, {"errors", stats.errors},
      {"staleServed", stats.staleServed}, {"fallbacks", stats.fallbacks}, {"bytesReceived", stats.bytesReceived},
      {"evictions", stats.evictions},   {"entries", stats.entries},         {"cacheBytes", stats.cacheBytes},
  };
  for (const auto& [name, value] : counters) out.set(name, static_cast<double>(value));
  out.set("hitRate", stats.hitRate());
  return out;
}

val toJs(const ConnectionChangedEvent& status) {
  val out = val::object();
  out.set("state", std::string(toString(status.state)));
  out.set("version", static_cast<double>(status.version));
  out.set("lastChangeAt", status.lastChangeAt ? val(static_cast<double>(status.lastChangeAt)) : val::null());
  return out;
}

val toJs(const RefreshReport& report) {
  val endpoints = val::array();
  for (const auto& endpoint : report.endpoints) {
    val entry = val::object();
    entry.set("endpoint", endpoint.endpoint);
    entry.set("ok", endpoint.ok);
    entry.set("requests", endpoint.requests);
    entry.set("error", toJs(endpoint.error));
    endpoints.call<void>("push", entry);
  }
  val out = val::object();
  out.set("endpoints", endpoints);
  out.set("allOk", report.allOk());
  return out;
}

std::vector<std::string> stringsOf(const val& array) {
  std::vector<std::string> out;
  if (!array.isArray()) return out;
  const int length = array["length"].as<int>();
  for (int i = 0; i < length; ++i) out.push_back(array[i].as<std::string>());
  return out;
}

// The core's options as livedata.js flattens them, [name, value, name, value, ...] with the
// names setOption takes ("retry.maxAttempts"); the first bad one is the client's config error.
Expected<ClientConfig> configFrom(const val& options) {
  ClientConfig config;
  const int length = options["length"].as<int>();
  for (int i = 0; i + 1 < length; i += 2) {
    const std::string name = options[i].as<std::string>();
    const val value = options[i + 1];
    OptionValue option;
    if (value.isNumber()) option = value.as<double>();
    else if (value.isTrue() || value.isFalse()) option = value.as<bool>();
    else if (value.isString()) option = value.as<std::string>();
    else return makeError(ErrorKind::config, "", "config." + name + " must be a number, true or false, or a string");
    if (auto error = setOption(config, name, option)) return *error;
  }
  return config;
}

// Parameters cross as plain values: up to two texts and two integers, each parameter taking
// the next of its kind in the order of its endpoint's EndpointSpec::params, with bit
// (1 << position in params) set when it is given. livedata.js has checked the JavaScript
// types, so the crossing is a few numbers and two short strings, not an object read field
// by field; the core checks the values.
constexpr std::size_t kCrossedTexts = 2;
constexpr std::size_t kCrossedIntegers = 2;

struct CrossedParams {
  int present = 0;
  const std::string& firstText;
  const std::string& secondText;
  double firstInteger = 0;
  double secondInteger = 0;
};

// The endpoint's arguments by position, as the core's toQuery takes them.
std::vector<ParamValue> argumentsOf(Endpoint endpoint, const CrossedParams& crossed) {
  const std::vector<ParamSpec>& params = specOf(endpoint).params;
  std::vector<ParamValue> arguments(params.size());
  std::size_t texts = 0;
  std::size_t integers = 0;
  for (std::size_t i = 0; i < params.size(); ++i) {
    const bool given = (crossed.present >> i) & 1;
    if (params[i].kind == ParamKind::text) {
      if (given) arguments[i] = texts == 0 ? crossed.firstText : crossed.secondText;
      ++texts;
    } else {
      if (given) arguments[i] = static_cast<std::int64_t>(integers == 0 ? crossed.firstInteger : crossed.secondInteger);
      ++integers;
    }
  }
  return arguments;
}

// The numeric half of a result, read by livedata.js straight from wasm memory at the
// offsets resultLayout() gives. Strings, the error and the body cross only when JavaScript
// lacks them (WasmClient::resultDetail). Valid until the next result is written.
struct ResultRecord {
  double version = 0;
  double updatedAt = 0;  // 0 for fallbacks (null in JavaScript)
  double entryId = 0;    // FetchResult::entryId; 0 when the result is in no entry
  std::int32_t entrySlot = 0;  // entrySlotOf(entryId): an index for livedata.js's arrays
  std::int32_t status = 0;
  std::int32_t flags = 0;  // ResultFlag bits
};

enum ResultFlag : std::int32_t {
  kFromCache = 1,
  kRevalidated = 2,
  kStale = 4,
  kFallback = 8,
  kHasError = 16,
  // The body is the one of the response being completed, which the host has parsed already.
  kBodyFromResponse = 32,
};

// The endpoint table, for livedata.js: [{ name, params: [{ name, kind }] }] in the order
// getEndpoint's index takes.
val describeEndpoints() {
  val endpoints = val::array();
  for (const EndpointSpec& spec : endpointSpecs()) {
    val params = val::array();
    std::size_t texts = 0;
    std::size_t integers = 0;
    for (const ParamSpec& param : spec.params) {
      val entry = val::object();
      entry.set("name", std::string(param.name));
      entry.set("kind", std::string(param.kind == ParamKind::text ? "text" : "integer"));
      params.call<void>("push", entry);
      (param.kind == ParamKind::text ? texts : integers) += 1;
    }
    val entry = val::object();
    entry.set("name", std::string(spec.name));
    entry.set("params", params);
    // An endpoint whose parameters do not fit CrossedParams is refused loudly, not misread.
    entry.set("crossable", texts <= kCrossedTexts && integers <= kCrossedIntegers && spec.params.size() < 31);
    endpoints.call<void>("push", entry);
  }
  return endpoints;
}

// Where livedata.js reads a ResultRecord's fields (byte offsets) and what its flag bits mean.
val resultLayout() {
  val layout = val::object();
  layout.set("version", static_cast<int>(offsetof(ResultRecord, version)));
  layout.set("updatedAt", static_cast<int>(offsetof(ResultRecord, updatedAt)));
  layout.set("entryId", static_cast<int>(offsetof(ResultRecord, entryId)));
  layout.set("entrySlot", static_cast<int>(offsetof(ResultRecord, entrySlot)));
  layout.set("status", static_cast<int>(offsetof(ResultRecord, status)));
  layout.set("flags", static_cast<int>(offsetof(ResultRecord, flags)));
  layout.set("size", static_cast<int>(sizeof(ResultRecord)));
  val flags = val::object();
  flags.set("fromCache", static_cast<int>(kFromCache));
  flags.set("revalidated", static_cast<int>(kRevalidated));
  flags.set("stale", static_cast<int>(kStale));
  flags.set("fallback", static_cast<int>(kFallback));
  flags.set("hasError", static_cast<int>(kHasError));
  flags.set("bodyFromResponse", static_cast<int>(kBodyFromResponse));
  layout.set("flagBits", flags);
  return layout;
}

}  // namespace

class WasmClient {
 public:
  WasmClient(val options, val host)
      : host_(host),
        transport_(std::make_shared<JsTransport>(host)),
        stream_(std::make_shared<JsStreamTransport>(host)),
        scheduler_(std::make_shared<JsScheduler>(host)) {
    ClientDependencies deps;
    deps.transport = transport_;
    deps.stream = stream_;
    deps.scheduler = scheduler_;
    deps.clock = std::make_shared<JsClock>();
    deps.logger = jsLogger(host);
    // The body of the response being completed was parsed by the host already: its verdict
    // is reused, so a body is parsed once. That body is recognised by its buffer, which the
    // core checks in place; any other text (a copy included) goes to host.acceptsJson.
    deps.acceptsJson = [this, check = jsJsonCheck(host)](std::string_view text) {
      if (completing_ && completing_->verdict != kNotChecked && text.data() == completing_->body.data() &&
          text.size() == completing_->body.size()) {
        return completing_->verdict == kAccepted;
      }
      return check(text);
    };
    auto config = configFrom(options);
    if (!config) {
      configError_ = config.error();
      return;
    }
    auto created = Client::create(std::move(config.value()), std::move(deps));
    if (!created) {
      configError_ = created.error();
      return;
    }
    client_ = std::move(created.value());
    eventSubscription_ = client_->events().subscribe(std::nullopt, [host](const Event& event) {
      host.call<void>("event", std::string(toString(typeOf(event))), eventToJs(event));
    });
  }

  // null when the client was created; else the `config` error naming the bad field.
  val configError() const { return toJs(configError_); }

  // Every request below takes a `token` and returns whether its result is ready now (a
  // cache hit, a bad argument): then it is in the record; else host.deliver(token) says
  // so later.
  bool fetchFromAPI(const std::string& path, val query, bool forceFresh, double token) {
    FetchOptions options;
    for (const auto& pair : pairsOf(query)) options.query.push_back(pair);
    options.forceFresh = forceFresh;
    const auto delivery = std::make_shared<Delivery>();
    client_->fetchFromAPI(path, std::move(options), deliverTo(token, delivery));
    return ready(*delivery);
  }

  // getOverviewMetrics, getCampaigns, ...: the endpoint by its index in the core's table
  // (describeEndpoints), with its parameters as CrossedParams.
  bool getEndpoint(int index, int present, const std::string& firstText, const std::string& secondText,
                   double firstInteger, double secondInteger, bool forceFresh, double token) {
    const std::optional<Endpoint> endpoint = endpointAt(index);
    if (!endpoint) return getUnknown("#" + std::to_string(index), token);
    const auto delivery = std::make_shared<Delivery>();
    fetchEndpoint(*client_, *endpoint,
                  argumentsOf(*endpoint, {present, firstText, secondText, firstInteger, secondInteger}), {forceFresh},
                  deliverTo(token, delivery));
    return ready(*delivery);
  }

  // The same read, synchronously and only from a fresh cache entry (Client::peek): true
  // with the result in the record, false when there is none (or the parameters are bad).
  bool peekEndpoint(int index, int present, const std::string& firstText, const std::string& secondText,
                    double firstInteger, double secondInteger) {
    const std::optional<Endpoint> endpoint = endpointAt(index);
    if (!endpoint) return false;
    const Expected<Query> query =
        toQuery(*endpoint, argumentsOf(*endpoint, {present, firstText, secondText, firstInteger, secondInteger}));
    if (!query) return false;
    return writeIfFound(client_->peek(pathOf(*endpoint), query.value()));
  }

  // An endpoint name livedata.js does not know: the core reports it as a `config` error.
  bool getUnknown(const std::string& name, double token) {
    const auto delivery = std::make_shared<Delivery>();
    fetchEndpoint(*client_, name, {}, {}, deliverTo(token, delivery));
    return ready(*delivery);
  }

  // Arguments livedata.js could not convert (a limit that is not a number).
  bool rejectParams(const std::string& endpoint, const std::string& message, double token) {
    const auto delivery = std::make_shared<Delivery>();
    completeWithError(endpoint, makeError(ErrorKind::config, endpoint, message), deliverTo(token, delivery));
    return ready(*delivery);
  }

  // The same by the entry of an earlier result (FetchResult::entryId), which livedata.js
  // remembers per call: the cheapest crossing (one number) and no key to build again.
  // Entry 0 is none: livedata.js calls that first, before it knows whether the client was
  // created, to bind the export (the client may have failed its configuration).
  // `knownVersion`: the version livedata.js has parsed for the entry (0: none). While the
  // entry is fresh at it, only what may have changed goes to the record (livedata.js answers
  // from its memo): a repeated read copies no string. Else the whole result, as peek gives it.
  bool peekEntry(double entryId, double knownVersion) {
    if (entryId < 1 || !client_) return false;
    const auto id = static_cast<std::uint64_t>(entryId);
    if (knownVersion >= 1) {
      if (const auto reread = client_->reread(id, static_cast<std::uint64_t>(knownVersion))) {
        record_.version = knownVersion;
        record_.updatedAt = static_cast<double>(reread->updatedAt);
        record_.entryId = entryId;
        record_.entrySlot = static_cast<std::int32_t>(entrySlotOf(id));
        record_.status = 200;
        record_.flags = kFromCache | (reread->stale ? kStale : 0);
        return true;
      }
    }
    return writeIfFound(client_->peek(id));
  }

  // The address of the record livedata.js reads results from.
  double resultRecord() const { return static_cast<double>(reinterpret_cast<std::uintptr_t>(&record_)); }

  // The last result's strings and error, for what JavaScript does not hold, and where its
  // body lies in wasm memory (bodyAt, bodyLength): livedata.js decodes it with TextDecoder,
  // at once, rather than Embind byte by byte.
  val resultDetail() const {
    val out = val::object();
    out.set("endpoint", last_.endpoint);
    out.set("key", last_.key);
    out.set("error", toJs(last_.error));
    out.set("bodyAt", static_cast<double>(reinterpret_cast<std::uintptr_t>(last_.body->data())));
    out.set("bodyLength", static_cast<double>(last_.body->size()));
    return out;
  }

  // Client::watch of the endpoint (as getEndpoint takes it): each update is written to the
  // record and announced as host.watchUpdate(token), the first one possibly before this
  // returns. Bad parameters deliver their `config` error once.
  void watchEndpoint(int index, int present, const std::string& firstText, const std::string& secondText,
                     double firstInteger, double secondInteger, double token) {
    const std::optional<Endpoint> endpoint = endpointAt(index);
    const auto announce = [this, token](const FetchResult& result) {
      writeRecord(FetchResult(result));
      host_.call<void>("watchUpdate", token);
    };
    if (!endpoint) return announce(fallbackFor("#" + std::to_string(index), "unknown endpoint"));
    const Expected<Query> query =
        toQuery(*endpoint, argumentsOf(*endpoint, {present, firstText, secondText, firstInteger, secondInteger}));
    if (!query) {
      FetchResult failed = fallbackFor(nameOf(*endpoint), query.error().message);
      failed.error = query.error();
      return announce(failed);
    }
    watches_[token] = client_->watch(pathOf(*endpoint), query.value(), announce);
  }
  void unwatch(double token) { watches_.erase(token); }
  void setFocused(bool focused) { client_->setFocused(focused); }
  val connection() const { return toJs(client_->connection()); }

  void forceRefreshData(val endpoints, val callback) {
    client_->forceRefreshData(stringsOf(endpoints), [callback = std::move(callback)](RefreshReport report) {
      callback(toJs(report));
    });
  }

  double invalidate(const std::string& glob) { return static_cast<double>(client_->invalidatePattern(glob)); }
  double invalidateEndpoint(const std::string& endpoint) {
    return static_cast<double>(client_->invalidateEndpoint(endpoint));
  }
  void clear() { client_->clear(); }
  val freshness(const std::string& endpoint) const { return toJs(client_->freshness(endpoint)); }
  val stats() const { return toJs(client_->stats()); }
  void tick(double nowMs) { client_->tick(static_cast<Millis>(nowMs)); }
  void setOnline(bool online) { client_->setOnline(online); }

  // The host's side of js_platform.h. A body crosses as bytes: the host copies them into
  // the buffer bodyBuffer(size) returns, then calls completeRequest with its JSON verdict
  // (kAccepted, kRejected or kNotChecked) on them.
  double bodyBuffer(double size) {
    incoming_.resize(static_cast<std::size_t>(size));
    return static_cast<double>(reinterpret_cast<std::uintptr_t>(incoming_.data()));
  }
  void completeRequest(double id, int status, val headers, int verdict) {
    HttpResponse response;
    response.status = status;
    for (const auto& [name, value] : pairsOf(headers)) response.headers.add(name, value);
    response.body = std::move(incoming_);  // a move keeps the buffer (and its address)
    incoming_ = std::string();
    // Requests complete one at a time (one thread), so there is never an outer one to restore.
    completing_ = Completing{response.body, verdict};
    transport_->complete(static_cast<RequestId>(id), TransportResult::ok(std::move(response)));
    completing_.reset();
  }
  void failRequest(double id, const std::string& kind, const std::string& message) {
    TransportFailureKind failure = TransportFailureKind::network;
    if (kind == "timeout") failure = TransportFailureKind::timeout;
    else if (kind == "cancelled") failure = TransportFailureKind::cancelled;
    else if (kind == "offline") failure = TransportFailureKind::offline;
    else if (kind == "tooLarge") failure = TransportFailureKind::tooLarge;
    transport_->complete(static_cast<RequestId>(id), TransportResult::failed(failure, message));
  }
  void runTimer(double id) { scheduler_->run(static_cast<TimerId>(id)); }
  void streamResponse(double id, int status, val headers) {
    Headers converted;
    for (const auto& [name, value] : pairsOf(headers)) converted.add(name, value);
    stream_->response(static_cast<RequestId>(id), status, converted);
  }
  void streamData(double id, const std::string& text) { stream_->data(static_cast<RequestId>(id), text); }
  void streamEnd(double id, const std::string& kind, const std::string& message) {
    std::optional<TransportFailure> failure;
    if (!kind.empty()) failure = TransportFailure{TransportFailureKind::network, message};
    stream_->end(static_cast<RequestId>(id), std::move(failure));
  }

 private:
  enum JsonVerdict : int { kNotChecked = -1, kRejected = 0, kAccepted = 1 };
  struct Completing {
    std::string_view body;  // the response's own buffer, which moves with it
    int verdict = kNotChecked;
  };

  // Flat [name, value, name, value, ...] or [[name, value], ...] arrays, both accepted.
  static std::vector<std::pair<std::string, std::string>> pairsOf(const val& array) {
    std::vector<std::pair<std::string, std::string>> out;
    if (!array.isArray()) return out;
    const int length = array["length"].as<int>();
    for (int i = 0; i < length; ++i) {
      val item = array[i];
      if (item.isArray()) {
        out.emplace_back(item[0].as<std::string>(), item[1].as<std::string>());
      } else if (i + 1 < length) {
        out.emplace_back(item.as<std::string>(), array[i + 1].as<std::string>());
        ++i;
      }
    }
    return out;
  }

  // A result for a watch that cannot start: the endpoint's empty value with a config error.
  static FetchResult fallbackFor(const std::string& endpoint, const std::string& why) {
    FetchResult result;
    result.endpoint = endpoint;
    result.body = std::make_shared<const std::string>(emptyBodyFor(endpoint));
    result.fallback = true;
    result.error = makeError(ErrorKind::config, endpoint, why);
    return result;
  }

  static val eventToJs(const Event& event) {
    val out = val::object();
    std::visit(
        [&out](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, ConnectionChangedEvent>) {
            out = toJs(e);
          } else if constexpr (std::is_same_v<E, ForceDataRefreshEvent>) {
            val endpoints = val::array();
            for (const auto& name : e.endpoints) endpoints.call<void>("push", name);
            out.set("endpoints", endpoints);
          } else {
            out.set("endpoint", e.endpoint);
            out.set("key", e.key);
            if constexpr (std::is_same_v<E, DataUpdatedEvent>) {
              out.set("updatedAt", static_cast<double>(e.updatedAt));
              out.set("fromCache", e.fromCache);
            } else if constexpr (std::is_same_v<E, DataErrorEvent>) {
              out.set("error", toJs(e.error));
              out.set("servedStale", e.servedStale);
            } else if constexpr (std::is_same_v<E, DataStaleEvent>) {
              out.set("lastUpdated", static_cast<double>(e.lastUpdated));
              out.set("ageMs", static_cast<double>(e.ageMs));
            } else if constexpr (std::is_same_v<E, RetryScheduledEvent>) {
              out.set("error", toJs(e.error));
              out.set("delayMs", static_cast<double>(e.delayMs));
              out.set("retryAt", static_cast<double>(e.retryAt));
            } else if constexpr (std::is_same_v<E, EntryRemovedEvent>) {
              out.set("entryId", static_cast<double>(e.entryId));
              out.set("entrySlot", static_cast<int>(entrySlotOf(e.entryId)));
            } else {
              static_assert(std::is_same_v<E, LoadingChangedEvent>);
              out.set("loading", e.loading);
            }
          }
        },
        event);
    return out;
  }

  static std::optional<Endpoint> endpointAt(int index) {
    const auto& specs = endpointSpecs();
    if (index < 0 || static_cast<std::size_t>(index) >= specs.size()) return std::nullopt;
    return specs[static_cast<std::size_t>(index)].endpoint;
  }

  bool writeIfFound(std::optional<FetchResult>&& result) {
    if (!result) return false;
    writeRecord(std::move(*result));
    return true;
  }

  // A request's result on its way to JavaScript. One that arrives before the call that
  // started the request returns (a cache hit, a bad argument) waits here until ready()
  // writes it to the record, after any listener the core ran (which may itself have read).
  struct Delivery {
    bool returned = false;
    std::optional<FetchResult> immediate;
  };

  FetchCallback deliverTo(double token, const std::shared_ptr<Delivery>& delivery) {
    return [this, token, delivery](FetchResult result) {
      if (!delivery->returned) {
        delivery->immediate = std::move(result);
        return;
      }
      writeRecord(std::move(result));
      host_.call<void>("deliver", token);
    };
  }

  // Whether the result is ready now; else host.deliver(token) will say when it is.
  bool ready(Delivery& delivery) {
    delivery.returned = true;
    if (!delivery.immediate) return false;
    writeRecord(std::move(*delivery.immediate));
    return true;
  }

  // Takes the result's strings and body into last_ (no copy: a cached read comes here often).
  void writeRecord(FetchResult&& result) {
    record_.version = static_cast<double>(result.version);
    record_.updatedAt = static_cast<double>(result.updatedAt);
    record_.entryId = static_cast<double>(result.entryId);
    record_.entrySlot = static_cast<std::int32_t>(entrySlotOf(result.entryId));
    record_.status = result.status;
    record_.flags = (result.fromCache ? kFromCache : 0) | (result.revalidated ? kRevalidated : 0) |
                    (result.stale ? kStale : 0) | (result.fallback ? kFallback : 0) |
                    (result.error ? kHasError : 0);
    // While a response is completed, a result not from the cache carries its body: results
    // come out of completeRequest only for that response's request (the transport completes
    // one response at a time; a listener's nested call can only hit the cache, fail at once
    // with a fallback or start a request that completes later). The size is a cheap guard.
    if (completing_ && completing_->verdict == kAccepted && !result.fromCache && !result.fallback &&
        result.body->size() == completing_->body.size()) {
      record_.flags |= kBodyFromResponse;
    }
    last_ = std::move(result);
  }

  val host_;
  std::shared_ptr<JsTransport> transport_;
  std::shared_ptr<JsStreamTransport> stream_;
  std::shared_ptr<JsScheduler> scheduler_;
  std::unique_ptr<Client> client_;
  std::map<double, WatchHandle> watches_;  // by the token livedata.js gave watchEndpoint; after client_
  std::optional<Error> configError_;
  Subscription eventSubscription_;
  std::string incoming_;                  // the body being received (bodyBuffer)
  std::optional<Completing> completing_;  // set only inside completeRequest
  ResultRecord record_;
  FetchResult last_;                      // the result the record describes
};

// A client crosses as a number, its handle, and each method as a function taking it: an
// Embind class would bring Embind's class machinery (handles, pointer registries, about
// 3 KB of the module gzipped) for one object per page.
namespace {

std::vector<std::unique_ptr<WasmClient>> clients;  // by handle; null once deleted

int createClient(val options, val host) {
  clients.push_back(std::make_unique<WasmClient>(std::move(options), std::move(host)));
  return static_cast<int>(clients.size() - 1);
}

void deleteClient(int handle) { clients[static_cast<std::size_t>(handle)].reset(); }

// WasmClient::method as a function of (handle, arguments...). REQUIRES: a live handle
// (livedata.js never calls a disposed client).
template <auto method>
struct Forward;
template <typename R, typename... A, R (WasmClient::*method)(A...)>
struct Forward<method> {
  static R call(int handle, A... args) { return (*clients[static_cast<std::size_t>(handle)].*method)(args...); }
};
template <typename R, typename... A, R (WasmClient::*method)(A...) const>
struct Forward<method> {
  static R call(int handle, A... args) { return (*clients[static_cast<std::size_t>(handle)].*method)(args...); }
};

}  // namespace

// The hottest call, a repeated cached read, skips Embind's generic invoker: a plain export,
// called by livedata.js as module._livedata_peek_entry(handle, entryId, knownVersion).
extern "C" EMSCRIPTEN_KEEPALIVE int livedata_peek_entry(int handle, double entryId, double knownVersion) {
  return Forward<&WasmClient::peekEntry>::call(handle, entryId, knownVersion) ? 1 : 0;
}

#define LIVEDATA_CLIENT_FUNCTION(name) emscripten::function(#name, &Forward<&WasmClient::name>::call)

EMSCRIPTEN_BINDINGS(livedata) {
  emscripten::function("createClient", &createClient);
  emscripten::function("deleteClient", &deleteClient);
  emscripten::function("describeEndpoints", &describeEndpoints);
  emscripten::function("resultLayout", &resultLayout);
  LIVEDATA_CLIENT_FUNCTION(configError);
  LIVEDATA_CLIENT_FUNCTION(fetchFromAPI);
  LIVEDATA_CLIENT_FUNCTION(getEndpoint);
  LIVEDATA_CLIENT_FUNCTION(peekEndpoint);
  LIVEDATA_CLIENT_FUNCTION(getUnknown);
  LIVEDATA_CLIENT_FUNCTION(rejectParams);
  LIVEDATA_CLIENT_FUNCTION(resultRecord);
  LIVEDATA_CLIENT_FUNCTION(resultDetail);
  LIVEDATA_CLIENT_FUNCTION(forceRefreshData);
  LIVEDATA_CLIENT_FUNCTION(invalidate);
  LIVEDATA_CLIENT_FUNCTION(invalidateEndpoint);
  LIVEDATA_CLIENT_FUNCTION(clear);
  LIVEDATA_CLIENT_FUNCTION(freshness);
  LIVEDATA_CLIENT_FUNCTION(stats);
  LIVEDATA_CLIENT_FUNCTION(tick);
  LIVEDATA_CLIENT_FUNCTION(setOnline);
  LIVEDATA_CLIENT_FUNCTION(bodyBuffer);
  LIVEDATA_CLIENT_FUNCTION(completeRequest);
  LIVEDATA_CLIENT_FUNCTION(failRequest);
  LIVEDATA_CLIENT_FUNCTION(runTimer);
  LIVEDATA_CLIENT_FUNCTION(watchEndpoint);
  LIVEDATA_CLIENT_FUNCTION(unwatch);
  LIVEDATA_CLIENT_FUNCTION(setFocused);
  LIVEDATA_CLIENT_FUNCTION(connection);
  LIVEDATA_CLIENT_FUNCTION(streamResponse);
  LIVEDATA_CLIENT_FUNCTION(streamData);
  LIVEDATA_CLIENT_FUNCTION(streamEnd);
}

}  // namespace livedata::wasm
