/* Offline listening, loaded by offline.js only when a listener saves or something is saved:
   the player page's status, "Remove" and progress, and the library's saved marks.
   The saving itself happens in the service worker (sw.js), which goes on if the page closes. */

const PREFIX = 'bv-article:';
const RECORD = '?saved=1';
let started = null;

const size = (n) => (n < 1e6 ? `${Math.round(n / 1e3)} kB` : `${(n / 1e6).toFixed(1)} MB`);
const when = (t) => new Date(t).toLocaleString(undefined, { dateStyle: 'long', timeStyle: 'short' });

/* The records of complete saved copies, by slug. */
async function saved() {
  const found = {};
  for (const key of await caches.keys()) {
    if (!key.startsWith(PREFIX)) continue;
    const cache = await caches.open(key);
    for (const request of await cache.keys()) {
      if (request.url.endsWith(RECORD)) {
        const record = await (await cache.match(request)).json();
        found[record.slug] = record;
      }
    }
  }
  return found;
}

async function markLibrary() {
  for (const record of Object.values(await saved())) {
    for (const link of document.querySelectorAll(`main a[href="${CSS.escape(record.page)}"]`)) {
      if (link.querySelector('.bv-saved')) continue;
      const mark = document.createElement('span');
      mark.className = 'bv-saved';
      mark.textContent = ' (saved for offline listening)';
      link.append(mark);
    }
  }
}

/* The player page's controls: the page has the heading, the status line and Save. */
function player(script, box) {
  const { slug, list } = box.dataset;
  // The article as built now, to tell an older saved copy (null offline: nothing to compare).
  const latest = fetch(list, { cache: 'no-store' })
    .then((response) => response.json())
    .then((listing) => listing.version)
    .catch(() => null);
  const saveButton = box.querySelector('button');
  const status = box.querySelector('p');
  const removeButton = document.createElement('button');
  removeButton.type = 'button';
  removeButton.className = saveButton.className;
  removeButton.textContent = 'Remove the offline copy';
  removeButton.hidden = true;
  saveButton.after(' ', removeButton);
  const bar = document.createElement('progress');
  bar.hidden = true;
  bar.setAttribute('aria-label', 'Saving for offline listening');
  status.before(bar);
  /* Changes are announced through the page's one polite live region, when it has one. */
  const live = document.getElementById('bv-status');
  if (!live) status.setAttribute('role', 'status');
  const announce = (text) => {
    if (live) live.textContent = text;
  };
  let busy = false;

  function show(state, record) {
    const had = document.activeElement;
    busy = state === 'saving';
    saveButton.setAttribute('aria-disabled', String(busy));
    bar.hidden = !busy;
    saveButton.hidden = state === 'saved';
    removeButton.hidden = !record || busy;
    saveButton.textContent =
      state === 'outdated' ? 'Update the offline copy' : 'Save for offline listening';
    if (had === saveButton && saveButton.hidden) removeButton.focus();
    if (had === removeButton && removeButton.hidden) saveButton.focus();
  }

  async function refresh(message = '') {
    const record = (await saved())[slug];
    const version = await latest;
    if (busy && !message) return; // a save started meanwhile: its outcome will tell
    let text = message;
    if (!record) {
      show('none');
    } else if (version && record.version !== version) {
      show('outdated', record);
      text += ' The offline copy is of an earlier version of this article; update it to listen to this one.';
    } else {
      show('saved', record);
      text += ` Saved for offline listening on ${when(record.saved)}: ${record.sections} sections, ${size(record.bytes)} in this browser.`;
    }
    status.textContent = text.trim();
    if (message) announce(status.textContent);
  }

  async function worker() {
    await navigator.serviceWorker.register(script.dataset.sw); // its scope: the whole site
    return (await navigator.serviceWorker.ready).active;
  }

  navigator.serviceWorker.onmessage = (event) => {
    const message = event.data || {};
    if (message.slug !== slug) return;
    if (message.op === 'progress') {
      bar.max = message.total;
      bar.value = message.done;
      bar.setAttribute('aria-valuetext', `${message.done} of ${message.total} files, ${size(message.bytes)}`);
    } else if (message.op === 'saved') {
      refresh('Saved.');
    } else if (message.op === 'removed') {
      refresh('The offline copy was removed.');
    } else if (message.op === 'failed') {
      refresh(`Could not save for offline listening: ${message.error}. Check the connection and try again.`);
    }
  };

  removeButton.addEventListener('click', async () => {
    (await worker()).postMessage({ op: 'remove', slug });
  });

  async function save() {
    if (busy) return;
    show('saving', null);
    status.textContent = 'Saving for offline listening…';
    announce(status.textContent);
    try {
      (await worker()).postMessage({ op: 'save', slug, list });
    } catch (error) {
      refresh(`This browser cannot save pages for offline listening here (${error.message}).`);
    }
  }

  refresh();
  return { save };
}

/* Called by offline.js, once or more: set up once; "save" when the listener asked to. */
export function start(script, box, action) {
  if (!started) started = box ? player(script, box) : (markLibrary(), {});
  if (action === 'save' && started.save) started.save();
}
