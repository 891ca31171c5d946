// The control plumbing the three views share: the settings fields and their
// messages, the Run / Step / Reset buttons, the failure line, the Download /
// Load buttons, and the view's training worker. Each view keeps its own
// concept (what it trains, what it draws); this module only knows the
// page's conventions for element ids: `${prefix}${name}` for a field,
// `${prefix}${name}-error` for its message, and `${prefix}run`, `step`,
// `reset`, `failure`, `save`, `load`, `load-error`, `source` beside them.
// A field's message may be '' (no message): the check holds the buttons
// without one, while its verdict is on its way (the flow spec's).

import { formatRate, learningRateWarning, RateMeter, tooLargeMessage } from './model.js';

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
    // Set by the view: whether the session shown holds work that a new
    // session would discard (trained steps, or a model loaded from a file).
    // While it does, a changed field does not start a new session: it waits
    // for Reset, and a note beside the buttons says so.
    this.hasWork = () => false;
    this.fieldsOk = true;
    this.hasSession = false;
    this.rate = new RateMeter();
    this.prefix = prefix;
    // Each field names its message (read with it), and one polite live region
    // per view announces a new message once, instead of an alert per field.
    for (const name of this.names) this.$(name).setAttribute('aria-describedby', `${prefix}${name}-error`);
    this.announcer = document.createElement('p');
    this.announcer.className = 'visually-hidden';
    this.announcer.setAttribute('aria-live', 'polite');
    this.announcer.id = `${prefix}announce`;
    this.$(this.names[0]).closest('section, fieldset')?.append(this.announcer);
    this.announced = new Set();
    this.loads = 0; // Load requests sent; only the latest one's answer is shown
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
  // warnings: field name -> a warning the check found (shown where there is
  // no error; it does not hold the buttons).
  showErrors(errors, warnings = {}) {
    const messages = new Set();
    for (const name of this.names) {
      const message = errors[name] ?? '';
      // A value that is allowed but trains nothing gets a warning, not an error.
      const warning = message !== '' ? ''
        : name === 'lr' ? learningRateWarning(Number(this.$(name).value)) : warnings[name] ?? '';
      const span = this.$(`${name}-error`);
      const shown = message || warning;
      if (span.textContent !== shown) span.textContent = shown;
      span.classList.toggle('warning', warning !== '');
      if (shown !== '') messages.add(shown);
      this.$(name).classList.toggle('invalid', message !== '');
      this.$(name).setAttribute('aria-invalid', message !== '' ? 'true' : 'false');
    }
    const fresh = [...messages].filter((m) => !this.announced.has(m));
    this.announced = messages;
    if (fresh.length > 0) this.announcer.textContent = fresh.join('. ');
    this.fieldsOk = Object.keys(errors).length === 0;
    this.refreshButtons();
    return this.fieldsOk;
  }

  // Run, Step and Reset need good fields (and a ready worker); Pause never
  // waits for anything: a bad field typed while training keeps it enabled.
  refreshButtons() {
    const disabled = !this.fieldsOk || (this.waitForWorker && !this.ready) || this.holdButtons();
    for (const id of this.buttons) this.$(id).disabled = disabled && !(id === 'run' && this.running);
    const save = this.$('save');
    if (save !== null) save.disabled = !this.hasSession;
  }

  // A session is shown: its settings are the fields' (a loaded model brings
  // its own), no stale message stays beside a field, and Download works.
  // A loaded model sets every field; a new session only those it changed
  // from what was asked (a spec's canonical form), so that typing done while
  // the session was being made stays.
  sessionShown(settings, { loaded = false } = {}) {
    this.hasSession = true;
    const asked = this.shownSettings === null ? {} : JSON.parse(this.shownSettings);
    for (const name of this.names) {
      if (loaded || String(settings[name]) !== String(asked[name])) this.$(name).value = String(settings[name]);
    }
    this.settingsShown(settings);
    this.showFieldErrors();
    this.showPending();
  }

  // The note beside the buttons while the fields differ from the session
  // shown and that session holds work: what changed, and that Reset applies it.
  showPending() {
    const note = this.$('pending');
    if (note === null) return false;
    const { state, errors } = this.check(this.fieldTexts());
    const shown = this.shownSettings === null ? null : JSON.parse(this.shownSettings);
    const changed = shown === null ? [] : this.names.filter((name) => name in state && String(state[name]) !== String(shown[name]));
    const pending = this.hasWork() && (changed.length > 0 || Object.keys(errors).length > 0);
    if (note.querySelector('.undo') === null) {
      const undo = document.createElement('button');
      undo.type = 'button';
      undo.textContent = 'Undo changes';
      undo.className = 'undo';
      undo.addEventListener('click', () => {
        if (this.shownSettings !== null) this.setFields(JSON.parse(this.shownSettings));
        this.showFieldErrors();
        this.showPending();
      });
      note.append(document.createElement('span'), ' ', undo);
    }
    const list = changed.map((name) => `${this.$(name).labels?.[0]?.textContent ?? name} ${shown[name]} → ${state[name]}`);
    const message = pending ? `${list.length ? `Changed: ${list.join(', ')}. ` : ''}Reset applies the fields (a new ` +
      'model from the seed); until then Run and Step go on with the model shown, at its own settings.' : '';
    const span = note.querySelector('span');
    if (span.textContent !== message) span.textContent = message; // announced once per change
    note.hidden = !pending;
    this.$('reset')?.classList.toggle('applies', pending);
    return pending;
  }

  // A field changed (or a preset was picked): a new session at once when
  // nothing would be lost, else the note and a wait for Reset.
  fieldsChanged(apply) {
    if (this.hasWork()) {
      this.showFieldErrors();
      this.showPending();
    } else {
      apply();
    }
  }

  // Checks the fields as they stand and shows the messages.
  showFieldErrors() {
    const { errors, warnings } = this.check(this.fieldTexts());
    return this.showErrors(errors, warnings);
  }

  // The settings the fields ask for, when they call for a new session; null
  // when a field is bad (its message shown), or when the view comes back
  // (fromHash) to the settings of the session shown, which keeps its run.
  settingsToApply({ fromHash }) {
    const { state, errors, warnings } = this.check(this.fieldTexts());
    if (!this.showErrors(errors, warnings)) return null;
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
    this.refreshButtons();
  }

  showFailure(message) {
    const line = this.$('failure');
    if (line.textContent === message) return; // announced once
    line.textContent = message;
    line.hidden = message === '';
  }

  // A worker's 'failure' message. In a view with a Load button, a file that
  // did not load gets its message beside the button, and `keptText` (say,
  // "the previous flow is kept") as the source; anything else goes to the
  // failure line.
  showWorkerFailure({ where, message }, keptText = null) {
    this.setRunning(false);
    if (where === 'load' && keptText !== null) {
      this.$('load-error').textContent = `${message}. ${keptText[0].toUpperCase()}${keptText.slice(1)}.`;
    } else {
      this.showFailure(where === 'training' ? message : `${where}: ${message}`);
    }
  }

  // The stats of the two KL views (flow and conditional); steps per second
  // only when the stats carry them (null shows a dash).
  // A stat the view does not show (no element) is skipped.
  // klTrain (the flow view's training mean) goes beside the headline, which
  // the flow view fills from fresh samples (showFlowKl); klTrue is the headline.
  showKlStats({ steps, klEstimate, klTrue, klTrain, stepsPerSecond }, logZ) {
    const show = (id, text) => {
      const element = this.$(id);
      if (element !== null) element.textContent = text;
    };
    show('stat-step', String(steps));
    show('stat-estimate', formatStat(klEstimate));
    show('stat-logz', formatStat(logZ));
    if (klTrue !== undefined) show('stat-kl-true', formatStat(klTrue));
    if (klTrain !== undefined) show('stat-kl-train', formatStat(klTrain));
    if (stepsPerSecond !== undefined) show('stat-speed', formatRate(stepsPerSecond));
  }

  // The steps per second a person sees (RateMeter): startRate() at Run,
  // countSteps(steps) at each progress message, stopRate() at a pause or a
  // new session (which shows a dash).
  startRate(steps) {
    this.rate.reset();
    this.rate.add(performance.now(), steps);
  }

  countSteps(steps) {
    if (!this.running) return;
    const rate = this.rate.add(performance.now(), steps);
    if (rate !== null) this.showRate(rate);
  }

  stopRate({ clear = false } = {}) {
    this.rate.reset();
    if (clear) this.showRate(null);
  }

  showRate(rate) {
    const element = this.$('stat-speed');
    if (element !== null) element.textContent = formatRate(rate);
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
      this.$(name).addEventListener('change', () => this.fieldsChanged(apply));
      this.$(name).addEventListener('input', () => this.showFieldErrors());
    }
    this.$('run').addEventListener('click', () => {
      this.setRunning(!this.running);
      if (this.running) {
        this.showFailure('');
        this.startRate(this.stepsShown());
      } else {
        this.stopRate();
      }
      this.broadcast({ type: this.running ? 'run' : 'pause' });
    });
    this.$('step').addEventListener('click', () => {
      this.setRunning(false);
      this.stopRate();
      this.broadcast({ type: 'step', steps: 1 });
    });
    this.$('reset').addEventListener('click', () => reset());
  }

  // One button per preset above the fields; a press sets the preset's
  // fields and counts as their change (a model with work waits for Reset).
  presets(list, apply) {
    const first = this.$(this.names[0]).closest('.field');
    const group = document.createElement('div');
    group.className = 'presets view-presets';
    group.id = `${this.prefix}view-presets`;
    group.setAttribute('role', 'group');
    group.setAttribute('aria-label', 'presets');
    const label = document.createElement('span');
    label.className = 'hint';
    label.textContent = 'presets:';
    group.append(label);
    for (const preset of list) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = preset.name;
      button.title = preset.title;
      button.addEventListener('click', () => {
        this.setFields({ ...this.fieldTexts(), ...preset.settings });
        this.fieldsChanged(apply);
      });
      group.append(button);
    }
    first.before(group);
  }

  // The headline kl_true of a flow, from fresh samples: its value and "± se".
  showFlowKl(klTrue, se) {
    this.$('stat-kl-true').textContent = formatStat(klTrue);
    this.$('stat-kl-true-se').textContent = Number.isFinite(se) ? ` ± ${se.toFixed(4)}` : '';
  }

  stepsShown() {
    return Number(this.$('stat-step')?.textContent ?? 0) || 0;
  }

  // Download sends the model to save; Load sends a file's text to load, with
  // the view's current settings (`settings()`), if it is under `maxBytes`.
  // Each load has an id; the worker's answer (a session or a failure) names
  // it, and only the latest load's answer is shown, so that two quick loads
  // never mix their messages. The source line changes when the model is shown.
  // binary: the file goes as its bytes (a Uint8Array), not as text.
  wireFiles({ maxBytes, settings, binary = false }) {
    this.$('save').disabled = true;
    this.$('save').addEventListener('click', () => {
      if (this.hasSession) this.worker.postMessage({ type: 'save' });
    });
    const load = this.$('load');
    load.addEventListener('change', async () => {
      const file = load.files[0];
      const id = ++this.loads;
      this.$('load-error').textContent = '';
      if (!file) return;
      load.value = '';
      if (file.size > maxBytes) {
        this.$('load-error').textContent = tooLargeMessage(file.name, file.size, maxBytes);
        return;
      }
      const text = binary ? new Uint8Array(await file.arrayBuffer()) : await file.text();
      if (id !== this.loads) return; // a later load came first
      this.pause();
      this.$('load-error').textContent = `loading ${file.name}…`;
      this.worker.postMessage({ type: 'load', text, settings: settings(), name: file.name, id },
        binary ? [text.buffer] : []);
    });
  }

  // Whether a worker's answer to load `id` is the latest load's (answers to
  // anything but a load have no id and always count).
  isLatestLoad(id) {
    return id === undefined || id === null || id === this.loads;
  }
}
