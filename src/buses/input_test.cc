#include "buses/input.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <random>

using namespace nimbus;
using buses::InputPlan;
using buses::InputTransformer;
using buses::JsonPath;
using buses::RuleContext;
using buses::TargetInput;

namespace json = boost::json;

namespace {

// The user guide's example EC2 event (eb-transform-target-input, Input transform examples).
constexpr std::string_view kEc2Event = R"({
  "version": "0",
  "id": "7bf73129-1428-4cd3-a780-95db273d1602",
  "detail-type": "EC2 Instance State-change Notification",
  "source": "aws.ec2",
  "account": "123456789012",
  "time": "2015-11-11T21:29:54Z",
  "region": "us-east-1",
  "resources": ["arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"],
  "detail": {"instance-id": "i-0123456789", "state": "RUNNING"}
})";

// The guide's Input Path for it.
InputTransformer ec2_paths(std::string input_template) {
  return {{{"timestamp", "$.time"},
           {"instance", "$.detail.instance-id"},
           {"state", "$.detail.state"},
           {"resource", "$.resources[0]"}},
          std::move(input_template)};
}

// The guide's rule, as its reserved-variable examples show it.
const RuleContext kRule{"arn:aws:events:us-east-2:123456789012:rule/example", "example", "2015-11-11T21:29:54Z"};

json::value event() { return json::parse(kEc2Event); }

std::optional<std::string> render(const InputTransformer& t, const json::value& e = event()) {
  TargetInput in;
  in.transformer = t;
  EXPECT_TRUE(buses::validate_target_input(in, "t1").ok()) << t.input_template;
  return buses::render_target_input(in, e, kRule);
}

std::string refusal(const TargetInput& in, size_t index = 1) {
  auto s = buses::validate_target_input(in, "t1", index);
  if (s) return "accepted";
  EXPECT_EQ(s.error().code, base::ErrorCode::kInvalidArgument);
  return s.error().message;
}

TargetInput with_template(std::string input_template) {
  TargetInput in;
  in.transformer = ec2_paths(std::move(input_template));
  return in;
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }
bool contains(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

// LocalStack's event detail for its AWS-recorded input tests.
json::value localstack_event() {
  return json::parse(R"({"version":"0","id":"e1","detail-type":"core.update-account-command",
    "source":"core.update-account-command","account":"111111111111","time":"2024-05-13T12:27:07Z",
    "region":"us-east-1","resources":[],
    "detail":{"command":"update-account","payload":{"acc_id":"0a787ecb-4015","sf_id":"baz"},
              "listsingle":["HIGH"],"listmulti":["a","b"]}})");
}

}  // namespace

// --- the user guide's table of templates and outputs ------------------------------

TEST(InputTransformer, GuideSimpleString) {
  EXPECT_EQ(render(ec2_paths(R"("instance <instance> is in <state>")")), R"("instance i-0123456789 is in RUNNING")");
}

TEST(InputTransformer, GuideStringWithEscapedQuotes) {
  EXPECT_EQ(render(ec2_paths(R"("instance \"<instance>\" is in <state>")")),
            R"("instance \"i-0123456789\" is in RUNNING")");
}

TEST(InputTransformer, GuideSimpleJson) {
  EXPECT_EQ(render(ec2_paths("{\n  \"instance\" : <instance>,\n  \"state\": <state>\n}")),
            R"({"instance":"i-0123456789","state":"RUNNING"})");
}

TEST(InputTransformer, GuideJsonWithStringsAndVariables) {
  EXPECT_EQ(render(ec2_paths(R"({
 "instance" : <instance>,
 "state": "<state>",
 "instanceStatus": "instance \"<instance>\" is in <state>"
})")),
            R"({"instance":"i-0123456789","state":"RUNNING","instanceStatus":"instance \"i-0123456789\" is in RUNNING"})");
}

TEST(InputTransformer, GuideJsonMixingVariablesAndStaticInformation) {
  EXPECT_EQ(render(ec2_paths(R"({
  "instance" : <instance>,
  "state": [ 9, <state>, true ],
  "Transformed" : "Yes"
})")),
            R"({"instance":"i-0123456789","state":[9,"RUNNING",true],"Transformed":"Yes"})");
}

