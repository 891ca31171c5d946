// PNG figures rendered by PLplot's "pngcairo" device. See figures.hpp.
//
// Two PLplot behaviours shape this file:
//   * PLplot reports most failures by printing and calling exit(), and when it
//     cannot open an output file by name it prompts on stdin. So everything
//     that could fail is checked before PLplot sees it: the output file is
//     opened here and handed over with plsfile(), the device is looked up in
//     PLplot's device list, and the arguments are validated.
//   * PLplot keeps global state (the current stream and its settings). Each
//     figure uses a fresh stream made with plmkstrm() and ended with plend1(),
//     the previously current stream is restored afterwards, and a mutex
//     serialises figure calls.
#include "figures.hpp"

#include <plplot/plplot.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace nfvi::figures {
namespace {

// ---------------------------------------------------------------------------
// Errors and small helpers

[[noreturn]] void fail(const std::string& what) { throw std::runtime_error("figures: " + what); }

// PLplot interprets '#' as the start of an escape sequence ("#u" = superscript,
// ...); doubling it prints a literal '#'. Newlines would break the one-line
// layout, so they become spaces.
std::string plplot_text(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '#') {
      out += "##";
    } else if (c == '\n' || c == '\r') {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

void check_view(const View& view) {
  const bool finite =
      std::isfinite(view.xmin) && std::isfinite(view.xmax) && std::isfinite(view.ymin) && std::isfinite(view.ymax);
  if (!finite || !(view.xmax > view.xmin) || !(view.ymax > view.ymin)) {
    fail("view must be finite with xmax > xmin and ymax > ymin");
  }
}

// Smallest and largest finite value seen so far (empty until add() sees one).
struct FiniteRange {
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();

  void add(double v) {
    if (std::isfinite(v)) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  }
  bool empty() const { return lo > hi; }
};

// Widens a range for use as an axis: `margin` (a fraction of the span) is added
// on both sides, and a degenerate range (single value, or nothing at all) is
// opened up so PLplot gets a non-empty window.
std::pair<double, double> axis_limits(const FiniteRange& r, double margin) {
  if (r.empty()) return {0.0, 1.0};
  const double span = r.hi - r.lo;
  if (span > 0) return {r.lo - margin * span, r.hi + margin * span};
  const double pad = r.lo != 0 ? 0.05 * std::abs(r.lo) : 0.5;
  return {r.lo - pad, r.hi + pad};
}

// ---------------------------------------------------------------------------
// Colours

// Fixed colours of PLplot's colour map 0 (indexed colours). Index 0 is also the
// page background.
enum Colour0 : PLINT { kWhite = 0, kBlack = 1, kGrey = 2, kLightGrey = 3, kFirstSeriesColour = 4, kRed = 7 };

// White, black, two greys, then a palette for chart lines (blue, orange,
// green, red, purple, brown: easy to tell apart on white).
constexpr std::array<std::array<PLINT, 3>, 10> kColourMap0 = {{{255, 255, 255},
                                                               {0, 0, 0},
                                                               {128, 128, 128},
                                                               {225, 225, 225},
                                                               {31, 119, 180},
                                                               {255, 127, 14},
                                                               {44, 160, 44},
                                                               {214, 39, 40},
                                                               {148, 103, 189},
                                                               {140, 86, 75}}};

void set_colour_map0() {
  plscmap0n(static_cast<PLINT>(kColourMap0.size()));
  for (std::size_t i = 0; i < kColourMap0.size(); ++i) {
    plscol0(static_cast<PLINT>(i), kColourMap0[i][0], kColourMap0[i][1], kColourMap0[i][2]);
  }
}

// The colour of the i-th chart series, cycling through the palette.
PLINT series_colour(std::size_t i) {
  const std::size_t palette_size = kColourMap0.size() - kFirstSeriesColour;
  return kFirstSeriesColour + static_cast<PLINT>(i % palette_size);
}

// Continuous colour map 1 = "jet": dark blue, blue, cyan, yellow, red, dark red.
void set_colour_map1_jet() {
  const PLFLT pos[] = {0.0, 0.125, 0.375, 0.625, 0.875, 1.0};
  const PLFLT r[] = {0.0, 0.0, 0.0, 1.0, 1.0, 0.5};
  const PLFLT g[] = {0.0, 0.0, 1.0, 1.0, 0.0, 0.0};
  const PLFLT b[] = {0.5, 1.0, 1.0, 0.0, 0.0, 0.0};
  plscmap1n(256);
  plscmap1l(1, 6, pos, r, g, b, nullptr);
}

// Continuous colour map 1 = "hsv"-like rainbow: 0 is magenta, then blue, cyan,
// green, yellow, and 1 is red. Interpolated in hue at full saturation.
void set_colour_map1_rainbow() {
  const PLFLT pos[] = {0.0, 1.0};
  const PLFLT hue[] = {300.0, 0.0};
  const PLFLT lightness[] = {0.5, 0.5};
  const PLFLT saturation[] = {1.0, 1.0};
  plscmap1n(256);
  plscmap1l(0, 2, pos, hue, lightness, saturation, nullptr);
}

// ---------------------------------------------------------------------------
// One PNG written by one PLplot stream

// PLplot is not thread-safe; all figure calls hold this lock.
std::mutex& plplot_mutex() {
  static std::mutex m;
  return m;
}

// Fails unless PLplot can load the pngcairo device. (Given an unknown device,
// plinit() would prompt on stdin and then exit the process.)
void require_pngcairo() {
  static const bool available = [] {
    // PLplot fills caller-provided arrays; n is their capacity on entry.
    const char* menu_storage[128];
    const char* name_storage[128];
    const char** menu = menu_storage;
    const char** names = name_storage;
    int n = 128;
    plgFileDevs(&menu, &names, &n);
    for (int i = 0; i < n; ++i) {
      if (names[i] != nullptr && std::strcmp(names[i], "pngcairo") == 0) return true;
    }
    return false;
  }();
  if (!available) fail("PLplot has no pngcairo device (install plplot-driver-cairo)");
}

// True if `path` holds a complete PNG: the signature at the start and the IEND
// chunk at the end. PLplot ignores write errors, so this is how a failed or
// truncated write is noticed.
bool is_complete_png(const std::string& path) {
  static const unsigned char signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  static const unsigned char iend[12] = {0, 0, 0, 0, 'I', 'E', 'N', 'D', 0xae, 0x42, 0x60, 0x82};
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  unsigned char head[8];
  if (!in.read(reinterpret_cast<char*>(head), 8) || std::memcmp(head, signature, 8) != 0) {
    return false;
  }
  unsigned char tail[12];
  in.seekg(-12, std::ios::end);
  if (!in.read(reinterpret_cast<char*>(tail), 12)) return false;
  return std::memcmp(tail, iend, 12) == 0;
}

// A PLplot stream drawing a single page into the PNG file `path`. The
// constructor leaves the new stream current and initialised with white
// background, black foreground and `nx_sub` x `ny_sub` subpages; finish()
// ends it and checks the file. If finish() is never reached (an exception),
// the destructor still ends the stream.
class PngPage {
 public:
  PngPage(const std::string& path, int width_px, int height_px, int nx_sub = 1, int ny_sub = 1) : path_(path) {
    require_pngcairo();
    // Opened here, not by PLplot: PLplot would prompt on stdin for another
    // name and then exit. After plinit() PLplot owns the FILE and closes it.
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) {
      fail("cannot open output file '" + path + "': " + std::strerror(errno));
    }
    plgstrm(&previous_stream_);
    PLINT stream = 0;
    plmkstrm(&stream);
    plsdev("pngcairo");
    plsfile(file);
    plspage(kDotsPerInch, kDotsPerInch, width_px, height_px, 0, 0);
    plssub(nx_sub, ny_sub);
    set_colour_map0();
    plinit();
    open_ = true;
    plcol0(kBlack);
    plfont(1);  // sans-serif
  }

  ~PngPage() { end_stream(); }

  PngPage(const PngPage&) = delete;
  PngPage& operator=(const PngPage&) = delete;

  void finish() {
    end_stream();
    if (!is_complete_png(path_))
      fail("PLplot did not write a complete " + std::filesystem::path(path_).filename().string() +
           " (is the disk full?)");
  }

 private:
  // Text sizes below are chosen for this resolution.
  static constexpr PLFLT kDotsPerInch = 90.0;

  void end_stream() {
    if (!open_) return;
    open_ = false;
    plend1();  // writes the PNG, closes the file, frees the stream
    plsstrm(previous_stream_);
  }

  std::string path_;
  PLINT previous_stream_ = 0;
  bool open_ = false;
};

// ---------------------------------------------------------------------------
// Density image

// The density as PLplot wants it: a column per x, [ix][iy], with values made
// safe for the colour scale (non-finite and negative values become 0).
struct ImageData {
  std::vector<PLFLT> storage;
  std::vector<const PLFLT*> columns;
  double zmax = 0;
};

ImageData density_image(const std::vector<double>& values, int nx, int ny) {
  ImageData img;
  img.storage.resize(values.size());
  for (int iy = 0; iy < ny; ++iy) {
    for (int ix = 0; ix < nx; ++ix) {
      const double v = values[static_cast<std::size_t>(iy) * nx + ix];
      const double safe = std::isfinite(v) && v > 0 ? v : 0.0;
      img.storage[static_cast<std::size_t>(ix) * ny + iy] = safe;
      img.zmax = std::max(img.zmax, safe);
    }
  }
  img.columns.resize(nx);
  for (int ix = 0; ix < nx; ++ix) img.columns[ix] = &img.storage[static_cast<std::size_t>(ix) * ny];
  return img;
}

// Maps corner indices of the image grid (0..nx, 0..ny) to world coordinates.
struct CellCorners {
  double x0, y0, dx, dy;
};

void cell_corner_to_world(PLFLT i, PLFLT j, PLFLT* x, PLFLT* y, PLPointer data) {
  const auto* c = static_cast<const CellCorners*>(data);
  *x = c->x0 + i * c->dx;
  *y = c->y0 + j * c->dy;
}

}  // namespace

