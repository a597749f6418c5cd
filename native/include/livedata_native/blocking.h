// Synchronous wrappers over the Client's callbacks, for the CLI and tests.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "livedata/client.h"

namespace livedata::native {

// Calls `start` with a callback and waits until that callback has been called, returning
// what it was given. If the callback is dropped without being called (the Client was
// destroyed first), returns a `cancelled` error with an empty body instead of hanging.
// REQUIRES: not called on a thread that must run for the callback to happen (a transport
// worker or the scheduler's timer thread).
//   auto r = fetchBlocking([&](FetchCallback cb) { getCampaigns(client, params, {}, cb); });
FetchResult fetchBlocking(const std::function<void(FetchCallback)>& start);

// Client::forceRefreshData, waited for. Same guarantees as fetchBlocking.
RefreshReport refreshBlocking(Client& client, std::vector<std::string> endpoints);

}  // namespace livedata::native
