"use client";

import { useEffect } from "react";

/** How often the page tries again by itself (the database reconnects in the background). */
const RETRY_EVERY_MS = 10_000;

/**
 * What a page shows when it cannot be rendered — most often because the database is restarting or out of
 * reach (Hilo reconnects by itself). In both languages: the failure may be the very lookup of the user's
 * language. The page tries again every 10 seconds and on "Try again"; the reference is the error's digest,
 * the same as in the server's log.
 */
export default function PageError({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && "digest" in error && typeof error.digest === "string" ? error.digest : null;
  useEffect(() => {
    console.error(error);
  }, [error]);
  useEffect(() => {
    const timer = setInterval(retry, RETRY_EVERY_MS);
    return () => clearInterval(timer);
  }, [retry]);
  return (
    <main className="flex min-h-screen items-center justify-center p-6">
      <section role="alert" aria-labelledby="page-error-en" className="w-full max-w-lg rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <div lang="en">
          <h1 id="page-error-en" className="text-lg font-semibold text-slate-900">
            Hilo could not load this page
          </h1>
          <p className="mt-2 text-sm text-slate-600">
            The database may be restarting or out of reach; Hilo reconnects by itself. This page tries again every 10 seconds.
          </p>
        </div>
        <div lang="es" className="mt-4 border-t border-slate-100 pt-4">
          <h2 className="text-lg font-semibold text-slate-900">Hilo no pudo cargar esta página</h2>
          <p className="mt-2 text-sm text-slate-600">
            Puede que la base de datos se esté reiniciando o no esté al alcance; Hilo se reconecta solo. Esta página lo vuelve a
            intentar cada 10 segundos.
          </p>
        </div>
        <div className="mt-5 flex items-center justify-between gap-4">
          <button
            type="button"
            onClick={() => retry()}
            className="rounded-md bg-emerald-700 px-4 py-2 text-sm font-medium text-white hover:bg-emerald-800 focus-visible:outline focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-emerald-700"
          >
            <span lang="en">Try again</span> · <span lang="es">Reintentar</span>
          </button>
          {digest && <p className="text-xs text-slate-400">ref {digest}</p>}
        </div>
      </section>
    </main>
  );
}
