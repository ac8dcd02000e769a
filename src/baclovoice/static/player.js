/* baclovoice: reading preferences on every page; on the player page one audio element plays
 * the article section after section, highlighting the sentence being read. Loaded in <head>
 * without defer so the chosen theme and text size apply before the first paint. Without it
 * the native <audio> players remain. Other scripts use window.baclovoice and "bv:section".
 */
(async () => {
  "use strict";
  const root = document.documentElement;
  const $ = (id) => document.getElementById(id);
  const store = {  // best effort: storage may be blocked
    get(key) { try { return localStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch (e) { /* ignore */ } },
    json(key) { try { return JSON.parse(store.get(key)) || {}; } catch (e) { return {}; } },
  };

  // --- reading preferences ("bv-prefs")
  const prefs = { size: "1", lh: "", theme: "", font: false, hl: true, ...store.json("bv-prefs") };
  function applyPrefs() {
    root.style.setProperty("--bv-size", String(Math.min(4, Math.max(1, Number(prefs.size) || 1))));
    const lh = Math.min(3, Number(prefs.lh) || 0);
    if (lh > 1) root.style.setProperty("--bv-lh", String(lh));
    else root.style.removeProperty("--bv-lh");
    if (["light", "dark", "contrast"].includes(prefs.theme)) root.dataset.theme = prefs.theme;
    else delete root.dataset.theme;
    root.classList.toggle("bv-legible", Boolean(prefs.font));
    root.classList.toggle("bv-hl", Boolean(prefs.hl));
  }
  applyPrefs();

  function bindPrefs() {
    ["size", "lh", "theme", "font", "hl"].forEach((key) => {
      const el = $(`bv-${key}`);
      if (!el) return;
      const box = el.type === "checkbox";
      if (box) el.checked = Boolean(prefs[key]);
      else if (Array.from(el.options).some((o) => o.value === String(prefs[key]))) {
        el.value = String(prefs[key]);
      }
      el.addEventListener("change", () => {
        prefs[key] = box ? el.checked : el.value;
        store.set("bv-prefs", JSON.stringify(prefs));
        applyPrefs();
      });
    });
  }

  function say(message) {
    const status = $("bv-status");
    if (!status) return;
    status.textContent = "";
    setTimeout(() => { status.textContent = message; }, 100);
  }

  // Feed addresses: a Copy button; the read-only text field is the fallback.
  function bindCopy() {
    document.querySelectorAll("[data-copy]").forEach((button) => {
      const field = $(button.dataset.copy);
      button.hidden = false;
      const done = (ok) => say(ok ? "Address copied." : "The address is selected: press Control+C to copy it.");
      button.addEventListener("click", () => {
        field.select();
        const legacy = () => done(document.execCommand("copy"));  // insecure origins
        if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(() => done(true), legacy);
        else legacy();
      });
    });
  }

  // --- time as people read it (mirrors baclovoice.web.formatting)
  const parts = (t) => {
    const s = Math.max(0, Math.round(t || 0));
    return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  };
  const spoken = (t) => parts(t).map((n, i) => (n ? `${n} ${["hour", "minute", "second"][i]}`
    + (n === 1 ? "" : "s") : "")).filter(Boolean).join(" ") || "0 seconds";
  const clock = (t) => {
    const [h, m, s] = parts(t);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  };

  if (document.readyState === "loading") {
    await new Promise((resolve) => document.addEventListener("DOMContentLoaded", resolve));
  }
  bindPrefs();
  bindCopy();

  // --- the player page
  const bar = $("bv-player");
  const sectionEls = Array.from(document.querySelectorAll(".bv-section[data-src]"));
  if (!bar || !sectionEls.length || !window.HTMLAudioElement) return;
  const ui = {};
  ["play", "play-label", "prev", "next", "back", "fwd", "seek", "clock", "speed", "now", "keys",
    "keys-on", "left", "dock", "follow", "tools", "resume", "resume-go", "sleep", "goto",
    "goto-s", "goto-t", "goto-err"].forEach((id) => { ui[id] = $(`bv-${id}`); });
  const icon = ui.play.querySelector("use");
  const info = bar.dataset;  // slug, album, artist, cover
  const sections = sectionEls.map((el) => ({
    el, number: Number(el.dataset.number), title: el.querySelector("h2").textContent,
    src: el.dataset.src, duration: Number(el.dataset.duration),
  }));
  const rest = () => sections.map((_, i) => sections.slice(i + 1).reduce((n, s) => n + s.duration, 0));
  let later = rest();
  const STEP = 15;

  const audio = document.createElement("audio");
  audio.id = "bv-audio";
  audio.preload = "none";
  audio.hidden = true;
  audio.preservesPitch = true;
  if ("webkitPreservesPitch" in audio) audio.webkitPreservesPitch = true;
  bar.append(audio);

  let index = 0;  // selected section
  let loaded = -1;  // section whose file is in the audio element
  let wanted = 0;  // position to apply once the selected file is loaded
  let engaged = false;  // nothing is highlighted until the listener plays or moves
  let current = null;  // the sentence being read
  let following = true;
  let waiting = -1;  // a section chosen while still being narrated: it plays once ready

  // Read-along timings are the spans' data-start (from the manifest): no extra request,
  // and no text-track mode or cue-event quirks that differ between browsers.
  const spans = sections.map(() => []);  // every timed sentence, for the highlight
  const stops = sections.map(() => []);  // those in the sections' text: click and keys
  const where = new Map();  // sentence in the text → {el, i: section, k: index in stops[i], start}
  document.querySelectorAll("span[data-start]").forEach((el) => {
    const i = sections.findIndex((s) => el.id.startsWith(`bv-s${s.number}-`));
    if (i < 0) return;
    const x = { el, i, k: stops[i].length, start: Number(el.dataset.start) };
    spans[i].push(x);
    if (!sections[i].el.contains(el)) return;  // the title and date line are not controls
    el.tabIndex = x.k ? -1 : 0;  // one tab stop per section; arrow keys move within it
    stops[i].push(x);
    where.set(el, x);
  });

  function sync() {
    if (!engaged) return;
    const t = position() + 0.01;
    let hit = spans[index][0];
    spans[index].forEach((x) => { if (x.start <= t && x.start >= hit.start) hit = x; });
    if (!hit || hit.el === current) return;
    if (current) current.removeAttribute("aria-current");
    current = hit.el;
    current.setAttribute("aria-current", "true");
    rove(current);
    if (following) reveal();
  }

  function rove(el) {
    const x = where.get(el);
    if (x) stops[x.i].forEach((y) => { y.el.tabIndex = y.el === el ? 0 : -1; });
  }

  function reveal() {  // only when out of view; instant under reduced motion (see the CSS)
    const box = current.getBoundingClientRect();
    const dock = ui.dock.getBoundingClientRect();
    const top = getComputedStyle(ui.dock).position === "sticky" && dock.top < 1 ? dock.bottom : 0;
    if (box.top < top || box.bottom > innerHeight) current.scrollIntoView({ block: "center" });
  }

  function follow(on) {
    following = on;
    ui.follow.textContent = on ? "Stop following" : "Back to the narration";
    ui.follow.classList.toggle("bv-off", !on);
    if (on && current) reveal();
  }

  // --- state → page
  const duration = () => {
    const d = loaded === index ? audio.duration : NaN;
    return Number.isFinite(d) && d > 0 ? d : sections[index].duration;
  };
  const position = () => (loaded === index && audio.readyState > 0 ? audio.currentTime : wanted);
  const rate = () => Number(ui.speed.value) || 1;

  function showTime(t, userSeek) {
    const d = duration();
    ui.clock.textContent = `${clock(t)} / ${clock(d)}`;
    ui.left.textContent = `Article: ${clock((d - t + later[index]) / rate())} left at ${rate()}×`;
    // A focused slider that changed on its own would chatter in a screen reader.
    if (userSeek || document.activeElement !== ui.seek) {
      ui.seek.max = String(Math.ceil(d));
      ui.seek.value = String(Math.round(t));
      ui.seek.setAttribute("aria-valuetext", `${spoken(t)} of ${spoken(d)}`);
    }
    sync();
    remember(false);
  }

  function showPlaying() {
    const playing = !audio.paused && !audio.ended;
    ui["play-label"].textContent = playing ? "Pause" : "Play";
    icon.setAttribute("href", playing ? "#bv-i-pause" : "#bv-i-play");
    if (session) session.playbackState = playing ? "playing" : "paused";
  }

  function showSection() {
    const s = sections[index];
    ui.now.textContent = `Section ${s.number} of ${sections.length}: ${s.title}`;
    ui.prev.setAttribute("aria-disabled", String(index === 0));
    ui.next.setAttribute("aria-disabled", String(index === sections.length - 1));
    sections.forEach((x, i) => x.el.classList.toggle("bv-current", i === index));
    ui["goto-s"].value = String(index);
    if (session && window.MediaMetadata) {
      session.metadata = new MediaMetadata({
        title: s.title, artist: info.artist || "baclovoice", album: info.album,
        artwork: info.cover ? [{ src: info.cover, type: "image/png" }] : [],
      });
    }
  }

  // --- actions
  function select(i, { time = 0, play = false } = {}) {
    if (i < 0 || i >= sections.length) return;
    const changed = i !== index;
    const keepPlaying = play || (changed && !audio.paused);
    index = i;
    showSection();  // before seeking: the highlight is placed in the final layout
    seek(time);
    if (changed) {
      say(`Section ${sections[i].number} of ${sections.length}: ${sections[i].title}`);
      document.dispatchEvent(new CustomEvent("bv:section", { detail: { index: i, section: sections[i] } }));
      remember(true);
    }
    if (keepPlaying) start();
  }

  function seek(t) {
    const target = Math.min(Math.max(0, t), duration());
    engaged = true;
    if (loaded === index && audio.readyState > 0) audio.currentTime = target;
    else wanted = target;
    showTime(target, true);
    positionState();
  }

  function start() {
    engaged = true;
    if (!sections[index].src) {
      waiting = index;
      say(`Section ${sections[index].number} is still being narrated; it will play when it is ready.`);
      return showPlaying();
    }
    waiting = -1;
    if (loaded !== index) {
      loaded = index;
      audio.src = sections[index].src;
    }
    audio.defaultPlaybackRate = audio.playbackRate = rate();
    const promise = audio.play();
    if (promise) promise.catch((error) => { if (error.name !== "AbortError") showPlaying(); });
  }

  const toggle = () => (audio.paused || audio.ended ? start() : audio.pause());
  const skip = (delta) => seek(position() + delta);
  const setRate = (value) => {
    ui.speed.value = String(value);
    audio.defaultPlaybackRate = audio.playbackRate = value;
    store.set("bv-rate", String(value));
    showTime(position(), false);
    positionState();
  };
  const stepRate = (delta) => {
    const option = ui.speed.options[ui.speed.selectedIndex + delta];
    if (option) setRate(Number(option.value));
  };
  const enabled = (button) => button.getAttribute("aria-disabled") !== "true";
  const previous = () => { if (enabled(ui.prev)) select(index - 1); };
  const next = () => { if (enabled(ui.next)) select(index + 1); };
  const listen = (i, time) => {  // the listener chose a place: follow it again
    follow(true);
    select(i, { time, play: true });
  };

  // --- Media Session: lock screen, headset and media keys
  const session = navigator.mediaSession;
  function positionState() {
    const d = duration();
    try { session.setPositionState({ duration: d, playbackRate: rate(), position: Math.min(position(), d) }); }
    catch (e) { /* no Media Session */ }
  }
  const actions = {
    play: start, pause: () => audio.pause(), nexttrack: next, seekto: (d) => seek(d.seekTime),
    previoustrack: () => (index ? previous() : seek(0)),
    seekbackward: (d) => skip(-(d.seekOffset || STEP)), seekforward: (d) => skip(d.seekOffset || STEP),
  };
  Object.entries(session ? actions : {}).forEach(([name, handler]) => {
    try { session.setActionHandler(name, handler); } catch (e) { /* unsupported action */ }
  });

  // --- resume: the position per article ("bv-resume:<slug>")
  const KEY = `bv-resume:${info.slug}`;
  let savedAt = -1;
  function remember(now) {
    const t = Math.floor(position());
    if (!engaged || (!now && Math.abs(t - savedAt) < 5)) return;
    savedAt = t;
    store.set(KEY, JSON.stringify({ i: index, t }));
  }
  const saved = store.json(KEY);
  if (sections[saved.i] && saved.t >= 0 && (saved.i > 0 || saved.t >= 5)) {
    ui["resume-go"].textContent = `Resume section ${sections[saved.i].number} at ${clock(saved.t)}`;
    ui["resume-go"].addEventListener("click", () => listen(Number(saved.i), saved.t));
    ui.resume.hidden = false;
  }

  // --- audio events
  audio.addEventListener("loadedmetadata", () => {
    if (wanted > 0) audio.currentTime = Math.min(wanted, audio.duration || wanted);
    wanted = 0;
    showTime(audio.currentTime, false);
    positionState();
  });
  audio.addEventListener("timeupdate", () => showTime(audio.currentTime, false));
  ["play", "pause", "playing", "emptied"].forEach((type) => audio.addEventListener(type, showPlaying));
  audio.addEventListener("pause", () => remember(true));
  audio.addEventListener("play", () => {
    if (ui.resume.contains(document.activeElement)) ui.play.focus();  // keep focus visible
    ui.resume.hidden = true;
    const tick = () => {  // sentences change between the browser's timeupdate events
      sync();
      if (!audio.paused) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  audio.addEventListener("ended", () => {
    const last = index === sections.length - 1;
    if (ui.sleep.value === "end") {
      ui.sleep.value = "";
      if (!last) select(index + 1);
      say("Sleep timer: paused at the end of the section.");
    } else if (!last) select(index + 1, { play: true });
    if (last) store.set(KEY, "{}");
    showPlaying();
  });
  audio.addEventListener("error", () => {
    showPlaying();
    say(`Section ${sections[index].number} could not be loaded. Its download link may still work.`);
  });

  // --- controls
  const on = (el, type, handler) => el.addEventListener(type, handler);
  on(ui.play, "click", toggle);
  on(ui.prev, "click", previous);
  on(ui.next, "click", next);
  on(ui.back, "click", () => skip(-STEP));
  on(ui.fwd, "click", () => skip(STEP));
  on(ui.seek, "input", () => seek(Number(ui.seek.value)));
  on(ui.seek, "focus", () => showTime(position(), true));
  on(ui.speed, "change", () => setRate(Number(ui.speed.value)));
  on(ui["keys-on"], "change", () => store.set("bv-keys", ui["keys-on"].checked ? "on" : "off"));
  on(ui.follow, "click", () => follow(!following));

  let sleepTimer = 0;
  on(ui.sleep, "change", () => {
    clearTimeout(sleepTimer);
    const minutes = Number(ui.sleep.value);
    if (minutes) {
      sleepTimer = setTimeout(() => {
        audio.pause();
        ui.sleep.value = "";
        say("Sleep timer: playback paused.");
      }, minutes * 60000);
    }
  });

  sections.forEach((s, i) => ui["goto-s"].add(new Option(`${s.number}. ${s.title}`, String(i))));
  on(ui.goto, "submit", (event) => {
    event.preventDefault();
    const field = ui["goto-t"];
    const t = field.value.trim().split(":")
      .reduce((sum, p) => sum * 60 + (/^\d+$/.test(p) ? Number(p) : NaN), 0);
    const bad = !Number.isFinite(t);
    field.setAttribute("aria-invalid", String(bad));
    ui["goto-err"].hidden = !bad;
    if (bad) {
      field.focus();
      return say(ui["goto-err"].textContent);
    }
    select(Number(ui["goto-s"].value), { time: t });
    say(`Section ${sections[index].number} at ${clock(position())}.`);
  });

  const shortcuts = {
    k: toggle, j: () => skip(-STEP), l: () => skip(STEP),
    p: previous, n: next, "[": () => stepRate(-1), "]": () => stepRate(1),
  };
  on(bar, "keydown", (event) => {
    if (!ui["keys-on"].checked || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof HTMLSelectElement) return;  // letters pick options there
    const action = shortcuts[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    action();
  });

  // Listen from any sentence: click it, or Enter/Space on it (arrows move between them).
  on(document, "click", (event) => {
    const x = event.target instanceof Element && where.get(event.target.closest("span[data-start]"));
    if (x && getSelection().isCollapsed) listen(x.i, x.start);
  });
  const MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  on(document, "keydown", (event) => {
    const x = where.get(event.target);
    if (!x || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const list = stops[x.i];
    const k = event.key in MOVES ? x.k + MOVES[event.key] : { Home: 0, End: list.length - 1 }[event.key];
    if (event.key === "Enter" || event.key === " ") listen(x.i, x.start);
    else if (k === undefined) return;
    else {
      const to = list[Math.max(0, Math.min(k, list.length - 1))].el;
      rove(to);
      to.focus();
    }
    event.preventDefault();
  });
  // Scrolling or moving focus away while the narration plays stops following until asked back.
  const away = () => { if (following && !audio.paused) follow(false); };
  on(window, "wheel", away);
  on(window, "touchmove", away);
  on(document, "focusin", (event) => { if (!where.has(event.target) && !ui.dock.contains(event.target)) away(); });
  on(document, "keydown", (event) => {
    const page = event.target === document.body || event.target === $("bv-main");
    if (page && /^(Page|Arrow(Up|Down)$| $|Home|End)/.test(event.key)) away();
  });
  on(window, "pagehide", () => remember(true));

  document.querySelectorAll(".bv-here").forEach((button) => {
    const i = sections.findIndex((s) => String(s.number) === button.dataset.number);
    on(button, "click", () => listen(i, 0));
    button.hidden = false;
  });

  // --- take over from the native players
  document.querySelectorAll("audio.bv-native").forEach((native) => {
    native.pause();
    native.hidden = true;
  });
  const savedRate = Number(store.get("bv-rate"));
  if (Array.from(ui.speed.options).some((o) => Number(o.value) === savedRate)) setRate(savedRate);
  ui["keys-on"].checked = store.get("bv-keys") !== "off";
  [bar, ui.keys, ui.tools, ui.follow].forEach((el) => { el.hidden = false; });
  root.classList.add("bv-js");
  // The bar stays in view only while it leaves most of the screen to the text.
  const measure = () => {
    const tall = ui.dock.offsetHeight > innerHeight * 0.4;
    ui.dock.classList.toggle("bv-tall", tall);
    root.style.setProperty("--bv-bar-h", `${tall ? 0 : ui.dock.offsetHeight + 16}px`);
  };
  if (window.ResizeObserver) new ResizeObserver(measure).observe(ui.dock);
  on(window, "resize", measure);
  showSection();
  showTime(0, true);
  showPlaying();

  // building.js: a section narrated while the page is open brings its audio and timings.
  function refresh() {
    sections.forEach((s) => { s.src = s.el.dataset.src; s.duration = Number(s.el.dataset.duration); });
    spans.flat().forEach((x) => { x.start = Number(x.el.dataset.start); });
    later = rest();
    showSection();
    showTime(position(), false);
    if (waiting === index && sections[index].src) start();
  }

  window.baclovoice = Object.freeze({
    audio, sections, select, seek, play: start, pause: () => audio.pause(), refresh,
    get index() { return index; },
  });
})();
