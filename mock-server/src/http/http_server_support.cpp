#include "http/http_server_support.h"

#include <utility>


#include <httplib.h>

#include <cxxabi.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string_view>
#include <typeinfo>

#include "http/event_server.h"
#include "livedata/types.h"

namespace livedata::server {

namespace {

bool equalsName(const std::string& name, std::string_view expected) {
  return name.size() == expected.size() && equalsIgnoreCase(name, expected);
}

// RFC 9110 section 5.6.2: the characters of a token, which a field name is.
constexpr std::array<bool, 256> kTokenCharacters = [] {
  std::array<bool, 256> table{};
  for (int c = '0'; c <= '9'; ++c) table[c] = true;
  for (int c = 'a'; c <= 'z'; ++c) table[c] = table[c - 'a' + 'A'] = true;
  for (const char c : std::string_view("!#$%&'*+-.^_`|~")) table[static_cast<unsigned char>(c)] = true;
  return table;
}();

bool isToken(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return kTokenCharacters[static_cast<unsigned char>(c)]; });
}

std::optional<ApiError> framingError(httplib::Request& req) {
  const std::string* contentLength = nullptr;
  bool transferEncoding = false;
  int hosts = 0;
  for (const auto& [name, value] : req.headers) {  // one walk: every request comes here
    // A name that is no token ("Content-Length :", with the space httplib keeps) is a
    // field this server would not read as the one a proxy in front may have read it as: the
    // body's length could differ between the two (RFC 9112 section 5.1 requires a 400).
    if (!isToken(name)) return ambiguousRequest("a header's name is not a token (no space before its colon)");
    if (equalsName(name, "Content-Length")) {
      if (contentLength && *contentLength != value) return ambiguousFraming("Content-Length is given twice, differently");
      contentLength = &value;
    } else if (equalsName(name, "Transfer-Encoding")) {
      // Only chunked is read (httplib's one coding): with any other the body's end is
      // unknown, so the request is refused rather than waited on (RFC 9112 section 6.1).
      if (transferEncoding || !equalsName(value, "chunked")) {
        return ambiguousFraming("Transfer-Encoding other than one 'chunked' is not supported");
      }
      transferEncoding = true;
    } else if (equalsName(name, "Host")) {
      ++hosts;
    }
  }
  // RFC 9112 section 3.2: one Host, and an HTTP/1.1 request without one is refused too (a
  // cache or proxy in front may have keyed the request on another host than this one reads).
  if (hosts > 1 || (hosts == 0 && req.version == "HTTP/1.1")) {
    return ambiguousRequest("Host must be given exactly once");
  }
  if (transferEncoding && contentLength) return ambiguousFraming("both Transfer-Encoding and Content-Length");
  if (contentLength && (contentLength->empty() || contentLength->size() > 18 ||
                        contentLength->find_first_not_of("0123456789") != std::string::npos)) {
    return ambiguousFraming("Content-Length must be a number of bytes");
  }
  const bool bodiless = req.method == "GET" || req.method == "HEAD";
  if (bodiless && (transferEncoding || (contentLength && contentLength->find_first_not_of('0') != std::string::npos))) {
    return ambiguousFraming(req.method + " takes no body");
  }
  const bool readsBody = req.method == "POST" || req.method == "PUT" || req.method == "PATCH";
  if (readsBody && !contentLength && !transferEncoding) req.headers.emplace("Content-Length", "0");
  return std::nullopt;
}

// Whether httplib's split of the query differs from the standard's: some parameter holds a
// second '=', or has an empty name, or is repeated as it was (httplib keeps one of
// identical pieces, so "limit=5&limit=5" would pass the routes' "at most once").
bool queryNeedsSplitting(std::string_view query) {
  constexpr std::size_t kCompared = 16;  // a longer query is split again whatever it holds
  std::array<std::pair<std::string_view, std::string_view>, kCompared> seen;
  std::size_t count = 0;
  bool differs = false;
  forEachRawParameter(query, [&](std::string_view name, std::string_view value) {
    differs = name.empty() || value.find('=') != std::string_view::npos || count == kCompared ||
              std::find(seen.begin(), seen.begin() + count, std::make_pair(name, value)) != seen.begin() + count;
    if (!differs) seen[count++] = {name, value};
    return !differs;
  });
  return differs;
}

void splitQueryAgain(httplib::Request& req, std::string_view query) {
  req.params.clear();
  forEachRawParameter(query, [&req](std::string_view name, std::string_view value) {
    req.params.emplace(httplib::detail::decode_url(std::string(name), true),
                       httplib::detail::decode_url(std::string(value), true));
    return true;
  });
}

}  // namespace

std::optional<ApiError> settleRequest(const httplib::Request& constReq) {
  auto& req = const_cast<httplib::Request&>(constReq);  // httplib's own object (see the header)
  if (auto error = framingError(req)) return error;
  req.ranges.clear();
  if (const std::size_t mark = req.target.find('?'); mark != std::string::npos) {
    const std::string_view query = std::string_view(req.target).substr(mark + 1);
    if (queryNeedsSplitting(query)) splitQueryAgain(req, query);
  }
  return std::nullopt;
}

