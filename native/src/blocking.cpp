#include "livedata_native/blocking.h"

#include <future>
#include <optional>
#include <memory>
#include <utility>

#include "livedata/errors.h"

namespace livedata::native {
namespace {

// Waits for a value set by a callback that may run on any thread, at most once. The
// promise lives in the callback: dropping every copy uncalled breaks it, which wakes the
// waiter instead of leaving it blocked forever.
template <typename T>
std::pair<std::function<void(T)>, std::future<T>> makeWaitableCallback() {
  auto promise = std::make_shared<std::promise<T>>();
  auto future = promise->get_future();
  auto callback = [promise](T value) {
    try {
      promise->set_value(std::move(value));
    } catch (const std::future_error&) {
      // Called twice: the first value stands.
    }
  };
  return {std::move(callback), std::move(future)};
}

template <typename T>
std::optional<T> wait(std::future<T>& future) {
  try {
    return future.get();
  } catch (const std::future_error&) {
    return std::nullopt;  // broken promise: the callback was dropped uncalled
  }
}

Error droppedError(const std::string& what) {
  return makeError(ErrorKind::cancelled, "", what + " was abandoned before completing");
}

}  // namespace

FetchResult fetchBlocking(const std::function<void(FetchCallback)>& start) {
  auto [callback, future] = makeWaitableCallback<FetchResult>();
  start(std::move(callback));
  if (auto result = wait(future)) return std::move(*result);
  FetchResult result;
  result.body = std::make_shared<const std::string>("{}");
  result.error = droppedError("the request");
  return result;
}

RefreshReport refreshBlocking(Client& client, std::vector<std::string> endpoints) {
  auto [callback, future] = makeWaitableCallback<RefreshReport>();
  client.forceRefreshData(std::move(endpoints), std::move(callback));
  if (auto report = wait(future)) return std::move(*report);
  RefreshReport report;
  report.endpoints.push_back(EndpointRefresh{"", false, 0, droppedError("the refresh")});
  return report;
}

}  // namespace livedata::native
