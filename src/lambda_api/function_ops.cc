// Functions: CreateFunction, ListFunctions, GetFunction(Configuration),
// UpdateFunctionConfiguration, UpdateFunctionCode, DeleteFunction.
#include <algorithm>
#include <boost/json.hpp>
#include <cstdlib>
#include <limits>
#include <regex>

#include "base/encoding.h"
#include "lambda_api/call.h"
#include "lambda_api/code_location.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

std::string text_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

bool bool_of(const json::object& o, const char* key) {
  auto* v = o.if_contains(key);
  return v && v->is_bool() && v->as_bool();
}

// Where a body's code comes from: S3Bucket/S3Key packages may be larger zipped (Lambda's 50 MB is for uploads).
functions::Registry::Origin origin_of(const json::object& code) {
  return code.if_contains("ZipFile") ? functions::Registry::Origin::kUpload
                                     : functions::Registry::Origin::kObjectStore;
}

// The code package from a body's ZipFile (base64) or S3Bucket/S3Key.
base::Result<std::string> code_from(const Options& options, const json::object& code) {
  for (const char* field : {"S3ObjectVersion", "ImageUri", "SourceKMSKeyArn"})
    if (auto* v = code.if_contains(field); v && v->is_string() && !v->as_string().empty())
      return invalid(std::string(field) + " is not supported by nimbus yet" +
                     (std::string(field) == "S3ObjectVersion" ? ": the code is read from the object's current version"
                                                              : ""));
  if (auto* z = code.if_contains("ZipFile"); z && z->is_string()) {
    auto bytes = base::base64_decode(std::string(z->as_string()));
    if (!bytes) return invalid("Could not unzip uploaded file. Please check your file, then try to upload again.");
    return *bytes;
  }
  auto* b = code.if_contains("S3Bucket");
  auto* k = code.if_contains("S3Key");
  if (b && k && b->is_string() && k->is_string()) {
    if (!options.read_object) return invalid("S3 code locations are not available");
    auto data = options.read_object(std::string(b->as_string()), std::string(k->as_string()));
    if (!data)
      return invalid("Error occurred while GetObject. S3 Error Code: NoSuchKey. S3 Error Message: " +
                     data.error().message);
    return *data;
  }
  return invalid("Please provide a source for function code (ZipFile, or S3Bucket and S3Key).");
}

}  // namespace

awaitable<http::Response> create_function(Deps& d, Call& call) {
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  functions::FunctionConfig c;
  if (auto* n = in->if_contains("FunctionName"); n && n->is_string()) c.name = std::string(n->as_string());
  auto ref = parse_ref(c.name);
  if (!ref) co_return call.fail(ref.error());
  c.name = ref->name;
  if (auto s = apply_config(*in, c); !s) co_return call.fail(s.error());
  if (auto* v = in->if_contains("Publish"); v && !v->is_bool() && !v->is_null())
    co_return call.fail(invalid("Publish must be a boolean"));
  auto tags = parse_tags(*in);
  if (!tags) co_return call.fail(tags.error());
  auto* code = in->if_contains("Code");
  if (!code || !code->is_object()) co_return call.fail(invalid("Code is required"));
  // Reading the package (from the object store) and unpacking it are disk work.
  auto created = co_await d.on_pool([&]() -> base::Result<functions::FunctionConfig> {
    if (auto s = check_target(d.options, c.dead_letter_target); !s) return s.error();
    auto zip = code_from(d.options, code->as_object());
    if (!zip) return zip.error();
    return d.registry.create(c, *zip, *tags, origin_of(code->as_object()));
  });
  if (!created) co_return call.fail(created.error());
  d.invocations.prepare(*created);
  // Publish: version 1 is made at once, and the answer is its configuration, as on Lambda.
  if (bool_of(*in, "Publish")) {
    auto v = co_await d.on_pool([&] { return d.registry.publish_version(created->name, ""); });
    if (!v) co_return call.fail(v.error());
    co_return call.reply(201, configuration_json(*v, d.options.region));
  }
  co_return call.reply(201, configuration_json(*created, d.options.region));
}

