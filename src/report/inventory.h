// The environment matrix of `imagepin inventory` (plan::Inventory) as people read it: aligned
// columns for a terminal, with markers in colour, and a Markdown table for a PR or an issue.
#pragma once

#include <string>
#include <vector>

#include "plan/inventory.h"

namespace imagepin::report {

// How the table and Markdown name a row: the service, or, when two rows would read the same
// (service and repository), the relative path and key path.
std::vector<std::string> RowLabels(const plan::Inventory& inventory);

// A cell as the table shows it, without the marker: "sha256:0123456789ab (3f2a9c1)"; the
// reference as written when it has no digest; "-" when absent. A repository other than the
// row's is spelled out: "ghcr.io/acme/api2@sha256:0123456789ab". A value the environment
// inherits from another layer ends in " (inherited)".
std::string CellText(const plan::InventoryRow& row, const plan::InventoryCell& cell);

// The matrix as a GitHub-flavoured Markdown table (Service, Repository, one column per
// environment), markers in bold.
std::string InventoryMarkdown(const plan::Inventory& inventory);

// The matrix as aligned columns for a terminal; markers in colour when `color` is set.
std::string InventoryTable(const plan::Inventory& inventory, bool color);

}  // namespace imagepin::report
