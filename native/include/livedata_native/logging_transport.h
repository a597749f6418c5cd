// A Transport that tells a Logger about every request another transport sends: what was
// asked (method, URL, the conditional header) and how it ended (status, size, time, or why
// there was no response). The CLI's --verbose puts it in front of its transport; the core
// itself logs only what it decides (retries, giving up), so a page pays nothing for this.
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

}  // namespace livedata::native
