import { type Html, html } from "./html.js";

/** What a section that is not built yet will show, and the command that will drive it. */
export interface Coming {
  title: string;
  what: string;
  command: string;
}

/** A "not built yet" page: what the section will show, not a 404. */
export function comingMain(coming: Coming): Html {
  return html`<div class="coming"><span class="soon">Not built yet</span><h1>${coming.title}</h1><p>${coming.what}</p><p>It will be driven by <code>${coming.command}</code> and appear here, live, without restarting the console.</p><p><a href="/">Back to the overview</a></p></div>`;
}
