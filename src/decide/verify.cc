#include "decide/verify.h"

#include <algorithm>

#include "decide/lookup.h"
#include "decide/platforms.h"
#include "policy/check.h"
#include "policy/evaluate.h"
#include "policy/exceptions.h"
#include "policy/registry_rules.h"

namespace imagepin::decide {
namespace {

bool Names(const registry::Manifest& tag, const std::string& digest) {
  return tag.digest == digest ||
         std::find(tag.children.begin(), tag.children.end(), digest) != tag.children.end();
}

}  // namespace

std::vector<PinnedImage> CollectPinned(const plan::Workspace& ws) {
  std::vector<PinnedImage> pinned;
  for (const plan::ScannedFile& file : ws.files) {
    for (const scan::ImageField& field : file.scan.fields.images) {
      if (field.templated || field.partial) continue;
      base::Result<ref::Reference> r = ref::ParseReference(field.reference);
      if (!r.ok() || !r->has_digest()) continue;  // check reports those
      ref::Reference by_digest = *r;
      by_digest.tag.clear();
      ref::Reference tagged;
      if (r->has_tag()) {
        tagged = *r;
        tagged.digest.clear();
      }
      bool first_party = policy::IsFirstParty(ws.config, r->Repository());
      pinned.push_back({&file, &field, by_digest, first_party,
                        ws.config.PlatformsFor(r->Repository(), first_party), std::move(tagged)});
    }
  }
  return pinned;
}

std::vector<ref::Reference> TagsToCheck(const std::vector<PinnedImage>& pinned) {
  std::vector<ref::Reference> tags;
  for (const PinnedImage& p : pinned) {
    if (p.tagged.has_tag()) tags.push_back(p.tagged);
  }
  return tags;
}

std::vector<size_t> TagsToOpen(const std::vector<PinnedImage>& pinned,
                               const std::vector<registry::Result<registry::Manifest>>& tags) {
  std::vector<size_t> open;
  size_t j = 0;
  for (const PinnedImage& p : pinned) {
    if (!p.tagged.has_tag()) continue;
    const registry::Result<registry::Manifest>& r = tags[j];
    if (r.ok() && r->is_index && r->digest != p.ref.digest) open.push_back(j);
    ++j;
  }
  return open;
}

VerifyDecision DecideVerify(const plan::Workspace& ws, const std::vector<PinnedImage>& pinned,
                            const std::vector<registry::Result<registry::Manifest>>& results,
                            std::string_view today) {
  return DecideVerify(ws, pinned, results, {}, today);
}

VerifyDecision DecideVerify(const plan::Workspace& ws, const std::vector<PinnedImage>& pinned,
                            const std::vector<registry::Result<registry::Manifest>>& results,
                            const std::vector<registry::Result<registry::Manifest>>& tag_results,
                            std::string_view today) {
  VerifyDecision d;
  // A file verify cannot read is a finding, as in check: never a silent "no findings".
  std::vector<std::pair<std::string, const scan::FileScan*>> scans;
  for (const plan::ScannedFile& f : ws.files) scans.push_back({f.entry.display_path, &f.scan});
  policy::AppendUnreadable(ws.config, ws.listing_problems, scans, &d.findings);

  std::vector<policy::PinLookup> lookups;
  size_t next_tag = 0;
  for (size_t i = 0; i < pinned.size(); ++i) {
    const PinnedImage& p = pinned[i];
    const registry::Result<registry::Manifest>& r = results[i];
    const std::string& path = p.file->entry.display_path;
    policy::PinLookup lookup;
    lookup.path = path;
    lookup.field = p.field;
    lookup.repository = p.ref.Repository();
    lookup.digest = p.ref.digest;
    lookup.first_party = p.first_party;
    const registry::Result<registry::Manifest>* tag = nullptr;
    if (p.tagged.has_tag() && !tag_results.empty()) tag = &tag_results[next_tag++];
    if (!r.ok() && r.error().kind != registry::ErrorKind::kNotFound) {
      d.errors.push_back(base::Diagnostic::Error(path, {p.field->line, p.field->column},
                                                 DescribeFailure(r.error())));
      continue;
    }
    lookup.found = r.ok();
    if (r.ok() && p.platforms != nullptr) {
      lookup.platforms_missing = MissingPlatforms(*r, p.ref.Repository(), *p.platforms);
    }
    if (tag != nullptr) {
      lookup.tag = p.tagged.tag;
      if (tag->ok()) {
        bool same = Names(**tag, p.ref.digest);
        lookup.tag_state =
            same ? policy::PinLookup::TagState::kSame : policy::PinLookup::TagState::kMoved;
        if (!same) lookup.tag_digest = (*tag)->digest;
      } else if (tag->error().kind == registry::ErrorKind::kNotFound) {
        lookup.tag_state = policy::PinLookup::TagState::kGone;
      } else {
        d.errors.push_back(base::Diagnostic::Error(path, {p.field->line, p.field->column},
                                                   DescribeFailure(tag->error())));
      }
    }
    lookups.push_back(std::move(lookup));
  }
  policy::EvaluatePinLookups(lookups, &d.findings);
  policy::SuppressExcepted(ws.config, today, &d.findings);
  policy::SortFindings(d.findings);
  return d;
}

}  // namespace imagepin::decide
