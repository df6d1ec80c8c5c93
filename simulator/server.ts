/**
 * A local Twilio-compatible server: the Messages REST API (create, fetch, list) with Twilio's wire
 * format and errors, signed status callbacks with realistic lifecycles, failures, chaos (reordering,
 * duplicates) and retries, and the customer's role (signed inbound webhooks).
 *
 * Not production code: Hilo starts it in simulator mode (no Twilio credentials, see embedded.ts) and
 * tests use it. This file assembles the parts: rest.ts (the REST routes), lifecycle.ts (statuses,
 * callbacks, faults), phone.ts (the customer's inbound messages), state.ts (what they share).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { SIMULATOR_DEFAULT_PORT } from "./defaults";
import { addExternalMessage, sendStatusCallback } from "./lifecycle";
import { sendInbound } from "./phone";
import { addMediaFile, handleRequest } from "./rest";
import { SimState } from "./state";
import type { Simulator, SimulatorOptions } from "./types";

export type {
  CallbackRecord,
  ChaosOptions,
  CreateFault,
  Delays,
  ExternalMessageInput,
  MediaOptions,
  Outcome,
  SimContentTemplate,
  SimMessage,
  SimRequest,
  SimStatus,
  Simulator,
  SimulatorOptions,
} from "./types";
export { messageJson, rfc2822 } from "./rest";

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState(options);
  const server = createServer((req, res) => {
    handleRequest(state, req, res).catch((err) => {
      if (!res.headersSent) res.writeHead(500, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ code: 20500, message: String(err), more_info: "https://www.twilio.com/docs/errors/20500", status: 500 }));
    });
  });
  server.keepAliveTimeout = 5_000;
  const host = state.opts.host ?? "127.0.0.1";
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(state.opts.port ?? SIMULATOR_DEFAULT_PORT, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  state.url = `http://${urlHost}:${port}`;

  const sim: Simulator = {
    url: state.url,
    port,
    accountSid: state.accountSid,
    authToken: state.authToken,
    whatsappFrom: state.whatsappFrom,
    smsFrom: state.smsFrom,
    messages: state.messages,
    requests: state.requests,
    callbacks: state.callbacks,
    getMessage: (sid) => state.bySid.get(sid),
    addMedia: (messageSid, contentType, data, o = {}) => `${state.url}${addMediaFile(state, messageSid, contentType, data, o)}`,
    addExternalMessage: (input) => addExternalMessage(state, input),
    sendInbound: (input) => sendInbound(state, input),
    sendStatusCallback: (sid, status, o = {}) => sendStatusCallback(state, sid, status, o),

    configure(partial) {
      Object.assign(state.opts, partial);
    },

    idle: (timeoutMs = 30_000) => state.scheduler.idle(timeoutMs),

    reset() {
      state.reset();
    },

    async close() {
      if (state.closed) return;
      state.scheduler.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      state.scheduler.releaseIdle();
    },
  };
  return sim;
}
