// livedata::StreamTransport over cpp-httplib: the live feed's event stream natively. Each
// open stream has a thread of its own, blocked in httplib's read, and hands the body on
// as it arrives (a chunk at a time).
#pragma once

#include <memory>

#include "livedata/types.h"
#include "livedata_native/httplib_transport.h"  // HttplibTransportOptions

namespace livedata::native {

// open() sends the GET at once on a new thread; the handlers run on that thread:
//   - onResponse with the status and headers, then onData per piece of the body;
//   - onEnd(nullopt) when the server ends the body, onEnd(network) when the connection
//     fails or cannot be made (HttpRequest::timeoutMs bounds connecting; reads wait as long
//     as the stream lasts, since the caller watches for silence itself), onEnd(cancelled)
//     after close().
// Thread-safe. Destruction closes every stream and waits for their threads (except the
// calling one, when a handler destroys the transport).
class HttplibStreamTransport final : public StreamTransport {
 public:
  explicit HttplibStreamTransport(HttplibTransportOptions options = {});
  ~HttplibStreamTransport() override;
  HttplibStreamTransport(const HttplibStreamTransport&) = delete;
  HttplibStreamTransport& operator=(const HttplibStreamTransport&) = delete;

  RequestId open(HttpRequest request, StreamHandlers handlers) override;
  void close(RequestId id) override;

  struct Shared;  // defined in httplib_stream_transport.cpp

 private:
  std::shared_ptr<Shared> shared_;
};

}  // namespace livedata::native