namespace {

// Draws a density image into the viewport box [vx0, vx1] x [vy0, vy1]
// (normalised device coordinates) with square data units, its title above.
// The caller holds the PLplot lock, has a page open and colour map 1 set.
void draw_density(const std::vector<double>& values, int nx, int ny, const View& view, const std::string& title,
                  PLFLT vx0, PLFLT vx1, PLFLT vy0, PLFLT vy1, PLFLT title_scale = 1.3) {
  const ImageData img = density_image(values, nx, ny);
  // An all-zero density maps every cell to the bottom of the scale; any
  // positive zmax gives that uniform dark blue without dividing by zero.
  const double zmax = img.zmax > 0 ? img.zmax : 1.0;

  // Cell centres span the view, so the image edges lie half a cell outside.
  const double half_dx = 0.5 * (nx > 1 ? (view.xmax - view.xmin) / (nx - 1) : view.xmax - view.xmin);
  const double half_dy = 0.5 * (ny > 1 ? (view.ymax - view.ymin) / (ny - 1) : view.ymax - view.ymin);
  const double x0 = view.xmin - half_dx, x1 = view.xmax + half_dx;
  const double y0 = view.ymin - half_dy, y1 = view.ymax + half_dy;

  // Square data units: the viewport's aspect follows the image's extent.
  plvpas(vx0, vx1, vy0, vy1, (y1 - y0) / (x1 - x0));
  plwind(x0, x1, y0, y1);
  // plimagefr rather than plimage: plimage scales colours to the data's own
  // min..max, which is 0/0 for an all-zero density. Given a transform,
  // plimagefr draws cell (ix, iy) between the images of the corner indices
  // (ix, iy) and (ix+1, iy+1), so every cell is shown.
  CellCorners corners{x0, y0, (x1 - x0) / nx, (y1 - y0) / ny};
  plimagefr(img.columns.data(), nx, ny, x0, x1, y0, y1, 0.0, zmax, 0.0, zmax, cell_corner_to_world, &corners);
  if (!title.empty()) {
    plschr(0.0, title_scale);
    plmtex("t", 1.0, 0.5, 0.5, plplot_text(title).c_str());
  }
}

void check_density(const std::vector<double>& values, int nx, int ny) {
  if (nx < 1 || ny < 1) fail("density grid must be at least 1x1");
  if (values.size() != static_cast<std::size_t>(nx) * ny) {
    fail("density has " + std::to_string(values.size()) +
         " values, expected nx*ny = " + std::to_string(static_cast<std::size_t>(nx) * ny));
  }
}

}  // namespace

