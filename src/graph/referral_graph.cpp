// ReferralGraph construction (declared in include/funnelnet/graph/referral_graph.hpp).
#include "funnelnet/graph/referral_graph.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <utility>

#include "funnelnet/graph/boost.hpp"
#include "graph/access.hpp"

FUNNELNET_BEGIN

std::int64_t ReferralGraph::find(std::int64_t id) const noexcept {
  auto it = std::lower_bound(ids_.begin(), ids_.end(), id);
  return (it != ids_.end() && *it == id) ? static_cast<std::int64_t>(it - ids_.begin()) : -1;
}

node_t ReferralGraph::index_of(std::int64_t id, const char* what) const {
  const std::int64_t i = find(id);
  if (i < 0) fail(Errc::unknown_label, what, " id ", id, " is not in the graph");
  return static_cast<node_t>(i);
}

const BoostCsr& boost_view(const ReferralGraph& g) noexcept {
  static const BoostCsr empty;
  const auto& s = detail::CsrAccess::storage(g);
  return s ? s->g : empty;
}

namespace detail {
namespace {

void check_edge_arrays(std::size_t m, std::size_t n_dst, std::span<const double> weight,
                       std::span<const double> time) {
  if (n_dst != m) fail(Errc::shape_mismatch, "dst has length ", n_dst, " but src has length ", m);
  if (!weight.empty() && weight.size() != m)
    fail(Errc::shape_mismatch, "weight has length ", weight.size(), " but there are ", m, " edges");
  if (!time.empty() && time.size() != m)
    fail(Errc::shape_mismatch, "time has length ", time.size(), " but there are ", m, " edges");
  for (std::size_t i = 0; i < weight.size(); ++i)
    if (!(std::isfinite(weight[i]) && weight[i] >= 0.0))
      fail(Errc::invalid_argument, "weight at row ", i, " must be finite and >= 0, got ", weight[i]);
  for (std::size_t i = 0; i < time.size(); ++i)
    if (!std::isfinite(time[i]))
      fail(Errc::invalid_argument, "time at row ", i, " must be finite, got ", time[i]);
}

/// Stable counting sort by destination: for i in [0, m) in order, with d = dest(i)
/// (skipped when it is `skip`), writes value(i) to out[offsets[d] + number of earlier
/// items with destination d], and fills offsets (n + 1 entries, offsets[d] = items
/// with a smaller destination).  Cache-friendly for many destinations: the items are
/// first partitioned by d >> 12 (a few hundred sequential streams, counted in a small
/// table), then each block of 4,096 destinations is counted and scattered on its own,
/// so no pass makes random accesses over all n counters.  `out` holds the kept items.
template <class T, class Dest, class Val>
std::size_t bucket_sort(std::size_t m, std::size_t n, Dest dest, Val value, std::vector<T>& out,
                        std::vector<edge_t>& offsets) {
  constexpr node_t skip = std::numeric_limits<node_t>::max();
  constexpr unsigned shift = 12;
  constexpr std::size_t width = std::size_t{1} << shift;
  const std::size_t blocks = (n + width - 1) >> shift;
  std::vector<edge_t> bstart(blocks + 1, 0);
  for (std::size_t i = 0; i < m; ++i) {
    const node_t d = dest(i);
    if (d != skip) ++bstart[(d >> shift) + 1];
  }
  for (std::size_t b = 0; b < blocks; ++b) bstart[b + 1] += bstart[b];
  const std::size_t total = bstart[blocks];
  std::vector<node_t> td(total);
  std::vector<T> tv(total);
  {
    std::vector<edge_t> bpos(bstart.begin(), bstart.end() - 1);
    for (std::size_t i = 0; i < m; ++i) {
      const node_t d = dest(i);
      if (d == skip) continue;
      const edge_t p = bpos[d >> shift]++;
      td[p] = d;
      tv[p] = value(i);
    }
  }
  out.resize(total);
  offsets.assign(n + 1, 0);
  std::vector<edge_t> pos(width);
  for (std::size_t b = 0; b < blocks; ++b) {
    const std::size_t lo = b << shift, hi = std::min(n, lo + width);
    std::fill(pos.begin(), pos.end(), edge_t{0});
    for (edge_t k = bstart[b]; k < bstart[b + 1]; ++k) ++pos[td[k] - lo];
    edge_t run = bstart[b];
    for (std::size_t d = lo; d < hi; ++d) {
      offsets[d] = run;
      const edge_t c = pos[d - lo];
      pos[d - lo] = run;
      run += c;
    }
    for (edge_t k = bstart[b]; k < bstart[b + 1]; ++k) out[pos[td[k] - lo]++] = tv[k];
  }
  offsets[n] = total;
  return total;
}
}  // namespace
}  // namespace detail

