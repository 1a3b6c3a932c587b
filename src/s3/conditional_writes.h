// S3's conditional writes: If-None-Match: * and If-Match on PutObject,
// CopyObject (its destination), CompleteMultipartUpload and DeleteObject.
// The condition is checked twice: once when the request arrives (so a
// failing one answers 412 / 404 at once, before any body is read) and again
// by storage inside the write's transaction (so two racing writers cannot
// both pass). A check that passed on arrival but fails at commit lost a
// race: 409 ConditionalRequestConflict, as S3 answers. Pure functions.
#pragma once

#include <optional>

#include "base/result.h"
#include "http/message.h"
#include "s3/errors.h"
#include "storage/types.h"

namespace nimbus::s3 {

// The request's condition; nullopt with err set when it asks for what S3
// does not offer on writes (If-None-Match with an ETag, 501).
std::optional<storage::WriteCondition> write_condition(const http::Request& req, S3Error& err);

// Checks a condition against the key's current object as read on arrival
// (an error: the key has none). nullopt when it holds.
std::optional<S3Error> check_on_arrival(const storage::WriteCondition& c,
                                        const base::Result<storage::ObjectMeta>& current);

// The S3 error for a failed commit: a condition that no longer held is 409.
S3Error commit_error(const base::Error& e);

}  // namespace nimbus::s3