void write_density_png(const std::string& path, const std::vector<double>& values, int nx, int ny, const View& view,
                       const std::string& title) {
  check_view(view);
  check_density(values, nx, ny);
  std::lock_guard<std::mutex> lock(plplot_mutex());
  PngPage page(path, 800, 800);
  pladv(0);
  set_colour_map1_jet();
  draw_density(values, nx, ny, view, title, 0.03, 0.97, 0.03, title.empty() ? 0.97 : 0.93);
  page.finish();
}

// ---------------------------------------------------------------------------
// Frame of a conditional animation

namespace {

// The condition axis over [axis_min, axis_max] (widened to hold the
// condition): a frame with tick labels at the trained range's ends and
// middle, the parts of the axis outside the trained range shaded, and a dot
// at the frame's condition, red and labelled when it is an extrapolation.
void draw_condition_axis(const ConditionFrame& f, PLFLT vx0, PLFLT vx1, PLFLT vy0, PLFLT vy1) {
  const double lo = std::min({f.axis_min, f.trained_min, f.condition});
  const double hi = std::max({f.axis_max, f.trained_max, f.condition});
  const double margin = 0.04 * (hi - lo);
  const double x0 = lo - margin, x1 = hi + margin;
  plvpas(vx0, vx1, vy0, vy1, 1.0);
  plwind(x0, x1, 0.0, 1.0);
  // Shade what lies outside the trained range, when the axis reaches there
  // (not just the margin).
  plcol0(kLightGrey);
  for (const auto& [a, b] : {std::pair<double, double>{x0, f.trained_min}, {f.trained_max, x1}}) {
    if (!(b > a) || (a == x0 && !(lo < f.trained_min)) || (b == x1 && !(hi > f.trained_max))) continue;
    PLFLT xs[] = {a, b, b, a};
    PLFLT ys[] = {0.0, 0.0, 1.0, 1.0};
    plfill(4, xs, ys);
  }
  plcol0(kBlack);
  plwidth(1.0);
  plbox("bc", 0.0, 0, "bc", 0.0, 0);
  plschr(0.0, 1.2);
  const double middle = 0.5 * (f.trained_min + f.trained_max);
  for (double tick : {f.trained_min, middle, f.trained_max}) {
    pljoin(tick, 0.0, tick, 0.03);
    char label[32];
    std::snprintf(label, sizeof label, "%.2f", tick);
    plmtex("b", 1.6, (tick - x0) / (x1 - x0), 0.5, label);
  }
  plmtex("b", 3.4, 0.5, 0.5, plplot_text(f.condition_label).c_str());
  char caption[96];
  std::snprintf(caption, sizeof caption, "%s = %.3f", f.condition_label.c_str(), f.condition);
  plschr(0.0, 1.15);
  plmtex("t", 1.0, 0.5, 0.5, plplot_text(caption).c_str());
  if (f.extrapolation) {
    plcol0(kRed);
    plmtex("t", -1.6, 0.5, 0.5, "extrapolation");
  }
  PLFLT x = f.condition, y = 0.5;
  plwidth(12.0);
  plpoin(1, &x, &y, -1);
  plwidth(1.0);
  plcol0(kBlack);
}

}  // namespace

