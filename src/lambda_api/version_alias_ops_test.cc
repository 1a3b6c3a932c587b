#include "lambda_api/test_support.h"

namespace nimbus::lambda_api::testing {
namespace {

TEST_F(LambdaApiTest, PublishAndListVersions) {
  ASSERT_EQ(create("fn").status(), 201);
  auto v1 = send("POST", "/2015-03-31/functions/fn/versions", R"({"Description":"first"})");
  ASSERT_EQ(v1.status(), 201) << v1.raw.body;
  EXPECT_EQ(v1.text("Version"), "1");
  EXPECT_EQ(v1.text("FunctionArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn:1");
  auto list = send("GET", "/2015-03-31/functions/fn/versions");
  ASSERT_EQ(list.status(), 200);
  auto& vs = list.object().at("Versions").as_array();
  ASSERT_EQ(vs.size(), 2u);
  EXPECT_EQ(vs[0].at("Version").as_string(), "$LATEST");
  EXPECT_EQ(vs[1].at("Version").as_string(), "1");
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn?Qualifier=1").object().at("Configuration").at("Version").as_string(), "1");

  EXPECT_EQ(send("POST", "/2015-03-31/functions/nope/versions").status(), 404);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/nope/versions").status(), 404);
  EXPECT_EQ(send("POST", "/2015-03-31/functions/fn/versions", "[").error_type(), "InvalidRequestContentException");
}

TEST_F(LambdaApiTest, AliasesLifeCycle) {
  ASSERT_EQ(create("fn").status(), 201);
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/versions").status(), 201);
  auto created = send("POST", "/2015-03-31/functions/fn/aliases",
                      R"({"Name":"live","FunctionVersion":"1","Description":"prod"})");
  ASSERT_EQ(created.status(), 201) << created.raw.body;
  EXPECT_EQ(created.text("AliasArn"), "arn:aws:lambda:us-east-1:000000000000:function:fn:live");
  EXPECT_EQ(created.text("FunctionVersion"), "1");
  EXPECT_EQ(created.text("Description"), "prod");

  auto got = send("GET", "/2015-03-31/functions/fn/aliases/live");
  ASSERT_EQ(got.status(), 200);
  EXPECT_EQ(got.text("RevisionId"), created.text("RevisionId"));

  auto updated = send("PUT", "/2015-03-31/functions/fn/aliases/live", R"({"FunctionVersion":"$LATEST"})");
  ASSERT_EQ(updated.status(), 200);
  EXPECT_EQ(updated.text("FunctionVersion"), "$LATEST");
  EXPECT_EQ(updated.text("Description"), "prod");  // absent fields stay
  EXPECT_NE(updated.text("RevisionId"), created.text("RevisionId"));

  auto list = send("GET", "/2015-03-31/functions/fn/aliases");
  ASSERT_EQ(list.status(), 200);
  ASSERT_EQ(list.object().at("Aliases").as_array().size(), 1u);
  EXPECT_EQ(list.object().at("Aliases").as_array()[0].at("Name").as_string(), "live");

  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn/aliases/live").status(), 204);
  auto gone = send("GET", "/2015-03-31/functions/fn/aliases/live");
  EXPECT_EQ(gone.status(), 404);
  EXPECT_EQ(gone.text("message"), "Alias not found: arn:aws:lambda:us-east-1:000000000000:function:fn:live");
}

TEST_F(LambdaApiTest, AliasErrors) {
  ASSERT_EQ(create("fn").status(), 201);
  auto to_missing = send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"live","FunctionVersion":"9"})");
  EXPECT_EQ(to_missing.status(), 404);
  EXPECT_EQ(to_missing.error_type(), "ResourceNotFoundException");
  auto numeric = send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"12","FunctionVersion":"$LATEST"})");
  EXPECT_EQ(numeric.status(), 400);
  EXPECT_EQ(numeric.text("message"), "Alias name must not be a version number");
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"a","FunctionVersion":"$LATEST"})").status(),
            201);
  auto twice = send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"a","FunctionVersion":"$LATEST"})");
  EXPECT_EQ(twice.status(), 409);
  EXPECT_EQ(twice.error_type(), "ResourceConflictException");
  EXPECT_EQ(send("PUT", "/2015-03-31/functions/fn/aliases/none", "{}").status(), 404);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/nope/aliases").status(), 404);
}

