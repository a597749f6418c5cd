// The live feed's event streams, served by one thread with an event loop. The change route
// writes a stream's response head and first event, then takes its connection out of the
// HTTP server (EventServer::takeCurrentConnection) and hands it here: from then on the
// stream is a socket, the version its client is at, and what is waiting to be written. A
// change reaches every stream as one write each from this thread (streams at the same
// version share one encoding), where a thread per stream woke thousands of threads; an
// idle stream costs no thread, only its socket and a few hundred bytes.
//
// Each stream gets what the feed says its version has to learn (changes, or a reset), its
// heartbeat comment when it has been quiet for heartbeatSeconds, and ends with the chunked
// body's last chunk when the feed stops. A client that went away is found when its socket
// reports it (hang-up) or a write fails; one that does not read is dropped once
// kMaxPendingBytes wait for it (it resumes from its last version when it reconnects).
//
// Threading: adopt() and the counters from any thread; the loop runs on its own thread.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "feed/change_feed.h"

namespace livedata::server {

class ChangeStreams {
 public:
  // Bytes written to a stream and not yet taken by its client, past which it is dropped.
  static constexpr std::size_t kMaxPendingBytes = 1 << 20;

  // REQUIRES: `feed` outlives this object; no other change listener is set on it.
  ChangeStreams(ChangeFeed& feed, const ChangeFeedOptions& options);
  ~ChangeStreams();  // ends the loop; streams still open are closed
  ChangeStreams(const ChangeStreams&) = delete;
  ChangeStreams& operator=(const ChangeStreams&) = delete;

  // Takes a stream whose head and first event are written: `fd` (a connected socket; it is
  // this object's to close from now on), the subscriber slot it holds, and the version its
  // client is at. Closes it at once when the loop has ended.
  void adopt(int fd, ChangeFeed::Subscription slot, std::int64_t version);

  std::size_t streams() const;  // open streams, for metrics

 private:
  struct Stream;
  void run();
  void takeAdopted();
  void catchUpAll();
  void heartbeatQuietStreams(std::chrono::steady_clock::time_point now);
  void endAll();
  void append(Stream& stream, const std::string& data);  // as one chunk of the chunked body
  bool flush(Stream& stream);  // false when the stream was dropped (gone, or not reading)
  void drop(Stream& stream);
  void wakeLoop() const;

  ChangeFeed& feed_;
  const std::chrono::seconds heartbeat_;
  int epoll_ = -1;
  int wake_ = -1;  // an eventfd: a change, an adopted stream, or the end
  std::atomic<bool> ending_{false};
  std::atomic<std::size_t> count_{0};

  std::mutex adoptMutex_;
  struct Adopted {
    int fd;
    ChangeFeed::Subscription slot;
    std::int64_t version;
  };
  std::vector<Adopted> adopted_;  // GUARDED_BY(adoptMutex_)
  bool loopEnded_ = false;        // GUARDED_BY(adoptMutex_)

  // The loop thread's own.
  std::unordered_map<int, std::unique_ptr<Stream>> streams_;
  std::int64_t seenVersion_ = -1;  // the feed's version at the last catch-up pass
  std::thread loop_;
};

}  // namespace livedata::server
