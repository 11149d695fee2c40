#include "policy/config.h"

#include <fmt/format.h>
#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <optional>

#include "base/files.h"
#include "base/glob.h"
#include "base/strings.h"
#include "policy/first_party.h"
#include "policy/rules.h"
#include "ref/platform.h"
#include "ref/reference.h"
#include "yaml/parser.h"

namespace imagepin::policy {
namespace {

using yaml::Document;
using yaml::kNoNode;
using yaml::NodeId;
using yaml::NodeKind;

// `text` with control characters escaped (\x0a), so that a message stays on one line.
std::string EscapeControls(std::string_view text) {
  std::string out;
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\x{:02x}", c);
    } else {
      out += ch;
    }
  }
  return out;
}

// A value echoed in a message: at most 80 characters, control characters escaped, so that an
// error stays one readable line whatever the input.
std::string Shown(std::string_view value) {
  constexpr size_t kMaxShown = 80;
  std::string out = EscapeControls(value.substr(0, kMaxShown));
  if (value.size() > kMaxShown) out += "...";
  return out;
}

// Reads one parsed config document; the first problem found becomes `error`, with position.
class ConfigReader {
 public:
  ConfigReader(const Document& doc, const std::string& path,
               std::map<std::string, int, std::less<>>* key_lines)
      : doc_(doc), path_(path), key_lines_(key_lines) {}

  std::optional<base::Error> error;

  bool Fail(NodeId at, std::string message) {
    if (!error) {
      base::SourcePos pos;
      if (at != kNoNode) {
        const yaml::Node& n = doc_.node(at);
        pos = {static_cast<int>(n.line) + 1, static_cast<int>(n.column) + 1};
      }
      // Reasons from other parsers (references, RE2) quote the value again, raw: escape the whole
      // message here, so that every config error is one line whatever its parts.
      error = base::MakeError(base::ErrorCode::kConfig, EscapeControls(message), path_, pos);
    }
    return false;
  }

  // The node an alias points at; an undefined alias (`*nope`, which libyaml's parser does not
  // reject) stays itself, so that it fails the type checks at its own position.
  NodeId Resolve(NodeId id) const {
    NodeId target = doc_.Resolve(id);
    return target == kNoNode ? id : target;
  }

  // Calls `on_key(key, value)` for each entry of a mapping, rejecting keys not in `allowed`;
  // records each key's line under `where`.`key` (the root's `where` is "the config").
  bool ForEachKey(NodeId m, std::string_view where, std::initializer_list<std::string_view> allowed,
                  const std::function<bool(std::string_view, NodeId, NodeId)>& on_key) {
    m = Resolve(m);
    if (m == kNoNode || doc_.node(m).kind != NodeKind::kMapping) {
      return Fail(m, fmt::format("{} must be a mapping", where));
    }
    for (NodeId k = doc_.node(m).first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      std::string_view key = doc_.Value(k);
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        return Fail(k, fmt::format("unknown key \"{}\" in {} (expected one of: {})", Shown(key),
                                   where, fmt::join(allowed, ", ")));
      }
      key_lines_->emplace(where == kRootWhere ? std::string(key) : fmt::format("{}.{}", where, key),
                          Line(k));
      if (!on_key(key, k, v)) return false;
      k = doc_.node(v).next_sibling;
    }
    return true;
  }

  bool String(NodeId v, std::string_view what, std::string* out) {
    v = Resolve(v);
    if (v == kNoNode || doc_.node(v).kind != NodeKind::kScalar || doc_.IsNull(v)) {
      return Fail(v, fmt::format("{} must be a string", what));
    }
    *out = std::string(doc_.Value(v));
    return true;
  }

  bool NonEmptyString(NodeId v, std::string_view what, std::string* out) {
    if (!String(v, what, out)) return false;
    if (out->empty()) return Fail(v, fmt::format("{} must not be empty", what));
    return true;
  }

  bool StringList(NodeId v, std::string_view what, std::vector<std::string>* out) {
    v = Resolve(v);
    if (v == kNoNode || doc_.node(v).kind != NodeKind::kSequence) {
      return Fail(v, fmt::format("{} must be a list of strings", what));
    }
    out->clear();
    for (NodeId item = doc_.node(v).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling) {
      std::string s;
      if (!NonEmptyString(item, fmt::format("each entry of {}", what), &s)) return false;
      out->push_back(std::move(s));
    }
    return true;
  }

  // Calls `on_entry(key, key_node, value)` for each entry of a mapping whose keys are data
  // (registry hosts), not a fixed set.
  template <typename F>
  bool ForEachEntry(NodeId m, std::string_view where, F on_entry) {
    m = Resolve(m);
    if (m == kNoNode || doc_.node(m).kind != NodeKind::kMapping) {
      return Fail(m, fmt::format("{} must be a mapping", where));
    }
    for (NodeId k = doc_.node(m).first_child; k != kNoNode;) {
      NodeId v = doc_.node(k).next_sibling;
      NodeId key = Resolve(k);
      if (doc_.node(key).kind != NodeKind::kScalar) {
        return Fail(k, fmt::format("each key of {} must be a string", where));
      }
      key_lines_->emplace(fmt::format("{}.{}", where, doc_.Value(key)), Line(k));
      if (!on_entry(doc_.Value(key), k, v)) return false;
      k = doc_.node(v).next_sibling;
    }
    return true;
  }

  bool Bool(NodeId v, std::string_view what, bool* out) {
    v = Resolve(v);
    std::string_view text = v == kNoNode ? "" : doc_.Value(v);
    if (v == kNoNode || doc_.node(v).kind != NodeKind::kScalar ||
        (text != "true" && text != "false")) {
      return Fail(v, fmt::format("{} must be true or false", what));
    }
    *out = text == "true";
    return true;
  }

  // StringList, then `check(entry, node)` for each entry (which it may rewrite, as a path is
  // normalised), so that a bad entry is reported at its own position.
  template <typename F>
  bool CheckedStringList(NodeId v, std::string_view what, std::vector<std::string>* out, F check) {
    if (!StringList(v, what, out)) return false;
    NodeId item = doc_.node(Resolve(v)).first_child;
    for (std::string& entry : *out) {
      if (!check(entry, item)) return false;
      item = doc_.node(item).next_sibling;
    }
    return true;
  }

  template <typename F>
  bool ForEachItem(NodeId v, std::string_view what, F on_item) {
    v = Resolve(v);
    if (v == kNoNode || doc_.node(v).kind != NodeKind::kSequence) {
      return Fail(v, fmt::format("{} must be a list", what));
    }
    size_t i = 0;
    for (NodeId item = doc_.node(v).first_child; item != kNoNode;
         item = doc_.node(item).next_sibling) {
      if (!on_item(item, i++)) return false;
    }
    return true;
  }

  int Line(NodeId id) const { return static_cast<int>(doc_.node(id).line) + 1; }
  const Document& doc() const { return doc_; }

 private:
  static constexpr std::string_view kRootWhere = "the config";

  const Document& doc_;
  const std::string& path_;
  std::map<std::string, int, std::less<>>* key_lines_;
};

