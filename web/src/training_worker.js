// The part of a Web Worker that every view's worker shares: it loads the
// WebAssembly module, owns one training session, and trains it in chunks of
// about CHUNK_MS, reading its messages between chunks (so Pause, Step, Reset
// and view requests are answered while training runs).
//
// Messages in:  init {settings} | load {text, settings} | run | pause | step {steps} | save | view {...} |
//               the view's own (see `answers`)
// Messages out: ready {...} | session {...} | progress {...} | paused {steps} | views {...} | model {json} |
//               failure {where, message} | the view's own answers
//
// A view's worker supplies the session-specific parts:
//   create(nfvi, settings), load(nfvi, text, settings): a new session;
//   describe(session): the 'session' message body (and transferables);
//   views(session, request, periodic): the 'views' message body (and transferables);
//     periodic is true for the redraws while training runs;
//   chunkMs (optional): a shorter chunk, for views that must answer fast;
//   save(session): the 'model' message body;
//   prepare() (optional, async): run once before 'ready' (e.g. fetching data);
//   progress(session) (optional): the 'progress' message's statistics
//     (default: klEstimate and klTrue);
//   ready(nfvi) (optional): the 'ready' message body;
//   answers (optional): { type: (nfvi, message) -> { type, body } }, for
//     messages of the view's own that need no session (e.g. checking a flow spec).
import createNfviModule from '../nfvi.mjs';
import { humanLoadMessage } from './model.js';

const CHUNK_MS = 40;          // default time per training chunk (a view may ask for less)
const VIEW_INTERVAL_MS = 400; // how often the views are redrawn while training runs
const VIEW_SHARE = 0.25;      // at most about this share of the time goes to periodic redraws

export function startTrainingWorker(view) {
  let nfvi = null;
  let session = null;
  let running = false;
  let chunkSteps = 10;
  let lastViews = 0;
  let viewsMs = 0; // what the last redraw took
  let viewRequest = {};
  const pending = [];

  const post = (type, body = {}, transfer = []) => self.postMessage({ type, ...body }, transfer);
  const fail = (where, error, extra = {}) => {
    running = false;
    post('failure', { where, message: error instanceof Error ? error.message : String(error), ...extra });
  };

  const chunkMs = view.chunkMs ?? CHUNK_MS;

  function sendViews(periodic = false) {
    const start = performance.now();
    const { body, transfer } = view.views(session, viewRequest, periodic);
    post('views', body, transfer);
    lastViews = performance.now();
    viewsMs = lastViews - start;
  }

  // While training runs, redraw every VIEW_INTERVAL_MS, or less often when
  // drawing is slow (a histogram of a coupling flow's samples takes a second).
  const viewsDue = () => performance.now() - lastViews > Math.max(VIEW_INTERVAL_MS, viewsMs / VIEW_SHARE);

  function train(steps) {
    const start = performance.now();
    const { estimates, error } = session.train(steps);
    const seconds = (performance.now() - start) / 1000;
    post('progress', {
      ok: error === null,
      estimates,
      steps: session.stepsTaken(),
      ...(view.progress ? view.progress(session) : { klEstimate: session.klEstimate(), klTrue: session.klTrue() }),
      stepsPerSecond: estimates.length > 0 && seconds > 0 ? estimates.length / seconds : null,
      running: running && error === null,
    }, [estimates.buffer]);
    if (error !== null) {
      // The session kept its last good state; show that state and stop.
      running = false;
      post('failure', { where: 'training', message: `${error}. Training stopped; the last good state is kept.` });
      sendViews();
      return false;
    }
    return true;
  }

  // origin: { loaded: file name, id: the page's load id } for a loaded model, {} for a new one.
  function newSession(make, origin = {}) {
    running = false;
    const next = make();
    if (session !== null) session.delete();
    session = next;
    chunkSteps = 10;
    const { body, transfer } = view.describe(session);
    post('session', { ...body, loaded: origin.loaded ?? null, loadId: origin.id ?? null }, transfer);
    sendViews();
  }

  async function runLoop() {
    while (running) {
      const start = performance.now();
      if (!train(chunkSteps)) break;
      const elapsed = performance.now() - start;
      // Aim the next chunk at CHUNK_MS, growing or shrinking by at most 2x.
      chunkSteps = Math.max(1, Math.min(chunkSteps * 2, Math.round(chunkSteps * chunkMs / Math.max(elapsed, 1))));
      if (viewsDue()) sendViews(true);
      await new Promise((resolve) => setTimeout(resolve, 0)); // let messages in
      handlePending();
    }
    handlePending();
  }

  // The messages that came in during a chunk, in order; of several view
  // requests only the last is drawn (a slider dragged during a chunk asks
  // for many angles, and only the latest one is still wanted).
  function handlePending() {
    const lastView = pending.findLastIndex((m) => m.type === 'view');
    const messages = pending.splice(0, pending.length);
    messages.forEach((m, i) => {
      if (m.type !== 'view' || i === lastView) handle(m);
    });
  }

  function handle(message) {
    try {
      switch (message.type) {
        case 'init':
          newSession(() => view.create(nfvi, message.settings));
          break;
        case 'load':
          newSession(() => view.load(nfvi, message.text, message.settings), { loaded: message.name, id: message.id });
          break;
        case 'run':
          if (!running && session !== null) {
            running = true;
            runLoop().catch((error) => fail('training', error));
          }
          break;
        case 'pause': {
          // A pause redraws the views, so that they show the flow that stopped.
          const wasRunning = running;
          running = false;
          post('paused', { steps: session === null ? 0 : session.stepsTaken() });
          if (wasRunning && session !== null) sendViews();
          break;
        }
        case 'step':
          running = false;
          if (train(message.steps ?? 1)) sendViews();
          break;
        case 'view':
          viewRequest = message.request;
          if (session !== null) sendViews();
          break;
        case 'save':
          if (session === null) throw new Error('there is no model to save yet');
          post('model', view.save(session));
          break;
        default: {
          const answer = view.answers?.[message.type];
          if (!answer) throw new Error(`unknown message '${message.type}'`);
          const { type, body } = answer(nfvi, message);
          post(type, body);
          break;
        }
      }
    } catch (error) {
      if (message.type === 'load') {
        const reason = humanLoadMessage(error instanceof Error ? error.message : String(error));
        fail('load', `could not load ${message.name}: ${reason}`, { loadId: message.id ?? null });
      } else {
        fail(message.type, error);
      }
    }
  }

  self.onmessage = (event) => {
    if (running || nfvi === null) pending.push(event.data); // picked up between chunks, or once loaded
    else handle(event.data);
  };

  createNfviModule().then(async (module) => {
    try {
      if (view.prepare) await view.prepare();
    } catch (error) {
      fail('loading the data', error);
      return;
    }
    nfvi = module;
    post('ready', view.ready ? view.ready(nfvi) : {});
    handlePending();
  }, (error) => fail('loading the WebAssembly module', error));
}
