// A step in plain JavaScript: the default export is the step object (no defineStep needed).
import Database from "better-sqlite3";

export default {
  description: "The clients of the sales database",
  consumes: [],
  produces: ["clientes"],
  run(_inputs, ctx) {
    const path = ctx.env.DB_PATH || "database/empresa.db";
    let db;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new Error(
        `${path}: cannot read the sales database (${error.message}); run \`npm run etl\` first`,
      );
    }
    try {
      const clientes = db
        .prepare("SELECT cliente_id, nombre, ciudad FROM clientes ORDER BY cliente_id")
        .all();
      return { clientes };
    } finally {
      db.close();
    }
  },
};
