#include "livedata/events.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>

namespace livedata {
namespace {

TEST(EventBus, DeliversOnlyTheSubscribedType) {
  EventBus bus;
  int updates = 0, all = 0;
  auto a = bus.on<DataUpdatedEvent>([&](const DataUpdatedEvent& e) {
    EXPECT_EQ(e.endpoint, "flows");
    ++updates;
  });
  auto b = bus.subscribe(std::nullopt, [&](const Event&) { ++all; });
  bus.dispatch(DataUpdatedEvent{"flows", "GET flows", 1, false});
  bus.dispatch(LoadingChangedEvent{"flows", "GET flows", true});
  EXPECT_EQ(updates, 1);
  EXPECT_EQ(all, 2);
}

TEST(EventBus, SubscriptionUnsubscribesWhenDestroyed) {
  EventBus bus;
  int calls = 0;
  {
    auto sub = bus.on<DataStaleEvent>([&](const DataStaleEvent&) { ++calls; });
    EXPECT_EQ(bus.listenerCount(), 1u);
  }
  EXPECT_EQ(bus.listenerCount(), 0u);
  bus.dispatch(DataStaleEvent{});
  EXPECT_EQ(calls, 0);
}

TEST(EventBus, ListenerMayUnsubscribeItselfAndOthersDuringDispatch) {
  EventBus bus;
  int first = 0, second = 0;
  Subscription secondSub;
  Subscription firstSub = bus.subscribe(std::nullopt, [&](const Event&) {
    ++first;
    firstSub.reset();
    secondSub.reset();  // removed mid-dispatch: must not be called afterwards
  });
  secondSub = bus.subscribe(std::nullopt, [&](const Event&) { ++second; });
  bus.dispatch(ForceDataRefreshEvent{});
  bus.dispatch(ForceDataRefreshEvent{});
  EXPECT_EQ(first, 1);
  EXPECT_EQ(second, 0);
}

TEST(EventBus, ListenerMaySubscribeAnotherDuringDispatch) {
  EventBus bus;
  int late = 0;
  std::vector<Subscription> added;
  auto sub = bus.subscribe(std::nullopt, [&](const Event&) {
    if (added.empty()) added.push_back(bus.subscribe(std::nullopt, [&](const Event&) { ++late; }));
  });
  bus.dispatch(ForceDataRefreshEvent{});
  EXPECT_EQ(late, 0);  // not part of the snapshot being dispatched
  bus.dispatch(ForceDataRefreshEvent{});
  EXPECT_EQ(late, 1);
}

TEST(EventBus, SubscriptionMayOutliveTheBus) {
  Subscription sub;
  {
    EventBus bus;
    sub = bus.subscribe(std::nullopt, [](const Event&) {});
    EXPECT_TRUE(sub.active());
  }
  EXPECT_FALSE(sub.active());
  sub.reset();  // no crash
}

TEST(EventBus, ListenerMayOwnSubscriptionsThatItsRemovalReleases) {
  // Dropping a listener destroys what it captured; a Subscription among those unsubscribes
  // in its destructor, which must not find the bus locked.
  EventBus bus;
  int inner = 0;
  auto owned = std::make_shared<Subscription>(bus.subscribe(std::nullopt, [&](const Event&) { ++inner; }));
  Subscription outer = bus.subscribe(std::nullopt, [owned](const Event&) {});
  owned.reset();
  EXPECT_EQ(bus.listenerCount(), 2u);
  outer.reset();
  EXPECT_EQ(bus.listenerCount(), 0u);
  bus.dispatch(ForceDataRefreshEvent{});
  EXPECT_EQ(inner, 0);
}

TEST(EventBus, ActiveUntilReset) {
  EventBus bus;
  Subscription sub = bus.subscribe(EventType::dataStale, [](const Event&) {});
  EXPECT_TRUE(sub.active());
  sub.reset();
  EXPECT_FALSE(sub.active());
}

TEST(EventBus, DispatchesWhileOtherThreadsSubscribeAndUnsubscribe) {
  EventBus bus;
  std::atomic<int> steady{0};
  auto sub = bus.subscribe(EventType::dataUpdated, [&](const Event&) { ++steady; });
  std::atomic<bool> stop{false};
  std::thread churn([&] {
    while (!stop) {
      Subscription temporary = bus.subscribe(std::nullopt, [](const Event&) {});
    }
  });
  constexpr int kDispatches = 20000;
  for (int i = 0; i < kDispatches; ++i) bus.dispatch(DataUpdatedEvent{"flows", "GET flows", i, false});
  stop = true;
  churn.join();
  EXPECT_EQ(steady, kDispatches);
  EXPECT_EQ(bus.listenerCount(), 1u);
}

TEST(EventBus, NamesEveryEventType) {
  EXPECT_STREQ(toString(typeOf(ForceDataRefreshEvent{})), "forceDataRefresh");
  EXPECT_STREQ(toString(typeOf(DataUpdatedEvent{})), "dataUpdated");
  EXPECT_STREQ(toString(typeOf(DataErrorEvent{})), "dataError");
  EXPECT_STREQ(toString(typeOf(DataStaleEvent{})), "dataStale");
  EXPECT_STREQ(toString(typeOf(LoadingChangedEvent{})), "loadingChanged");
}

}  // namespace
}  // namespace livedata
