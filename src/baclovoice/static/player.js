/* baclovoice: reading preferences on every page, before the first paint (no defer); on the player
 * page, one audio element plays the sections and highlights the sentence read. */
(async () => {
  "use strict";
  const root = document.documentElement;
  const $ = (id) => document.getElementById(id);
  const on = (el, type, handler) => el.addEventListener(type, handler);
  const attr = (el, name, value) => el.setAttribute(name, value);
  const store = {  // storage may be blocked
    get(key) { try { return localStorage.getItem(key); } catch { return null; } },
    set(key, value) { try { localStorage.setItem(key, value); } catch { /* ignore */ } },
    json(key) { try { return JSON.parse(store.get(key)) || {}; } catch { return {}; } },
  };
  let current = null;  // the sentence being read
  let following = true;

  // --- reading preferences ("bv-prefs")
  const prefs = { size: "1", lh: "", theme: "", font: false, hl: true, hls: "", hlw: "", ...store.json("bv-prefs") };
  const css = (name, value) => (value ? root.style.setProperty(name, value) : root.style.removeProperty(name));
  const one = (value, choices) => (choices.includes(value) ? value : "");
  function applyPrefs() {
    css("--bv-size", String(Math.min(4, Math.max(1, Number(prefs.size) || 1))));
    css("--bv-lh", Number(prefs.lh) > 1 ? String(Math.min(3, prefs.lh)) : "");
    css("--bv-hlw", one(prefs.hlw, ["2", "3"]));
    root.dataset.hls = one(prefs.hls, ["fill", "under"]);
    root.dataset.theme = one(prefs.theme, ["light", "dark", "contrast"]);
    if (!root.dataset.theme) delete root.dataset.theme;
    root.classList.toggle("bv-legible", Boolean(prefs.font));
    root.classList.toggle("bv-hl", Boolean(prefs.hl));
  }
  applyPrefs();

  function say(message) {
    const status = $("bv-status");
    if (!status) return;
    status.textContent = "";
    setTimeout(() => { status.textContent = message; }, 100);
  }

  // --- time as people read it (as baclovoice.web.formatting)
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

  if (document.readyState === "loading") await new Promise((resolve) => on(document, "DOMContentLoaded", resolve));
  Object.keys(prefs).forEach((key) => {
    const el = $(`bv-${key}`);
    if (!el) return;
    const box = el.type === "checkbox";
    if (box) el.checked = Boolean(prefs[key]);
    else if ([...el.options].some((o) => o.value === String(prefs[key]))) el.value = prefs[key];
    on(el, "change", () => {
      prefs[key] = box ? el.checked : el.value;
      store.set("bv-prefs", JSON.stringify(prefs));
      applyPrefs();
      if (current && following) reveal();  // the text moved
    });
  });
  if ($("bv-prefs")) $("bv-prefs").hidden = false;

  // Feed addresses: a Copy button; the read-only field is the fallback.
  document.querySelectorAll("[data-copy]").forEach((button) => {
    const field = $(button.dataset.copy);
    const done = (ok) => say(ok ? "Address copied." : "The address is selected: press Control+C to copy it.");
    button.hidden = false;
    on(button, "click", () => {
      field.select();
      const legacy = () => done(document.execCommand("copy"));  // insecure origins
      if (navigator.clipboard) navigator.clipboard.writeText(field.value).then(() => done(true), legacy);
      else legacy();
    });
  });

  // --- the player page
  const bar = $("bv-player");
  const sectionEls = [...document.querySelectorAll(".bv-section[data-number]")];
  if (!bar || !sectionEls.length) return;
  const ui = {};
  ("play play-label prev next back fwd seek clock speed vol now keys keys-on left mini tools resume "
    + "resume-go sleep goto goto-s goto-t goto-err find find-q find-n find-r").split(" ")
    .forEach((id) => { ui[id] = $(`bv-${id}`); });
  // Buttons that need this script: an icon, a name, maybe a visible label.
  const button = (name, icon, label = "", id = "") => {
    const b = document.createElement("button");
    b.type = "button";
    b.className = "bv-btn";
    b.innerHTML = `<svg viewBox="0 0 24 24" aria-hidden="true"><use href="#bv-i-${icon}"/></svg>${label}`;
    if (id) ui[id] = Object.assign(b, { id: `bv-${id}` });
    if (name) attr(b, "aria-label", name);
    return b;
  };
  const short = (label) => `<span class="bv-t">${label}</span>`;  // where there is room
  ui.mini.append(button("Play", "play", "", "m-play"), button("Back 15 seconds", "back", "", "m-back"),
    button("Previous sentence", "up", "", "prev-s"), button("Next sentence", "down", "", "next-s"),
    button("Follow the narration", "follow", short("Follow"), "follow"),
    button("Show the player", "bar", short("Player"), "show"));
  ui["m-play"].classList.add("bv-primary");
  const info = bar.dataset;  // slug, album, artist, cover
  // A section still being narrated has no audio yet (building.js brings it).
  const audioSrc = (el) => el.querySelector("audio")?.getAttribute("src") || "";
  const sections = sectionEls.map((el) => ({
    el, number: +el.dataset.number, title: el.querySelector("h2").textContent,
    src: audioSrc(el), duration: +el.dataset.duration,
  }));
  const rest = () => sections.map((_, i) => sections.slice(i + 1).reduce((n, s) => n + s.duration, 0));
  let later = rest();
  const STEP = 15;

  const audio = document.createElement("audio");
  Object.assign(audio, { id: "bv-audio", preload: "none", hidden: true, preservesPitch: true });
  audio.webkitPreservesPitch = true;  // Safari before 17
  bar.append(audio);
  let index = 0;  // selected section
  let loaded = -1;  // section whose file is in the audio element
  let wanted = 0;  // position to apply once the selected file is loaded
  // The file's metadata handled (wanted applied): only then is currentTime the position. A
  // frame can come between readyState 1 and loadedmetadata, with currentTime still 0.
  let landed = false;
  let engaged = false;  // nothing is highlighted until the listener plays or moves
  let waiting = -1;  // a section chosen while still being narrated: it plays once ready

  // Sentences: timed by data-start; in the sections, one tab stop each, a button.
  const spans = sections.map(() => []);  // every timed sentence, by section
  const stops = sections.map(() => []);  // those in the text
  const where = new Map();  // sentence → {el, i: section, k: index in stops[i], start}
  document.querySelectorAll("span[data-start]").forEach((el) => {
    const i = sections.findIndex((s) => el.id.startsWith(`bv-s${s.number}-`));
    if (i < 0) return;
    const x = { el, i, k: stops[i].length, start: +el.dataset.start };
    spans[i].push(x);
    if (!sections[i].el.contains(el)) return;  // not the title and date
    attr(el, "aria-describedby", "bv-keys-text");
    stops[i].push(x);
    where.set(el, x);
  });
  const flat = spans.flat();
  function rove(el) {
    const x = where.get(el);
    if (x) stops[x.i].forEach(({ el: y }) => {
      y.tabIndex = y === el ? 0 : -1;
      if (y === el) attr(y, "role", "button");
      else y.removeAttribute("role");
    });
  }
  stops.forEach((list) => list[0] && rove(list[0].el));

  function sync() {
    if (!engaged) return;
    const t = position() + 0.01;
    let hit = spans[index][0];
    spans[index].forEach((x) => { if (x.start <= t && x.start >= hit.start) hit = x; });
    if (!hit || hit.el === current) return;
    if (current) current.removeAttribute("aria-current");
    current = hit.el;
    attr(current, "aria-current", "true");
    if (!where.has(document.activeElement)) rove(current);
    if (following) reveal();
  }

  // Show the sentence above the mini player, unless that would scroll away the element with
  // keyboard focus: then following waits (it stays on).
  function reveal() {
    const box = current.getBoundingClientRect();
    const bottom = innerHeight - ui.mini.offsetHeight;
    if (box.top >= 0 && box.bottom <= bottom) return;
    const delta = Math.round(box.top - Math.max(0, (bottom - box.height) / 3));
    const focus = document.activeElement;
    if (focus !== current && focus.matches(":focus-visible") && !ui.mini.contains(focus)) {
      const f = focus.getBoundingClientRect();
      if (f.bottom > 0 && f.top < bottom && (f.top < delta || f.bottom - delta > bottom)) return;
    }
    // Smooth (unless reduced motion: see the CSS), but not over long distances.
    scrollBy({ top: delta, behavior: Math.abs(delta) > innerHeight ? "instant" : "auto" });
  }

  function follow(yes, show = true) {
    if (!yes && following) say("Stopped following.");
    following = yes;
    attr(ui.follow, "aria-pressed", yes);
    if (yes && show && current) reveal();
  }

  // --- state → page
  const duration = () => {
    const d = loaded === index ? audio.duration : NaN;
    return Number.isFinite(d) && d > 0 ? d : sections[index].duration;
  };
  const live = () => loaded === index && landed;
  const position = () => (live() ? audio.currentTime : wanted);
  const rate = () => +ui.speed.value || 1;

  function showTime(t) {  // the slider moves even when focused
    const d = duration();
    ui.clock.textContent = `${clock(t)} / ${clock(d)}`;
    ui.left.textContent = `Article: ${clock((d - t + later[index]) / rate())} left at ${rate()}×`;
    ui.seek.max = Math.ceil(d);
    ui.seek.value = Math.floor(t);
    attr(ui.seek, "aria-valuetext", `${spoken(t)} of ${spoken(d)}`);
    sync();
    remember(false);
  }

  function showPlaying() {
    const label = audio.paused || audio.ended ? "Play" : "Pause";
    ui["play-label"].textContent = label;
    attr(ui["m-play"], "aria-label", label);
    [ui.play, ui["m-play"]].forEach((b) => attr(b.querySelector("use"), "href", `#bv-i-${label.toLowerCase()}`));
    if (session) session.playbackState = label === "Play" ? "paused" : "playing";
  }

  function showSection() {
    const s = sections[index];
    ui.now.textContent = `Section ${s.number} of ${sections.length}: ${s.title}`;
    attr(ui.prev, "aria-disabled", index === 0);
    attr(ui.next, "aria-disabled", index === sections.length - 1);
    sections.forEach((x, i) => x.el.classList.toggle("bv-current", i === index));
    ui["goto-s"].value = index;
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
    showSection();  // before seeking: the highlight goes into the final layout
    seek(time);
    if (changed) {
      say(ui.now.textContent);
      document.dispatchEvent(new CustomEvent("bv:section", { detail: { index: i, section: sections[i] } }));
      remember(true);
    }
    if (keepPlaying) start();
  }

  function seek(t) {
    const target = Math.min(Math.max(0, t), duration());
    engaged = true;
    if (live()) audio.currentTime = target;
    else wanted = target;
    showTime(target);
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
      landed = false;
      audio.src = sections[loaded = index].src;
    }
    audio.defaultPlaybackRate = audio.playbackRate = rate();
    audio.play().catch((error) => { if (error.name !== "AbortError") showPlaying(); });
  }

  const toggle = () => (audio.paused || audio.ended ? start() : audio.pause());
  const skip = (delta) => seek(position() + delta);
  const setRate = (value) => {
    store.set("bv-rate", ui.speed.value = audio.defaultPlaybackRate = audio.playbackRate = value);
    showTime(position());
    positionState();
  };
  const stepRate = (delta) => {
    const option = ui.speed.options[ui.speed.selectedIndex + delta];
    if (option) setRate(+option.value);
  };
  const setVolume = (value) => {
    audio.volume = value / 100;
    store.set("bv-vol", ui.vol.value = value);
    attr(ui.vol, "aria-valuetext", `${value} %`);
  };
  const enabled = (button) => button.getAttribute("aria-disabled") !== "true";
  const previous = () => { if (enabled(ui.prev)) select(index - 1); };
  const next = () => { if (enabled(ui.next)) select(index + 1); };
  const listen = (i, time) => {  // a place was chosen: follow from there
    follow(true, false);
    select(i, { time, play: true });
  };
  // Previous: back to the start of this sentence, or of the one before if just begun.
  function sentence(delta) {
    engaged = true;
    sync();
    let k = flat.findIndex((x) => x.el === current);
    if (delta < 0 && k >= 0 && position() - flat[k].start > 1.5) delta = 0;
    k = Math.min(Math.max(0, k + delta), flat.length - 1);
    follow(true, false);
    select(flat[k].i, { time: flat[k].start });
  }

  // --- Media Session: lock screen, headset and media keys
  const session = navigator.mediaSession;
  function positionState() {
    const d = duration();
    try { session.setPositionState({ duration: d, playbackRate: rate(), position: Math.min(position(), d) }); }
    catch { /* no Media Session */ }
  }
  const actions = {
    play: start, pause: () => audio.pause(), nexttrack: next, seekto: (d) => seek(d.seekTime),
    previoustrack: () => (index ? previous() : seek(0)),
    seekbackward: (d) => skip(-(d.seekOffset || STEP)), seekforward: (d) => skip(d.seekOffset || STEP),
  };
  Object.entries(session ? actions : {}).forEach(([name, handler]) => {
    try { session.setActionHandler(name, handler); } catch { /* unsupported action */ }
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
    on(ui["resume-go"], "click", () => listen(Number(saved.i), saved.t));
    ui.resume.hidden = false;
  }

  // --- audio events
  on(audio, "loadedmetadata", () => {
    if (wanted > 0) audio.currentTime = Math.min(wanted, audio.duration || wanted);
    wanted = 0;
    landed = true;
    showTime(audio.currentTime);
    positionState();
  });
  on(audio, "timeupdate", () => showTime(audio.currentTime));
  ["play", "pause", "playing", "emptied"].forEach((type) => on(audio, type, showPlaying));
  on(audio, "pause", () => remember(true));
  on(audio, "play", () => {
    if (ui.resume.contains(document.activeElement)) ui.play.focus();  // not lost
    ui.resume.hidden = true;
    const tick = () => {  // sentences change between timeupdate events
      sync();
      if (!audio.paused) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  });
  on(audio, "ended", () => {
    const last = index === sections.length - 1;
    if (ui.sleep.value === "end") {
      ui.sleep.value = "";
      if (!last) select(index + 1);
      say("Sleep timer: paused at the end of the section.");
    } else if (last) {
      store.set(KEY, "{}");
      say("End of the article.");
    } else select(index + 1, { play: true });
    showPlaying();
  });
  on(audio, "error", () => {
    showPlaying();
    say(`Section ${sections[index].number} could not be loaded. Its download link may still work.`);
  });

  // --- controls
  const clicks = {
    play: toggle, "m-play": toggle, prev: previous, next, back: () => skip(-STEP), "m-back": () => skip(-STEP),
    fwd: () => skip(STEP), "prev-s": () => sentence(-1), "next-s": () => sentence(1),
    follow: () => follow(!following), show: () => ui.play.focus(),
  };
  Object.entries(clicks).forEach(([id, handler]) => on(ui[id], "click", handler));
  on(ui.seek, "input", () => seek(+ui.seek.value));
  on(ui.seek, "keydown", () => { ui.seek.value = Math.floor(position()); });  // step from now
  on(ui.speed, "change", () => setRate(+ui.speed.value));
  on(ui.vol, "input", () => setVolume(+ui.vol.value));
  on(ui["keys-on"], "change", () => store.set("bv-keys", ui["keys-on"].checked ? "on" : "off"));

  let sleepTimer = 0;
  on(ui.sleep, "change", () => {
    clearTimeout(sleepTimer);
    const minutes = +ui.sleep.value;
    if (minutes) {
      sleepTimer = setTimeout(() => {
        audio.pause();
        ui.sleep.value = "";
        say("Sleep timer: playback paused.");
      }, minutes * 60000);
    }
  });

  sections.forEach((s, i) => ui["goto-s"].add(new Option(`${s.number}. ${s.title}`, i)));
  on(ui.goto, "submit", (event) => {
    event.preventDefault();
    const field = ui["goto-t"];
    const t = field.value.trim().split(":")
      .reduce((sum, p) => sum * 60 + (/^\d+$/.test(p) ? Number(p) : NaN), 0);
    const bad = !Number.isFinite(t);
    attr(field, "aria-invalid", bad);
    ui["goto-err"].hidden = !bad;
    if (bad) {
      field.focus();
      return say(ui["goto-err"].textContent);
    }
    select(+ui["goto-s"].value, { time: t });
    say(`Section ${sections[index].number} at ${clock(position())}.`);
  });

  // Find: the matching sentences as buttons; one plays from there, focused.
  const hint = ui["find-n"].textContent;
  function find() {
    const q = ui["find-q"].value.trim().toLowerCase();
    const hits = q.length < 2 ? [] : [...where.values()].filter((x) => x.el.textContent.toLowerCase().includes(q));
    ui["find-r"].replaceChildren(...hits.slice(0, 50).map((x) => {
      const text = x.el.textContent;
      const at = text.toLowerCase().indexOf(q);
      const li = document.createElement("li");
      li.append(button("", "play", "<span></span>"));
      const [label] = li.getElementsByTagName("span");  // one flex item, so the text wraps
      const mark = document.createElement("mark");
      mark.textContent = text.substr(at, q.length);
      label.append(`Section ${sections[x.i].number}: ${text.slice(0, at)}`, mark, text.slice(at + q.length));
      on(li.firstChild, "click", () => {
        rove(x.el);
        x.el.focus();
        listen(x.i, x.start);
      });
      return li;
    }));
    const n = hits.length;
    ui["find-n"].textContent = q.length < 2 ? hint : `${n || "No"} sentence${n === 1 ? "" : "s"} found.`;
    return ui["find-n"].textContent;
  }
  on(ui["find-q"], "input", find);
  on(ui.find, "submit", (event) => {
    event.preventDefault();
    say(find());
  });

  // Single-key shortcuts, anywhere but where keys type or choose; they can be switched off.
  const shortcuts = {
    k: ["Play or pause", toggle], j: ["Back 15 seconds", () => skip(-STEP)],
    l: ["Forward 15 seconds", () => skip(STEP)], ",": ["Previous sentence", () => sentence(-1)],
    ".": ["Next sentence", () => sentence(1)], p: ["Previous section", previous],
    n: ["Next section", next], "[": ["Slower", () => stepRate(-1)], "]": ["Faster", () => stepRate(1)],
  };
  ui.keys.querySelector("dl").append(...Object.entries(shortcuts).map(([key, [text]]) => {
    const row = document.createElement("div");
    row.innerHTML = `<dt><kbd>${key.toUpperCase()}</kbd></dt><dd>${text}</dd>`;
    return row;
  }));
  on(document, "keydown", (event) => {
    const [, action] = shortcuts[event.key.toLowerCase()] || [];
    const el = event.target;
    if (!action || !ui["keys-on"].checked || event.ctrlKey || event.metaKey || event.altKey
      || el.isContentEditable || /^(SELECT|TEXTAREA)$/.test(el.tagName)
      || (el.tagName === "INPUT" && !/^(range|checkbox)$/.test(el.type))) return;
    event.preventDefault();
    action();
  });

  // Click, Enter or Space on a sentence plays from it, or pauses/resumes the one being read.
  const choose = (x) => (x.el === current ? toggle() : listen(x.i, x.start));
  on(document, "click", (event) => {
    const x = event.target instanceof Element && where.get(event.target.closest("span[data-start]"));
    if (x && getSelection().isCollapsed) choose(x);
  });
  const MOVES = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
  on(document, "keydown", (event) => {
    const x = where.get(event.target);
    if (!x || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    const list = stops[x.i];
    const k = event.key in MOVES ? x.k + MOVES[event.key] : { Home: 0, End: list.length - 1 }[event.key];
    if (event.key === "Enter" || event.key === " ") choose(x);
    else if (k === undefined) return;
    else {
      const to = list[Math.max(0, Math.min(k, list.length - 1))].el;
      rove(to);
      to.focus();
    }
    event.preventDefault();
  });
  // Focus left a control that held following for the mini player: catch up.
  on(ui.mini, "focusin", () => following && current && reveal());
  // Scrolling the page during playback stops following until asked back.
  const away = () => { if (following && !audio.paused) follow(false); };
  on(window, "wheel", away);
  on(window, "touchmove", away);
  on(document, "keydown", (event) => {
    const page = event.target === document.body || event.target === $("bv-main");
    if (page && /^(Page|Arrow(Up|Down)$| $|Home|End)/.test(event.key)) away();
  });
  on(window, "pagehide", () => remember(true));

  sections.forEach((s, i) => {
    const b = button(`Play from here: section ${s.number}, ${s.title}`, "play", "Play from here");
    b.classList.add("bv-here");
    on(b, "click", () => listen(i, 0));
    s.el.querySelector(".bv-listen").prepend(b);
  });

  // --- take over from the native players
  document.querySelectorAll("audio.bv-native").forEach((native) => {
    native.pause();
    native.hidden = true;
  });
  ui.speed.dataset.rates.split(" ").forEach((r) => {
    ui.speed.add(new Option(`${r}×${r === "1" ? " (normal)" : ""}`, r, r === "1", r === "1"));
  });
  const savedRate = Number(store.get("bv-rate"));
  if ([...ui.speed.options].some((o) => Number(o.value) === savedRate)) setRate(savedRate);
  audio.volume = 0.5;
  $("bv-volume").hidden = audio.volume !== 0.5;  // iOS: the device's buttons only
  setVolume(Math.min(100, Math.max(0, Number(store.get("bv-vol") ?? 100) || 0)));
  ui["keys-on"].checked = store.get("bv-keys") !== "off";
  [bar, ui.mini, ui.keys, ui.tools, document.querySelector("[href='#bv-play']")].forEach((el) => { el.hidden = false; });
  root.classList.add("bv-js");
  // The page keeps the mini player's height free (see the CSS).
  new ResizeObserver(() => css("--bv-mini-h", `${ui.mini.offsetHeight}px`)).observe(ui.mini);
  follow(true);
  showSection();
  showTime(0);
  showPlaying();

  // building.js: a section narrated while the page is open brings its audio and timings.
  function refresh() {
    sections.forEach((s) => { s.src = audioSrc(s.el); s.duration = +s.el.dataset.duration; });
    spans.flat().forEach((x) => { x.start = +x.el.dataset.start; });
    later = rest();
    showSection();
    showTime(position());
    if (waiting === index && sections[index].src) start();
  }

  window.baclovoice = Object.freeze({  // for other scripts, with the "bv:section" event
    audio, sections, select, seek, play: start, pause: () => audio.pause(), refresh,
    get index() { return index; }, get following() { return following; },
  });
})();
