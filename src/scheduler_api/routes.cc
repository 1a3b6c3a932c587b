#include "scheduler_api/routes.h"

namespace nimbus::scheduler_api {

const aws::RouteTable<Operation>& routes() {
  static const aws::RouteTable<Operation> table = [] {
    aws::RouteTable<Operation> t;
    t.add("GET", "/schedules", "ListSchedules", &list_schedules);
    t.add("POST", "/schedules/{Name}", "CreateSchedule", &create_schedule);
    t.add("GET", "/schedules/{Name}", "GetSchedule", &get_schedule);
    t.add("PUT", "/schedules/{Name}", "UpdateSchedule", &update_schedule);
    t.add("DELETE", "/schedules/{Name}", "DeleteSchedule", &delete_schedule);
    t.add("GET", "/schedule-groups", "ListScheduleGroups", &list_schedule_groups);
    t.add("POST", "/schedule-groups/{Name}", "CreateScheduleGroup", &create_schedule_group);
    t.add("GET", "/schedule-groups/{Name}", "GetScheduleGroup", &get_schedule_group);
    t.add("DELETE", "/schedule-groups/{Name}", "DeleteScheduleGroup", &delete_schedule_group);
    // The ARN is one URI label, its '/' sent as %2F; greedy so that a client sending it raw is served too.
    t.add("GET", "/tags/{ResourceArn+}", "ListTagsForResource", &list_tags_for_resource);
    t.add("POST", "/tags/{ResourceArn+}", "TagResource", &tag_resource);
    t.add("DELETE", "/tags/{ResourceArn+}", "UntagResource", &untag_resource);
    return t;
  }();
  return table;
}

}  // namespace nimbus::scheduler_api
