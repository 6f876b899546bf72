// FNET_CRM_OPTIONS_INIT agrees with the C++ defaults of datasets::CrmOptions (the C
// struct mirrors a subset of its fields).
#include <gtest/gtest.h>

#include "funnelnet.h"
#include "funnelnet/datasets.hpp"

TEST(SyntheticCrm, COptionsInitMatchesTheCxxDefaults) {
  const fnet_crm_options c = FNET_CRM_OPTIONS_INIT;
  const funnelnet::datasets::CrmOptions o{};
  EXPECT_EQ(c.version, 1U);
  EXPECT_EQ(c.n_accounts, o.n_accounts);
  EXPECT_EQ(c.months, o.months);
  EXPECT_EQ(c.start_month, o.start_month);
  EXPECT_EQ(c.seed, o.seed);
  EXPECT_EQ(c.threads, o.threads);
  EXPECT_EQ(c.censor != 0, o.censor);
  EXPECT_EQ(c.referred_share, o.referred_share);
  EXPECT_EQ(c.referral_probability, o.referral_probability);
  EXPECT_EQ(c.region_spread, o.region_spread);
  EXPECT_EQ(c.industry_spread, o.industry_spread);
  EXPECT_EQ(c.touches_mean, o.touches_mean);
  EXPECT_EQ(c.customer_share, o.customer_share);
  EXPECT_EQ(c.customer_years, o.customer_years);
}
