// Callback<R(A...)>: the core's callable type, where std::function would do but costs the
// WASM module more. libc++'s std::function instantiates about eight functions per callable
// type (clone twice, destroy, destroy-and-free, target, target_type, call, destructor);
// the client's state machine hands about forty lambdas through callbacks, and with them the
// module's code was 9.9 KB larger (wasm/build.sh, 2026-12-06). Here a callable type costs
// its call and its destructor.
//
// Copies share one callable (reference counted), so a copy costs no allocation and no
// per-type clone. Sharing is safe because only callables that are invocable as const are
// accepted (no `mutable` lambda): calls through several copies, on several threads, read
// the callable and never change it, as calls through copies of a std::function would. The
// count is atomic: copies may be made and dropped on any thread; the last one destroys the
// callable, on whichever thread drops it.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <type_traits>
#include <utility>

namespace livedata {

template <typename Signature>
class Callback;

template <typename R, typename... Args>
class Callback<R(Args...)> {
 public:
  Callback() = default;
  Callback(std::nullptr_t) {}  // NOLINT(google-explicit-constructor): as std::function's

  // An empty std::function or a null function pointer makes an empty Callback, as it would
  // an empty std::function: code that tests a callback before calling it keeps working.
  // std::conjunction stops at a Callback (a copy): the invocability test, which needs every
  // argument type complete, is never made where a type holding a Callback is copied before
  // those types are defined (clang checks it there).
  template <typename F, typename = std::enable_if_t<std::conjunction_v<
                            std::negation<std::is_same<std::decay_t<F>, Callback>>,
                            std::is_invocable_r<R, const std::decay_t<F>&, Args...>>>>
  Callback(F&& callable)  // NOLINT(google-explicit-constructor): lambdas convert, as to std::function
      : shared_(isEmpty(callable) ? nullptr : new Holder<std::decay_t<F>>(std::forward<F>(callable))) {}

  Callback(const Callback& other) noexcept : shared_(other.shared_) {
    if (shared_) shared_->references.fetch_add(1, std::memory_order_relaxed);
  }
  Callback(Callback&& other) noexcept : shared_(std::exchange(other.shared_, nullptr)) {}
  Callback& operator=(Callback other) noexcept {
    std::swap(shared_, other.shared_);
    return *this;
  }
  ~Callback() {
    if (shared_ && shared_->references.fetch_sub(1, std::memory_order_acq_rel) == 1) delete shared_;
  }

  explicit operator bool() const { return shared_ != nullptr; }

  // REQUIRES: not empty.
  R operator()(Args... args) const { return shared_->call(std::forward<Args>(args)...); }

 private:
  struct Shared {
    std::atomic<int> references{1};
    virtual ~Shared() = default;
    virtual R call(Args... args) const = 0;
  };
  template <typename F>
  struct Holder final : Shared {
    template <typename G>
    explicit Holder(G&& callable) : callable(std::forward<G>(callable)) {}
    R call(Args... args) const override { return callable(std::forward<Args>(args)...); }
    const F callable;
  };

  template <typename T>
  struct IsStdFunction : std::false_type {};
  template <typename Signature>
  struct IsStdFunction<std::function<Signature>> : std::true_type {};

  template <typename F>
  static bool isEmpty(const F& callable) {
    if constexpr (std::is_pointer_v<F> || std::is_member_pointer_v<F>) {
      return callable == nullptr;
    } else if constexpr (IsStdFunction<F>::value) {
      return !callable;
    } else {
      return false;
    }
  }

  Shared* shared_ = nullptr;
};

}  // namespace livedata
