// botocore (Debian's python3-botocore) as an independent oracle: requests it
// signs, with awkward paths, queries and headers, must verify here.
#include <gtest/gtest.h>

#include <array>
#include <boost/json.hpp>
#include <cstdio>
#include <memory>
#include <string>

#include "auth/sigv4.h"
#include "base/time.h"

namespace nimbus::auth {
namespace {

std::string run_oracle() {
  std::string script = std::string(std::getenv("NIMBUS_SOURCE_DIR") ? std::getenv("NIMBUS_SOURCE_DIR") : ".") +
                       "/src/auth/testdata/botocore_sign.py";
  std::string cmd = "/usr/bin/python3 " + script + " 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
  std::string out;
  std::array<char, 4096> buf;
  while (pipe && fgets(buf.data(), buf.size(), pipe.get())) out += buf.data();
  return out;
}

TEST(SigV4Botocore, VerifiesWhatBotocoreSigns) {
  std::string out = run_oracle();
  if (out.find("No module named 'botocore'") != std::string::npos) GTEST_SKIP() << "python3-botocore missing";
  CredentialStore keys;
  keys.add("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
  size_t start = 0, cases = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    std::string line = out.substr(start, nl - start);
    start = nl == std::string::npos ? out.size() : nl + 1;
    if (line.empty()) continue;
    boost::system::error_code ec;
    auto v = boost::json::parse(line, ec);
    ASSERT_FALSE(ec) << "oracle printed: " << line;
    auto& o = v.as_object();
    HeaderList headers;
    for (auto& h : o["headers"].as_array())
      headers.emplace_back(std::string(h.as_array()[0].as_string()), std::string(h.as_array()[1].as_string()));
    std::string method(o["method"].as_string()), target(o["target"].as_string());
    std::string body_sha(o["body_sha256"].as_string());
    bool lambda = o["service"].as_string() == "lambda";
    int64_t now = *base::parse_amz_date(std::string(o["amz_date"].as_string()));
    RequestView req{method, target, &headers, body_sha};
    VerifyOptions opts;
    opts.double_encode_path = lambda;
    auto r = verify(req, keys, now, opts);
    EXPECT_TRUE(r.ok()) << method << " " << target << ": " << (r.ok() ? "" : r.error().message);
    // Any change to the signed request must break it.
    std::string tampered = target + (target.find('?') == std::string::npos ? "?x=1" : "&x=1");
    RequestView bad{method, tampered, &headers, body_sha};
    EXPECT_FALSE(verify(bad, keys, now, opts).ok()) << tampered;
    ++cases;
  }
  EXPECT_EQ(cases, 8u);
}

}  // namespace
}  // namespace nimbus::auth
