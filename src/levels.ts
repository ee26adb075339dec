/** The log levels, most severe first (winston's npm levels). No imports: cheap to load. */
export const LEVELS = ["error", "warn", "info", "http", "verbose", "debug", "silly"] as const;
export type Level = (typeof LEVELS)[number];
