// What the `livedata` CLI prints and the exit code it returns, for a fetch or a refresh.
#pragma once

#include <ostream>
#include <string>

#include "livedata/client.h"
#include "livedata/errors.h"

namespace livedata::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitInternal = 1,
  kExitUsage = 2,
  kExitConfig = 3,
  kExitNetwork = 4,     // network, timeout, offline
  kExitHttpClient = 5,  // 4xx
  kExitHttpServer = 6,  // 5xx, rate limited
  kExitParse = 7,
  kExitCancelled = 8,
};

int exitCodeFor(ErrorKind kind);

// "2026-11-25T10:00:00.000Z"
std::string formatIsoUtc(Millis ms);
// "850 ms", "12 s", "3 min 5 s", "2 h 10 min", "4 d 3 h"
std::string formatAge(Millis ms);

// The human summary and pretty-printed data on `out`; the error, if any, on `err`.
void printFetchHuman(const FetchResult& result, Millis nowMs, std::ostream& out,
                     std::ostream& err);
// One JSON object: {"endpoint","data","meta":{...},"error":null|{...}}.
void printFetchJson(const FetchResult& result, std::ostream& out);
// An error that happened before any fetch (a bad parameter or server URL), same shapes.
void printErrorHuman(const Error& error, std::ostream& err);
void printErrorJson(const std::string& endpoint, const Error& error, std::ostream& out);

void printRefreshHuman(const RefreshReport& report, std::ostream& out, std::ostream& err);
void printRefreshJson(const RefreshReport& report, std::ostream& out);
// 0 when every endpoint refreshed, else the code of the first failure's error.
int exitCodeFor(const RefreshReport& report);

}  // namespace livedata::cli
