// ReferralGraph construction (declared in include/funnelnet/graph/referral_graph.hpp).
#include "funnelnet/graph/referral_graph.hpp"

#include <algorithm>
#include <bit>
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
    // Which ids occur: a bitset (r / 8 bytes, cache-resident where a map of r indices is
    // not), counted by popcount; the index map is only built when the ids have gaps.
    std::vector<std::uint64_t> seen((r + 63) / 64, 0);
    auto mark = [&](std::span<const std::int64_t> a) {
      for (std::int64_t x : a) {
        const auto k = static_cast<std::size_t>(x - lo);
        seen[k >> 6] |= std::uint64_t{1} << (k & 63);
      }
    };
    mark(src);
    mark(dst);
    mark(nodes);
    std::size_t count = 0;
    for (std::uint64_t word : seen) count += static_cast<std::size_t>(std::popcount(word));
    if (count > std::numeric_limits<node_t>::max() - 1) fail(Errc::out_of_range, "more than 2^32-1 nodes");
    if (count == r && lo == 0) {  // ids are exactly 0..n-1: they are the indices
      ids.resize(count);
      std::iota(ids.begin(), ids.end(), std::int64_t{0});
      return build(std::move(ids), src, dst, nullptr, nullptr, weight, time, options);
    }
    std::vector<node_t> map(r);
    ids.reserve(count);
    for (std::size_t i = 0; i < r; ++i)
      if ((seen[i >> 6] >> (i & 63)) & 1U) {
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

namespace detail {
namespace {

unsigned bit_width_of(std::uint64_t x) noexcept {  // bits needed for values 0..x
  unsigned b = 0;
  while (b < 64 && (x >> b) != 0) ++b;
  return b;
}

/// The rows of one block of 2^12 sources, as (target << row_bits | input row) keys in
/// `keys` with each key's source offset in the block from `low(k)`: counted and
/// scattered per source into `buf` (cache-resident), sorted within each source, then
/// written out with the duplicate policy.  `emit(v, key, first_of_row)` writes one key.
template <class Low, class Inner, class Emit>
void finish_block(std::size_t lo, std::size_t hi, std::size_t k0, std::size_t k1, Low low, Inner inner,
                  std::vector<std::size_t>& start, std::vector<std::uint64_t>& buf, Emit emit) {
  const std::size_t width = hi - lo;
  // start[d + 1] counts source lo + d, then (prefix sums) start[d] is where it begins.
  std::fill(start.begin(), start.begin() + static_cast<std::ptrdiff_t>(width + 1), std::size_t{0});
  for (std::size_t k = k0; k < k1; ++k) ++start[low(k) + 1];
  for (std::size_t d = 0; d < width; ++d) start[d + 1] += start[d];
  buf.resize(k1 - k0);
  // Scatter with start[d] as the cursor of source d: afterwards start[d] is the end of
  // source d, i.e. the beginning of d + 1, so shift the table back by one.
  for (std::size_t k = k0; k < k1; ++k) buf[start[low(k)]++] = inner(k);
  for (std::size_t d = width; d > 0; --d) start[d] = start[d - 1];
  start[0] = 0;
  for (std::size_t d = 0; d < width; ++d) {
    std::uint64_t* b = buf.data() + start[d];
    std::uint64_t* e = buf.data() + start[d + 1];
    if (e - b > 24) {
      std::sort(b, e);
    } else if (e - b >= 2) {  // insertion sort (b + 1 on an empty row is never formed)
      for (std::uint64_t* a = b + 1; a < e; ++a) {
        const std::uint64_t x = *a;
        std::uint64_t* c = a;
        for (; c > b && c[-1] > x; --c) *c = c[-1];
        *c = x;
      }
    }
    for (std::uint64_t* a = b; a < e; ++a) emit(lo + d, *a, a == b);
  }
}

}  // namespace
}  // namespace detail

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
  const bool reject = options.duplicates == Duplicates::reject;
  ReferralGraph g;
  g.weighted_ = !weight.empty();
  std::vector<edge_t> rowstart(n + 1);
  rowstart[0] = 0;
  std::vector<node_t> column;
  std::size_t me = 0;  // edges written
  // Writes the kept input row i as edge me of source v (or adds it to edge me - 1 when
  // it repeats that edge's target and duplicates merge).
  auto put = [&](std::size_t v, node_t t, std::size_t i, bool first_of_row) {
    if (!first_of_row && column[me - 1] == t) {
      if (reject)
        fail(Errc::duplicate_label, "edge ", ids[v], " -> ", ids[t], " appears twice (rows ",
             g.input_row_[me - 1], " and ", i, ") and duplicates is 'reject'");
      if (merge) {
        if (!g.weight_.empty()) g.weight_[me - 1] += weight.empty() ? 1.0 : weight[i];
        if (!time.empty()) g.time_[me - 1] = std::min(g.time_[me - 1], time[i]);
        return;
      }
    }
    column[me] = t;
    if (!weight.empty()) g.weight_[me] = weight[i];
    g.input_row_[me] = static_cast<std::int64_t>(i);
    if (!time.empty()) g.time_[me] = time[i];
    ++me;
  };
  // Unit weights are only materialised once a merge makes one of them differ from 1.
  auto materialise_unit_weights = [&] {
    if (g.weight_.empty() && weight.empty() && merge) g.weight_.assign(column.size(), 1.0);
  };
  const unsigned row_bits = detail::bit_width_of(m == 0 ? 0 : m - 1);
  const unsigned node_bits = detail::bit_width_of(n == 0 ? 0 : n - 1);
  constexpr unsigned shift = 12;  // sources per block: 4,096
  constexpr std::size_t width = std::size_t{1} << shift;
  if (row_bits + node_bits <= 64) {
    // Rows by source in one bucketed counting sort: rows are partitioned by source block
    // (a few hundred sequential streams), then each block is counted, scattered and
    // sorted per source in a cache-resident buffer and written out directly, so no pass
    // makes random accesses over all n sources or all m edges.  A key is (target <<
    // row_bits | input row), with the source's offset in its block in the top bits when
    // they fit (otherwise in a side array).
    constexpr node_t skip = std::numeric_limits<node_t>::max();
    const std::size_t blocks = (n + width - 1) >> shift;
    const bool top = row_bits + node_bits <= 64 - shift;
    const unsigned inner_bits = row_bits + node_bits;
    const std::uint64_t inner_mask =
        inner_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << inner_bits) - 1;
    const std::uint64_t row_mask = row_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << row_bits) - 1;
    auto source_or_skip = [&](std::size_t i) {
      const node_t s = S(i);
      return drop && s == D(i) ? skip : s;
    };
    std::vector<edge_t> bstart(blocks + 1, 0);
    for (std::size_t i = 0; i < m; ++i) {
      const node_t s = source_or_skip(i);
      if (s != skip) ++bstart[(s >> shift) + 1];
    }
    for (std::size_t b = 0; b < blocks; ++b) bstart[b + 1] += bstart[b];
    const std::size_t kept = bstart[blocks];
    std::vector<std::uint64_t> keys(kept);
    std::vector<std::uint16_t> lows(top ? 0 : kept);
    {
      std::vector<edge_t> bpos(bstart.begin(), bstart.end() - 1);
      for (std::size_t i = 0; i < m; ++i) {
        const node_t s = source_or_skip(i);
        if (s == skip) continue;
        const edge_t p = bpos[s >> shift]++;
        const std::uint64_t inner = (static_cast<std::uint64_t>(D(i)) << row_bits) | i;
        if (top)
          keys[p] = (static_cast<std::uint64_t>(s & (width - 1)) << inner_bits) | inner;
        else {
          keys[p] = inner;
          lows[p] = static_cast<std::uint16_t>(s & (width - 1));
        }
      }
    }
    column.resize(kept);
    if (!weight.empty()) g.weight_.resize(kept);
    g.input_row_.resize(kept);
    if (!time.empty()) g.time_.resize(kept);
    std::vector<std::size_t> count(width + 1);
    std::vector<std::uint64_t> buf;
    for (std::size_t b = 0; b < blocks; ++b) {
      const std::size_t lo = b << shift, hi = std::min(n, lo + width);
      std::size_t last = lo;  // next source whose row start is not written yet
      auto emit = [&](std::size_t v, std::uint64_t key, bool first) {
        for (; last <= v; ++last) rowstart[last] = me;
        const auto t = static_cast<node_t>(key >> row_bits);
        if (!first && merge && g.weight_.empty() && column[me - 1] == t) materialise_unit_weights();
        put(v, t, static_cast<std::size_t>(key & row_mask), first);
      };
      if (top)
        detail::finish_block(
            lo, hi, bstart[b], bstart[b + 1],
            [&](std::size_t k) { return static_cast<std::size_t>(keys[k] >> inner_bits); },
            [&](std::size_t k) { return keys[k] & inner_mask; }, count, buf, emit);
      else
        detail::finish_block(
            lo, hi, bstart[b], bstart[b + 1],
            [&](std::size_t k) { return static_cast<std::size_t>(lows[k]); },
            [&](std::size_t k) { return keys[k]; }, count, buf, emit);
      for (; last < hi; ++last) rowstart[last] = me;
    }
    rowstart[n] = me;
  } else {
    // (target, row) pairs that do not fit 64 bits: two stable counting sorts of row numbers
    // (by target, then by source), so rows come out sorted by (target, input row).
    std::vector<edge_t> start(n + 1, 0);
    for (std::size_t i = 0; i < m; ++i) {
      if (drop && S(i) == D(i)) continue;
      ++start[S(i) + 1];
    }
    for (std::size_t v = 0; v < n; ++v) start[v + 1] += start[v];
    std::vector<std::uint64_t> key(start[n]);
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
    std::vector<std::uint64_t>().swap(by_target);
    const std::size_t kept = start[n];
    column.resize(kept);
    if (!weight.empty()) g.weight_.resize(kept);
    g.input_row_.resize(kept);
    if (!time.empty()) g.time_.resize(kept);
    for (std::size_t v = 0; v < n; ++v) {
      rowstart[v] = me;
      for (edge_t k = start[v]; k < start[v + 1]; ++k) {
        const auto i = static_cast<std::size_t>(key[k]);
        const node_t t = D(i);
        const bool first = k == start[v];
        if (!first && merge && g.weight_.empty() && column[me - 1] == t) materialise_unit_weights();
        put(v, t, i, first);
      }
    }
    rowstart[n] = me;
  }
  column.resize(me);
  column.shrink_to_fit();
  if (!g.weight_.empty()) g.weight_.resize(me);
  g.input_row_.resize(me);
  if (!time.empty()) g.time_.resize(me);
  auto csr = std::make_shared<detail::CsrStorage>();
  csr->g.m_forward.m_rowstart = std::move(rowstart);
  csr->g.m_forward.m_column = std::move(column);
  g.offsets_ = csr->g.m_forward.m_rowstart;
  g.targets_ = csr->g.m_forward.m_column;
  g.csr_ = std::move(csr);
  g.ids_ = std::move(ids);
  return g;
}

