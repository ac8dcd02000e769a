/* baclovoice player: one audio element plays the article section after section.
 *
 * Without this script every section keeps its native <audio controls>. With it,
 * the player bar takes over. Other scripts (read-along) use window.baclovoice and
 * the "bv:section" event instead of reaching into this file.
 */
(() => {
  "use strict";
  const bar = document.getElementById("bv-player");
  const sectionEls = Array.from(document.querySelectorAll(".bv-section[data-src]"));
  if (!bar || !sectionEls.length || !window.HTMLAudioElement) return;

  const $ = (id) => document.getElementById(id);
  const ui = {
    play: $("bv-play"), playLabel: $("bv-play-label"), playIcon: bar.querySelector("#bv-play use"),
    prev: $("bv-prev"), next: $("bv-next"), back: $("bv-back"), fwd: $("bv-fwd"),
    seek: $("bv-seek"), clock: $("bv-clock"), speed: $("bv-speed"), now: $("bv-now"),
    status: $("bv-status"), keys: $("bv-keys"), keysOn: $("bv-keys-on"),
  };
  const sections = sectionEls.map((el) => ({
    el, number: Number(el.dataset.number), title: el.dataset.title,
    src: el.dataset.src, vtt: el.dataset.vtt, duration: Number(el.dataset.duration),
  }));
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

  // --- preferences (best effort: storage may be unavailable) --------------------
  const store = {
    get(key) { try { return window.localStorage.getItem(key); } catch (e) { return null; } },
    set(key, value) { try { window.localStorage.setItem(key, value); } catch (e) { /* ignore */ } },
  };

  // --- time as people read it (mirrors baclovoice.web.formatting) -----------------
  const parts = (t) => {
    const s = Math.max(0, Math.round(t || 0));
    return [Math.floor(s / 3600), Math.floor(s / 60) % 60, s % 60];
  };
  const spoken = (t) => {
    const words = [];
    parts(t).forEach((n, i) => {
      if (n) words.push(`${n} ${["hour", "minute", "second"][i]}${n === 1 ? "" : "s"}`);
    });
    return words.join(" ") || "0 seconds";
  };
  const clock = (t) => {
    const [h, m, s] = parts(t);
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${pad(m)}:${pad(s)}` : `${m}:${pad(s)}`;
  };

  // --- state → page ---------------------------------------------------------------
  const duration = () => {
    const d = loaded === index ? audio.duration : NaN;
    return Number.isFinite(d) && d > 0 ? d : sections[index].duration;
  };
  const position = () => (loaded === index && audio.readyState > 0 ? audio.currentTime : wanted);

  function say(message) {
    ui.status.textContent = "";
    window.setTimeout(() => { ui.status.textContent = message; }, 100);
  }

  function showTime(t, userSeek) {
    const d = duration();
    ui.clock.textContent = `${clock(t)} / ${clock(d)}`;
    // A focused slider that changed on its own would chatter in a screen reader.
    if (userSeek || document.activeElement !== ui.seek) {
      ui.seek.max = String(Math.ceil(d));
      ui.seek.value = String(Math.round(t));
      ui.seek.setAttribute("aria-valuetext", `${spoken(t)} of ${spoken(d)}`);
    }
  }

  function showPlaying() {
    const playing = !audio.paused && !audio.ended;
    ui.playLabel.textContent = playing ? "Pause" : "Play";
    ui.playIcon.setAttribute("href", playing ? "#bv-i-pause" : "#bv-i-play");
  }

  function showSection() {
    const s = sections[index];
    ui.now.textContent = `Section ${s.number} of ${sections.length}: ${s.title}`;
    ui.prev.setAttribute("aria-disabled", String(index === 0));
    ui.next.setAttribute("aria-disabled", String(index === sections.length - 1));
    sections.forEach((x, i) => x.el.classList.toggle("bv-current", i === index));
    showTime(position(), true);
  }

  // --- actions --------------------------------------------------------------------
  function select(i, { time = 0, play = false } = {}) {
    if (i < 0 || i >= sections.length) return;
    const changed = i !== index;
    const keepPlaying = play || (changed && !audio.paused);
    index = i;
    seek(time);
    showSection();
    if (changed) {
      say(`Section ${sections[i].number} of ${sections.length}: ${sections[i].title}`);
      document.dispatchEvent(new CustomEvent("bv:section", { detail: { index: i, section: sections[i] } }));
    }
    if (keepPlaying) start();
  }

  function seek(t) {
    const target = Math.min(Math.max(0, t), duration());
    if (loaded === index && audio.readyState > 0) audio.currentTime = target;
    else wanted = target;
    showTime(target, true);
  }

  function start() {
    if (loaded !== index) {
      loaded = index;
      audio.src = sections[index].src;
    }
    const rate = Number(ui.speed.value) || 1;
    audio.defaultPlaybackRate = rate;
    audio.playbackRate = rate;
    const promise = audio.play();
    if (promise) promise.catch((error) => { if (error.name !== "AbortError") showPlaying(); });
  }

  const toggle = () => (audio.paused || audio.ended ? start() : audio.pause());
  const skip = (delta) => seek(position() + delta);
  const setRate = (value) => {
    ui.speed.value = String(value);
    audio.defaultPlaybackRate = value;
    audio.playbackRate = value;
    store.set("bv-rate", String(value));
  };
  const stepRate = (delta) => {
    const next = ui.speed.selectedIndex + delta;
    if (next >= 0 && next < ui.speed.options.length) setRate(Number(ui.speed.options[next].value));
  };
  const enabled = (button) => button.getAttribute("aria-disabled") !== "true";
  const previous = () => { if (enabled(ui.prev)) select(index - 1); };
  const next = () => { if (enabled(ui.next)) select(index + 1); };

  // --- audio events ---------------------------------------------------------------
  audio.addEventListener("loadedmetadata", () => {
    if (wanted > 0) audio.currentTime = Math.min(wanted, audio.duration || wanted);
    wanted = 0;
    showTime(audio.currentTime, false);
  });
  audio.addEventListener("timeupdate", () => showTime(audio.currentTime, false));
  ["play", "pause", "playing", "emptied"].forEach((type) => audio.addEventListener(type, showPlaying));
  audio.addEventListener("ended", () => {
    if (index < sections.length - 1) select(index + 1, { play: true });
    else showPlaying();
  });
  audio.addEventListener("error", () => {
    showPlaying();
    say(`Section ${sections[index].number} could not be loaded. Its download link may still work.`);
  });

  // --- controls -------------------------------------------------------------------
  ui.play.addEventListener("click", toggle);
  ui.prev.addEventListener("click", previous);
  ui.next.addEventListener("click", next);
  ui.back.addEventListener("click", () => skip(-STEP));
  ui.fwd.addEventListener("click", () => skip(STEP));
  ui.seek.addEventListener("input", () => seek(Number(ui.seek.value)));
  ui.seek.addEventListener("focus", () => showTime(position(), true));
  ui.speed.addEventListener("change", () => setRate(Number(ui.speed.value)));
  ui.keysOn.addEventListener("change", () => store.set("bv-keys", ui.keysOn.checked ? "on" : "off"));

  const shortcuts = {
    k: toggle, j: () => skip(-STEP), l: () => skip(STEP),
    p: previous, n: next, "[": () => stepRate(-1), "]": () => stepRate(1),
  };
  bar.addEventListener("keydown", (event) => {
    if (!ui.keysOn.checked || event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.target instanceof HTMLSelectElement) return;  // letters pick options there
    const action = shortcuts[event.key.toLowerCase()];
    if (!action) return;
    event.preventDefault();
    action();
  });

  document.querySelectorAll(".bv-here").forEach((button) => {
    const i = sections.findIndex((s) => String(s.number) === button.dataset.number);
    button.addEventListener("click", () => select(i, { play: true }));
    button.hidden = false;
  });

  // --- take over from the native players -------------------------------------------
  document.querySelectorAll("audio.bv-native").forEach((native) => {
    native.pause();
    native.hidden = true;
  });
  const savedRate = Number(store.get("bv-rate"));
  if (Array.from(ui.speed.options).some((o) => Number(o.value) === savedRate)) setRate(savedRate);
  ui.keysOn.checked = store.get("bv-keys") !== "off";
  bar.hidden = false;
  ui.keys.hidden = false;
  document.documentElement.classList.add("bv-js");
  const measure = () => document.documentElement.style.setProperty("--bv-bar-h", `${bar.offsetHeight + 16}px`);
  if (window.ResizeObserver) new ResizeObserver(measure).observe(bar);
  showSection();
  showPlaying();

  window.baclovoice = Object.freeze({
    audio,
    sections,
    select,
    play: start,
    pause: () => audio.pause(),
    seek,
    get index() { return index; },
  });
})();
