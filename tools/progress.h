// SPDX-License-Identifier: Apache-2.0
// Formatting helpers for progress lines: durations (ETA) and large counts.
#pragma once

#include <cmath>
#include <cstdio>
#include <string>

namespace sinew::cli {

// 75 -> "1m15s", 4000 -> "1h06m", 12.3 -> "12s".
inline std::string format_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  char buf[32];
  const long t = std::lround(s);
  if (t < 60)
    std::snprintf(buf, sizeof buf, "%lds", t);
  else if (t < 3600)
    std::snprintf(buf, sizeof buf, "%ldm%02lds", t / 60, t % 60);
  else
    std::snprintf(buf, sizeof buf, "%ldh%02ldm", t / 3600, (t % 3600) / 60);
  return buf;
}

// 1234 -> "1.23k", 5000000 -> "5.00M".
inline std::string format_count(double n) {
  char buf[32];
  if (std::fabs(n) >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2fG", n / 1e9);
  else if (std::fabs(n) >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2fM", n / 1e6);
  else if (std::fabs(n) >= 1e3)
    std::snprintf(buf, sizeof buf, "%.2fk", n / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", n);
  return buf;
}

}  // namespace sinew::cli
