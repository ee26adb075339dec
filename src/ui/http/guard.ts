import type { MiddlewareHandler } from "hono";
import { ConsoleError } from "./errors.js";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Whether `host` (an address to listen on) is a loopback address. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return bare === "localhost" || bare === "::1" || /^127(\.\d{1,3}){3}$/.test(bare);
}

/** The host name of a `Host` header, without its port. */
function hostName(header: string): string {
  const value = header.trim().toLowerCase();
  if (value.startsWith("[")) return value.slice(0, value.indexOf("]") + 1);
  return value.replace(/:\d*$/, "");
}

export interface GuardOptions {
  /**
   * Answer only requests whose `Host` names a loopback address (`localhost`, `127.x.x.x`,
   * `[::1]`): on a loopback-bound console this refuses DNS-rebinding pages, whose
   * requests look same-origin to the browser. Set when the console listens on loopback.
   */
  loopbackOnly: boolean;
}

/**
 * Refuses requests that must not reach a handler: a `Host` that is not loopback on a
 * loopback console (403 `host_not_allowed`), and a state-changing request (anything but
 * GET/HEAD/OPTIONS) sent by another site — `Sec-Fetch-Site` other than `same-origin` or
 * `none`, or an `Origin` other than the console's own (403 `cross_site_request`). Requests
 * with neither header (curl, `npm run pipeline -- clear`) are programs, not pages: allowed.
 */
export function requestGuard({ loopbackOnly }: GuardOptions): MiddlewareHandler {
  return async (c, next) => {
    const host = c.req.header("Host");
    if (loopbackOnly && host !== undefined && !isLoopback(hostName(host))) {
      throw new ConsoleError(
        403,
        "host_not_allowed",
        "this console answers only requests addressed to localhost, 127.0.0.1 or [::1]",
      );
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const site = c.req.header("Sec-Fetch-Site");
      const origin = c.req.header("Origin");
      const own = new URL(c.req.url).origin;
      let sameOrigin = origin === undefined;
      if (origin !== undefined && origin !== "null") {
        try {
          sameOrigin = new URL(origin).origin === own;
        } catch {
          sameOrigin = false;
        }
      }
      if ((site !== undefined && site !== "same-origin" && site !== "none") || !sameOrigin) {
        throw new ConsoleError(
          403,
          "cross_site_request",
          `${c.req.method} from another site is refused; use the console's own pages`,
        );
      }
    }
    await next();
  };
}
