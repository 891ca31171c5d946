#include "density_commands.hpp"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <vector>

#include "cli_checks.hpp"
#include "file_flags.hpp"
#include "interrupt.hpp"
#include "model_files.hpp"
#include "samples_csv.hpp"

namespace nfvi {
namespace {

constexpr std::uint64_t kPointsFileLimit = 1ull << 30;  // about 25 million points
constexpr Eigen::Index kChunk = 100000;

bool parse_number(const std::string& text, double& value) {
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  value = std::strtod(text.c_str(), &end);
  return end == text.c_str() + text.size() && errno != ERANGE && std::isfinite(value);
}

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") - a + 1);
}

// Points (2, N) from CSV text: lines "z1,z2" (more columns are ignored, so a
// samples CSV of `nfvi sample` works), a non-numeric first line is a header.
Samples read_points(const std::string& path) {
  std::stringstream text(read_input_text("--points", path, kPointsFileLimit));
  std::vector<double> values;
  std::string line;
  for (long long number = 1; std::getline(text, line); ++number) {
    line = trimmed(line);
    if (line.empty()) continue;
    const size_t comma = line.find(',');
    double z1 = 0, z2 = 0;
    const std::string first = trimmed(line.substr(0, comma));
    const std::string rest = comma == std::string::npos ? "" : line.substr(comma + 1);
    const std::string second = trimmed(rest.substr(0, rest.find(',')));
    if (!parse_number(first, z1) || !parse_number(second, z2)) {
      if (number == 1 && values.empty()) continue;  // a header
      throw UsageError("--points: " + path + " line " + std::to_string(number) +
                       ": expected two finite numbers z1,z2, got '" + line.substr(0, 60) + "'");
    }
    values.push_back(z1);
    values.push_back(z2);
  }
  if (values.empty()) throw UsageError("--points: " + path + " holds no points");
  Samples points(2, static_cast<Eigen::Index>(values.size() / 2));
  for (Eigen::Index n = 0; n < points.cols(); ++n) {
    points(0, n) = values[static_cast<size_t>(2 * n)];
    points(1, n) = values[static_cast<size_t>(2 * n + 1)];
  }
  return points;
}

// log q of the points through the CSV, a chunk at a time.
void write_log_density(Flow& flow, const Samples& points, SamplesCsv& csv, const std::string& what) {
  for (Eigen::Index start = 0; start < points.cols(); start += kChunk) {
    throw_if_interrupted();
    const Eigen::Index m = std::min(kChunk, points.cols() - start);
    const Samples chunk = points.middleCols(start, m);
    Array log_q;
    flow.log_density(chunk, log_q);
    csv.append(chunk, log_q, what);
  }
}

}  // namespace

CLI::App* add_density_command(CLI::App& app, DensityOptions& o) {
  CLI::App* c = app.add_subcommand("density", "Write the exact log q of a trained flow on a grid (by its inverse)");
  c->add_option("--model", o.model, "summary.json of `nfvi fit`, or a model saved by the web page")->required();
  c->add_option("--grid", o.grid, "Points per axis: cell centres of an N x N grid")
      ->check(CLI::Range(1, 4000))
      ->capture_default_str();
  c->add_option_function<std::vector<double>>(
       "--box",
       [&o](const std::vector<double>& v) {
         o.xmin = v.at(0), o.xmax = v.at(1), o.ymin = v.at(2), o.ymax = v.at(3);
       },
       "xmin,xmax,ymin,ymax: the grid's box (default -6,6,-6,6)")
      ->delimiter(',')
      ->expected(4)
      ->check(finite_number());
  c->add_option("--out", o.out, "Output CSV (columns z1, z2, log_q, row by row over z2); - for standard output")
      ->required()
      ->check(non_empty_text());
  return c;
}

CLI::App* add_logq_command(CLI::App& app, LogqOptions& o) {
  CLI::App* c = app.add_subcommand("logq", "Write the exact log q of a trained flow at given points (by its inverse)");
  c->add_option("--model", o.model, "summary.json of `nfvi fit`, or a model saved by the web page")->required();
  c->add_option("--points", o.points, "CSV of points z1,z2 (a header line and further columns are allowed)")
      ->required();
  c->add_option("--out", o.out, "Output CSV (columns z1, z2, log_q); - for standard output")
      ->required()
      ->check(non_empty_text());
  return c;
}

int run_density(const DensityOptions& o) {
  if (!(o.xmax > o.xmin) || !(o.ymax > o.ymin))
    throw UsageError("--box: give xmin,xmax,ymin,ymax with xmin < xmax and ymin < ymax");
  Flow flow = read_flow_model("--model", o.model).make_flow();
  if (flow.dim() != 2)
    throw UsageError("--model: a density grid needs a 2-D flow; this one has " + std::to_string(flow.dim()) +
                     " dimensions (nfvi sample draws from it)");
  SamplesCsv csv(o.out);
  const double cell_x = (o.xmax - o.xmin) / o.grid, cell_y = (o.ymax - o.ymin) / o.grid;
  Samples points(2, static_cast<Eigen::Index>(o.grid) * o.grid);
  for (int iy = 0; iy < o.grid; ++iy)
    for (int ix = 0; ix < o.grid; ++ix) {
      points(0, iy * o.grid + ix) = o.xmin + (ix + 0.5) * cell_x;
      points(1, iy * o.grid + ix) = o.ymin + (iy + 0.5) * cell_y;
    }
  write_log_density(flow, points, csv, "the model in " + o.model);
  csv.commit();
  std::fprintf(o.out == "-" ? stderr : stdout, "wrote log q of %s on a %d x %d grid over [%g, %g] x [%g, %g] to %s\n",
               o.model.c_str(), o.grid, o.grid, o.xmin, o.xmax, o.ymin, o.ymax, o.out.c_str());
  return 0;
}

int run_logq(const LogqOptions& o) {
  Flow flow = read_flow_model("--model", o.model).make_flow();
  if (flow.dim() != 2)
    throw UsageError("--model: logq reads points z1,z2 of a 2-D flow; this one has " + std::to_string(flow.dim()) +
                     " dimensions");
  SamplesCsv csv(o.out);  // checked before the points are read
  const Samples points = read_points(o.points);
  write_log_density(flow, points, csv, "the model in " + o.model);
  csv.commit();
  std::fprintf(o.out == "-" ? stderr : stdout, "wrote log q of %s at %lld points to %s\n", o.model.c_str(),
               static_cast<long long>(points.cols()), o.out.c_str());
  return 0;
}

}  // namespace nfvi
