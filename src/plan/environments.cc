#include "plan/environments.h"

#include <fmt/format.h>

namespace imagepin::plan {

const EnvironmentField* EnvironmentImages::Find(const std::string& key) const {
  auto it = by_key.find(key);
  return it == by_key.end() ? nullptr : &fields[it->second];
}

EnvironmentImages MakeEnvironment(std::string name, std::string dir,
                                  std::vector<ScannedFile> scanned) {
  EnvironmentImages env;
  env.name = std::move(name);
  env.dir = std::move(dir);
  env.files = std::make_unique<std::vector<ScannedFile>>(std::move(scanned));
  std::string prefix = env.dir;
  while (!prefix.empty() && prefix.back() == '/') prefix.pop_back();
  prefix += '/';
  for (const ScannedFile& file : *env.files) {
    const std::string& shown = file.entry.display_path;
    std::string relative =
        shown.compare(0, prefix.size(), prefix) == 0 ? shown.substr(prefix.size()) : shown;
    for (const scan::ImageField& field : file.scan.fields.images) {
      std::string key = fmt::format("{}#{}:{}", relative, field.document, field.key_path);
      env.by_key.emplace(key, env.fields.size());  // the first field of a key is the one found
      env.fields.push_back({&file, &field, relative, std::move(key)});
    }
  }
  return env;
}

base::Result<EnvironmentImages> LoadEnvironment(const std::string& root,
                                                const policy::Config& config,
                                                const std::string& name, unsigned jobs,
                                                bool fingerprint) {
  base::Result<std::vector<scan::FileEntry>> entries = ListEnvironment(root, config, name);
  if (!entries.ok()) return entries.error();
  std::vector<ScannedFile> files = ScanEntries(*entries, config, jobs, fingerprint);
  if (std::vector<base::Error> problems = ScanProblems(files); !problems.empty()) {
    return problems.front();
  }
  return MakeEnvironment(name, config.FindEnvironment(name)->path, std::move(files));
}

}  // namespace imagepin::plan