TEST(InputTransformer, GuideReservedVariablesInJson) {
  auto out = render(ec2_paths(R"({
  "instance" : <instance>,
  "state": <state>,
  "ruleArn" : <aws.events.rule-arn>,
  "ruleName" : <aws.events.rule-name>,
  "originalEvent" : <aws.events.event>
})"));
  ASSERT_TRUE(out);
  auto v = json::parse(*out).as_object();
  EXPECT_EQ(v["instance"], "i-0123456789");
  EXPECT_EQ(v["ruleArn"], "arn:aws:events:us-east-2:123456789012:rule/example");
  EXPECT_EQ(v["ruleName"], "example");
  // The event without its detail, detail-type spelled detailType (as AWS
  // delivered it to LocalStack's recorded test).
  auto original = v["originalEvent"].as_object();
  EXPECT_FALSE(original.contains("detail"));
  EXPECT_FALSE(original.contains("detail-type"));
  EXPECT_EQ(original["detailType"], "EC2 Instance State-change Notification");
  EXPECT_EQ(original["id"], "7bf73129-1428-4cd3-a780-95db273d1602");
  EXPECT_EQ(original["resources"].as_array().size(), 1u);
}

TEST(InputTransformer, GuideReservedVariableInAString) {
  EXPECT_EQ(render(ec2_paths(R"("<aws.events.rule-name> triggered")")), R"("example triggered")");
}

TEST(InputTransformer, GuideCloudWatchLogGroup) {
  // The guide prints the timestamp unquoted (not JSON); its own rule quotes
  // a string placed outside a string literal.
  EXPECT_EQ(render(ec2_paths(R"({
  "timestamp" : <timestamp>,
  "message": "instance \"<instance>\" is in <state>"
})")),
            R"({"timestamp":"2015-11-11T21:29:54Z","message":"instance \"i-0123456789\" is in RUNNING"})");
}

TEST(InputTransformer, GuideArrayIndex) {
  EXPECT_EQ(render(ec2_paths(R"({"resource": <resource>})")),
            R"({"resource":"arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111"})");
}

// --- API_InputTransformer's examples ------------------------------------------------

TEST(InputTransformer, ApiReferenceExamples) {
  json::value e = json::parse(R"({"detail":{"instance":"i-123","status":"stopped"}})");
  InputTransformer t{{{"instance", "$.detail.instance"}, {"status", "$.detail.status"}}, ""};
  t.input_template = "<instance> is in state <status>";
  EXPECT_EQ(render(t, e), "i-123 is in state stopped");
  t.input_template = R"(<instance> is in state "<status>")";  // the quotes escaped in the request's JSON
  EXPECT_EQ(render(t, e), R"(i-123 is in state "stopped")");
  t.input_template = R"({"myInstance": <instance>,"myStatus": "<instance> is in state \"<status>\""})";
  EXPECT_EQ(render(t, e), R"({"myInstance":"i-123","myStatus":"i-123 is in state \"stopped\""})");
}

// --- what AWS delivered to LocalStack's recorded tests ---------------------------------

TEST(InputTransformer, RecordedStringTemplateWithAMissingPath) {
  InputTransformer t{{{"detail-type", "$.detail-type"}, {"timestamp", "$.time"}, {"command", "$.detail.command"}},
                     R"("Event of <detail-type> type, at time <timestamp>, info extracted from detail <command>")"};
  EXPECT_EQ(render(t, localstack_event()),
            R"("Event of core.update-account-command type, at time 2024-05-13T12:27:07Z, info extracted from detail update-account")");
  t.paths[2].second = "$.detail.notinmessage";
  EXPECT_EQ(render(t, localstack_event()),
            R"("Event of core.update-account-command type, at time 2024-05-13T12:27:07Z, info extracted from detail ")");
}

TEST(InputTransformer, RecordedJsonTemplateWithAMissingPathGetsAnEmptyString) {
  InputTransformer t{{{"detail-type", "$.detail-type"}, {"timestamp", "$.time"}, {"command", "$.detail.notinmessage"}},
                     R"({"detailType": <detail-type>,  "time": <timestamp>, "command": <command>})"};
  EXPECT_EQ(render(t, localstack_event()),
            R"({"detailType":"core.update-account-command","time":"2024-05-13T12:27:07Z","command":""})");
}

