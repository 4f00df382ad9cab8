// SPDX-License-Identifier: Apache-2.0
// Reads a JSON object of options with defaults and rejects keys nobody asked for, so a typo in a
// training config is an error naming the key instead of a silently ignored setting.
#pragma once

#include <nlohmann/json.hpp>
#include <set>
#include <stdexcept>
#include <string>

namespace sinew::rl {

class ConfigReader {
 public:
  // `where` names the object in messages, e.g. "train.json: /ppo".
  ConfigReader(const nlohmann::json& obj, std::string where) : obj_(obj), where_(std::move(where)) {
    if (!obj_.is_null() && !obj_.is_object())
      throw std::invalid_argument(where_ + ": expected a JSON object");
  }
  // obj[key] converted to T, or `fallback` when absent; a wrong type is an error naming the key.
  template <typename T>
  T get(const std::string& key, const T& fallback) {
    seen_.insert(key);
    if (obj_.is_null() || !obj_.contains(key)) return fallback;
    try {
      return obj_.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
      throw std::invalid_argument(where_ + "/" + key + ": wrong type (got " + obj_.at(key).dump() +
                                  ")");
    }
  }
  // Like get() for numbers, with a closed range check.
  template <typename T>
  T get(const std::string& key, const T& fallback, const T& lo, const T& hi) {
    const T v = get<T>(key, fallback);
    if (!(v >= lo && v <= hi))
      throw std::invalid_argument(where_ + "/" + key + ": " + std::to_string(v) +
                                  " is out of range [" + std::to_string(lo) + ", " +
                                  std::to_string(hi) + "]");
    return v;
  }
  const nlohmann::json& sub(const std::string& key) {
    seen_.insert(key);
    static const nlohmann::json kNull;
    return (!obj_.is_null() && obj_.contains(key)) ? obj_.at(key) : kNull;
  }
  // Throws for the first key of the object that no get()/sub() asked for.
  void finish() const {
    if (obj_.is_null()) return;
    for (auto it = obj_.begin(); it != obj_.end(); ++it)
      if (!seen_.count(it.key())) {
        std::string known;
        for (const std::string& k : seen_) known += (known.empty() ? "" : ", ") + k;
        throw std::invalid_argument(where_ + "/" + it.key() + ": unknown key (known: " + known +
                                    ")");
      }
  }
  const std::string& where() const { return where_; }

 private:
  const nlohmann::json& obj_;
  std::string where_;
  std::set<std::string> seen_;
};

}  // namespace sinew::rl
