// The load generator's own failures (a server that will not start, a figure it cannot read)
// are values of livedata's one error type; only `message` is used, and it says it all.
#pragma once

#include <string>
#include <utility>

#include "livedata/errors.h"

namespace livedata::loadgen {

inline Error failure(std::string message) {
  Error error;
  error.kind = ErrorKind::network;
  error.message = std::move(message);
  return error;
}

}  // namespace livedata::loadgen
