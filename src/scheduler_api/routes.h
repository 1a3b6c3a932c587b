// Scheduler's operations: one row per (method, path template) with its
// operation name and function, as botocore's model of scheduler 2021-06-30
// has them.
// THREADING RULE: built once (a function-local static), then const.
#pragma once

#include "aws/rest_routes.h"
#include "scheduler_api/ops.h"

namespace nimbus::scheduler_api {

const aws::RouteTable<Operation>& routes();

}  // namespace nimbus::scheduler_api