bool IsDate(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  int y = 0, m = 0, d = 0;
  auto num = [&](size_t pos, size_t len, int* out) {
    return std::from_chars(s.data() + pos, s.data() + pos + len, *out).ptr == s.data() + pos + len;
  };
  if (!num(0, 4, &y) || !num(5, 2, &m) || !num(8, 2, &d)) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return d <= kDays[m - 1] + (m == 2 && leap ? 1 : 0);
}

// A tag, in the distribution grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool IsTag(std::string_view s) {
  auto word = [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '_';
  };
  return !s.empty() && s.size() <= 128 && word(s[0]) &&
         std::all_of(s.begin() + 1, s.end(),
                     [&](char c) { return word(c) || c == '.' || c == '-'; });
}

// An environment name: used on the command line (`--env local,dev`), in reports and, by
// default, as a directory name.
bool IsEnvironmentName(std::string_view s) {
  auto ok = [](char ch) {
    unsigned char c = static_cast<unsigned char>(ch);
    return std::isalnum(c) || c == '_' || c == '.' || c == '-';
  };
  return !s.empty() && std::isalnum(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), ok);
}

// Why `prefix` is not a firstParty prefix (a repository name, or one ending in `/`, with no
// tag or digest), or empty when it is one.
std::string FirstPartyPrefixProblem(const std::string& prefix) {
  // "localhost:5000/" alone would read as repository "localhost" with tag "5000/": complete a
  // prefix that ends in `/` with a placeholder component before parsing it.
  std::string name = prefix.ends_with('/') ? prefix + "x" : prefix;
  base::Result<ref::Reference> parsed = ref::ParseReference(name);
  if (!parsed.ok()) return parsed.error().message;
  if (parsed->has_tag() || parsed->has_digest()) return "it names a tag or digest";
  return "";
}

// The most scope.maxFileSize may be: every worker reads a file whole into memory.
constexpr size_t kMaxFileSizeLimit = size_t{1} << 30;

// "8MiB", "512 KiB", "1048576"; a number too large for size_t, or one that overflows with its
// unit, saturates to SIZE_MAX (and so fails the kMaxFileSizeLimit check) rather than wrap.
std::optional<size_t> ParseSize(std::string_view s) {
  size_t value = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ptr == s.data()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) value = SIZE_MAX;
  std::string_view unit(ptr, static_cast<size_t>(s.data() + s.size() - ptr));
  while (!unit.empty() && unit.front() == ' ') unit.remove_prefix(1);
  int shift = 0;
  if (unit == "KiB") {
    shift = 10;
  } else if (unit == "MiB") {
    shift = 20;
  } else if (unit == "GiB") {
    shift = 30;
  } else if (!unit.empty() && unit != "B") {
    return std::nullopt;
  }
  if (value > (SIZE_MAX >> shift)) return SIZE_MAX;
  return value << shift;
}

bool IsWildcardSegment(std::string_view segment) {
  return segment.find_first_of("*?[") != std::string_view::npos;  // as base::GlobStaticPrefix
}

// What every path, glob and pattern setting must be: relative (a NUL or other control
// character would cut or garble the name the system sees). False with `why` otherwise.
bool RelativeAndPrintable(std::string_view text, std::string* why) {
  if (text.starts_with('/')) {
    *why = "is absolute: write it relative to the repository root";
    return false;
  }
  if (std::any_of(text.begin(), text.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    *why = "holds a control character";
    return false;
  }
  return true;
}

// A path or glob setting, which must name something below the repository root: relative, no
// control characters (a NUL would cut the name the system sees), and no `..` that climbs out
// of the root or follows a wildcard. Returns it lexically normalised (`.` and empty segments
// dropped, `a/../b` folded: `./env//dev/` is `env/dev`, the root itself `.`), or nullopt with
// `why`. Symlinks that leave the repository are the file walk's concern.
std::optional<std::string> NormalisePathBelowRoot(std::string_view text, std::string* why) {
  if (!RelativeAndPrintable(text, why)) return std::nullopt;
  std::vector<std::string_view> segments;
  bool after_wildcard = false;
  for (std::string_view rest = text; !rest.empty();) {
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      if (after_wildcard) {
        *why = "has \"..\" after a wildcard";
        return std::nullopt;
      }
      if (segments.empty()) {
        *why = "leaves the repository root (\"..\")";
        return std::nullopt;
      }
      segments.pop_back();
      continue;
    }
    after_wildcard |= IsWildcardSegment(segment);
    segments.push_back(segment);
  }
  if (segments.empty()) return ".";
  return fmt::format("{}", fmt::join(segments, "/"));
}

// A path setting (environment paths, shared, charts) at `node`, normalised in place.
bool CheckPath(ConfigReader& r, NodeId node, std::string_view what, std::string* path) {
  std::string why;
  std::optional<std::string> normal = NormalisePathBelowRoot(*path, &why);
  if (!normal) return r.Fail(node, fmt::format("{} \"{}\" {}", what, Shown(*path), why));
  *path = std::move(*normal);
  return true;
}

bool PathSetting(ConfigReader& r, NodeId v, std::string_view what, std::string* out) {
  return r.NonEmptyString(v, what, out) && CheckPath(r, v, what, out);
}

// scope globs: the same rule as paths, so that a walk never starts outside the root.
bool GlobList(ConfigReader& r, NodeId v, std::string_view what, std::vector<std::string>* out) {
  return r.CheckedStringList(v, what, out, [&](std::string& glob, NodeId item) {
    if (!CheckPath(r, item, fmt::format("{} glob", what), &glob)) return false;
    if (glob == ".") {
      return r.Fail(item, fmt::format("{} glob \"{}\" names the root itself, not files (use **)",
                                      what, Shown(glob)));
    }
    return true;
  });
}

