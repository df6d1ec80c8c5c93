// `npm run db:migrate`: applies pending migrations (prisma/migrations) to DATABASE_URL, or to the
// embedded database when it is unset (stop the app first: only one process may open PGlite).
import "./load-env";
import { getConfig } from "../lib/config";
import { openDatabase } from "../lib/db";

async function main() {
  const { databaseUrl: url, directDatabaseUrl } = getConfig();
  const db = await openDatabase({
    url,
    // Migrations need a real session (their advisory lock): straight to PostgreSQL, not through PgBouncer.
    directUrl: directDatabaseUrl,
    dataDir: process.env.HILO_DATA_DIR || undefined,
    log: (msg) => console.log(msg),
  });
  try {
    const [{ count }] = await db.sql.query<{ count: string }>(
      `SELECT count(*)::text AS count FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL`,
    );
    console.log(`${url ? "PostgreSQL" : "embedded database"} is up to date (${count} migrations applied).`);
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
