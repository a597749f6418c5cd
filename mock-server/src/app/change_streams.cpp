#include "app/change_streams.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <map>
#include <utility>

#include "feed/change_notice.h"

namespace livedata::server {
namespace {

using Clock = std::chrono::steady_clock;

// Changes written to a stream per pass; one further behind gets the rest on the next.
constexpr std::size_t kChangesPerPass = 500;
// The loop's longest sleep: how late a heartbeat may be.
constexpr int kTickMs = 250;
// A chunk of a chunked body (RFC 9112 section 7.1): its size in hex, the data, CRLF.
std::string chunkOf(const std::string& data) {
  char size[20];
  std::snprintf(size, sizeof size, "%zx\r\n", data.size());
  return size + data + "\r\n";
}
// The chunked body's end: a zero-size chunk and no trailers.
constexpr char kLastChunk[] = "0\r\n\r\n";

}  // namespace

struct ChangeStreams::Stream {
  Stream(int socket, ChangeFeed::Subscription subscription, std::int64_t at)
      : fd(socket), slot(std::move(subscription)), version(at) {}
  const int fd;
  ChangeFeed::Subscription slot;  // freed when the stream goes
  std::int64_t version;           // what its client is at once it has read `pending`
  std::string pending;            // written to the socket from `sent` on
  std::size_t sent = 0;
  Clock::time_point nextHeartbeat;
  bool waitingToWrite = false;    // EPOLLOUT asked for
};

ChangeStreams::ChangeStreams(ChangeFeed& feed, const ChangeFeedOptions& options)
    : feed_(feed),
      heartbeat_(options.heartbeatSeconds),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      wake_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.ptr = nullptr;  // the wake-up; streams carry their Stream*
  ::epoll_ctl(epoll_, EPOLL_CTL_ADD, wake_, &event);
  feed_.setChangeListener([this] { wakeLoop(); });
  loop_ = std::thread([this] { run(); });
}

ChangeStreams::~ChangeStreams() {
  ending_ = true;
  wakeLoop();
  loop_.join();
  feed_.setChangeListener(nullptr);
  ::close(wake_);
  ::close(epoll_);
}

void ChangeStreams::adopt(int fd, ChangeFeed::Subscription slot, std::int64_t version) {
  {
    std::lock_guard lock(adoptMutex_);
    if (!loopEnded_) {
      adopted_.push_back(Adopted{fd, std::move(slot), version});
      wakeLoop();
      return;
    }
  }
  ::close(fd);
}

std::size_t ChangeStreams::streams() const { return count_.load(); }

void ChangeStreams::wakeLoop() const {
  const std::uint64_t one = 1;
  [[maybe_unused]] const ssize_t written = ::write(wake_, &one, sizeof one);
}