bool ReadScope(ConfigReader& r, NodeId v, Config* c) {
  return r.ForEachKey(
      v, "scope", {"include", "exclude", "maxFileSize", "maxDepth", "mentions"},
      [&](std::string_view key, NodeId, NodeId val) {
        if (key == "include") return GlobList(r, val, "scope.include", &c->scope.include);
        if (key == "exclude") return GlobList(r, val, "scope.exclude", &c->scope.exclude);
        std::string text;
        if (key == "mentions") {
          if (!r.String(val, "scope.mentions", &text)) return false;
          if (text == "off")
            c->mentions = Config::Mentions::kOff;
          else if (text == "warning")
            c->mentions = Config::Mentions::kWarning;
          else if (text == "error")
            c->mentions = Config::Mentions::kError;
          else
            return r.Fail(val, fmt::format("scope.mentions \"{}\" is not off, warning or error",
                                           Shown(text)));
          return true;
        }
        if (key == "maxDepth") {
          if (!r.String(val, "scope.maxDepth", &text)) return false;
          // Past a few thousand levels recursion over the tree would need more stack than a
          // worker thread has; real files nest below 40.
          constexpr int kMaxDepthLimit = 4096;
          int depth = 0;
          auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), depth);
          if (error != std::errc() || end != text.data() + text.size() || depth < 1 ||
              depth > kMaxDepthLimit) {
            return r.Fail(val, fmt::format("scope.maxDepth \"{}\" is not a whole number from 1 "
                                           "to {}",
                                           Shown(text), kMaxDepthLimit));
          }
          c->max_depth = depth;
          return true;
        }
        if (!r.String(val, "scope.maxFileSize", &text)) return false;
        std::optional<size_t> size = ParseSize(text);
        if (!size || *size == 0) {
          return r.Fail(val, fmt::format("scope.maxFileSize \"{}\" is not a size "
                                         "(bytes, or a number with KiB, MiB or GiB)",
                                         Shown(text)));
        }
        if (*size > kMaxFileSizeLimit) {
          return r.Fail(val, fmt::format("scope.maxFileSize \"{}\" is more than 1GiB, the most "
                                         "imagepin reads",
                                         Shown(text)));
        }
        c->max_file_size = *size;
        return true;
      });
}

bool ReadEnvironments(ConfigReader& r, NodeId v, Config* c) {
  c->environments.clear();
  return r.ForEachItem(v, "environments", [&](NodeId item, size_t i) {
    Environment env;
    std::string where = fmt::format("environments[{}]", i);
    NodeId name_node = kNoNode, path_node = kNoNode;
    bool ok =
        r.ForEachKey(item, where, {"name", "path"}, [&](std::string_view key, NodeId, NodeId val) {
          (key == "name" ? name_node : path_node) = val;
          return r.NonEmptyString(val, where + "." + std::string(key),
                                  key == "name" ? &env.name : &env.path);
        });
    if (!ok) return false;
    if (env.name.empty()) return r.Fail(item, where + " needs a name");
    if (!IsEnvironmentName(env.name)) {
      return r.Fail(name_node, fmt::format("{}.name \"{}\" is not a name (letters, digits, "
                                           "`_`, `.`, `-`, starting with a letter or digit)",
                                           where, Shown(env.name)));
    }
    if (env.path.empty()) env.path = "sources/values/env/" + env.name;
    if (path_node != kNoNode && !CheckPath(r, path_node, where + ".path", &env.path)) return false;
    for (const Environment& other : c->environments) {
      if (other.name == env.name)
        return r.Fail(item, fmt::format("environment \"{}\" is listed twice", Shown(env.name)));
    }
    c->environments.push_back(std::move(env));
    return true;
  });
}

// tags.allow runs on every tag of every image, so it must take time linear in the tag whatever
// the pattern: RE2 guarantees that (std::regex backtracked for minutes on `(a|a)*b`). A tag is at
// most 128 characters, so no honest pattern needs a large program; max_mem bounds the rest, and
// RE2 refuses repetition counts over 1000 (OversizedRepetition catches those it would misread).
constexpr int64_t kTagPatternMaxMem = int64_t{1} << 20;
constexpr size_t kMaxTagPatterns = 256;

// RE2 reads a repetition whose count does not fit an int, `a{45555555555555555555555}`, as
// literal text (as Perl does): a silent misreading of what was meant. Returns that repetition
// (or one over RE2's limit of 1000) so that it is an error; empty when there is none. Skips
// escapes, `\Q...\E` and character classes, where `{` is a literal.
std::string_view OversizedRepetition(std::string_view pattern) {
  constexpr size_t kMaxRepeat = 1000;
  auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < pattern.size(); ++i) {
    char c = pattern[i];
    if (c == '\\') {
      if (i + 1 < pattern.size() && pattern[i + 1] == 'Q') {
        size_t end = pattern.find("\\E", i + 2);
        if (end == std::string_view::npos) return {};
        i = end + 1;
      } else {
        ++i;
      }
      continue;
    }
    if (c == '[') {  // a class: `]` right after `[` or `[^` is literal
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '^') ++j;
      if (j < pattern.size() && pattern[j] == ']') ++j;
      for (; j < pattern.size() && pattern[j] != ']'; ++j) {
        if (pattern[j] == '\\') ++j;
      }
      i = j;
      continue;
    }
    if (c != '{') continue;
    // {n}, {n,} or {n,m}
    size_t j = i + 1;
    bool too_large = false;
    for (int bound = 0; bound < 2; ++bound) {
      size_t start = j;
      while (j < pattern.size() && is_digit(pattern[j])) ++j;
      std::string_view digits = pattern.substr(start, j - start);
      if (digits.size() > 4 || (!digits.empty() && std::stoul(std::string(digits)) > kMaxRepeat)) {
        too_large = true;
      }
      if (bound == 0 && (digits.empty() || j >= pattern.size() || pattern[j] != ',')) break;
      if (bound == 0) ++j;
    }
    if (j < pattern.size() && pattern[j] == '}' && too_large) return pattern.substr(i, j + 1 - i);
  }
  return {};
}

std::shared_ptr<const re2::RE2> CompileTagPattern(const std::string& pattern, std::string* error) {
  if (std::string_view repeat = OversizedRepetition(pattern); !repeat.empty()) {
    *error = fmt::format("repetition {} is more than 1000", Shown(repeat));
    return nullptr;
  }
  re2::RE2::Options options;
  options.set_log_errors(false);  // the error goes into the config error, not to stderr
  options.set_max_mem(kTagPatternMaxMem);
  auto compiled = std::make_shared<const re2::RE2>(pattern, options);
  if (!compiled->ok()) {
    *error = compiled->error_code() == re2::RE2::ErrorPatternTooLarge ? "the pattern is too large"
                                                                      : compiled->error();
    return nullptr;
  }
  return compiled;
}

