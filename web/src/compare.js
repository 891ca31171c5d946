// The flow view's Compare panel: a second flow (its own spec, samples per
// step, learning rate and seed) on the flow view's energy, trained side by
// side in its own Web Worker, a second instance of flow_worker.js. Its
// kl_true goes on the flow view's chart, its learned density beside the
// first. The flow view's Run, Pause, Step and Reset drive both flows; a new
// session of either pauses both, so that they start together. Closing the
// panel stops its worker.
import { download, drawDensity } from './charts.js';
import { presetButtons } from './flow_spec_field.js';
import {
  checkSettings, COMPARE_FIELDS, compareDefaults, compareToHashEntries, formatRate, presetSettings, RateMeter,
  RecentMean,
} from './model.js';
import { ViewControls } from './view_controls.js';

export class Compare {
  // verdicts: the flow view's SpecVerdicts; chart: () => its KlChart; host:
  //   settings()           the flow view's applied settings (energy, flow, seed);
  //   running()            whether the flow view's Run is on;
  //   pauseAll()           pauses both flows;
  //   changed({ hash })    the panel changed: recheck the flow view's buttons,
  //                        and rewrite the hash when `hash`;
  //   chartChanged()       marks the chart for its next redraw;
  //   density()            'exact' or 'histogram', as the flow view draws q.
  constructor({ verdicts, chart, host }) {
    this.verdicts = verdicts;
    this.chart = chart;
    this.host = host;
    this.controls = null; // a ViewControls while the panel is open
    this.$ = (id) => document.getElementById(`cmp-${id}`);
    this.settings = null; // the settings of the session asked for last
    this.shownFlow = null; // the spec of the session shown
    this.deferredApply = null;
    this.sessions = 0;
    this.rate = new RateMeter();

    document.getElementById('compare').addEventListener('click', () => {
      if (this.isOpen()) this.close();
      else this.open(compareDefaults(this.host.settings()));
      this.host.changed({ hash: true });
    });
    const markPreset = presetButtons(this.$('presets'), (preset) => {
      if (!this.isOpen()) return;
      this.controls.setFields({ ...this.controls.fieldTexts(), ...presetSettings(preset) });
      this.fieldsChanged();
    });
    this.markPreset = markPreset;
    for (const name of Object.keys(COMPARE_FIELDS)) {
      this.$(name).addEventListener('change', () => this.fieldsChanged());
      this.$(name).addEventListener('input', () => {
        this.controls?.showFieldErrors();
        this.host.changed({ hash: false });
      });
    }
    this.$('save').addEventListener('click', () => this.controls?.worker.postMessage({ type: 'save' }));
  }

  isOpen() {
    return this.controls !== null;
  }

  // As in the flow view: a trained second flow is kept until Reset; a fresh one follows its fields.
  fieldsChanged() {
    if (!this.isOpen()) return;
    this.controls.fieldsChanged(() => this.apply());
    this.host.changed({ hash: false });
  }

  // Opens the panel with these field texts (or, when open, sets them) and
  // applies them once its worker is ready.
  open(texts) {
    if (!this.isOpen()) {
      this.controls = new ViewControls({
        prefix: 'cmp-',
        fields: COMPARE_FIELDS,
        check: (t) => {
          const result = checkSettings(t, (spec) => this.verdicts.verdict(spec), COMPARE_FIELDS);
          const { energy, expression, box } = this.host.settings();
          Object.assign(result.state, { energy, expression, box });
          return result;
        },
        buttons: [],
      });
      this.steps = 0;
      this.controls.hasWork = () => this.steps > 0;
      this.settings = null;
      this.shownFlow = null;
      this.$('save').disabled = true;
      this.show(true);
      this.$('status').textContent = 'loading the WebAssembly module…';
      this.$('source').textContent = '';
      this.controls.showFailure('');
      const worker = new Worker(new URL('./flow_worker.js', import.meta.url), { type: 'module' });
      this.controls.worker = worker;
      worker.onmessage = (event) => {
        if (this.controls !== null && event.target === this.controls.worker) this.onMessage(event.data);
      };
      worker.onerror = (event) => this.controls?.showFailure(`worker: ${event.message}`);
      this.requestViews();
    }
    this.controls.setFields(texts);
    if (this.controls.ready) this.apply({ fromHash: true });
    else this.controls.showFieldErrors();
  }

  // Closes the panel and stops its worker; the second flow is discarded.
  close() {
    if (!this.isOpen()) return;
    this.controls.worker.terminate();
    this.controls = null;
    this.settings = null;
    this.shownFlow = null;
    this.deferredApply = null;
    this.show(false);
    this.chart().nameFlows(this.host.settings().flow, null);
  }

  show(open) {
    const toggle = document.getElementById('compare');
    toggle.textContent = open ? 'Close compare' : 'Compare…';
    toggle.setAttribute('aria-expanded', String(open));
    for (const id of ['panel', 'stats', 'figure']) this.$(id).hidden = !open;
    document.body.dataset.compareOpen = String(open);
  }

  // The hash's compare=... entries: the settings asked for, or the fields'
  // texts while the worker loads ({} when closed).
  hashEntries() {
    if (!this.isOpen()) return {};
    return compareToHashEntries(this.settings ?? this.controls.fieldTexts());
  }

  // The hash names these texts (null: no Compare panel).
  fromHash(texts) {
    if (texts === null) this.close();
    else this.open(texts);
  }

  // Whether the flow view's Run must wait: the panel's fields are bad or
  // not checked yet, or its worker is not ready.
  holdsRun() {
    if (!this.isOpen()) return false;
    if (!this.controls.ready) return true;
    return Object.keys(this.controls.check(this.controls.fieldTexts()).errors).length > 0;
  }

  workers() {
    return this.isOpen() ? [this.controls.worker] : [];
  }