TEST(InputTransformer, RecordedSpecialStartingCharactersAreText) {
  InputTransformer t{{{"detail-type", "$.detail-type"}},
                     R"("{[/Check with special starting characters for event of <detail-type> type")"};
  EXPECT_EQ(render(t, localstack_event()),
            R"("{[/Check with special starting characters for event of core.update-account-command type")");
}

TEST(InputTransformer, RecordedPredefinedVariables) {
  InputTransformer t{{}, R"("Message containing all pre defined variables <aws.events.rule-arn> <aws.events.rule-name> <aws.events.event.ingestion-time>")"};
  EXPECT_EQ(render(t), R"("Message containing all pre defined variables arn:aws:events:us-east-2:123456789012:rule/example example 2015-11-11T21:29:54Z")");

  t.input_template = R"({"originalEvent": <aws.events.event>, "originalEventJson": <aws.events.event.json>})";
  auto out = render(t, localstack_event());
  ASSERT_TRUE(out);
  auto v = json::parse(*out).as_object();
  EXPECT_EQ(v["originalEventJson"], localstack_event());
  EXPECT_EQ(v["originalEvent"], json::parse(R"({"version":"0","id":"e1","detailType":"core.update-account-command",
    "source":"core.update-account-command","account":"111111111111","time":"2024-05-13T12:27:07Z",
    "region":"us-east-1","resources":[]})"));
}

TEST(InputTransformer, RecordedObjectsInsideStringLiteralsAreNotDelivered) {
  InputTransformer t{{{"userId", "$.detail.payload.acc_id"}, {"payload", "$.detail.payload"},
                      {"listsingle", "$.detail.listsingle"}},
                     ""};
  for (const char* bad : {R"({"not_valid": "users-service/users/<payload>", "bod": <payload>})",
                          R"({"payload": "<payload>"})", R"({"singlelistitem": "<listsingle>"})",
                          R"({"e": "<aws.events.event.json>"})"}) {
    t.input_template = bad;
    EXPECT_EQ(render(t, localstack_event()), std::nullopt) << bad;
  }
  // ... while the valid forms of the same test are.
  t.input_template = R"({"method": "PUT", "path": "users-service/users/<userId>", "bod": <payload>})";
  EXPECT_EQ(render(t, localstack_event()),
            R"({"method":"PUT","path":"users-service/users/0a787ecb-4015","bod":{"acc_id":"0a787ecb-4015","sf_id":"baz"}})");
  t.input_template = R"({"method": "PUT", "path": "users-service/users/<userId>", "bod": [<userId>, "hardcoded"]})";
  EXPECT_EQ(render(t, localstack_event()),
            R"({"method":"PUT","path":"users-service/users/0a787ecb-4015","bod":["0a787ecb-4015","hardcoded"]})");
  t.input_template = R"({"multi_replacement": "users/<userId>/second/<userId>"})";
  EXPECT_EQ(render(t, localstack_event()), R"({"multi_replacement":"users/0a787ecb-4015/second/0a787ecb-4015"})");
  t.input_template = R"({"singlelistitem": <listsingle>})";
  EXPECT_EQ(render(t, localstack_event()), R"({"singlelistitem":["HIGH"]})");
}

// --- quoting ------------------------------------------------------------------------------------

TEST(InputTransformer, ObjectsAndArraysInTextLoseTheirQuotes) {
  // "Detail is {key1: value1}" (the guide's Common issues).
  InputTransformer t{{{"detail", "$.detail"}, {"resources", "$.resources"}}, "Detail is <detail>, on <resources>"};
  EXPECT_EQ(render(t), "Detail is {instance-id:i-0123456789,state:RUNNING}, on [arn:aws:ec2:us-east-1:123456789012:instance/i-abcd1111]");
}

TEST(InputTransformer, ScalarsByWhereTheyStand) {
  json::value e = json::parse(R"({"detail":{"n":42,"f":0.5,"b":false,"z":null,"s":"x"}})");
  InputTransformer t{{{"n", "$.detail.n"}, {"f", "$.detail.f"}, {"b", "$.detail.b"}, {"z", "$.detail.z"},
                      {"s", "$.detail.s"}},
                     R"({"n": <n>, "f": <f>, "b": <b>, "z": <z>, "s": <s>, "all": "<n> <f> <b> <z> <s>"})"};
  EXPECT_EQ(render(t, e), R"({"n":42,"f":0.5,"b":false,"z":null,"s":"x","all":"42 0.5 false null x"})");
  t.input_template = "<n> <f> <b> <z> <s>";
  EXPECT_EQ(render(t, e), "42 0.5 false null x");
}

TEST(InputTransformer, StringValuesAreEscapedInsideJsonStrings) {
  json::value e = json::parse(R"({"detail":{"msg":"say \"hi\"\\ now\n\ttab"}})");
  InputTransformer t{{{"msg", "$.detail.msg"}}, R"({"quoted": "<msg>", "bare": <msg>})"};
  auto out = render(t, e);
  ASSERT_TRUE(out);
  auto v = json::parse(*out).as_object();
  EXPECT_EQ(v["quoted"], "say \"hi\"\\ now\n\ttab");
  EXPECT_EQ(v["bare"], "say \"hi\"\\ now\n\ttab");
  // In text, values go in as they are.
  t.input_template = "msg: <msg>";
  EXPECT_EQ(render(t, e), "msg: say \"hi\"\\ now\n\ttab");
}

TEST(InputTransformer, EscapedQuotesDoNotEndTheLiteral) {
  EXPECT_EQ(render(ec2_paths(R"({"a": "x \" <instance> \" y", "b": <state>})")),
            R"({"a":"x \" i-0123456789 \" y","b":"RUNNING"})");
  // An escaped backslash does end it: <state> then stands outside.
  EXPECT_EQ(render(ec2_paths(R"({"a": "x\\", "b": <state>})")), R"({"a":"x\\","b":"RUNNING"})");
}

TEST(InputTransformer, MinifiesButKeepsStringContents) {
  EXPECT_EQ(render(ec2_paths("{ \"a b\" :\t[ 1 , 2 ],\r\n \"c\" : \"  <state>  \" }")),
            R"({"a b":[1,2],"c":"  RUNNING  "})");
}

TEST(InputTransformer, WildcardsAndIndices) {
  json::value e = json::parse(R"({"detail":{"items":[{"sku":"a","qty":1},{"sku":"b"},{"qty":3}]}})");
  InputTransformer t{{{"first", "$.detail.items[0].sku"}, {"skus", "$.detail.items[*].sku"},
                      {"qtys", "$.detail.items.*.qty"}, {"none", "$.detail.items[*].colour"},
                      {"far", "$.detail.items[7]"}},
                     R"({"first": <first>, "skus": <skus>, "qtys": <qtys>, "none": <none>, "far": <far>})"};
  EXPECT_EQ(render(t, e), R"({"first":"a","skus":["a","b"],"qtys":[1,3],"none":"","far":""})");
  t.input_template = "<skus> / <none> / <far>";
  EXPECT_EQ(render(t, e), "[a,b] /  / ");
}

TEST(InputTransformer, UndefinedPlaceholdersStayAsWritten) {
  // Validation refuses them; a plan built anyway renders them verbatim.
  TargetInput in = with_template(R"({"a": "<nope>", "b": <state>, "c": "x < y"})");
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), R"({"a":"<nope>","b":"RUNNING","c":"x < y"})");
  in = with_template("<nope> and <state> and <");
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), "<nope> and RUNNING and <");
}

