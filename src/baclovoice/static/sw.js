/* baclovoice service worker: articles saved for offline listening (our own code, no build step).
 *
 * One Cache Storage cache per saved article, named "bv-article:<slug>:<version>", holds whole
 * files: the player page, the library page, static assets, every section's MP3 and captions.
 * A copy counts as saved only once its record (the article's file list, under LIST?saved=1)
 * is written last, so a save that fails half way leaves nothing behind and an older
 * complete copy stays until the new one is complete.
 *
 * Requests: pages go to the network first and fall back to a saved copy; everything else
 * saved is answered from the cache (the URLs carry content hashes), with the audio
 * element's Range requests sliced from the whole file and answered 206.
 */
'use strict';

const PREFIX = 'bv-article:';
const RECORD = '?saved=1';

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET' || new URL(request.url).origin !== self.location.origin) return;
  event.respondWith(answer(request));
});

self.addEventListener('message', (event) => {
  const { op, slug, list } = event.data || {};
  const reply = (message) => event.source && event.source.postMessage({ slug, ...message });
  if (op === 'save') event.waitUntil(save(slug, list, reply));
  if (op === 'remove') event.waitUntil(remove(slug).then(() => reply({ op: 'removed' })));
});

async function answer(request) {
  if (request.mode === 'navigate') {
    try {
      return await fetch(request);
    } catch (error) {
      return (await caches.match(request, { ignoreSearch: true })) || offlinePage(request);
    }
  }
  const saved = await caches.match(request.url);
  if (!saved) return fetch(request);
  const range = request.headers.get('range');
  return range ? slice(saved, range) : saved;
}

/* A byte range of a saved file, as the server would answer it (RFC 9110, one range). */
async function slice(response, range) {
  const blob = await response.blob();
  const size = blob.size;
  const match = /^bytes=(\d*)-(\d*)$/.exec(range.trim());
  if (!match || (match[1] === '' && match[2] === '')) {
    return new Response(blob, { status: 200, headers: response.headers });
  }
  let start;
  let end = size - 1;
  if (match[1] === '') {
    start = Math.max(0, size - Number(match[2]));
  } else {
    start = Number(match[1]);
    if (match[2] !== '') end = Math.min(end, Number(match[2]));
  }
  if (start >= size || start > end) {
    return new Response(null, {
      status: 416,
      statusText: 'Range Not Satisfiable',
      headers: { 'Content-Range': `bytes */${size}` },
    });
  }
  const headers = new Headers(response.headers);
  headers.set('Content-Range', `bytes ${start}-${end}/${size}`);
  headers.set('Content-Length', String(end - start + 1));
  headers.set('Accept-Ranges', 'bytes');
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    statusText: 'Partial Content',
    headers,
  });
}

async function save(slug, listUrl, reply) {
  const family = `${PREFIX}${slug}:`;
  let name = '';
  try {
    const listed = await fetch(listUrl, { cache: 'no-store' });
    if (!listed.ok) throw new Error(`the list of files answered HTTP ${listed.status}`);
    const list = await listed.json();
    name = family + list.version;
    const cache = await caches.open(name);
    if (await cache.match(listUrl + RECORD)) {
      reply({ op: 'saved' });
      return;
    }
    let bytes = 0;
    for (const [index, file] of list.files.entries()) {
      const response = await fetch(file.url, { cache: 'no-cache' });
      if (response.status !== 200) throw new Error(`${file.url} answered HTTP ${response.status}`);
      const blob = await response.blob();
      if (file.bytes !== null && blob.size !== file.bytes) {
        throw new Error(`${file.url} arrived incomplete (${blob.size} of ${file.bytes} bytes)`);
      }
      await cache.put(file.url, new Response(blob, { status: 200, headers: response.headers }));
      bytes += blob.size;
      reply({ op: 'progress', done: index + 1, total: list.files.length, bytes });
    }
    const record = { ...list, files: list.files.length, bytes, saved: Date.now() };
    await cache.put(
      listUrl + RECORD,
      new Response(JSON.stringify(record), { headers: { 'Content-Type': 'application/json' } }),
    );
    for (const key of await caches.keys()) {
      if (key.startsWith(family) && key !== name) await caches.delete(key);
    }
    reply({ op: 'saved' });
  } catch (error) {
    if (name) await caches.delete(name);
    reply({ op: 'failed', error: String((error && error.message) || error) });
  }
}

async function remove(slug) {
  for (const key of await caches.keys()) {
    if (key.startsWith(`${PREFIX}${slug}:`)) await caches.delete(key);
  }
}

/* Saved articles' records, for the page shown offline when the one asked for is not saved. */
async function records() {
  const found = [];
  for (const key of await caches.keys()) {
    if (!key.startsWith(PREFIX)) continue;
    const cache = await caches.open(key);
    for (const request of await cache.keys()) {
      if (request.url.endsWith(RECORD)) found.push(await (await cache.match(request)).json());
    }
  }
  return found;
}

async function offlinePage() {
  const escape = (text) =>
    String(text).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
  const saved = await records();
  const items = saved.map((r) => `<li><a href="${escape(r.page)}">${escape(r.title)}</a></li>`);
  const list = items.length
    ? `<p>Saved for offline listening:</p><ul>${items.join('')}</ul>`
    : '<p>No articles are saved for offline listening in this browser.</p>';
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    '<title>Offline · baclovoice</title></head><body><main>' +
    '<h1>You are offline</h1><p>This page has not been saved for offline listening. ' +
    'Reconnect to open it.</p>' +
    list +
    '</main></body></html>';
  return new Response(html, {
    status: 503,
    headers: {
      'Content-Type': 'text/html; charset=utf-8',
      'Content-Security-Policy': "default-src 'self'; script-src 'none'; object-src 'none'",
      'Cache-Control': 'no-store',
    },
  });
}