void write_condition_frame_png(const std::string& path, const ConditionFrame& frame) {
  check_view(frame.view);
  check_density(frame.left, frame.bins, frame.bins);
  check_density(frame.right, frame.bins, frame.bins);
  if (!std::isfinite(frame.condition) || !std::isfinite(frame.trained_min) || !std::isfinite(frame.trained_max) ||
      !(frame.trained_max > frame.trained_min)) {
    fail("condition frame needs a finite condition and a finite, non-empty trained range");
  }
  std::lock_guard<std::mutex> lock(plplot_mutex());
  PngPage page(path, 1280, 500);
  pladv(0);
  set_colour_map1_jet();
  draw_condition_axis(frame, 0.035, 0.30, 0.17, 0.88);
  draw_density(frame.left, frame.bins, frame.bins, frame.view, frame.left_title, 0.35, 0.65, 0.05, 0.88, 1.15);
  draw_density(frame.right, frame.bins, frame.bins, frame.view, frame.right_title, 0.68, 0.98, 0.05, 0.88, 1.15);
  page.finish();
}

// ---------------------------------------------------------------------------
// Scatter panels

namespace {

// Number of distinct point colours. Points are drawn one colour level at a
// time, so this bounds the number of PLplot calls per panel.
constexpr int kColourLevels = 64;

// Diameter of a scatter point, in PLplot line-width units (about a pixel).
constexpr PLFLT kDotDiameter = 2.0;

// The colour level of every point index (shared by all panels), or -1 for a
// point whose colour value is not finite (drawn grey).
std::vector<int> colour_levels(const std::vector<double>& colour_value) {
  FiniteRange range;
  for (double v : colour_value) range.add(v);
  const double span = range.empty() ? 0.0 : range.hi - range.lo;
  std::vector<int> level(colour_value.size(), -1);
  for (std::size_t i = 0; i < colour_value.size(); ++i) {
    const double v = colour_value[i];
    if (!std::isfinite(v)) continue;
    const double t = span > 0 ? (v - range.lo) / span : 0.5;
    level[i] = std::min(kColourLevels - 1, static_cast<int>(t * kColourLevels));
  }
  return level;
}

// Draws the finite points among `indices` of a panel as small dots.
void draw_points(const ScatterPanel& panel, const std::vector<std::size_t>& indices, std::vector<PLFLT>& xs,
                 std::vector<PLFLT>& ys) {
  xs.clear();
  ys.clear();
  for (std::size_t i : indices) {
    if (std::isfinite(panel.x[i]) && std::isfinite(panel.y[i])) {
      xs.push_back(panel.x[i]);
      ys.push_back(panel.y[i]);
    }
  }
  // Symbol code -1 draws each point as a zero-length line; with the cairo
  // driver's round line caps that is a dot of the current line width. It is
  // several times faster than a Hershey symbol such as '.'.
  if (!xs.empty()) plpoin(static_cast<PLINT>(xs.size()), xs.data(), ys.data(), -1);
}

// One panel: points grouped by colour level, frame, label at the top-left.
// Without colour values (`level` empty) every point is drawn in one colour.
void draw_scatter_panel(const ScatterPanel& panel, const std::vector<int>& level, const View& view) {
  plvpas(0.03, 0.97, 0.03, 0.97, (view.ymax - view.ymin) / (view.xmax - view.xmin));
  plwind(view.xmin, view.xmax, view.ymin, view.ymax);

  // Bucket the point indices by colour level; the extra last bucket holds
  // points without a usable colour value.
  const int uncoloured = kColourLevels;
  std::vector<std::vector<std::size_t>> buckets(kColourLevels + 1);
  for (std::size_t i = 0; i < panel.x.size(); ++i) {
    const int l = level.empty() ? uncoloured : level[i];
    buckets[l < 0 ? uncoloured : l].push_back(i);
  }
  std::vector<PLFLT> xs, ys;
  plwidth(kDotDiameter);
  plcol0(level.empty() ? kFirstSeriesColour : kGrey);
  draw_points(panel, buckets[uncoloured], xs, ys);
  for (int l = 0; l < kColourLevels; ++l) {
    plcol1((l + 0.5) / kColourLevels);
    draw_points(panel, buckets[l], xs, ys);
  }

  plwidth(1.0);
  plcol0(kBlack);
  plbox("bc", 0.0, 0, "bc", 0.0, 0);
  plmtex("t", -1.5, 0.03, 0.0, plplot_text(panel.label).c_str());
}

}  // namespace