TEST(InputTransformer, AMalformedJsonTemplateDeliversNothing) {
  EXPECT_EQ(buses::render_target_input(with_template(R"({"a": <state>)"), event(), kRule), std::nullopt);
  EXPECT_EQ(buses::render_target_input(with_template(R"({instance} is <state>)"), event(), kRule), std::nullopt);
}

TEST(InputTransformer, APlanServesManyEvents) {
  InputPlan plan(with_template(R"({"s": <state>})"));
  json::value a = event(), b = event();
  b.as_object()["detail"].as_object()["state"] = "STOPPED";
  EXPECT_EQ(plan.render(a, kRule), R"({"s":"RUNNING"})");
  EXPECT_EQ(plan.render(b, kRule), R"({"s":"STOPPED"})");
  InputPlan copy = plan;
  EXPECT_EQ(copy.render(b, kRule), R"({"s":"STOPPED"})");
}

// --- Input, InputPath, nothing -----------------------------------------------------------------

TEST(TargetInput, NoneSendsTheWholeEvent) {
  auto out = buses::render_target_input({}, event(), kRule);
  ASSERT_TRUE(out);
  EXPECT_EQ(json::parse(*out), event());
  EXPECT_EQ(out->find('\n'), std::string::npos);
}

TEST(TargetInput, InputIsSentAsGiven) {
  TargetInput in;
  in.input = "{ \"env\": \"dev\" }";
  EXPECT_TRUE(buses::validate_target_input(in, "t1").ok());
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), "{ \"env\": \"dev\" }");
}

