// Loads Prisma's schema engine compiled to WebAssembly (@prisma/schema-engine-wasm). Its package entry
// imports the .wasm file as an ES module, which Node 20 cannot do, so we instantiate it by hand.
import { readFile } from "node:fs/promises";

let loaded;

/** @returns {Promise<typeof import("@prisma/schema-engine-wasm")>} */
export function loadSchemaEngineWasm() {
  loaded ??= (async () => {
    const bgUrl = import.meta.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bg = await import(bgUrl);
    const bytes = await readFile(new URL("schema_engine_bg.wasm", bgUrl));
    const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
    bg.__wbg_set_wasm(instance.exports);
    instance.exports.__wbindgen_start();
    return bg;
  })();
  return loaded;
}
