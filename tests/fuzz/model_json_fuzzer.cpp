// libFuzzer: model files (versioned JSON) through the kind registry and every reader.
// A file that loads must save and load again (the round trip is exact).
#include <string>

#include "funnelnet/attribution.hpp"
#include "funnelnet/customers.hpp"
#include "funnelnet/funnel.hpp"
#include "funnelnet/graph.hpp"
#include "funnelnet/io/json.hpp"
#include "fuzz_common.hpp"

namespace io = funnelnet::io;

namespace {
template <class Load>
void roundtrip(const std::string& text, Load load) {
  bool loaded = false;
  std::string again;
  fuzz::expect_typed([&] {
    again = io::to_json(load(text));
    loaded = true;
  });
  if (loaded) (void)io::to_json(load(again));  // must not throw: our own output
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  fuzz::expect_typed([&] { (void)io::model_kind(text); });
  roundtrip(text, [](const std::string& t) { return io::chain_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::counts_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::exposure_counts_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::continuous_chain_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::higher_order_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::graph_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::repeat_model_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::gamma_gamma_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::tier_migration_from_json(t); });
  roundtrip(text, [](const std::string& t) { return io::attribution_from_json(t); });
  return 0;
}