TEST(TargetInput, InputPathSelects) {
  TargetInput in;
  in.input_path = "$.detail";
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), R"({"instance-id":"i-0123456789","state":"RUNNING"})");
  in.input_path = "$.detail.state";  // a string arrives as JSON, quoted (recorded against AWS)
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), R"("RUNNING")");
  in.input_path = "$";
  EXPECT_EQ(json::parse(*buses::render_target_input(in, event(), kRule)), event());
  in.input_path = "$['detail']['instance-id']";  // bracket notation (API_Target)
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), R"("i-0123456789")");
}

TEST(TargetInput, InputPathMatchingNothingDeliversNothing) {
  TargetInput in;
  in.input_path = "$.detail.nothere";
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), std::nullopt);
  in.input_path = "$.resources[3]";
  EXPECT_EQ(buses::render_target_input(in, event(), kRule), std::nullopt);
}

TEST(TargetInput, NumbersKeepTheirShortestForm) {
  TargetInput in;
  in.input_path = "$.detail";
  json::value e = json::parse(R"({"detail":{"a":0.1,"b":1e20,"c":-5,"d":18446744073709551615,"e":2.5e-7,"f":1e400}})");
  EXPECT_EQ(buses::render_target_input(in, e, kRule),
            R"({"a":0.1,"b":1e+20,"c":-5,"d":18446744073709551615,"e":2.5e-07,"f":1e999})");
}

TEST(TargetInput, JsonTextEscapesOnlyWhatJsonRequires) {
  json::value v = "a\"b\\c\x01/é\x7f";
  EXPECT_EQ(buses::to_json(v), "\"a\\\"b\\\\c\\u0001/é\x7f\"");
}

// --- JSON paths ----------------------------------------------------------------------------------

TEST(JsonPath, TheDocumentedSubset) {
  json::value e = json::parse(R"({"detail":{"a-b_c":1,"x/y":2,"items":[10,20],"o":{"k":"v"}}})");
  EXPECT_EQ(buses::select_path("$", e), e);
  EXPECT_EQ(buses::select_path("$.detail.a-b_c", e), json::value(1));
  EXPECT_EQ(buses::select_path("$.detail.x/y", e), json::value(2));
  EXPECT_EQ(buses::select_path("$.detail.items[1]", e), json::value(20));
  EXPECT_EQ(buses::select_path("$.detail.items[*]", e), json::parse("[10,20]"));
  EXPECT_EQ(buses::select_path("$.detail.o.*", e), json::parse(R"(["v"])"));
  EXPECT_EQ(buses::select_path("$.*.o.k", e), json::parse(R"(["v"])"));
  EXPECT_EQ(buses::select_path("$.detail.items[2]", e), std::nullopt);
  EXPECT_EQ(buses::select_path("$.detail.items.x", e), std::nullopt);
  EXPECT_EQ(buses::select_path("$.detail.o[0]", e), std::nullopt);
  EXPECT_EQ(buses::select_path("$.detail.o.*.none", e), std::nullopt);
}

TEST(JsonPath, RefusesWhatItDoesNotEvaluate) {
  for (const char* bad : {"", "detail", "$a", "$.", "$..a", "$.a.", "$.a b", "$.a[", "$.a[]", "$.a[-1]",
                          "$.a[1:2]", "$.a[?(@.x)]", "$.a[0", "$.a['x", "$.a[1234567890]", "$.é", "$.a:b"}) {
    EXPECT_FALSE(JsonPath::parse(bad, true)) << bad;
  }
  EXPECT_TRUE(JsonPath::parse("$['a b'][0]", true));
  EXPECT_FALSE(JsonPath::parse("$['a b'][0]"));  // InputPathsMap: dot notation only
}

// --- PutTargets' validation -----------------------------------------------------------------------

TEST(Validation, AcceptsTheDocumentedForms) {
  EXPECT_EQ(refusal({}), "accepted");
  for (const char* input : {R"({"a":1})", "5", R"("text")", "[1,2]", "null", " {} "}) {
    TargetInput in;
    in.input = input;
    EXPECT_EQ(refusal(in), "accepted") << input;
  }
  TargetInput in;
  in.input_path = "$.detail.items[0]";
  EXPECT_EQ(refusal(in), "accepted");
  EXPECT_EQ(refusal(with_template(R"({"i": <instance>, "s": "<state> <aws.events.rule-name>", "e": <aws.events.event>})")),
            "accepted");
  TargetInput predefined_only;
  predefined_only.transformer = InputTransformer{{}, "<aws.events.rule-arn>"};
  EXPECT_EQ(refusal(predefined_only), "accepted");
}

