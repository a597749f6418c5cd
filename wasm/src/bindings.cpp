// Embind bindings over core/: one WasmClient per createLiveData(), holding a core Client on
// the JavaScript host's transport, scheduler and clock (js_platform.h). Thin by design:
// arguments are converted, results are converted back, and nothing of the data layer's
// logic is here or in JavaScript.
//
// Bodies cross once per version: the client remembers, per cache key, the version whose
// body JavaScript last received (`delivered_`), and a result of that same version crosses
// without its body; wasm/js/livedata.js keeps the parsed data of exactly that version per
// key and reuses it. So reading the same result twice costs no second copy and no second
// JSON.parse. clear() resets both sides.
#include <emscripten/bind.h>
#include <emscripten/val.h>

#include <cmath>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "js_platform.h"
#include "livedata/livedata.h"

namespace livedata::wasm {
namespace {

using emscripten::val;

// A non-null object (arrays included); Emscripten 3.1.6's val has no isObject().
bool isObject(const val& value) { return !value.isNull() && value.typeOf().as<std::string>() == "object"; }

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

// The config's fields, from a plain object; absent fields keep their defaults. Types are
// checked by the JavaScript entry before this runs; values by core's validate().
ClientConfig configFrom(const val& options) {
  ClientConfig config;
  auto number = [&options](const char* object, const char* field, auto& target) {
    val holder = object ? options[object] : options;
    if (holder.isUndefined() || holder.isNull()) return;
    val value = holder[field];
    if (value.isNumber()) target = static_cast<std::decay_t<decltype(target)>>(value.as<double>());
  };
  if (options["baseUrl"].isString()) config.baseUrl = options["baseUrl"].as<std::string>();
  number(nullptr, "requestTimeoutMs", config.requestTimeoutMs);
  number(nullptr, "staleThresholdMs", config.staleThresholdMs);
  number("ttl", "defaultMs", config.defaultTtlMs);
  val ttl = options["ttl"];
  if (isObject(ttl)) {
    for (const Endpoint endpoint : allEndpoints()) {
      val value = ttl[nameOf(endpoint)];
      if (value.isNumber()) config.ttlByEndpointMs[nameOf(endpoint)] = static_cast<Millis>(value.as<double>());
    }
  }
  if (options["obeyCacheControl"].isTrue() || options["obeyCacheControl"].isFalse()) {
    config.obeyCacheControl = options["obeyCacheControl"].as<bool>();
  }
  number("retry", "maxAttempts", config.retry.maxAttempts);
  number("retry", "baseDelayMs", config.retry.baseDelayMs);
  number("retry", "maxDelayMs", config.retry.maxDelayMs);
  number("retry", "maxRetryAfterMs", config.retry.maxRetryAfterMs);
  number("cache", "maxEntries", config.cache.maxEntries);
  number("cache", "maxBytes", config.cache.maxBytes);
  return config;
}

// A parameter object for one endpoint, or the reason it is not one.
struct ParamsError {
  std::string what;
};

std::optional<std::string> stringParam(const val& params, const char* name, ParamsError& error) {
  val value = params[name];
  if (value.isUndefined() || value.isNull()) return std::nullopt;
  if (!value.isString()) error.what = std::string(name) + " must be a string";
  else return value.as<std::string>();
  return std::nullopt;
}

std::optional<int> integerParam(const val& params, const char* name, ParamsError& error) {
  val value = params[name];
  if (value.isUndefined() || value.isNull()) return std::nullopt;
  const double number = value.isNumber() ? value.as<double>() : NAN;
  if (!std::isfinite(number) || number != std::floor(number) || std::fabs(number) > 1e9) {
    error.what = std::string(name) + " must be an integer";
    return std::nullopt;
  }
  return static_cast<int>(number);
}

// Names in `params` other than `allowed`, as an error ("unknown parameter: statuss").
void rejectUnknownParams(const val& params, std::initializer_list<const char*> allowed, ParamsError& error) {
  const std::vector<std::string> names = stringsOf(val::global("Object").call<val>("keys", params));
  for (const auto& name : names) {
    bool known = false;
    for (const char* candidate : allowed) known = known || name == candidate;
    if (!known && error.what.empty()) error.what = "unknown parameter: " + name;
  }
}

}  // namespace

class WasmClient {
 public:
  WasmClient(val options, val host)
      : transport_(std::make_shared<JsTransport>(host)), scheduler_(std::make_shared<JsScheduler>(host)) {
    ClientDependencies deps;
    deps.transport = transport_;
    deps.scheduler = scheduler_;
    deps.clock = std::make_shared<JsClock>(host);
    deps.logger = jsLogger(host);
    deps.acceptsJson = jsJsonCheck(host);
    auto created = Client::create(configFrom(options), std::move(deps));
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

  void fetchFromAPI(const std::string& path, val query, bool forceFresh, val callback) {
    FetchOptions options;
    for (const auto& pair : pairsOf(query)) options.query.push_back(pair);
    options.forceFresh = forceFresh;
    client_->fetchFromAPI(path, std::move(options), deliverTo(std::move(callback)));
  }

  // getOverviewMetrics, getCampaigns, ... by endpoint name, with a parameter object.
  void getEndpoint(const std::string& name, val params, bool forceFresh, val callback) {
    FetchCallback done = deliverTo(std::move(callback));
    const auto endpoint = endpointFromName(name);
    if (!endpoint) return fetchEndpoint(*client_, name, {}, {forceFresh}, std::move(done));  // reports the name
    const bool given = !params.isUndefined() && !params.isNull();
    if (given && !isObject(params)) {
      return completeWithError(name, makeError(ErrorKind::config, name, "parameters must be an object"), done);
    }
    ParamsError error;
    const val fields = given ? params : val::object();
    if (*endpoint == Endpoint::overview) {
      rejectUnknownParams(fields, {"from", "to"}, error);
      OverviewParams overview{stringParam(fields, "from", error), stringParam(fields, "to", error)};
      if (!error.what.empty()) return failParams(name, error, done);
      return getOverviewMetrics(*client_, overview, {forceFresh}, std::move(done));
    }
    rejectUnknownParams(fields, {"status", "sort", "limit", "offset"}, error);
    ListParams list{stringParam(fields, "status", error), stringParam(fields, "sort", error),
                    integerParam(fields, "limit", error), integerParam(fields, "offset", error)};
    if (!error.what.empty()) return failParams(name, error, done);
    const Expected<Query> query = toQuery(list);
    if (!query) {
      Error failure = query.error();
      failure.endpoint = name;
      return completeWithError(name, std::move(failure), done);
    }
    fetchEndpoint(*client_, name, query.value(), {forceFresh}, std::move(done));
  }

  void forceRefreshData(val endpoints, val callback) {
    client_->forceRefreshData(stringsOf(endpoints), [callback = std::move(callback)](RefreshReport report) {
      callback(toJs(report));
    });
  }

  double invalidate(const std::string& glob) { return static_cast<double>(client_->invalidatePattern(glob)); }
  double invalidateEndpoint(const std::string& endpoint) {
    return static_cast<double>(client_->invalidateEndpoint(endpoint));
  }
  void clear() {
    client_->clear();
    delivered_.clear();
  }
  val freshness(const std::string& endpoint) const { return toJs(client_->freshness(endpoint)); }
  val stats() const { return toJs(client_->stats()); }
  void tick(double nowMs) { client_->tick(static_cast<Millis>(nowMs)); }
  void setOnline(bool online) { client_->setOnline(online); }

  // The host's side of js_platform.h.
  void completeRequest(double id, int status, val headers, const std::string& body) {
    HttpResponse response;
    response.status = status;
    for (const auto& [name, value] : pairsOf(headers)) response.headers.add(name, value);
    response.body = body;
    transport_->complete(static_cast<RequestId>(id), TransportResult::ok(std::move(response)));
  }
  void failRequest(double id, const std::string& kind, const std::string& message) {
    TransportFailureKind failure = TransportFailureKind::network;
    if (kind == "timeout") failure = TransportFailureKind::timeout;
    else if (kind == "cancelled") failure = TransportFailureKind::cancelled;
    else if (kind == "offline") failure = TransportFailureKind::offline;
    transport_->complete(static_cast<RequestId>(id), TransportResult::failed(failure, message));
  }
  void runTimer(double id) { scheduler_->run(static_cast<TimerId>(id)); }

 private:
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

  static void failParams(const std::string& endpoint, const ParamsError& error, const FetchCallback& done) {
    completeWithError(endpoint, makeError(ErrorKind::config, endpoint, "invalid parameter: " + error.what), done);
  }

  static val eventToJs(const Event& event) {
    val out = val::object();
    std::visit(
        [&out](const auto& e) {
          using E = std::decay_t<decltype(e)>;
          if constexpr (std::is_same_v<E, ForceDataRefreshEvent>) {
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
            } else {
              out.set("loading", e.loading);
            }
          }
        },
        event);
    return out;
  }

