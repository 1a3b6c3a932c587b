// Content filters (patterns::FilterPolicy) in their three grammars: SNS
// filter policies in both scopes, EventBridge event patterns and Lambda's
// FilterCriteria. The input is parsed as each and matched against a few
// documents and against itself (when it is JSON).
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
      boost::json::parse(R"({"ip":"10.0.0.7","v6":"2001:db8::1","path":"a/b*c\\d","n":5000000000})"),
  };
  boost::system::error_code ec;
  boost::json::value self = boost::json::parse(text, ec);
  static const patterns::Grammar kEventBridge = patterns::Grammar::eventbridge();
  static const patterns::Grammar kLambda = patterns::Grammar::lambda_filter_criteria(4096);
  static const patterns::Grammar kSns = patterns::Grammar::sns();
  struct Case {
    patterns::Scope scope;
    const patterns::Grammar* grammar;
  };
  for (auto c : {Case{patterns::Scope::kMessageAttributes, &kSns}, Case{patterns::Scope::kMessageBody, &kSns},
                 Case{patterns::Scope::kMessageBody, &kEventBridge}, Case{patterns::Scope::kMessageBody, &kLambda}}) {
    auto p = patterns::FilterPolicy::parse(text, c.scope, *c.grammar);
    if (!p) continue;
    for (const auto& d : kDocs) (void)p->matches(d);
    if (!ec) (void)p->matches(self);
  }
  return 0;
}
