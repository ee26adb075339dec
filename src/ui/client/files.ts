import type { JobRecord, JobState, ProfileDocument } from "../../files/types.js";
import {
  jobError,
  jobItem,
  jobsList,
  jobsSummary,
  limitText,
  type ProcessState,
  previewCard,
  profileCard,
  type UploadedFile,
  uploadError,
  uploadProgress,
} from "../views/files.js";
import * as fmt from "../views/format.js";
import { html } from "../views/html.js";
import { byId, getJson, startTicking, toast } from "./common.js";

/**
 * The `/files` page: uploads a file with a progress bar (XMLHttpRequest, for its upload
 * events), shows its preview, starts its job, follows every job that is not over through
 * its SSE stream (`progress`, `state`), and shows a completed job's column profile.
 * The job list is also fetched every few seconds, for jobs started elsewhere.
 */

/** Jobs followed live at once: each stream holds one of the browser's few connections. */
const MAX_STREAMS = 3;
const POLL_MS = 4000;
const TERMINAL: ReadonlySet<JobState> = new Set(["completed", "failed", "cancelled"]);
const RANK: Record<JobState, number> = {
  queued: 0,
  processing: 1,
  completed: 2,
  failed: 2,
  cancelled: 2,
};

let jobs: JobRecord[] | null = null;
let selected: string | null = null;
const cancelling = new Set<string>();
const streams = new Map<string, EventSource>();
/** Jobs started from this page: their profile opens when they complete. */
const followed = new Set<string>();
const profiles = new Map<string, ProfileDocument | { error: string }>();

let uploaded: UploadedFile | null = null;
let processState: ProcessState = { kind: "ready" };
let upload: XMLHttpRequest | null = null;

// ── Rendering ─────────────────────────────────────────────────────────────────────────

function renderSummary(): void {
  byId("jobs-summary").textContent = jobs?.length ? `Jobs: ${jobsSummary(jobs)}` : "";
}

/** One element out of markup. */
function element(markup: string): Element {
  const template = document.createElement("template");
  template.innerHTML = markup.trim();
  return template.content.firstElementChild as Element;
}

/**
 * Brings a job's row up to date part by part: a part whose markup is the same stays the
 * same element, so a Cancel button under the pointer survives four progress events a second.
 */
function patchItem(item: Element, job: JobRecord): void {
  const fresh = element(
    jobItem(job, { selected: selected === job.job_id, cancelling: cancelling.has(job.job_id) })
      .value,
  );
  const same =
    item.children.length === fresh.children.length &&
    [...item.children].every((child, i) => child.className === fresh.children[i]?.className);
  if (!same) {
    item.replaceWith(fresh);
    return;
  }
  for (const name of ["data-state", "aria-current"]) {
    const value = fresh.getAttribute(name);
    if (value === null) item.removeAttribute(name);
    else if (item.getAttribute(name) !== value) item.setAttribute(name, value);
  }
  const parts = [...fresh.children];
  [...item.children].forEach((child, i) => {
    const part = parts[i] as Element;
    if (child.isEqualNode(part)) return;
    const focused = child.contains(document.activeElement);
    child.replaceWith(part);
    // The button that had the focus has it again (Cancel → Cancelling…, Profile → Showing).
    if (focused) part.querySelector<HTMLElement>("button")?.focus();
  });
}

/** The job list: patched row by row when it holds the same jobs, else drawn again. */
function renderJobs(): void {
  const list = document.getElementById("jobs-list");
  const ids = jobs?.map((job) => job.job_id) ?? [];
  const shown = list ? [...list.children].map((item) => (item as HTMLElement).dataset.jobId) : [];
  if (list && jobs && ids.length === shown.length && ids.every((id, i) => id === shown[i])) {
    jobs.forEach((job, i) => {
      patchItem(list.children[i] as Element, job);
    });
  } else {
    byId("jobs").innerHTML = jobsList(jobs, selected, cancelling).value;
  }
  renderSummary();
}

/** Brings one job's row up to date (the whole list if the row is not there yet). */
function renderJob(id: string): void {
  const job = jobs?.find((j) => j.job_id === id);
  const item = document.getElementById(`fjob-${id}`);
  if (!job || !item) {
    renderJobs();
    return;
  }
  patchItem(item, job);
  renderSummary();
}

