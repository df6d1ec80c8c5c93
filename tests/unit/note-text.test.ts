import { describe, expect, it } from "vitest";
import { noteText, type InboxNote } from "@/components/inbox/BotParts";
import { dictionary } from "@/lib/i18n";

const note = (event: InboxNote["event"], body = "English body") => ({ id: "n", kind: "system", author: null, body, event, createdAt: "2026-11-30T00:00:00Z" }) as InboxNote;

describe("system notes in the reader's language", () => {
  const en = dictionary("en").botInbox;
  const es = dictionary("es").botInbox;

  it("a handoff: who, and why (the bot's own words kept as they are)", () => {
    const asked = note({ type: "handoff", bot: "Asistente", cause: "asked", detail: "El cliente pidió una persona" });
    expect(noteText(asked, en)).toBe("Asistente handed the conversation to a person: it asked for a person («El cliente pidió una persona»)");
    expect(noteText(asked, es)).toBe("Asistente pasó la conversación a una persona: pidió una persona («El cliente pidió una persona»)");
    expect(noteText(note({ type: "handoff", bot: null, cause: "failed", detail: "timeout" }), es)).toBe(
      "El bot pasó la conversación a una persona: no respondió tras varios intentos",
    );
  });

  it("takeovers and give-backs; an API key has no name; old notes keep their English body", () => {
    expect(noteText(note({ type: "takeover", by: "María" }), es)).toBe("María tomó la conversación del bot.");
    expect(noteText(note({ type: "takeover", by: null }), en)).toBe("An API integration took over from the bot.");
    expect(noteText(note({ type: "given_back", by: "Ana", bot: "Asistente" }), es)).toBe("Ana devolvió la conversación al bot Asistente.");
    expect(noteText(note({ type: "reply_takeover", agent: null }), en)).toBe("An agent replied and took over from the bot.");
    expect(noteText(note({ type: "reply_takeover", agent: null, apiKey: "CRM" }), en)).toBe("A send through the API (key “CRM”) replied and took over from the bot.");
    expect(noteText(note({ type: "reply_takeover", agent: null, apiKey: "CRM" }), es)).toBe("Un envío por la API (clave «CRM») respondió y tomó la conversación del bot.");
    expect(noteText(note(null, "Older note"), es)).toBe("Older note");
  });
});
