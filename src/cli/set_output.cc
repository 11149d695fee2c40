#include "cli/set_output.h"

#include <fmt/format.h>

#include "cli/json_util.h"
#include "report/markdown.h"

namespace imagepin::cli {
namespace {

std::string Until(const policy::Hold& h) { return h.until.empty() ? "no end" : "until " + h.until; }

std::string Old(const plan::RefTarget& t) {
  return t.current_digest.empty() ? "(tag only)" : report::ShortDigest(t.current_digest);
}

}  // namespace

std::string ConfigDisplayPath(const policy::Config& config) {
  return config.path.empty() ? std::string(policy::kConfigFileName) : config.path;
}

void PrintSetLines(const decide::SetDecision& d, const policy::Config& config) {
  for (const decide::SetOutcome& o : d.outcomes) {
    const plan::RefTarget& t = *o.target;
    std::string where = fmt::format("{}:{}:{}: {} {}", t.file.display_path, t.ref.line,
                                    t.ref.column, t.environment, t.service);
    if (o.hold != nullptr) {
      fmt::print("{}: held ({}), {} [{}:{}]{}\n", where, o.hold->reason, Until(*o.hold),
                 ConfigDisplayPath(config), o.hold->line,
                 o.written_held ? " (written: --ignore-holds)"
                                : ", not written (--ignore-holds writes it)");
      if (!o.written_held) continue;
    }
    if (o.new_value.empty()) continue;
    std::string digest = o.new_value.substr(o.new_value.rfind('@') + 1);
    fmt::print("{}: {} → {}{}\n", where, Old(t), report::ShortDigest(digest),
               o.would_change ? "" : " (unchanged)");
  }
}

nlohmann::ordered_json SetChangesJson(const decide::SetDecision& d) {
  nlohmann::ordered_json changes = nlohmann::ordered_json::array();
  for (const decide::SetOutcome& o : d.outcomes) {
    const plan::RefTarget& t = *o.target;
    nlohmann::ordered_json j = RefTargetJson(t);
    j["old"] = StringOrNull(t.current_digest);
    j["new"] =
        StringOrNull(o.new_value.empty() ? "" : o.new_value.substr(o.new_value.rfind('@') + 1));
    j["value"] = StringOrNull(o.new_value);
    j["changed"] = o.changed;
    if (o.hold != nullptr) {
      j["held"] = {{"reason", o.hold->reason},
                   {"until", StringOrNull(o.hold->until)},
                   {"line", o.hold->line},
                   {"written", o.written_held}};
    } else {
      j["held"] = nullptr;
    }
    changes.push_back(std::move(j));
  }
  return changes;
}

std::string SetMarkdown(const decide::SetDecision& d, const ref::Reference& reference,
                        const policy::Config& config, const std::string& title) {
  std::vector<std::vector<std::string>> rows, held;
  for (const decide::SetOutcome& o : d.outcomes) {
    const plan::RefTarget& t = *o.target;
    if (o.hold != nullptr) {
      held.push_back({t.service, t.environment, "`" + t.repository + "`", o.hold->reason,
                      o.hold->until.empty() ? "-" : o.hold->until,
                      o.written_held ? "written (--ignore-holds)" : "not written"});
    }
    if (!o.changed) continue;
    std::string old =
        t.current_digest.empty() ? "(tag only)" : "`" + report::ShortDigest(t.current_digest) + "`";
    rows.push_back({t.service, t.environment, "`" + t.repository + "`", old,
                    "`" + report::ShortDigest(reference.digest) + "`"});
  }
  std::string md = fmt::format("## {}\n\n", title);
  if (rows.empty()) {
    md += "Every field not held is already at this digest.\n";
  } else {
    md += report::MarkdownTable(
        {"Service", "Environment", "Repository", "Old digest", "New digest"}, rows);
    md += fmt::format(
        "\n{} reference{} set to `{}`, checked in the registry first: the digest exists{}.\n",
        rows.size(), rows.size() == 1 ? "" : "s", reference.digest,
        config.platforms.empty()
            ? ""
            : fmt::format(" and is a multi-arch index with {}", fmt::join(config.platforms, ", ")));
  }
  if (!held.empty()) {
    md += fmt::format("\n**Held** (`bump.holds` in `{}`):\n\n", ConfigDisplayPath(config)) +
          report::MarkdownTable(
              {"Service", "Environment", "Repository", "Reason", "Until", "Outcome"}, held);
  }
  return md;
}

}  // namespace imagepin::cli