void write_scatter_panels_png(const std::string& path, const std::vector<ScatterPanel>& panels,
                              const std::vector<double>& colour_value, const View& view, int ncols) {
  check_view(view);
  if (panels.empty()) fail("no scatter panels to draw");
  for (const ScatterPanel& p : panels) {
    if (p.x.size() != p.y.size()) fail("scatter panel '" + p.label + "' has x and y of different lengths");
    if (!colour_value.empty() && colour_value.size() != p.x.size()) {
      fail("scatter panel '" + p.label + "' has " + std::to_string(p.x.size()) + " points but " +
           std::to_string(colour_value.size()) + " colour values");
    }
  }
  const int n = static_cast<int>(panels.size());
  const int cols = std::min(ncols > 0 ? ncols : 4, n);
  const int rows = (n + cols - 1) / cols;
  const std::vector<int> level = colour_levels(colour_value);

  std::lock_guard<std::mutex> lock(plplot_mutex());
  PngPage page(path, 300 * cols, 300 * rows, cols, rows);
  set_colour_map1_rainbow();
  plschr(0.0, 1.6);  // subpages shrink text; keep the labels readable
  for (int k = 0; k < n; ++k) {
    pladv(k + 1);
    draw_scatter_panel(panels[k], level, view);
  }
  page.finish();
}