function renderPreview(): void {
  byId("preview-slot").innerHTML = uploaded ? previewCard(uploaded, processState).value : "";
}

function renderProfile(): void {
  const slot = byId("profile-slot");
  const job = selected ? jobs?.find((j) => j.job_id === selected) : undefined;
  if (!job) {
    slot.innerHTML = "";
    return;
  }
  const loaded = profiles.get(job.job_id);
  slot.innerHTML =
    loaded && "error" in loaded
      ? profileCard(job, null, loaded.error).value
      : profileCard(job, (loaded as ProfileDocument | undefined) ?? null).value;
}

// ── Jobs ──────────────────────────────────────────────────────────────────────────────

/** A record from the list: kept unless the one we have is further along. */
function newer(old: JobRecord | undefined, incoming: JobRecord): JobRecord {
  if (!old) return incoming;
  if (RANK[incoming.state] !== RANK[old.state])
    return RANK[incoming.state] > RANK[old.state] ? incoming : old;
  return incoming.bytes_processed >= old.bytes_processed ? incoming : old;
}

/** A job's record changed: into the list, its row, its stream, its profile. */
function applyJob(job: JobRecord, fromStream: boolean): void {
  if (!jobs) jobs = [];
  const index = jobs.findIndex((j) => j.job_id === job.job_id);
  const before = index === -1 ? undefined : jobs[index];
  const next = fromStream ? job : newer(before, job);
  if (index === -1) {
    jobs.unshift(next);
    jobs.sort((a, b) => Date.parse(b.created_at) - Date.parse(a.created_at));
    renderJobs();
  } else {
    jobs[index] = next;
    renderJob(job.job_id);
  }
  if (TERMINAL.has(next.state)) {
    cancelling.delete(next.job_id);
    closeStream(next.job_id);
    if (before && !TERMINAL.has(before.state)) ended(next);
  }
  followJobs();
}

/** A job just ended: say so, and show the profile of one started here. */
function ended(job: JobRecord): void {
  if (job.state === "completed" && followed.has(job.job_id)) {
    followed.delete(job.job_id);
    void showProfile(job.job_id);
  } else if (job.state === "failed" && followed.has(job.job_id)) {
    toast(`${job.name} failed: ${jobError(job)}`, "error");
  }
  if (selected === job.job_id) renderProfile();
}

function closeStream(id: string): void {
  streams.get(id)?.close();
  streams.delete(id);
}

/** The job's record out of an event: the record itself, or `{ job }`. */
function recordOf(data: unknown): JobRecord | undefined {
  const value = data as { job_id?: string; job?: JobRecord };
  if (value && typeof value.job_id === "string") return value as JobRecord;
  if (value?.job && typeof value.job.job_id === "string") return value.job;
  return undefined;
}

/** Streams the jobs not over yet (the oldest first: they run first), a few at a time. */
function followJobs(): void {
  if (!jobs) return;
  const open = jobs
    .filter((job) => !TERMINAL.has(job.state))
    .sort((a, b) => RANK[b.state] - RANK[a.state] || a.created_at.localeCompare(b.created_at));
  const wanted = new Set(open.slice(0, MAX_STREAMS).map((job) => job.job_id));
  for (const id of [...streams.keys()]) if (!wanted.has(id)) closeStream(id);
  for (const id of wanted) {
    if (streams.has(id)) continue;
    const source = new EventSource(`/api/jobs/${encodeURIComponent(id)}/events`);
    const handle = (message: Event) => {
      const job = recordOf(JSON.parse((message as MessageEvent).data));
      if (job) applyJob(job, true);
    };
    source.addEventListener("progress", handle);
    source.addEventListener("state", handle);
    source.addEventListener("snapshot", handle);
    streams.set(id, source);
  }
}

