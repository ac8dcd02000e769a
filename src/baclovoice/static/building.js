/* baclovoice: the page of an article that is still being narrated. Sections become
 * playable here as they are ready, without a reload: the article's JSON is polled, and
 * each newly ready section takes its audio, timings and links from a fresh copy of this
 * page. Announced politely, once per change. Loaded only while the article builds.
 */
(() => {
  "use strict";
  const progress = document.getElementById("bv-progress");
  if (!progress || !window.fetch || !window.DOMParser) return;
  const POLL_MS = 2000;
  const MAX_MS = 30000;
  let delay = POLL_MS;

  function say(message) {
    const status = document.getElementById("bv-status");
    if (!status) return;
    status.textContent = "";
    setTimeout(() => { status.textContent = message; }, 100);
  }

  const plural = (n, word) => `${n} ${word}${n === 1 ? "" : "s"}`;
  const pending = () => Array.from(document.querySelectorAll(".bv-section.bv-pending"));

  // Take a ready section over from the fresh page: audio, timings, links.
  function adopt(section, fresh) {
    section.dataset.duration = fresh.dataset.duration;
    fresh.querySelectorAll("span[data-start]").forEach((span) => {
      const mine = document.getElementById(span.id);
      if (!mine) return;
      mine.dataset.start = span.dataset.start;
      mine.dataset.end = span.dataset.end;
    });
    // Keep what player.js added ("Play from here"); take the audio and download link.
    const listen = section.querySelector(".bv-listen");
    listen.querySelectorAll(":scope > :not(.bv-here)").forEach((el) => el.remove());
    fresh.querySelectorAll(".bv-listen > *").forEach((el) => listen.append(document.importNode(el, true)));
    const native = listen.querySelector("audio.bv-native");
    if (native && window.baclovoice) native.hidden = true;  // the player bar plays it
    section.classList.remove("bv-pending");
  }

  async function update(article) {
    const ready = article.sections.filter((s) => s.ready).map((s) => String(s.number));
    const arrived = pending().filter((el) => ready.includes(el.dataset.number));
    if (arrived.length) {
      const response = await fetch(location.pathname, { cache: "no-store" });
      if (!response.ok) throw new Error(String(response.status));
      const page = new DOMParser().parseFromString(await response.text(), "text/html");
      arrived.forEach((el) => {
        const fresh = page.getElementById(el.id);
        if (fresh && fresh.querySelector("audio")) adopt(el, fresh);
      });
      const toc = page.querySelector(".bv-toc ol");
      const mine = document.querySelector(".bv-toc ol");
      if (toc && mine) mine.replaceWith(document.importNode(toc, true));
      if (window.baclovoice) window.baclovoice.refresh();
    }
    const total = article.sections.length;
    const done = total - pending().length;
    if (article.status === "complete" || done === total) {
      progress.textContent = `${plural(total, "section")}, every one ready to play.`;
      say(`The whole article is ready: ${plural(total, "section")}.`);
      return false;
    }
    progress.textContent = `Being narrated: ${done} of ${plural(total, "section")} ready to play. `
      + "New sections appear here as they are ready; there is no need to reload.";
    if (arrived.length) {
      const numbers = arrived.map((el) => el.dataset.number);
      const which = numbers.length === 1 ? `Section ${numbers[0]}`
        : `Sections ${numbers.slice(0, -1).join(", ")} and ${numbers[numbers.length - 1]}`;
      say(`${which} of ${total} ${numbers.length === 1 ? "is" : "are"} ready to play.`);
    }
    return true;
  }

  async function poll() {
    let again = true;
    try {
      const response = await fetch(progress.dataset.api, { cache: "no-store" });
      if (response.status === 404) {
        say("This article is no longer being narrated. Reload the page to see what is available.");
        return;
      }
      if (!response.ok) throw new Error(String(response.status));
      again = await update(await response.json());
      delay = POLL_MS;
    } catch (error) {
      delay = Math.min(MAX_MS, delay * 2);  // the server may be restarting: ask less often
    }
    if (again) setTimeout(poll, delay);
  }

  setTimeout(poll, POLL_MS);
})();
