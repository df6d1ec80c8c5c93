// The JSON-RPC 2.0 conversation with the Prisma CLI: one JSON object per line on stdin (requests, and
// the CLI's answers to our `print` requests) and stdout (responses, and `print` requests).
import readline from "node:readline";

/**
 * @param {(method: string, params: any, print: (content: string) => Promise<void>) => Promise<any>} handle
 * @param {(error: unknown) => object} toRpcError
 * @returns {Promise<void>} settles when stdin closes and every request is answered
 */
export function serveJsonRpc(handle, toRpcError) {
  const send = (msg) => process.stdout.write(JSON.stringify(msg) + "\n");
  const waiting = new Map(); // our print requests awaiting the CLI's answer
  let nextId = 1;
  const print = (content) =>
    new Promise((resolve) => {
      const id = `print-${nextId++}`;
      waiting.set(id, resolve);
      send({ jsonrpc: "2.0", id, method: "print", params: { content } });
    });

  // Requests run one after the other, as the native engine does.
  let queue = Promise.resolve();
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  lines.on("line", (line) => {
    if (!line.trim()) return;
    let msg;
    try {
      msg = JSON.parse(line);
    } catch {
      send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    if (!msg.method) {
      waiting.get(msg.id)?.();
      waiting.delete(msg.id);
      return;
    }
    queue = queue.then(async () => {
      try {
        const result = await handle(msg.method, msg.params ?? {}, print);
        if (msg.id !== undefined) send({ jsonrpc: "2.0", id: msg.id, result: result ?? {} });
      } catch (err) {
        if (msg.id !== undefined) send({ jsonrpc: "2.0", id: msg.id, error: toRpcError(err) });
      }
    });
  });
  return new Promise((resolve) => lines.on("close", () => queue.then(resolve)));
}
