#include "scan/scanner.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "base/files.h"
#include "base/sha256.h"
#include "scan/embedded.h"
#include "scan/extract.h"
#include "scan/mentions.h"

namespace imagepin::scan {
namespace {

bool IsKustomizationName(std::string_view name) {
  size_t slash = name.rfind('/');
  std::string_view base = slash == std::string_view::npos ? name : name.substr(slash + 1);
  return base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization";
}

std::string_view BaseName(std::string_view name) {
  size_t slash = name.rfind('/');
  return slash == std::string_view::npos ? name : name.substr(slash + 1);
}

// `.argocd-source.yaml` and `.argocd-source-<app>.yaml`, Argo CD's parameter override files.
bool IsArgoCdSourceName(std::string_view name) {
  std::string_view base = BaseName(name);
  return base.starts_with(".argocd-source") && (base.ends_with(".yaml") || base.ends_with(".yml"));
}

std::string ProblemPrefix(yaml::ErrorKind kind) {
  switch (kind) {
    case yaml::ErrorKind::kSyntax:
      return "YAML syntax error: ";
    default:  // the messages of the others say what they are
      return "";
  }
}

}  // namespace

FileScan ScanContents(std::string_view contents, std::string_view name, bool rendered,
                      yaml::StreamParser* parser, std::vector<yaml::Document>* documents) {
  FileScan scan;
  if (!yaml::LooksLikeUtf8Text(contents)) {
    scan.status = FileStatus::kProblem;
    scan.problem =
        FileProblem{"not a UTF-8 text file (binary, or UTF-16/32): cannot check it", 0, 0, {}};
    return scan;
  }
  ExtractOptions options;
  options.kustomization_file = IsKustomizationName(name);
  options.argocd_source_file = IsArgoCdSourceName(name);
  options.record_paths = documents != nullptr;
  yaml::SyntaxError error;
  bool ok = parser->Parse(
      contents,
      [&](const yaml::Document& doc) {
        ++scan.documents;
        ExtractImageFields(doc, options, &scan.fields);
        // Forms no key names: references in env values and flags, documents inside scalars.
        ExtractMentions(doc, &scan.fields);
        ExtractEmbeddedFields(doc, parser->limits(), 0, &scan.fields);
      },
      &error, documents);
  if (!ok) {
    // Unrendered Helm templates outside templates/ (say, a values file generated from
    // `{{ }}`) fail to parse: count them as templates rather than as broken YAML.
    // Only a syntax error can be a template's: a duplicate key, an undefined alias or nesting
    // past the limit is YAML that parses, read differently, and is never excused.
    // Rendered output (`helm template … | imagepin check -`) is never a template.
    if (!rendered && error.kind == yaml::ErrorKind::kSyntax &&
        contents.find("{{") != std::string_view::npos) {
      scan = FileScan{};
      if (documents != nullptr) documents->clear();
      scan.status = FileStatus::kTemplate;
      // Its images are still images: a literal one is judged, never hidden by the `{{`.
      ExtractTemplateImageLines(contents, &scan.fields);
      return scan;
    }
    scan.status = FileStatus::kProblem;
    scan.problem = FileProblem{ProblemPrefix(error.kind) + error.message, error.line, error.column,
                               std::string(yaml::LineNumbered(contents, error.line))};
  }
  return scan;
}

void ScanFiles(const std::vector<FileEntry>& files, const ScanOptions& options,
               const std::function<void(size_t, const FileEntry&, FileScan&)>& on_file) {
  unsigned jobs = options.jobs ? options.jobs : std::max(1u, std::thread::hardware_concurrency());
  jobs = static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(files.size(), 1)));
  std::atomic<size_t> next{0};
  auto work = [&] {
    yaml::StreamParser parser(options.limits);
    std::string buffer;  // reused: one file in memory per thread
    for (size_t i; (i = next.fetch_add(1)) < files.size();) {
      const FileEntry& entry = files[i];
      FileScan scan;
      if (entry.chart_template) {
        scan.status = FileStatus::kTemplate;
      } else if (base::Status read = base::ReadFileInto(entry.path, options.max_file_size, &buffer);
                 !read.ok()) {
        scan.status = FileStatus::kProblem;
        scan.problem = FileProblem{read.error().message, 0, 0, {}};
      } else {
        scan = ScanContents(buffer, entry.display_path, false, &parser);
        if (options.fingerprint) scan.sha256 = base::Sha256Digest(buffer);
        scan.chart_defaults = entry.chart_values;
      }
      on_file(i, entry, scan);
      // Let a rare huge file's buffer go instead of holding it for the rest of the run.
      if (buffer.capacity() > (size_t{1} << 20)) std::string().swap(buffer);
    }
  };
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

namespace {

unsigned WorkerCount(unsigned jobs, size_t items) {
  jobs = jobs ? jobs : std::max(1u, std::thread::hardware_concurrency());
  return static_cast<unsigned>(std::min<size_t>(jobs, std::max<size_t>(items, 1)));
}

// Runs `work` on `jobs` threads (this one included) and waits for them.
void RunWorkers(unsigned jobs, const std::function<void()>& work) {
  std::vector<std::thread> threads;
  for (unsigned t = 1; t < jobs; ++t) threads.emplace_back(work);
  work();
  for (std::thread& t : threads) t.join();
}

}  // namespace

void ScanGroups(const std::vector<FileEntry>& files, const std::vector<FileGroup>& groups,
                const ScanOptions& options,
                const std::function<void(size_t, std::span<GroupFile>)>& on_group) {
  std::atomic<size_t> next{0};
  RunWorkers(WorkerCount(options.jobs, groups.size()), [&] {
    yaml::StreamParser parser(options.limits);
    std::vector<GroupFile> slots;  // reused: their buffers keep their capacity
    for (size_t g; (g = next.fetch_add(1)) < groups.size();) {
      const FileGroup& group = groups[g];
      if (slots.size() < group.files.size()) slots.resize(group.files.size());
      for (size_t i = 0; i < group.files.size(); ++i) {
        GroupFile& slot = slots[i];
        slot.entry = &files[group.files[i]];
        slot.scan = FileScan{};
        slot.documents.clear();
        if (slot.entry->chart_template) {
          slot.scan.status = FileStatus::kTemplate;
        } else if (base::Status read =
                       base::ReadFileInto(slot.entry->path, options.max_file_size, &slot.contents);
                   !read.ok()) {
          slot.scan.status = FileStatus::kProblem;
          slot.scan.problem = FileProblem{read.error().message, 0, 0, {}};
        } else {
          slot.scan = ScanContents(slot.contents, slot.entry->display_path, false, &parser,
                                   group.keep_documents ? &slot.documents : nullptr);
          if (options.fingerprint) slot.scan.sha256 = base::Sha256Digest(slot.contents);
          slot.scan.chart_defaults = slot.entry->chart_values;
        }
      }
      // The slots stay where they are: the documents view their buffers.
      on_group(g, std::span<GroupFile>(slots.data(), group.files.size()));
      for (GroupFile& slot : slots) {  // a rare huge buffer is let go
        if (slot.contents.capacity() > (size_t{1} << 20)) {
          slot.documents.clear();
          std::string().swap(slot.contents);
        }
      }
    }
  });
}

}  // namespace imagepin::scan
