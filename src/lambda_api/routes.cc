#include "lambda_api/routes.h"

#include <string>

namespace nimbus::lambda_api {

namespace {

constexpr Route kRoutes[] = {
    {"POST", "/2015-03-31/functions", "CreateFunction", create_function},
    {"GET", "/2015-03-31/functions", "ListFunctions", list_functions},
    {"GET", "/2015-03-31/functions/{FunctionName}", "GetFunction", get_function},
    {"DELETE", "/2015-03-31/functions/{FunctionName}", "DeleteFunction", delete_function},
    {"GET", "/2015-03-31/functions/{FunctionName}/configuration", "GetFunctionConfiguration",
     get_function_configuration},
    {"PUT", "/2015-03-31/functions/{FunctionName}/configuration", "UpdateFunctionConfiguration",
     update_function_configuration},
    {"PUT", "/2015-03-31/functions/{FunctionName}/code", "UpdateFunctionCode", update_function_code},
    {"POST", "/2015-03-31/functions/{FunctionName}/invocations", "Invoke", invoke},
    {"POST", "/2021-11-15/functions/{FunctionName}/response-streaming-invocations", "InvokeWithResponseStream",
     invoke_with_response_stream},
    {"POST", "/2015-03-31/functions/{FunctionName}/versions", "PublishVersion", publish_version},
    {"GET", "/2015-03-31/functions/{FunctionName}/versions", "ListVersionsByFunction", list_versions},
    {"POST", "/2015-03-31/functions/{FunctionName}/aliases", "CreateAlias", create_alias},
    {"GET", "/2015-03-31/functions/{FunctionName}/aliases", "ListAliases", list_aliases},
    {"GET", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "GetAlias", get_alias},
    {"PUT", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "UpdateAlias", update_alias},
    {"DELETE", "/2015-03-31/functions/{FunctionName}/aliases/{Name}", "DeleteAlias", delete_alias},
    // botocore sends reserved concurrency under 2017-10-31; the newer API date is accepted too.
    {"PUT", "/2017-10-31/functions/{FunctionName}/concurrency", "PutFunctionConcurrency", put_function_concurrency},
    {"PUT", "/2019-09-30/functions/{FunctionName}/concurrency", "PutFunctionConcurrency", put_function_concurrency},
    {"GET", "/2017-10-31/functions/{FunctionName}/concurrency", "GetFunctionConcurrency", get_function_concurrency},
    {"GET", "/2019-09-30/functions/{FunctionName}/concurrency", "GetFunctionConcurrency", get_function_concurrency},
    {"DELETE", "/2017-10-31/functions/{FunctionName}/concurrency", "DeleteFunctionConcurrency",
     delete_function_concurrency},
    {"DELETE", "/2019-09-30/functions/{FunctionName}/concurrency", "DeleteFunctionConcurrency",
     delete_function_concurrency},
    {"PUT", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency", "PutProvisionedConcurrencyConfig",
     put_provisioned_concurrency_config},
    {"GET", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency", "GetProvisionedConcurrencyConfig",
     get_provisioned_concurrency_config},
    {"DELETE", "/2019-09-30/functions/{FunctionName}/provisioned-concurrency", "DeleteProvisionedConcurrencyConfig",
     delete_provisioned_concurrency_config},
    {"PUT", "/2019-09-25/functions/{FunctionName}/event-invoke-config", "PutFunctionEventInvokeConfig",
     put_function_event_invoke_config},
    {"POST", "/2019-09-25/functions/{FunctionName}/event-invoke-config", "UpdateFunctionEventInvokeConfig",
     update_function_event_invoke_config},
    {"GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config", "GetFunctionEventInvokeConfig",
     get_function_event_invoke_config},
    {"DELETE", "/2019-09-25/functions/{FunctionName}/event-invoke-config", "DeleteFunctionEventInvokeConfig",
     delete_function_event_invoke_config},
    {"GET", "/2019-09-25/functions/{FunctionName}/event-invoke-config/list", "ListFunctionEventInvokeConfigs",
     list_function_event_invoke_configs},
    {"POST", "/2015-03-31/functions/{FunctionName}/policy", "AddPermission", add_permission},
    {"GET", "/2015-03-31/functions/{FunctionName}/policy", "GetPolicy", get_policy},
    {"DELETE", "/2015-03-31/functions/{FunctionName}/policy/{StatementId}", "RemovePermission", remove_permission},
    {"GET", "/2017-03-31/tags/{ARN}", "ListTags", list_tags},
    {"POST", "/2017-03-31/tags/{ARN}", "TagResource", tag_resource},
    {"DELETE", "/2017-03-31/tags/{ARN}", "UntagResource", untag_resource},
    {"GET", "/2016-08-19/account-settings", "GetAccountSettings", get_account_settings},
    {"GET", "/2020-06-30/functions/{FunctionName}/code-signing-config", "GetFunctionCodeSigningConfig",
     get_function_code_signing_config},
    {"PUT", "/2020-06-30/functions/{FunctionName}/code-signing-config", "PutFunctionCodeSigningConfig",
     put_function_code_signing_config},
    {"DELETE", "/2020-06-30/functions/{FunctionName}/code-signing-config", "DeleteFunctionCodeSigningConfig",
     delete_function_code_signing_config},
    {"GET", "/2021-07-20/functions/{FunctionName}/runtime-management-config", "GetRuntimeManagementConfig",
     get_runtime_management_config},
    {"PUT", "/2021-07-20/functions/{FunctionName}/runtime-management-config", "PutRuntimeManagementConfig",
     put_runtime_management_config},
    {"POST", "/2015-03-31/event-source-mappings", "CreateEventSourceMapping", create_event_source_mapping},
    {"POST", "/2015-03-31/event-source-mappings/", "CreateEventSourceMapping", create_event_source_mapping},
    {"GET", "/2015-03-31/event-source-mappings", "ListEventSourceMappings", list_event_source_mappings},
    {"GET", "/2015-03-31/event-source-mappings/", "ListEventSourceMappings", list_event_source_mappings},
    {"GET", "/2015-03-31/event-source-mappings/{UUID}", "GetEventSourceMapping", get_event_source_mapping},
    {"PUT", "/2015-03-31/event-source-mappings/{UUID}", "UpdateEventSourceMapping", update_event_source_mapping},
    {"DELETE", "/2015-03-31/event-source-mappings/{UUID}", "DeleteEventSourceMapping", delete_event_source_mapping},
    {"POST", "/2021-10-31/functions/{FunctionName}/url", "CreateFunctionUrlConfig", create_function_url_config},
    {"GET", "/2021-10-31/functions/{FunctionName}/url", "GetFunctionUrlConfig", get_function_url_config},
    {"PUT", "/2021-10-31/functions/{FunctionName}/url", "UpdateFunctionUrlConfig", update_function_url_config},
    {"DELETE", "/2021-10-31/functions/{FunctionName}/url", "DeleteFunctionUrlConfig", delete_function_url_config},
    {"GET", "/2021-10-31/functions/{FunctionName}/urls", "ListFunctionUrlConfigs", list_function_url_configs},
};

}  // namespace

std::span<const Route> route_list() { return kRoutes; }

const aws::RouteTable<Handler>& routes() {
  static const aws::RouteTable<Handler> table = [] {
    aws::RouteTable<Handler> t;
    for (const Route& r : kRoutes) t.add(std::string(r.method), r.path, std::string(r.operation), r.handler);
    return t;
  }();
  return table;
}

}  // namespace nimbus::lambda_api
