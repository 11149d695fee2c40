// The effective configuration as `imagepin config` shows it: every setting Config holds, its
// value as JSON and where that value comes from (the default, a line of .imagepin.yaml, the git
// remote, an environment variable, or nowhere). Pure over a loaded Config: no file is read here.
// docs/config.md ("Seeing the effective configuration") describes the output.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "policy/config.h"

namespace imagepin::policy {

// Where one setting's value comes from.
struct SettingOrigin {
  Origin::Kind kind = Origin::Kind::kDefault;
  std::string path;    // kFile: the config file as displayed; kGitRemote: ".git/config"
  int line = 0;        // kFile, kGitRemote: 1-based
  std::string detail;  // kGitRemote: the remote's URL (no user info or query); kEnvironment: the
                       // variable; kNone: why there is no value
};

struct Setting {
  std::string key;               // dotted path: "scope.include", "environments[0].path"
  nlohmann::ordered_json value;  // null: not set, the documented behaviour applies
  SettingOrigin origin;
};

// Every setting of `config`, in docs/config.md's order. Lists of entries (environments,
// applications.apps, bump.holds, registries, exceptions) give one setting per field of each entry,
// or one for the whole list when it is empty. An entry's optional field the file leaves out is
// null. Nothing in Config is a credential (registry credentials never live in .imagepin.yaml), and
// a git remote's user information is already gone from Origin::detail.
std::vector<Setting> EffectiveSettings(const Config& config);

// "default", ".imagepin.yaml:5", "git remote (.git/config:2, https://github.com/acme/app)",
// "env GITHUB_REPOSITORY_OWNER", "none (no .git here)".
std::string OriginText(const SettingOrigin& origin);

// A value on one line for people: strings bare unless they would read as something else
// (empty, blanks, control characters, quotes, commas, brackets: then JSON-quoted), lists as
// `[a, b]`, null as `-`.
std::string ValueText(const nlohmann::ordered_json& value);

// One line per setting: key, value and origin, the key and value columns aligned (a value
// longer than kMaxAlignedValue pushes only its own origin right).
inline constexpr size_t kMaxAlignedValue = 48;
std::string SettingsText(const std::vector<Setting>& settings);

// [{"key": …, "value": …, "origin": {"kind", "path", "line", "detail"}}, …]; absent parts of an
// origin are null. Kinds: "default", "file", "git-remote", "env", "none".
nlohmann::ordered_json SettingsJson(const std::vector<Setting>& settings);

}  // namespace imagepin::policy
