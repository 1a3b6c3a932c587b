// The account's API keys and usage plans (REST APIs): CreateApiKey (a given
// value or a generated one), GetApiKeys (includeValues), GetApiKey,
// UpdateApiKey, DeleteApiKey; CreateUsagePlan (apiStages, throttle, quota),
// GetUsagePlans, GetUsagePlan, UpdateUsagePlan, DeleteUsagePlan; usage plan keys.
#include <boost/json/array.hpp>

#include "apigateway_api/v1.h"
#include "base/ids.h"
#include "base/time.h"

namespace nimbus::apigateway_api::v1 {

using boost::asio::awaitable;

namespace {

std::string text_of(const json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

// A key as listed: its value only when asked for.
json::object shown_key(const Doc& key, bool with_value) {
  json::object out = key;
  if (!with_value) out.erase("value");
  return out;
}

std::string generated_key_value() {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string bytes = base::random_bytes(40), out;
  for (unsigned char b : bytes) out += kAlphabet[b % 62];
  return out;
}

// throttle {burstLimit, rateLimit} and quota {limit, offset, period}.
base::Status check_plan(const json::object& p) {
  if (auto s = require(p, "name"); !s) return s;
  if (const auto* t = p.if_contains("throttle")) {
    for (const auto& [k, v] : t->as_object()) {
      if (k != "burstLimit" && k != "rateLimit")
        return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support throttle." + std::string(k) + " yet");
      if (!v.is_number() || v.to_number<double>() < 0) return bad_request("throttle." + std::string(k) + " must be a number >= 0");
    }
  }
  if (const auto* q = p.if_contains("quota")) {
    json::object checked;
    if (auto s = take_members(q->as_object(),
                              {{"limit", JsonType::kInt}, {"offset", JsonType::kInt}, {"period", JsonType::kString}},
                              checked, "a quota");
        !s)
      return s;
    std::string period = text_of(checked, "period");
    if (period != "DAY" && period != "WEEK" && period != "MONTH")
      return bad_request("Invalid quota period " + period + " (DAY, WEEK or MONTH)");
    if (!checked.contains("limit") || checked.at("limit").to_number<int64_t>() < 0)
      return bad_request("A quota needs a limit >= 0");
    if (checked.contains("offset") && checked.at("offset").to_number<int64_t>() != 0)
      return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support quota offsets yet");
  }
  if (const auto* stages = p.if_contains("apiStages"))
    for (const auto& s : stages->as_array()) {
      if (!s.is_object()) return bad_request("apiStages holds {apiId, stage} objects");
      json::object checked;
      if (auto st = take_members(s.as_object(),
                                 {{"apiId", JsonType::kString}, {"stage", JsonType::kString}, {"throttle", JsonType::kObject}},
                                 checked, "an API stage of a usage plan");
          !st)
        return st;
      if (checked.contains("throttle"))
        return base::make_error(base::ErrorCode::kNotImplemented,
                                "nimbus does not support per-method throttles in a usage plan's apiStages yet");
    }
  return {};
}

base::Status check_stages_exist(const Snapshot& s, const json::object& plan) {
  if (const auto* stages = plan.if_contains("apiStages"))
    for (const auto& st : stages->as_array()) {
      std::string api = text_of(st.as_object(), "apiId"), stage = text_of(st.as_object(), "stage");
      if (!s.find(api, kRestApi, api)) return bad_request("Invalid API identifier specified " + api);
      if (!s.find(api, kStage, stage))
        return bad_request("Invalid stage identifier specified: " + api + "/" + stage);
    }
  return {};
}

}  // namespace

awaitable<http::Response> create_api_key(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object doc;
  if (auto s = take_members(*in,
                            {{"name", JsonType::kString},
                             {"description", JsonType::kString},
                             {"enabled", JsonType::kBool},
                             {"value", JsonType::kString},
                             {"customerId", JsonType::kString},
                             {"generateDistinctId", JsonType::kBool},
                             {"tags", JsonType::kStringMap}},
                            doc, "an API key");
      !s)
    co_return call.fail(s.error());
  if (doc.contains("value") && doc["value"].as_string().size() < 20)
    co_return call.fail(bad_request("API Key value should be at least 20 characters"));
  doc.erase("generateDistinctId");  // ids are always distinct here
  std::string id = gateway::new_id(10);
  int64_t now = base::now_ms() / 1000;
  doc["id"] = id;
  if (!doc.contains("value")) doc["value"] = generated_key_value();
  if (!doc.contains("enabled")) doc["enabled"] = false;
  if (!doc.contains("name")) doc["name"] = id;
  doc["createdDate"] = now;
  doc["lastUpdatedDate"] = now;
  doc["stageKeys"] = json::array{};
  if (!doc.contains("tags")) doc["tags"] = json::object{};
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    for (const auto& [kid, k] : current.list("", kApiKey))
      if (k->at("value") == doc["value"])
        return base::Status(base::make_error(base::ErrorCode::kConflict, "API Key already exists"));
    changes.push_back(Change::put("", kApiKey, id, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_api_keys(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  bool values = call.query_param("includeValues") == "true";
  std::string name = call.query_param("name"), customer = call.query_param("customerId");
  json::array items;
  for (const auto& [id, k] : snap->list("", kApiKey)) {
    if (!name.empty() && text_of(*k, "name").rfind(name, 0) != 0) continue;
    if (!customer.empty() && text_of(*k, "customerId") != customer) continue;
    items.push_back(shown_key(*k, values));
  }
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_api_key(Deps& d, Call& call) {
  auto k = find_in(*d.docs.snapshot(), "", kApiKey, call.path_param("api_Key"), "API Key");
  if (!k) co_return call.fail(k.error());
  co_return call.reply(200, shown_key(**k, call.query_param("includeValue") == "true"));
}

awaitable<http::Response> update_api_key(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string id = call.path_param("api_Key");
  Doc updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto k = find_in(current, "", kApiKey, id, "API Key");
    if (!k) return base::Status(k.error());
    updated = **k;
    for (const auto& op : *ops) {
      auto seg = patch_segments(op.path);
      if (op.op != "replace" || seg.size() != 1 ||
          (seg[0] != "enabled" && seg[0] != "name" && seg[0] != "description" && seg[0] != "customerId"))
        return base::Status(unsupported_patch(op, "an API key"));
      if (seg[0] == "enabled") {
        auto b = patch_bool(op);
        if (!b) return base::Status(b.error());
        updated["enabled"] = *b;
      } else {
        updated[seg[0]] = op.value;
      }
    }
    updated["lastUpdatedDate"] = base::now_ms() / 1000;
    changes.push_back(Change::put("", kApiKey, id, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, shown_key(updated, false));
}

awaitable<http::Response> delete_api_key(Deps& d, Call& call) {
  std::string id = call.path_param("api_Key");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto k = find_in(current, "", kApiKey, id, "API Key"); !k) return base::Status(k.error());
    changes.push_back(Change::erase("", kApiKey, id));
    for (const auto& [pk, doc] : current.list("", kUsagePlanKey))
      if (pk.ends_with("/" + id)) changes.push_back(Change::erase("", kUsagePlanKey, pk));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

// --- usage plans --------------------------------------------------------------

awaitable<http::Response> create_usage_plan(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object doc;
  if (auto s = take_members(*in,
                            {{"name", JsonType::kString},
                             {"description", JsonType::kString},
                             {"apiStages", JsonType::kArray},
                             {"throttle", JsonType::kObject},
                             {"quota", JsonType::kObject},
                             {"tags", JsonType::kStringMap}},
                            doc, "a usage plan");
      !s)
    co_return call.fail(s.error());
  if (auto s = check_plan(doc); !s) co_return call.fail(s.error());
  std::string id = gateway::new_id(6);
  doc["id"] = id;
  if (!doc.contains("apiStages")) doc["apiStages"] = json::array{};
  if (!doc.contains("tags")) doc["tags"] = json::object{};
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto s = check_stages_exist(current, doc); !s) return s;
    changes.push_back(Change::put("", kUsagePlan, id, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_usage_plans(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string key = call.query_param("keyId");
  json::array items;
  for (const auto& [id, p] : snap->list("", kUsagePlan))
    if (key.empty() || snap->find("", kUsagePlanKey, id + "/" + key)) items.push_back(*p);
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

awaitable<http::Response> get_usage_plan(Deps& d, Call& call) {
  auto p = find_in(*d.docs.snapshot(), "", kUsagePlan, call.path_param("usageplanId"), "Usage Plan ID");
  if (!p) co_return call.fail(p.error());
  co_return call.reply(200, **p);
}

awaitable<http::Response> update_usage_plan(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  auto ops = patch_ops(*in);
  if (!ops) co_return call.fail(ops.error());
  std::string id = call.path_param("usageplanId");
  Doc updated;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    auto p = find_in(current, "", kUsagePlan, id, "Usage Plan ID");
    if (!p) return base::Status(p.error());
    updated = **p;
    for (const auto& op : *ops) {
      auto seg = patch_segments(op.path);
      if (seg.size() == 1 && (seg[0] == "name" || seg[0] == "description") && op.op == "replace") {
        updated[seg[0]] = op.value;
      } else if (seg.size() == 1 && seg[0] == "apiStages" && (op.op == "add" || op.op == "remove")) {
        // value "apiId:stage"
        size_t colon = op.value.find(':');
        if (colon == std::string::npos) return base::Status(bad_request("Invalid API stage " + op.value + " (apiId:stage)"));
        json::object st{{"apiId", op.value.substr(0, colon)}, {"stage", op.value.substr(colon + 1)}};
        json::array kept;
        for (const auto& s : updated["apiStages"].as_array())
          if (s != json::value(st)) kept.push_back(s);
        if (op.op == "add") kept.push_back(st);
        updated["apiStages"] = std::move(kept);
      } else if (seg.size() == 2 && seg[0] == "throttle" && (seg[1] == "rateLimit" || seg[1] == "burstLimit")) {
        if (op.op == "remove") {
          if (auto* t = updated.if_contains("throttle")) t->as_object().erase(seg[1]);
        } else {
          auto n = patch_number(op);
          if (!n) return base::Status(n.error());
          auto& t = updated["throttle"];
          if (!t.is_object()) t = json::object{};
          if (seg[1] == "rateLimit") t.as_object()["rateLimit"] = *n;
          else t.as_object()["burstLimit"] = static_cast<int64_t>(*n);
        }
      } else if (seg.size() == 2 && seg[0] == "quota" && (seg[1] == "limit" || seg[1] == "period")) {
        auto& q = updated["quota"];
        if (!q.is_object()) q = json::object{{"limit", 0}, {"offset", 0}, {"period", "DAY"}};
        if (seg[1] == "limit") {
          auto n = patch_number(op);
          if (!n) return base::Status(n.error());
          q.as_object()["limit"] = static_cast<int64_t>(*n);
        } else {
          q.as_object()["period"] = op.value;
        }
      } else if (seg.size() == 2 && seg[0] == "quota" && seg[1] == "offset" && op.op == "replace") {
        // Terraform's aws_api_gateway_usage_plan sends the offset with every quota change.
        auto n = patch_number(op);
        if (!n) return base::Status(n.error());
        if (*n != 0)
          return base::Status(base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support quota offsets yet"));
        auto& q = updated["quota"];
        if (!q.is_object()) q = json::object{{"limit", 0}, {"offset", 0}, {"period", "DAY"}};
        q.as_object()["offset"] = 0;
      } else if (seg.size() == 1 && (seg[0] == "quota" || seg[0] == "throttle") && op.op == "remove") {
        updated.erase(seg[0]);
      } else {
        return base::Status(unsupported_patch(op, "a usage plan"));
      }
    }
    if (auto s = check_plan(updated); !s) return s;
    if (auto s = check_stages_exist(current, updated); !s) return s;
    changes.push_back(Change::put("", kUsagePlan, id, updated));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(200, updated);
}

awaitable<http::Response> delete_usage_plan(Deps& d, Call& call) {
  std::string id = call.path_param("usageplanId");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto p = find_in(current, "", kUsagePlan, id, "Usage Plan ID"); !p) return base::Status(p.error());
    changes.push_back(Change::erase("", kUsagePlan, id));
    for (const auto& [pk, doc] : current.list("", kUsagePlanKey))
      if (pk.rfind(id + "/", 0) == 0) changes.push_back(Change::erase("", kUsagePlanKey, pk));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

awaitable<http::Response> create_usage_plan_key(Deps& d, Call& call) {
  auto in = call.json_body();
  if (!in) co_return call.fail(in.error());
  json::object f;
  if (auto s = take_members(*in, {{"keyId", JsonType::kString}, {"keyType", JsonType::kString}}, f, "a usage plan key"); !s)
    co_return call.fail(s.error());
  if (text_of(f, "keyType") != "API_KEY") co_return call.fail(bad_request("Invalid keyType: API_KEY"));
  std::string plan = call.path_param("usageplanId"), key = text_of(f, "keyId");
  Doc doc;
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (auto p = find_in(current, "", kUsagePlan, plan, "Usage Plan ID"); !p) return base::Status(p.error());
    auto k = find_in(current, "", kApiKey, key, "API Key");
    if (!k) return base::Status(k.error());
    if (current.find("", kUsagePlanKey, plan + "/" + key))
      return base::Status(base::make_error(base::ErrorCode::kConflict, "Usage Plan " + plan + " cannot be added because API Key " + key + " cannot reference multiple Usage Plans with the same API Stage"));
    doc = Doc{{"id", key}, {"type", "API_KEY"}, {"name", (*k)->at("name")}, {"value", (*k)->at("value")}};
    changes.push_back(Change::put("", kUsagePlanKey, plan + "/" + key, doc));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(201, doc);
}

awaitable<http::Response> get_usage_plan_keys(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string plan = call.path_param("usageplanId");
  if (auto p = find_in(*snap, "", kUsagePlan, plan, "Usage Plan ID"); !p) co_return call.fail(p.error());
  json::array items;
  for (const auto& [pk, doc] : snap->list("", kUsagePlanKey))
    if (pk.rfind(plan + "/", 0) == 0) items.push_back(*doc);
  auto page = page_of(call, std::move(items), Paging::kV1);
  if (!page) co_return call.fail(page.error());
  co_return call.reply(200, *page);
}

// Terraform's aws_api_gateway_usage_plan_key reads its key back with this one.
awaitable<http::Response> get_usage_plan_key(Deps& d, Call& call) {
  auto snap = d.docs.snapshot();
  std::string plan = call.path_param("usageplanId");
  if (auto p = find_in(*snap, "", kUsagePlan, plan, "Usage Plan ID"); !p) co_return call.fail(p.error());
  const Doc* doc = snap->find("", kUsagePlanKey, plan + "/" + call.path_param("keyId"));
  if (!doc) co_return call.fail(not_found("Invalid Usage Plan Key identifier specified"));
  co_return call.reply(200, *doc);
}

awaitable<http::Response> delete_usage_plan_key(Deps& d, Call& call) {
  std::string id = call.path_param("usageplanId") + "/" + call.path_param("keyId");
  auto saved = co_await d.update([&](const Snapshot& current, std::vector<Change>& changes) {
    if (!current.find("", kUsagePlanKey, id)) return base::Status(not_found("Invalid Usage Plan Key identifier specified"));
    changes.push_back(Change::erase("", kUsagePlanKey, id));
    return base::Status{};
  });
  if (!saved) co_return call.fail(saved.error());
  co_return call.reply(202, json::object{});
}

}  // namespace nimbus::apigateway_api::v1