TEST(Validation, OnlyOneOfTheThree) {
  TargetInput in;
  in.input_path = "$.detail";
  in.transformer = ec2_paths("<state>");
  EXPECT_EQ(refusal(in), "Only one of Input, InputPath, or InputTransformer must be provided for target t1.");
  in = {};
  in.input = "{}";
  in.input_path = "$.detail";
  EXPECT_EQ(refusal(in), "Only one of Input, InputPath, or InputTransformer must be provided for target t1.");
}

TEST(Validation, InputMustBeJson) {
  TargetInput in;
  in.input = "{'db_name': 1}";
  EXPECT_TRUE(starts_with(refusal(in), "JSON syntax error in input for target t1: ")) << refusal(in);
  in.input = "";
  EXPECT_TRUE(starts_with(refusal(in), "JSON syntax error in input for target t1: "));
  in.input = "{} {}";
  EXPECT_TRUE(starts_with(refusal(in), "JSON syntax error in input for target t1: "));
  in.input = std::string(4000, '[') + std::string(4000, ']');  // deep, and within 8192
  EXPECT_EQ(refusal(in), "accepted");
}

TEST(Validation, Lengths) {
  TargetInput in;
  in.input = "\"" + std::string(8190, 'x') + "\"";
  EXPECT_EQ(refusal(in), "accepted");
  in.input = "\"" + std::string(8191, 'x') + "\"";
  auto r = refusal(in);
  EXPECT_TRUE(starts_with(r, "1 validation error detected: Value '\"xxx")) << r.substr(0, 80);
  EXPECT_TRUE(contains(r, "' at 'targets.1.member.input' failed to satisfy constraint: Member must have length less "
                          "than or equal to 8192"));
  // Characters, not bytes: 5000 two-byte characters are within 8192.
  std::string e;
  for (int i = 0; i < 5000; ++i) e += "é";
  in.input = "\"" + e + "\"";
  EXPECT_EQ(refusal(in), "accepted");

  in = {};
  in.input_path = "$." + std::string(255, 'a');
  EXPECT_EQ(refusal(in, 3), "1 validation error detected: Value '" + *in.input_path +
                                "' at 'targets.3.member.inputPath' failed to satisfy constraint: Member must have "
                                "length less than or equal to 256");

  EXPECT_EQ(refusal(with_template("")),
            "1 validation error detected: Value '' at 'targets.1.member.inputTransformer.inputTemplate' failed to "
            "satisfy constraint: Member must have length greater than or equal to 1");
  r = refusal(with_template(std::string(8193, 'x')));
  EXPECT_TRUE(contains(r, "at 'targets.1.member.inputTransformer.inputTemplate' failed to satisfy constraint: Member "
                          "must have length less than or equal to 8192"));
  EXPECT_EQ(refusal(with_template(std::string(8192, 'x'))), "accepted");
}

TEST(Validation, InputPathsMap) {
  TargetInput in;
  in.transformer = InputTransformer{{}, "x"};
  for (int i = 0; i < 101; ++i) in.transformer->paths.emplace_back("k" + std::to_string(i), "$.a");
  auto r = refusal(in);
  EXPECT_TRUE(starts_with(r, "1 validation error detected: Value '{k0=$.a, k1=$.a, ")) << r.substr(0, 80);
  EXPECT_TRUE(contains(r, "' at 'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: "
                          "Member must have length less than or equal to 100"));
  in.transformer->paths.pop_back();
  EXPECT_EQ(refusal(in), "accepted");

  // Keys: [A-Za-z0-9\_\-]+, which keeps off the reserved aws.* names.
  in.transformer = InputTransformer{{{"aws.events.rule-name", "$.a"}}, "x"};
  EXPECT_EQ(refusal(in),
            "1 validation error detected: Value '{aws.events.rule-name=$.a}' at "
            "'targets.1.member.inputTransformer.inputPathsMap' failed to satisfy constraint: Map keys must satisfy "
            "constraint: [Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]");
  in.transformer = InputTransformer{{{"", "$.a"}, {"ok_key-1", "$." + std::string(300, 'b')}}, "x"};
  r = refusal(in);
  EXPECT_TRUE(starts_with(r, "2 validation errors detected: ")) << r;
  EXPECT_TRUE(contains(r, "Map keys must satisfy constraint: [Member must have length greater than or equal to 1, "
                          "Member must satisfy regular expression pattern: [A-Za-z0-9\\_\\-]+]; "));
  EXPECT_TRUE(contains(r, "Map values must satisfy constraint: [Member must have length less than or equal to 256]"));

  in.transformer = InputTransformer{{{"a", "$.detail..a"}}, "<a>"};
  EXPECT_EQ(refusal(in), "InputPathsMap for target t1 has an invalid JSON path for a: $.detail..a");
  in.transformer = InputTransformer{{{"a", "$['detail']"}}, "<a>"};
  EXPECT_EQ(refusal(in), "InputPathsMap for target t1 has an invalid JSON path for a: $['detail']");
}