ReferralGraph ReferralGraph::from_edges(std::span<const std::int64_t> src, std::span<const std::int64_t> dst,
                                        std::span<const double> weight, std::span<const double> time,
                                        std::span<const std::int64_t> nodes, const GraphOptions& options) {
  const std::size_t m = src.size();
  detail::check_edge_arrays(m, dst.size(), weight, time);
  if (m == 0 && nodes.empty()) fail(Errc::empty_input, "graph has no edges and no nodes");
  // Id range: dense bitmap when the ids are compact, sort + unique otherwise.
  std::int64_t lo = std::numeric_limits<std::int64_t>::max(), hi = std::numeric_limits<std::int64_t>::min();
  auto see = [&](std::span<const std::int64_t> a) {
    for (std::int64_t x : a) {
      lo = std::min(lo, x);
      hi = std::max(hi, x);
    }
  };
  see(src);
  see(dst);
  see(nodes);
  const std::size_t total = 2 * m + nodes.size();
  // hi - lo as an unsigned 64-bit difference (exact, since hi >= lo).
  const std::uint64_t span = total == 0 ? 0 : static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo);
  std::vector<std::int64_t> ids;
  std::vector<node_t> ms, md;
  if (total > 0 && span < static_cast<std::uint64_t>(4 * total + 1024)) {
    const auto r = static_cast<std::size_t>(span) + 1;
    std::vector<node_t> map(r, 0);
    for (std::int64_t x : src) map[static_cast<std::size_t>(x - lo)] = 1;
    for (std::int64_t x : dst) map[static_cast<std::size_t>(x - lo)] = 1;
    for (std::int64_t x : nodes) map[static_cast<std::size_t>(x - lo)] = 1;
    std::size_t count = 0;
    for (std::size_t i = 0; i < r; ++i) count += map[i];
    if (count > std::numeric_limits<node_t>::max() - 1) fail(Errc::out_of_range, "more than 2^32-1 nodes");
    if (count == r && lo == 0) {  // ids are exactly 0..n-1: they are the indices
      ids.resize(count);
      std::iota(ids.begin(), ids.end(), std::int64_t{0});
      return build(std::move(ids), src, dst, nullptr, nullptr, weight, time, options);
    }
    ids.reserve(count);
    for (std::size_t i = 0; i < r; ++i)
      if (map[i] != 0) {
        map[i] = static_cast<node_t>(ids.size());
        ids.push_back(lo + static_cast<std::int64_t>(i));
      }
    ms.resize(m);
    md.resize(m);
    for (std::size_t i = 0; i < m; ++i) {
      ms[i] = map[static_cast<std::size_t>(src[i] - lo)];
      md[i] = map[static_cast<std::size_t>(dst[i] - lo)];
    }
  } else {
    ids.reserve(total);
    ids.insert(ids.end(), src.begin(), src.end());
    ids.insert(ids.end(), dst.begin(), dst.end());
    ids.insert(ids.end(), nodes.begin(), nodes.end());
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
    if (ids.size() > std::numeric_limits<node_t>::max() - 1)
      fail(Errc::out_of_range, "more than 2^32-1 nodes");
    ms.resize(m);
    md.resize(m);
    auto idx = [&](std::int64_t x) {
      return static_cast<node_t>(std::lower_bound(ids.begin(), ids.end(), x) - ids.begin());
    };
    for (std::size_t i = 0; i < m; ++i) {
      ms[i] = idx(src[i]);
      md[i] = idx(dst[i]);
    }
  }
  return build(std::move(ids), src, dst, &ms, &md, weight, time, options);
}

