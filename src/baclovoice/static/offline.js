// Offline listening; offline-ui.js loads on demand.
(() => {
  const s = document.currentScript, box = document.getElementById('bv-offline');
  if (!s || !navigator.serviceWorker || !window.caches) return;
  const ui = (a) => import(s.dataset.ui).then((m) => m.start(s, box, a));
  const mine = 'bv-article:' + (box ? box.dataset.slug + ':' : '');
  caches.keys().then((k) => k.some((n) => n.startsWith(mine)) && ui());
  if (box) {
    box.hidden = false;
    box.querySelector('button').onclick = () => ui('save');
  }
})();
