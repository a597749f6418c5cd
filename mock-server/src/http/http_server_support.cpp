#include "http/http_server_support.h"


#include <httplib.h>

#include <cxxabi.h>

#include <algorithm>
#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>

namespace livedata::server {

void frameBodilessRequest(const httplib::Request& req) {
  // The methods httplib reads a body for; a GET (the hot path) is left alone.
  if (req.method != "POST" && req.method != "PUT" && req.method != "PATCH") return;
  if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) return;
  // The pre-routing handler gets the request as const, but the object httplib passes is its
  // own mutable one, about to be read into: the header is what its reader consults.
  const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
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

void sendError(httplib::Response& res, const ApiError& error) { sendJson(res, error.status, renderErrorBody(error)); }

void installErrorHandlers(httplib::Server& http, std::size_t maxBodyBytes,
                          std::function<void(const httplib::Request&, const CaughtException&)> onException) {
  using HandlerResponse = httplib::Server::HandlerResponse;
  http.set_error_handler(httplib::Server::HandlerWithResponse(
      [maxBodyBytes](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return HandlerResponse::Unhandled;
        res.headers.erase("EXCEPTION_WHAT");  // set by httplib 0.11 for exceptions it caught itself
        switch (res.status) {
          case 404: sendError(res, notFound(req.method, req.path)); break;
          case 413: sendError(res, payloadTooLarge(maxBodyBytes)); break;
          default: sendError(res, genericError(res.status)); break;
        }
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