// Issue 12: a qualifier used to delete the whole function.
TEST_F(LambdaApiTest, DeleteFunctionWithAQualifierDeletesOnlyThatVersion) {
  ASSERT_EQ(create("fn").status(), 201);
  auto publish = [&] {
    // Each version needs a change of $LATEST, else publishing returns the last one.
    EXPECT_EQ(send("PUT", "/2015-03-31/functions/fn/configuration", R"({"Description":")" + base::random_hex(4) +
                                                                          R"("})").status(), 200);
    return send("POST", "/2015-03-31/functions/fn/versions").text("Version");
  };
  ASSERT_EQ(publish(), "1");
  ASSERT_EQ(publish(), "2");
  ASSERT_EQ(publish(), "3");
  ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/aliases", R"({"Name":"live","FunctionVersion":"1"})").status(), 201);

  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn?Qualifier=2").status(), 204);
  auto versions = [&] {
    std::vector<std::string> out;
    auto listed = send("GET", "/2015-03-31/functions/fn/versions");
    for (const auto& v : listed.object().at("Versions").as_array())
      out.emplace_back(v.at("Version").as_string());
    return out;
  };
  EXPECT_EQ(versions(), (std::vector<std::string>{"$LATEST", "1", "3"}));
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn?Qualifier=2").status(), 404);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn").status(), 200);

  auto again = send("DELETE", "/2015-03-31/functions/fn?Qualifier=2");
  EXPECT_EQ(again.status(), 404);
  EXPECT_EQ(again.error_type(), "ResourceNotFoundException");
  EXPECT_EQ(again.text("message"), "Function not found: arn:aws:lambda:us-east-1:000000000000:function:fn:2");
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn:9").status(), 404);  // the qualifier in the name

  auto latest = send("DELETE", "/2015-03-31/functions/fn?Qualifier=%24LATEST");
  EXPECT_EQ(latest.status(), 400);
  EXPECT_EQ(latest.error_type(), "InvalidParameterValueException");
  EXPECT_EQ(latest.text("message"), "$LATEST version cannot be deleted without deleting the function.");
  auto alias = send("DELETE", "/2015-03-31/functions/fn?Qualifier=live");
  EXPECT_EQ(alias.status(), 400);
  EXPECT_EQ(alias.error_type(), "InvalidParameterValueException");

  auto referenced = send("DELETE", "/2015-03-31/functions/fn?Qualifier=1");
  EXPECT_EQ(referenced.status(), 409);
  EXPECT_EQ(referenced.error_type(), "ResourceConflictException");
  EXPECT_EQ(referenced.text("message"), "Unable to delete version because the following aliases reference it: [live]");
  EXPECT_EQ(versions(), (std::vector<std::string>{"$LATEST", "1", "3"}));

  // The highest number is not handed out again, after a restart either.
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn?Qualifier=3").status(), 204);
  service_.reset();
  registry_.reset();
  auto reopened = functions::Registry::open(dir_.string());
  ASSERT_TRUE(reopened.ok());
  registry_ = std::move(*reopened);
  service_ = std::make_unique<Service>(*registry_, fake_, credentials_, pool_, Options{});
  descriptor_ = service_->descriptor();
  EXPECT_EQ(versions(), (std::vector<std::string>{"$LATEST", "1"}));
  EXPECT_EQ(publish(), "4");

  // Without a qualifier the function goes, and a new one counts from 1.
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn").status(), 204);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn").status(), 404);
  ASSERT_EQ(create("fn").status(), 201);
  EXPECT_EQ(publish(), "1");
}

}  // namespace
}  // namespace nimbus::lambda_api::testing

