// Receiving an object's bytes: streams the request body through SigV4
// payload verification (signed hash or aws-chunked with trailers) into a
// storage::DataWriter, and checks Content-MD5, x-amz-checksum-* (header or
// trailer) and the declared length before anything is committed.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <memory>

#include "s3/call.h"
#include "storage/data_files.h"

namespace nimbus::s3 {

// Returns the filled writer, or nullptr with err set. `upload_checksum` is a
// multipart upload's declared algorithm (parts must carry it), else "".
boost::asio::awaitable<std::unique_ptr<storage::DataWriter>> receive_body(Deps& d, Call& c, S3Error& err,
                                                                          const std::string& upload_checksum = "");

// A write's If-Match / If-None-Match (s3/conditional_writes.h), checked
// against the key's current object as the request arrives (412, or 404 for
// If-Match on no object); nullopt with err set when it fails. The store checks
// it again in the commit's transaction.
std::optional<storage::WriteCondition> arriving_write_condition(Deps& d, Call& c, S3Error& err);

// The x-amz-checksum-* header to echo in a PUT response, if one was computed.
void add_written_checksum(http::Response& r, const storage::DataWriter& w);

}  // namespace nimbus::s3
