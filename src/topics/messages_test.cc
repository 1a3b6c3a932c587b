#include "topics/messages.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/json.hpp>

#include "base/encoding.h"
#include "topics/signer.h"
#include "topics/test_support.h"

using namespace nimbus;
using namespace nimbus::topics;
namespace json = boost::json;

namespace {

Notification notification() {
  Notification n;
  n.message_id = "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324";
  n.topic_arn = "arn:aws:sns:us-west-2:123456789012:MyTopic";
  n.subject = "My First Message";
  n.message = "Hello world!";
  n.timestamp = "2012-05-02T00:54:06.655Z";
  n.unsubscribe_url = "http://h/?Action=Unsubscribe&SubscriptionArn=x";
  n.signing_cert_url = "http://h/_nimbus/sns/c.pem";
  n.signature = "SIG";
  n.attributes["color"] = {"String", "red"};
  return n;
}

}  // namespace

TEST(Messages, CanonicalStringOfANotificationAsAwsDocumentsIt) {
  EXPECT_EQ(canonical_string(notification()),
            "Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubject\nMy First Message\n"
            "Timestamp\n2012-05-02T00:54:06.655Z\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\nType\nNotification\n");
  auto n = notification();
  n.subject.reset();
  EXPECT_EQ(canonical_string(n).find("Subject"), std::string::npos);
  n.type = "SubscriptionConfirmation";
  n.token = "T";
  n.subscribe_url = "U";
  EXPECT_EQ(canonical_string(n),
            "Message\nHello world!\nMessageId\n22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324\nSubscribeURL\nU\n"
            "Timestamp\n2012-05-02T00:54:06.655Z\nToken\nT\nTopicArn\narn:aws:sns:us-west-2:123456789012:MyTopic\n"
            "Type\nSubscriptionConfirmation\n");
}

TEST(Messages, EnvelopeHasAwsFieldsInAwsOrder) {
  auto v = json::parse(envelope_json(notification())).as_object();
  std::vector<std::string> keys;
  for (const auto& [k, x] : v) keys.emplace_back(k);
  EXPECT_EQ(keys, (std::vector<std::string>{"Type", "MessageId", "TopicArn", "Subject", "Message", "Timestamp",
                                            "SignatureVersion", "Signature", "SigningCertURL", "UnsubscribeURL",
                                            "MessageAttributes"}));
  EXPECT_EQ(v["MessageAttributes"], json::parse(R"({"color":{"Type":"String","Value":"red"}})"));
  auto c = notification();
  c.type = "SubscriptionConfirmation";
  c.token = "T";
  c.subscribe_url = "U";
  auto cv = json::parse(envelope_json(c)).as_object();
  EXPECT_EQ(cv["Token"], "T");
  EXPECT_EQ(cv["SubscribeURL"], "U");
  EXPECT_FALSE(cv.contains("UnsubscribeURL"));
}

TEST(Messages, LambdaEventAsAwsWritesIt) {
  auto n = notification();
  n.subject.reset();
  auto v = json::parse(lambda_event_json(n, "arn:sub"));
  const auto& r = v.at("Records").as_array().at(0).as_object();
  EXPECT_EQ(r.at("EventSource"), "aws:sns");
  EXPECT_EQ(r.at("EventVersion"), "1.0");
  EXPECT_EQ(r.at("EventSubscriptionArn"), "arn:sub");
  const auto& s = r.at("Sns").as_object();
  EXPECT_TRUE(s.at("Subject").is_null());
  EXPECT_EQ(s.at("SigningCertUrl"), "http://h/_nimbus/sns/c.pem");
  EXPECT_EQ(s.at("UnsubscribeUrl"), "http://h/?Action=Unsubscribe&SubscriptionArn=x");
  EXPECT_EQ(s.at("MessageAttributes").at("color").at("Type"), "String");
}

TEST(Signer, SignaturesVerifyWithTheServedCertificate) {
  TestDir dir("signer-");
  auto signer = Signer::open(dir.file("sns"));
  ASSERT_TRUE(signer.ok()) << signer.error().message;
  std::string canonical = canonical_string(notification());
  auto sig = base::base64_decode((*signer)->sign(canonical));
  ASSERT_TRUE(sig);
  const std::string& pem = (*signer)->certificate_pem();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  ASSERT_NE(cert, nullptr);
  EVP_PKEY* key = X509_get_pubkey(cert);
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  ASSERT_EQ(EVP_DigestVerifyInit(ctx, nullptr, EVP_sha1(), nullptr, key), 1);
  EXPECT_EQ(EVP_DigestVerify(ctx, reinterpret_cast<const unsigned char*>(sig->data()), sig->size(),
                             reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size()),
            1);
  EVP_MD_CTX_free(ctx);
  EVP_PKEY_free(key);
  X509_free(cert);
  BIO_free(bio);
  // The same key after a restart.
  auto again = Signer::open(dir.file("sns"));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->certificate_name(), (*signer)->certificate_name());
  EXPECT_TRUE((*signer)->certificate_name().starts_with("SimpleNotificationService-"));
}
