#include "feed/change_signal.h"

#include <linux/futex.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <climits>
#include <ctime>

namespace livedata::server {
namespace {

// The futex word of an atomic: std::atomic<uint32_t> is a plain 32-bit word (asserted in
// the header), as the C++20 library's own atomic wait assumes on Linux.
std::uint32_t* wordOf(std::atomic<std::uint32_t>& atomic) { return reinterpret_cast<std::uint32_t*>(&atomic); }

}  // namespace

void ChangeSignal::waitWhile(std::uint32_t seen, std::chrono::steady_clock::time_point deadline) const {
  // FUTEX_WAIT_BITSET takes an absolute CLOCK_MONOTONIC time, which steady_clock reads.
  const auto sinceEpoch = deadline.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(sinceEpoch);
  if (seconds.count() < 0) return;
  timespec until{};
  until.tv_sec = static_cast<time_t>(seconds.count());
  until.tv_nsec = static_cast<long>(std::chrono::duration_cast<std::chrono::nanoseconds>(sinceEpoch - seconds).count());
  // Returns at once (EAGAIN) when the word is no longer `seen`; ETIMEDOUT and EINTR are
  // early returns the caller's re-check absorbs.
  syscall(SYS_futex, wordOf(sequence_), FUTEX_WAIT_BITSET_PRIVATE, seen, &until, nullptr, FUTEX_BITSET_MATCH_ANY);
}

void ChangeSignal::wakeAll() {
  sequence_.fetch_add(1, std::memory_order_acq_rel);
  syscall(SYS_futex, wordOf(sequence_), FUTEX_WAKE_PRIVATE, INT_MAX, nullptr, nullptr, 0);
}

}  // namespace livedata::server
