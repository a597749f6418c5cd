// The /admin/* routes of docs/api.md for the server's own faults and request log, and the
// bearer-token check every protected route uses, independent of the HTTP library.
//
// Threading: safe to call from any number of threads (the services it drives are).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "http/api_error.h"
#include "http/fault_injector.h"
#include "http/request_log.h"

namespace livedata::server {

// An answer no cache may keep: a status, its body, and the body's type (JSON unless said).
struct AdminReply {
  int status = 200;
  std::string body;
  const char* contentType = kJsonContentType;
};

// 200 with `body`; the error's status and body.
AdminReply okReply(const nlohmann::ordered_json& body, int status = 200);
AdminReply errorReply(const ApiError& error);

// 32 lowercase hex digits from /dev/urandom; nullopt if it cannot be read.
std::optional<std::string> generateAdminToken();

class AdminRoutes {
 public:
  // REQUIRES: `token` is not empty; the services outlive this object.
  AdminRoutes(std::string token, FaultInjector& faults, RequestLog& requests);

  // nullopt when `authorization` is "Bearer <token>" (scheme case-insensitive, RFC 9110
  // section 11.1), else the 401 to answer.
  std::optional<ApiError> authorize(std::string_view authorization) const;

  AdminReply addFaults(const std::string& body);  // POST /admin/faults
  AdminReply clearFaults();                       // DELETE /admin/faults
  AdminReply requests() const;                    // GET /admin/requests
  AdminReply reset();                             // POST /admin/reset

 private:
  std::string token_;
  FaultInjector& faults_;
  RequestLog& requests_;
};

}  // namespace livedata::server