awaitable<http::Response> list_functions(Deps& d, Call& call) {
  auto validation = [](std::string message) {
    return base::make_error(base::ErrorCode::kInvalidArgument, "1 validation error detected: " + std::move(message),
                            "ValidationException");
  };
  // FunctionVersion=ALL lists every published version after each function's $LATEST.
  std::string function_version = call.query_param("FunctionVersion");
  bool all_versions = function_version == "ALL";
  if (!function_version.empty() && !all_versions)
    co_return call.fail(validation("Value '" + function_version +
                                   "' at 'functionVersion' failed to satisfy constraint: Member must satisfy enum "
                                   "value set: [ALL]"));
  // MasterRegion selects Lambda@Edge replicas of functions in that region;
  // nimbus makes no replicas, so the filter matches nothing.
  std::string master_region = call.query_param("MasterRegion");
  if (!master_region.empty()) {
    static const std::regex kRegion(R"(ALL|[a-z]{2}(-gov)?-[a-z]+-\d{1})");
    if (!std::regex_match(master_region, kRegion))
      co_return call.fail(validation("Value '" + master_region +
                                     "' at 'masterRegion' failed to satisfy constraint: Member must satisfy regular "
                                     "expression pattern: ALL|[a-z]{2}(-gov)?-[a-z]+-\\d{1}"));
    if (!all_versions)
      co_return call.fail(ErrorType::kInvalidParameterValue, "FunctionVersion must be ALL when MasterRegion is set");
  }
  auto max = max_items(call.query_param("MaxItems"), 50);
  if (!max) co_return call.fail(max.error());
  // The marker is the last entry sent: its name, and with ALL "name:version".
  std::string marker = call.query_param("Marker");
  std::string marker_name = marker.substr(0, marker.find(':'));
  int64_t marker_rank = std::numeric_limits<int64_t>::max();  // a bare name: all its versions were sent
  if (auto colon = marker.find(':'); colon != std::string::npos) {
    auto rank = version_rank(std::string_view(marker).substr(colon + 1));
    if (!rank) co_return call.fail(ErrorType::kInvalidParameterValue, "Invalid Marker: " + marker);
    marker_rank = *rank;
  }
  auto entries = co_await d.on_pool([&] {
    std::vector<functions::FunctionConfig> out;
    if (!master_region.empty()) return out;
    for (auto& c : d.registry.list()) {
      if (!all_versions) {
        out.push_back(std::move(c));
        continue;
      }
      auto versions = d.registry.list_versions(c.name);  // $LATEST first; gone if deleted meanwhile
      if (versions) out.insert(out.end(), versions->begin(), versions->end());
    }
    return out;
  });
  auto after_marker = [&](const functions::FunctionConfig& c) {
    if (marker.empty() || c.name > marker_name) return true;
    return c.name == marker_name && version_rank(c.version).value_or(0) > marker_rank;
  };
  json::array fns;
  std::string next;
  for (const auto& c : entries) {
    if (!after_marker(c)) continue;
    if (fns.size() == *max) {
      const auto& last = fns.back().as_object();
      next = std::string(last.at("FunctionName").as_string());
      if (all_versions) next += ":" + std::string(last.at("Version").as_string());
      break;
    }
    fns.push_back(configuration_json(c, d.options.region));
  }
  json::object out{{"Functions", fns}};
  if (!next.empty()) out["NextMarker"] = next;
  co_return call.reply(200, out);
}

awaitable<http::Response> get_function(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto c = d.registry.resolve(ref->name, ref->qualifier);
  if (!c) co_return call.fail(c.error());
  // The qualifier's own package: a version keeps the code it was published with.
  std::string location = d.options.code_locations ? d.options.code_locations->url(call.req.header("host"), *c) : "";
  json::object out{{"Configuration", configuration_json(*c, d.options.region)},
                   {"Code", json::object{{"RepositoryType", "S3"}, {"Location", location}}}};
  if (c->reserved_concurrency)
    out["Concurrency"] = json::object{{"ReservedConcurrentExecutions", *c->reserved_concurrency}};
  // Tags belong to the function: Lambda answers them for an unqualified name only.
  if (ref->qualifier.empty())
    if (auto tags = d.registry.tags(ref->name); tags && !tags->empty()) {
      json::object t;
      for (const auto& [k, v] : *tags) t[k] = v;
      out["Tags"] = std::move(t);
    }
  co_return call.reply(200, out);
}

