import { describeError } from "../errors.js";
import type { ValidationReport } from "./run.js";
import { validationJson } from "./run.js";

export interface WebhookOptions {
  url: string;
  timeoutMs: number;
  retries: number;
  /** Wait before retry n (0-based); doubles each time. */
  backoffMs?: number;
}

export interface WebhookOutcome {
  sent: boolean;
  attempts: number;
  error?: string;
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

/**
 * POSTs the report with a timeout per attempt and retries on network errors and 5xx/429.
 * Never throws: the outcome says whether it was delivered.
 */
export async function sendWebhook(
  report: ValidationReport,
  options: WebhookOptions,
): Promise<WebhookOutcome> {
  const body = JSON.stringify(webhookBody(report));
  let lastError = "";
  let attempts = 0;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    attempts = attempt + 1;
    if (attempt > 0)
      await new Promise((r) => setTimeout(r, (options.backoffMs ?? 500) * 2 ** (attempt - 1)));
    try {
      const response = await fetch(options.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.ok) return { sent: true, attempts };
      lastError = `HTTP ${response.status}`;
      if (response.status < 500 && response.status !== 429) break; // a 4xx will not get better
    } catch (error) {
      lastError =
        (error as Error).name === "TimeoutError"
          ? `no answer within ${options.timeoutMs} ms`
          : describeError(error);
    }
  }
  return { sent: false, attempts, error: lastError };
}
