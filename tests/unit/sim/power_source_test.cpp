// SPDX-License-Identifier: Apache-2.0
// The simulator's IOPMPowerSource entry as it goes on the wire.
#include "power_source.h"

#include <gtest/gtest.h>

#include "device_values.h"

namespace sim {
namespace {

std::map<std::string, Plist> domainsWith(bool external, bool charging) {
  std::map<std::string, Plist> d;
  d[""] = newDict();
  dictSetString(d[""].get(), "ProductType", "iPad13,18");
  d["com.apple.mobile.battery"] = newDict();
  dictSet(d["com.apple.mobile.battery"].get(), "ExternalConnected", plist_new_bool(external));
  dictSet(d["com.apple.mobile.battery"].get(), "BatteryIsCharging", plist_new_bool(charging));
  return d;
}

TEST(SimPowerSource, NegativeAmperageGoesAsUnsigned64BitTwosComplement) {
  auto domains = domainsWith(false, false);
  const std::string xml = toXml(powerSourceEntry("UDID", domains).get());
  EXPECT_NE(xml.find("<integer>18446744073709551306</integer>"), std::string::npos) << xml;
  // And through a binary plist too.
  Plist back = parsePlist(toBinary(powerSourceEntry("UDID", domains).get()));
  ASSERT_TRUE(back);
  EXPECT_NE(toXml(back.get()).find("18446744073709551306"), std::string::npos);
  EXPECT_EQ(plist_dict_get_item(back.get(), "AdapterDetails"), nullptr);  // no charger unplugged
}

TEST(SimPowerSource, OverridesReachNestedKeysAndAbsentRemovesAKey) {
  auto domains = domainsWith(true, true);
  domains[kPowerSourceDomain] = newDict();
  plist_t o = domains[kPowerSourceDomain].get();
  dictSetString(o, "AppleRawMaxCapacity", "absent");
  dictSet(o, "BatteryData.FullChargeCapacity", plist_new_uint(5705));
  dictSet(o, "InstantAmperage", plist_new_uint(static_cast<uint64_t>(int64_t{-120})));
  Plist e = powerSourceEntry("UDID", domains);
  EXPECT_EQ(plist_dict_get_item(e.get(), "AppleRawMaxCapacity"), nullptr);
  plist_t data = plist_dict_get_item(e.get(), "BatteryData");
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(dictUint(data, "FullChargeCapacity"), 5705u);
  EXPECT_EQ(dictUint(data, "DesignCapacity"), 7606u);  // the model's default stays beside it
  EXPECT_EQ(dictUint(e.get(), "MaxCapacity"), 100u);   // a percentage
  EXPECT_NE(toXml(e.get()).find("18446744073709551496"), std::string::npos);
  EXPECT_EQ(dictBool(e.get(), "IsCharging"), true);  // follows the battery domain
}

TEST(SimPowerSource, AnsweredByClassOrByName) {
  EXPECT_TRUE(asksForPowerSource("", "IOPMPowerSource"));
  EXPECT_TRUE(asksForPowerSource("AppleSmartBattery", ""));
  EXPECT_FALSE(asksForPowerSource("AppleBCMWLANSkywalkInterface", "IO80211Interface"));
}

}  // namespace
}  // namespace sim