TEST(Validation, InputPathMustBeAPath) {
  TargetInput in;
  in.input_path = "detail.state";
  EXPECT_EQ(refusal(in), "InputPath for target t1 is not a valid JSON path: detail.state");
  in.input_path = "$.detail[?(@.x)]";
  EXPECT_EQ(refusal(in), "InputPath for target t1 is not a valid JSON path: $.detail[?(@.x)]");
}

TEST(Validation, PlaceholdersMustBeDefined) {
  EXPECT_EQ(refusal(with_template(R"("Event of <state> type, with not defined key <notdefinedkey>")")),
            "InputTemplate for target t1 contains invalid placeholder notdefinedkey.");
  EXPECT_EQ(refusal(with_template("a <> b")), "InputTemplate for target t1 contains invalid placeholder .");
  EXPECT_EQ(refusal(with_template("a < b > c")), "InputTemplate for target t1 contains invalid placeholder  b .");
  EXPECT_EQ(refusal(with_template("<aws.events.rule>")),
            "InputTemplate for target t1 contains invalid placeholder aws.events.rule.");
  // A '<' that closes nothing is text.
  EXPECT_EQ(refusal(with_template("a < b and <state>")), "accepted");
  EXPECT_EQ(refusal(with_template("<<state>")), "accepted");
  EXPECT_EQ(refusal(with_template("a <\n> b")), "accepted");
}

TEST(Validation, PlaceholdersCannotBeObjectKeys) {
  const std::string as_key =
      "InputTemplate for target t1 uses placeholder instance as an object key: the placeholder cannot be used as an "
      "object key.";
  EXPECT_EQ(refusal(with_template(R"({<instance>: 1})")), as_key);
  EXPECT_EQ(refusal(with_template(R"({"<instance>": 1})")), as_key);
  EXPECT_EQ(refusal(with_template(R"({"a": 1, "id-<instance>": 2})")), as_key);
  EXPECT_EQ(refusal(with_template(R"({"a": {"b": 1, <instance>: 2}})")), as_key);
  EXPECT_EQ(refusal(with_template(R"({"a": [{"k": <state>}, <instance>], "b": "<instance>"})")), "accepted");
  EXPECT_EQ(refusal(with_template(R"({"a:<instance>": 1})")), as_key);  // a colon inside the key's literal
  // Not JSON templates: no object keys.
  EXPECT_EQ(refusal(with_template(R"("{<instance>: 1}")")), "accepted");
  EXPECT_EQ(refusal(with_template(R"([<instance>])")), "accepted");
}

TEST(Validation, ConstraintErrorsForAGatheringCaller) {
  TargetInput in;
  in.input = std::string(9000, '1');
  in.input_path = std::string(300, '$');
  auto errors = buses::target_input_constraint_errors(in, 2);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_TRUE(contains(errors[0], "at 'targets.2.member.input' "));
  EXPECT_TRUE(contains(errors[1], "at 'targets.2.member.inputPath' "));
  EXPECT_TRUE(buses::target_input_constraint_errors({}, 1).empty());
}

// --- robustness ------------------------------------------------------------------------------------

