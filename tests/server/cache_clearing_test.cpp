#include "app/cache_clearing.h"

#include <gtest/gtest.h>

namespace livedata::server {
namespace {

TEST(CacheClearing, SuccessfulWritesUnderAResourceClearIt) {
  EXPECT_EQ(resourceChangedBy("POST", "/api/campaigns", 201), ApiResource::campaigns);
  EXPECT_EQ(resourceChangedBy("PATCH", "/api/campaigns/cmp_0001", 200), ApiResource::campaigns);
  EXPECT_EQ(resourceChangedBy("DELETE", "/api/segments/seg_0002", 204), ApiResource::segments);
  EXPECT_EQ(resourceChangedBy("PUT", "/api/overview", 200), ApiResource::overview);
}

TEST(CacheClearing, ReadsFailuresAndOtherPathsClearNothing) {
  EXPECT_FALSE(resourceChangedBy("GET", "/api/campaigns", 200));
  EXPECT_FALSE(resourceChangedBy("HEAD", "/api/campaigns", 200));
  EXPECT_FALSE(resourceChangedBy("POST", "/api/campaigns", 400));
  EXPECT_FALSE(resourceChangedBy("POST", "/api/campaigns", 503));
  EXPECT_FALSE(resourceChangedBy("POST", "/api/sync", 202));
  EXPECT_FALSE(resourceChangedBy("POST", "/api/cache/invalidate", 200));
  EXPECT_FALSE(resourceChangedBy("POST", "/admin/touch", 200));
  EXPECT_FALSE(resourceChangedBy("POST", "/api/campaignsx", 200));
}

}  // namespace
}  // namespace livedata::server
