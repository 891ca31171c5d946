// `nfvi plot-curves`: learning curves of several `nfvi vae` runs in one chart,
// like the seed's figure. Runs with the same configuration (all settings but
// the seed) form one group: its mean over seeds is drawn as a line, its
// min-max range as a band.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_checks.hpp"
#include "figures.hpp"
#include "vae_command.hpp"

namespace nfvi {
namespace fs = std::filesystem;
namespace {

struct Run {
  std::string group;                     // label of its configuration
  std::map<int, double> value_by_epoch;  // the metric, where present
};

Run read_run(const std::string& dir, const std::string& metric) {
  std::ifstream config_file(fs::path(dir) / "config.json");
  if (!config_file) throw UsageError("RUNS: " + dir + " has no config.json (not an nfvi vae run directory)");
  nlohmann::json config;
  try {
    config = nlohmann::json::parse(config_file);
  } catch (const nlohmann::json::exception&) {
    throw UsageError("RUNS: " + dir + "/config.json is not valid JSON");
  }
  Run run;
  std::ostringstream label;
  label << config.value("flows", 0) << " flows, " << config.value("samples", 0) << " sample"
        << (config.value("samples", 0) == 1 ? "" : "s");
  if (config.value("data", "digits") != "digits") label << " (" << config.value("data", "") << ")";
  run.group = label.str();

  std::ifstream csv(fs::path(dir) / "elbo.csv");
  if (!csv) throw UsageError("RUNS: " + dir + " has no elbo.csv yet");
  std::string line;
  std::getline(csv, line);
  std::vector<std::string> header;
  {
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) header.push_back(cell);
  }
  size_t column = header.size();
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == metric) column = i;
  if (column == header.size()) throw UsageError("--metric: " + dir + "/elbo.csv has no column " + metric);
  while (std::getline(csv, line)) {
    std::vector<std::string> cells;
    std::stringstream s(line);
    for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
    if (cells.size() <= column || cells[column].empty()) continue;
    run.value_by_epoch[std::stoi(cells[0])] = std::stod(cells[column]);
  }
  return run;
}

}  // namespace

CLI::App* add_plot_curves_command(CLI::App& app, PlotCurvesOptions& o) {
  CLI::App* plot =
      app.add_subcommand("plot-curves", "Overlay the learning curves of `nfvi vae` runs (mean and min-max over seeds)");
  plot->add_option("runs", o.runs, "Run directories (--out of nfvi vae)")->required()->check(CLI::ExistingDirectory);
  plot->add_option("--metric", o.metric, "Column of elbo.csv to plot")
      ->check(CLI::IsMember({"train_elbo", "test_elbo", "test_nll"}))
      ->capture_default_str();
  plot->add_option("--out", o.out, "Output PNG")->capture_default_str();
  return plot;
}

int run_plot_curves(const PlotCurvesOptions& o) {
  std::map<std::string, std::vector<Run>> groups;
  for (const std::string& dir : o.runs) {
    Run run = read_run(dir, o.metric);
    groups[run.group].push_back(std::move(run));
  }
  std::vector<figures::Series> series;
  for (const auto& [label, runs] : groups) {
    figures::Series s;
    s.name = label + (runs.size() > 1 ? " (" + std::to_string(runs.size()) + " seeds)" : "");
    // Epochs present in every run of the group.
    for (const auto& [epoch, first_value] : runs.front().value_by_epoch) {
      double sum = 0, low = INFINITY, high = -INFINITY;
      bool everywhere = true;
      for (const Run& r : runs) {
        const auto it = r.value_by_epoch.find(epoch);
        if (it == r.value_by_epoch.end()) {
          everywhere = false;
          break;
        }
        sum += it->second;
        low = std::min(low, it->second);
        high = std::max(high, it->second);
      }
      if (!everywhere) continue;
      s.x.push_back(epoch);
      s.y.push_back(sum / static_cast<double>(runs.size()));
      s.low.push_back(low);
      s.high.push_back(high);
    }
    std::printf("%-32s", s.name.c_str());
    if (!s.y.empty())
      std::printf(" epoch %g: mean %.3f, min %.3f, max %.3f", s.x.back(), s.y.back(), s.low.back(), s.high.back());
    std::printf("\n");
    series.push_back(std::move(s));
  }
  const std::map<std::string, std::string> short_names = {
      {"train_elbo", "training ELBO"}, {"test_elbo", "test ELBO"}, {"test_nll", "test -log p(x)"}};
  const std::map<std::string, std::string> names = {
      {"train_elbo", "training ELBO (nats)"}, {"test_elbo", "test ELBO (nats)"}, {"test_nll", "test -log p(x) (nats)"}};
  figures::write_line_chart_png(
      o.out, series, "epoch", names.at(o.metric), short_names.at(o.metric) + ": mean, min-max over seeds",
      o.metric == "test_nll" ? figures::LegendCorner::TopRight : figures::LegendCorner::BottomRight);
  return 0;
}

}  // namespace nfvi