void ChangeStreams::run() {
  epoll_event events[256];
  while (!ending_) {
    const int ready = ::epoll_wait(epoll_, events, 256, kTickMs);
    for (int i = 0; i < ready; ++i) {
      if (events[i].data.ptr == nullptr) {
        std::uint64_t count = 0;
        while (::read(wake_, &count, sizeof count) > 0) {
        }
        continue;
      }
      Stream& stream = *static_cast<Stream*>(events[i].data.ptr);
      if (events[i].events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) {
        drop(stream);  // the client went away
        continue;
      }
      if (events[i].events & EPOLLIN) {
        // A stream's client has nothing to say; anything it sends is read and ignored, and
        // its end of the connection closing (a read of 0) ends the stream.
        char ignored[512];
        const ssize_t got = ::recv(stream.fd, ignored, sizeof ignored, MSG_DONTWAIT);
        if (got == 0 || (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          drop(stream);
          continue;
        }
      }
      if (events[i].events & EPOLLOUT) flush(stream);
    }
    takeAdopted();
    catchUpAll();
    heartbeatQuietStreams(Clock::now());
  }
  {
    std::lock_guard lock(adoptMutex_);
    loopEnded_ = true;
  }
  takeAdopted();
  endAll();
}

void ChangeStreams::takeAdopted() {
  std::vector<Adopted> adopted;
  {
    std::lock_guard lock(adoptMutex_);
    adopted.swap(adopted_);
  }
  if (adopted.empty()) return;
  for (Adopted& entry : adopted) {
    auto stream = std::make_unique<Stream>(entry.fd, std::move(entry.slot), entry.version);
    stream->nextHeartbeat = Clock::now() + heartbeat_;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP;
    event.data.ptr = stream.get();
    if (::epoll_ctl(epoll_, EPOLL_CTL_ADD, entry.fd, &event) != 0) {
      ::close(entry.fd);
      continue;
    }
    streams_.emplace(entry.fd, std::move(stream));
    ++count_;
  }
  seenVersion_ = -1;  // the new streams may be behind: look at every stream
}

// Every stream not at the feed's version learns what it missed. Streams at the same version
// (nearly all of them, after the first pass) share one catch-up and its encoding.
void ChangeStreams::catchUpAll() {
  if (feed_.stopped()) return endAll();
  const std::int64_t current = feed_.currentVersion();
  if (current == seenVersion_) return;
  seenVersion_ = current;
  struct Encoded {
    std::string chunk;         // empty: nothing to tell
    std::int64_t next = 0;     // the version once it is read
  };
  std::map<std::int64_t, Encoded> byVersion;
  std::vector<Stream*> written;
  for (auto& [fd, owned] : streams_) {
    Stream& stream = *owned;
    if (stream.version == current) continue;
    auto found = byVersion.find(stream.version);
    if (found == byVersion.end()) {
      const Catchup catchup = feed_.waitAfter(stream.version, Clock::now(), kChangesPerPass);
      Encoded encoded{"", stream.version};
      std::string text;
      if (catchup.kind == Catchup::Kind::changes) {
        for (const PublishedChangePtr& published : catchup.changes) text += published->event;
        encoded.next = catchup.changes.back()->change.version;
      } else if (catchup.kind == Catchup::Kind::reset) {
        text = resetEvent(catchup.version);
        encoded.next = catchup.version;
      }
      if (!text.empty()) encoded.chunk = chunkOf(text);
      if (encoded.next != current) seenVersion_ = -1;  // more than one pass's worth: another pass next time
      found = byVersion.emplace(stream.version, std::move(encoded)).first;
    }
    if (found->second.chunk.empty()) continue;
    stream.pending += found->second.chunk;
    stream.version = found->second.next;
    stream.nextHeartbeat = Clock::now() + heartbeat_;
    written.push_back(&stream);
  }
  // Written after the walk: a write that fails drops its stream from streams_.
  for (Stream* stream : written) flush(*stream);
}

void ChangeStreams::heartbeatQuietStreams(Clock::time_point now) {
  std::vector<Stream*> due;
  for (auto& [fd, stream] : streams_) {
    if (stream->nextHeartbeat <= now && stream->pending.size() == stream->sent) due.push_back(stream.get());
  }
  for (Stream* stream : due) {
    stream->nextHeartbeat = now + heartbeat_;
    append(*stream, heartbeatComment());
    flush(*stream);  // a client that went away fails here, and is dropped
  }
}

// Ends every stream cleanly, with the chunked body's last chunk: its client reconnects (to
// this server once it is back, or to another) from its last version.
void ChangeStreams::endAll() {
  std::vector<Stream*> open;
  for (auto& [fd, stream] : streams_) open.push_back(stream.get());
  for (Stream* stream : open) {
    stream->pending += kLastChunk;
    if (flush(*stream)) drop(*stream);
  }
}

void ChangeStreams::append(Stream& stream, const std::string& data) { stream.pending += chunkOf(data); }

bool ChangeStreams::flush(Stream& stream) {
  while (stream.sent < stream.pending.size()) {
    const ssize_t written = ::send(stream.fd, stream.pending.data() + stream.sent, stream.pending.size() - stream.sent,
                                   MSG_NOSIGNAL | MSG_DONTWAIT);
    if (written > 0) {
      stream.sent += static_cast<std::size_t>(written);
      continue;
    }
    if (written < 0 && errno == EINTR) continue;
    if (written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    drop(stream);  // the client went away
    return false;
  }
  if (stream.sent == stream.pending.size()) {
    stream.pending.clear();
    stream.sent = 0;
  } else if (stream.pending.size() - stream.sent > kMaxPendingBytes) {
    drop(stream);  // a client that does not read
    return false;
  }
  const bool waiting = !stream.pending.empty();
  if (waiting != stream.waitingToWrite) {
    stream.waitingToWrite = waiting;
    epoll_event event{};
    event.events = EPOLLIN | EPOLLRDHUP | (waiting ? EPOLLOUT : 0u);
    event.data.ptr = &stream;
    ::epoll_ctl(epoll_, EPOLL_CTL_MOD, stream.fd, &event);
  }
  return true;
}

void ChangeStreams::drop(Stream& stream) {
  const int fd = stream.fd;
  ::shutdown(fd, SHUT_RDWR);
  ::close(fd);  // also leaves the epoll set
  streams_.erase(fd);  // frees the subscriber slot
  --count_;
}

}  // namespace livedata::server