awaitable<http::Response> get_function_configuration(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto c = d.registry.resolve(ref->name, ref->qualifier);
  if (!c) co_return call.fail(c.error());
  co_return call.reply(200, configuration_json(*c, d.options.region));
}

awaitable<http::Response> update_function_configuration(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  std::string revision = text_of(*in, "RevisionId");
  auto updated = co_await d.on_pool([&]() -> base::Result<functions::FunctionConfig> {
    auto c = d.registry.get(ref->name);
    if (!c) return c.error();
    // Architectures belong to the code (UpdateFunctionCode), as on Lambda.
    if (in->if_contains("Architectures")) return invalid("Architectures is set with UpdateFunctionCode");
    std::string dead_letter_target = c->dead_letter_target;
    if (auto s = apply_config(*in, *c); !s) return s.error();
    if (c->dead_letter_target != dead_letter_target)
      if (auto s = check_target(d.options, c->dead_letter_target); !s) return s.error();
    return d.registry.update_config(*c, revision);
  });
  if (!updated) co_return call.fail(updated.error());
  d.invocations.retire(ref->name);
  d.invocations.prepare(*updated);
  co_return call.reply(200, configuration_json(*updated, d.options.region));
}

awaitable<http::Response> update_function_code(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  std::string revision = text_of(*in, "RevisionId");
  bool dry_run = bool_of(*in, "DryRun");
  auto updated = co_await d.on_pool([&]() -> base::Result<functions::FunctionConfig> {
    auto current = d.registry.get(ref->name);
    if (!current) return current.error();
    functions::FunctionConfig next = *current;
    if (auto s = apply_architectures(*in, next); !s) return s.error();
    auto zip = code_from(d.options, *in);
    if (!zip) return zip.error();
    // DryRun: the request is checked (function, code source, architectures), nothing changes.
    if (dry_run) return *current;
    if (next.architectures != current->architectures) {
      auto arch = d.registry.update_config(next, revision);
      if (!arch) return arch.error();
      revision = arch->revision_id;
    }
    return d.registry.update_code(ref->name, *zip, revision, origin_of(*in));
  });
  if (!updated) co_return call.fail(updated.error());
  if (dry_run) co_return call.reply(200, configuration_json(*updated, d.options.region));
  d.invocations.retire(ref->name);
  if (bool_of(*in, "Publish")) {
    auto v = co_await d.on_pool([&] { return d.registry.publish_version(ref->name, "", updated->revision_id); });
    if (!v) co_return call.fail(v.error());
    co_return call.reply(200, configuration_json(*v, d.options.region));
  }
  co_return call.reply(200, configuration_json(*updated, d.options.region));
}

awaitable<http::Response> delete_function(Deps& d, Call& call) {
  auto ref = call.qualified_function();
  if (!ref) co_return call.fail(ref.error());
  // With a qualifier only that version goes (never the function: issue 12's data loss).
  bool one_version = !ref->qualifier.empty();
  bool had_provisioned = one_version && d.registry.get_provisioned(ref->name, ref->qualifier).ok();
  auto s = co_await d.on_pool([&] {
    return one_version ? d.registry.remove_version(ref->name, ref->qualifier) : d.registry.remove(ref->name);
  });
  if (!s) co_return call.fail(s.error());
  if (had_provisioned) d.invocations.provision(ref->name, ref->qualifier, 0);
  // Instances of the deleted version must not serve again; retire drops the function's idle ones.
  d.invocations.retire(ref->name);
  co_return call.reply(204, json::object{});
}

}  // namespace nimbus::lambda_api
