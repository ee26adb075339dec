import { dbPathOption, JSON_OPTION } from "../cli/options.js";
import type { OptionSpecs } from "../config.js";
import { asOfProblem } from "./as-of.js";
import { webhookUrlProblem } from "./webhook.js";

/** The options of `npm run validate`: flags, environment variables, defaults. */
export const VALIDATE_OPTIONS = {
  dbPath: dbPathOption("SQLite database to check (never created)"),
  asOf: {
    type: "string",
    flag: "as-of",
    env: "AS_OF",
    arg: "YYYY-MM-DD",
    check: asOfProblem,
    help: "The day treated as today [default: today in the local time zone, TZ]",
  },
  json: JSON_OPTION,
  config: {
    type: "string",
    flag: "config",
    env: "VALIDATION_CONFIG",
    arg: "FILE",
    help: "JSON file with per-rule severity and fail_above thresholds",
  },
  webhookUrl: {
    type: "string",
    env: "ALERT_WEBHOOK_URL",
    help: "POST a Slack-compatible alert here when a WARNING or worse fails (https; http only to 127.0.0.1/localhost)",
    secret: true,
    check: webhookUrlProblem,
  },
  webhookTimeoutMs: {
    type: "number",
    env: "ALERT_WEBHOOK_TIMEOUT_MS",
    default: 5000,
    integer: true,
    min: 1,
    max: 600_000,
    help: "Timeout of one webhook attempt",
  },
  webhookRetries: {
    type: "number",
    env: "ALERT_WEBHOOK_RETRIES",
    default: 2,
    integer: true,
    min: 0,
    max: 10,
    help: "Webhook retries after the first attempt",
  },
} satisfies OptionSpecs;