std::span<const double> ReferralGraph::weights() const {
  if (!weight_.empty() || !csr_) return weight_;
  const detail::CsrStorage& s = *csr_;
  std::call_once(s.weight_once, [&] { s.unit_weight.assign(targets_.size(), 1.0); });
  return s.unit_weight;
}

std::span<const node_t> ReferralGraph::sources() const {
  if (!csr_) return {};
  const detail::CsrStorage& s = *csr_;
  std::call_once(s.source_once, [&] {
    const std::size_t n = num_nodes();
    s.source.resize(targets_.size());
    for (std::size_t v = 0; v < n; ++v)
      std::fill(s.source.begin() + static_cast<std::ptrdiff_t>(offsets_[v]),
                s.source.begin() + static_cast<std::ptrdiff_t>(offsets_[v + 1]), static_cast<node_t>(v));
  });
  return s.source;
}

namespace detail {
namespace {
/// The reverse CSR of a forward CSR: in-edges sorted by target, then (the sort being
/// stable over edges in CSR order) by source and edge index.
void build_reverse(const ReferralGraph& g, const CsrStorage& s) {
  const std::size_t n = g.num_nodes(), me = g.num_edges();
  const auto off = g.offsets();
  const auto column = g.targets();
  s.in_sources.resize(me);
  s.in_edges.resize(me);
  if (me <= std::numeric_limits<std::uint32_t>::max()) {
    // Sort (source << 32 | edge) keys by target, then unpack them in order.  The value
    // function is called once per edge in increasing edge order: a cursor tracks the source.
    std::vector<std::uint64_t> packed_in;
    std::size_t cur = 0;
    bucket_sort<std::uint64_t>(
        me, n, [&](std::size_t e) { return column[e]; },
        [&](std::size_t e) {
          while (off[cur + 1] <= e) ++cur;
          return (static_cast<std::uint64_t>(cur) << 32) | e;
        },
        packed_in, s.in_offsets);
    for (std::size_t p = 0; p < me; ++p) {
      s.in_sources[p] = static_cast<node_t>(packed_in[p] >> 32);
      s.in_edges[p] = packed_in[p] & 0xffffffffU;
    }
  } else {
    s.in_offsets.assign(n + 1, 0);
    for (node_t t : column) ++s.in_offsets[t + 1];
    for (std::size_t v = 0; v < n; ++v) s.in_offsets[v + 1] += s.in_offsets[v];
    std::vector<edge_t> pos(s.in_offsets.begin(), s.in_offsets.end() - 1);
    for (std::size_t v = 0; v < n; ++v)
      for (edge_t e = off[v]; e < off[v + 1]; ++e) {
        const edge_t p = pos[column[e]]++;
        s.in_sources[p] = static_cast<node_t>(v);
        s.in_edges[p] = e;
      }
  }
}
}  // namespace
}  // namespace detail

std::span<const edge_t> ReferralGraph::in_offsets() const {
  if (!csr_) return {};
  std::call_once(csr_->reverse_once, [&] { detail::build_reverse(*this, *csr_); });
  return csr_->in_offsets;
}

std::span<const node_t> ReferralGraph::in_sources() const {
  if (!csr_) return {};
  (void)in_offsets();
  return csr_->in_sources;
}

std::span<const edge_t> ReferralGraph::in_edges() const {
  if (!csr_) return {};
  (void)in_offsets();
  return csr_->in_edges;
}

FUNNELNET_END
