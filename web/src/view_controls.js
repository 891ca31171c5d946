// The control plumbing the three views share: the settings fields and their
// messages, the Run / Step / Reset buttons, the failure line, the Download /
// Load buttons, and the view's training worker. Each view keeps its own
// concept (what it trains, what it draws); this module only knows the
// page's conventions for element ids: `${prefix}${name}` for a field,
// `${prefix}${name}-error` for its message, and `${prefix}run`, `step`,
// `reset`, `failure`, `save`, `load`, `load-error`, `source` beside them.
// A field's message may be '' (no message): the check holds the buttons
// without one, while its verdict is on its way (the flow spec's).

// A number as the stats show it, or a dash when there is none yet.
export function formatStat(x, digits = 4) {
  return Number.isFinite(x) ? x.toFixed(digits) : '–';
}

// Redraws `chart` at most every `ms` milliseconds; returns the function that
// marks it as changed (progress messages arrive faster than it is worth drawing).
export function throttledUpdate(chart, ms = 250) {
  let dirty = false;
  setInterval(() => {
    if (dirty) {
      chart.update();
      dirty = false;
    }
  }, ms);
  return () => {
    dirty = true;
  };
}

export class ViewControls {
  // prefix: the view's id prefix ('', 'c-', 'v-', or 'cmp-' for the flow
  // view's Compare panel); fields: its field table from model.js; check:
  // texts -> { state, errors }. With waitForWorker the buttons stay disabled
  // until the worker is ready. buttons: the ids that the fields' checks
  // enable (a panel without Run has none).
  constructor({ prefix, fields, check, waitForWorker = false, buttons = ['run', 'step', 'reset'] }) {
    this.$ = (id) => document.getElementById(`${prefix}${id}`);
    this.names = Object.keys(fields);
    this.check = check;
    this.waitForWorker = waitForWorker;
    this.buttons = buttons;
    this.worker = null;
    this.ready = false;
    this.running = false;
    this.shownSettings = null;
    // Set by a view whose Run drives more than its own worker (Compare):
    // holdButtons() keeps the buttons disabled; companions() are the other
    // workers that Run, Pause and Step drive.
    this.holdButtons = () => false;
    this.companions = () => [];
  }

  fieldTexts() {
    return Object.fromEntries(this.names.map((name) => [name, this.$(name).value]));
  }

  // texts: field name -> text (values are turned into text).
  setFields(texts) {
    for (const name of this.names) this.$(name).value = String(texts[name]);
  }

  // Shows each field's message beside it (or clears it); the buttons are
  // enabled only when every field is good. Returns whether they are.
  showErrors(errors) {
    for (const name of this.names) {
      const message = errors[name] ?? '';
      this.$(`${name}-error`).textContent = message;
      this.$(name).classList.toggle('invalid', message !== '');
      this.$(name).setAttribute('aria-invalid', message !== '' ? 'true' : 'false');
    }
    const ok = Object.keys(errors).length === 0;
    const disabled = !ok || (this.waitForWorker && !this.ready) || this.holdButtons();
    for (const id of this.buttons) this.$(id).disabled = disabled;
    return ok;
  }

  // Checks the fields as they stand and shows the messages.
  showFieldErrors() {
    return this.showErrors(this.check(this.fieldTexts()).errors);
  }

  // The settings the fields ask for, when they call for a new session; null
  // when a field is bad (its message shown), or when the view comes back
  // (fromHash) to the settings of the session shown, which keeps its run.
  settingsToApply({ fromHash }) {
    const { state, errors } = this.check(this.fieldTexts());
    if (!this.showErrors(errors)) return null;
    if (fromHash && this.ready && JSON.stringify(state) === this.shownSettings) return null;
    this.settingsShown(state);
    return state;
  }

  // Records the settings of the session shown (a loaded model may bring its own).
  settingsShown(settings) {
    this.shownSettings = JSON.stringify(settings);
  }

  setRunning(value) {
    this.running = value;
    this.$('run').textContent = value ? 'Pause' : 'Run';
    this.$('run').classList.toggle('running', value);
  }

  showFailure(message) {
    this.$('failure').textContent = message;
    this.$('failure').hidden = message === '';
  }

  // A worker's 'failure' message. In a view with a Load button, a file that
  // did not load gets its message beside the button, and `keptText` (say,
  // "the previous flow is kept") as the source; anything else goes to the
  // failure line.
  showWorkerFailure({ where, message }, keptText = null) {
    this.setRunning(false);
    if (where === 'load' && keptText !== null) {
      this.$('load-error').textContent = message;
      this.$('source').textContent = keptText;
    } else {
      this.showFailure(where === 'training' ? message : `${where}: ${message}`);
    }
  }

  // The stats of the two KL views (flow and conditional); steps per second
  // only when the stats carry them (null shows a dash).
  // A stat the view does not show (no element) is skipped.
  showKlStats({ steps, klEstimate, klTrue, stepsPerSecond }, logZ) {
    const show = (id, text) => {
      const element = this.$(id);
      if (element !== null) element.textContent = text;
    };
    show('stat-step', String(steps));
    show('stat-estimate', formatStat(klEstimate));
    show('stat-logz', formatStat(logZ));
    show('stat-kl-true', formatStat(klTrue));
    if (stepsPerSecond !== undefined) show('stat-speed', stepsPerSecond ? stepsPerSecond.toFixed(0) : '–');
  }

  startWorker(url, onMessage) {
    this.worker = new Worker(url, { type: 'module' });
    this.worker.onmessage = onMessage;
    this.worker.onerror = (event) => this.showFailure(`worker: ${event.message}`);
  }

  // Sends a message to the view's worker and to its companions.
  broadcast(message) {
    for (const worker of [this.worker, ...this.companions()]) worker.postMessage(message);
  }

  // Leaving the view pauses its training.
  pause() {
    if (this.worker !== null && this.running) {
      this.setRunning(false);
      this.broadcast({ type: 'pause' });
    }
  }

  // A field's change applies the settings (`apply`), typing only checks them;
  // Run toggles training, Step takes one step, Reset applies the settings
  // anew (`reset`, by default `apply`).
  wireButtons(apply, reset = apply) {
    for (const name of this.names) {
      this.$(name).addEventListener('change', () => apply());
      this.$(name).addEventListener('input', () => this.showFieldErrors());
    }
    this.$('run').addEventListener('click', () => {
      this.setRunning(!this.running);
      if (this.running) this.showFailure('');
      this.broadcast({ type: this.running ? 'run' : 'pause' });
    });
    this.$('step').addEventListener('click', () => {
      this.setRunning(false);
      this.broadcast({ type: 'step', steps: 1 });
    });
    this.$('reset').addEventListener('click', () => reset());
  }

  // Download sends the model to save; Load sends a file's text to load, with
  // the view's current settings (`settings()`), if it is under `maxBytes`.
  wireFiles({ maxBytes, settings }) {
    this.$('save').addEventListener('click', () => this.worker.postMessage({ type: 'save' }));
    const load = this.$('load');
    load.addEventListener('change', async () => {
      const file = load.files[0];
      this.$('load-error').textContent = '';
      if (!file) return;
      if (file.size > maxBytes) {
        this.$('load-error').textContent = `${file.name} is too large for a model file`;
        return;
      }
      this.pause();
      this.worker.postMessage({ type: 'load', text: await file.text(), settings: settings(), name: file.name });
      this.$('source').textContent = `loaded from ${file.name}`;
      load.value = '';
    });
  }
}
