import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, getConfig, loadConfig, registerSimulatorDefaults } from "@/lib/config";
import { SIMULATOR_CONFIG_DEFAULTS } from "@/simulator/defaults";

describe("loadConfig", () => {
  it("reads the environment: token rotation list, defaults, no trailing slashes", () => {
    const c = loadConfig({
      TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
      TWILIO_AUTH_TOKEN: " first , second,,first ",
      TWILIO_API_BASE_URL: "http://127.0.0.1:3999/",
      TWILIO_WHATSAPP_FROM: "whatsapp:+14155238886",
      TWILIO_SMS_FROM: "+15551234567",
      PORT: "4100",
    });
    expect(c.twilio).toMatchObject({
      accountSid: "AC0123456789abcdef0123456789abcdef",
      authTokens: ["first", "second"],
      apiBaseUrl: "http://127.0.0.1:3999",
      whatsappFrom: "whatsapp:+14155238886",
      smsFrom: "+15551234567",
    });
    expect(c.twilio.messagingServiceSid).toBeUndefined();
    expect(c.publicBaseUrl).toBe("http://localhost:4100");
    expect(c.simulator.enabled).toBe(false);
  });

  it("bots may reach this machine and private networks in simulator mode only, unless BOTS_ALLOW_PRIVATE_NETWORK says otherwise", () => {
    const twilio = { TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "t".repeat(32), TWILIO_WHATSAPP_FROM: "whatsapp:+14155238886" };
    expect(loadConfig({})).toMatchObject({ botsAllowPrivateNetwork: true, demoBot: true });
    expect(loadConfig(twilio)).toMatchObject({ botsAllowPrivateNetwork: false, demoBot: false });
    expect(loadConfig({ ...twilio, BOTS_ALLOW_PRIVATE_NETWORK: "true" }).botsAllowPrivateNetwork).toBe(true);
    // The demo bot's fakes run on this machine: no demo bot where bots may not reach them.
    expect(loadConfig({ BOTS_ALLOW_PRIVATE_NETWORK: "false" })).toMatchObject({ botsAllowPrivateNetwork: false, demoBot: false });
    expect(() => loadConfig({ BOTS_ALLOW_PRIVATE_NETWORK: "yes" })).toThrow(/BOTS_ALLOW_PRIVATE_NETWORK must be 'true' or 'false'/);
  });

  it("reads TRUST_PROXY and the reconciliation bound once, for everyone", () => {
    expect(loadConfig({}).trustProxyHops).toBe(0);
    expect(loadConfig({ TRUST_PROXY: "true" }).trustProxyHops).toBe(1);
    expect(loadConfig({ TRUST_PROXY: "2" }).trustProxyHops).toBe(2);
    expect(() => loadConfig({ TRUST_PROXY: "yes" })).toThrow(/TRUST_PROXY: TRUST_PROXY must be true, false or the number of proxies/);
    expect(loadConfig({}).sendReconcileGiveUpSeconds).toBe(600);
    expect(loadConfig({ SEND_RECONCILE_GIVE_UP_SECONDS: "120" }).sendReconcileGiveUpSeconds).toBe(120);
    // Outside 60 s – 7 days, or not a whole number: the default.
    for (const v of ["59", "604801", "1.5", "soon", ""]) expect(loadConfig({ SEND_RECONCILE_GIVE_UP_SECONDS: v }).sendReconcileGiveUpSeconds, v).toBe(600);
    // Background jobs and bots: bounded, the default outside the bounds.
    expect(loadConfig({}).jobsConcurrency).toBe(32);
    expect(loadConfig({ JOBS_CONCURRENCY: "8" }).jobsConcurrency).toBe(8);
    for (const v of ["0", "201", "x"]) expect(loadConfig({ JOBS_CONCURRENCY: v }).jobsConcurrency, v).toBe(32);
    expect(loadConfig({}).botDebounceMs).toBe(3000);
    expect(loadConfig({ BOT_DEBOUNCE_MS: "0" }).botDebounceMs).toBe(0);
    for (const v of ["-1", "30001", "soon"]) expect(loadConfig({ BOT_DEBOUNCE_MS: v }).botDebounceMs, v).toBe(3000);
  });

  it("reads the direct database URL and the graceful-stop bounds", () => {
    expect(loadConfig({}).directDatabaseUrl).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: "postgresql://h/db?pgbouncer=true" }).directDatabaseUrl).toBe("postgresql://h/db?pgbouncer=true");
    expect(loadConfig({ DATABASE_URL: "postgresql://pooler/db?pgbouncer=true", DIRECT_DATABASE_URL: "postgresql://h/db" }).directDatabaseUrl).toBe("postgresql://h/db");
    expect(loadConfig({}).shutdown).toEqual({ drainDelaySeconds: 0, timeoutSeconds: 30 });
    expect(loadConfig({ SHUTDOWN_DRAIN_DELAY_SECONDS: "5", SHUTDOWN_TIMEOUT_SECONDS: " " }).shutdown).toEqual({ drainDelaySeconds: 5, timeoutSeconds: 30 });
    expect(() => loadConfig({ SHUTDOWN_TIMEOUT_SECONDS: "0" })).toThrow(/SHUTDOWN_TIMEOUT_SECONDS must be a number of seconds \(1–600\)/);
    expect(() => loadConfig({ SHUTDOWN_DRAIN_DELAY_SECONDS: "soon" })).toThrow(/SHUTDOWN_DRAIN_DELAY_SECONDS must be a number of seconds/);
  });

  it("treats blank values as unset and reports invalid ones by name", () => {
    const c = loadConfig({ TWILIO_ACCOUNT_SID: "", TWILIO_AUTH_TOKEN: " ", PUBLIC_BASE_URL: "https://inbox.example.com/" });
    expect(c.simulator.enabled).toBe(true);
    expect(c.twilio.authTokens).toEqual([]);
    expect(c.publicBaseUrl).toBe("https://inbox.example.com");
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: "XX123" })).toThrow(ConfigError);
    expect(() => loadConfig({ TWILIO_ACCOUNT_SID: "XX123" })).toThrow(/TWILIO_ACCOUNT_SID/);
    expect(() => loadConfig({ PUBLIC_BASE_URL: "inbox.example.com" })).toThrow(/PUBLIC_BASE_URL/);
  });

  it("without credentials, talks to the simulator with the defaults it is handed", () => {
    const c = loadConfig({ PORT: "4100", TWILIO_SMS_FROM: "+15551234567" }, { simulatorDefaults: SIMULATOR_CONFIG_DEFAULTS });
    expect(c.simulator).toEqual({ enabled: true, port: 4101 });
    expect(c.twilio).toEqual({
      accountSid: SIMULATOR_CONFIG_DEFAULTS.accountSid,
      authTokens: [SIMULATOR_CONFIG_DEFAULTS.authToken],
      apiBaseUrl: "http://127.0.0.1:4101",
      whatsappFrom: SIMULATOR_CONFIG_DEFAULTS.whatsappFrom,
      smsFrom: "+15551234567",
      messagingServiceSid: undefined,
    });
    // Credentials win over the simulator's.
    const real = loadConfig({ TWILIO_ACCOUNT_SID: `AC${"1".repeat(32)}`, TWILIO_AUTH_TOKEN: "t" }, { simulatorDefaults: SIMULATOR_CONFIG_DEFAULTS });
    expect(real.twilio).toMatchObject({ accountSid: `AC${"1".repeat(32)}`, authTokens: ["t"], apiBaseUrl: undefined, whatsappFrom: undefined });
  });
});

describe("getConfig", () => {
  const saved = { sid: process.env.TWILIO_ACCOUNT_SID, token: process.env.TWILIO_AUTH_TOKEN };
  afterEach(() => {
    process.env.TWILIO_ACCOUNT_SID = saved.sid ?? "";
    process.env.TWILIO_AUTH_TOKEN = saved.token ?? "";
  });

  it("uses the simulator defaults registered by whoever runs the simulator", () => {
    process.env.TWILIO_ACCOUNT_SID = "";
    process.env.TWILIO_AUTH_TOKEN = "";
    registerSimulatorDefaults(SIMULATOR_CONFIG_DEFAULTS);
    expect(getConfig().twilio).toMatchObject({ accountSid: SIMULATOR_CONFIG_DEFAULTS.accountSid, authTokens: [SIMULATOR_CONFIG_DEFAULTS.authToken] });
    process.env.TWILIO_ACCOUNT_SID = `AC${"2".repeat(32)}`;
    process.env.TWILIO_AUTH_TOKEN = "a,b";
    expect(getConfig().twilio).toMatchObject({ accountSid: `AC${"2".repeat(32)}`, authTokens: ["a", "b"] });
  });
});
