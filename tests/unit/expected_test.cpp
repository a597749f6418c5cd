// Expected<T, E>: the one way a fallible function returns its value or its reason.
#include "livedata/expected.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "livedata/errors.h"

namespace livedata {
namespace {

struct Base {
  virtual ~Base() = default;
};
struct Derived : Base {};

Expected<std::unique_ptr<Base>, std::string> make(bool ok) {
  if (!ok) return "cannot make it";      // a literal converts to the error
  return std::make_unique<Derived>();    // a derived pointer converts to the value
}

TEST(Expected, HoldsAValueOrAnErrorAndSaysWhich) {
  auto made = make(true);
  ASSERT_TRUE(made.ok());
  EXPECT_NE(std::move(made).value(), nullptr);

  const auto failed = make(false);
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error(), "cannot make it");
}

TEST(Expected, AValueAndAnErrorOfOneTypeAreToldApartByUnexpected) {
  const Expected<std::string, std::string> value = std::string("text");
  const Expected<std::string, std::string> error = unexpected(std::string("why"));
  ASSERT_TRUE(value.ok());
  EXPECT_EQ(value.value(), "text");
  ASSERT_FALSE(error.ok());
  EXPECT_EQ(error.error(), "why");
}

TEST(Expected, TheCoresDefaultErrorIsItsError) {
  const Expected<int> failed = makeError(ErrorKind::config, "", "bad");
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().kind, ErrorKind::config);
  const Expected<int> defaulted;
  ASSERT_TRUE(defaulted.ok());
  EXPECT_EQ(defaulted.value(), 0);
}

}  // namespace
}  // namespace livedata
