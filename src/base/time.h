// Time formats of AWS protocols: RFC 1123 HTTP dates, ISO 8601 with
// milliseconds (S3 XML), and SigV4's basic format (20130524T000000Z).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace nimbus::base {

int64_t now_ms();                                   // wall clock, ms since epoch
int64_t now_us();                                   // wall clock, us since epoch
std::string http_date(int64_t ms);                  // "Wed, 21 Oct 2015 07:28:00 GMT"
std::string iso8601(int64_t ms);                    // "2015-10-21T07:28:00.000Z"
std::string amz_date(int64_t ms);                   // "20151021T072800Z"
std::optional<int64_t> parse_amz_date(std::string_view s);   // -> ms
std::optional<int64_t> parse_http_date(std::string_view s);  // RFC 1123 / RFC 850 / asctime / ISO 8601 -> ms

}  // namespace nimbus::base
