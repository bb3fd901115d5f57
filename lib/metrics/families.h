#pragma once
/// Every metric family ibackupmond exposes, in one place: names, help, types and buckets are the
/// product's public API (docs/metrics.md), so they change only here and only compatibly.

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

namespace ibackupmon::metrics {

using GaugeFamily = prometheus::Family<prometheus::Gauge>;
using CounterFamily = prometheus::Family<prometheus::Counter>;
using HistogramFamily = prometheus::Family<prometheus::Histogram>;

/// Bucket bounds of ibackupmon_probe_duration_seconds: lockdown reads take milliseconds on a
/// healthy device and up to probe.timeout (15 s by default) on a slow one.
prometheus::Histogram::BucketBoundaries probeDurationBuckets();

/// References into one registry; the registry owns the families.
struct Families {
  explicit Families(prometheus::Registry& registry);

  // Per device (label udid; removed when the device is forgotten).
  GaugeFamily& deviceInfo;
  GaugeFamily& deviceConnected;
  GaugeFamily& deviceLastSeen;
  GaugeFamily& backupLastSuccess;
  GaugeFamily& backupIcloudEnabled;
  GaugeFamily& backupStale;
  GaugeFamily& backupStaleCritical;
  GaugeFamily& conditionActive;
  GaugeFamily& batteryLevel;
  GaugeFamily& batteryExternalPower;
  GaugeFamily& batteryCharging;
  GaugeFamily& storageAvailable;
  GaugeFamily& storageCapacity;

  // Per host.
  GaugeFamily& devices;
  GaugeFamily& usbmuxdUp;
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
