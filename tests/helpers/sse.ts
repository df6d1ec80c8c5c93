export interface SseFrame {
  id?: string;
  event: string;
  data: Record<string, unknown>;
}

/** Reads Server-Sent Events frames from a stream, as a browser's EventSource would. */
export function sseReader(stream: ReadableStream<Uint8Array>) {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const frames: SseFrame[] = [];
  let waiters: (() => void)[] = [];
  let done = false;
  void (async () => {
    for (;;) {
      const { value, done: end } = await reader.read().catch(() => ({ value: undefined, done: true as const }));
      if (end) break;
      buffer += decoder.decode(value, { stream: true });
      let i: number;
      while ((i = buffer.indexOf("\n\n")) >= 0) {
        const raw = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        const f: Partial<SseFrame> & { dataText?: string } = {};
        for (const line of raw.split("\n")) {
          if (line.startsWith("id: ")) f.id = line.slice(4);
          else if (line.startsWith("event: ")) f.event = line.slice(7);
          else if (line.startsWith("data: ")) f.dataText = line.slice(6);
        }
        if (f.event) frames.push({ id: f.id, event: f.event, data: JSON.parse(f.dataText ?? "{}") });
      }
      const w = waiters;
      waiters = [];
      w.forEach((fn) => fn());
    }
    done = true;
  })();
  return {
    frames,
    /** Waits until a frame matching `pred` has arrived (or fails after `ms`). */
    async waitFor(pred: (f: SseFrame) => boolean, ms = 5_000): Promise<SseFrame> {
      const deadline = Date.now() + ms;
      for (;;) {
        const hit = frames.find(pred);
        if (hit) return hit;
        if (done || Date.now() > deadline) throw new Error(`no matching event; got ${JSON.stringify(frames.map((f) => f.event))}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 100);
        });
      }
    },
    /** Waits until the server ends the stream (or fails after `ms`). */
    async waitClosed(ms = 5_000): Promise<void> {
      const deadline = Date.now() + ms;
      while (!done) {
        if (Date.now() > deadline) throw new Error(`the stream is still open after ${ms} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    get closed() {
      return done;
    },
    cancel: () => reader.cancel(),
  };
}

