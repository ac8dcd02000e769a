/* baclovoice: live progress of a narration job (the page after "Add and narrate").
 * Polls the job's JSON; the counts update silently, and only milestones are announced
 * (started, first section ready, done, failed), so a screen reader is not flooded.
 */
(() => {
  "use strict";
  const box = document.getElementById("bv-job");
  if (!box || !window.fetch) return;
  const $ = (id) => document.getElementById(id);
  const POLL_MS = 1500;
  const MAX_MS = 30000;
  let delay = POLL_MS;
  let state = box.dataset.state;
  let ready = Number(box.dataset.ready) || 0;

  function say(message) {
    const status = $("bv-job-status");
    status.textContent = "";
    setTimeout(() => { status.textContent = message; }, 100);
  }

  // The same sentences as the server's state_text and count_text.
  function stateText(job) {
    if (job.state === "queued") return "Waiting for a free worker to start narrating.";
    if (job.state === "done") return "Done: every section is ready.";
    if (job.state === "failed") return "The narration stopped.";
    return job.sections_ready ? "Being narrated. You can listen to the sections that are ready."
      : "Being narrated. The first section will be ready soon.";
  }
  function countText(job) {
    if (!job.sentences_total) return "Preparing the article.";
    return `${job.sentences_done} of ${job.sentences_total} sentences narrated; `
      + `${job.sections_ready} of ${job.sections_total} sections ready.`;
  }

  function showError(job) {
    if ($("bv-job-error")) return;
    const notice = document.createElement("div");
    notice.className = "bv-notice";
    notice.id = "bv-job-error";
    const heading = document.createElement("h2");
    heading.textContent = "The narration stopped";
    notice.append(heading);
    [job.error, job.hint && `What to do: ${job.hint}`].filter(Boolean).forEach((text) => {
      const p = document.createElement("p");
      p.textContent = text;
      notice.append(p);
    });
    $("bv-job-state").after(notice);
  }

  function show(job) {
    $("bv-job-state").textContent = stateText(job);
    $("bv-job-count").textContent = countText(job);
    const bar = $("bv-job-progress");
    bar.max = Math.max(1, job.sentences_total);
    bar.value = job.sentences_done;
    bar.textContent = `${job.sentences_done} of ${job.sentences_total}`;
    $("bv-job-listen").hidden = !job.sections_ready;
    const messages = [];
    if (job.state === "running" && state === "queued") messages.push("Narration started.");
    if (job.sections_ready && !ready && job.state !== "done") {
      messages.push("The first section is ready: you can listen now.");
    }
    if (job.state === "done" && state !== "done") {
      messages.push(`Narration finished: all ${job.sections_total} sections are ready.`);
    }
    if (job.state === "failed" && state !== "failed") {
      showError(job);
      messages.push(`The narration stopped. ${job.error || ""}`);
    }
    if (messages.length) say(messages.join(" "));
    state = job.state;
    ready = job.sections_ready;
  }

  async function poll() {
    try {
      const response = await fetch(box.dataset.api, { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) throw new Error(String(response.status));
      show(await response.json());
      delay = POLL_MS;
    } catch (error) {
      delay = Math.min(MAX_MS, delay * 2);  // the server may be restarting: ask less often
    }
    if (state !== "done" && state !== "failed") setTimeout(poll, delay);
  }

  $("bv-job-again").hidden = true;  // the page updates itself
  if (state !== "done" && state !== "failed") setTimeout(poll, POLL_MS);
})();
