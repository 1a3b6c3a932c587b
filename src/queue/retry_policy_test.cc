#include "queue/retry_policy.h"

#include <gtest/gtest.h>

namespace nimbus::queue {
namespace {

using Kind = RetryDecision::Kind;

RetryConfig lambda_defaults() {
  RetryConfig c;
  c.delays_ms = {60'000, 120'000};
  c.max_retries = 2;
  c.max_age_ms = 6LL * 3600 * 1000;
  c.throttle_delay_ms = 500;
  return c;
}

TEST(RetryPolicy, SuccessIsDoneWhateverTheAgeOrAttempts) {
  for (int before : {0, 1, 2, 7})
    for (int64_t age : {int64_t{0}, int64_t{1} << 40}) {
      auto d = decide_retry(before, age, AttemptOutcome::kSuccess, lambda_defaults());
      EXPECT_EQ(d.kind, Kind::kDone);
      EXPECT_EQ(d.attempts, before + 1);
    }
}

TEST(RetryPolicy, FailuresFollowTheScheduleThenDeadLetter) {
  auto c = lambda_defaults();
  EXPECT_EQ(decide_retry(0, 0, AttemptOutcome::kFailed, c), (RetryDecision{Kind::kRetry, 60'000, "", 1}));
  EXPECT_EQ(decide_retry(1, 0, AttemptOutcome::kFailed, c), (RetryDecision{Kind::kRetry, 120'000, "", 2}));
  EXPECT_EQ(decide_retry(2, 0, AttemptOutcome::kFailed, c),
            (RetryDecision{Kind::kDeadLetter, 0, "RetriesExhausted", 3}));
}

TEST(RetryPolicy, TheLastDelayRepeats) {
  auto c = lambda_defaults();
  c.max_retries = 5;
  for (int before = 2; before < 5; ++before)
    EXPECT_EQ(decide_retry(before, 0, AttemptOutcome::kFailed, c).delay_ms, 120'000) << before;
  EXPECT_EQ(decide_retry(5, 0, AttemptOutcome::kFailed, c).kind, Kind::kDeadLetter);
}

TEST(RetryPolicy, NoDelaysMeansTheThrottleDelay) {
  auto c = lambda_defaults();
  c.delays_ms.clear();
  EXPECT_EQ(decide_retry(0, 0, AttemptOutcome::kFailed, c), (RetryDecision{Kind::kRetry, 500, "", 1}));
}

TEST(RetryPolicy, ZeroRetriesDeadLettersTheFirstFailure) {
  auto c = lambda_defaults();
  c.max_retries = 0;
  EXPECT_EQ(decide_retry(0, 0, AttemptOutcome::kFailed, c),
            (RetryDecision{Kind::kDeadLetter, 0, "RetriesExhausted", 1}));
  // A throttle still waits: it was no attempt.
  EXPECT_EQ(decide_retry(0, 0, AttemptOutcome::kThrottled, c), (RetryDecision{Kind::kRetryUnspent, 500, "", 0}));
}

TEST(RetryPolicy, ThrottlesWaitWithoutSpendingAttempts) {
  auto c = lambda_defaults();
  for (int before = 0; before <= 2; ++before)
    EXPECT_EQ(decide_retry(before, 1000, AttemptOutcome::kThrottled, c),
              (RetryDecision{Kind::kRetryUnspent, 500, "", before}));
}

TEST(RetryPolicy, AgeIsCheckedFirstForEveryFailure) {
  auto c = lambda_defaults();
  int64_t old = c.max_age_ms + 1;
  EXPECT_EQ(decide_retry(0, c.max_age_ms, AttemptOutcome::kFailed, c).kind, Kind::kRetry) << "at the limit: not yet";
  EXPECT_EQ(decide_retry(0, old, AttemptOutcome::kFailed, c),
            (RetryDecision{Kind::kDeadLetter, 0, "EventAgeExceeded", 1}));
  EXPECT_EQ(decide_retry(1, old, AttemptOutcome::kThrottled, c),
            (RetryDecision{Kind::kDeadLetter, 0, "EventAgeExceeded", 1}));
  EXPECT_EQ(decide_retry(2, old, AttemptOutcome::kFailed, c).condition, "EventAgeExceeded")
      << "both exhausted and too old: age wins, as Lambda reports it";
  EXPECT_EQ(decide_retry(0, old, AttemptOutcome::kGone, c).condition, "EventAgeExceeded");
}

TEST(RetryPolicy, AGoneTargetIsADeadLetterAtOnce) {
  EXPECT_EQ(decide_retry(0, 0, AttemptOutcome::kGone, lambda_defaults()),
            (RetryDecision{Kind::kDeadLetter, 0, "RetriesExhausted", 1}));
}

// Every combination in a small grid, against the rules written out once more.
TEST(RetryPolicy, Exhaustive) {
  for (int retries = 0; retries <= 3; ++retries)
    for (size_t ndelays = 0; ndelays <= 3; ++ndelays)
      for (int before = 0; before <= retries + 1; ++before)
        for (int64_t age : {int64_t{0}, int64_t{999}, int64_t{1000}, int64_t{1001}})
          for (auto outcome : {AttemptOutcome::kSuccess, AttemptOutcome::kFailed, AttemptOutcome::kThrottled,
                               AttemptOutcome::kGone}) {
            RetryConfig c;
            c.max_retries = retries;
            c.max_age_ms = 1000;
            c.throttle_delay_ms = 7;
            for (size_t i = 0; i < ndelays; ++i) c.delays_ms.push_back(100 * static_cast<int64_t>(i + 1));
            auto d = decide_retry(before, age, outcome, c);
            SCOPED_TRACE(::testing::Message() << "retries " << retries << " delays " << ndelays << " before " << before
                                              << " age " << age << " outcome " << static_cast<int>(outcome));
            if (outcome == AttemptOutcome::kSuccess) {
              EXPECT_EQ(d.kind, Kind::kDone);
              continue;
            }
            int spent = outcome == AttemptOutcome::kThrottled ? before : before + 1;
            EXPECT_EQ(d.attempts, spent);
            if (age > 1000) {
              EXPECT_EQ(d, (RetryDecision{Kind::kDeadLetter, 0, "EventAgeExceeded", spent}));
            } else if (outcome == AttemptOutcome::kGone || spent > retries) {
              EXPECT_EQ(d, (RetryDecision{Kind::kDeadLetter, 0, "RetriesExhausted", spent}));
            } else if (outcome == AttemptOutcome::kThrottled) {
              EXPECT_EQ(d, (RetryDecision{Kind::kRetryUnspent, 7, "", spent}));
            } else {
              int64_t want = ndelays == 0 ? 7 : 100 * static_cast<int64_t>(std::min<size_t>(spent, ndelays));
              EXPECT_EQ(d, (RetryDecision{Kind::kRetry, want, "", spent}));
            }
          }
}

}  // namespace
}  // namespace nimbus::queue
