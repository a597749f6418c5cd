// Secrets that arrive in a URL stay out of what the server writes down. A client should send
// credentials only in headers (the dashboard keeps its token in the fragment, which browsers
// never send), but a link pasted by hand can still carry ?token=...; the request log and the
// admin request list show such a value as "[redacted]".
#pragma once

#include <string>
#include <string_view>

namespace livedata::server {

// Whether a query parameter's name says it holds a secret: it contains token, secret,
// password, passwd, apikey, api_key, api-key, auth, credential, session or signature, or is
// key, sig or pwd (any letter case).
bool isSecretParameterName(std::string_view name);

// A request target ("/path?a=1&token=x") or a bare query string ("a=1&token=x") with the
// value of every secret-named parameter replaced by "[redacted]"; all else kept byte for byte.
std::string redactSecretParameters(std::string_view targetOrQuery);

}  // namespace livedata::server
