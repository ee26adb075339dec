import { type TickKind, tickText } from "../views/format.js";

/** What every page's client script shares: its initial state, the live stream, requests, toasts. */

/** The state the server rendered the page from (`<script type="application/json" id="initial-state">`). */
export function initialState<T>(): T {
  const element = document.getElementById("initial-state");
  return JSON.parse(element?.textContent ?? "null") as T;
}

/** The element with `id`; the page's markup always has it. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/**
 * Subscribes to an SSE endpoint and shows its health in `#live` ("live", "reconnecting…").
 * The browser reconnects by itself; the server starts every connection with a snapshot.
 */
export function subscribe(
  url: string,
  handlers: Record<string, (data: unknown) => void>,
  options: { indicator?: boolean } = {},
): EventSource {
  const live = options.indicator === false ? null : document.getElementById("live");
  const show = (state: "live" | "lost" | "connecting", text: string) => {
    if (!live) return;
    live.dataset.state = state;
    live.textContent = text;
  };
  const source = new EventSource(url);
  source.addEventListener("open", () => show("live", "live"));
  source.addEventListener("error", () => show("lost", "reconnecting…"));
  for (const [event, handle] of Object.entries(handlers)) {
    source.addEventListener(event, (message) => handle(JSON.parse((message as MessageEvent).data)));
  }
  addEventListener("pagehide", () => source.close());
  return source;
}

/** The console's JSON error message, or a generic one. */
async function errorMessage(response: Response): Promise<string> {
  try {
    const body = (await response.json()) as { error?: { message?: string } };
    if (body.error?.message) return body.error.message;
  } catch {
    // not JSON
  }
  return `the console answered ${response.status}`;
}

/** POSTs JSON to the console; resolves to the answer's JSON, rejects with its error message. */
export async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) throw new Error(await errorMessage(response));
  return (await response.json()) as T;
}

/** GETs JSON from the console. */
export async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(await errorMessage(response));
  return (await response.json()) as T;
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;

/** A short message in the corner (`#toast`), gone after a few seconds. */
export function toast(text: string, kind: "info" | "error" = "info"): void {
  const element = document.getElementById("toast");
  if (!element) return;
  element.textContent = text;
  element.className = kind === "error" ? "toast error" : "toast";
  element.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(
    () => {
      element.hidden = true;
    },
    kind === "error" ? 8000 : 3500,
  );
}

/**
 * Keeps moving times current: every second, each `[data-tick]` element (rendered by the
 * views' `tick()`: "3 min ago", "in 2 min", an elapsed time) gets its text again.
 */
export function startTicking(): void {
  setInterval(() => {
    const now = Date.now();
    for (const element of document.querySelectorAll<HTMLElement>("[data-tick]")) {
      const text = tickText(element.dataset.tick as TickKind, element.dataset.at as string, now);
      if (element.textContent !== text) element.textContent = text;
    }
  }, 1000);
}
