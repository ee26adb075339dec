import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { describeError } from "../errors.js";
import { webhookUrlProblem } from "../validation/webhook.js";
import type { LastRun } from "./status.js";

export interface AlertSettings {
  /** `ALERT_WEBHOOK_URL` (a secret: never logged). */
  url: string;
  timeoutMs: number;
  retries: number;
}

export interface AlertBody {
  text: string;
  event: "failing" | "recovered";
  job: string;
  consecutive_failures: number;
  last: LastRun | null;
  host: string;
}

/** The Slack-compatible body of a job's alert (`text` for chat, the rest structured). */
export function alertBody(
  event: "failing" | "recovered",
  job: string,
  failures: number,
  last: LastRun | null,
): AlertBody {
  const text =
    event === "failing"
      ? `*empresa-etl scheduler: job \`${job}\` failed ${failures} time${failures === 1 ? "" : "s"} in a row* (last: ${last?.status ?? "?"}${last?.exit_code === null || last?.exit_code === undefined ? "" : `, exit ${last.exit_code}`}) on ${hostname()}`
      : `*empresa-etl scheduler: job \`${job}\` recovered* after ${failures} failure${failures === 1 ? "" : "s"} on ${hostname()}`;
  return { text, event, job, consecutive_failures: failures, last, host: hostname() };
}

/**
 * POSTs an alert as the validation's webhook does: the same URL rules (https, or http to
 * this machine), a timeout per attempt, retries with backoff on network errors, 5xx and
 * 429, redirects not followed. Never throws; the outcome's error never contains the URL.
 */
export async function postAlert(
  settings: AlertSettings,
  body: AlertBody,
): Promise<{ sent: boolean; attempts: number; error?: string }> {
  const refused = webhookUrlProblem(settings.url);
  if (refused) return { sent: false, attempts: 0, error: `ALERT_WEBHOOK_URL: ${refused}` };
  let error = "";
  let attempts = 0;
  for (let attempt = 0; attempt <= settings.retries; attempt++) {
    if (attempt > 0) await sleep(500 * 2 ** (attempt - 1));
    attempts = attempt + 1;
    try {
      const response = await fetch(settings.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(settings.timeoutMs),
      });
      await response.body?.cancel().catch(() => undefined);
      if (response.ok) return { sent: true, attempts };
      error = `HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) break;
    } catch (caught) {
      const code = (caught as { cause?: { code?: unknown } }).cause?.code;
      error = `${describeError(caught)}${typeof code === "string" ? ` (${code})` : ""}`
        .split(settings.url)
        .join("(webhook URL)");
    }
  }
  return { sent: false, attempts, error };
}
