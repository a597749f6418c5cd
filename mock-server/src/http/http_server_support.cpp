#include "http/http_server_support.h"

#include "http/connection_pool.h"

#include <httplib.h>
#include <sys/socket.h>

#include <cxxabi.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <memory>
#include <typeinfo>
#include <thread>

namespace livedata::server {

void frameBodilessRequest(const httplib::Request& req) {
  // The methods httplib reads a body for; a GET (the hot path) is left alone.
  if (req.method != "POST" && req.method != "PUT" && req.method != "PATCH") return;
  if (req.has_header("Content-Length") || req.has_header("Transfer-Encoding")) return;
  // The pre-routing handler gets the request as const, but the object httplib passes is its
  // own mutable one, about to be read into: the header is what its reader consults.
  const_cast<httplib::Request&>(req).headers.emplace("Content-Length", "0");
}

void applyServerTuning(httplib::Server& http, const ServerTuning& tuning) {
  ConnectionPoolOptions pool;
  pool.minWorkers = static_cast<std::size_t>(tuning.threads);
  pool.maxWorkers = static_cast<std::size_t>(std::max(tuning.threads, tuning.maxThreads));
  http.new_task_queue = [pool] { return new ConnectionPool(pool); };
  http.set_tcp_nodelay(true);
  http.set_keep_alive_max_count(100000);
  if (tuning.keepAliveTimeoutSeconds) http.set_keep_alive_timeout(*tuning.keepAliveTimeoutSeconds);
  applyTimeout(tuning.readTimeoutMs, [&](time_t s, time_t us) { http.set_read_timeout(s, us); });
  applyTimeout(tuning.writeTimeoutMs, [&](time_t s, time_t us) { http.set_write_timeout(s, us); });
  http.set_payload_max_length(tuning.maxBodyBytes);
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

ServerLifecycle::~ServerLifecycle() {
  stop();
  if (bound_ && !listenEntered_) listen();
}

int ServerLifecycle::bind(const std::string& host, int port) {
  // httplib 0.11 listens with a backlog of 5: a burst of connections (a dashboard opening,
  // a load test) overflows it, and each dropped SYN costs its client a 1 s, 3 s, 7 s...
  // retransmission. Listening again on the bound socket raises the backlog (Linux allows
  // it); the socket is caught through the options hook, which runs before bind.
  int socket = -1;
  http_.set_socket_options([&socket](socket_t candidate) {
    httplib::default_socket_options(candidate);
    socket = candidate;
  });
  const int bound = port == 0 ? http_.bind_to_any_port(host) : (http_.bind_to_port(host, port) ? port : -1);
  http_.set_socket_options(httplib::default_socket_options);
  if (bound <= 0) return -1;
  if (socket >= 0) ::listen(socket, SOMAXCONN);
  bound_ = true;
  return bound;
}

bool ServerLifecycle::listen() {
  if (!bound_) return false;
  listenEntered_ = true;
  // A stop() that came first saw no listen to stop: this one is stopped from a helper
  // thread as soon as it runs, which also closes the bound socket.
  std::thread stopper;
  if (stopRequested_) stopper = std::thread([this] { stopListening(); });
  const bool ok = http_.listen_after_bind();
  listenReturned_ = true;
  if (stopper.joinable()) stopper.join();
  return ok;
}

void ServerLifecycle::stop() {
  stopRequested_ = true;
  // Either this sees listenEntered_, or listen() sees stopRequested_ (both are seq_cst).
  if (listenEntered_) stopListening();
}

void ServerLifecycle::stopListening() {
  // httplib 0.11 ignores stop() until listen_after_bind has marked itself running.
  while (!http_.is_running() && !listenReturned_) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::lock_guard<std::mutex> lock(stopMutex_);
  if (httpStopped_) return;
  httpStopped_ = true;
  http_.stop();
}

}  // namespace livedata::server
