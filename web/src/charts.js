// The views: density heatmaps and layer scatter plots on canvases, and the KL
// chart (Chart.js, loaded by index.html as the global `Chart`). No state of
// their own beyond what they draw.

export const VIEW = { lo: -6, hi: 6 }; // the seed's [-6, 6]^2 view, as in core

// Matplotlib's "jet", as the seed's density figures use: dark blue, blue,
// cyan, yellow, red, dark red.
function jet(t) {
  const c = (x) => Math.round(255 * Math.max(0, Math.min(1, x)));
  return [c(1.5 - Math.abs(4 * t - 3)), c(1.5 - Math.abs(4 * t - 2)), c(1.5 - Math.abs(4 * t - 1))];
}

// The layer plots' colour: a point's distance to mu before the first layer,
// magenta at the centre through blue, green and yellow to red at the rim, as
// in the seed's figure.
function rainbow(t) {
  const hue = 300 * (1 - Math.max(0, Math.min(1, t)));
  return `hsl(${hue.toFixed(0)}, 100%, 50%)`;
}

// The plot area of a density or layer canvas: the view [-6, 6]^2 drawn in
// a square with room for the axes (left, bottom) and the colour bar (right).
export const PLOT = { left: 30, top: 6, right: 44, bottom: 26 };

function plotBox(canvas) {
  const size = Math.min(canvas.width - PLOT.left - PLOT.right, canvas.height - PLOT.top - PLOT.bottom);
  return { x: PLOT.left, y: PLOT.top, size };
}

// The box a picture covers, [xmin, xmax, ymin, ymax]: by default the seed's view.
export const DEFAULT_BOX = [VIEW.lo, VIEW.hi, VIEW.lo, VIEW.hi];

// A tick's label: few digits, no trailing zeros.
function tickLabel(v) {
  return String(Number(v.toPrecision(Math.abs(v) >= 10 ? 3 : 2)));
}

// Axes of the box under and left of the plot: five ticks on each, and z1, z2.
function drawAxes(ctx, box, [xmin, xmax, ymin, ymax] = DEFAULT_BOX) {
  ctx.save();
  ctx.strokeStyle = '#444';
  ctx.lineWidth = 1;
  ctx.strokeRect(box.x - 0.5, box.y - 0.5, box.size + 1, box.size + 1);
  ctx.fillStyle = '#333';
  ctx.font = '10px sans-serif';
  for (let i = 0; i <= 4; ++i) {
    const t = i / 4;
    const px = box.x + t * box.size;
    const py = box.y + (1 - t) * box.size;
    ctx.beginPath();
    ctx.moveTo(px, box.y + box.size);
    ctx.lineTo(px, box.y + box.size + 4);
    ctx.moveTo(box.x - 4, py);
    ctx.lineTo(box.x, py);
    ctx.stroke();
    ctx.textAlign = 'center';
    ctx.textBaseline = 'top';
    ctx.fillText(tickLabel(xmin + t * (xmax - xmin)), px, box.y + box.size + 5);
    ctx.textAlign = 'right';
    ctx.textBaseline = 'middle';
    ctx.fillText(tickLabel(ymin + t * (ymax - ymin)), box.x - 6, py);
  }
  ctx.font = 'italic 11px sans-serif';
  ctx.textAlign = 'center';
  ctx.textBaseline = 'bottom';
  ctx.fillText('z₁', box.x + box.size / 2, box.y + box.size + PLOT.bottom);
  ctx.save();
  ctx.translate(9, box.y + box.size / 2);
  ctx.rotate(-Math.PI / 2);
  ctx.textBaseline = 'middle';
  ctx.fillText('z₂', 0, 0);
  ctx.restore();
  ctx.restore();
}

// The colour bar right of the plot: "jet" from 0 (bottom) to the largest value (top).
function drawColourBar(ctx, box, max) {
  const x = box.x + box.size + 8;
  const width = 10;
  for (let i = 0; i < box.size; ++i) {
    const [r, g, b] = jet(1 - i / (box.size - 1));
    ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
    ctx.fillRect(x, box.y + i, width, 1);
  }
  ctx.strokeStyle = '#444';
  ctx.strokeRect(x - 0.5, box.y - 0.5, width + 1, box.size + 1);
  ctx.fillStyle = '#333';
  ctx.font = '10px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText(max > 0 ? max.toPrecision(2) : '0', x + width + 2, box.y);
  ctx.textBaseline = 'bottom';
  ctx.fillText('0', x + width + 2, box.y + box.size);
}