bool ReadTags(ConfigReader& r, NodeId v, Config* c) {
  return r.ForEachKey(v, "tags", {"allow"}, [&](std::string_view, NodeId, NodeId val) {
    c->tag_allow_regex.clear();
    return r.CheckedStringList(
        val, "tags.allow", &c->tag_allow, [&](std::string& pattern, NodeId item) {
          if (c->tag_allow_regex.size() == kMaxTagPatterns) {
            return r.Fail(item, fmt::format("tags.allow: more than {} patterns", kMaxTagPatterns));
          }
          std::string error;
          std::shared_ptr<const re2::RE2> compiled = CompileTagPattern(pattern, &error);
          if (!compiled) {
            return r.Fail(item, fmt::format("tags.allow pattern \"{}\" is not a valid regular "
                                            "expression (RE2 syntax): {}",
                                            Shown(pattern), error));
          }
          c->tag_allow_regex.push_back(std::move(compiled));
          return true;
        });
  });
}

// The date setting at `val` (exceptions' `expires`, holds' `until`): YYYY-MM-DD, with where it
// is written, for the finding an expired entry becomes.
struct DateAt {
  std::string date;
  int line = 0, column = 0;
  std::string source_line;
};
bool ReadDate(ConfigReader& r, NodeId val, std::string_view what, DateAt* out) {
  if (!r.NonEmptyString(val, what, &out->date)) return false;
  if (!IsDate(out->date)) {
    return r.Fail(val, fmt::format("{} \"{}\" is not a date (YYYY-MM-DD)", what, Shown(out->date)));
  }
  const yaml::Node& n = r.doc().node(r.doc().Resolve(val));
  out->line = static_cast<int>(n.line) + 1;
  out->column = static_cast<int>(n.column) + 1;
  out->source_line = std::string(r.doc().LineAt(n.begin));
  return true;
}

bool ReadExceptions(ConfigReader& r, NodeId v, Config* c) {
  return r.ForEachItem(v, "exceptions", [&](NodeId item, size_t i) {
    Exception ex;
    ex.line = static_cast<int>(r.doc().node(item).line) + 1;
    std::string where = fmt::format("exceptions[{}]", i);
    bool ok = r.ForEachKey(item, where, {"path", "rule", "key", "ref", "reason", "expires"},
                           [&](std::string_view key, NodeId, NodeId val) {
                             std::string what = where + "." + std::string(key);
                             if (key == "path") return r.NonEmptyString(val, what, &ex.path_glob);
                             if (key == "key") return r.NonEmptyString(val, what, &ex.key_glob);
                             if (key == "ref") return r.NonEmptyString(val, what, &ex.ref_glob);
                             if (key == "reason") return r.NonEmptyString(val, what, &ex.reason);
                             if (key == "rule") {
                               std::string rule;
                               if (!r.NonEmptyString(val, what, &rule)) return false;
                               const RuleInfo* info = FindRule(rule);
                               if (!info)
                                 return r.Fail(
                                     val, fmt::format("{}: unknown rule \"{}\" (see docs/rules.md)",
                                                      what, Shown(rule)));
                               ex.rule_id = std::string(info->id);
                               return true;
                             }
                             DateAt expires;
                             if (!ReadDate(r, val, what, &expires)) return false;
                             ex.expires = std::move(expires.date);
                             ex.expires_line = expires.line;
                             ex.expires_column = expires.column;
                             ex.expires_source_line = std::move(expires.source_line);
                             return true;
                           });
    if (!ok) return false;
    if (ex.path_glob.empty()) return r.Fail(item, where + " needs a path (a glob of files)");
    if (ex.rule_id.empty()) return r.Fail(item, where + " needs a rule (an id such as IP001)");
    if (ex.reason.empty())
      return r.Fail(item, where + " needs a reason: say why the exception is safe");
    c->exceptions.push_back(std::move(ex));
    return true;
  });
}

// The registry a `registries:` key names, to find two keys for one registry: host names are
// case-insensitive, 443 is HTTPS's default port, and Docker Hub answers to several names (as
// the credential lookup treats them).
std::string RegistryIdentity(std::string_view host) {
  std::string id = base::AsciiLower(host);
  if (id.ends_with(":443")) id.resize(id.size() - 4);
  if (id == "index.docker.io" || id == "registry-1.docker.io" || id == "registry.hub.docker.com") {
    return "docker.io";
  }
  return id;
}

// A mirror as registry::SelectEndpoint takes it: host[:port], optionally after http:// or
// https:// and before trailing slashes. Checked here so that a typo stops the run at load
// (exit 2), not at the first request.
bool IsMirror(std::string_view target) {
  if (target.starts_with("https://")) {
    target.remove_prefix(8);
  } else if (target.starts_with("http://")) {
    target.remove_prefix(7);
  }
  while (!target.empty() && target.back() == '/') target.remove_suffix(1);
  return !target.empty() && std::all_of(target.begin(), target.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) ||
           std::string_view("-._:[]").find(c) != std::string_view::npos;
  });
}

// The registry host as references name it ("index.docker.io" is "docker.io" in a reference, so
// that is the host its settings must be filed under), or nullopt when no reference can name it.
std::optional<std::string> ReferenceDomain(std::string_view host) {
  if (host.empty() || host.find('/') != std::string_view::npos) return std::nullopt;
  base::Result<ref::Reference> parsed = ref::ParseReference(std::string(host) + "/x");
  if (!parsed.ok()) return std::nullopt;
  if (parsed->domain != host && RegistryIdentity(host) != parsed->domain) return std::nullopt;
  return parsed->domain;
}

bool ReadRegistries(ConfigReader& r, NodeId v, Config* c) {
  std::vector<std::pair<std::string, NodeId>> seen;  // identity, key node
  return r.ForEachEntry(v, "registries", [&](std::string_view host, NodeId key, NodeId val) {
    std::optional<std::string> domain = ReferenceDomain(host);
    if (!domain) {
      return r.Fail(key, fmt::format("registries: \"{}\" is not a registry host "
                                     "(such as ghcr.io or 127.0.0.1:5000)",
                                     Shown(host)));
    }
    std::string identity = RegistryIdentity(host);
    for (const auto& [other, other_key] : seen) {
      if (other != identity) continue;
      return r.Fail(key, fmt::format("registries: \"{}\" is the same registry as \"{}\" on line {}",
                                     Shown(host), Shown(r.doc().Value(r.Resolve(other_key))),
                                     r.Line(other_key)));
    }
    seen.emplace_back(identity, key);
    RegistrySettings settings;
    settings.host = std::move(*domain);
    std::string where = fmt::format("registries.{}", Shown(host));
    bool ok = r.ForEachKey(val, where, {"mirror", "insecure"},
                           [&](std::string_view k, NodeId, NodeId kv) {
                             if (k == "insecure")
                               return r.Bool(kv, where + ".insecure", &settings.insecure);
                             if (!r.NonEmptyString(kv, where + ".mirror", &settings.mirror))
                               return false;
                             if (IsMirror(settings.mirror)) return true;
                             return r.Fail(kv, fmt::format("{}.mirror \"{}\" is not a host[:port] "
                                                           "(optionally after http:// or https://)",
                                                           where, Shown(settings.mirror)));
                           });
    if (!ok) return false;
    c->registries.push_back(std::move(settings));
    return true;
  });
}

