// links.next is followed only to the origin and path asked, and only for its page[cursor].
#include "klaviyo/cursor_link.h"

#include <gtest/gtest.h>

namespace livedata::server::klaviyo {
namespace {

constexpr const char* kOrigin = "https://a.klaviyo.com";

TEST(CursorLink, TakesThePageCursorPlainOrEncoded) {
  EXPECT_EQ(cursorFromNextLink("https://a.klaviyo.com/api/campaigns/?page%5Bcursor%5D=bmV4dDo6%3D%3D&filter=x", kOrigin,
                               "/api/campaigns")
                .value(),
            "bmV4dDo6==");
  EXPECT_EQ(cursorFromNextLink("https://A.Klaviyo.com/api/flows?page[cursor]=abc", kOrigin, "/api/flows").value(), "abc");
}

TEST(CursorLink, RefusesALinkThatWouldSendTheKeyElsewhere) {
  for (const char* link : {"https://evil.example/api/flows?page[cursor]=abc", "http://a.klaviyo.com/api/flows?page[cursor]=abc",
                           "https://a.klaviyo.com:8443/api/flows?page[cursor]=abc", "https://a.klaviyo.com.evil/api/flows?page[cursor]=abc",
                           "https://a.klaviyo.com/api/forms?page[cursor]=abc", "/api/flows?page[cursor]=abc",
                           "ftp://a.klaviyo.com/api/flows?page[cursor]=abc"}) {
    EXPECT_FALSE(cursorFromNextLink(link, kOrigin, "/api/flows")) << link;
  }
}

TEST(CursorLink, RefusesALinkWithoutExactlyOneCursor) {
  for (const char* link : {"https://a.klaviyo.com/api/flows", "https://a.klaviyo.com/api/flows?page[size]=5",
                           "https://a.klaviyo.com/api/flows?page[cursor]=", "https://a.klaviyo.com/api/flows?page[cursor]=a&page[cursor]=b"}) {
    const auto cursor = cursorFromNextLink(link, kOrigin, "/api/flows");
    ASSERT_FALSE(cursor) << link;
    EXPECT_NE(cursor.error().find("page[cursor]"), std::string::npos) << cursor.error();
  }
}

}  // namespace
}  // namespace livedata::server::klaviyo
