import { dbPathOption } from "../cli/options.js";
import type { OptionSpecs } from "../config.js";

/** The options of `npm run api`: flags, environment variables, defaults. */
export const API_OPTIONS = {
  port: {
    type: "number",
    flag: "port",
    env: "PORT",
    default: 5000,
    arg: "N",
    help: "Port to listen on",
  },
  host: {
    type: "string",
    flag: "host",
    env: "HOST",
    default: "127.0.0.1",
    arg: "ADDR",
    help: "Address to listen on (0.0.0.0 for every interface)",
  },
  dbPath: dbPathOption("SQLite database to serve (opened read-only)"),
  shutdownMs: {
    type: "number",
    env: "SHUTDOWN_TIMEOUT_MS",
    default: 10000,
    help: "How long in-flight requests may run after SIGTERM/SIGINT",
  },
} satisfies OptionSpecs;
