// x-amz-copy-source parsing and the checks CopyObject and UploadPartCopy
// share: the source exists and its copy-source conditions hold.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>

#include "s3/call.h"

namespace nimbus::s3 {

struct ResolvedSource {
  storage::CopySource source;
  storage::ObjectMeta meta;
};

// Parses and checks the copy source; nullopt with err set on failure.
boost::asio::awaitable<std::optional<ResolvedSource>> resolve_copy_source(Deps& d, Call& c, S3Error& err);

}  // namespace nimbus::s3
