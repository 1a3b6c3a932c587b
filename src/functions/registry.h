// The function registry: definitions persisted in SQLite (functions.db in
// the data directory) and their unpacked code under functions/<name>/<rev>/.
//
// THREADING RULE. Readers (get, list, resolve, list_versions, the alias,
// event-invoke-config and provisioned getters) never wait on a write: every
// definition is mirrored in an immutable Snapshot that a write replaces as a
// whole, and a reader only copies the pointer to it (a mutex held for that
// copy alone). So they are safe from any thread, the invoker's strand
// included. Writers serialise on a write mutex, write SQLite (fsynced), and
// publish a new snapshot only once the write succeeded: a failed write
// returns its error and leaves what readers see unchanged. Writes block on
// the disk (create and update_code also unpack a zip): call them from the
// blocking pool, never from an io thread or the invoker's strand.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "base/sqlite.h"
#include "functions/code_package.h"
#include "functions/types.h"

namespace nimbus::functions {

class Registry {
 public:
  static base::Result<std::unique_ptr<Registry>> open(const std::string& data_dir, PackageLimits limits = {});

  using Tags = std::map<std::string, std::string>;
  // Where a zip came from: Lambda's 50 MB zipped limit is for direct uploads;
  // a package read from the object store is bounded by the unzipped limit alone.
  enum class Origin { kUpload, kObjectStore };

  // kAlreadyExists when the name is taken; code and bookkeeping fields are filled in.
  base::Result<FunctionConfig> create(FunctionConfig config, std::string_view zip, const Tags& tags = {},
                                      Origin origin = Origin::kUpload);
  base::Result<FunctionConfig> get(const std::string& name);
  std::vector<FunctionConfig> list();
  // Writes that take expected_revision fail with kPreconditionFailed unless it
  // is empty or the function's current RevisionId (Lambda's RevisionId check).
  base::Result<FunctionConfig> update_code(const std::string& name, std::string_view zip,
                                           const std::string& expected_revision = "",
                                           Origin origin = Origin::kUpload);
  // Replaces the configuration (not the code) of an existing function.
  base::Result<FunctionConfig> update_config(const FunctionConfig& config, const std::string& expected_revision = "");
  base::Status remove(const std::string& name);
  // Deletes one published version (and its provisioned concurrency), as
  // DeleteFunction with a Qualifier: kInvalidArgument for $LATEST or a name
  // that is not a version number, kNotFound for a version the function lacks,
  // kConflict while an alias points at it. Its number is never handed out again.
  base::Status remove_version(const std::string& name, const std::string& version);
  base::Result<FunctionConfig> set_reserved_concurrency(const std::string& name, std::optional<int> value);

  // Versions: immutable snapshots of $LATEST, numbered from 1.
  // expected_sha256, when given, must be $LATEST's CodeSha256 (kInvalidArgument otherwise).
  base::Result<FunctionConfig> publish_version(const std::string& name, const std::string& description,
                                               const std::string& expected_revision = "",
                                               const std::string& expected_sha256 = "");
  base::Result<std::vector<FunctionConfig>> list_versions(const std::string& name);  // $LATEST first
  // The configuration a qualifier selects: "" or "$LATEST", a version number, or an
  // alias (a weighted alias picks one of its two versions at random, by weight).
  base::Result<FunctionConfig> resolve(const std::string& name, const std::string& qualifier);

  // Aliases
  // weights: RoutingConfig (at most one other published version, 0..1); kInvalidArgument otherwise.
  base::Result<Alias> create_alias(const std::string& function, const std::string& alias, const std::string& version,
                                   const std::string& description, const std::map<std::string, double>& weights = {});
  base::Result<Alias> get_alias(const std::string& function, const std::string& alias);
  base::Result<Alias> update_alias(const std::string& function, const std::string& alias,
                                   const std::optional<std::string>& version,
                                   const std::optional<std::string>& description,
                                   const std::string& expected_revision = "",
                                   const std::optional<std::map<std::string, double>>& weights = std::nullopt);
  base::Status delete_alias(const std::string& function, const std::string& alias);
  base::Result<std::vector<Alias>> list_aliases(const std::string& function);

  // Event invoke configuration (async retries, maximum age, on-failure
  // destination), one per qualifier as on Lambda: "" or "$LATEST" (the
  // unqualified function's), a version number or an alias (kNotFound for one
  // the function lacks). An asynchronous invocation uses the config of the
  // qualifier it was made with, with no fallback to another's.
  base::Result<EventInvokeConfig> set_event_invoke_config(const std::string& function, const std::string& qualifier,
                                                          EventInvokeConfig config);
  base::Result<EventInvokeConfig> get_event_invoke_config(const std::string& function,
                                                          const std::string& qualifier = "");
  base::Status delete_event_invoke_config(const std::string& function, const std::string& qualifier = "");
  // (qualifier, config) in qualifier order; $LATEST's under "$LATEST".
  base::Result<std::vector<std::pair<std::string, EventInvokeConfig>>> list_event_invoke_configs(
      const std::string& function);