TEST(Robustness, OddTemplatesRenderDeterministically) {
  std::vector<std::string> odd = {
      "<", ">", "<>", "<<>>", "abc<", "<state", "state>", "<state>>", "<<state>", "\\", "\"\\", "{", "}", "{}",
      "{\"a\": \"\\", "{\"a\": <state", "{\"a\": \"<state>\\\"}", "\"unterminated <state>", "{\"a\":\"x\\\"<state>\\\"\"}",
      "{\"a\": [<state>, {\"b\": <aws.events.event>}]}", "{\"a\" <state>}", "{:<state>}", "{,,,<state>]]]",
      std::string(20000, '{'), std::string(20000, '[') + "<state>" + std::string(20000, ']'),
      "{\"a\":" + std::string(3000, '[') + "<state>" + std::string(3000, ']') + "}", std::string(5000, '<'),
      std::string("<\0>", 3), "<\xff\xfe>", "{\"\xc3\": <state>}"};
  // And generated ones, from a fixed seed.
  const std::vector<std::string> tokens = {"{", "}", "[", "]", "\"", "\\", ":", ",", " ", "<", ">", "<state>",
                                           "<instance>", "<nope>", "<aws.events.event>", "<aws.events.event.json>",
                                           "<aws.events.rule-arn>", "x", "1", "null", "\n", "\\\"", "<>"};
  std::mt19937 rng(20240611);
  for (int i = 0; i < 3000; ++i) {
    std::string t = rng() % 2 ? "{" : "";
    size_t n = rng() % 24;
    for (size_t k = 0; k < n; ++k) t += tokens[rng() % tokens.size()];
    odd.push_back(std::move(t));
  }
  json::value e = event();
  int json_rendered = 0;
  for (const auto& t : odd) {
    TargetInput in = with_template(t);
    auto status = buses::validate_target_input(in, "t1");
    InputPlan plan(in);
    auto a = plan.render(e, kRule);
    auto b = InputPlan(in).render(e, kRule);
    ASSERT_EQ(a, b) << t.substr(0, 100);
    // What comes out of a JSON template is JSON.
    size_t first = t.find_first_not_of(" \t\r\n");
    if (a && first != std::string::npos && t[first] == '{') {
      json::error_code ec;
      json::parse_options opt;
      opt.max_depth = 100000;
      json::parse(*a, ec, {}, opt);
      EXPECT_FALSE(ec) << t.substr(0, 100) << " -> " << a->substr(0, 100);
      ++json_rendered;
    }
    (void)status;
  }
  EXPECT_GT(json_rendered, 5);  // the check above did run
}

namespace {

// Generated well-formed JSON templates: every one validates, renders, and
// renders to JSON.
std::string generated_value(std::mt19937& rng, int depth) {
  switch (rng() % (depth > 0 ? 8 : 5)) {
    case 0: return std::to_string(rng() % 1000);
    case 1: return R"("text <state> \" q \\")";
    case 2: return "<state>";
    case 3: return "<aws.events.event>";
    case 4: return R"("<instance>:<aws.events.rule-arn>")";
    case 5: case 6: {
      std::string o = "{";
      for (size_t i = 0, n = rng() % 4; i < n; ++i)
        o += (i ? ", " : "") + std::string("\"k") + std::to_string(i) + "\" : " + generated_value(rng, depth - 1);
      return o + "}";
    }
    default: {
      std::string a = "[";
      for (size_t i = 0, n = rng() % 4; i < n; ++i) a += (i ? "," : "") + generated_value(rng, depth - 1);
      return a + "]";
    }
  }
}

}  // namespace

TEST(Robustness, GeneratedJsonTemplatesRenderToJson) {
  std::mt19937 rng(42);
  json::value e = event();
  for (int i = 0; i < 500; ++i) {
    std::string t = "{\"root\": " + generated_value(rng, 4) + "}";
    TargetInput in = with_template(t);
    ASSERT_TRUE(buses::validate_target_input(in, "t1").ok()) << t;
    auto out = InputPlan(in).render(e, kRule);
    ASSERT_TRUE(out) << t;
    json::error_code ec;
    json::parse(*out, ec);
    EXPECT_FALSE(ec) << t << " -> " << *out;
  }
}

TEST(Robustness, OddPathsNeverMatchWrongly) {
  json::value e = event();
  std::mt19937 rng(7);
  const std::string alphabet = "$.[]*'\"0123456789abdetil-_/ ?@:";
  for (int i = 0; i < 5000; ++i) {
    std::string p;
    size_t n = rng() % 20;
    for (size_t k = 0; k < n; ++k) p += alphabet[rng() % alphabet.size()];
    auto a = buses::select_path(p, e);
    EXPECT_EQ(a, buses::select_path(p, e)) << p;
    if (a) {
      EXPECT_TRUE(JsonPath::parse(p, true)) << p;
    }
  }
}
