// The image fields of one environment's overlay, keyed so that the same service can be found in
// another environment: the file's path relative to the environment directory, the YAML document
// and the key path. `promote` and `inventory` match environments this way.
#pragma once

#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/result.h"
#include "plan/workspace.h"
#include "policy/config.h"

namespace imagepin::plan {

struct EnvironmentField {
  const ScannedFile* file = nullptr;
  const scan::ImageField* field = nullptr;
  std::string relative;  // "apps/api.yaml" for sources/values/env/dev/apps/api.yaml
  std::string key;       // relative + document + key path: equal across environments
};

struct EnvironmentImages {
  std::string name;
  std::string dir;  // as configured: "sources/values/env/dev"
  // Owned here so that the pointers in `fields` stay valid when the struct moves.
  std::unique_ptr<std::vector<ScannedFile>> files;
  std::vector<EnvironmentField> fields;            // in file order
  std::unordered_map<std::string, size_t> by_key;  // key → index in fields (the first, if twice)

  const EnvironmentField* Find(const std::string& key) const;
};

// The environment `name` (directory `dir`, as configured) made of files already scanned: keys
// each field by its path relative to `dir`. Pure; LoadEnvironment reads, then calls it.
EnvironmentImages MakeEnvironment(std::string name, std::string dir,
                                  std::vector<ScannedFile> files);

// Scans an environment's files (with `fingerprint`, for writing: see ScanEntries). An unknown
// environment, a missing directory, or a file that cannot be read or parsed is an error naming it.
base::Result<EnvironmentImages> LoadEnvironment(const std::string& root,
                                                const policy::Config& config,
                                                const std::string& name, unsigned jobs,
                                                bool fingerprint = false);

}  // namespace imagepin::plan