// ---------------------------------------------------------------------------
// Line chart

namespace {

void check_series(const Series& s) {
  if (s.x.size() != s.y.size()) fail("series '" + s.name + "' has x and y of different lengths");
  if (!s.low.empty() || !s.high.empty())
    if (s.low.size() != s.x.size() || s.high.size() != s.x.size())
      fail("series '" + s.name + "' has a band of a different length than x");
}

// The band of a series as one filled polygon (high from left to right, then
// low back), in the series' colour at 22% opacity; points with a non-finite
// value are left out.
void draw_series_band(const Series& s, PLINT colour) {
  std::vector<PLFLT> xs, ys;
  for (std::size_t i = 0; i < s.x.size(); ++i)
    if (std::isfinite(s.x[i]) && std::isfinite(s.low[i]) && std::isfinite(s.high[i])) {
      xs.push_back(s.x[i]);
      ys.push_back(s.high[i]);
    }
  for (std::size_t i = s.x.size(); i-- > 0;)
    if (std::isfinite(s.x[i]) && std::isfinite(s.low[i]) && std::isfinite(s.high[i])) {
      xs.push_back(s.x[i]);
      ys.push_back(s.low[i]);
    }
  if (xs.size() < 4) return;
  const PLINT band = static_cast<PLINT>(kColourMap0.size());  // one slot past the palette
  plscmap0n(band + 1);
  const auto& rgb = kColourMap0[static_cast<std::size_t>(colour)];
  plscol0a(band, rgb[0], rgb[1], rgb[2], 0.22);
  plcol0(band);
  plfill(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
}

// Width of chart lines, in PLplot line-width units (about a pixel).
constexpr PLFLT kChartLineWidth = 1.5;

// A round dot a few pixels wide, in the current colour: symbol -1 is a
// zero-length line, which the cairo driver draws with a round cap.
void draw_dot(PLFLT x, PLFLT y) {
  plwidth(4 * kChartLineWidth);
  plpoin(1, &x, &y, -1);
  plwidth(kChartLineWidth);
}

// Draws one series as a polyline broken at non-finite points; an isolated
// finite point (no finite neighbour) is drawn as a dot so it does not vanish.
void draw_series_line(const Series& s) {
  std::vector<PLFLT> xs, ys;
  auto flush = [&] {
    if (xs.size() == 1) draw_dot(xs[0], ys[0]);
    if (xs.size() > 1) plline(static_cast<PLINT>(xs.size()), xs.data(), ys.data());
    xs.clear();
    ys.clear();
  };
  for (std::size_t i = 0; i < s.x.size(); ++i) {
    if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
      xs.push_back(s.x[i]);
      ys.push_back(s.y[i]);
    } else {
      flush();
    }
  }
  flush();
}

// Legend in the top-right corner inside the axes, one line sample per series.
void draw_legend(const std::vector<std::string>& names, const std::vector<PLINT>& colours, bool bottom) {
  const PLINT n = static_cast<PLINT>(names.size());
  std::vector<std::string> texts;
  for (const std::string& name : names) texts.push_back(plplot_text(name));
  std::vector<const char*> text_ptrs;
  for (const std::string& t : texts) text_ptrs.push_back(t.c_str());
  std::vector<PLINT> opts(n, PL_LEGEND_LINE), text_colours(n, kBlack), styles(n, 1);
  std::vector<PLFLT> widths(n, 2.0);
  PLFLT width = 0, height = 0;
  pllegend(
      &width, &height, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX,
      (bottom ? PL_POSITION_BOTTOM : PL_POSITION_TOP) | PL_POSITION_RIGHT | PL_POSITION_INSIDE | PL_POSITION_VIEWPORT,
      0.02, 0.02, 0.08, kWhite, kBlack, 1, 0, 0, n, opts.data(), 1.0, 1.0, 2.0, 0.0, text_colours.data(),
      text_ptrs.data(), nullptr, nullptr, nullptr, nullptr, colours.data(), styles.data(), widths.data(), nullptr,
      nullptr, nullptr, nullptr);
}

}  // namespace

