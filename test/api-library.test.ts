import { join } from "node:path";
import { describe, expect, it } from "vitest";
import * as api from "../src/api/index.js";
import { runEtl } from "../src/etl/run.js";
import { ROOT } from "./helpers/cli.js";
import { tempDir } from "./helpers/tmp.js";

describe("empresa-etl/api as a library", () => {
  it("exports what a consumer needs to serve the API from their own code", () => {
    expect(Object.keys(api).sort()).toEqual(
      [
        "API_OPTIONS",
        "apiCommand",
        "SalesStore",
        "createApp",
        "listen",
        "setupApi",
        "shutdown",
        "SUMMARY_PARAMS",
      ].sort(),
    );
  });

  it("serves the summary on a real port as the @example shows, then shuts down", async () => {
    const dbPath = join(tempDir(), "empresa.db");
    await runEtl({ dataDir: join(ROOT, "data"), dbPath });

    const store = new api.SalesStore(dbPath);
    const app = api.createApp({ store });
    const { server, port } = await api.listen(app, 0, "127.0.0.1");
    expect(server.address()).toMatchObject({ address: "127.0.0.1" });
    const res = await fetch(`http://127.0.0.1:${port}/ventas/resumen_por_categoria?ciudad=Cali`);
    expect(res.status).toBe(200);
    expect(Object.keys(await res.json()).length).toBeGreaterThan(0);
    let closed = false;
    await api.shutdown(server, 1000, undefined, () => {
      store.close();
      closed = true;
    });
    expect(closed).toBe(true);
    expect(server.listening).toBe(false);
  });
});
