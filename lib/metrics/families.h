// SPDX-License-Identifier: Apache-2.0
#pragma once
/// Every metric family ibackupmond exposes, in one place: names, help, types and buckets are the
/// product's public API (docs/metrics.md), so they change only here and only compatibly.

#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "metrics/device_rows.h"

namespace ibackupmon::metrics {

using GaugeFamily = prometheus::Family<prometheus::Gauge>;
using CounterFamily = prometheus::Family<prometheus::Counter>;
using HistogramFamily = prometheus::Family<prometheus::Histogram>;

/// Bucket bounds of ibackupmon_probe_duration_seconds: lockdown reads take milliseconds on a
/// healthy device and up to probe.timeout (15 s by default) on a slow one.
prometheus::Histogram::BucketBoundaries probeDurationBuckets();

/// Appends the per-device families (label udid) to out in the text format, straight from the
/// rows: no MetricFamily objects per scrape. Families without a sample are left out.
/// conditionIds names the entries of each row's conditions vector.
void writeDeviceFamilies(std::string& out, const std::vector<DeviceRow>& rows,
                         const std::vector<std::string>& conditionIds);

/// The per-host families: references into one registry, which owns them.
struct Families {
  explicit Families(prometheus::Registry& registry);

  // Per host.
  GaugeFamily& devices;
  GaugeFamily& usbmuxdUp;
  GaugeFamily& usbmuxdWedged;
  CounterFamily& remediationActions;
  GaugeFamily& remediationEnabled;
  GaugeFamily& remediationDryRun;
  GaugeFamily& remediationPaused;
  GaugeFamily& localBackupLastSuccess;
  GaugeFamily& localBackupSize;
  GaugeFamily& localBackupProgress;
  GaugeFamily& localBackupsRunning;
  GaugeFamily& localBackupVolumeFree;
  GaugeFamily& fleetUpdated;
  GaugeFamily& buildInfo;
  HistogramFamily& probeDuration;
  CounterFamily& probeErrors;
  CounterFamily& workersAbandoned;

  // Alerting and feeds (fed through core's AlertMetrics).
  CounterFamily& alertsSent;
  CounterFamily& alertsFailed;
  GaugeFamily& alertOutboxDepth;
  GaugeFamily& appleServiceActiveEvents;
  GaugeFamily& feedLastSuccess;
  CounterFamily& feedErrors;
};

}  // namespace ibackupmon::metrics