async function loadJobs(): Promise<void> {
  try {
    const body = await getJson<JobRecord[] | { jobs: JobRecord[] }>("/api/jobs");
    const list = Array.isArray(body) ? body : body.jobs;
    const known = new Map((jobs ?? []).map((job) => [job.job_id, job]));
    const over: JobRecord[] = [];
    const merged = list.map((job) => {
      const mine = known.get(job.job_id);
      const next = streams.has(job.job_id) ? newer(mine, job) : job;
      if (mine && !TERMINAL.has(mine.state) && TERMINAL.has(next.state)) over.push(next);
      return next;
    });
    const first = jobs === null;
    jobs = merged;
    for (const job of over) {
      cancelling.delete(job.job_id);
      closeStream(job.job_id);
      ended(job);
    }
    if (selected && !jobs.some((job) => job.job_id === selected)) {
      selected = null;
      renderProfile();
    }
    renderJobs();
    if (first) startTicking();
    followJobs();
  } catch (error) {
    if (jobs === null)
      byId("jobs").innerHTML =
        html`<div class="empty" id="jobs-empty"><strong>Could not load the jobs</strong>${(error as Error).message}</div>`.value;
  }
}

async function showProfile(id: string): Promise<void> {
  selected = id;
  renderJobs();
  renderProfile();
  document.getElementById("profile")?.scrollIntoView({ behavior: "smooth", block: "start" });
  if (profiles.has(id) && !("error" in (profiles.get(id) as object))) return;
  try {
    profiles.set(id, await getJson<ProfileDocument>(`/api/jobs/${encodeURIComponent(id)}/profile`));
  } catch (error) {
    profiles.set(id, { error: (error as Error).message });
  }
  if (selected === id) renderProfile();
}

function hideProfile(): void {
  selected = null;
  renderJobs();
  renderProfile();
}

async function cancelJob(id: string): Promise<void> {
  cancelling.add(id);
  renderJob(id);
  try {
    const response = await fetch(`/api/jobs/${encodeURIComponent(id)}`, { method: "DELETE" });
    const body = (await response.json().catch(() => null)) as
      | (JobRecord & { error?: { message?: string } })
      | null;
    if (!response.ok)
      throw new Error(body?.error?.message ?? `the console answered ${response.status}`);
    const job = recordOf(body);
    if (job) applyJob(job, true);
    else await loadJobs();
  } catch (error) {
    cancelling.delete(id);
    renderJob(id);
    toast(`Could not cancel: ${(error as Error).message}`, "error");
  }
}

// ── Upload ────────────────────────────────────────────────────────────────────────────

function setUploadStatus(markup: string): void {
  byId("upload-status").innerHTML = markup;
}

/** The console's error out of a failed answer. */
function errorOf(status: number, text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `the console answered ${status}`;
}

function send(file: File): void {
  upload?.abort();
  // The preview of an earlier upload is about another file.
  uploaded = null;
  renderPreview();
  const xhr = new XMLHttpRequest();
  upload = xhr;
  let frame = 0;
  let last = { loaded: 0, total: file.size };
  const draw = () => {
    frame = 0;
    if (upload === xhr) setUploadStatus(uploadProgress(file.name, last.loaded, last.total).value);
  };
  draw();
  byId("dropzone").classList.add("busy");
  xhr.upload.addEventListener("progress", (event) => {
    last = { loaded: event.loaded, total: event.lengthComputable ? event.total : file.size };
    frame ||= requestAnimationFrame(draw);
  });
  const finish = () => {
    if (upload === xhr) upload = null;
    cancelAnimationFrame(frame);
    byId("dropzone").classList.remove("busy");
  };
  xhr.addEventListener("load", () => {
    if (upload !== xhr) return;
    finish();
    if (xhr.status === 201) {
      uploaded = JSON.parse(xhr.responseText) as UploadedFile;
      processState = { kind: "ready" };
      setUploadStatus("");
      renderPreview();
      document.getElementById("process")?.focus({ preventScroll: true });
      return;
    }
    setUploadStatus(
      uploadError(xhr.status, errorOf(xhr.status, xhr.responseText), file.name).value,
    );
  });
  xhr.addEventListener("error", () => {
    if (upload !== xhr) return;
    finish();
    setUploadStatus(
      uploadError(
        0,
        "the connection to the console was lost before it answered (a file over the size limit is cut off like this).",
        file.name,
      ).value,
    );
  });
  xhr.addEventListener("abort", () => {
    finish();
    if (upload === null)
      setUploadStatus(`<p class="small muted upload-note">Upload cancelled.</p>`);
  });
  const form = new FormData();
  form.append("file", file, file.name);
  xhr.open("POST", "/api/files");
  xhr.setRequestHeader("Accept", "application/json");
  xhr.send(form);
}

