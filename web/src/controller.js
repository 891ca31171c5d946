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
    document.getElementById(`tab-${key}`).setAttribute('aria-selected', String(key === name));
  }
  views[name].show();
}

for (const [name, view] of Object.entries(views)) {
  document.getElementById(`tab-${name}`).addEventListener('click', () => {
    if (current === name) return;
    views[current].hash = window.location.hash; // coming back restores the view's own settings
    window.location.hash = view.hash;
  });
}
window.addEventListener('hashchange', route);
route();
