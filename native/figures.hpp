// PNG figures for the native tools, rendered headless by PLplot ("pngcairo").
//
// Three kinds of figure:
//   * a density on a regular grid, drawn as a "jet" image;
//   * a grid of scatter panels (e.g. samples after successive layers), points
//     coloured by a shared per-point value with an "hsv"-like rainbow;
//   * a line chart with axes, labels and an optional legend.
//
// Every function writes one complete PNG and throws std::runtime_error with a
// one-line message on failure (bad arguments, output file cannot be opened,
// PLplot produced no PNG). Calls are independent of each other: each one uses
// its own PLplot stream, created and destroyed inside the call. Calls are
// serialised internally, because PLplot keeps global state.
#pragma once

#include <string>
#include <vector>

namespace nfvi::figures {

// The rectangle of the plane shown by a figure.
struct View {
  double xmin = -6, xmax = 6, ymin = -6, ymax = 6;
};

// Writes `values` (row-major, values[iy * nx + ix], iy = 0 is the bottom row)
// as an image. The grid's cell centres span the view: cell (0, 0) is centred
// on (xmin, ymin) and cell (nx-1, ny-1) on (xmax, ymax); the whole cells are
// shown. Colours run linearly from 0 (dark blue) to the largest finite value
// (dark red) with the "jet" map; negative values are clipped to 0 and
// non-finite values drawn as 0. If every value is 0 the image is uniformly
// dark blue. The title is drawn at the top unless empty. About 800x800 px.
void write_density_png(const std::string& path, const std::vector<double>& values, int nx, int ny, const View& view,
                       const std::string& title);

// One frame of a conditional animation, like the seed's: on the left the
// condition's axis with a dot at this frame's condition, then two densities
// side by side (e.g. the target p(z | angle) and a histogram of q(z | angle)).
struct ConditionFrame {
  double condition = 0;  // this frame's condition, e.g. an angle
  std::string condition_label = "angle";
  double trained_min = -3.141592653589793;  // the range the model was trained on: tick marks at its
  double trained_max = 3.141592653589793;   // ends and middle; the axis outside it is shaded
  double axis_min = -3.141592653589793;     // the axis shown, widened to hold the trained range and the
  double axis_max = 3.141592653589793;      // condition (keep it fixed over a sweep so frames line up)
  bool extrapolation = false;               // outside the trained range: a red dot, labelled
  std::vector<double> left, right;          // bins x bins values each, laid out as in write_density_png
  int bins = 100;
  View view;  // cell centres span the view, as in write_density_png
  std::string left_title, right_title;
};

// Writes one frame, about 1280x500 px. Each density has its own colour
// scale ("jet", 0 to its largest value), as in write_density_png.
void write_condition_frame_png(const std::string& path, const ConditionFrame& frame);

// One panel of a scatter figure: a label shown in its top-left corner (e.g.
// "layer 5") and the point coordinates.
struct ScatterPanel {
  std::string label;
  std::vector<double> x, y;
};

// Draws the panels in a grid, `ncols` per row (ncols <= 0 means 4), each a
// square scatter of small points over the view. Point i of every panel is
// coloured by colour_value[i] with an "hsv"-like map: largest value red,
// through yellow, green and blue, smallest value magenta. The colour scale is
// shared by all panels. colour_value must have as many entries as each panel
// has points, or be empty (then all points are drawn in one colour).
// Points with a non-finite coordinate are skipped. About 300 px per panel
// (1200x900 for 3 rows of 4).
void write_scatter_panels_png(const std::string& path, const std::vector<ScatterPanel>& panels,
                              const std::vector<double>& colour_value, const View& view, int ncols = 4);

// One line of a chart. x and y must have the same length; an empty series is
// allowed and simply not drawn.
// An optional band (e.g. the min-max range over seeds) is drawn behind the
// line as a translucent area in the line's colour when low and high have x's
// length; leave them empty for no band.
struct Series {
  std::string name;
  std::vector<double> x, y;
  std::vector<double> low, high;
};

// Draws every non-empty series as a line, each in its own colour, with axes,
// axis labels and the title. Points with a non-finite coordinate are skipped
// (the line is broken there). The axes cover the finite values with a small
// margin. A legend naming the series is drawn when two or more are non-empty.
// About 800x800 px.
// Where the legend goes: top right by default; bottom right for curves that rise to the right.
enum class LegendCorner { TopRight, BottomRight };

void write_line_chart_png(const std::string& path, const std::vector<Series>& series, const std::string& xlabel,
                          const std::string& ylabel, const std::string& title,
                          LegendCorner legend = LegendCorner::TopRight);

}  // namespace nfvi::figures
