/** Formatting shared by the server's first paint and the client's updates. */

/** 1234567 → "1,234,567". */
export function count(n: number): string {
  return Math.round(n).toLocaleString("en-US");
}

/** Bytes as "812 B", "14.2 KB", "3.1 MB". */
export function bytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** A duration in ms as "0.4 ms", "38 ms", "2.1 s", "3 min 20 s". */
export function duration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "";
  if (ms < 1) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

/** An ISO timestamp as "2025-01-31 14:05:09" (the reader's local time), or "" if none. */
export function time(iso: string | null | undefined): string {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** How long ago an ISO timestamp was, relative to `now`: "just now", "5 min ago", "3 h ago", "2 days ago". */
export function ago(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const ms = now - new Date(iso).getTime();
  if (!Number.isFinite(ms)) return "";
  if (ms < 45_000) return "just now";
  if (ms < 3_600_000) return `${Math.round(ms / 60_000)} min ago`;
  if (ms < 86_400_000) return `${Math.round(ms / 3_600_000)} h ago`;
  return `${Math.round(ms / 86_400_000)} days ago`;
}

/** A span of time in words: "12 s", "3 min", "2 h 5 min", "3 days". */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) {
    const m = Math.floor(s / 60);
    return s < 600 && s % 60 !== 0 ? `${m} min ${s % 60} s` : `${m} min`;
  }
  if (s < 86_400) {
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return m ? `${h} h ${m} min` : `${h} h`;
  }
  const d = Math.floor(s / 86_400);
  return `${d} ${d === 1 ? "day" : "days"}`;
}

export type TickKind = "ago" | "until" | "elapsed" | "uptime";

/** The text of a moving time: "3 min ago", "in 2 min 10 s", "12 s" (elapsed), "up 2 h". */
export function tickText(kind: TickKind, iso: string, now = Date.now()): string {
  const at = Date.parse(iso);
  if (!Number.isFinite(at)) return "";
  switch (kind) {
    case "ago":
      return now - at < 2000 ? "just now" : `${span(now - at)} ago`;
    case "until":
      return at - now <= 500 ? "due now" : `in ${span(at - now)}`;
    case "elapsed":
      return span(now - at);
    case "uptime":
      return `up ${span(now - at)}`;
  }
}