  // Tags belong to the function (every version shares them).
  base::Result<Tags> tags(const std::string& function);
  base::Status tag(const std::string& function, const Tags& add);
  base::Status untag(const std::string& function, const std::vector<std::string>& keys);

  // A resource-based policy of a function, version or alias ("" is the
  // function): its statements by id, in the order they were added, each as
  // the JSON text the API layer made of it. The registry does not read them.
  struct Policy {
    std::vector<std::pair<std::string, std::string>> statements;
    std::string revision_id;
  };
  base::Result<Policy> get_policy(const std::string& function, const std::string& qualifier);  // kNotFound: none
  // kConflict when the id is taken; kNotFound for an unknown qualifier.
  base::Result<Policy> add_statement(const std::string& function, const std::string& qualifier, const std::string& sid,
                                     const std::string& statement, const std::string& expected_revision = "");
  base::Result<Policy> remove_statement(const std::string& function, const std::string& qualifier,
                                        const std::string& sid, const std::string& expected_revision = "");

  // Provisioned concurrency: always-warm instances of a version or alias.
  struct Provisioned {
    std::string function;
    std::string qualifier;
    int count = 0;
    int64_t last_modified_ms = 0;
  };
  base::Result<Provisioned> set_provisioned(const std::string& function, const std::string& qualifier, int count);
  base::Result<Provisioned> get_provisioned(const std::string& function, const std::string& qualifier);
  base::Status delete_provisioned(const std::string& function, const std::string& qualifier);
  std::vector<Provisioned> all_provisioned();

  // Function URLs (Lambda's FunctionUrlConfig): at most one per function
  // ("" qualifier) and per alias, each with a unique 32-character id
  // [0-9a-z] that its host name carries. `config` is the API layer's JSON
  // (AuthType, Cors, InvokeMode); the registry does not read it. Deleted with
  // the function or the alias.
  struct FunctionUrl {
    std::string function;
    std::string qualifier;  // "" or an alias
    std::string url_id;
    std::string config;
    int64_t created_ms = 0;
    int64_t modified_ms = 0;
  };
  // kNotFound for an unknown function or alias; kAlreadyExists when one exists.
  base::Result<FunctionUrl> create_url(const std::string& function, const std::string& qualifier,
                                       const std::string& config);
  base::Result<FunctionUrl> get_url(const std::string& function, const std::string& qualifier);  // from memory
  base::Result<FunctionUrl> update_url(const std::string& function, const std::string& qualifier,
                                       const std::string& config);
  base::Status delete_url(const std::string& function, const std::string& qualifier);
  base::Result<std::vector<FunctionUrl>> list_urls(const std::string& function);  // qualifier order, from memory

  // Every definition at one moment; never changed once published.
  struct Snapshot {
    std::map<std::string, FunctionConfig> functions;  // $LATEST by name
    std::map<std::string, std::map<int, FunctionConfig>> versions;
    std::map<std::string, std::map<std::string, Alias>> aliases;
    std::map<std::pair<std::string, std::string>, Provisioned> provisioned;
    std::map<std::pair<std::string, std::string>, EventInvokeConfig> invoke_configs;  // (function, qualifier)
    std::map<std::string, int> last_version;  // the highest number ever published, deleted ones included
    std::map<std::string, Tags> tags;
    std::map<std::pair<std::string, std::string>, Policy> policies;  // (function, qualifier)
    std::map<std::pair<std::string, std::string>, FunctionUrl> urls;  // (function, "" or alias)
    std::map<std::string, std::pair<std::string, std::string>> url_ids;  // url id -> (function, qualifier)
  };
  std::shared_ptr<const Snapshot> snapshot() const;

 private:
  Registry(std::string data_dir, PackageLimits limits, base::Connection db);
  base::Result<std::string> unpack(const std::string& name, const std::string& revision, std::string_view zip,
                                   UnpackedCode& info, Origin origin);
  // Writers (write_mu_ held): SQLite first; the caller publishes on success.
  base::Status save(const FunctionConfig& c);
  base::Status save_version(const FunctionConfig& c);
  base::Status save_alias(const Alias& a);
  base::Status save_policy(const std::string& function, const std::string& qualifier, const Policy& p);
  // Replaces the published snapshot with a copy changed by `change` (write_mu_ held).
  template <typename F>
  void publish(F&& change);

  std::string dir_;
  PackageLimits limits_;
  std::mutex write_mu_;  // one writer at a time; readers never take it
  base::Connection db_;  // used by writers only, under write_mu_
  mutable std::mutex snapshot_mu_;  // held only to copy or swap the pointer
  std::shared_ptr<const Snapshot> snapshot_;
};

}  // namespace nimbus::functions