// values: bins x bins over the box [xmin, xmax, ymin, ymax], row iy covering
// z2 upwards, with the box's axes and a colour bar from 0 to the largest
// value shown. A label, if given, is written in the top left corner.
export function drawDensity(canvas, values, bins, label = '', range = DEFAULT_BOX) {
  const ctx = canvas.getContext('2d');
  let max = 0;
  for (const v of values) if (v > max) max = v;
  const image = ctx.createImageData(bins, bins);
  for (let iy = 0; iy < bins; ++iy) {
    for (let ix = 0; ix < bins; ++ix) {
      const [r, g, b] = jet(max > 0 ? values[iy * bins + ix] / max : 0);
      const p = 4 * ((bins - 1 - iy) * bins + ix);
      image.data[p] = r;
      image.data[p + 1] = g;
      image.data[p + 2] = b;
      image.data[p + 3] = 255;
    }
  }
  const tile = new OffscreenCanvas(bins, bins);
  tile.getContext('2d').putImageData(image, 0, 0);
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const box = plotBox(canvas);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, box.x, box.y, box.size, box.size);
  drawAxes(ctx, box, range);
  drawColourBar(ctx, box, max);
  if (label !== '') {
    ctx.font = '12px sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'alphabetic';
    ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.fillRect(box.x + 3, box.y + 3, ctx.measureText(label).width + 10, 18);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, box.x + 8, box.y + 16);
  }
}

// samples: (K + 1) blocks of 2N values (all z1, then all z2) and then N
// colour values, as FlowSession.layerSamples returns them. kind: layer k's
// kind, for the label ('' for none); range: the box drawn.
export function drawLayer(canvas, samples, layers, n, k, kind = '', range = DEFAULT_BOX) {
  const ctx = canvas.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  const box = plotBox(canvas);
  const width = box.size;
  const height = box.size;
  const block = samples.subarray(2 * n * k, 2 * n * (k + 1));
  const colour = samples.subarray(2 * n * (layers + 1));
  let maxColour = 0;
  for (const c of colour) if (c > maxColour) maxColour = c;
  const [xmin, xmax, ymin, ymax] = range;
  const sx = width / (xmax - xmin);
  const sy = height / (ymax - ymin);
  // Outer points first, so the centre's colours stay visible on top.
  const order = Array.from(colour.keys()).sort((a, b) => colour[b] - colour[a]);
  ctx.save();
  ctx.beginPath();
  ctx.rect(box.x, box.y, box.size, box.size);
  ctx.clip();
  for (const i of order) {
    const x = box.x + (block[i] - xmin) * sx;
    const y = box.y + height - (block[n + i] - ymin) * sy;
    ctx.fillStyle = rainbow(maxColour > 0 ? colour[i] / maxColour : 0);
    ctx.fillRect(x - 1, y - 1, 2.2, 2.2);
  }
  ctx.restore();
  drawAxes(ctx, box, range);
  // The colour key: a point's distance from mu before the first layer, 0 (centre) to the largest.
  const x0 = box.x + box.size + 8;
  for (let i = 0; i < box.size; ++i) {
    ctx.fillStyle = rainbow(1 - i / (box.size - 1));
    ctx.fillRect(x0, box.y + i, 10, 1);
  }
  ctx.fillStyle = '#333';
  ctx.font = '10px sans-serif';
  ctx.textAlign = 'left';
  ctx.textBaseline = 'top';
  ctx.fillText('rim', x0 + 12, box.y);
  ctx.textBaseline = 'bottom';
  ctx.fillText('centre', x0 - 2, box.y + box.size + 12);
  ctx.fillStyle = '#222';
  ctx.font = '12px sans-serif';
  ctx.textBaseline = 'alphabetic';
  ctx.fillText(`after layer ${k}${k > 0 && kind ? ` (${kind})` : ''}`, box.x + 6, box.y + 16);
}

