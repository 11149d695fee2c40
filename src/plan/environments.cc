#include "plan/environments.h"

#include <fmt/format.h>

namespace imagepin::plan {

const EnvironmentField* EnvironmentImages::Find(const std::string& key) const {
  for (const EnvironmentField& f : fields) {
    if (f.key == key) return &f;
  }
  return nullptr;
}

base::Result<EnvironmentImages> LoadEnvironment(const std::string& root,
                                                const policy::Config& config,
                                                const std::string& name, unsigned jobs,
                                                bool fingerprint) {
  base::Result<std::vector<scan::FileEntry>> entries = ListEnvironment(root, config, name);
  if (!entries.ok()) return entries.error();
  EnvironmentImages env;
  env.name = name;
  env.dir = config.FindEnvironment(name)->path;
  env.files =
      std::make_unique<std::vector<ScannedFile>>(ScanEntries(*entries, config, jobs, fingerprint));
  if (std::vector<base::Error> problems = ScanProblems(*env.files); !problems.empty()) {
    return problems.front();
  }
  std::string prefix = env.dir;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  prefix += '/';
  for (const ScannedFile& file : *env.files) {
    const std::string& shown = file.entry.display_path;
    std::string relative =
        shown.compare(0, prefix.size(), prefix) == 0 ? shown.substr(prefix.size()) : shown;
    for (const scan::ImageField& field : file.scan.fields.images) {
      std::string key = fmt::format("{}#{}:{}", relative, field.document, field.key_path);
      env.fields.push_back({&file, &field, relative, std::move(key)});
    }
  }
  return env;
}

}  // namespace imagepin::plan
