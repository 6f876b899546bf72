// Umbrella header for the datasets area: the synthetic CRM generator with its truth.
#pragma once

#include "funnelnet/datasets/synthetic_crm.hpp"