// Saves text (or a Blob) as a file through the browser's download.
export function download(text, name, type = 'application/json') {
  const url = URL.createObjectURL(text instanceof Blob ? text : new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

// A Chart.js line chart that grows while training: one series of {x, y}
// points per dataset, kept in our own arrays (Chart.js's decimation swaps
// dataset.data for a decimated copy while drawing), handed over on update().
// A dataset with `omitted: true` is left out of the legend.
// The view of a chart: `window` (null: every step; N: the last N steps)
// and, for a chart with a log axis, `scale`: 'auto' (log once the headline
// curve has been below 1), 'linear' or 'log'.
class LiveLineChart {
  constructor(canvas, datasets, xTitle, yTitle) {
    this.window = null;
    this.scale = 'linear';
    this.xTitle = xTitle;
    this.chart = new Chart(canvas, {
      type: 'line',
      data: { datasets: datasets.map((d) => ({ ...d, data: [] })) },
      options: {
        animation: false,
        parsing: false,
        normalized: true,
        responsive: true,
        maintainAspectRatio: false,
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        plugins: {
          decimation: { enabled: true, algorithm: 'min-max' },
          // Lines in the legend, dashed where the curve is: a dash reads as a dash.
          legend: {
            position: 'top',
            labels: {
              usePointStyle: true,
              pointStyle: 'line',
              pointStyleWidth: 30,
              filter: (item, data) => !data.datasets[item.datasetIndex].omitted,
              // With line markers Chart.js takes the style of the first point, which has no dash: the dataset's own.
              generateLabels: (chart) => Chart.defaults.plugins.legend.labels.generateLabels(chart).map((item) => {
                const dataset = chart.data.datasets[item.datasetIndex];
                return { ...item, lineDash: dataset.borderDash ?? [], lineWidth: Math.max(2, dataset.borderWidth ?? 1) };
              }),
            },
          },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: xTitle }, min: 0 },
          y: { title: { display: true, text: yTitle } },
        },
      },
    });
    this.series = datasets.map(() => []);
  }

  // The last step of the series (the window ends there).
  endStep() {
    let last = 0;
    for (const series of this.series) if (series.length > 0) last = Math.max(last, series.at(-1).x);
    return last;
  }

  // Whether the y axis is logarithmic now (a chart without one: never).
  isLog() {
    return false;
  }

  // Hands each series over, cut to the window (so that the y axis fits
  // what is shown) and, on a log axis, to its positive values.
  update() {
    const last = this.endStep();
    const from = this.window === null ? -Infinity : last - this.window;
    const log = this.isLog();
    this.chart.data.datasets.forEach((dataset, i) => {
      let points = this.series[i];
      // One point before the window too, so that a curve enters at its left edge.
      if (from > 0) points = points.slice(Math.max(0, lowerBound(points, from) - 1));
      if (log) points = points.filter((p) => p.y > 0);
      dataset.data = points;
    });
    const { x, y } = this.chart.options.scales;
    x.min = Math.max(0, from);
    x.title.text = this.window === null ? this.xTitle : `${this.xTitle} (the last ${this.window.toLocaleString('en')})`;
    this.applyScale(y, log);
    this.chart.update('none');
    this.chart.canvas.dataset.scale = log ? 'log' : 'linear';
    this.chart.canvas.dataset.window = String(this.window ?? 'all');
  }

  applyScale(y, log) {
    y.type = log ? 'logarithmic' : 'linear';
  }

  setWindow(steps) {
    this.window = steps;
    this.update();
  }

  setScale(scale) {
    this.scale = scale;
    this.update();
  }

  // The series as CSV: one row per step, one column per curve (empty where a curve has no value).
  toCsv() {
    const names = this.chart.data.datasets.map((d, i) => (d.omitted && this.series[i].length === 0 ? null : d.label));
    const rows = new Map();
    this.series.forEach((series, i) => {
      if (names[i] === null) return;
      for (const { x, y } of series) {
        if (!rows.has(x)) rows.set(x, new Array(names.length).fill(''));
        rows.get(x)[i] = String(y);
      }
    });
    const kept = names.map((n, i) => i).filter((i) => names[i] !== null);
    const quote = (t) => (/[",]/.test(t) ? `"${t.replace(/"/g, '""')}"` : t);
    const lines = [[this.xTitle, ...kept.map((i) => names[i])].map(quote).join(',')];
    for (const x of [...rows.keys()].sort((a, b) => a - b)) lines.push([x, ...kept.map((i) => rows.get(x)[i])].join(','));
    return `${lines.join('\n')}\n`;
  }
}

// The first index of points (sorted by x) whose x is at least `x`.
function lowerBound(points, x) {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (points[mid].x < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The toolbar above a chart: the steps shown ("all" or the last N), the y
// axis (for a chart that has a log one) and the downloads of the chart as
// PNG and of its curves as CSV. name: the files' name stem.
export function chartToolbar(container, chart, { name, log = false, unit = 'steps', figures = null }) {
  const bar = document.createElement('div');
  bar.className = 'chart-tools';
  const select = (label, options, pick) => {
    const wrap = document.createElement('label');
    wrap.textContent = `${label} `;
    const element = document.createElement('select');
    for (const [value, text] of options) element.append(new Option(text, value));
    element.addEventListener('change', () => pick(element.value));
    wrap.append(element);
    bar.append(wrap);
    return element;
  };
  const windowSelect = select('show', [['all', `all ${unit}`], ['500', `last 500 ${unit}`], ['2000', `last 2,000 ${unit}`],
    ['10000', `last 10,000 ${unit}`]], (v) => chart.setWindow(v === 'all' ? null : Number(v)));
  windowSelect.classList.add('window');
  if (log) {
    const scale = select('y axis', [['auto', 'auto (log once kl_true < 1)'], ['linear', 'linear'], ['log', 'log (kl_true)']],
      (v) => chart.setScale(v));
    scale.classList.add('scale');
  }
  const button = (label, title, act) => {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.title = title;
    b.addEventListener('click', act);
    bar.append(b);
    return b;
  };
  button('PNG', 'the chart as a PNG image', () => chart.chart.canvas.toBlob((blob) => download(blob, `${name}.png`)))
    .classList.add('png');
  button('CSV', 'the curves as CSV, one row per step', () => download(chart.toCsv(), `${name}.csv`, 'text/csv'))
    .classList.add('csv');
  if (figures !== null) {
    button('pictures (PNG)', 'the pictures of this view side by side, as one PNG image',
      () => figuresImage(figures).toBlob((blob) => download(blob, `${name.replace(/-[a-z]+$/, '')}-pictures.png`)))
      .classList.add('figures-png');
  }
  container.prepend(bar);
  return bar;
}

// The canvases of a view's pictures (those shown), side by side on white,
// each with its caption's first line under it.
export function figuresImage(section) {
  const figures = [...section.querySelectorAll('figure')].filter((f) => !f.hidden && f.offsetParent !== null);
  const canvases = figures.map((f) => f.querySelector('canvas'));
  const gap = 12;
  const caption = 18;
  const height = Math.max(...canvases.map((c) => c.height)) + caption + 2 * gap;
  const width = canvases.reduce((sum, c) => sum + c.width + gap, gap);
  const out = document.createElement('canvas');
  out.width = width;
  out.height = height;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.fillStyle = '#333';
  ctx.font = '12px sans-serif';
  let x = gap;
  figures.forEach((figure, i) => {
    const canvas = canvases[i];
    ctx.drawImage(canvas, x, gap);
    const text = (figure.querySelector('figcaption')?.innerText ?? '').split('\n')[0].trim();
    ctx.fillText(text.slice(0, 60), x, gap + canvas.height + 14);
    x += canvas.width + gap;
  });
  return out;
}

// The colours of the flows' kl_true curves: the flow view's, and the
// Compare panel's second flow.
export const KL_COLOURS = { main: '#d62728', compare: '#9467bd' };

// The KL chart: the per-step estimate E[log q + U], kl_true (the last 100
// estimates' mean plus log Z, in nats) and the line -log Z, where the
// estimate ends when q = p. With Compare open, a second flow's kl_true
// beside the first, the legend naming both flows' specs.
export class KlChart extends LiveLineChart {
  constructor(canvas) {
    super(canvas, [
      { label: 'KL estimate  E[log q + U]', borderColor: '#1f77b4', backgroundColor: '#1f77b4', borderWidth: 1, pointRadius: 0 },
      { label: 'kl_true (nats)', borderColor: KL_COLOURS.main, backgroundColor: KL_COLOURS.main, borderWidth: 2, pointRadius: 0 },
      { label: '−log Z  (true KL = 0)', borderColor: '#888', backgroundColor: '#888', borderDash: [6, 4], borderWidth: 1,
        pointRadius: 0 },
      { label: 'kl_true, second flow', borderColor: KL_COLOURS.compare, backgroundColor: KL_COLOURS.compare, borderWidth: 2,
        pointRadius: 0, hidden: true, omitted: true },
    ], 'step', 'nats');
    this.logZ = 0;
    this.lastStep = { main: 0, compare: 0 };
    this.scale = 'auto';
    this.belowOne = false; // kl_true has been below 1 nat since the last reset: 'auto' is log
  }

  // On a log axis only kl_true is drawn (the estimate and −log Z can be negative).
  isLog() {
    return this.scale === 'log' || (this.scale === 'auto' && this.belowOne);
  }

  applyScale(y, log) {
    super.applyScale(y, log);
    y.title.text = log ? 'kl_true (nats, log scale)' : 'nats';
    const [estimate, , floor] = this.chart.data.datasets;
    for (const dataset of [estimate, floor]) {
      dataset.hidden = log;
      dataset.omitted = log;
    }
  }

  reset(logZ, history, klTrueOf) {
    this.logZ = logZ;
    this.belowOne = false;
    this.series = [[], [], [], this.series[3]];
    this.lastStep.main = 0;
    for (let i = 0; i < history.length; ++i) this.add(i + 1, history[i], klTrueOf(history[i]));
    this.drawFloor();
    this.update();
  }

  add(step, estimate, klTrue) {
    this.series[0].push({ x: step, y: estimate });
    this.series[1].push({ x: step, y: klTrue });
    if (klTrue < 1 && step > 100) this.belowOne = true; // after the first 100 steps' mean settles
    this.lastStep.main = step;
    this.drawFloor();
  }

  // The legend names the flows: mainFlow's spec, and compareFlow's when the
  // Compare panel is open (null hides its curve).
  nameFlows(mainFlow, compareFlow) {
    const [estimate, klTrue, , second] = this.chart.data.datasets;
    const comparing = compareFlow !== null;
    estimate.label = comparing ? `KL estimate, ${mainFlow}` : 'KL estimate  E[log q + U]';
    klTrue.label = comparing ? `kl_true, ${mainFlow}` : 'kl_true (nats)';
    second.label = comparing ? `kl_true, ${compareFlow}` : 'kl_true, second flow';
    second.hidden = !comparing;
    second.omitted = !comparing;
    if (!comparing) this.resetCompare([], null);
    this.update();
  }

  resetCompare(history, klTrueOf) {
    this.series[3] = [];
    this.lastStep.compare = 0;
    for (let i = 0; i < history.length; ++i) this.addCompare(i + 1, klTrueOf(history[i]));
    this.drawFloor();
    this.update();
  }

  addCompare(step, klTrue) {
    this.series[3].push({ x: step, y: klTrue });
    this.lastStep.compare = step;
    this.drawFloor();
  }

  drawFloor() {
    const end = Math.max(this.lastStep.main, this.lastStep.compare, 1);
    this.series[2] = [{ x: 0, y: -this.logZ }, { x: end, y: -this.logZ }];
  }
}

// A grid of 28 x 28 grey-scale images: values holds image after image (784
// values each, row by row, 0 = white, 1 = black), laid out `columns` wide.
export function drawImageGrid(canvas, values, columns) {
  const side = 28;
  const count = Math.floor(values.length / (side * side));
  const rows = Math.ceil(count / columns);
  const image = new ImageData(columns * side, rows * side);
  image.data.fill(255);
  for (let i = 0; i < count; ++i) {
    const ox = (i % columns) * side;
    const oy = Math.floor(i / columns) * side;
    for (let p = 0; p < side * side; ++p) {
      const grey = Math.round(255 * (1 - Math.max(0, Math.min(1, values[i * side * side + p]))));
      const q = 4 * ((oy + Math.floor(p / side)) * columns * side + ox + (p % side));
      image.data[q] = grey;
      image.data[q + 1] = grey;
      image.data[q + 2] = grey;
    }
  }
  const tile = new OffscreenCanvas(image.width, image.height);
  tile.getContext('2d').putImageData(image, 0, 0);
  const ctx = canvas.getContext('2d');
  ctx.imageSmoothingEnabled = false;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(tile, 0, 0, canvas.width, canvas.width * image.height / image.width);
}

export const LATENT_VIEW = { lo: -4, hi: 4 };
export const POSTERIOR_COLOURS = { base: '#1f77b4', flow: '#d62728' };

// The 2-D posterior of one digit over the prior N(0, I) on [-4, 4]^2: the
// prior's density contours at radii 1, 2, 3 (grey), samples of the Gaussian
// base z0 (blue, "without flows") and of z_K after the flows (red), and the
// digit itself in the corner. posterior: [z0_1 (n), z0_2 (n), zK_1 (n), zK_2 (n), pixels (784)].
export function drawPosterior(canvas, posterior, n, flows) {
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  const { lo, hi } = LATENT_VIEW;
  const sx = width / (hi - lo);
  const sy = height / (hi - lo);
  const px = (z1) => (z1 - lo) * sx;
  const py = (z2) => height - (z2 - lo) * sy;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  // The prior: a faint shading by density, and contours at 1, 2 and 3 standard deviations.
  for (const r of [3, 2, 1]) {
    ctx.fillStyle = `rgba(0, 0, 0, ${0.04 * (4 - r) / 3 + 0.02})`;
    ctx.beginPath();
    ctx.arc(px(0), py(0), r * sx, 0, 2 * Math.PI);
    ctx.fill();
    ctx.strokeStyle = '#999';
    ctx.setLineDash([4, 3]);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.strokeStyle = '#ccc';
  ctx.beginPath();
  ctx.moveTo(px(lo), py(0));
  ctx.lineTo(px(hi), py(0));
  ctx.moveTo(px(0), py(lo));
  ctx.lineTo(px(0), py(hi));
  ctx.stroke();
  const dots = (offset, colour) => {
    ctx.fillStyle = colour;
    for (let i = 0; i < n; ++i) ctx.fillRect(px(posterior[offset + i]) - 1, py(posterior[offset + n + i]) - 1, 2.4, 2.4);
  };
  ctx.globalAlpha = 0.5;
  dots(0, POSTERIOR_COLOURS.base);
  if (flows > 0) dots(2 * n, POSTERIOR_COLOURS.flow);
  ctx.globalAlpha = 1;
  // The digit, top left, framed.
  const digit = posterior.subarray(4 * n);
  const size = 56;
  const tile = document.createElement('canvas');
  tile.width = size;
  tile.height = size;
  drawImageGrid(tile, digit, 1);
  ctx.drawImage(tile, 6, 6);
  ctx.strokeStyle = '#444';
  ctx.strokeRect(6, 6, size, size);
  ctx.fillStyle = '#222';
  ctx.font = '12px sans-serif';
  ctx.fillText(`z ∈ [${lo}, ${hi}]²`, width - 78, height - 8);
}

// The ELBO chart: each batch's training ELBO (faint), its running mean over
// the last 50 batches, and the test ELBO at the redraws.
export class ElboChart extends LiveLineChart {
  constructor(canvas) {
    super(canvas, [
      { label: 'train ELBO (batch)', borderColor: '#aec7e8', backgroundColor: '#aec7e8', borderWidth: 1, pointRadius: 0 },
      { label: 'train ELBO (mean of 50 batches)', borderColor: '#1f77b4', backgroundColor: '#1f77b4', borderWidth: 2, pointRadius: 0 },
      { label: 'test ELBO', borderColor: '#d62728', backgroundColor: '#d62728', borderWidth: 2, pointRadius: 2 },
    ], 'batch', 'ELBO (nats per image)');
  }

  reset() {
    this.series = [[], [], []];
    this.update();
  }

  add(batch, elbo, mean) {
    this.series[0].push({ x: batch, y: elbo });
    this.series[1].push({ x: batch, y: mean });
  }

  addTest(batch, elbo) {
    const test = this.series[2];
    if (test.length > 0 && test.at(-1).x === batch) test.pop();
    test.push({ x: batch, y: elbo });
  }
}
