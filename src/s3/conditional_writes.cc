#include "s3/conditional_writes.h"

#include "base/encoding.h"
#include "s3/request_parsing.h"

namespace nimbus::s3 {

std::optional<storage::WriteCondition> write_condition(const http::Request& req, S3Error& err) {
  storage::WriteCondition c;
  if (const std::string* v = base::find_header(req.headers, "if-none-match")) {
    if (base::trim(*v) != "*") {
      err = s3_error(501, "NotImplemented",
                     "A header you provided implies functionality that is not implemented: If-None-Match on a write "
                     "accepts only *");
      return std::nullopt;
    }
    c.if_none_match = true;
  }
  if (const std::string* v = base::find_header(req.headers, "if-match")) {
    std::string etag = unquoted(base::trim(*v));
    if (etag.empty()) {
      err = s3_error(400, "InvalidArgument", "If-Match must name an ETag");
      return std::nullopt;
    }
    c.if_match = etag;
  }
  return c;
}

std::optional<S3Error> check_on_arrival(const storage::WriteCondition& c,
                                        const base::Result<storage::ObjectMeta>& current) {
  if (!c.any()) return std::nullopt;
  if (!current && current.error().reason != base::reason::kNoSuchKey) return to_s3_error(current.error());
  S3Error failed = s3_error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold");
  if (c.if_none_match && current) return failed;
  if (c.if_match) {
    if (!current) return s3_error(404, "NoSuchKey", "The specified key does not exist.");
    if (*c.if_match != "*" && base::to_lower(*c.if_match) != base::to_lower(current->etag)) return failed;
  }
  return std::nullopt;
}

S3Error commit_error(const base::Error& e) {
  if (e.reason == base::reason::kConditionFailed)
    return s3_error(409, "ConditionalRequestConflict",
                    "The conditional request cannot succeed due to a conflicting operation against this resource.");
  return to_s3_error(e);
}

}  // namespace nimbus::s3
