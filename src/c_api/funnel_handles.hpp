// The funnel's C handles that more than one C ABI source file opens (private).
#pragma once

#include "funnelnet/funnel/chain.hpp"
#include "funnelnet/funnel/continuous.hpp"
#include "funnelnet/funnel/counts.hpp"
#include "funnelnet/funnel/semi_markov.hpp"
#include "funnelnet/funnel/stage_space.hpp"

struct fnet_stages {
  funnelnet::StageSpace value;
};
struct fnet_counts {
  funnelnet::TransitionCounts value;
};
struct fnet_chain {
  funnelnet::MarkovChain value;
};
struct fnet_exposure {
  funnelnet::ExposureCounts value;
};
struct fnet_ctmc {
  funnelnet::ContinuousChain value;
};
struct fnet_semi_markov {
  funnelnet::SemiMarkovFunnel value;
};
