// A Transport that tells a Logger about every request another transport sends: what was
// asked (method, URL, the conditional header) and how it ended (status, size, time, or why
// there was no response); and a StreamTransport that does the same for held responses (the
// live feed's stream): opened, answered, ended. The CLI's --verbose puts them in front of
// its transports; the core itself logs only what it decides (retries, giving up, the feed's
// reconnections), so a page pays nothing for this.
#pragma once

#include <memory>

#include "livedata/types.h"

namespace livedata::native {

class LoggingTransport final : public Transport {
 public:
  // REQUIRES: `inner` and `logger` are set.
  LoggingTransport(std::shared_ptr<Transport> inner, Logger logger);

  RequestId send(HttpRequest request, TransportCallback done) override;
  void cancel(RequestId id) override { inner_->cancel(id); }

 private:
  const std::shared_ptr<Transport> inner_;
  const Logger logger_;
};

class LoggingStreamTransport final : public StreamTransport {
 public:
  // REQUIRES: `inner` and `logger` are set.
  LoggingStreamTransport(std::shared_ptr<StreamTransport> inner, Logger logger);

  RequestId open(HttpRequest request, StreamHandlers handlers) override;
  void close(RequestId id) override { inner_->close(id); }

 private:
  const std::shared_ptr<StreamTransport> inner_;
  const Logger logger_;
};

}  // namespace livedata::native
