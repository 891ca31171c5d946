// The page's controller: shows the view the URL hash names (the flow view by
// default, "#view=conditional&..." or "#view=vae&..."), and switches views on the tabs.
import { hideConditionalView, showConditionalView } from './conditional_view.js';
import { hideFlowView, showFlowView } from './flow_view.js';
import { viewFromHash } from './model.js';
import { hideVaeView, showVaeView } from './vae_view.js';

const views = {
  flow: { show: showFlowView, hide: hideFlowView, hash: '#energy=U1&flow=planar%3A50&samples=1000&lr=0.002&seed=1' },
  conditional: { show: showConditionalView, hide: hideConditionalView, hash: '#view=conditional' },
  vae: { show: showVaeView, hide: hideVaeView, hash: '#view=vae' },
};
let current = null;

function route() {
  const name = viewFromHash(window.location.hash);
  if (current !== null && current !== name) views[current].hide();
  current = name;
  for (const [key] of Object.entries(views)) {
    document.getElementById(`${key}-view`).hidden = key !== name;
    const tab = document.getElementById(`tab-${key}`);
    tab.setAttribute('aria-selected', String(key === name));
    tab.tabIndex = key === name ? 0 : -1;
  }
  views[name].show();
}

function select(name) {
  if (current === name) return;
  views[current].hash = window.location.hash; // coming back restores the view's own settings
  window.location.hash = views[name].hash;
}

// The tabs are a tablist: one tab in the tab order (the selected one), the
// arrow keys (and Home, End) move to the next tab and show its view.
const names = Object.keys(views);
for (const [index, name] of names.entries()) {
  const tab = document.getElementById(`tab-${name}`);
  tab.addEventListener('click', () => select(name));
  tab.addEventListener('keydown', (event) => {
    const moves = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: names.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = names[(moves[event.key] + names.length) % names.length];
    document.getElementById(`tab-${next}`).focus();
    select(next);
  });
}
window.addEventListener('hashchange', route);
route();
