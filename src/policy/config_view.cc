#include "policy/config_view.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <optional>
#include <set>

#include "base/utf8.h"

namespace imagepin::policy {
namespace {

using Json = nlohmann::ordered_json;

constexpr std::string_view kGitConfig = ".git/config";

// Collects the settings, each from the file when Config::key_lines has its key, else from the
// default.
class Collector {
 public:
  explicit Collector(const Config& config) : config_(config) {}

  std::optional<int> LineOf(std::string_view key) const {
    auto it = config_.key_lines.find(key);
    if (it == config_.key_lines.end()) return std::nullopt;
    return it->second;
  }

  SettingOrigin FromFileOrDefault(std::string_view key) const {
    std::optional<int> line = LineOf(key);
    if (!line) return {};
    return {Origin::Kind::kFile, config_.path, *line, ""};
  }

  void Add(std::string key, Json value) {
    SettingOrigin origin = FromFileOrDefault(key);
    Add(std::move(key), std::move(value), std::move(origin));
  }
  void Add(std::string key, Json value, SettingOrigin origin) {
    out_.push_back({std::move(key), std::move(value), std::move(origin)});
  }

  // A list of entries: one setting per field of each, or the list itself when it is empty.
  template <typename T, typename F>
  void Entries(const std::string& key, const std::vector<T>& entries, F fields) {
    if (entries.empty()) {
      Add(key, Json::array());
      return;
    }
    for (size_t i = 0; i < entries.size(); ++i) fields(fmt::format("{}[{}]", key, i), entries[i]);
  }

  std::vector<Setting> Take() { return std::move(out_); }

