#include "lambda_api/code_location.h"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <filesystem>

#include "base/file.h"
#include "base/ids.h"

namespace nimbus::lambda_api {
namespace {

namespace fs = std::filesystem;
using Check = CodeLink::Check;

std::string target_of(const std::string& url) { return url.substr(url.find("/_nimbus/")); }

TEST(CodeLinkSigner, SignsFunctionRevisionAndExpiry) {
  std::string sig = code_link_signature("key", "f", "abc", 1000);
  EXPECT_EQ(sig.size(), 64u);
  EXPECT_EQ(sig, code_link_signature("key", "f", "abc", 1000));
  EXPECT_NE(sig, code_link_signature("other", "f", "abc", 1000));
  EXPECT_NE(sig, code_link_signature("key", "g", "abc", 1000));
  EXPECT_NE(sig, code_link_signature("key", "f", "abd", 1000));
  EXPECT_NE(sig, code_link_signature("key", "f", "abc", 1001));
  // The fields are separated: "f" + "1abc" is not "f1" + "abc".
  EXPECT_NE(code_link_signature("key", "f1", "abc", 5), code_link_signature("key", "f", "1abc", 5));
}

TEST(CodeLinkSigner, ChecksSignatureThenExpiry) {
  std::string sig = code_link_signature("key", "f", "abc", 1000);
  std::string target = "/_nimbus/code/f/abc?expires=1000&signature=" + sig;
  auto ok = check_code_link("key", target, 1000);
  EXPECT_EQ(ok.check, Check::kValid);
  EXPECT_EQ(ok.function, "f");
  EXPECT_EQ(ok.revision, "abc");
  EXPECT_EQ(check_code_link("key", target, 1001).check, Check::kExpired);
  EXPECT_EQ(check_code_link("other", target, 10).check, Check::kBadSignature);
  // A later expiry with the old signature is not a longer link.
  EXPECT_EQ(check_code_link("key", "/_nimbus/code/f/abc?expires=9999&signature=" + sig, 10).check,
            Check::kBadSignature);
  EXPECT_EQ(check_code_link("key", "/_nimbus/code/g/abc?expires=1000&signature=" + sig, 10).check,
            Check::kBadSignature);
  for (const char* bad : {"/_nimbus/code/f/abc", "/_nimbus/code/f/abc?expires=1000",
                          "/_nimbus/code/f/abc?signature=00", "/_nimbus/code/f?expires=1&signature=00",
                          "/_nimbus/code/../x?expires=1&signature=00", "/_nimbus/code/f/a/b?expires=1&signature=00",
                          "/_nimbus/code/f/abc?expires=1x&signature=00", "/elsewhere/f/abc?expires=1&signature=00"})
    EXPECT_EQ(check_code_link("key", bad, 0).check, Check::kMalformed) << bad;
}

class CodeLocationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("nimbus-codeloc-" + base::random_hex(6));
    fs::create_directories(dir_ / "functions" / "f");
  }
  void TearDown() override { fs::remove_all(dir_); }
  http::Response get(CodeLocations& c, const std::string& target) {
    http::Request req;
    req.method = "GET";
    req.target = target;
    boost::asio::io_context io;
    auto f = boost::asio::co_spawn(io, c.handle(req), boost::asio::use_future);
    io.run();
    return f.get();
  }
  static std::string body_of(http::Response& r) {
    if (!r.stream) return r.body;
    std::string out(r.stream->size(), '\0');
    size_t off = 0;
    while (off < out.size()) {
      auto n = r.stream->read(out.data() + off, std::min<size_t>(7, out.size() - off));  // in small pieces
      if (!n || *n == 0) break;
      off += *n;
    }
    return out.substr(0, off);
  }
  fs::path dir_;
  boost::asio::thread_pool pool_{1};
  int64_t now_ = 1'000'000;
};

TEST_F(CodeLocationsTest, ServesTheKeptZipUntilTheLinkExpires) {
  ASSERT_TRUE(base::write_file_durably((dir_ / "functions" / "f" / "rev1.zip").string(), "PK-the-zip").ok());
  CodeLocations c(dir_.string(), pool_, 600, "127.0.0.1:1", [this] { return now_; });
  functions::FunctionConfig cfg;
  cfg.name = "f";
  cfg.code_dir = (dir_ / "functions" / "f" / "rev1").string();
  std::string url = c.url("localhost:4566", cfg);
  EXPECT_EQ(url.rfind("http://localhost:4566/_nimbus/code/f/rev1?expires=1000600&signature=", 0), 0u) << url;
  EXPECT_EQ(c.url("", cfg).rfind("http://127.0.0.1:1/", 0), 0u);
  auto r = get(c, target_of(url));
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(body_of(r), "PK-the-zip");

  now_ += 601;
  auto expired = get(c, target_of(url));
  EXPECT_EQ(expired.status, 403);
  EXPECT_NE(expired.body.find("<Code>AccessDenied</Code><Message>Request has expired</Message>"), std::string::npos)
      << expired.body;
  auto tampered = target_of(url);
  tampered.back() = tampered.back() == '0' ? '1' : '0';
  auto bad = get(c, tampered);
  EXPECT_EQ(bad.status, 403);
  EXPECT_NE(bad.body.find("<Code>SignatureDoesNotMatch</Code>"), std::string::npos);
  EXPECT_EQ(get(c, "/_nimbus/code/f/rev1").status, 403);
}

TEST_F(CodeLocationsTest, ZipsAgainCodeWhoseZipWasNotKept) {
  fs::create_directories(dir_ / "functions" / "f" / "old");
  ASSERT_TRUE(base::write_file_durably((dir_ / "functions" / "f" / "old" / "bootstrap").string(), "#!/bin/sh\n").ok());
  CodeLocations c(dir_.string(), pool_, 600, "h", [this] { return now_; });
  functions::FunctionConfig cfg;
  cfg.name = "f";
  cfg.code_dir = (dir_ / "functions" / "f" / "old").string();
  auto r = get(c, target_of(c.url("h", cfg)));
  EXPECT_EQ(r.status, 200);
  std::string zip = body_of(r);
  EXPECT_EQ(zip.substr(0, 2), "PK");
  EXPECT_TRUE(fs::exists(dir_ / "functions" / "f" / "old.rezipped.zip"));
  auto again = get(c, target_of(c.url("h", cfg)));
  EXPECT_EQ(body_of(again), zip);  // the same bytes every time

  cfg.code_dir = (dir_ / "functions" / "f" / "gone").string();
  EXPECT_EQ(get(c, target_of(c.url("h", cfg))).status, 404);
}

}  // namespace
}  // namespace nimbus::lambda_api
