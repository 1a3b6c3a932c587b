// The SQS service through the edge router, in both protocols.
#include "sqs/service.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <thread>

#include "aws/router.h"
#include "aws/test_request.h"
#include "base/encoding.h"
#include "queue/test_dir.h"

namespace nimbus::sqs {
namespace {

using aws::testing::make_request;
using aws::testing::run;

struct Sqs {
  queue::TestDir dir{"sqs-service-"};
  std::unique_ptr<queue::Store> store = std::move(*queue::Store::open(dir.file("queue.db")));
  Queues queues{*store, "us-east-1"};
  boost::asio::thread_pool blocking{2};
  Service service{queues, blocking};
  auth::CredentialStore credentials = auth::CredentialStore::with_defaults();
  auth::SigningKeyCache keys;
  aws::Router router{aws::Authenticator{credentials, keys, "000000000000", nullptr}};
  Sqs() { router.add(service.descriptor()); }

  http::Response json(const std::string& op, const std::string& body) {
    auto t = make_request("POST", "/", body,
                          {{"x-amz-target", "AmazonSQS." + op}, {"content-type", "application/x-amz-json-1.0"}}, "sqs");
    return run(router.handle(t->req));
  }
  http::Response query(const std::string& body) {
    auto t = make_request("POST", "/", body, {{"content-type", "application/x-www-form-urlencoded; charset=utf-8"}},
                          "sqs");
    return run(router.handle(t->req));
  }
  boost::json::object object(const http::Response& r) { return boost::json::parse(r.body).as_object(); }
};

std::string header(const http::Response& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (base::iequals(k, name)) return v;
  return "";
}

TEST(SqsService, JsonCreateSendReceiveDelete) {
  Sqs s;
  auto created = s.json("CreateQueue", R"({"QueueName":"q"})");
  ASSERT_EQ(created.status, 200) << created.body;
  EXPECT_EQ(s.object(created)["QueueUrl"], "http://localhost:4566/000000000000/q");
  auto sent = s.json("SendMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/q","MessageBody":"hello"})");
  ASSERT_EQ(sent.status, 200) << sent.body;
  EXPECT_EQ(s.object(sent)["MD5OfMessageBody"], "5d41402abc4b2a76b9719d911017c592");
  auto got = s.json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/q","AttributeNames":["All"]})");
  ASSERT_EQ(got.status, 200) << got.body;
  auto m = s.object(got)["Messages"].as_array().at(0).as_object();
  EXPECT_EQ(m["Body"], "hello");
  std::string handle(m["ReceiptHandle"].as_string());
  auto del = s.json("DeleteMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/q","ReceiptHandle":")" +
                                          handle + R"("})");
  EXPECT_EQ(del.status, 200) << del.body;
}

TEST(SqsService, ErrorsCarryTheQueryCodeInBothProtocols) {
  Sqs s;
  auto j = s.json("GetQueueUrl", R"({"QueueName":"nope"})");
  EXPECT_EQ(j.status, 400);
  EXPECT_EQ(s.object(j)["__type"], "com.amazonaws.sqs#QueueDoesNotExist");
  EXPECT_EQ(header(j, "x-amzn-query-error"), "AWS.SimpleQueueService.NonExistentQueue;Sender");
  auto q = s.query("Action=GetQueueUrl&Version=2012-11-05&QueueName=nope");
  EXPECT_EQ(q.status, 400);
  EXPECT_NE(q.body.find("<Code>AWS.SimpleQueueService.NonExistentQueue</Code>"), std::string::npos) << q.body;
}

TEST(SqsService, QueryAnswersInXml) {
  Sqs s;
  auto c = s.query("Action=CreateQueue&Version=2012-11-05&QueueName=q&Attribute.1.Name=DelaySeconds&Attribute.1.Value=0");
  ASSERT_EQ(c.status, 200) << c.body;
  EXPECT_NE(c.body.find("<CreateQueueResult><QueueUrl>http://localhost:4566/000000000000/q</QueueUrl>"),
            std::string::npos)
      << c.body;
  auto a = s.query("Action=GetQueueAttributes&Version=2012-11-05&QueueUrl=http%3A%2F%2Flocalhost%3A4566%2F000000000000%2Fq"
                   "&AttributeName.1=DelaySeconds");
  EXPECT_NE(a.body.find("<Attribute><Name>DelaySeconds</Name><Value>0</Value></Attribute>"), std::string::npos) << a.body;
}

TEST(SqsService, LongPollWakesWhenAMessageArrives) {
  Sqs s;
  ASSERT_EQ(s.json("CreateQueue", R"({"QueueName":"q"})").status, 200);
  auto started = std::chrono::steady_clock::now();
  std::thread sender([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    SendRequest r;
    r.body = "late";
    ASSERT_TRUE(s.queues.send("q", r).ok());
  });
  auto got = s.json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/q","WaitTimeSeconds":10})");
  sender.join();
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(s.object(got)["Messages"].as_array().at(0).as_object()["Body"], "late");
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(8)) << "woke by the send, not the wait's end";
}

TEST(SqsService, StopAnswersWaitingLongPollsAtOnce) {
  Sqs s;
  ASSERT_EQ(s.json("CreateQueue", R"({"QueueName":"q"})").status, 200);
  auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    s.service.stop();
  });
  auto got = s.json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/q","WaitTimeSeconds":20})");
  stopper.join();
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_FALSE(s.object(got).contains("Messages"));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15)) << "woken by stop, not the wait's end";
  auto after = s.json("ReceiveMessage", R"({"QueueUrl":"http://localhost:4566/000000000000/q","WaitTimeSeconds":20})");
  EXPECT_EQ(after.status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(15)) << "a new poll answers at once";
}

}  // namespace
}  // namespace nimbus::sqs