function chosen(files: FileList | null | undefined): void {
  const file = files?.[0];
  if (!file || !available) return;
  if (files && files.length > 1) toast(`One file at a time: uploading ${file.name}`);
  // Refused before sending it all: the console would stop reading at its limit anyway.
  const max = Number(byId("dropzone").dataset.maxBytes);
  if (max > 0 && file.size > max) {
    upload?.abort();
    uploaded = null;
    renderPreview();
    setUploadStatus(
      uploadError(
        413,
        `${fmt.bytes(file.size)} is over the console's limit of ${limitText(max)} (MAX_FILE_SIZE_MB).`,
        file.name,
      ).value,
    );
    return;
  }
  send(file);
}

async function processFile(): Promise<void> {
  if (!uploaded) return;
  const file = uploaded;
  processState = { kind: "sending" };
  renderPreview();
  try {
    const response = await fetch(`/api/files/${encodeURIComponent(file.file_id)}/jobs`, {
      method: "POST",
      headers: { Accept: "application/json" },
    });
    const text = await response.text();
    if (!response.ok) throw new Error(errorOf(response.status, text));
    const { job_id } = JSON.parse(text) as { job_id: string };
    followed.add(job_id);
    if (uploaded === file) processState = { kind: "started", job_id };
    renderPreview();
    try {
      applyJob(await getJson<JobRecord>(`/api/jobs/${encodeURIComponent(job_id)}`), false);
    } catch {
      await loadJobs();
    }
  } catch (error) {
    if (uploaded === file) processState = { kind: "error", message: (error as Error).message };
    renderPreview();
  }
}

// ── Events ────────────────────────────────────────────────────────────────────────────

/** False when the console runs without file jobs (its endpoints answer 503). */
const available = byId("dropzone").dataset.disabled !== "true";

const input = byId<HTMLInputElement>("file-input");
input.addEventListener("change", () => {
  chosen(input.files);
  input.value = ""; // the same file can be chosen again
});

const zone = byId("dropzone");
let depth = 0;
zone.addEventListener("dragenter", (event) => {
  event.preventDefault();
  depth++;
  zone.classList.add("dragging");
});
zone.addEventListener("dragover", (event) => {
  event.preventDefault();
  if (event.dataTransfer) event.dataTransfer.dropEffect = "copy";
});
zone.addEventListener("dragleave", () => {
  depth = Math.max(0, depth - 1);
  if (depth === 0) zone.classList.remove("dragging");
});
zone.addEventListener("drop", (event) => {
  event.preventDefault();
  depth = 0;
  zone.classList.remove("dragging");
  chosen(event.dataTransfer?.files);
});
// A file dropped next to the zone must not replace the page with the file.
for (const type of ["dragover", "drop"] as const)
  document.addEventListener(type, (event) => {
    if (!zone.contains(event.target as Node)) event.preventDefault();
  });

document.addEventListener("click", (event) => {
  const target = event.target as HTMLElement;
  if (target.closest("#upload-cancel")) {
    const xhr = upload;
    upload = null;
    xhr?.abort();
    return;
  }
  if (target.closest("#process")) {
    void processFile();
    return;
  }
  if (target.closest("#profile-close")) {
    hideProfile();
    return;
  }
  const cancel = target.closest<HTMLButtonElement>("button[data-cancel-job]");
  if (cancel) {
    void cancelJob(cancel.dataset.cancelJob as string);
    return;
  }
  const profile = target.closest<HTMLButtonElement>("button[data-profile-job]");
  if (profile) {
    const id = profile.dataset.profileJob as string;
    if (selected === id) hideProfile();
    else void showProfile(id);
  }
});

addEventListener("pagehide", () => {
  for (const id of [...streams.keys()]) closeStream(id);
});

if (available) {
  void loadJobs();
  setInterval(() => {
    if (!document.hidden) void loadJobs();
  }, POLL_MS);
}
