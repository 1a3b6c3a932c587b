// SNS filter policies (patterns::FilterPolicy): the input is parsed as a
// policy in both scopes and matched against a few messages and against itself
// (when it is JSON).
#include <boost/json/parse.hpp>
#include <cstdint>

#include "patterns/filter_policy.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const boost::json::value kDocs[] = {
      boost::json::parse(R"({"store":"example_corp","event":"order_placed","tags":["a","b",3],"price":210.75})"),
      boost::json::parse(R"({"order":{"items":[{"sku":"a-1"},{"sku":null}],"total":-1e9},"ok":true})"),
      boost::json::parse("{}"),
  };
  boost::system::error_code ec;
  boost::json::value self = boost::json::parse(text, ec);
  for (auto scope : {patterns::Scope::kMessageAttributes, patterns::Scope::kMessageBody}) {
    auto p = patterns::FilterPolicy::parse(text, scope);
    if (!p) continue;
    for (const auto& d : kDocs) (void)p->matches(d);
    if (!ec) (void)p->matches(self);
  }
  return 0;
}