  // The result's metadata, and its body unless JavaScript already holds this version.
  FetchCallback deliverTo(val callback) {
    return [this, callback = std::move(callback)](FetchResult result) {
      val out = val::object();
      out.set("endpoint", result.endpoint);
      out.set("key", result.key);
      out.set("version", static_cast<double>(result.version));
      out.set("fromCache", result.fromCache);
      out.set("revalidated", result.revalidated);
      out.set("stale", result.stale);
      out.set("fallback", result.fallback);
      out.set("updatedAt", result.updatedAt ? val(static_cast<double>(result.updatedAt)) : val::null());
      out.set("status", result.status);
      out.set("error", toJs(result.error));
      // Version 0 (fallback values) is never remembered: those bodies always cross.
      auto& known = delivered_[result.key];
      if (result.version == 0 || known != result.version) {
        out.set("body", *result.body);
        if (result.version != 0) known = result.version;
      }
      callback(out);
    };
  }

  std::shared_ptr<JsTransport> transport_;
  std::shared_ptr<JsScheduler> scheduler_;
  std::unique_ptr<Client> client_;
  std::optional<Error> configError_;
  Subscription eventSubscription_;
  std::unordered_map<std::string, std::uint64_t> delivered_;
};

EMSCRIPTEN_BINDINGS(livedata) {
  emscripten::class_<WasmClient>("WasmClient")
      .constructor<val, val>()
      .function("configError", &WasmClient::configError)
      .function("fetchFromAPI", &WasmClient::fetchFromAPI)
      .function("getEndpoint", &WasmClient::getEndpoint)
      .function("forceRefreshData", &WasmClient::forceRefreshData)
      .function("invalidate", &WasmClient::invalidate)
      .function("invalidateEndpoint", &WasmClient::invalidateEndpoint)
      .function("clear", &WasmClient::clear)
      .function("freshness", &WasmClient::freshness)
      .function("stats", &WasmClient::stats)
      .function("tick", &WasmClient::tick)
      .function("setOnline", &WasmClient::setOnline)
      .function("completeRequest", &WasmClient::completeRequest)
      .function("failRequest", &WasmClient::failRequest)
      .function("runTimer", &WasmClient::runTimer);
}

}  // namespace livedata::wasm
