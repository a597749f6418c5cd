// The dashboard's files: the precompressed coding the client accepts, a strong ETag per
// coding, a new build picked up without a restart, and nothing outside the folder.
#include "http/static_files.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "http/compression.h"
#include "http/weighted_list.h"

namespace livedata::server {
namespace {

namespace fs = std::filesystem;

class StaticFilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("livedata-static-" + std::to_string(std::random_device{}()));
    fs::create_directories(root_ / "assets");
  }
  void TearDown() override { fs::remove_all(root_); }
  void write(const std::string& relative, const std::string& bytes) {
    std::ofstream(root_ / relative, std::ios::binary) << bytes;
  }
  fs::path root_;
};

TEST(ContentCoding, AcceptsACodingByNameOrStarUnlessItsWeightIsZero) {
  EXPECT_TRUE(acceptsCoding("gzip, deflate, br", "br"));
  EXPECT_TRUE(acceptsCoding("gzip, deflate, br", "gzip"));
  EXPECT_TRUE(acceptsCoding("x-gzip", "gzip"));
  EXPECT_TRUE(acceptsCoding("BR;q=0.5", "br"));
  EXPECT_TRUE(acceptsCoding("*", "br"));
  EXPECT_FALSE(acceptsCoding("br;q=0, *", "br")) << "named with weight 0 beats the star";
  EXPECT_FALSE(acceptsCoding("gzip", "br"));
  EXPECT_FALSE(acceptsCoding("", "gzip"));
  EXPECT_FALSE(acceptsCoding("*;q=0", "gzip"));
  EXPECT_FALSE(acceptsCoding("brotli", "br"));
}

TEST(WeightedList, FindsAMembersWeightByNameCaseAsideAndAmongItsParameters) {
  EXPECT_EQ(listedWeight("text/event-stream", "text/event-stream"), 1.0);
  EXPECT_EQ(listedWeight("TEXT/Event-Stream", "text/event-stream"), 1.0) << "media types are case-insensitive";
  EXPECT_EQ(listedWeight("application/json, text/event-stream;charset=utf-8;q=0.3", "text/event-stream"), 0.3);
  EXPECT_EQ(listedWeight("text/event-stream ; q=0", "text/event-stream"), 0.0);
  EXPECT_EQ(listedWeight("text/event-stream-ish, */*", "text/event-stream"), std::nullopt) << "names, not substrings";
  EXPECT_EQ(listedWeight("", "gzip"), std::nullopt);
}

TEST_F(StaticFilesTest, SendsTheBestPrecompressedCodingTheClientAccepts) {
  write("assets/app-1a2b.js", "console.log('livedata')");
  write("assets/app-1a2b.js.br", "BROTLI");
  write("assets/app-1a2b.js.gz", "GZIP");
  StaticFiles files(root_);
  const auto file = files.find("/assets/app-1a2b.js");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->contentType, "text/javascript; charset=utf-8");
  EXPECT_TRUE(file->immutable);
  EXPECT_EQ(file->representationFor("gzip, deflate, br").bytes, "BROTLI");
  EXPECT_EQ(file->representationFor("gzip, br;q=0").bytes, "GZIP");
  EXPECT_EQ(file->representationFor("identity").bytes, "console.log('livedata')");
  EXPECT_EQ(file->representationFor("").coding, "");

  const std::string identity = file->representationFor("").etag;
  const std::string brotli = file->representationFor("br").etag;
  const std::string gzip = file->representationFor("gzip").etag;
  EXPECT_NE(identity, brotli) << "each coding is a representation of its own";
  EXPECT_NE(identity, gzip);
  EXPECT_NE(brotli, gzip);
  EXPECT_EQ(identity.front(), '"') << "strong tags";
}

TEST_F(StaticFilesTest, WithoutPrecompressedFilesSendsTheFileAsItIs) {
  write("index.html", "<!doctype html>");
  StaticFiles files(root_);
  const auto page = files.find("/");
  ASSERT_TRUE(page) << "/ is index.html";
  EXPECT_FALSE(page->immutable) << "the entry page is revalidated";
  EXPECT_EQ(page->contentType, "text/html; charset=utf-8");
  EXPECT_EQ(page->representationFor("gzip, br").coding, "");
  EXPECT_EQ(page->representationFor("gzip, br").bytes, "<!doctype html>");
}

TEST_F(StaticFilesTest, ANewBuildIsServedWithoutARestart) {
  write("index.html", "first build");
  StaticFiles files(root_);
  ASSERT_EQ(files.find("/index.html")->identity.bytes, "first build");
  write("index.html", "the second build");
  // A file system with coarse timestamps may keep the time: the size changed too.
  EXPECT_EQ(files.find("/index.html")->identity.bytes, "the second build");
  fs::remove(root_ / "index.html");
  EXPECT_FALSE(files.find("/index.html"));
}

TEST_F(StaticFilesTest, FindsNothingOutsideTheFolderOrBesideTheFiles) {
  write("index.html", "page");
  write("index.html.gz", "GZIP");
  std::ofstream(root_.parent_path() / "livedata-static-secret.txt") << "secret";
  StaticFiles files(root_);
  EXPECT_FALSE(files.find("/../livedata-static-secret.txt"));
  EXPECT_FALSE(files.find("/assets/../../livedata-static-secret.txt"));
  EXPECT_FALSE(files.find("/./index.html"));
  EXPECT_FALSE(files.find("//index.html"));
  EXPECT_FALSE(files.find("index.html")) << "not a request path";
  EXPECT_FALSE(files.find("/index.html.gz")) << "a coding of a file, not a file";
  EXPECT_FALSE(files.find("/assets")) << "a folder";
  EXPECT_FALSE(files.find("/missing.js"));
  fs::remove(root_.parent_path() / "livedata-static-secret.txt");
}

TEST(StaticFileTypes, NameTheTypesBrowsersNeed) {
  EXPECT_EQ(contentTypeForFile("livedata-core-3f2a.wasm"), "application/wasm");
  EXPECT_EQ(contentTypeForFile("index-1.css"), "text/css; charset=utf-8");
  EXPECT_EQ(contentTypeForFile("logo.svg"), "image/svg+xml");
  EXPECT_EQ(contentTypeForFile("data.bin"), "application/octet-stream");
}

}  // namespace
}  // namespace livedata::server
