// The tail every Put/Delete of a bucket configuration document shares (CORS,
// encryption, lifecycle, tagging, policy, ownership controls, public access
// block): the setting written or deleted on the blocking pool, the bucket's
// cached access documents dropped (some of them are these settings; for the
// others a reload is cheap), then the answer. Parsing and validation stay
// with each operation. Coroutines on the io threads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "s3/call.h"

namespace nimbus::s3 {

// Stores document as the bucket setting name (nullopt deletes it); answers
// status, or the store's error (NoSuchBucket for a missing bucket).
boost::asio::awaitable<http::Response> write_bucket_setting(Deps& d, Call& c, std::string name,
                                                            std::optional<std::string> document, int status = 200);

// Delete*: removes the setting and answers 204, as S3 does (also when there was none).
boost::asio::awaitable<http::Response> delete_bucket_setting(Deps& d, Call& c, std::string name);

}  // namespace nimbus::s3