bool ReadPlatforms(ConfigReader& r, NodeId v, Config* c) {
  return r.CheckedStringList(
      v, "platforms", &c->platforms, [&](std::string& platform, NodeId item) {
        if (ref::ParsePlatform(platform).ok()) return true;
        return r.Fail(item, fmt::format("platforms: \"{}\" is not os/arch[/variant] "
                                        "(lowercase, such as linux/arm64)",
                                        Shown(platform)));
      });
}

// Why `glob` cannot be a platformsRequired ref, or empty: it is matched against a repository
// with its host, so it names no tag or digest and starts with a host (or a wildcard).
std::string RepositoryGlobProblem(std::string_view glob) {
  if (std::any_of(glob.begin(), glob.end(), [](char ch) {
        unsigned char c = static_cast<unsigned char>(ch);
        return c <= 0x20 || c == 0x7f;
      })) {
    return "holds a blank or control character";
  }
  if (glob.find('@') != std::string_view::npos) return "names a digest: match repositories";
  std::string_view last =
      glob.substr(glob.rfind('/') == std::string_view::npos ? 0 : glob.rfind('/') + 1);
  if (glob.find('/') != std::string_view::npos && last.find(':') != std::string_view::npos) {
    return "names a tag: match repositories";
  }
  std::string_view host = glob.substr(0, glob.find('/'));
  bool wildcard = host.find_first_of("*?[") != std::string_view::npos;
  if (glob.find('/') == std::string_view::npos && !wildcard) {
    return "is a host alone: add /** for every repository on it";
  }
  if (!wildcard && host != "localhost" && host.find_first_of(".:") == std::string_view::npos) {
    return fmt::format(
        "does not start with a registry host: it is matched against the repository with its "
        "host (docker.io/{})",
        Shown(glob));
  }
  return "";
}

// `platformsRequired: [{ref: GLOB, platforms: [os/arch, ...]}, ...]`.
bool ReadPlatformsRequired(ConfigReader& r, NodeId v, Config* c) {
  c->platforms_required.clear();
  return r.ForEachItem(v, "platformsRequired", [&](NodeId item, size_t i) {
    PlatformRequirement entry;
    entry.line = r.Line(item);
    std::string where = fmt::format("platformsRequired[{}]", i);
    NodeId ref_node = kNoNode, platforms_node = kNoNode;
    bool ok = r.ForEachKey(
        item, where, {"ref", "platforms"}, [&](std::string_view key, NodeId, NodeId val) {
          std::string what = where + "." + std::string(key);
          if (key == "ref") {
            ref_node = val;
            if (!r.NonEmptyString(val, what, &entry.ref_glob)) return false;
            std::string problem = RepositoryGlobProblem(entry.ref_glob);
            if (problem.empty()) return true;
            return r.Fail(val, fmt::format("{} \"{}\" {}", what, Shown(entry.ref_glob), problem));
          }
          platforms_node = val;
          if (!r.CheckedStringList(val, what, &entry.platforms,
                                   [&](std::string& platform, NodeId p) {
                                     if (ref::ParsePlatform(platform).ok()) return true;
                                     return r.Fail(p, fmt::format("{}: \"{}\" is not "
                                                                  "os/arch[/variant] (lowercase, "
                                                                  "such as linux/arm64)",
                                                                  what, Shown(platform)));
                                   })) {
            return false;
          }
          if (entry.platforms.empty()) {
            return r.Fail(val, what + " must not be empty: list the platforms the images need");
          }
          return true;
        });
    if (!ok) return false;
    if (ref_node == kNoNode) return r.Fail(item, where + " needs a ref (a glob of repositories)");
    if (platforms_node == kNoNode) {
      return r.Fail(item, where + " needs platforms (such as [linux/amd64, linux/arm64])");
    }
    for (const PlatformRequirement& other : c->platforms_required) {
      if (other.ref_glob == entry.ref_glob) {
        return r.Fail(ref_node, fmt::format("{}.ref \"{}\" is already the ref of the entry on "
                                            "line {}",
                                            where, Shown(entry.ref_glob), other.line));
      }
    }
    c->platforms_required.push_back(std::move(entry));
    return true;
  });
}

bool FirstPartyPrefixList(ConfigReader& r, NodeId v, std::string_view what,
                          std::vector<std::string>* out) {
  return r.CheckedStringList(v, what, out, [&](std::string& prefix, NodeId item) {
    std::string problem = FirstPartyPrefixProblem(prefix);
    if (problem.empty()) return true;
    return r.Fail(item, fmt::format("{} \"{}\" is not a repository prefix (such as "
                                    "ghcr.io/acme/): {}",
                                    what, Shown(prefix), problem));
  });
}

// `firstParty: [prefix, ...]`, or `firstParty: {include: [...], exclude: [...]}`. An exclude
// outside every include would exclude nothing: a typo, said so.
bool ReadFirstParty(ConfigReader& r, NodeId v, Config* c) {
  c->first_party_origin = {Origin::Kind::kFile, r.Line(v), ""};
  NodeId node = r.Resolve(v);
  if (node == kNoNode || r.doc().node(node).kind != NodeKind::kMapping) {
    c->first_party.exclude.clear();
    return FirstPartyPrefixList(r, v, "firstParty", &c->first_party.include);
  }
  NodeId exclude_node = kNoNode;
  bool ok = r.ForEachKey(
      v, "firstParty", {"include", "exclude"}, [&](std::string_view key, NodeId, NodeId val) {
        if (key == "include") {
          return FirstPartyPrefixList(r, val, "firstParty.include", &c->first_party.include);
        }
        exclude_node = val;
        return FirstPartyPrefixList(r, val, "firstParty.exclude", &c->first_party.exclude);
      });
  if (!ok || exclude_node == kNoNode) return ok;
  NodeId item = r.doc().node(r.Resolve(exclude_node)).first_child;
  for (const std::string& prefix : c->first_party.exclude) {
    if (!MatchesRepositoryPrefix(prefix, c->first_party.include)) {
      return r.Fail(item, fmt::format("firstParty.exclude \"{}\" is under no firstParty.include "
                                      "prefix, so it excludes nothing",
                                      Shown(prefix)));
    }
    item = r.doc().node(item).next_sibling;
  }
  return true;
}

// applications: patterns are paths relative to the repository root with placeholders
// (docs/config.md#applications). These are the placeholders there are.
constexpr std::string_view kPlaceholders[] = {"{shared}", "{env}",  "{envname}",
                                              "{charts}", "{path}", "{name}"};

