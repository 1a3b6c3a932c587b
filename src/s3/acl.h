// Access control lists and the bucket-level access documents beside them, as
// pure values: canned ACLs (x-amz-acl), x-amz-grant-* headers, the
// AccessControlPolicy XML both ways, PublicAccessBlockConfiguration and
// OwnershipControls. No store, no I/O: the operations (acl_ops.cc), the
// anonymous-access check (bucket_access.cc) and the fuzz targets call these.
// Every function is thread-safe (no shared state).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/headers.h"
#include "s3/errors.h"

namespace nimbus::s3 {

inline constexpr std::string_view kAllUsers = "http://acs.amazonaws.com/groups/global/AllUsers";
inline constexpr std::string_view kAuthenticatedUsers = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers";
inline constexpr std::string_view kLogDelivery = "http://acs.amazonaws.com/groups/s3/LogDelivery";

struct Grant {
  enum class Type { kCanonicalUser, kGroup };
  Type type = Type::kCanonicalUser;
  std::string id;            // kCanonicalUser: the canonical id; kGroup: the group's URI
  std::string display_name;  // kCanonicalUser, optional
  std::string permission;    // FULL_CONTROL, WRITE, WRITE_ACP, READ, READ_ACP
};

struct Acl {
  std::vector<Grant> grants;  // the owner is always nimbus's one account
  // A grant to AllUsers or AuthenticatedUsers (what BlockPublicAcls refuses).
  bool is_public() const;
  // Whether the group (kAllUsers, kAuthenticatedUsers) holds the permission (or FULL_CONTROL).
  bool group_has(std::string_view group, std::string_view permission) const;
  // Only the owner's FULL_CONTROL: what `private` and `bucket-owner-full-control` give.
  bool owner_only() const;
};

// The ACL a canned name gives; nullopt for a name S3 does not know.
std::optional<Acl> canned_acl(std::string_view name);
Acl private_acl();

// The ACL a request asks for with x-amz-acl or x-amz-grant-*; nullopt (err
// empty) when it asks for none; nullopt with err set when the headers are wrong.
std::optional<Acl> acl_from_headers(const base::HeaderList& headers, S3Error& err);
// Whether the request carries x-amz-acl or an x-amz-grant-* header.
bool has_acl_headers(const base::HeaderList& headers);
// The request's x-amz-acl, "" without one (for the BucketOwnerEnforced rule).
std::string canned_name(const base::HeaderList& headers);

// <AccessControlPolicy> in (MalformedACLError, InvalidArgument) and out.
std::optional<Acl> parse_access_control_policy(std::string_view body, S3Error& err);
std::string render_access_control_policy(const Acl& acl);

// <PublicAccessBlockConfiguration>; absent elements are false, as S3 reads them.
struct PublicAccessBlock {
  bool block_public_acls = false;
  bool ignore_public_acls = false;
  bool block_public_policy = false;
  bool restrict_public_buckets = false;
};
std::optional<PublicAccessBlock> parse_public_access_block(std::string_view body, S3Error& err);
std::string render_public_access_block(const PublicAccessBlock& p);

// <OwnershipControls><Rule><ObjectOwnership>: BucketOwnerEnforced,
// BucketOwnerPreferred or ObjectWriter.
bool valid_object_ownership(std::string_view v);
std::optional<std::string> parse_ownership_controls(std::string_view body, S3Error& err);
std::string render_ownership_controls(const std::string& ownership);

}  // namespace nimbus::s3
