import path from "node:path";
import { defineConfig } from "prisma/config";

// With DATABASE_URL unset, Hilo uses its embedded database (PGlite) in HILO_DATA_DIR or ./.data/pglite.
// The Prisma CLI reaches it through Hilo's offline schema engine as `pglite:<directory>`
// (`pglite:memory` is a throwaway in-memory database). See docs/migrations.md.
const embedded = `pglite:${path.resolve(process.env.HILO_DATA_DIR || path.join(".data", "pglite"))}`;

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  datasource: {
    url: process.env.DATABASE_URL || embedded,
    ...(process.env.SHADOW_DATABASE_URL ? { shadowDatabaseUrl: process.env.SHADOW_DATABASE_URL } : {}),
  },
});