ReferralGraph ReferralGraph::from_indices(std::size_t n, std::span<const std::int64_t> src,
                                          std::span<const std::int64_t> dst, std::span<const double> weight,
                                          std::span<const double> time, const GraphOptions& options) {
  const std::size_t m = src.size();
  detail::check_edge_arrays(m, dst.size(), weight, time);
  if (n == 0) fail(Errc::empty_input, "graph has no nodes (n is 0)");
  if (n > std::numeric_limits<node_t>::max() - 1) fail(Errc::out_of_range, "more than 2^32-1 nodes");
  const auto nn = static_cast<std::int64_t>(n);
  for (std::size_t i = 0; i < m; ++i) {
    if (src[i] < 0 || src[i] >= nn)
      fail(Errc::out_of_range, "src at row ", i, " is ", src[i], ", outside [0, ", n, ")");
    if (dst[i] < 0 || dst[i] >= nn)
      fail(Errc::out_of_range, "dst at row ", i, " is ", dst[i], ", outside [0, ", n, ")");
  }
  std::vector<std::int64_t> ids(n);
  std::iota(ids.begin(), ids.end(), std::int64_t{0});
  return build(std::move(ids), src, dst, nullptr, nullptr, weight, time, options);
}

ReferralGraph ReferralGraph::from_csr_edges(std::span<const std::int64_t> ids,
                                            std::span<const std::int64_t> source,
                                            std::span<const std::int64_t> target,
                                            std::span<const double> weight, std::span<const double> time,
                                            std::span<const std::int64_t> input_row, bool weighted) {
  const std::size_t n = ids.size(), m = source.size();
  if (n == 0) fail(Errc::empty_input, "graph has no nodes");
  if (n > std::numeric_limits<node_t>::max() - 1) fail(Errc::out_of_range, "more than 2^32-1 nodes");
  for (std::size_t v = 1; v < n; ++v)
    if (!(ids[v - 1] < ids[v]))
      fail(Errc::invalid_argument, "node ids must be strictly ascending: id ", ids[v], " at position ", v,
           " follows ", ids[v - 1]);
  if (weight.size() != m)
    fail(Errc::shape_mismatch, "weights have ", weight.size(), " entries for ", m, " edges");
  if (input_row.size() != m)
    fail(Errc::shape_mismatch, "input rows have ", input_row.size(), " entries for ", m, " edges");
  detail::check_edge_arrays(m, target.size(), weight, time);
  const auto nn = static_cast<std::int64_t>(n);
  for (std::size_t e = 0; e < m; ++e) {
    if (source[e] < 0 || source[e] >= nn)
      fail(Errc::out_of_range, "source of edge ", e, " is ", source[e], ", outside [0, ", n, ")");
    if (target[e] < 0 || target[e] >= nn)
      fail(Errc::out_of_range, "target of edge ", e, " is ", target[e], ", outside [0, ", n, ")");
    if (input_row[e] < 0)
      fail(Errc::invalid_argument, "input row of edge ", e, " is ", input_row[e], ", < 0");
    if (e > 0 && (source[e] < source[e - 1] || (source[e] == source[e - 1] && target[e] < target[e - 1])))
      fail(Errc::invalid_argument, "edge ", e, " (", source[e], " -> ", target[e],
           ") is out of CSR order (sources ascending, then targets)");
  }
  std::vector<std::int64_t> id_copy(ids.begin(), ids.end());
  // Keep every edge as it is: with (source, target) sorted the build keeps this order.
  ReferralGraph g = build(std::move(id_copy), source, target, nullptr, nullptr, weight, time,
                          GraphOptions{SelfLoops::keep, Duplicates::keep});
  g.input_row_.assign(input_row.begin(), input_row.end());
  g.weighted_ = weighted;
  return g;
}

