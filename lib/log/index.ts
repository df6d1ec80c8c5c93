import pino from "pino";

const KEY = Symbol.for("hilo.logger");
type Holder = { logger?: pino.Logger };
const holder = ((globalThis as Record<symbol, unknown>)[KEY] ??= {}) as Holder;

/** The process logger (JSON lines; LOG_LEVEL sets the level, default info; silent under tests). */
export function logger(): pino.Logger {
  holder.logger ??= pino({
    level: process.env.LOG_LEVEL ?? (process.env.VITEST ? "silent" : "info"),
    base: { app: "hilo" },
  });
  return holder.logger;
}
