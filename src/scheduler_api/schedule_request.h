// CreateSchedule's and UpdateSchedule's request (the same shape: an update
// replaces everything) read into a timetable::Schedule, checked as AWS
// checks it (the model's constraints, in AWS's words) and refusing by name
// what nimbus does not run: KmsKeyArn, targets other than Lambda functions,
// standard SQS queues, standard SNS topics and event buses, and their
// EcsParameters, KinesisParameters, SageMakerPipelineParameters and
// SqsParameters. Pure: it touches no store (fuzzed alone).
// THREADING RULE: pure functions.
#pragma once

#include <cstdint>
#include <string>

#include "base/result.h"
#include "scheduler_api/request.h"
#include "timetable/types.h"

namespace nimbus::scheduler_api {

struct ScheduleRequest {
  timetable::Schedule schedule;  // created and modified at `now_ms`
  std::string token;             // ClientToken, or empty
};

base::Result<ScheduleRequest> read_schedule_request(const Request& r, int64_t now_ms);

}  // namespace nimbus::scheduler_api
