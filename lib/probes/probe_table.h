// SPDX-License-Identifier: Apache-2.0
#pragma once
/// The list of probes, in the order a cycle runs them (probe_table.cpp is the only list).

#include <vector>

#include "probes/probe.h"

namespace ibackupmon {

using ProbeTable = std::vector<Probe>;

/// Every probe, trust first and identity second (later probes and diagnosis lean on them).
ProbeTable makeProbeTable();

}  // namespace ibackupmon
