// Helpers for the rewrite tests: find image scalars the way the planners will (with scan), and
// turn them into Edits.
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "base/sha256.h"
#include "rewrite/edit.h"
#include "rewrite/render.h"
#include "scan/scanner.h"

namespace imagepin::rewrite::testing {

// The image fields scan finds in `contents`, or fails the test if the file does not parse.
inline std::vector<scan::ImageField> ScanImages(std::string_view contents,
                                                std::string_view name = "values.yaml") {
  yaml::StreamParser parser;
  scan::FileScan scanned = scan::ScanContents(contents, name, false, &parser);
  EXPECT_EQ(scanned.status, scan::FileStatus::kScanned)
      << (scanned.problem ? scanned.problem->message : "");
  return scanned.fields.images;
}

// An Edit that writes `new_value` into `scalar` (of `path`), quoted like the old text.
inline Edit EditFor(std::string_view contents, const scan::Scalar& scalar,
                    std::string_view new_value, std::string path = "values.yaml") {
  Edit edit;
  edit.path = std::move(path);
  edit.begin = scalar.begin;
  edit.end = scalar.end;
  edit.old_text = std::string(contents.substr(scalar.begin, scalar.end - scalar.begin));
  edit.file_sha256 = base::Sha256Digest(contents);
  base::Result<std::string> rendered = RenderLike(edit.old_text, scalar.style, new_value);
  EXPECT_TRUE(rendered.ok()) << rendered.error().ToString();
  if (rendered.ok()) edit.new_text = *rendered;
  edit.line = scalar.line;
  edit.column = scalar.column;
  return edit;
}

// An Edit replacing the first occurrence of `old_text` (after `from`) with `new_text`.
inline Edit EditAt(std::string_view contents, std::string_view old_text, std::string new_text,
                   size_t from = 0) {
  size_t at = contents.find(old_text, from);
  EXPECT_NE(at, std::string_view::npos) << old_text;
  Edit edit;
  edit.path = "values.yaml";
  edit.begin = static_cast<uint32_t>(at);
  edit.end = static_cast<uint32_t>(at + old_text.size());
  edit.old_text = std::string(old_text);
  edit.new_text = std::move(new_text);
  edit.file_sha256 = base::Sha256Digest(contents);
  return edit;
}

}  // namespace imagepin::rewrite::testing
