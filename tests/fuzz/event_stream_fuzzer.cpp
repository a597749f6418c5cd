// Outside bytes as the live feed's event stream: the parser takes any bytes, and the events
// it finds do not depend on how the bytes were cut into pieces (the network decides that).
// Each event's data goes through the notice reader the live feed uses.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "livedata/event_stream.h"
#include "livedata/live_feed.h"

namespace {

struct Seen {
  std::vector<std::string> events;  // type, data and id of each, in order
  std::vector<livedata::Millis> retries;
  bool ok = true;
};

// Feeds `bytes` in pieces whose sizes come from `cuts` (cycled), and collects what it saw.
Seen parse(std::string_view bytes, std::string_view cuts) {
  livedata::EventStreamParser parser(4096);
  Seen seen;
  livedata::EventStreamHandlers handlers;
  handlers.onEvent = [&](const livedata::StreamEvent& event) {
    seen.events.push_back(event.type + '\n' + event.data + '\n' + event.lastEventId);
    (void)livedata::endpointsNamedIn(event.data);
  };
  handlers.onRetry = [&](livedata::Millis ms) { seen.retries.push_back(ms); };
  std::size_t at = 0;
  for (std::size_t i = 0; at < bytes.size() && seen.ok; ++i) {
    const std::size_t piece = cuts.empty() ? bytes.size() : 1 + static_cast<unsigned char>(cuts[i % cuts.size()]) % 64;
    seen.ok = parser.feed(bytes.substr(at, piece), handlers);
    at += piece;
  }
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first 8 bytes choose the cuts; the rest is the stream.
  const std::string_view cuts = input.substr(0, std::min<std::size_t>(8, input.size()));
  const std::string_view stream = input.substr(cuts.size());
  const Seen whole = parse(stream, {});
  const Seen pieces = parse(stream, cuts);
  if (whole.ok && pieces.ok && (whole.events != pieces.events || whole.retries != pieces.retries)) std::abort();
  return 0;
}
