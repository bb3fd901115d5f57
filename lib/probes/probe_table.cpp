// SPDX-License-Identifier: Apache-2.0
#include "probes/probe_table.h"

#include "probes/account_probe.h"
#include "probes/backup_probe.h"
#include "probes/battery_probe.h"
#include "probes/identity_probe.h"
#include "probes/storage_probe.h"
#include "probes/trust_probe.h"
#include "probes/wifi_probe.h"

namespace ibackupmon {

ProbeTable makeProbeTable() {
  ProbeTable t;
  t.push_back(std::make_unique<TrustProbe>());
  t.push_back(std::make_unique<IdentityProbe>());
  t.push_back(std::make_unique<BackupProbe>());
  t.push_back(std::make_unique<BatteryProbe>());
  t.push_back(std::make_unique<StorageProbe>());
  t.push_back(std::make_unique<AccountProbe>());
  t.push_back(std::make_unique<WifiProbe>());
  return t;
}

}  // namespace ibackupmon