  // The spec of the second flow shown, or null.
  flowShown() {
    return this.isOpen() ? this.shownFlow : null;
  }

  // A new second flow from the fields (as the flow view's applyControls).
  apply({ fromHash = false, note = null } = {}) {
    if (!this.isOpen() || !this.controls.ready) return;
    const spec = COMPARE_FIELDS.flow(this.controls.fieldTexts().flow);
    if ('value' in spec && this.verdicts.verdict(spec.value) === null) {
      this.deferredApply = { fromHash, note };
      this.controls.showFieldErrors();
      return;
    }
    this.deferredApply = null;
    const state = this.controls.settingsToApply({ fromHash });
    this.host.changed({ hash: false });
    if (state === null) return;
    this.settings = state;
    this.host.pauseAll();
    this.controls.showFailure('');
    this.$('source').textContent = note ?? `a new flow from seed ${state.seed}`;
    this.controls.worker.postMessage({ type: 'init', settings: state });
    this.host.changed({ hash: !fromHash });
  }

  // The flow view's energy changed: the second flow starts anew on it.
  energyChanged() {
    if (this.isOpen()) {
      this.apply({ fromHash: true, note: `a new flow on ${this.host.settings().energy}, the flow view's energy` });
    }
  }

  // Reset: a new second flow from the seed.
  reset() {
    if (this.isOpen()) this.apply();
  }

  // A flow spec verdict came in: recheck, and apply if that waited for it.
  verdictArrived() {
    if (!this.isOpen()) return;
    this.controls.showFieldErrors();
    if (this.deferredApply !== null) this.apply(this.deferredApply);
  }

  requestViews() {
    this.controls?.worker.postMessage({ type: 'view', request: { density: this.host.density(), layerSamples: false } });
  }

  onMessage(data) {
    const { controls } = this;
    switch (data.type) {
      case 'ready':
        controls.ready = true;
        this.$('status').textContent = 'WebAssembly module ready';
        this.apply({ fromHash: true });
        this.host.changed({ hash: false });
        break;
      case 'session': {
        this.logZ = data.logZ;
        this.steps = data.steps;
        this.recent = new RecentMean(100);
        this.shownFlow = data.flow;
        this.verdicts.remember(data.flow, { flow: data.flow, layers: data.layers });
        this.chart().resetCompare(data.history, (e) => this.recent.push(e) + this.logZ);
        this.chart().nameFlows(this.host.settings().flow, data.flow);
        if (this.settings !== null && data.flow !== this.settings.flow) {
          // The canonical spec (e.g. spline:4 for spline:4:bins=8) goes in the field and the hash.
          this.settings = { ...this.settings, flow: data.flow };
          controls.setFields(this.settings);
          controls.settingsShown(this.settings);
          this.host.changed({ hash: true });
        }
        this.markPreset({ flow: data.flow, lr: data.lr, samples: data.samples, cosine: data.cosine,
          anneal: data.anneal });
        controls.showPending();
        this.$('stat-flow').textContent = data.flow;
        controls.hasSession = true; // enables Download
        this.$('save').disabled = false;
        this.rate.reset();
        this.$('stat-speed').textContent = '–';
        controls.showFailure('');
        const klEstimate = data.history.length ? this.recent.mean() : NaN;
        controls.showKlStats({ steps: data.steps, klEstimate, klTrain: data.history.length ? klEstimate + this.logZ : NaN },
          this.logZ);
        controls.showFlowKl(data.klTrueFresh, NaN);
        this.$('status').textContent = `${data.energy}: ${data.flow} (K = ${data.layers}), N = ${data.samples}, ` +
          `lr = ${data.lr}${(data.cosine > 0 ? `, cosine over ${data.cosine} steps` : '') +
            (data.anneal > 0 ? `, anneal over ${data.anneal} steps` : '')}, seed ${data.seed}`;
        this.sessions += 1;
        document.body.dataset.compareSessions = String(this.sessions);
        break;
      }
      case 'progress': {
        const first = data.steps - data.estimates.length + 1;
        data.estimates.forEach((e, i) => this.chart().addCompare(first + i, this.recent.push(e) + this.logZ));
        this.host.chartChanged();
        controls.showKlStats({ steps: data.steps, klEstimate: data.klEstimate, klTrain: data.klTrue }, this.logZ);
        if (data.ok) controls.showFailure('');
        this.steps = data.steps;
        if (this.host.running() && data.running) {
          const rate = this.rate.add(performance.now(), data.steps);
          if (rate !== null) this.$('stat-speed').textContent = formatRate(rate);
        } else {
          this.rate.reset();
        }
        document.body.dataset.compareRunning = String(data.running);
        document.body.dataset.compareSteps = String(data.steps);
        // The second flow stopped by itself (a blow-up): both pause.
        if (!data.running && this.host.running()) this.host.pauseAll();
        break;
      }
      case 'paused':
        this.rate.reset();
        document.body.dataset.compareRunning = 'false';
        break;
      case 'views':
        drawDensity(this.$('learned-canvas'), data.learnedDensity, data.bins, `${data.flow} · ${data.density}`, data.box);
        if (data.diagnostics) controls.showFlowKl(data.diagnostics.klTrue, data.diagnostics.klTrueSe);
        this.$('learned-caption').textContent = data.density === 'exact'
          ? `second flow: exact q of ${data.flow}` : `second flow: histogram of 10⁵ samples of ${data.flow}`;
        document.body.dataset.compareDensity = data.density;
        break;
      case 'model':
        download(data.json, data.name);
        break;
      case 'failure':
        controls.showFailure(data.where === 'training' ? data.message : `${data.where}: ${data.message}`);
        this.host.pauseAll();
        break;
      default:
        break;
    }
  }
}