ReferralGraph ReferralGraph::build(std::vector<std::int64_t> ids, std::span<const std::int64_t> src,
                                   std::span<const std::int64_t> dst, const std::vector<node_t>* ms,
                                   const std::vector<node_t>* md, std::span<const double> weight,
                                   std::span<const double> time, const GraphOptions& options) {
  const std::size_t m = src.size();
  const std::size_t n = ids.size();
  auto S = [&](std::size_t i) { return ms ? (*ms)[i] : static_cast<node_t>(src[i]); };
  auto D = [&](std::size_t i) { return md ? (*md)[i] : static_cast<node_t>(dst[i]); };
  // Validate the self-loop policy before building anything.
  if (options.self_loops == SelfLoops::reject)
    for (std::size_t i = 0; i < m; ++i)
      if (S(i) == D(i))
        fail(Errc::invalid_argument, "self-loop at row ", i, " (node ", src[i],
             " refers itself) and self_loops is 'reject'");
  const bool drop = options.self_loops == SelfLoops::drop;
  const bool merge = options.duplicates == Duplicates::merge;
  // Rows by source: one bucketed counting sort of packed (target << 32 | input row) keys, then a
  // sort inside each row (short, cache-resident), so rows come out sorted by (target,
  // input row) with duplicates adjacent.  Inputs of 2^32 rows or more take two stable
  // counting sorts of row numbers instead (by target, then by source).
  std::vector<edge_t> start;
  std::vector<std::uint64_t> key;  // (target << 32 | row), or a row when m >= 2^32
  const bool packed = m <= std::numeric_limits<std::uint32_t>::max();
  auto source_or_skip = [&](std::size_t i) {
    const node_t s = S(i);
    return drop && s == D(i) ? std::numeric_limits<node_t>::max() : s;
  };
  if (packed) {
    detail::bucket_sort<std::uint64_t>(
        m, n, source_or_skip,
        [&](std::size_t i) {
          return (static_cast<std::uint64_t>(D(i)) << 32) | static_cast<std::uint64_t>(i);
        },
        key, start);
    for (std::size_t v = 0; v < n; ++v) {
      std::uint64_t* b = key.data() + start[v];
      std::uint64_t* e = key.data() + start[v + 1];
      if (e - b < 2) continue;  // also: b + 1 on an empty key (every edge a dropped loop) is UB
      if (e - b <= 24) {
        for (std::uint64_t* a = b + 1; a < e; ++a) {  // insertion sort
          const std::uint64_t x = *a;
          std::uint64_t* c = a;
          for (; c > b && c[-1] > x; --c) *c = c[-1];
          *c = x;
        }
      } else {
        std::sort(b, e);
      }
    }
  } else {
    start.assign(n + 1, 0);
    for (std::size_t i = 0; i < m; ++i) {
      if (drop && S(i) == D(i)) continue;
      ++start[S(i) + 1];
    }
    for (std::size_t v = 0; v < n; ++v) start[v + 1] += start[v];
    key.resize(start[n]);
    std::vector<edge_t> tcount(n + 1, 0);
    for (std::size_t i = 0; i < m; ++i) {
      if (drop && S(i) == D(i)) continue;
      ++tcount[D(i) + 1];
    }
    for (std::size_t v = 0; v < n; ++v) tcount[v + 1] += tcount[v];
    std::vector<std::uint64_t> by_target(start[n]);
    for (std::size_t i = 0; i < m; ++i) {
      if (drop && S(i) == D(i)) continue;
      by_target[tcount[D(i)]++] = static_cast<std::uint64_t>(i);
    }
    std::vector<edge_t>().swap(tcount);
    std::vector<edge_t> pos(start.begin(), start.end() - 1);
    for (std::uint64_t i : by_target) key[pos[S(static_cast<std::size_t>(i))]++] = i;
  }
  auto row_of = [&](std::size_t k) -> std::size_t {
    return packed ? static_cast<std::size_t>(key[k] & 0xffffffffU) : static_cast<std::size_t>(key[k]);
  };
  auto target_of = [&](std::size_t k) -> node_t {
    return packed ? static_cast<node_t>(key[k] >> 32) : D(static_cast<std::size_t>(key[k]));
  };
  if (options.duplicates == Duplicates::reject)
    for (std::size_t v = 0; v < n; ++v)
      for (edge_t k = start[v] + 1; k < start[v + 1]; ++k)
        if (target_of(k) == target_of(k - 1))
          fail(Errc::duplicate_label, "edge ", ids[v], " -> ", ids[target_of(k)], " appears twice (rows ",
               row_of(k - 1), " and ", row_of(k), ") and duplicates is 'reject'");
  const std::size_t kept = start[n];
  ReferralGraph g;
  g.weighted_ = !weight.empty();
  std::vector<edge_t> rowstart(n + 1, 0);
  std::vector<node_t> column(kept);
  g.weight_.resize(kept);
  g.input_row_.resize(kept);
  if (!time.empty()) g.time_.resize(kept);
  std::size_t me = 0;  // edges written
  for (std::size_t v = 0; v < n; ++v) {
    for (edge_t k = start[v]; k < start[v + 1]; ++k) {
      const std::size_t i = row_of(k);
      const node_t t = target_of(k);
      const double w = weight.empty() ? 1.0 : weight[i];
      if (merge && k > start[v] && column[me - 1] == t) {
        g.weight_[me - 1] += w;
        if (!time.empty()) g.time_[me - 1] = std::min(g.time_[me - 1], time[i]);
        continue;
      }
      column[me] = t;
      g.weight_[me] = w;
      g.input_row_[me] = static_cast<std::int64_t>(i);
      if (!time.empty()) g.time_[me] = time[i];
      ++me;
    }
    rowstart[v + 1] = me;
  }
  std::vector<std::uint64_t>().swap(key);
  column.resize(me);
  g.weight_.resize(me);
  g.input_row_.resize(me);
  if (!time.empty()) g.time_.resize(me);
  g.source_.resize(me);
  // Reverse CSR (in-edges sorted by source, as the sort is stable over sources in order).
  g.in_sources_.resize(me);
  g.in_edges_.resize(me);
  for (std::size_t v = 0; v < n; ++v)
    for (edge_t e = rowstart[v]; e < rowstart[v + 1]; ++e) g.source_[e] = static_cast<node_t>(v);
  if (me <= std::numeric_limits<std::uint32_t>::max()) {
    // Sort (source << 32 | edge) keys by target, then unpack them in order.
    std::vector<std::uint64_t> packed_in;
    detail::bucket_sort<std::uint64_t>(
        me, n, [&](std::size_t e) { return column[e]; },
        [&](std::size_t e) { return (static_cast<std::uint64_t>(g.source_[e]) << 32) | e; }, packed_in,
        g.in_offsets_);
    for (std::size_t p = 0; p < me; ++p) {
      g.in_sources_[p] = static_cast<node_t>(packed_in[p] >> 32);
      g.in_edges_[p] = packed_in[p] & 0xffffffffU;
    }
  } else {
    g.in_offsets_.assign(n + 1, 0);
    for (node_t t : column) ++g.in_offsets_[t + 1];
    for (std::size_t v = 0; v < n; ++v) g.in_offsets_[v + 1] += g.in_offsets_[v];
    std::vector<edge_t> pos(g.in_offsets_.begin(), g.in_offsets_.end() - 1);
    for (edge_t e = 0; e < me; ++e) {
      const edge_t p = pos[column[e]]++;
      g.in_sources_[p] = g.source_[e];
      g.in_edges_[p] = e;
    }
  }
  auto csr = std::make_shared<detail::CsrStorage>();
  csr->g.m_forward.m_rowstart = std::move(rowstart);
  csr->g.m_forward.m_column = std::move(column);
  g.offsets_ = csr->g.m_forward.m_rowstart;
  g.targets_ = csr->g.m_forward.m_column;
  g.csr_ = std::move(csr);
  g.ids_ = std::move(ids);
  return g;
}

FUNNELNET_END
