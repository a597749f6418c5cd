#include "livedata/expected.h"
#include "upstream_client/http_upstream_source.h"

#include <nlohmann/json.hpp>

#include "livedata/cache.h"  // percentEncode, the one the client's URLs use
#include "upstream_client/page_json.h"

namespace livedata::server {
namespace {

using Kind = UpstreamFailure::Kind;

// The API's error body names what went wrong; anything else is quoted as it is, briefly.
std::string describeErrorBody(const std::string& body) {
  const auto json = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (json.is_object()) {
    const auto error = json.find("error");
    if (error != json.end() && error->is_object()) {
      const auto code = error->find("code");
      const auto message = error->find("message");
      if (code != error->end() && code->is_string() && message != error->end() && message->is_string()) {
        return code->get<std::string>() + ": " + message->get<std::string>();
      }
    }
  }
  return body.size() > 200 ? body.substr(0, 200) + "..." : body;
}

}  // namespace

Expected<std::unique_ptr<HttpUpstreamSource>, std::string> HttpUpstreamSource::create(HttpUpstreamOptions options) {
  auto transport = UpstreamTransport::create(std::move(options));
  if (!transport) return transport.error();
  return std::unique_ptr<HttpUpstreamSource>(new HttpUpstreamSource(std::move(transport).value()));
}

UpstreamResult HttpUpstreamSource::fetchPage(Entity entity, UnixSeconds updatedSince,
                                             const std::optional<std::string>& cursor, int pageSize) {
  UpstreamRequest request;
  request.target = "/v1/" + std::string(nameOf(entity)) + "?updated_since=" + std::to_string(updatedSince) +
                   "&page_size=" + std::to_string(pageSize);
  if (cursor) request.target += "&cursor=" + percentEncode(*cursor);
  request.headers = {{"Accept", "application/json"}};
  auto sent = transport_->send(request);
  if (!sent) return sent.error();
  const UpstreamAnswer& answer = sent.value();
  if (answer.status == 200) {
    auto page = parsePage(entity, answer.body);
    if (!page) return upstreamFailure(Kind::malformed, answer.what + ": not a valid page: " + page.error(), answer.status);
    return std::move(page).value();
  }
  if (answer.status == 429) {
    UpstreamFailure limited = upstreamFailure(Kind::rate_limited, answer.what + ": 429 " + describeErrorBody(answer.body), 429);
    limited.retryAfterMs = answer.retryAfterMs;
    return limited;
  }
  return upstreamFailure(Kind::http, answer.what + ": " + std::to_string(answer.status) + " " + describeErrorBody(answer.body),
                         answer.status);
}

}  // namespace livedata::server