void write_line_chart_png(const std::string& path, const std::vector<Series>& series, const std::string& xlabel,
                          const std::string& ylabel, const std::string& title, LegendCorner legend) {
  FiniteRange xr, yr;
  for (const Series& s : series) {
    check_series(s);
    for (std::size_t i = 0; i < s.x.size(); ++i) {
      if (std::isfinite(s.x[i]) && std::isfinite(s.y[i])) {
        xr.add(s.x[i]);
        yr.add(s.y[i]);
      }
      if (!s.low.empty() && std::isfinite(s.low[i]) && std::isfinite(s.high[i])) {
        yr.add(s.low[i]);
        yr.add(s.high[i]);
      }
    }
  }
  // x runs edge to edge; y gets a small margin so extremes are not on the frame.
  const auto [x0, x1] = axis_limits(xr, 0.0);
  const auto [y0, y1] = axis_limits(yr, 0.05);

  std::lock_guard<std::mutex> lock(plplot_mutex());
  PngPage page(path, 800, 800);
  pladv(0);
  plschr(0.0, 1.2);
  plvpor(0.13, 0.95, 0.10, 0.92);
  plwind(x0, x1, y0, y1);
  // Plain numbers on the axes (10000, not 1.0 with "(x10^4)") up to 7 digits.
  plsxax(7, 0);
  plsyax(7, 0);

  plcol0(kLightGrey);
  plbox("g", 0.0, 0, "g", 0.0, 0);  // grid first, so data and frame lie on top
  plcol0(kBlack);
  plbox("bcnst", 0.0, 0, "bcnst", 0.0, 0);
  pllab(plplot_text(xlabel).c_str(), plplot_text(ylabel).c_str(), "");
  plschr(0.0, 1.4);  // the title a little larger than the axis labels
  plmtex("t", 1.2, 0.5, 0.5, plplot_text(title).c_str());
  plschr(0.0, 1.2);

  std::vector<std::string> names;
  std::vector<PLINT> colours;
  std::size_t drawn = 0;
  for (const Series& s : series) {  // bands first, so that every line lies on top of them
    if (s.x.empty()) continue;
    if (!s.low.empty()) draw_series_band(s, series_colour(drawn));
    ++drawn;
  }
  plwidth(kChartLineWidth);
  for (const Series& s : series) {
    if (s.x.empty()) continue;
    colours.push_back(series_colour(colours.size()));
    names.push_back(s.name);
    plcol0(colours.back());
    draw_series_line(s);
  }
  plwidth(1.0);
  if (names.size() >= 2) draw_legend(names, colours, legend == LegendCorner::BottomRight);
  page.finish();
}

}  // namespace nfvi::figures
