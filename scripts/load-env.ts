// Imported first by every command-line tool: loads the .env files of the current directory the way
// Next.js does for the server (`.env.production.local`, `.env.local`, `.env.production`, `.env`; a
// variable already set in the environment wins), so a CLI uses the same database as the app.
import { loadEnvConfig } from "@next/env";

loadEnvConfig(process.cwd(), false, { info: () => {}, error: (...args: unknown[]) => console.error(...args) });
