// Readers for graph files: SNAP-style edge lists and METIS adjacency files.
#pragma once

#include <cstddef>
#include <string>

#include "funnelnet/graph/referral_graph.hpp"

FUNNELNET_BEGIN

/// How to read an edge list.
struct EdgeListOptions {
  /// Lines to skip at the top (e.g. 1 for files whose first line is "n m").
  std::size_t header_lines = 0;
  /// Lines starting with one of these characters (after blanks) are comments.
  std::string comment_chars = "#%";
  /// Read a third column as the edge weight (otherwise extra columns are an error).
  bool weighted = false;
  /// Also add v -> u for every line u v (for undirected files listing each pair once).
  bool symmetric = false;
  GraphOptions graph{};
};

/// Read a SNAP-style edge list: one "u v" (or "u v w" with `weighted`) per line,
/// separated by blanks, tabs or commas; comment lines and blank lines are skipped.
/// Ids are the integers in the file.  Errors: io_error if the file cannot be opened,
/// format_error naming the path, line number and field for a malformed line; io_error
/// naming the size and the limit for a file over io::max_file_bytes() (2 GiB by
/// default), checked before reading.
ReferralGraph read_edge_list(const std::string& path, const EdgeListOptions& options = {});

/// Read a METIS graph file: a header "n m [fmt]" (fmt 0 = no weights, 1 = edge
/// weights), then one line per node 1..n listing its neighbours (1-based; with fmt 1
/// as "neighbour weight" pairs).  Lines starting with '%' are comments.  Every
/// undirected edge appears in both lists; the result is directed with both directions.
/// Node ids are 1..n as in the file.  format_error names the line for a bad neighbour,
/// a wrong number of node lines or an edge count that disagrees with the header;
/// io_error for a file over io::max_file_bytes(), as for read_edge_list.
ReferralGraph read_metis(const std::string& path, const GraphOptions& options = {});

FUNNELNET_END
