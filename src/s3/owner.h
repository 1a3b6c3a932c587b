// The owner every bucket and object has: nimbus serves one account, whose
// canonical user id and display name S3's owner fields and ACLs carry.
#pragma once

namespace nimbus::s3 {

constexpr const char* kOwnerId = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";
constexpr const char* kOwnerName = "nimbus";

}  // namespace nimbus::s3
