// SPDX-License-Identifier: Apache-2.0
// `sinew plot LOG.csv -o curve.png`: learning curves from a training log, drawn by gnuplot
// (ARCHITECTURE.md §9: PNG plots through gnuplot; tools/bootstrap.sh installs gnuplot-nox).
// One panel per -y column against -x; several logs can be overlaid (e.g. seeds).
#include <cstdio>
#include <cxxopts.hpp>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "tools/cli.h"

namespace sinew::cli {

namespace {

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, sep))
    if (!item.empty()) out.push_back(item);
  return out;
}

// Column index (1-based, as gnuplot counts) of `name` in the CSV header of `path`.
int column_of(const std::string& path, const std::string& name) {
  std::ifstream f(path);
  if (!f) throw std::runtime_error(path + ": cannot open the log");
  std::string header;
  if (!std::getline(f, header)) throw std::runtime_error(path + ": empty log");
  const std::vector<std::string> cols = split(header, ',');
  for (std::size_t i = 0; i < cols.size(); ++i)
    if (cols[i] == name) return static_cast<int>(i) + 1;
  throw std::runtime_error(path + ": no column '" + name + "' (columns: " + header + ")");
}

std::string quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += (c == '\'') ? std::string("''") : std::string(1, c);
  return q + "'";
}

}  // namespace

int cmd_plot(int argc, char** argv) {
  cxxopts::Options opts("sinew plot", "Plot learning curves from training logs (CSV) to a PNG.");
  opts.add_options()("logs", "log.csv files", cxxopts::value<std::vector<std::string>>())(
      "o,out", "output PNG", cxxopts::value<std::string>()->default_value("curve.png"))(
      "x", "x column", cxxopts::value<std::string>()->default_value("samples"))(
      "y", "comma-separated y columns, one panel each",
      cxxopts::value<std::string>()->default_value("return_mean,score_mean"))(
      "labels", "comma-separated legend labels, one per log", cxxopts::value<std::string>())(
      "title", "figure title", cxxopts::value<std::string>()->default_value(""))("h,help",
                                                                                 "show this help");
  opts.parse_positional({"logs"});
  opts.positional_help("LOG.csv [LOG.csv ...]");
  auto r = opts.parse(argc, argv);
  if (r.count("help")) {
    std::cout << opts.help() << std::endl;
    return 0;
  }
  if (!r.count("logs")) {
    std::cerr << "sinew plot: missing LOG.csv\n" << opts.help() << std::endl;
    return 2;
  }
  const auto logs = r["logs"].as<std::vector<std::string>>();
  const auto ys = split(r["y"].as<std::string>(), ',');
  const std::string x = r["x"].as<std::string>(), out = r["out"].as<std::string>();
  std::vector<std::string> labels =
      r.count("labels") ? split(r["labels"].as<std::string>(), ',') : logs;
  if (labels.size() != logs.size())
    throw std::invalid_argument("--labels: " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(logs.size()) + " logs");
  std::ostringstream gp;
  gp << "set terminal png noenhanced size 900," << 320 * ys.size() << " font ',10'\n"
     << "set output " << quote(out) << "\nset datafile separator ','\nset grid\n"
     << "set key outside right top\nset multiplot layout " << ys.size() << ",1 title "
     << quote(r["title"].as<std::string>()) << "\n";
  for (const std::string& y : ys) {
    gp << "set xlabel " << quote(x) << "\nset ylabel " << quote(y) << "\nplot ";
    for (std::size_t i = 0; i < logs.size(); ++i) {
      const int cx = column_of(logs[i], x), cy = column_of(logs[i], y);
      gp << (i ? ", " : "") << quote(logs[i]) << " using " << cx << ":" << cy
         << " skip 1 with lines lw 2 title " << quote(labels[i]);
    }
    gp << "\n";
  }
  gp << "unset multiplot\n";
  std::FILE* p = popen("gnuplot 2>&1", "w");
  if (!p) throw std::runtime_error("cannot start gnuplot (install gnuplot-nox)");
  std::fputs(gp.str().c_str(), p);
  const int rc = pclose(p);
  if (rc != 0)
    throw std::runtime_error("gnuplot failed (exit status " + std::to_string(rc) +
                             "); is gnuplot installed? tools/bootstrap.sh installs gnuplot-nox");
  std::fprintf(stderr, "sinew plot: wrote %s\n", out.c_str());
  return 0;
}

}  // namespace sinew::cli