// Why `pattern` is not a well-formed applications pattern, or empty when it is one: every `{`
// opens one of kPlaceholders and is closed, every `}` closes one.
std::string PlaceholderProblem(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i) {
    if (pattern[i] == '}') return "has a \"}\" without an opening \"{\"";
    if (pattern[i] != '{') continue;
    size_t end = pattern.find_first_of("{}", i + 1);
    if (end == std::string_view::npos || pattern[end] == '{') {
      return "has a \"{\" without a closing \"}\"";
    }
    std::string_view placeholder = pattern.substr(i, end + 1 - i);
    if (std::find(std::begin(kPlaceholders), std::end(kPlaceholders), placeholder) ==
        std::end(kPlaceholders)) {
      return fmt::format("has an unknown placeholder {} (expected one of: {})", Shown(placeholder),
                         fmt::join(kPlaceholders, ", "));
    }
    i = end;
  }
  return "";
}

// A pattern only ever reads below the repository root: relative, no control characters, and no
// `..` segment at all (a placeholder stands for several segments, so `{env}/..` cannot be folded
// lexically). Returns it with empty and `.` segments dropped, or nullopt with `why`.
std::optional<std::string> NormalisePattern(std::string_view text, std::string* why) {
  if (!RelativeAndPrintable(text, why)) return std::nullopt;
  std::vector<std::string_view> segments;
  for (std::string_view rest = text; !rest.empty();) {
    size_t slash = rest.find('/');
    std::string_view segment = rest.substr(0, slash);
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
    if (segment.empty() || segment == ".") continue;
    if (segment == "..") {
      *why =
          "holds \"..\": a pattern may not climb directories (nothing outside the repository "
          "is read)";
      return std::nullopt;
    }
    segments.push_back(segment);
  }
  if (segments.empty()) {
    *why = "names the repository root itself";
    return std::nullopt;
  }
  return fmt::format("{}", fmt::join(segments, "/"));
}

// One pattern (`what` as "applications.layers") at `node`, already read as a non-empty string:
// well-formed placeholders, below the root; normalised in place. `forbidden` lists placeholders
// this kind of pattern may not use, each with the reason shown.
bool CheckPattern(ConfigReader& r, NodeId node, std::string_view what, std::string* pattern,
                  std::initializer_list<std::pair<std::string_view, std::string_view>> forbidden) {
  std::string problem = PlaceholderProblem(*pattern);
  if (!problem.empty()) {
    return r.Fail(node, fmt::format("{} pattern \"{}\" {}", what, Shown(*pattern), problem));
  }
  for (const auto& [placeholder, why] : forbidden) {
    if (pattern->find(placeholder) != std::string::npos) {
      return r.Fail(node, fmt::format("{} pattern \"{}\" uses {}, which is not allowed there: {}",
                                      what, Shown(*pattern), placeholder, why));
    }
  }
  std::string why;
  std::optional<std::string> normal = NormalisePattern(*pattern, &why);
  if (!normal) return r.Fail(node, fmt::format("{} pattern \"{}\" {}", what, Shown(*pattern), why));
  *pattern = std::move(*normal);
  return true;
}

bool PatternList(ConfigReader& r, NodeId v, std::string_view what, std::vector<std::string>* out,
                 std::initializer_list<std::pair<std::string_view, std::string_view>> forbidden) {
  return r.CheckedStringList(v, what, out, [&](std::string& pattern, NodeId item) {
    return CheckPattern(r, item, what, &pattern, forbidden);
  });
}

constexpr std::string_view kGlobalsArePerEnvironment =
    "globals are per environment, not per application";

