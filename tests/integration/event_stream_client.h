// A minimal client of the live feed's event stream for tests, on a plain socket so a test
// controls everything: the request's headers, reading with a deadline, and vanishing
// without a goodbye (close()). Decodes the chunked body and splits it into events the way
// the WHATWG "server-sent events" format does (fields per line, events ending at a blank
// line, comments kept apart), written independently of the project's client.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace livedata::testing {

struct StreamEvent {
  std::string id;     // "" when the event had no id field
  std::string event;  // "message" when it had no event field
  std::string data;
  std::string retry;
};

class EventStreamClient {
 public:
  // Connects to 127.0.0.1:port and sends `method` `target` with Accept: text/event-stream
  // plus `headers`, and nothing else (no Content-Length unless `headers` has one). Reads the
  // status line and headers (up to 10 s). Throws std::runtime_error when it cannot connect
  // or no answer comes.
  EventStreamClient(int port, const std::string& target, const std::map<std::string, std::string>& headers = {},
                    const std::string& method = "GET");
  ~EventStreamClient();  // close()
  EventStreamClient(const EventStreamClient&) = delete;
  EventStreamClient& operator=(const EventStreamClient&) = delete;

  int status() const { return status_; }
  // A response header by lower-case name, "" when absent.
  std::string header(const std::string& lowerCaseName) const;
  // The body read so far, for non-stream answers (an error's JSON): read until the
  // response ends or `timeout`.
  std::string readWholeBody(std::chrono::milliseconds timeout);

  // The next event, waiting up to `timeout`; nullopt on timeout or end of stream.
  std::optional<StreamEvent> next(std::chrono::milliseconds timeout);
  // Comment lines seen so far (heartbeats), without their ':'.
  const std::vector<std::string>& comments() const { return comments_; }
  bool ended() const { return ended_; }

  // Closes the socket at once (the client vanishes; the server learns it on its next write).
  void close();

 private:
  bool readMore(std::chrono::steady_clock::time_point deadline);  // false: timeout or end
  bool decodeChunks();  // moves complete chunks from raw_ to body_; false at the last chunk
  bool takeEvent(StreamEvent& event);  // one complete event from body_, if any

  int fd_ = -1;
  int status_ = 0;
  std::map<std::string, std::string> headers_;
  bool chunked_ = false;
  bool ended_ = false;
  std::string raw_;   // bytes after the headers not yet decoded
  std::string body_;  // decoded body not yet split into events
  std::vector<std::string> comments_;
};

}  // namespace livedata::testing
