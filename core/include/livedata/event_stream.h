// An incremental parser of the event stream format (WHATWG HTML, "Server-sent events",
// section 9.2.6): bytes in, in pieces of any size, events and comments out. The live
// feed's reader, the same natively and in the browser (so Node 18 needs no EventSource).
//
// Follows the standard's rules: lines end with CRLF, LF or CR (also split across pieces);
// a leading BOM is dropped; "data" lines join with LF; the last event id persists from
// event to event; "retry" takes only digits; unknown fields are ignored; an event without
// data is not dispatched. One deviation, for safety: a line, or the data of an event being
// gathered, longer than maxEventBytes makes feed() return false (the stream is broken; the
// caller reconnects) instead of growing.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "livedata/callback.h"
#include "livedata/types.h"

namespace livedata {

struct StreamEvent {
  std::string type = "message";  // the "event" field, "message" without one
  std::string data;              // the "data" lines joined with LF
  std::string lastEventId;       // the last "id" field seen so far on this stream
};

struct EventStreamHandlers {
  Callback<void(const StreamEvent& event)> onEvent;
  Callback<void(std::string_view comment)> onComment;  // may be empty
  Callback<void(Millis retryMs)> onRetry;              // may be empty
};

class EventStreamParser {
 public:
  static constexpr std::size_t kDefaultMaxEventBytes = 1 << 20;
  explicit EventStreamParser(std::size_t maxEventBytes = kDefaultMaxEventBytes) : maxEventBytes_(maxEventBytes) {}

  // Parses `bytes`, calling the handlers for what they complete. False once a line grew
  // past maxEventBytes, or an event's data did; the parser then ignores everything until reset().
  bool feed(std::string_view bytes, const EventStreamHandlers& handlers);

  // Forgets everything, the last event id included: for a new connection.
  void reset();

 private:
  void processLine(std::string_view line, const EventStreamHandlers& handlers);
  bool breakStream();  // marks the stream broken, drops what it gathered, returns false

  std::size_t maxEventBytes_;
  std::string line_;              // the incomplete line so far
  bool afterCarriageReturn_ = false;  // the last byte was CR: an LF right after it is part of it
  bool started_ = false;          // past the first bytes (where a BOM may be)
  std::string head_;              // the first bytes, while they may still be a BOM
  bool broken_ = false;
  std::string type_;
  std::string data_;
  bool hasData_ = false;
  std::string lastEventId_;
};

}  // namespace livedata
