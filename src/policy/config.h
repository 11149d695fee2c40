// .imagepin.yaml: where things are, what is first-party, which tags are immutable, and the
// exceptions. Every key is optional; Config{} is the default layout, so no file is needed.
// docs/config.md is the reference; keep it in step with ParseConfig.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "scan/file_list.h"

namespace re2 {
class RE2;
}  // namespace re2

namespace imagepin::policy {

inline constexpr std::string_view kConfigFileName = ".imagepin.yaml";

struct Environment {
  std::string name;  // "dev"
  std::string path;  // "sources/values/env/dev", relative to the repository root
};

struct Exception {
  std::string path_glob;  // which files
  std::string rule_id;    // "IP001" (a name in the file is stored as its id)
  std::string key_glob;   // optional: the finding's key path, `*` within one segment
  std::string ref_glob;   // optional: the image reference as written
  std::string reason;
  std::string expires;  // "YYYY-MM-DD" or empty
  int line = 0;         // where the entry starts in the config file (1-based)
  int expires_line = 0, expires_column = 0;
  std::string expires_source_line;  // for reports about the expiry
};

// How to reach one registry host (`registries:` in the config).
struct RegistrySettings {
  std::string host;       // as references name it: "ghcr.io", "registry.internal:5000"
  std::string mirror;     // send its requests here instead ("127.0.0.1:5000"); empty: none
  bool insecure = false;  // plain HTTP allowed, as Docker's insecure-registries
};

// One `bump.holds` entry: a field bump leaves alone and promote will not overwrite in its
// environment (without --ignore-holds), until the hold is removed or its `until` day has passed
// (then it holds nothing and is itself a finding, IP016). policy/holds.h decides what it holds.
struct Hold {
  std::string app;          // a service name as bump and promote print it ("api"), or empty
  std::string repository;   // normalised ("ghcr.io/acme/api", "docker.io/library/x"), or empty
  std::string written;      // the repository as written, for messages
  std::string environment;  // a configured environment
  std::string reason;
  std::string until;  // "YYYY-MM-DD" or empty (no end)
  int line = 0;       // where the entry starts in the config file (1-based)
  int until_line = 0, until_column = 0;
  std::string until_source_line;  // for the IP016 finding's caret
};

// `bump:` — the fast lanes.
struct BumpSettings {
  std::vector<std::string> environments{"local", "dev"};
  std::string channel = "main";  // the producer's channel tag resolved for each repository
  std::vector<Hold> holds;
  // bump.readableTag: what bump writes beside the digest. kNone: `repo@digest`. kRevision:
  // `repo:<short revision>@digest` when the image's org.opencontainers.image.revision gives a
  // tag and the registry confirms that tag names the same digest (decide/readable_tag.h).
  enum class ReadableTag { kNone, kRevision };
  ReadableTag readable_tag = ReadableTag::kNone;
};

// One `platformsRequired` entry: the images whose repository matches `ref_glob` (base/glob,
// `**` spans `/`) must be indexes holding `platforms`, first-party or not.
struct PlatformRequirement {
  std::string ref_glob;  // matched against the fully qualified repository: "ghcr.io/acme/mirror/**"
  std::vector<std::string> platforms;
  int line = 0;  // where the entry starts in the config file (1-based)
};

// One application written out in `applications.apps` (docs/config.md): wins over discovery and
// the convention for the same name.
struct ApplicationEntry {
  std::string name;                       // "platform-alloy-logs"
  std::string chart;                      // the chart directory, relative to the root; may be empty
  std::vector<std::string> values;        // layer patterns, in order (placeholders as below)
  std::vector<std::string> environments;  // names from `environments`; empty: every one
  int line = 0;                           // where the entry starts in the config file (1-based)
};

// `applications:` — how values files stack into what each chart gets, as Argo CD's `valueFiles`
// do (last wins). Patterns take {shared} (the shared dir), {env} (an environment's dir),
// {envname} (its name), {charts} (the charts dir), {path} (a values file's path relative to its
// env or shared dir) and {name} (its stem, or an entry's name). Missing layer files are skipped.
struct ApplicationSettings {
  std::vector<std::string> layers{"{shared}/{path}", "{env}/{path}"};
  std::vector<std::string> globals;          // first in every stack: "{env}/globals.yaml"
  std::string chart = "{charts}/**/{name}";  // an app's chart, found by its values file's stem
  std::vector<ApplicationEntry> apps;
  // Apps (globs over their names, as `imagepin apps` prints them) that must set image.ref even
  // where the chart is not in the repository to say so (IP010).
  std::vector<std::string> require_ref;
  // Chart directories (globs over their paths from the root) whose templates must take every
  // image from a required .Values…ref (IP012), besides those whose values.yaml has image.ref.
  std::vector<std::string> first_party_charts;
};

// Where a setting's value comes from, as `imagepin config` shows it.
struct Origin {
  enum class Kind { kDefault, kFile, kGitRemote, kEnvironment, kNone };
  Kind kind = Kind::kDefault;
  int line = 0;        // kFile, kGitRemote: the line in the file it was read from
  std::string detail;  // kGitRemote: the remote's URL; kEnvironment: the variable; kNone: why
};

// `firstParty` (docs/config.md#firstparty): repository prefixes that are the organisation's own,
// and within them prefixes that are not (a mirror of third-party images under the org's name).
// Ask policy::IsFirstParty (first_party.h), never these lists.
struct FirstPartySettings {
  std::vector<std::string> include;
  std::vector<std::string> exclude;
};

struct Config {
  std::string path;  // the config file as displayed, empty when the defaults are in use
  scan::Scope scope{{"sources/values/**", "sources/manifests/**"}, {}};
  size_t max_file_size = size_t{8} << 20;
  int max_depth = 256;  // scope.maxDepth: deeper nesting is IP000 (yaml::ParseLimits)
  // scope.mentions: references in env values and `--…image=` arguments (scan/mentions.h). A
  // workload is told about them rather than runs them, so by default they are judged as
  // warnings (`error` makes them gate; `off` leaves them out of listing and judging).
  enum class Mentions { kOff, kWarning, kError };
  Mentions mentions = Mentions::kWarning;
  std::vector<Environment> environments{{"local", "sources/values/env/local"},
                                        {"dev", "sources/values/env/dev"},
                                        {"staging", "sources/values/env/staging"},
                                        {"production", "sources/values/env/production"}};
  // Values every environment shares, stacked under each environment's own (applications), and
  // where charts live. Templates are found by their Chart.yaml, wherever they are (scan/).
  std::string shared = "sources/values/_shared";
  std::string charts = "sources/charts";
  ApplicationSettings applications;
  // Empty unless the file sets it; LoadConfig then defaults it from the repository
  // (FirstPartyFromRepository), and first_party_origin says which way.
  FirstPartySettings first_party;
  Origin first_party_origin;
  std::vector<std::string> tag_allow;  // as written, for messages
  // Compiled once at load (RE2: linear-time matching, whole tag); shared, so copying a Config
  // copies pointers, and <re2/re2.h> stays out of this widely included header.
  std::vector<std::shared_ptr<const re2::RE2>> tag_allow_regex;
  std::string pull_policy = "IfNotPresent";
  std::vector<Exception> exceptions;
  std::vector<RegistrySettings> registries;
  BumpSettings bump;
  // What a first-party index must hold (bump, verify, promote --verify).
  std::vector<std::string> platforms{"linux/amd64", "linux/arm64"};
  // Per image class (verify): the first entry matching a repository decides its platforms, for
  // first- and third-party images alike; PlatformsFor asks.
  std::vector<PlatformRequirement> platforms_required;
  // Every key the file writes, as a dotted path ("scope.include", "registries.ghcr.io.mirror",
  // "environments[0].name"), with its 1-based line: where `imagepin config` says a value is from.
  std::map<std::string, int, std::less<>> key_lines;

  const Environment* FindEnvironment(std::string_view name) const;

  // The platforms an image of `repository` (fully qualified: "ghcr.io/acme/api") must hold: the
  // first platformsRequired entry matching it, else `platforms` for a first-party image, else
  // none (nullptr).
  const std::vector<std::string>* PlatformsFor(std::string_view repository,
                                               bool is_first_party) const;
};

// Reads <root>/.imagepin.yaml, or returns the defaults when there is none; without `firstParty`
// in the file, it comes from the repository (first_party.h, GITHUB_REPOSITORY_OWNER read here).
// Errors (kConfig) name the file, line and column: unknown keys, wrong types, bad globs or dates, a
// missing reason.
base::Result<Config> LoadConfig(const std::string& root);

// Parses config text; `display_path` is used in error messages and Config::path.
base::Result<Config> ParseConfig(std::string_view contents, const std::string& display_path);

}  // namespace imagepin::policy
