// Callback, the core's callable type: empty or holding a callable; copies share it, and the
// last copy dropped, on whichever thread, destroys it once.
#include "livedata/callback.h"

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace livedata {
namespace {

TEST(Callback, IsEmptyUntilGivenACallableAndCallsItWithItsArguments) {
  Callback<int(int, const std::string&)> empty;
  EXPECT_FALSE(empty);
  Callback<int(int, const std::string&)> none = nullptr;
  EXPECT_FALSE(none);

  Callback<int(int, const std::string&)> add = [](int n, const std::string& text) {
    return n + static_cast<int>(text.size());
  };
  ASSERT_TRUE(add);
  EXPECT_EQ(add(2, "abc"), 5);
  add = nullptr;
  EXPECT_FALSE(add);
}

// As with std::function, what holds no function makes an empty Callback, not one that fails
// when called: an empty std::function, a null function pointer.
TEST(Callback, AnEmptyStdFunctionOrANullPointerMakesAnEmptyCallback) {
  const std::function<int()> emptyFunction;
  EXPECT_FALSE(Callback<int()>(emptyFunction));
  int (*nullPointer)() = nullptr;
  EXPECT_FALSE(Callback<int()>(nullPointer));

  const std::function<int()> seven = [] { return 7; };
  const Callback<int()> fromFunction = seven;
  ASSERT_TRUE(fromFunction);
  EXPECT_EQ(fromFunction(), 7);
  int (*eight)() = [] { return 8; };
  EXPECT_EQ(Callback<int()>(eight)(), 8);
}

TEST(Callback, PassesAMoveOnlyArgumentThrough) {
  Callback<int(std::unique_ptr<int>)> take = [](std::unique_ptr<int> value) { return *value; };
  EXPECT_EQ(take(std::make_unique<int>(7)), 7);
}

TEST(Callback, CopiesShareTheCallableWhichTheLastOneDestroys) {
  auto captured = std::make_shared<int>(41);
  std::weak_ptr<int> watch = captured;
  Callback<int()> first = [captured] { return *captured + 1; };
  captured.reset();
  {
    Callback<int()> copy = first;
    Callback<int()> moved = std::move(first);
    EXPECT_FALSE(first);  // NOLINT(bugprone-use-after-move): a moved-from Callback is empty
    EXPECT_EQ(copy(), 42);
    EXPECT_EQ(moved(), 42);
    EXPECT_EQ(watch.use_count(), 1) << "copies share one callable, not copies of it";
    first = copy;
  }
  EXPECT_FALSE(watch.expired());
  first = Callback<int()>();
  EXPECT_TRUE(watch.expired()) << "dropping the last copy destroys the callable";
}

TEST(Callback, CopiesMadeAndDroppedOnManyThreadsDestroyTheCallableOnce) {
  auto destroyed = std::make_shared<int>(0);
  struct CountsItsEnd {
    std::shared_ptr<int> destroyed;
    bool owner = true;
    CountsItsEnd(std::shared_ptr<int> counter) : destroyed(std::move(counter)) {}
    CountsItsEnd(CountsItsEnd&& other) noexcept : destroyed(other.destroyed) { other.owner = false; }
    ~CountsItsEnd() {
      if (owner) ++*destroyed;
    }
    int operator()() const { return 1; }
  };
  {
    Callback<int()> shared = CountsItsEnd(destroyed);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([shared] {
        int calls = 0;
        for (int i = 0; i < 10'000; ++i) {
          Callback<int()> copy = shared;
          calls += copy();
        }
        EXPECT_EQ(calls, 10'000);
      });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_EQ(*destroyed, 0);
  }
  EXPECT_EQ(*destroyed, 1);
}

}  // namespace
}  // namespace livedata
