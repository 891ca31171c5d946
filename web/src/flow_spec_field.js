// The flow spec field, as the flow view and its Compare panel share it: the
// preset buttons (one per row of PRESETS in model.js) and the verdicts of
// the core's flow spec parser, which only a worker can ask (the page's
// thread has no WebAssembly module), so they arrive a moment after typing.
import { presetOf, PRESETS } from './model.js';

const MAX_REMEMBERED = 500;

// The parser's verdicts on flow specs: { flow, layers, parameters } or
// { error } per spec, cached. verdict(spec) is null until the worker has
// answered; the first call asks it: ask(spec) posts the 'check' message and
// returns whether it could (false before the worker exists: the next call asks again).
export class SpecVerdicts {
  constructor(ask) {
    this.ask = ask;
    this.known = new Map();
    this.asked = new Set();
    this.listeners = [];
  }

  verdict(spec) {
    if (this.known.has(spec)) return this.known.get(spec);
    if (!this.asked.has(spec) && this.ask(spec)) this.asked.add(spec);
    return null;
  }

  // A verdict known without asking (a session's own spec is good).
  remember(spec, verdict) {
    if (this.known.size >= MAX_REMEMBERED) {
      this.known.delete(this.known.keys().next().value);
    }
    this.known.set(spec, verdict);
    this.asked.delete(spec);
  }

  // The worker's 'checked' message; tells every listener.
  answer({ spec, verdict }) {
    this.remember(spec, verdict.error === null ? verdict : { error: verdict.error });
    for (const listener of this.listeners) listener(spec);
  }

  onVerdict(listener) {
    this.listeners.push(listener);
  }
}

// One button per preset in `container`; pick(preset) when one is pressed.
// Returns mark(settings), which marks the preset those settings are (if any).
export function presetButtons(container, pick) {
  const buttons = PRESETS.map((preset) => {
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = preset.name;
    button.dataset.flow = preset.flow;
    button.title = `flow ${preset.flow}, lr ${preset.lr}, ${preset.samples} samples per step` +
      (preset.cosine > 0 ? `, cosine decay over ${preset.cosine} steps` : '') +
      (preset.anneal > 0 ? `, annealing over ${preset.anneal} steps` : '');
    button.setAttribute('aria-pressed', 'false');
    button.addEventListener('click', () => pick(preset));
    container.append(button);
    return button;
  });
  return (settings) => {
    const preset = presetOf(settings);
    buttons.forEach((button, i) => button.setAttribute('aria-pressed', String(PRESETS[i] === preset)));
  };
}
