#include "decide/readable_tag.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "base/utf8.h"
#include "decide/lookup.h"

namespace imagepin::decide {
namespace {

constexpr size_t kShortRevision = 7;  // git's default abbreviation

bool IsLowerHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// A tag, in the distribution grammar: [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}.
bool IsTag(std::string_view s) {
  auto word = [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'; };
  return !s.empty() && s.size() <= 128 && word(s[0]) &&
         std::all_of(s.begin() + 1, s.end(),
                     [&](char c) { return word(c) || c == '.' || c == '-'; });
}

bool IsWordChar(char ch) {
  return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '.' || ch == '-';
}

// "3f2a9c1" for a readable tag or a revision that gives one, else the digest cut short.
std::string NewShort(std::string_view written_tag, std::string_view digest,
                     std::string_view revision) {
  if (!written_tag.empty()) return std::string(written_tag);
  if (std::string tag = TagForRevision(revision).tag; !tag.empty()) return tag;
  return std::string(digest.substr(0, 19));  // "sha256:" and 12 hex digits
}

// The old tag or revision a changed field's trailing comment still names, or empty.
std::string StaleName(const plan::BumpTarget& t, std::string_view comment,
                      std::string_view old_revision, std::string_view new_short) {
  std::vector<std::string> olds;
  if (base::Result<ref::Reference> written = ref::ParseReference(t.ref.value);
      written.ok() && written->has_tag() && written->tag != t.channel.tag) {
    olds.push_back(written->tag);  // the channel still names the new digest: not stale
  }
  if (!old_revision.empty()) olds.emplace_back(old_revision);
  for (const std::string& old : olds) {
    if (old == new_short || (old.size() > new_short.size() && old.starts_with(new_short))) continue;
    if (!CommentNames(comment, old)) continue;
    // Name it as people write it: a full SHA by its short form.
    std::string tag = TagForRevision(old).tag;
    return old.size() > tag.size() && !tag.empty() ? tag : old;
  }
  return "";
}

}  // namespace

RevisionTag TagForRevision(std::string_view revision) {
  if (revision.empty()) return {"", "carries no org.opencontainers.image.revision annotation"};
  if (revision.size() >= kShortRevision && revision.size() <= 64 && IsLowerHex(revision)) {
    return {std::string(revision.substr(0, kShortRevision)), ""};
  }
  if (IsTag(revision)) return {std::string(revision), ""};
  std::string shown(revision.substr(0, 40));
  for (char& c : shown) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
  }
  return {"", fmt::format("has revision \"{}{}\", which is neither a git SHA nor a tag", shown,
                          revision.size() > 40 ? "..." : "")};
}

std::vector<ReadableTag> ReadableTagCandidates(
    const plan::BumpTargets& found, const std::vector<const policy::Hold*>& held,
    const std::vector<registry::Result<registry::Manifest>>& resolved) {
  std::vector<ReadableTag> tags(found.targets.size());
  size_t answer = 0;
  for (size_t i = 0; i < found.targets.size(); ++i) {
    if (held[i] != nullptr) continue;
    const registry::Result<registry::Manifest>& r = resolved[answer++];
    if (!r.ok()) continue;
    RevisionTag t = TagForRevision(r->revision);
    tags[i].digest = r->digest;
    tags[i].tag = t.tag;
    if (t.tag.empty()) {
      tags[i].note =
          fmt::format("no readable tag: {}@{} {}; writing {}@digest", found.targets[i].repository,
                      r->digest, t.why_none, found.targets[i].repository);
    }
  }
  return tags;
}

std::vector<ref::Reference> ReadableTagsToConfirm(const plan::BumpTargets& found,
                                                  const std::vector<ReadableTag>& tags) {
  std::vector<ref::Reference> refs;
  for (size_t i = 0; i < tags.size(); ++i) {
    if (tags[i].tag.empty()) continue;
    ref::Reference r = found.targets[i].channel;
    r.tag = tags[i].tag;
    refs.push_back(std::move(r));
  }
  return refs;
}

void ConfirmReadableTags(const std::vector<registry::Result<registry::Manifest>>& answers,
                         std::vector<ReadableTag>* tags) {
  size_t j = 0;
  for (ReadableTag& t : *tags) {
    if (t.tag.empty()) continue;
    const registry::Result<registry::Manifest>& r = answers[j++];
    std::string why;
    if (r.ok() && r->digest == t.digest) continue;
    if (r.ok()) {
      why = fmt::format("names {}, not {}", r->digest, t.digest);
    } else if (r.error().kind == registry::ErrorKind::kNotFound) {
      why = "is not in the registry";
    } else {
      why = "could not be confirmed (" + DescribeFailure(r.error()) + ")";
    }
    t.note = fmt::format(
        "no readable tag: tag \"{}\" (the image's revision) {}; writing the "
        "digest alone",
        t.tag, why);
    t.tag.clear();
  }
}

TrailingComment CommentAfter(const scan::Scalar& scalar) {
  if (!scalar.present || scalar.raw.empty() ||
      scalar.raw.find_first_of("\r\n") != std::string::npos) {
    return {};
  }
  const std::string& line = scalar.source_line;
  // The scalar starts at its column (characters); find its bytes from there.
  size_t start = 0;
  for (int chars = 1; chars < scalar.column && start < line.size(); ++chars) {
    unsigned char c = static_cast<unsigned char>(line[start]);
    start += c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
  }
  if (line.compare(start, scalar.raw.size(), scalar.raw) != 0) return {};
  size_t at = start + scalar.raw.size();
  while (at < line.size() && (line[at] == ' ' || line[at] == '\t')) ++at;
  if (at >= line.size() || line[at] != '#' || at == start + scalar.raw.size()) return {};
  std::string text = line.substr(at);
  while (!text.empty() && (text.back() == '\r' || text.back() == '\n')) text.pop_back();
  return {text, base::Utf8Length(std::string_view(line).substr(0, at)) + 1};
}

std::vector<ref::Reference> OldDigestsToLookUp(
    const plan::BumpTargets& found, const std::vector<const policy::Hold*>& held,
    const std::vector<registry::Result<registry::Manifest>>& resolved, std::vector<size_t>* which) {
  std::vector<ref::Reference> refs;
  which->clear();
  size_t answer = 0;
  for (size_t i = 0; i < found.targets.size(); ++i) {
    const plan::BumpTarget& t = found.targets[i];
    if (held[i] != nullptr) continue;
    const registry::Result<registry::Manifest>& r = resolved[answer++];
    if (!r.ok() || t.current_digest.empty() || r->digest == t.current_digest) continue;
    if (CommentAfter(t.ref).text.empty()) continue;
    ref::Reference old = t.channel;
    old.tag.clear();
    old.digest = t.current_digest;
    refs.push_back(std::move(old));
    which->push_back(i);
  }
  return refs;
}

bool CommentNames(std::string_view comment, std::string_view old) {
  if (old.empty()) return false;
  bool revision = old.size() > kShortRevision && IsLowerHex(old);
  for (size_t i = 0; i < comment.size();) {
    if (!IsWordChar(comment[i])) {
      ++i;
      continue;
    }
    size_t end = i;
    while (end < comment.size() && IsWordChar(comment[end])) ++end;
    std::string_view word = comment.substr(i, end - i);
    // "3f2a9c1." at the end of a sentence is the word "3f2a9c1".
    while (!word.empty() && (word.back() == '.' || word.back() == '-')) word.remove_suffix(1);
    if (word == old) return true;
    if (revision && word.size() >= kShortRevision && old.starts_with(word)) return true;
    i = end;
  }
  return false;
}

std::vector<base::Diagnostic> ChangedFieldNotes(const plan::BumpTarget& target,
                                                const ReadableTag* tag, std::string_view new_digest,
                                                std::string_view new_revision,
                                                std::string_view old_revision) {
  std::vector<base::Diagnostic> notes;
  const std::string& path = target.file.display_path;
  if (tag != nullptr && !tag->note.empty()) {
    notes.push_back(base::Diagnostic::Note(path, {target.ref.line, target.ref.column}, tag->note));
  }
  TrailingComment comment = CommentAfter(target.ref);
  if (comment.text.empty()) return notes;
  std::string now = NewShort(tag != nullptr ? tag->tag : "", new_digest, new_revision);
  std::string stale = StaleName(target, comment.text, old_revision, now);
  if (!stale.empty()) {
    notes.push_back(base::Diagnostic::Note(
        path, {target.ref.line, comment.column},
        fmt::format("comment names {}, the field now points at {} (the comment is left as it is)",
                    stale, now)));
  }
  return notes;
}

}  // namespace imagepin::decide
