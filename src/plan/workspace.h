// What the writing commands (bump, pin, promote) and the registry commands (verify, inventory)
// start from: the config, and the scanned image fields of a set of files.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "policy/check.h"
#include "policy/config.h"
#include "rewrite/edit.h"
#include "scan/file_list.h"
#include "scan/scanner.h"
#include "yaml/document.h"

namespace imagepin::plan {

struct ScannedFile {
  scan::FileEntry entry;
  scan::FileScan scan;
};

// A repository opened for a command: its config and the scanned files in scope.
struct Workspace {
  policy::Config config;
  std::vector<ScannedFile> files;
  std::vector<base::Error> listing_problems;  // directories that could not be listed
};

// Loads <root>/.imagepin.yaml and scans the explicit `paths`, or the configured scope when there
// are none. Errors: the config (kConfig), a missing path (kNotFound).
base::Result<Workspace> OpenWorkspace(const std::string& root,
                                      const std::vector<std::string>& paths, unsigned jobs,
                                      bool fingerprint = false);

// Scans `entries` in parallel; the result is in the same order. With `fingerprint`, each scan
// records the sha256 of the bytes it read (FileScan::sha256), which edits planned from it carry.
std::vector<ScannedFile> ScanEntries(const std::vector<scan::FileEntry>& entries,
                                     const policy::Config& config, unsigned jobs,
                                     bool fingerprint = false);

// Scans `contents` as the file `entry` with its fingerprint, as a writing command's scan would:
// for text already in memory (and for planner tests, which then need no files).
ScannedFile ScanText(const scan::FileEntry& entry, std::string_view contents,
                     const policy::Config& config);

// The files of one environment's overlay (`environments[].path`, every *.yaml below it). An
// unknown environment or a missing directory is an error (kInvalidArgument / kNotFound) that
// names it.
base::Result<std::vector<scan::FileEntry>> ListEnvironment(const std::string& root,
                                                           const policy::Config& config,
                                                           const std::string& environment);

// A scanned file read again with its YAML documents, for the planners that need the tree beside
// the fields (pin adding a `digest:` key, migrate replacing a split mapping's lines). Behind a
// unique_ptr: the documents view `contents`.
struct ScannedSource {
  std::string contents;
  std::vector<yaml::Document> documents;
  // The document with Document::index() == `index`, or null.
  const yaml::Document* Find(int index) const;
};

// Reads `file` again (scope.maxFileSize) and parses its documents. Errors: the file cannot be
// read, or no longer holds the bytes the scan fingerprinted (kIo, "changed since the scan").
base::Result<std::unique_ptr<ScannedSource>> ReadSource(const ScannedFile& file,
                                                        const policy::Config& config);

// Files that could not be scanned (unreadable, not YAML, a parse error) as errors with their
// position: the writing commands refuse to plan over a file they cannot read.
std::vector<base::Error> ScanProblems(const std::vector<ScannedFile>& files);

// The repository part of a reference as written: "ghcr.io/acme/api" for
// "ghcr.io/acme/api:main@sha256:…". Keeps the user's spelling (no docker.io/ added).
std::string WrittenRepository(std::string_view reference);

// The edit that replaces `scalar` (its bytes as scanned: scalar.raw) with `value`, written in
// the old quoting style, for the file whose scanned bytes hash to `file_sha256`. Planning reads
// nothing: the old text and the fingerprint are the scan's, so ApplyEdits refuses a file that
// anyone changed since. Errors name the file and the scalar's position.
base::Result<rewrite::Edit> ReplaceScalar(const scan::FileEntry& file, std::string_view file_sha256,
                                          const scan::Scalar& scalar, std::string_view value,
                                          std::string reason);

// The config file's bytes and its document, for a command that adds to it (rollback adds a
// hold): held here so that the document, which views `contents`, stays valid.
struct ConfigText {
  std::string path;     // as opened (the root joined)
  std::string display;  // ".imagepin.yaml"
  bool exists = false;
  std::string contents;
  std::vector<yaml::Document> documents;  // the one document when it has one
};

// Reads <root>/.imagepin.yaml (absent: exists false). Errors: it cannot be read, or parsed
// (kConfig).
base::Result<std::unique_ptr<ConfigText>> LoadConfigText(const std::string& root);

// "api" for "sources/values/env/dev/api.yaml": how summaries name a service.
std::string ServiceName(std::string_view display_path);

}  // namespace imagepin::plan
