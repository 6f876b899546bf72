// LabelPaths: validation and the one path parser (declared in funnelnet/core/paths.hpp).
#include "funnelnet/core/paths.hpp"

#include <cmath>
#include <unordered_map>

FUNNELNET_BEGIN

namespace {

std::string_view strip(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// Names -> codes, in order of first appearance or by a fixed vocabulary.  Keys view the
// caller's strings (vocabulary, then the paths), which outlive the encoder.
class Encoder {
 public:
  Encoder(const std::vector<std::string>& vocabulary, const PathWords& words)
      : fixed_(!vocabulary.empty()), words_(words) {
    if (fixed_) {
      Labels check(vocabulary, words_.label);  // non-empty, unique
      names_ = vocabulary;
      index_.reserve(vocabulary.size());
      for (std::size_t i = 0; i < vocabulary.size(); ++i)
        index_.emplace(vocabulary[i], static_cast<std::int32_t>(i));
    }
  }

  // The code of `name`, the k-th element of path p (`whole` is the path as given).
  template <class Whole>
  std::int32_t code(std::string_view name, std::size_t p, std::size_t k, const Whole& whole) {
    // Consecutive touches often repeat a name: reuse the last lookup (it passed the
    // checks below) before hashing.
    if (last_code_ >= 0 && name == last_name_) return last_code_;
    if (name.empty())
      fail(Errc::invalid_argument, "path ", p, ", ", words_.step, " ", k, ": empty ", words_.label,
           " name in '", whole, "'");
    // A NUL would cut the name short for every C caller and model-file reader (issue 17;
    // stage names get the same rule in StageSpace).
    if (const auto nul = name.find('\0'); nul != std::string_view::npos)
      fail(Errc::invalid_argument, "path ", p, ", ", words_.step, " ", k, ": ", words_.label, " name '",
           name.substr(0, nul), "\\0...' contains a NUL character");
    auto it = index_.find(name);
    if (it == index_.end()) {
      if (fixed_)
        fail(Errc::unknown_label, "path ", p, ", ", words_.step, " ", k, ": unknown ", words_.label, " '",
             name, "'");
      names_.emplace_back(name);
      it = index_.emplace(name, static_cast<std::int32_t>(names_.size() - 1)).first;
    }
    last_name_ = name;
    last_code_ = it->second;
    return it->second;
  }

  [[noreturn]] void empty_path(std::size_t p) const {
    fail(Errc::invalid_argument, "path ", p, " is empty (no ", words_.steps, ")");
  }

  Labels labels() { return Labels(std::move(names_), words_.label); }

 private:
  bool fixed_;
  const PathWords& words_;
  std::vector<std::string> names_;
  std::unordered_map<std::string_view, std::int32_t> index_;
  std::string_view last_name_;  // views the caller's strings, like the keys
  std::int32_t last_code_ = -1;
};

// "a > b" for the message about path p of a flat name column.
struct JoinedNames {
  std::span<const std::string_view> names;
};
std::ostream& operator<<(std::ostream& os, const JoinedNames& j) {
  for (std::size_t i = 0; i < j.names.size(); ++i) os << (i ? ", " : "") << j.names[i];
  return os;
}

}  // namespace

LabelPaths::LabelPaths(Labels labels, std::vector<std::int32_t> codes, std::vector<std::int64_t> offsets,
                       std::vector<double> weights, PathWords words)
    : labels_(std::move(labels)),
      codes_(std::move(codes)),
      offsets_(std::move(offsets)),
      weights_(std::move(weights)),
      words_(std::move(words)) {
  validate();
}

void LabelPaths::validate() const {
  if (offsets_.size() < 2) fail(Errc::empty_input, "no paths given (offsets needs n_paths + 1 entries)");
  const std::size_t n = offsets_.size() - 1;
  if (!weights_.empty()) require_size(weights_.size(), n, "weights");
  if (offsets_[0] != 0) fail(Errc::invalid_argument, "offsets[0] must be 0, got ", offsets_[0]);
  if (offsets_[n] != static_cast<std::int64_t>(codes_.size()))
    fail(Errc::shape_mismatch, "offsets end at ", offsets_[n], " but there are ", codes_.size(), " ",
         words_.label, " entries");
  for (std::size_t p = 0; p < n; ++p) {
    if (offsets_[p + 1] < offsets_[p])
      fail(Errc::invalid_argument, "offsets must be non-decreasing: offsets[", p + 1, "] = ", offsets_[p + 1],
           " < offsets[", p, "] = ", offsets_[p]);
    if (!weights_.empty()) require_nonnegative(weights_[p], detail::concat("weight of path ", p));
  }
  const auto n_labels = static_cast<std::int32_t>(labels_.size());
  for (std::size_t i = 0; i < labels_.size(); ++i)
    if (labels_.name(i).find('\0') != std::string::npos)
      fail(Errc::invalid_argument, words_.label, " ", i, " name contains a NUL character");
  for (std::size_t p = 0; p < n; ++p)
    for (auto k = offsets_[p]; k < offsets_[p + 1]; ++k) {
      const std::int32_t c = codes_[static_cast<std::size_t>(k)];
      if (c < 0 || c >= n_labels)
        fail(Errc::out_of_range, "path ", p, ", ", words_.step, " ", k - offsets_[p], ": ", words_.label,
             " index ", c, " is outside [0, ", n_labels, ")");
    }
}

LabelPaths LabelPaths::parse(std::span<const std::string_view> strings, std::string_view sep,
                             const std::vector<std::string>& vocabulary, std::span<const double> weights,
                             PathWords words, bool allow_empty) {
  if (sep.empty()) fail(Errc::invalid_argument, "the separator must not be empty");
  if (strings.empty()) fail(Errc::empty_input, "no paths given");
  Encoder enc(vocabulary, words);
  std::vector<std::int32_t> codes;
  std::vector<std::int64_t> offsets;
  offsets.reserve(strings.size() + 1);
  offsets.push_back(0);
  codes.reserve(strings.size() * 4);
  for (std::size_t p = 0; p < strings.size(); ++p) {
    const std::string_view s = strings[p];
    if (strip(s).empty()) {
      if (!allow_empty) enc.empty_path(p);
      offsets.push_back(static_cast<std::int64_t>(codes.size()));
      continue;
    }
    std::size_t pos = 0;
    for (std::size_t k = 0;; ++k) {
      const std::size_t next = s.find(sep, pos);
      const std::string_view name =
          strip(s.substr(pos, next == std::string_view::npos ? std::string_view::npos : next - pos));
      codes.push_back(enc.code(name, p, k, s));
      if (next == std::string_view::npos) break;
      pos = next + sep.size();
    }
    offsets.push_back(static_cast<std::int64_t>(codes.size()));
  }
  return LabelPaths(enc.labels(), std::move(codes), std::move(offsets), {weights.begin(), weights.end()},
                    std::move(words));
}

LabelPaths LabelPaths::from_names(std::span<const std::string_view> names,
                                  std::span<const std::int64_t> offsets,
                                  const std::vector<std::string>& vocabulary, std::span<const double> weights,
                                  PathWords words) {
  if (offsets.size() < 2) fail(Errc::empty_input, "no paths given (offsets needs n_paths + 1 entries)");
  const std::size_t n = offsets.size() - 1;
  if (offsets[0] != 0) fail(Errc::invalid_argument, "offsets[0] must be 0, got ", offsets[0]);
  if (offsets[n] != static_cast<std::int64_t>(names.size()))
    fail(Errc::shape_mismatch, "offsets end at ", offsets[n], " but there are ", names.size(), " names");
  Encoder enc(vocabulary, words);
  std::vector<std::int32_t> codes(names.size());
  for (std::size_t p = 0; p < n; ++p) {
    if (offsets[p + 1] < offsets[p])
      fail(Errc::invalid_argument, "offsets must be non-decreasing: offsets[", p + 1, "] = ", offsets[p + 1],
           " < offsets[", p, "] = ", offsets[p]);
    if (offsets[p + 1] == offsets[p]) enc.empty_path(p);
    const auto first = static_cast<std::size_t>(offsets[p]);
    const auto len = static_cast<std::size_t>(offsets[p + 1] - offsets[p]);
    const JoinedNames whole{names.subspan(first, len)};
    for (std::size_t k = 0; k < len; ++k) codes[first + k] = enc.code(names[first + k], p, k, whole);
  }
  return LabelPaths(enc.labels(), std::move(codes), {offsets.begin(), offsets.end()},
                    {weights.begin(), weights.end()}, std::move(words));
}

template <class Time>
LabelPaths LabelPaths::from_event_log(const SortedEventLog<Time>& log, Labels labels, PathWords words) {
  const auto codes = log.codes();
  const auto n_labels = static_cast<std::int32_t>(labels.size());
  for (std::size_t k = 0; k < codes.size(); ++k)
    if (codes[k] < 0 || codes[k] >= n_labels)
      fail(Errc::out_of_range, "row ", log.row(k), ": ", words.label, " index ", codes[k], " is outside [0, ",
           n_labels, ")");
  const auto starts = log.offsets();
  std::vector<std::int64_t> offsets(starts.begin(), starts.end());
  LabelPaths out(std::move(labels), {codes.begin(), codes.end()}, std::move(offsets), {}, std::move(words));
  const auto ids = log.entity_ids();
  out.entity_.assign(ids.begin(), ids.end());
  return out;
}

template LabelPaths LabelPaths::from_event_log<std::int64_t>(const SortedEventLog<std::int64_t>&, Labels,
                                                             PathWords);
template LabelPaths LabelPaths::from_event_log<double>(const SortedEventLog<double>&, Labels, PathWords);

FUNNELNET_END