namespace {

std::string demangledTypeName(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? std::string(name.get()) : std::string(type.name());
}

}  // namespace

void sendUncacheable(httplib::Response& res, int status, const std::string& body, const char* contentType) {
  res.status = status;
  res.set_content(body, contentType);
  res.set_header("Cache-Control", "no-store");
}

void sendJson(httplib::Response& res, int status, const std::string& body) {
  sendUncacheable(res, status, body, kJsonContentType);
}

namespace {
thread_local std::string sentErrorDetail;  // see sendError
}  // namespace

void sendError(httplib::Response& res, const ApiError& error) {
  sentErrorDetail = error.detail;
  sendJson(res, error.status, renderErrorBody(error));
  if (error.retryAfterSeconds > 0) res.set_header("Retry-After", std::to_string(error.retryAfterSeconds));
}

std::string takeErrorDetail() { return std::exchange(sentErrorDetail, std::string()); }

void closeAfterResponse(httplib::Response& res) {
  // Said once, however many reasons to close (a refused request is also one never routed).
  if (res.get_header_value("Connection") != "close") res.set_header("Connection", "close");
  EventServer::closeCurrentConnectionAfterResponse();
}

namespace {

// A method token (RFC 9110 section 9.1: tchar only) that is none of those httplib parses.
bool isUnknownMethodToken(const std::string& method) {
  static const std::array<std::string_view, 10> kParsed{"GET",     "HEAD",  "POST",  "PUT",   "DELETE",
                                                        "CONNECT", "OPTIONS", "TRACE", "PATCH", "PRI"};
  constexpr std::size_t kLongest = 32;  // longer is not a method anyone sends
  if (method.empty() || method.size() > kLongest) return false;
  return isToken(method) && std::find(kParsed.begin(), kParsed.end(), method) == kParsed.end();
}

// "HTTP/" DIGIT "." DIGIT (RFC 9112 section 2.3) of a major version other than 1. (A later
// 1.x should be served as 1.1, RFC 9110 section 2.5; httplib refuses it, a 400.)
bool isUnsupportedVersion(const std::string& version) {
  const bool wellFormed = version.size() == 8 && version.rfind("HTTP/", 0) == 0 && std::isdigit(static_cast<unsigned char>(version[5])) &&
                          version[6] == '.' && std::isdigit(static_cast<unsigned char>(version[7]));
  return wellFormed && version[5] != '1';
}

}  // namespace

void installErrorHandlers(httplib::Server& http, std::size_t maxBodyBytes,
                          std::function<void(const httplib::Request&, const CaughtException&)> onException,
                          AllowedMethods allowedMethods) {
  using HandlerResponse = httplib::Server::HandlerResponse;
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [maxBodyBytes, allowedMethods = std::move(allowedMethods)](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return HandlerResponse::Unhandled;
        res.headers.erase("EXCEPTION_WHAT");  // set by httplib 0.11 for exceptions it caught itself
        // httplib routes by method first: a 404 may be a path served under other methods.
        const std::string* allowed = res.status == 404 && allowedMethods ? allowedMethods(req.path) : nullptr;
        if (allowed) {
          res.set_header("Allow", *allowed);
          if (req.method == "OPTIONS") {
            res.status = 204;
            return HandlerResponse::Handled;
          }
          sendError(res, methodNotAllowed(req.method, req.path, *allowed));
          return HandlerResponse::Handled;
        }
        if (res.status == 404) {
          sendError(res, notFound(req.method, req.path));
          return HandlerResponse::Handled;
        }
        // httplib refuses a method it does not know as a bad request line: a whole request
        // line (method, target, version) whose method is a token (RFC 9110) is a request
        // this server does not implement, said as such.
        if (res.status == 400 && !req.target.empty() && req.version.rfind("HTTP/", 0) == 0 &&
            isUnknownMethodToken(req.method)) {
          sendError(res, methodNotImplemented(req.method));
          closeAfterResponse(res);
          return HandlerResponse::Handled;
        }
        if (res.status == 400 && isUnsupportedVersion(req.version)) {
          sendError(res, httpVersionNotSupported(req.version));
          closeAfterResponse(res);
          return HandlerResponse::Handled;
        }
        // Else httplib refused a request it could not read whole (a body too large, or
        // malformed, such as a bad chunk): where that request ends is unknown, so bytes after
        // it must not be read as another request (request smuggling).
        sendError(res, res.status == 413 ? payloadTooLarge(maxBodyBytes) : genericError(res.status));
        closeAfterResponse(res);
        return HandlerResponse::Handled;
      }));
  http.set_exception_handler([onException = std::move(onException)](const httplib::Request& req,
                                                                      httplib::Response& res,
                                                                      std::exception_ptr thrown) {
    CaughtException caught{"unknown", "unknown exception"};
    try {
      if (thrown) std::rethrow_exception(thrown);
    } catch (const std::exception& e) {
      caught = {demangledTypeName(typeid(e)), e.what()};
    } catch (...) {
    }
    if (onException) onException(req, caught);
    res.headers.clear();  // drop whatever the handler had set before it threw
    sendError(res, genericError(500));
  });
}

}  // namespace livedata::server
