#include "s3/acl.h"

#include <pugixml.hpp>
#include <sstream>

#include "base/encoding.h"
#include "s3/owner.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

constexpr std::string_view kPermissions[] = {"FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP"};
constexpr std::string_view kGroups[] = {kAllUsers, kAuthenticatedUsers, kLogDelivery};

Grant owner_grant(std::string permission = "FULL_CONTROL") {
  return Grant{Grant::Type::kCanonicalUser, kOwnerId, kOwnerName, std::move(permission)};
}

Grant group_grant(std::string_view uri, std::string permission) {
  return Grant{Grant::Type::kGroup, std::string(uri), "", std::move(permission)};
}

S3Error malformed_acl() {
  return s3_error(400, "MalformedACLError",
                  "The XML you provided was not well-formed or did not validate against our published schema");
}

bool known_permission(std::string_view p) {
  for (auto k : kPermissions)
    if (p == k) return true;
  return false;
}

bool known_group(std::string_view uri) {
  for (auto g : kGroups)
    if (uri == g) return true;
  return false;
}

// One grantee of an x-amz-grant-* header: id="...", uri="..." or emailAddress="...".
bool parse_grantee(std::string_view item, const std::string& permission, Acl& out, S3Error& err) {
  size_t eq = item.find('=');
  if (eq == std::string_view::npos) {
    err = s3_error(400, "InvalidArgument", "Invalid grantee in an x-amz-grant-* header: expected id=, uri= or emailAddress=");
    return false;
  }
  std::string type = base::to_lower(base::trim(item.substr(0, eq)));
  std::string_view value = base::trim(item.substr(eq + 1));
  if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
  if (value.empty()) {
    err = s3_error(400, "InvalidArgument", "Invalid grantee in an x-amz-grant-* header: the value is empty");
    return false;
  }
  if (type == "id") {
    out.grants.push_back({Grant::Type::kCanonicalUser, std::string(value), value == kOwnerId ? kOwnerName : "", permission});
  } else if (type == "uri") {
    if (!known_group(value)) {
      err = s3_error(400, "InvalidArgument", "Invalid group uri");
      return false;
    }
    out.grants.push_back(group_grant(value, permission));
  } else if (type == "emailaddress") {
    // S3 resolves an address to an account; nimbus has one account and no addresses.
    err = s3_error(400, "UnresolvableGrantByEmailAddress",
                   "The e-mail address you provided does not match any account on record.");
    return false;
  } else {
    err = s3_error(400, "InvalidArgument", "Invalid grantee type in an x-amz-grant-* header: " + type);
    return false;
  }
  return true;
}

constexpr std::pair<std::string_view, std::string_view> kGrantHeaders[] = {
    {"x-amz-grant-read", "READ"},           {"x-amz-grant-write", "WRITE"},
    {"x-amz-grant-read-acp", "READ_ACP"},   {"x-amz-grant-write-acp", "WRITE_ACP"},
    {"x-amz-grant-full-control", "FULL_CONTROL"}};

std::string xml_string(const pugi::xml_document& doc) {
  std::ostringstream out;
  doc.save(out, "", pugi::format_raw);
  return out.str();
}

pugi::xml_node new_root(pugi::xml_document& doc, const char* name) {
  auto decl = doc.append_child(pugi::node_declaration);
  decl.append_attribute("version") = "1.0";
  decl.append_attribute("encoding") = "UTF-8";
  auto root = doc.append_child(name);
  root.append_attribute("xmlns") = "http://s3.amazonaws.com/doc/2006-03-01/";
  return root;
}

// "true" / "false" as S3 reads a boolean element; anything else is malformed.
bool parse_bool(pugi::xml_node parent, const char* name, bool& out) {
  pugi::xml_node n = parent.child(name);
  if (!n) return true;
  std::string v = base::to_lower(base::trim(n.text().as_string()));
  if (v == "true") out = true;
  else if (v == "false") out = false;
  else return false;
  return true;
}

}  // namespace

bool Acl::is_public() const {
  for (const auto& g : grants)
    if (g.type == Grant::Type::kGroup && (g.id == kAllUsers || g.id == kAuthenticatedUsers)) return true;
  return false;
}

bool Acl::group_has(std::string_view group, std::string_view permission) const {
  for (const auto& g : grants)
    if (g.type == Grant::Type::kGroup && g.id == group && (g.permission == permission || g.permission == "FULL_CONTROL"))
      return true;
  return false;
}

bool Acl::owner_only() const {
  for (const auto& g : grants)
    if (g.type != Grant::Type::kCanonicalUser || g.id != kOwnerId || g.permission != "FULL_CONTROL") return false;
  return true;
}

Acl private_acl() { return Acl{{owner_grant()}}; }

