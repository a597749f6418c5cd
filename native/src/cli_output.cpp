#include "cli_output.h"

#include <cstdio>
#include <ctime>

#include <nlohmann/json.hpp>

namespace livedata::cli {
namespace {

using nlohmann::json;

// Server data may hold invalid UTF-8; print it with replacement characters, never throw.
std::string dumpJson(const json& value, int indent) {
  return value.dump(indent, ' ', false, json::error_handler_t::replace);
}

// The body as JSON; a body that is not JSON (it should not happen: the core turns those
// into parse errors with a fallback) is kept as a string rather than lost. A fallback is
// no data: the empty value the core stands in with is for a screen to lay out, not for a
// script to read as "0 campaigns".
json parseBody(const FetchResult& result) {
  if (!result.body || result.fallback) return nullptr;
  json parsed = json::parse(*result.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return *result.body;
  return parsed;
}

json errorJson(const std::optional<Error>& error) {
  if (!error) return nullptr;
  json out{{"kind", toString(error->kind)},   {"status", error->status},
           {"message", error->message},       {"detail", error->detail},
           {"attempts", error->attempts}};
  // The server's Retry-After, for a script to wait before it asks again.
  if (error->retryAfterMs > 0) out["retryAfterMs"] = error->retryAfterMs;
  return out;
}

std::string describeSource(const FetchResult& r) {
  std::string source;
  if (r.revalidated) {
    source = "cached data confirmed by the server (HTTP " + std::to_string(r.status) + ")";
  } else if (r.fromCache) {
    source = "cached data";
  } else {
    source = "from the server (HTTP " + std::to_string(r.status) + ")";
  }
  return source + (r.stale ? ", stale" : ", fresh");
}

}  // namespace

int exitCodeFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::network:
    case ErrorKind::timeout:
    case ErrorKind::offline:
      return kExitNetwork;
    case ErrorKind::http_client:
      return kExitHttpClient;
    case ErrorKind::http_server:
    case ErrorKind::rate_limited:
      return kExitHttpServer;
    case ErrorKind::parse:
      return kExitParse;
    case ErrorKind::cancelled:
      return kExitCancelled;
    case ErrorKind::config:
      return kExitConfig;
  }
  return kExitInternal;
}

int exitCodeFor(const RefreshReport& report) {
  for (const auto& endpoint : report.endpoints) {
    if (endpoint.ok) continue;
    return endpoint.error ? exitCodeFor(endpoint.error->kind) : kExitInternal;
  }
  return kExitOk;
}

std::string formatIsoUtc(Millis ms) {
  const std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  const std::size_t n = std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(ms % 1000));
  return std::string(text, n) + millis;
}

std::string formatAge(Millis ms) {
  if (ms < 0) ms = 0;
  if (ms < 1000) return std::to_string(ms) + " ms";
  const Millis s = ms / 1000;
  if (s < 60) return std::to_string(s) + " s";
  if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
  if (s < 86400) return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
  return std::to_string(s / 86400) + " d " + std::to_string(s % 86400 / 3600) + " h";
}

void printErrorHuman(const Error& error, std::ostream& err) {
  err << "livedata: " << toString(error.kind) << " error";
  if (error.status != 0) err << " (HTTP " << error.status << ")";
  if (error.attempts > 1) err << " after " << error.attempts << " attempts";
  err << ": " << error.message << "\n";
  if (error.retryAfterMs > 0) err << "  the server asked to wait " << formatAge(error.retryAfterMs) << "\n";
  if (!error.detail.empty()) err << "  detail: " << error.detail << "\n";
}

void printErrorJson(const std::string& endpoint, const Error& error, std::ostream& out) {
  const json doc = {{"endpoint", endpoint}, {"data", nullptr}, {"meta", nullptr},
                    {"error", errorJson(error)}};
  out << dumpJson(doc, -1) << "\n";
}

void printFetchHuman(const FetchResult& result, Millis nowMs, std::ostream& out,
                     std::ostream& err) {
  if (result.error) {
    printErrorHuman(*result.error, err);
    if (result.fallback) {
      err << "livedata: nothing cached to show instead\n";
      return;
    }
    err << "livedata: showing the last cached data, stale, instead\n";
  }
  out << result.endpoint << ": " << describeSource(result) << "\n";
  if (result.updatedAt > 0) {
    out << "updated: " << formatIsoUtc(result.updatedAt) << " ("
        << formatAge(nowMs - result.updatedAt) << " ago)\n";
  } else {
    out << "updated: never\n";
  }
  out << dumpJson(parseBody(result), 2) << "\n";
}

void printFetchJson(const FetchResult& result, std::ostream& out) {
  const json meta = {{"fromCache", result.fromCache}, {"stale", result.stale},
                     {"fallback", result.fallback},   {"revalidated", result.revalidated},
                     {"updatedAt", result.updatedAt}, {"status", result.status}};
  const json doc = {{"endpoint", result.endpoint}, {"data", parseBody(result)},
                    {"meta", meta},                {"error", errorJson(result.error)}};
  out << dumpJson(doc, -1) << "\n";
}

void printRefreshHuman(const RefreshReport& report, std::ostream& out, std::ostream& err) {
  for (const auto& e : report.endpoints) {
    if (e.ok) {
      out << e.endpoint << ": refreshed (" << e.requests
          << (e.requests == 1 ? " request" : " requests") << ")\n";
      continue;
    }
    out << e.endpoint << ": failed\n";
    if (e.error) printErrorHuman(*e.error, err);
  }
}

void printRefreshJson(const RefreshReport& report, std::ostream& out) {
  json endpoints = json::array();
  for (const auto& e : report.endpoints) {
    endpoints.push_back({{"endpoint", e.endpoint}, {"ok", e.ok}, {"requests", e.requests},
                         {"error", errorJson(e.error)}});
  }
  const json doc = {{"ok", report.allOk()}, {"endpoints", endpoints}};
  out << dumpJson(doc, -1) << "\n";
}

}  // namespace livedata::cli
