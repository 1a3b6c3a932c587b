#include "events/bus_event.h"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace nimbus::events {
namespace {

namespace json = boost::json;

storage::ObjectEvent put_event() {
  storage::ObjectEvent ev;
  ev.kind = storage::EventKind::kPut;
  ev.bucket = "photos";
  ev.key = "in/red flower.jpg";
  ev.size = 5;
  ev.etag = "b1946ac92492d2347c6235b4d2611184";
  ev.sequencer = "0000000000000007";
  ev.time_ms = 1513968228123;  // 2017-12-22T18:43:48.123Z
  ev.context.request_id = "N4N7GDK58NMKJ12R";
  ev.context.source_ip = "1.2.3.4";
  ev.context.principal = "AKIDEXAMPLE";
  return ev;
}

json::value parsed(const storage::ObjectEvent& ev) {
  return json::parse(s3_bus_event_json(ev, "us-east-1", "17793124-05d4-4198-afde-7ededc63b103"));
}

// Every field of AWS's "Object Created" example, in its order.
TEST(BusEvent, ObjectCreatedHasAwsFields) {
  std::string text = s3_bus_event_json(put_event(), "us-east-1", "17793124-05d4-4198-afde-7ededc63b103");
  EXPECT_EQ(text,
            R"({"version":"0","id":"17793124-05d4-4198-afde-7ededc63b103","detail-type":"Object Created",)"
            R"("source":"aws.s3","account":"000000000000","time":"2017-12-22T18:43:48Z","region":"us-east-1",)"
            R"("resources":["arn:aws:s3:::photos"],"detail":{"version":"0","bucket":{"name":"photos"},)"
            R"("object":{"key":"in/red+flower.jpg","size":5,"etag":"b1946ac92492d2347c6235b4d2611184",)"
            R"("sequencer":"0000000000000007"},"request-id":"N4N7GDK58NMKJ12R","requester":"000000000000",)"
            R"("source-ip-address":"1.2.3.4","reason":"PutObject"}})");
}

TEST(BusEvent, ReasonNamesTheApi) {
  auto ev = put_event();
  auto reason = [&](storage::EventKind k) {
    ev.kind = k;
    return std::string(parsed(ev).at("detail").at("reason").as_string());
  };
  EXPECT_EQ(reason(storage::EventKind::kPut), "PutObject");
  EXPECT_EQ(reason(storage::EventKind::kPost), "PostObject");
  EXPECT_EQ(reason(storage::EventKind::kCopy), "CopyObject");
  EXPECT_EQ(reason(storage::EventKind::kCompleteMultipartUpload), "CompleteMultipartUpload");
  EXPECT_EQ(parsed(ev).at("detail-type"), "Object Created");
}

// A delete marker in a versioned bucket: AWS's "Object Deleted (using DeleteObject)" example.
TEST(BusEvent, DeleteMarker) {
  auto ev = put_event();
  ev.kind = storage::EventKind::kDeleteMarkerCreated;
  ev.size = 0;
  ev.etag.clear();
  ev.version_id = "1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF";
  json::value e = parsed(ev);
  EXPECT_EQ(e.at("detail-type"), "Object Deleted");
  const auto& d = e.at("detail").as_object();
  EXPECT_EQ(json::serialize(d.at("object")),
            R"({"key":"in/red+flower.jpg","etag":"d41d8cd98f00b204e9800998ecf8427e",)"
            R"("version-id":"1QW9g1Z99LUNbvaaYVpW9xDlOLU.qxgF","sequencer":"0000000000000007"})");
  EXPECT_EQ(d.at("reason"), "DeleteObject");
  EXPECT_EQ(d.at("deletion-type"), "Delete Marker Created");
  EXPECT_EQ(d.at("source-ip-address"), "1.2.3.4");
  // The last field, as AWS writes it.
  EXPECT_EQ(std::prev(d.end())->key(), "deletion-type");
}

TEST(BusEvent, PermanentDelete) {
  auto ev = put_event();
  ev.kind = storage::EventKind::kDelete;
  json::value e = parsed(ev);
  const auto& d = e.at("detail").as_object();
  EXPECT_EQ(d.at("deletion-type"), "Permanently Deleted");
  EXPECT_FALSE(d.at("object").as_object().contains("size"));
  EXPECT_FALSE(d.at("object").as_object().contains("version-id"));  // an unversioned bucket
}

// A lifecycle rule's expiration: no request made it, so S3 is the requester and there is no address.
TEST(BusEvent, LifecycleExpiration) {
  auto ev = put_event();
  ev.kind = storage::EventKind::kDeleteMarkerCreated;
  ev.context = {};
  ev.context.request_id = "lifecycle";
  ev.context.principal = "s3.amazonaws.com";
  ev.context.lifecycle = true;
  json::value e = parsed(ev);
  const auto& d = e.at("detail").as_object();
  EXPECT_EQ(d.at("reason"), "Lifecycle Expiration");
  EXPECT_EQ(d.at("requester"), "s3.amazonaws.com");
  EXPECT_FALSE(d.contains("source-ip-address"));
  EXPECT_EQ(d.at("deletion-type"), "Delete Marker Created");
}

}  // namespace
}  // namespace nimbus::events
