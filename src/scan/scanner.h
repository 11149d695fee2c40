// Scans YAML files for image fields, in parallel over files, one file in memory per thread.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scan/file_list.h"
#include "scan/image_field.h"
#include "yaml/parser.h"

namespace imagepin::scan {

enum class FileStatus {
  kScanned,   // parsed (possibly with zero documents)
  kTemplate,  // a Helm template: skipped and counted, not an error
  kProblem,   // could not be read or parsed: see `problem`
};

// Why a file could not be scanned; line and column are 1-based, 0 when unknown.
struct FileProblem {
  std::string message;
  int line = 0;
  int column = 0;
  std::string source_line;
};

struct FileScan {
  FileStatus status = FileStatus::kScanned;
  int documents = 0;
  DocumentFields fields;  // of every document that parsed
  std::optional<FileProblem> problem;
  // "sha256:…" of the bytes scanned, when ScanOptions::fingerprint asked for it: a rewrite
  // planned from this scan applies only to a file that still holds exactly these bytes.
  std::string sha256;
  // A chart's values.yaml (FileEntry::chart_values): defaults, judged through the applications
  // that stack them, so per file only as YAML (IP000).
  bool chart_defaults = false;
};

struct ScanOptions {
  size_t max_file_size = size_t{8} << 20;  // 8 MiB: far above any values file, below a mistake
  unsigned jobs = 0;                       // 0: one per hardware thread
  yaml::ParseLimits limits;                // scope.maxDepth
  bool fingerprint = false;                // fill FileScan::sha256 (the writing commands)
};

// Scans `contents` (a whole file or standard input). `name` decides kustomization handling.
// A file that fails to parse and holds `{{` is taken for an unrendered Helm template (kTemplate,
// its `image:` lines read one by one: ExtractTemplateImageLines),
// unless it is `rendered` output (standard input of `check -`), where that is a problem too.
// With `documents`, also keeps a copy of every parsed document (they view `contents`, which
// must outlive them) and records each field's path as data (ExtractOptions::record_paths): what
// the application model needs of a values layer.
FileScan ScanContents(std::string_view contents, std::string_view name, bool rendered,
                      yaml::StreamParser* parser, std::vector<yaml::Document>* documents = nullptr);

// Reads and scans every file; calls `on_file(index, entry, scan)` once per file, from worker
// threads (so it must be thread-safe; writing to a per-index slot is).
void ScanFiles(const std::vector<FileEntry>& files, const ScanOptions& options,
               const std::function<void(size_t, const FileEntry&, FileScan&)>& on_file);

// A file of a group as ScanGroups hands it over: its bytes, its scan, and (for groups that
// keep them) its parsed documents, which view `contents`.
struct GroupFile {
  const FileEntry* entry = nullptr;
  std::string contents;
  FileScan scan;
  std::vector<yaml::Document> documents;
};

// Files that are read together: an application's layers are judged side by side, so they are
// scanned by one worker and held until `on_group` returns, and no longer.
struct FileGroup {
  std::vector<size_t> files;    // indexes into the file list
  bool keep_documents = false;  // fill GroupFile::documents
};

// Reads and scans the files of each group, one group at a time per worker; calls
// `on_group(index, files)` once per group from worker threads (so it must be thread-safe).
void ScanGroups(const std::vector<FileEntry>& files, const std::vector<FileGroup>& groups,
                const ScanOptions& options,
                const std::function<void(size_t, std::span<GroupFile>)>& on_group);

}  // namespace imagepin::scan
