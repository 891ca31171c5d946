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

// values: bins x bins, row iy covering z2 from lo to hi; z2 is drawn upwards.
// A label, if given, is written in the top left corner.
export function drawDensity(canvas, values, bins, label = '') {
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
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(tile, 0, 0, canvas.width, canvas.height);
  if (label !== '') {
    ctx.font = '14px sans-serif';
    ctx.fillStyle = 'rgba(0, 0, 0, 0.55)';
    ctx.fillRect(4, 4, ctx.measureText(label).width + 10, 20);
    ctx.fillStyle = '#fff';
    ctx.fillText(label, 9, 19);
  }
}

// samples: (K + 1) blocks of 2N values (all z1, then all z2) and then N
// colour values, as FlowSession.layerSamples returns them. kind: layer k's
// kind, for the label ('' for none).
export function drawLayer(canvas, samples, layers, n, k, kind = '') {
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  const block = samples.subarray(2 * n * k, 2 * n * (k + 1));
  const colour = samples.subarray(2 * n * (layers + 1));
  let maxColour = 0;
  for (const c of colour) if (c > maxColour) maxColour = c;
  const sx = width / (VIEW.hi - VIEW.lo);
  const sy = height / (VIEW.hi - VIEW.lo);
  // Outer points first, so the centre's colours stay visible on top.
  const order = Array.from(colour.keys()).sort((a, b) => colour[b] - colour[a]);
  for (const i of order) {
    const x = (block[i] - VIEW.lo) * sx;
    const y = height - (block[n + i] - VIEW.lo) * sy;
    ctx.fillStyle = rainbow(maxColour > 0 ? colour[i] / maxColour : 0);
    ctx.fillRect(x - 1, y - 1, 2.2, 2.2);
  }
  ctx.fillStyle = '#222';
  ctx.font = '14px sans-serif';
  ctx.fillText(`after layer ${k}${k > 0 && kind ? ` (${kind})` : ''}`, 8, 18);
}

// Saves text as a file through the browser's download.
export function download(text, name) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
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
class LiveLineChart {
  constructor(canvas, datasets, xTitle, yTitle) {
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
          legend: { position: 'top', labels: { filter: (item, data) => !data.datasets[item.datasetIndex].omitted } },
        },
        scales: {
          x: { type: 'linear', title: { display: true, text: xTitle }, min: 0 },
          y: { title: { display: true, text: yTitle } },
        },
      },
    });
    this.series = datasets.map(() => []);
  }

  update() {
    this.chart.data.datasets.forEach((dataset, i) => { dataset.data = this.series[i]; });
    this.chart.update('none');
  }
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
  }

  reset(logZ, history, klTrueOf) {
    this.logZ = logZ;
    this.series = [[], [], [], this.series[3]];
    this.lastStep.main = 0;
    for (let i = 0; i < history.length; ++i) this.add(i + 1, history[i], klTrueOf(history[i]));
    this.drawFloor();
    this.update();
  }

  add(step, estimate, klTrue) {
    this.series[0].push({ x: step, y: estimate });
    this.series[1].push({ x: step, y: klTrue });
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
