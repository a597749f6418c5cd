// Outside bytes as the body of each Klaviyo report request the simulated upstream answers:
// every body gets a report or Klaviyo's error object with a status, a code and a detail, and
// an answer is a JSON document.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "simulated_upstream/account.h"
#include "simulated_upstream/klaviyo_reports.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace livedata::server;
  static const std::unique_ptr<UpstreamAccount> account = [] {
    UpstreamAccountOptions options;
    options.sizes = DatasetSizes{40, 8, 6, 6, 60, DatasetSizes{}.lastDay, std::nullopt};
    return std::move(UpstreamAccount::create(options).value());
  }();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  constexpr UnixSeconds kNow = 1'796'428'800;  // 2026-12-05
  for (const klaviyo::Report report : klaviyo::kAllReports) {
    const auto answer = answerReport(*account, report, body, kNow, "http://127.0.0.1:1");
    if (answer) {
      if (!nlohmann::json::accept(answer.value())) std::abort();
    } else if (answer.error().status != 400 || answer.error().code.empty() || answer.error().detail.empty()) {
      std::abort();
    }
  }
  return 0;
}
