// `nfvi plot-curves`: learning curves of several `nfvi vae` runs in one chart,
// like the seed's figure. Runs with the same configuration (all settings but
// the seed) form one group: its mean over seeds is drawn as a line, its
// min-max range as a band.
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "cli_checks.hpp"
#include "figures.hpp"
#include "file_flags.hpp"
#include "json_checks.hpp"
#include "model_json.hpp"
#include "vae_command.hpp"

namespace nfvi {
namespace fs = std::filesystem;
namespace {

struct Run {
  std::string group;                     // label of its configuration
  std::map<int, double> value_by_epoch;  // the metric, where present
};

// A number in a cell of elbo.csv; an empty cell is a missing value.
std::optional<double> csv_number(const std::string& cell, const std::string& where) {
  if (cell.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(cell.c_str(), &end);
  if (end != cell.c_str() + cell.size() || errno == ERANGE || !std::isfinite(value))
    throw UsageError("RUNS: " + where + ": '" + cell + "' is not a finite number");
  return value;
}

std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> cells;
  std::stringstream s(line);
  for (std::string cell; std::getline(s, cell, ',');) cells.push_back(cell);
  if (!line.empty() && line.back() == ',') cells.emplace_back();
  return cells;
}

Run read_run(const std::string& dir, const std::string& metric) {
  const std::string config_path = (fs::path(dir) / "config.json").string();
  std::error_code ec;
  if (!fs::exists(config_path, ec))
    throw UsageError("RUNS: " + dir + " has no config.json (not an nfvi vae run directory)");
  const std::string config_text = read_input_text("RUNS", config_path, kSmallTextFileLimit);
  nlohmann::json config;
  try {
    config = json_checks::parse_json_text(config_text);
  } catch (const ModelFormatError& e) {
    throw UsageError("RUNS: " + config_path + ": " + e.what());
  }
  const auto field = [&](const char* key, int fallback) {
    if (!config.is_object() || !config.contains(key)) return fallback;
    const auto& v = config[key];
    if (!v.is_number_integer() || v.get<long long>() < 0 || v.get<long long>() > 1000000)
      throw UsageError("RUNS: " + config_path + ": \"" + key + "\" must be a whole number");
    return v.get<int>();
  };
  Run run;
  std::ostringstream label;
  const int flows = field("flows", 0), samples = field("samples", 0);
  label << flows << " flows, " << samples << " sample" << (samples == 1 ? "" : "s");
  if (config.is_object() && config.contains("data")) {
    if (!config["data"].is_string()) throw UsageError("RUNS: " + config_path + ": \"data\" must be a string");
    if (config["data"].get<std::string>() != "digits") label << " (" << config["data"].get<std::string>() << ")";
  }
  run.group = label.str();

  const std::string csv_path = (fs::path(dir) / "elbo.csv").string();
  if (!fs::exists(csv_path, ec)) throw UsageError("RUNS: " + dir + " has no elbo.csv yet");
  std::stringstream csv(read_input_text("RUNS", csv_path, kSmallTextFileLimit));
  std::string line;
  std::getline(csv, line);
  const std::vector<std::string> header = csv_cells(line);
  size_t column = header.size();
  for (size_t i = 0; i < header.size(); ++i)
    if (header[i] == metric) column = i;
  if (header.empty() || header[0] != "epoch") throw UsageError("RUNS: " + csv_path + " does not start with an epoch column");
  if (column == header.size()) throw UsageError("--metric: " + csv_path + " has no column " + metric);
  for (int line_number = 2; std::getline(csv, line); ++line_number) {
    if (line.empty()) continue;
    const std::string where = csv_path + " line " + std::to_string(line_number);
    const std::vector<std::string> cells = csv_cells(line);
    if (cells.size() != header.size())
      throw UsageError("RUNS: " + where + " has " + std::to_string(cells.size()) + " cells, not " +
                       std::to_string(header.size()));
    const std::optional<double> epoch = csv_number(cells[0], where);
    if (!epoch || *epoch < 1 || *epoch > 1e6 || *epoch != std::floor(*epoch))
      throw UsageError("RUNS: " + where + ": the epoch must be a whole number from 1");
    const std::optional<double> value = csv_number(cells[column], where);
    if (value) run.value_by_epoch[static_cast<int>(*epoch)] = *value;
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
  plot->add_option("--out", o.out, "Output PNG")->check(non_empty_text())->capture_default_str();
  return plot;
}

int run_plot_curves(const PlotCurvesOptions& o) {
  OutputFile png = open_output_file("--out", o.out);  // checked before anything is read
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
      png.temp_path(), series, "epoch", names.at(o.metric), short_names.at(o.metric) + ": mean, min-max over seeds",
      o.metric == "test_nll" ? figures::LegendCorner::TopRight : figures::LegendCorner::BottomRight);
  png.commit();
  return 0;
}

}  // namespace nfvi