 private:
  const Config& config_;
  std::vector<Setting> out_;
};

Json Strings(const std::vector<std::string>& list) {
  Json out = Json::array();
  for (const std::string& s : list) out.push_back(s);
  return out;
}

Json StringOrNull(const std::string& s) { return s.empty() ? Json(nullptr) : Json(s); }

// The key each registries entry was written under. Config keeps a host as references name it
// (`index.docker.io` is filed as `docker.io`), while key_lines keeps the key as written, so a
// host not found as itself takes the earliest host key no other entry matched. A host key is a
// `registries.` key that is not one of another key's `.mirror` or `.insecure`.
std::vector<std::string> RegistryKeys(const Config& config) {
  const std::string prefix = "registries.";
  std::vector<std::pair<int, std::string>> hosts;  // line, written host
  for (const auto& [key, line] : config.key_lines) {
    if (!key.starts_with(prefix)) continue;
    bool field = false;
    for (std::string_view suffix : {".mirror", ".insecure"}) {
      std::string_view k = key;
      if (k.ends_with(suffix) && config.key_lines.contains(k.substr(0, k.size() - suffix.size()))) {
        field = true;
      }
    }
    if (!field) hosts.emplace_back(line, key.substr(prefix.size()));
  }
  std::sort(hosts.begin(), hosts.end());
  std::set<std::string> taken;
  for (const RegistrySettings& r : config.registries) {
    if (config.key_lines.contains(prefix + r.host)) taken.insert(r.host);
  }
  std::vector<std::string> keys;
  for (const RegistrySettings& r : config.registries) {
    if (config.key_lines.contains(prefix + r.host)) {
      keys.push_back(r.host);
      continue;
    }
    std::string written = r.host;
    for (const auto& [line, host] : hosts) {
      if (taken.insert(host).second) {
        written = host;
        break;
      }
    }
    keys.push_back(written);
  }
  return keys;
}

// A remote's URL as shown: Origin::detail has no user information already; a query or fragment
// (`?access_token=…`) can carry a secret too, and says nothing about where the value came from.
std::string ShownRemote(std::string_view url) {
  return std::string(url.substr(0, url.find_first_of("?#")));
}

// firstParty.include: from the file (a plain list is recorded as `firstParty`), the git remote,
// the environment, or none.
SettingOrigin FirstPartyIncludeOrigin(const Collector& c, const Config& config) {
  const Origin& o = config.first_party_origin;
  switch (o.kind) {
    case Origin::Kind::kFile:
      if (c.LineOf("firstParty.include")) return c.FromFileOrDefault("firstParty.include");
      return c.FromFileOrDefault("firstParty");
    case Origin::Kind::kGitRemote:
      return {o.kind, std::string(kGitConfig), o.line, ShownRemote(o.detail)};
    case Origin::Kind::kEnvironment:
    case Origin::Kind::kNone:
      return {o.kind, "", 0, o.detail};
    case Origin::Kind::kDefault:
      break;
  }
  return {};
}

std::string_view KindName(Origin::Kind kind) {
  switch (kind) {
    case Origin::Kind::kDefault:
      return "default";
    case Origin::Kind::kFile:
      return "file";
    case Origin::Kind::kGitRemote:
      return "git-remote";
    case Origin::Kind::kEnvironment:
      return "env";
    case Origin::Kind::kNone:
      return "none";
  }
  return "default";
}

// JSON text that never throws: bytes that are not UTF-8 become U+FFFD.
std::string Dump(const Json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Whether a string shown bare could be read as something else: nothing, several words, a
// control character, or the quotes, commas and brackets a list is written with.
bool NeedsQuotes(std::string_view s) {
  if (s.empty() || s == "-") return true;
  return std::any_of(s.begin(), s.end(), [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return c <= 0x20 || c == 0x7f || c == '"' || c == ',' || c == '[' || c == ']';
  });
}

std::string ScalarText(const Json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) {
    const std::string& s = value.get_ref<const std::string&>();
    return NeedsQuotes(s) ? Dump(value) : s;
  }
  if (value.is_array()) {
    std::vector<std::string> items;
    for (const Json& item : value) items.push_back(ScalarText(item));
    return fmt::format("[{}]", fmt::join(items, ", "));
  }
  if (value.is_object() && value.empty()) return "{}";
  return Dump(value);
}

// Characters, not bytes, so that a non-ASCII value keeps the columns straight.
size_t Width(std::string_view text) { return static_cast<size_t>(base::Utf8Length(text)); }

}  // namespace

std::vector<Setting> EffectiveSettings(const Config& config) {
  Collector c(config);
  c.Add("version", 1);
  c.Add("scope.include", Strings(config.scope.include));
  c.Add("scope.exclude", Strings(config.scope.exclude));
  c.Add("scope.maxFileSize", config.max_file_size);
  c.Add("scope.maxDepth", config.max_depth);
  c.Add("scope.mentions", config.mentions == Config::Mentions::kOff       ? "off"
                          : config.mentions == Config::Mentions::kWarning ? "warning"
                                                                          : "error");
  c.Entries("environments", config.environments, [&](const std::string& at, const Environment& e) {
    c.Add(at + ".name", e.name);
    // An entry without `path` gets sources/values/env/<name>: the default, though the entry is
    // the file's.
    c.Add(at + ".path", e.path);
  });
  c.Add("shared", config.shared);
  c.Add("charts", config.charts);
  const ApplicationSettings& a = config.applications;
  c.Add("applications.layers", Strings(a.layers));
  c.Add("applications.globals", Strings(a.globals));
  c.Add("applications.chart", a.chart);
  c.Entries("applications.apps", a.apps, [&](const std::string& at, const ApplicationEntry& app) {
    c.Add(at + ".name", app.name);
    c.Add(at + ".chart", StringOrNull(app.chart));
    c.Add(at + ".values", Strings(app.values));
    c.Add(at + ".environments",
          app.environments.empty() ? Json(nullptr) : Strings(app.environments));
  });
  c.Add("applications.requireRef", Strings(a.require_ref));
  c.Add("applications.firstPartyCharts", Strings(a.first_party_charts));
  c.Add("firstParty.include", Strings(config.first_party.include),
        FirstPartyIncludeOrigin(c, config));
  c.Add("firstParty.exclude", Strings(config.first_party.exclude));
  c.Add("tags.allow", Strings(config.tag_allow));
  c.Add("pullPolicy", config.pull_policy);
  c.Add("platforms", Strings(config.platforms));
  c.Entries("platformsRequired", config.platforms_required,
            [&](const std::string& at, const PlatformRequirement& p) {
              c.Add(at + ".ref", p.ref_glob);
              c.Add(at + ".platforms", Strings(p.platforms));
            });
  c.Add("bump.environments", Strings(config.bump.environments));
  c.Add("bump.channel", config.bump.channel);
  c.Add("bump.readableTag",
        config.bump.readable_tag == BumpSettings::ReadableTag::kRevision ? "revision" : "none");
  c.Entries("bump.holds", config.bump.holds, [&](const std::string& at, const Hold& h) {
    c.Add(at + ".app", StringOrNull(h.app));
    c.Add(at + ".repository", StringOrNull(h.written));
    c.Add(at + ".env", h.environment);
    c.Add(at + ".reason", h.reason);
    c.Add(at + ".until", StringOrNull(h.until));
  });
  if (config.registries.empty()) {
    c.Add("registries", Json::object());
  } else {
    std::vector<std::string> written = RegistryKeys(config);
    for (size_t i = 0; i < config.registries.size(); ++i) {
      const RegistrySettings& r = config.registries[i];
      std::string at = "registries." + r.host;
      std::string file_key = "registries." + written[i];
      c.Add(at + ".mirror", StringOrNull(r.mirror), c.FromFileOrDefault(file_key + ".mirror"));
      c.Add(at + ".insecure", r.insecure, c.FromFileOrDefault(file_key + ".insecure"));
    }
  }
  c.Entries("exceptions", config.exceptions, [&](const std::string& at, const Exception& e) {
    c.Add(at + ".path", e.path_glob);
    c.Add(at + ".rule", e.rule_id);
    c.Add(at + ".key", StringOrNull(e.key_glob));
    c.Add(at + ".ref", StringOrNull(e.ref_glob));
    c.Add(at + ".reason", e.reason);
    c.Add(at + ".expires", StringOrNull(e.expires));
  });
  return c.Take();
}

std::string OriginText(const SettingOrigin& origin) {
  switch (origin.kind) {
    case Origin::Kind::kDefault:
      return "default";
    case Origin::Kind::kFile:
      return fmt::format("{}:{}", origin.path, origin.line);
    case Origin::Kind::kGitRemote:
      return fmt::format("git remote ({}:{}, {})", origin.path, origin.line, origin.detail);
    case Origin::Kind::kEnvironment:
      return fmt::format("env {}", origin.detail);
    case Origin::Kind::kNone:
      return fmt::format("none ({})", origin.detail);
  }
  return "default";
}

std::string ValueText(const nlohmann::ordered_json& value) { return ScalarText(value); }

std::string SettingsText(const std::vector<Setting>& settings) {
  std::vector<std::string> values;
  size_t key_width = 0, value_width = 0;
  for (const Setting& s : settings) {
    values.push_back(ValueText(s.value));
    key_width = std::max(key_width, Width(s.key));
    if (Width(values.back()) <= kMaxAlignedValue) {
      value_width = std::max(value_width, Width(values.back()));
    }
  }
  std::string out;
  for (size_t i = 0; i < settings.size(); ++i) {
    const Setting& s = settings[i];
    size_t value_pad = value_width > Width(values[i]) ? value_width - Width(values[i]) : 0;
    out += s.key + std::string(key_width - Width(s.key) + 2, ' ') + values[i] +
           std::string(value_pad + 2, ' ') + OriginText(s.origin) + "\n";
  }
  return out;
}

nlohmann::ordered_json SettingsJson(const std::vector<Setting>& settings) {
  Json out = Json::array();
  for (const Setting& s : settings) {
    Json origin;
    origin["kind"] = KindName(s.origin.kind);
    origin["path"] = StringOrNull(s.origin.path);
    origin["line"] = s.origin.line > 0 ? Json(s.origin.line) : Json(nullptr);
    origin["detail"] = StringOrNull(s.origin.detail);
    Json entry;
    entry["key"] = s.key;
    entry["value"] = s.value;
    entry["origin"] = std::move(origin);
    out.push_back(std::move(entry));
  }
  return out;
}

}  // namespace imagepin::policy
