// Errors as values: a result is either a value or the reason there is none. The one way the
// codebase returns a failure (the core never throws to its caller; the server's factories
// and parsers return the same shape with their own error types).
#pragma once

#include <type_traits>
#include <utility>
#include <variant>

namespace livedata {

// A failure to put into an Expected. Needed where the value and the error have the same
// type (Expected<std::string, std::string>); elsewhere the error converts by itself.
template <typename E>
struct Unexpected {
  E error;
};

template <typename E>
Unexpected<std::decay_t<E>> unexpected(E&& error) {
  return {std::forward<E>(error)};
}

template <typename>
struct IsUnexpected : std::false_type {};
template <typename E>
struct IsUnexpected<Unexpected<E>> : std::true_type {};

struct Error;  // the core's error (errors.h): the default, so the core writes Expected<T>

template <typename T, typename E = Error>
class Expected {
  template <typename From>
  static constexpr bool IsSelf = std::is_same_v<std::decay_t<From>, Expected> || IsUnexpected<std::decay_t<From>>::value;

 public:
  // A default value, as std::expected (C++23) has.
  template <typename U = T, typename = std::enable_if_t<std::is_default_constructible_v<U>>>
  Expected() : state_(std::in_place_index<0>) {}

  Expected(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design

  // Implicit from anything else that converts to the value (a derived pointer, a literal).
  template <typename From, typename = std::enable_if_t<!IsSelf<From> && std::is_convertible_v<From, T>>>
  Expected(From&& value) : state_(std::in_place_index<0>, std::forward<From>(value)) {}  // NOLINT: implicit by design

  // Implicit from what converts to the error and not to the value, so nothing is ambiguous;
  // otherwise (Expected<std::string, std::string>) through unexpected().
  template <typename From, typename = std::enable_if_t<!IsSelf<From> && !std::is_convertible_v<From, T> &&
                                                       std::is_convertible_v<From, E>>,
            typename = void>
  Expected(From&& error) : state_(std::in_place_index<1>, std::forward<From>(error)) {}  // NOLINT: implicit by design

  template <typename From, typename = std::enable_if_t<std::is_convertible_v<From, E>>>
  Expected(Unexpected<From> failure) : state_(std::in_place_index<1>, std::move(failure.error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(state_); }
  const T& value() const& { return std::get<0>(state_); }
  T&& value() && { return std::get<0>(std::move(state_)); }
  E& error() & { return std::get<1>(state_); }
  const E& error() const& { return std::get<1>(state_); }
  E&& error() && { return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, E> state_;
};

}  // namespace livedata
