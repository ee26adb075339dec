import { setTimeout as sleep } from "node:timers/promises";
import { describeError } from "../errors.js";
import type { ValidationReport } from "./run.js";
import { validationJson } from "./run.js";

export interface WebhookOptions {
  /** https (or http to this machine): see `webhookUrlProblem`. A secret, never logged. */
  url: string;
  timeoutMs: number;
  retries: number;
  /** Wait before retry n (0-based); doubles each time. */
  backoffMs?: number;
  /** Aborts the request in flight or the wait before a retry: `sendWebhook` then rejects. */
  signal?: AbortSignal;
}

export interface WebhookOutcome {
  sent: boolean;
  /** Requests made (0 when the URL was refused before any). */
  attempts: number;
  /** Why it was not delivered; never contains the URL. */
  error?: string;
}

/** At most this much of a response is read (then the body is cancelled): nobody reads it. */
const RESPONSE_READ_LIMIT = 4096;

const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

/**
 * Why a webhook URL is refused, or undefined when it is fine: it must parse as a URL, be
 * https (plain http only to this machine, 127.0.0.1, localhost or [::1], where nothing
 * crosses a network), and carry no user name or password. The answer never repeats the
 * URL: webhook URLs carry their token in the path.
 */
export function webhookUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "not a valid URL (expected https://…)";
  }
  if (url.username || url.password) return "must not contain a user name or password";
  if (url.protocol === "https:") return undefined;
  if (url.protocol === "http:" && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return "must be an https:// URL (plain http:// only to 127.0.0.1 or localhost)";
}

/** Failed rules at WARNING or above: the ones worth a message. */
export function alertWorthy(report: ValidationReport) {
  return report.results.filter((r) => !r.passed && r.severity !== "INFO");
}

/** A Slack-compatible body: `text` for chat, plus the structured report. */
export function webhookBody(report: ValidationReport): Record<string, unknown> {
  const failed = alertWorthy(report);
  const text = [
    `*empresa-etl validation: ${report.status.toUpperCase()}* (as of ${report.asOf}, ${failed.length} rule${failed.length === 1 ? "" : "s"} failed)`,
    ...failed.map(
      (r) => `• ${r.severity} \`${r.rule}\`: ${r.message}${r.state === "new" ? " _(new)_" : ""}`,
    ),
  ].join("\n");
  const json = validationJson(report);
  return {
    text,
    ...json,
    results: (json.results as { passed: boolean }[]).filter((r) => !r.passed),
  };
}

/** Reads at most a few KB of a response (so a small answer keeps the connection reusable), then cancels the rest. */
async function discardBody(response: Response): Promise<void> {
  const body = response.body;
  if (!body) return;
  const reader = body.getReader();
  try {
    for (let read = 0; read < RESPONSE_READ_LIMIT; ) {
      const chunk = await reader.read();
      if (chunk.done) return;
      read += chunk.value.byteLength;
    }
  } catch {
    // the answer's status is what counts; a body that fails midway changes nothing
  } finally {
    await reader.cancel().catch(() => undefined);
  }
}

/** A network error in one line, with its cause's code, and with the URL (or its path) masked. */
function describeFailure(error: unknown, url: string): string {
  const cause = (error as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  let text = describeError(error);
  if (typeof cause?.code === "string") text += ` (${cause.code})`;
  else if (typeof cause?.message === "string") text += ` (${cause.message.split("\n")[0]})`;
  const secrets = [url];
  try {
    const { pathname, search } = new URL(url);
    if (pathname.length > 1) secrets.push(pathname);
    if (search.length > 1) secrets.push(search);
  } catch {
    // already refused by webhookUrlProblem
  }
  for (const secret of secrets) text = text.split(secret).join("(webhook URL)");
  return text;
}

/**
 * POSTs the report with a timeout per attempt and retries on network errors and 5xx/429.
 * Redirects are not followed (a 3xx is a failure: the body must not go where the URL
 * did not say), and at most a few KB of any answer are read. The outcome says whether it
 * was delivered; it rejects only when `options.signal` aborts (with the signal's reason,
 * an `AbortError` by default), the request in flight or the wait before a retry.
 */
export async function sendWebhook(
  report: ValidationReport,
  options: WebhookOptions,
): Promise<WebhookOutcome> {
  const { signal } = options;
  signal?.throwIfAborted();
  const refused = webhookUrlProblem(options.url);
  if (refused) return { sent: false, attempts: 0, error: `ALERT_WEBHOOK_URL: ${refused}` };
  const body = JSON.stringify(webhookBody(report));
  let lastError = "";
  let attempts = 0;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (attempt > 0)
      await sleep((options.backoffMs ?? 500) * 2 ** (attempt - 1), undefined, { signal }).catch(
        (error: unknown) => {
          signal?.throwIfAborted(); // the signal's own reason
          throw error;
        },
      );
    attempts = attempt + 1;
    const timeout = AbortSignal.timeout(options.timeoutMs);
    try {
      const response = await fetch(options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        redirect: "manual",
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
      });
      await discardBody(response);
      if (response.ok) return { sent: true, attempts };
      if (response.status >= 300 && response.status < 400) {
        lastError = `HTTP ${response.status} (a redirect, not followed)`;
        break;
      }
      lastError = `HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) break; // a 4xx will not get better
    } catch (error) {
      signal?.throwIfAborted();
      lastError = timeout.aborted
        ? `no answer within ${options.timeoutMs} ms`
        : describeFailure(error, options.url);
    }
  }
  return { sent: false, attempts, error: lastError };
}