namespace nimbus::lambda_api::testing {
namespace {

// Issue 12: RoutingConfig was accepted and dropped; every invocation ran the primary version.
TEST_F(LambdaApiTest, WeightedAliasesRouteByWeight) {
  ASSERT_EQ(create("fn").status(), 201);
  for (const char* d : {"one", "two"}) {
    ASSERT_EQ(send("PUT", "/2015-03-31/functions/fn/configuration", std::string(R"({"Description":")") + d + "\"}")
                  .status(), 200);
    ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/versions").status(), 201);
  }
  auto created = send("POST", "/2015-03-31/functions/fn/aliases",
                      R"({"Name":"live","FunctionVersion":"1","RoutingConfig":{"AdditionalVersionWeights":{"2":0.3}}})");
  ASSERT_EQ(created.status(), 201) << created.raw.body;
  EXPECT_DOUBLE_EQ(created.object().at("RoutingConfig").at("AdditionalVersionWeights").at("2").as_double(), 0.3);
  std::map<std::string, int> ran;
  for (int i = 0; i < 2000; ++i) ++ran[registry_->resolve("fn", "live")->version];
  EXPECT_EQ(ran.size(), 2u);
  EXPECT_NEAR(ran["2"] / 2000.0, 0.3, 0.05);

  // The weighted version cannot be deleted while the alias routes to it.
  EXPECT_EQ(send("DELETE", "/2015-03-31/functions/fn?Qualifier=2").status(), 409);
  // Lambda's rules: one other published version, 0..1, not $LATEST, not the primary.
  for (const char* bad : {R"({"AdditionalVersionWeights":{"2":1.5}})", R"({"AdditionalVersionWeights":{"1":0.5}})",
                          R"({"AdditionalVersionWeights":{"9":0.5}})",
                          R"({"AdditionalVersionWeights":{"$LATEST":0.5}})"}) {
    auto r = send("PUT", "/2015-03-31/functions/fn/aliases/live", std::string(R"({"RoutingConfig":)") + bad + "}");
    EXPECT_GE(r.status(), 400) << bad;
  }
  // An empty routing config goes back to one version; the weights survive a restart until then.
  service_.reset();
  registry_.reset();
  auto reopened = functions::Registry::open(dir_.string());
  ASSERT_TRUE(reopened.ok());
  registry_ = std::move(*reopened);
  service_ = std::make_unique<Service>(*registry_, fake_, credentials_, pool_, Options{});
  descriptor_ = service_->descriptor();
  auto got = send("GET", "/2015-03-31/functions/fn/aliases/live");
  ASSERT_NE(got.object().if_contains("RoutingConfig"), nullptr);
  auto cleared = send("PUT", "/2015-03-31/functions/fn/aliases/live", R"({"RoutingConfig":{"AdditionalVersionWeights":{}}})");
  ASSERT_EQ(cleared.status(), 200);
  EXPECT_EQ(cleared.object().if_contains("RoutingConfig"), nullptr);
  for (int i = 0; i < 50; ++i) EXPECT_EQ(registry_->resolve("fn", "live")->version, "1");
}


// Publishes n versions of fn, each after a configuration change (publishing
// nothing new returns the last version).
class LambdaApiPaging : public LambdaApiTest {
 protected:
  void publish_versions(int n) {
    for (int i = 1; i <= n; ++i) {
      auto u = send("PUT", "/2015-03-31/functions/fn/configuration", R"({"Description":"v)" + std::to_string(i) + R"("})");
      ASSERT_EQ(u.status(), 200) << u.raw.body;
      auto v = send("POST", "/2015-03-31/functions/fn/versions");
      ASSERT_EQ(v.status(), 201) << v.raw.body;
      ASSERT_EQ(v.text("Version"), std::to_string(i));
    }
  }
};

std::vector<std::string> field_of(const boost::json::object& o, const char* list, const char* field) {
  std::vector<std::string> out;
  for (const auto& e : o.at(list).as_array()) out.emplace_back(e.at(field).as_string());
  return out;
}

TEST_F(LambdaApiPaging, ListVersionsPages) {
  ASSERT_EQ(create("fn").status(), 201);
  publish_versions(11);
  auto page = send("GET", "/2015-03-31/functions/fn/versions?MaxItems=5");
  ASSERT_EQ(page.status(), 200) << page.raw.body;
  EXPECT_EQ(field_of(page.object(), "Versions", "Version"), (std::vector<std::string>{"$LATEST", "1", "2", "3", "4"}));
  EXPECT_EQ(page.text("NextMarker"), "4");
  auto rest = send("GET", "/2015-03-31/functions/fn/versions?MaxItems=5&Marker=4");
  EXPECT_EQ(field_of(rest.object(), "Versions", "Version"), (std::vector<std::string>{"5", "6", "7", "8", "9"}));
  auto last = send("GET", "/2015-03-31/functions/fn/versions?MaxItems=5&Marker=" + rest.text("NextMarker"));
  EXPECT_EQ(field_of(last.object(), "Versions", "Version"), (std::vector<std::string>{"10", "11"}));  // numeric order
  EXPECT_FALSE(last.object().contains("NextMarker"));
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/versions").object().at("Versions").as_array().size(), 12u);
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/versions?MaxItems=0").error_type(), "ValidationException");
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/versions?MaxItems=10001").error_type(), "ValidationException");
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/versions?MaxItems=x").error_type(), "ValidationException");
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/versions?Marker=zz").error_type(), "InvalidParameterValueException");
}

TEST_F(LambdaApiPaging, ListAliasesByVersionAndPages) {
  ASSERT_EQ(create("fn").status(), 201);
  publish_versions(2);
  for (auto [name, version] : {std::pair{"a", "1"}, {"b", "2"}, {"c", "1"}, {"d", "$LATEST"}, {"e", "1"}})
    ASSERT_EQ(send("POST", "/2015-03-31/functions/fn/aliases",
                   std::string(R"({"Name":")") + name + R"(","FunctionVersion":")" + version + R"("})")
                  .status(),
              201);
  auto one = send("GET", "/2015-03-31/functions/fn/aliases?FunctionVersion=1");
  ASSERT_EQ(one.status(), 200) << one.raw.body;
  EXPECT_EQ(field_of(one.object(), "Aliases", "Name"), (std::vector<std::string>{"a", "c", "e"}));
  EXPECT_EQ(field_of(send("GET", "/2015-03-31/functions/fn/aliases?FunctionVersion=%24LATEST").object(), "Aliases", "Name"),
            (std::vector<std::string>{"d"}));
  EXPECT_TRUE(send("GET", "/2015-03-31/functions/fn/aliases?FunctionVersion=7").object().at("Aliases").as_array().empty());
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/aliases?FunctionVersion=x").error_type(), "ValidationException");

  auto page = send("GET", "/2015-03-31/functions/fn/aliases?FunctionVersion=1&MaxItems=2");
  EXPECT_EQ(field_of(page.object(), "Aliases", "Name"), (std::vector<std::string>{"a", "c"}));
  EXPECT_EQ(page.text("NextMarker"), "c");
  auto rest = send("GET", "/2015-03-31/functions/fn/aliases?FunctionVersion=1&MaxItems=2&Marker=c");
  EXPECT_EQ(field_of(rest.object(), "Aliases", "Name"), (std::vector<std::string>{"e"}));
  EXPECT_FALSE(rest.object().contains("NextMarker"));
  auto all = send("GET", "/2015-03-31/functions/fn/aliases?MaxItems=4");
  EXPECT_EQ(field_of(all.object(), "Aliases", "Name"), (std::vector<std::string>{"a", "b", "c", "d"}));
  EXPECT_EQ(all.text("NextMarker"), "d");
  EXPECT_EQ(send("GET", "/2015-03-31/functions/fn/aliases?MaxItems=0").error_type(), "ValidationException");
}

TEST_F(LambdaApiPaging, ListFunctionsAllVersions) {
  ASSERT_EQ(create("fn").status(), 201);
  ASSERT_EQ(create("gn").status(), 201);
  publish_versions(2);
  auto latest = send("GET", "/2015-03-31/functions");
  EXPECT_EQ(field_of(latest.object(), "Functions", "Version"), (std::vector<std::string>{"$LATEST", "$LATEST"}));
  auto all = send("GET", "/2015-03-31/functions?FunctionVersion=ALL");
  ASSERT_EQ(all.status(), 200) << all.raw.body;
  EXPECT_EQ(field_of(all.object(), "Functions", "FunctionArn"),
            (std::vector<std::string>{"arn:aws:lambda:us-east-1:000000000000:function:fn",
                                      "arn:aws:lambda:us-east-1:000000000000:function:fn:1",
                                      "arn:aws:lambda:us-east-1:000000000000:function:fn:2",
                                      "arn:aws:lambda:us-east-1:000000000000:function:gn"}));
  auto page = send("GET", "/2015-03-31/functions?FunctionVersion=ALL&MaxItems=2");
  EXPECT_EQ(field_of(page.object(), "Functions", "Version"), (std::vector<std::string>{"$LATEST", "1"}));
  EXPECT_EQ(page.text("NextMarker"), "fn:1");
  auto rest = send("GET", "/2015-03-31/functions?FunctionVersion=ALL&MaxItems=2&Marker=fn%3A1");
  EXPECT_EQ(field_of(rest.object(), "Functions", "FunctionName"), (std::vector<std::string>{"fn", "gn"}));
  EXPECT_EQ(field_of(rest.object(), "Functions", "Version"), (std::vector<std::string>{"2", "$LATEST"}));
  EXPECT_FALSE(rest.object().contains("NextMarker"));

  EXPECT_EQ(send("GET", "/2015-03-31/functions?FunctionVersion=LATEST").error_type(), "ValidationException");
  EXPECT_EQ(send("GET", "/2015-03-31/functions?MaxItems=0").error_type(), "ValidationException");
  EXPECT_EQ(send("GET", "/2015-03-31/functions?MaxItems=many").error_type(), "ValidationException");
  // No function is a Lambda@Edge replica.
  auto edge = send("GET", "/2015-03-31/functions?FunctionVersion=ALL&MasterRegion=us-east-1");
  ASSERT_EQ(edge.status(), 200) << edge.raw.body;
  EXPECT_TRUE(edge.object().at("Functions").as_array().empty());
  EXPECT_EQ(send("GET", "/2015-03-31/functions?MasterRegion=us-east-1").error_type(), "InvalidParameterValueException");
  EXPECT_EQ(send("GET", "/2015-03-31/functions?FunctionVersion=ALL&MasterRegion=mars").error_type(), "ValidationException");
}

}  // namespace
}  // namespace nimbus::lambda_api::testing