// An apps entry's name stands for {name} in its patterns, so it must keep them below the root.
bool IsApplicationName(std::string_view name) {
  if (name.starts_with('/') || name.find_first_of("{}") != std::string_view::npos) return false;
  if (std::any_of(name.begin(), name.end(),
                  [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
    return false;
  }
  for (std::string_view rest = name; !rest.empty();) {
    size_t slash = rest.find('/');
    if (rest.substr(0, slash) == "..") return false;
    rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  }
  return true;
}

// An apps entry's `environments` list, checked once the whole file is read (`environments:`
// may come after `applications:`).
struct PendingEnvironments {
  size_t app = 0;  // index into applications.apps
  NodeId list = kNoNode;
};

bool ReadApplicationEntry(ConfigReader& r, NodeId item, size_t i, Config* c,
                          std::vector<PendingEnvironments>* pending) {
  ApplicationEntry app;
  app.line = r.Line(item);
  std::string where = fmt::format("applications.apps[{}]", i);
  NodeId name_node = kNoNode, values_node = kNoNode, environments_node = kNoNode;
  bool ok = r.ForEachKey(
      item, where, {"name", "chart", "values", "environments"},
      [&](std::string_view key, NodeId, NodeId val) {
        std::string what = where + "." + std::string(key);
        if (key == "name") {
          name_node = val;
          return r.NonEmptyString(val, what, &app.name);
        }
        if (key == "chart") {
          return r.NonEmptyString(val, what, &app.chart) &&
                 CheckPattern(r, val, what, &app.chart,
                              {{"{path}", "an entry names its chart (use {name} or {charts})"}});
        }
        if (key == "values") {
          values_node = val;
          if (!PatternList(r, val, what, &app.values,
                           {{"{path}", "an entry names its files (use {name} for its name)"}})) {
            return false;
          }
          if (app.values.empty()) {
            return r.Fail(val, what + " must not be empty: list the entry's values files");
          }
          return true;
        }
        environments_node = val;
        if (!r.StringList(val, what, &app.environments)) return false;
        if (app.environments.empty()) {
          return r.Fail(val, what + " must not be empty (leave it out for every environment)");
        }
        return true;
      });
  if (!ok) return false;
  if (app.name.empty()) return r.Fail(item, where + " needs a name");
  if (!IsApplicationName(app.name)) {
    return r.Fail(name_node, fmt::format("{}.name \"{}\" is not a name: it stands for {{name}} in "
                                         "paths, so it may not be absolute or hold \"..\", "
                                         "\"{{\", \"}}\" or control characters",
                                         where, Shown(app.name)));
  }
  for (const ApplicationEntry& other : c->applications.apps) {
    if (other.name == app.name) {
      return r.Fail(name_node, fmt::format("{}.name \"{}\" is already the name of the entry on "
                                           "line {}",
                                           where, Shown(app.name), other.line));
    }
  }
  if (values_node == kNoNode) {
    return r.Fail(item, where + " needs values (its values files, lowest first)");
  }
  if (environments_node != kNoNode)
    pending->push_back({c->applications.apps.size(), environments_node});
  c->applications.apps.push_back(std::move(app));
  return true;
}

bool ReadApplications(ConfigReader& r, NodeId v, Config* c,
                      std::vector<PendingEnvironments>* pending) {
  ApplicationSettings& a = c->applications;
  return r.ForEachKey(
      v, "applications", {"layers", "globals", "chart", "apps", "requireRef", "firstPartyCharts"},
      [&](std::string_view key, NodeId, NodeId val) {
        if (key == "requireRef") return GlobList(r, val, "applications.requireRef", &a.require_ref);
        if (key == "firstPartyCharts") {
          return GlobList(r, val, "applications.firstPartyCharts", &a.first_party_charts);
        }
        if (key == "layers") {
          if (!PatternList(r, val, "applications.layers", &a.layers, {})) return false;
          if (a.layers.empty()) {
            return r.Fail(val,
                          "applications.layers must not be empty (the default is "
                          "[\"{shared}/{path}\", \"{env}/{path}\"])");
          }
          NodeId item = r.doc().node(r.Resolve(val)).first_child;
          for (const std::string& layer : a.layers) {
            if (layer.find("{path}") == std::string::npos) {
              return r.Fail(item, fmt::format("applications.layers pattern \"{}\" does not name "
                                              "the values file: it needs {{path}}, or every "
                                              "application would stack the same file",
                                              Shown(layer)));
            }
            item = r.doc().node(item).next_sibling;
          }
          return true;
        }
        if (key == "globals") {
          return PatternList(
              r, val, "applications.globals", &a.globals,
              {{"{path}", kGlobalsArePerEnvironment}, {"{name}", kGlobalsArePerEnvironment}});
        }
        if (key == "chart") {
          if (!r.NonEmptyString(val, "applications.chart", &a.chart) ||
              !CheckPattern(r, val, "applications.chart", &a.chart, {})) {
            return false;
          }
          if (a.chart.find("{name}") != std::string::npos) return true;
          return r.Fail(val, fmt::format("applications.chart pattern \"{}\" needs {{name}} (the "
                                         "application's name), or every application would get "
                                         "the same chart",
                                         Shown(a.chart)));
        }
        a.apps.clear();
        return r.ForEachItem(val, "applications.apps", [&](NodeId item, size_t i) {
          return ReadApplicationEntry(r, item, i, c, pending);
        });
      });
}

// Each apps entry's environments must be configured environments, each reported at its own
// position.
bool CheckApplicationEnvironments(ConfigReader& r, const std::vector<PendingEnvironments>& pending,
                                  const Config& c) {
  for (const PendingEnvironments& p : pending) {
    NodeId item = r.doc().node(r.Resolve(p.list)).first_child;
    for (const std::string& name : c.applications.apps[p.app].environments) {
      if (!c.FindEnvironment(name)) {
        return r.Fail(item, fmt::format("applications.apps[{}].environments: \"{}\" is not an "
                                        "environment",
                                        p.app, Shown(name)));
      }
      item = r.doc().node(item).next_sibling;
    }
  }
  return true;
}

// One bump.holds entry. Its `env` is checked once the whole file is read (`environments:` may
// come later): `env_node` is where to report it.
bool ReadHold(ConfigReader& r, NodeId item, size_t i, Config* c, std::vector<NodeId>* env_nodes) {
  Hold hold;
  hold.line = r.Line(item);
  std::string where = fmt::format("bump.holds[{}]", i);
  NodeId env_node = kNoNode, app_node = kNoNode, repository_node = kNoNode;
  bool ok = r.ForEachKey(
      item, where, {"app", "repository", "env", "reason", "until"},
      [&](std::string_view key, NodeId, NodeId val) {
        std::string what = where + "." + std::string(key);
        if (key == "app") {
          app_node = val;
          return r.NonEmptyString(val, what, &hold.app);
        }
        if (key == "env") {
          env_node = val;
          return r.NonEmptyString(val, what, &hold.environment);
        }
        if (key == "reason") return r.NonEmptyString(val, what, &hold.reason);
        if (key == "until") {
          DateAt until;
          if (!ReadDate(r, val, what, &until)) return false;
          hold.until = std::move(until.date);
          hold.until_line = until.line;
          hold.until_column = until.column;
          hold.until_source_line = std::move(until.source_line);
          return true;
        }
        repository_node = val;
        if (!r.NonEmptyString(val, what, &hold.written)) return false;
        // Compared with what bump and promote name, so normalised as they normalise: a hold on
        // `acme/x` holds `docker.io/acme/x` however the field writes it.
        base::Result<ref::Reference> parsed = ref::ParseReference(hold.written);
        if (!parsed.ok()) {
          return r.Fail(val, fmt::format("{} \"{}\" is not a repository: {}", what,
                                         Shown(hold.written), parsed.error().message));
        }
        if (parsed->has_tag() || parsed->has_digest()) {
          return r.Fail(val, fmt::format("{} \"{}\" names a tag or digest: a hold is on a "
                                         "repository (write ghcr.io/acme/api)",
                                         what, Shown(hold.written)));
        }
        hold.repository = parsed->Repository();
        return true;
      });
  if (!ok) return false;
  if (app_node != kNoNode && repository_node != kNoNode) {
    return r.Fail(repository_node, where + " has both app and repository: a hold names one");
  }
  if (app_node == kNoNode && repository_node == kNoNode) {
    return r.Fail(item, where + " needs an app (a service name) or a repository");
  }
  if (env_node == kNoNode) return r.Fail(item, where + " needs an env (the environment held)");
  if (hold.reason.empty()) return r.Fail(item, where + " needs a reason: say why it is held");
  env_nodes->push_back(env_node);
  c->bump.holds.push_back(std::move(hold));
  return true;
}

// bump.environments and bump.holds' envs must name environments; checked after the whole file
// is read, since `environments:` may come later.
bool ReadBump(ConfigReader& r, NodeId v, Config* c, NodeId* environments_node,
              std::vector<NodeId>* hold_env_nodes) {
  return r.ForEachKey(v, "bump", {"environments", "channel", "holds", "readableTag"},
                      [&](std::string_view key, NodeId, NodeId val) {
                        if (key == "readableTag") {
                          std::string text;
                          if (!r.String(val, "bump.readableTag", &text)) return false;
                          if (text == "none") {
                            c->bump.readable_tag = BumpSettings::ReadableTag::kNone;
                          } else if (text == "revision") {
                            c->bump.readable_tag = BumpSettings::ReadableTag::kRevision;
                          } else {
                            return r.Fail(val, fmt::format("bump.readableTag \"{}\" is not none "
                                                           "or revision",
                                                           Shown(text)));
                          }
                          return true;
                        }
                        if (key == "channel") {
                          if (!r.NonEmptyString(val, "bump.channel", &c->bump.channel))
                            return false;
                          if (IsTag(c->bump.channel)) return true;
                          return r.Fail(val, fmt::format("bump.channel \"{}\" is not a tag "
                                                         "([A-Za-z0-9_][A-Za-z0-9_.-]{{0,127}})",
                                                         Shown(c->bump.channel)));
                        }
                        if (key == "holds") {
                          c->bump.holds.clear();
                          hold_env_nodes->clear();
                          return r.ForEachItem(val, "bump.holds", [&](NodeId item, size_t i) {
                            return ReadHold(r, item, i, c, hold_env_nodes);
                          });
                        }
                        *environments_node = val;
                        return r.StringList(val, "bump.environments", &c->bump.environments);
                      });
}

// Each hold's env is a configured environment, reported at the env value.
bool CheckHoldEnvironments(ConfigReader& r, const std::vector<NodeId>& env_nodes, const Config& c) {
  for (size_t i = 0; i < c.bump.holds.size(); ++i) {
    if (!c.FindEnvironment(c.bump.holds[i].environment)) {
      return r.Fail(env_nodes[i], fmt::format("bump.holds[{}].env: \"{}\" is not an environment", i,
                                              Shown(c.bump.holds[i].environment)));
    }
  }
  return true;
}

// Unwritten, bump.environments is whichever of local and dev the config has.
bool CheckBumpEnvironments(ConfigReader& r, NodeId node, Config& c) {
  if (node == kNoNode) {
    std::erase_if(c.bump.environments,
                  [&](const std::string& name) { return !c.FindEnvironment(name); });
    return true;
  }
  NodeId item = node == kNoNode ? kNoNode : r.doc().node(r.Resolve(node)).first_child;
  for (const std::string& name : c.bump.environments) {
    if (!c.FindEnvironment(name)) {
      return r.Fail(item == kNoNode ? node : item,
                    fmt::format("bump.environments: \"{}\" is not an environment", Shown(name)));
    }
    if (item != kNoNode) item = r.doc().node(item).next_sibling;
  }
  return true;
}

}  // namespace

const Environment* Config::FindEnvironment(std::string_view name) const {
  for (const Environment& env : environments) {
    if (env.name == name) return &env;
  }
  return nullptr;
}

const std::vector<std::string>* Config::PlatformsFor(std::string_view repository,
                                                     bool is_first_party) const {
  for (const PlatformRequirement& entry : platforms_required) {
    if (base::GlobMatch(entry.ref_glob, repository)) return &entry.platforms;
  }
  return is_first_party ? &platforms : nullptr;
}

base::Result<Config> ParseConfig(std::string_view contents, const std::string& display_path) {
  Config config;
  config.path = display_path;
  std::optional<base::Error> error;
  int documents = 0;
  yaml::StreamParser parser;
  yaml::SyntaxError syntax;
  bool parsed = parser.Parse(
      contents,
      [&](const Document& doc) {
        if (error) return;
        if (++documents > 1) {
          error = base::MakeError(base::ErrorCode::kConfig, "the config must be one YAML document",
                                  display_path);
          return;
        }
        if (doc.root() == kNoNode || doc.IsNull(doc.root())) return;  // empty: defaults
        ConfigReader r(doc, display_path, &config.key_lines);
        NodeId bump_environments = kNoNode;
        std::vector<NodeId> hold_environments;
        std::vector<PendingEnvironments> app_environments;
        bool read = r.ForEachKey(
            doc.root(), "the config",
            {"version", "scope", "environments", "shared", "charts", "applications", "firstParty",
             "tags", "pullPolicy", "exceptions", "registries", "bump", "platforms",
             "platformsRequired"},
            [&](std::string_view key, NodeId, NodeId v) {
              if (key == "applications") return ReadApplications(r, v, &config, &app_environments);
              if (key == "registries") return ReadRegistries(r, v, &config);
              if (key == "bump")
                return ReadBump(r, v, &config, &bump_environments, &hold_environments);
              if (key == "platforms") return ReadPlatforms(r, v, &config);
              if (key == "platformsRequired") return ReadPlatformsRequired(r, v, &config);
              if (key == "version") {
                std::string version;
                if (!r.String(v, "version", &version)) return false;
                if (version != "1")
                  return r.Fail(
                      v, fmt::format("version {} is not supported (only 1)", Shown(version)));
                return true;
              }
              if (key == "scope") return ReadScope(r, v, &config);
              if (key == "environments") return ReadEnvironments(r, v, &config);
              if (key == "shared") return PathSetting(r, v, "shared", &config.shared);
              if (key == "charts") return PathSetting(r, v, "charts", &config.charts);
              if (key == "firstParty") return ReadFirstParty(r, v, &config);
              if (key == "tags") return ReadTags(r, v, &config);
              if (key == "pullPolicy") {
                if (!r.NonEmptyString(v, "pullPolicy", &config.pull_policy)) return false;
                if (config.pull_policy != "IfNotPresent" && config.pull_policy != "Never" &&
                    config.pull_policy != "Always") {
                  return r.Fail(v, fmt::format("pullPolicy \"{}\" is not a Kubernetes pull policy "
                                               "(IfNotPresent, Never, Always)",
                                               Shown(config.pull_policy)));
                }
                return true;
              }
              return ReadExceptions(r, v, &config);
            });
        if (read && CheckBumpEnvironments(r, bump_environments, config) &&
            CheckHoldEnvironments(r, hold_environments, config)) {
          CheckApplicationEnvironments(r, app_environments, config);
        }
        if (r.error) error = r.error;
      },
      &syntax);
  if (!parsed) {
    return base::MakeError(base::ErrorCode::kConfig, "YAML syntax error: " + syntax.message,
                           display_path, {syntax.line, syntax.column});
  }
  if (error) return *error;
  return config;
}

namespace {

base::Result<Config> ReadConfigFile(const std::string& root) {
  std::filesystem::path file = std::filesystem::path(root) / kConfigFileName;
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return Config{};
  std::string contents;
  std::string display(kConfigFileName);
  if (base::Status read = base::ReadFileInto(file.string(), size_t{1} << 20, &contents);
      !read.ok()) {
    return base::MakeError(base::ErrorCode::kConfig, read.error().message, display);
  }
  return ParseConfig(contents, display);
}

}  // namespace

base::Result<Config> LoadConfig(const std::string& root) {
  base::Result<Config> config = ReadConfigFile(root);
  if (!config.ok() || config->first_party_origin.kind == Origin::Kind::kFile) return config;
  FirstPartyDefault found = FirstPartyFromRepository(root, std::getenv("GITHUB_REPOSITORY_OWNER"));
  config->first_party.include = std::move(found.include);
  config->first_party_origin = std::move(found.origin);
  return config;
}

}  // namespace imagepin::policy