std::optional<Acl> canned_acl(std::string_view name) {
  Acl acl = private_acl();
  if (name == "private" || name == "bucket-owner-full-control" || name == "bucket-owner-read") return acl;
  if (name == "public-read") {
    acl.grants.push_back(group_grant(kAllUsers, "READ"));
  } else if (name == "public-read-write") {
    acl.grants.push_back(group_grant(kAllUsers, "READ"));
    acl.grants.push_back(group_grant(kAllUsers, "WRITE"));
  } else if (name == "authenticated-read") {
    acl.grants.push_back(group_grant(kAuthenticatedUsers, "READ"));
  } else if (name == "log-delivery-write") {
    acl.grants.push_back(group_grant(kLogDelivery, "WRITE"));
    acl.grants.push_back(group_grant(kLogDelivery, "READ_ACP"));
  } else {
    return std::nullopt;
  }
  return acl;
}

bool has_acl_headers(const base::HeaderList& headers) {
  for (const auto& [k, v] : headers)
    if (k == "x-amz-acl" || k.rfind("x-amz-grant-", 0) == 0) return true;
  return false;
}

std::string canned_name(const base::HeaderList& headers) {
  const std::string* v = base::find_header(headers, "x-amz-acl");
  return v ? *v : std::string();
}

std::optional<Acl> acl_from_headers(const base::HeaderList& headers, S3Error& err) {
  err = {};
  const std::string* canned = base::find_header(headers, "x-amz-acl");
  bool grants = false;
  for (const auto& [k, v] : headers)
    if (k.rfind("x-amz-grant-", 0) == 0) {
      bool known = false;
      for (auto [h, p] : kGrantHeaders) known = known || k == h;
      if (!known) {
        err = s3_error(400, "InvalidArgument", "Unknown grant header: " + k);
        return std::nullopt;
      }
      grants = true;
    }
  if (canned && grants) {
    err = s3_error(400, "InvalidRequest", "Specifying both Canned ACLs and Header Grants is not allowed");
    return std::nullopt;
  }
  if (canned) {
    auto acl = canned_acl(base::trim(*canned));
    if (!acl) err = s3_error(400, "InvalidArgument", "Invalid canned ACL (x-amz-acl): " + *canned);
    return acl;
  }
  if (!grants) return std::nullopt;
  Acl acl;
  for (auto [header, permission] : kGrantHeaders)
    for (const auto& [k, v] : headers) {
      if (k != header) continue;
      std::string_view rest = v;
      while (!rest.empty()) {
        size_t comma = rest.find(',');
        std::string_view item = base::trim(rest.substr(0, comma));
        if (!item.empty() && !parse_grantee(item, std::string(permission), acl, err)) return std::nullopt;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    }
  if (acl.grants.size() > 100) {
    err = s3_error(400, "MalformedACLError", "An ACL may have at most 100 grants");
    return std::nullopt;
  }
  return acl;
}

std::optional<Acl> parse_access_control_policy(std::string_view body, S3Error& err) {
  auto parsed = parse_xml(body);
  if (!parsed) {
    err = malformed_acl();
    return std::nullopt;
  }
  pugi::xml_node root = (*parsed)->child("AccessControlPolicy");
  if (!root) {
    err = malformed_acl();
    return std::nullopt;
  }
  if (pugi::xml_node owner = root.child("Owner")) {
    std::string id(base::trim(owner.child("ID").text().as_string()));
    if (id.empty()) {
      err = malformed_acl();
      return std::nullopt;
    }
    if (id != kOwnerId) {
      err = s3_error(403, "AccessDenied", "Access Denied: the Owner must be the bucket's owner, " + std::string(kOwnerId));
      return std::nullopt;
    }
  }
  pugi::xml_node list = root.child("AccessControlList");
  if (!list) {
    err = malformed_acl();
    return std::nullopt;
  }
  Acl acl;
  for (pugi::xml_node g : list.children()) {
    if (std::string_view(g.name()) != "Grant") {
      err = malformed_acl();
      return std::nullopt;
    }
    pugi::xml_node grantee = g.child("Grantee");
    std::string permission(base::trim(g.child("Permission").text().as_string()));
    if (!grantee || !known_permission(permission)) {
      err = malformed_acl();
      return std::nullopt;
    }
    std::string type = grantee.attribute("xsi:type").as_string();
    if (type.empty()) type = grantee.attribute("type").as_string();
    if (type == "CanonicalUser") {
      std::string id(base::trim(grantee.child("ID").text().as_string()));
      if (id.empty() || id.size() > 256 || !base::is_valid_utf8(id)) {
        err = malformed_acl();
        return std::nullopt;
      }
      acl.grants.push_back({Grant::Type::kCanonicalUser, id, id == kOwnerId ? kOwnerName : "", permission});
    } else if (type == "Group") {
      std::string uri(base::trim(grantee.child("URI").text().as_string()));
      if (!known_group(uri)) {
        err = s3_error(400, "InvalidArgument", "Invalid group uri");
        return std::nullopt;
      }
      acl.grants.push_back(group_grant(uri, permission));
    } else if (type == "AmazonCustomerByEmail") {
      err = s3_error(400, "UnresolvableGrantByEmailAddress",
                     "The e-mail address you provided does not match any account on record.");
      return std::nullopt;
    } else {
      err = malformed_acl();
      return std::nullopt;
    }
  }
  if (acl.grants.size() > 100) {
    err = s3_error(400, "MalformedACLError", "An ACL may have at most 100 grants");
    return std::nullopt;
  }
  return acl;
}

std::string render_access_control_policy(const Acl& acl) {
  pugi::xml_document doc;
  pugi::xml_node root = new_root(doc, "AccessControlPolicy");
  pugi::xml_node owner = root.append_child("Owner");
  owner.append_child("ID").text().set(kOwnerId);
  owner.append_child("DisplayName").text().set(kOwnerName);
  pugi::xml_node list = root.append_child("AccessControlList");
  for (const auto& g : acl.grants) {
    pugi::xml_node grant = list.append_child("Grant");
    pugi::xml_node grantee = grant.append_child("Grantee");
    grantee.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
    if (g.type == Grant::Type::kCanonicalUser) {
      grantee.append_attribute("xsi:type") = "CanonicalUser";
      grantee.append_child("ID").text().set(g.id.c_str());
      if (!g.display_name.empty()) grantee.append_child("DisplayName").text().set(g.display_name.c_str());
    } else {
      grantee.append_attribute("xsi:type") = "Group";
      grantee.append_child("URI").text().set(g.id.c_str());
    }
    grant.append_child("Permission").text().set(g.permission.c_str());
  }
  return xml_string(doc);
}

std::optional<PublicAccessBlock> parse_public_access_block(std::string_view body, S3Error& err) {
  auto parsed = parse_xml(body);
  pugi::xml_node root = parsed ? (*parsed)->child("PublicAccessBlockConfiguration") : pugi::xml_node();
  PublicAccessBlock p;
  if (!root || !parse_bool(root, "BlockPublicAcls", p.block_public_acls) ||
      !parse_bool(root, "IgnorePublicAcls", p.ignore_public_acls) ||
      !parse_bool(root, "BlockPublicPolicy", p.block_public_policy) ||
      !parse_bool(root, "RestrictPublicBuckets", p.restrict_public_buckets)) {
    err = s3_error(400, "MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
    return std::nullopt;
  }
  for (pugi::xml_node n : root.children()) {
    std::string_view name = n.name();
    if (n.type() == pugi::node_element && name != "BlockPublicAcls" && name != "IgnorePublicAcls" &&
        name != "BlockPublicPolicy" && name != "RestrictPublicBuckets") {
      err = s3_error(400, "MalformedXML",
                     "The XML you provided was not well-formed or did not validate against our published schema");
      return std::nullopt;
    }
  }
  return p;
}

std::string render_public_access_block(const PublicAccessBlock& p) {
  pugi::xml_document doc;
  pugi::xml_node root = new_root(doc, "PublicAccessBlockConfiguration");
  auto b = [&](const char* name, bool v) { root.append_child(name).text().set(v ? "true" : "false"); };
  b("BlockPublicAcls", p.block_public_acls);
  b("IgnorePublicAcls", p.ignore_public_acls);
  b("BlockPublicPolicy", p.block_public_policy);
  b("RestrictPublicBuckets", p.restrict_public_buckets);
  return xml_string(doc);
}

bool valid_object_ownership(std::string_view v) {
  return v == "BucketOwnerEnforced" || v == "BucketOwnerPreferred" || v == "ObjectWriter";
}

std::optional<std::string> parse_ownership_controls(std::string_view body, S3Error& err) {
  auto parsed = parse_xml(body);
  pugi::xml_node root = parsed ? (*parsed)->child("OwnershipControls") : pugi::xml_node();
  int rules = 0;
  std::string value;
  if (root)
    for (pugi::xml_node r : root.children("Rule")) {
      ++rules;
      value = base::trim(r.child("ObjectOwnership").text().as_string());
    }
  if (!root || rules != 1) {
    err = s3_error(400, "MalformedXML",
                   "The XML you provided was not well-formed or did not validate against our published schema");
    return std::nullopt;
  }
  if (!valid_object_ownership(value)) {
    err = s3_error(400, "MalformedXML",
                   "ObjectOwnership must be BucketOwnerEnforced, BucketOwnerPreferred or ObjectWriter");
    return std::nullopt;
  }
  return value;
}

std::string render_ownership_controls(const std::string& ownership) {
  pugi::xml_document doc;
  pugi::xml_node root = new_root(doc, "OwnershipControls");
  root.append_child("Rule").append_child("ObjectOwnership").text().set(ownership.c_str());
  return xml_string(doc);
}

}  // namespace nimbus::s3
