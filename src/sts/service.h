// STS (query protocol, signing name sts, 2011-06-15): GetCallerIdentity —
// the account and ARN of the key that signed — and AssumeRole, whose
// temporary credentials (ASIA… key, secret, session token, expiry) nimbus
// then accepts for signing until they expire. SAM, Terraform and the CDK call
// get-caller-identity before anything else. nimbus has no IAM: any role of
// its one account may be assumed; role chaining is limited to an hour, as AWS
// does.
//
// THREADING RULE: handlers run on io threads and never block (the credential
// store is in memory, thread-safe).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "auth/credentials.h"
#include "aws/service.h"
#include "base/clock.h"
#include "base/result.h"

namespace nimbus::sts {

// STS's wire errors, from domain errors: the one table.
aws::ServiceError error_of(const base::Error& e);

class Service {
 public:
  Service(auth::CredentialStore& credentials, const base::Clock& clock = base::system_clock())
      : credentials_(credentials), clock_(clock) {}

  aws::ServiceDescriptor descriptor();
  boost::asio::awaitable<http::Response> handle(aws::Call& call);

  // The operations, as <OpResult> contents; public for unit tests.
  base::Result<std::string> get_caller_identity(const aws::Call& call) const;
  base::Result<std::string> assume_role(const aws::Call& call);

 private:
  auth::CredentialStore& credentials_;
  const base::Clock& clock_;
};

}  // namespace nimbus::sts
