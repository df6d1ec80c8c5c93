import { describe, expect, it } from "vitest";
import { missingVariables, nameVariable, placeholdersOf, renderTemplateText, toMessageTemplate } from "@/lib/twilio/template-content";
import { RedirectingRequestClient } from "@/lib/twilio/client";
import { filterTemplates } from "@/lib/twilio/templates";

describe("renderTemplateText", () => {
  it("fills numbered and named placeholders (spaces inside the braces allowed), leaving unknown or empty ones as written", () => {
    expect(renderTemplateText("Hola {{1}}, tu cita es el {{ 2 }}.", { "1": "Ana", "2": "lunes" })).toBe("Hola Ana, tu cita es el lunes.");
    expect(renderTemplateText("Hi {{first_name}} {{2}}", { first_name: "Ann", "2": "" })).toBe("Hi Ann {{2}}");
    expect(renderTemplateText("{{1}}{{1}}", { "1": "x" })).toBe("xx");
  });

  it("inserts values literally (no replacement patterns) and ignores inherited keys", () => {
    expect(renderTemplateText("A {{1}} B", { "1": "$& $1 {{2}}" })).toBe("A $& $1 {{2}} B");
    expect(renderTemplateText("{{constructor}} {{toString}}", {})).toBe("{{constructor}} {{toString}}");
  });

  it("finds placeholders in order, once each", () => {
    expect(placeholdersOf("{{2}} {{1}} {{2}} {{name}} {{bad key}}")).toEqual(["2", "1", "name"]);
  });
});

describe("toMessageTemplate", () => {
  it("prefers the rich type over the text fallback and reads variables from every field, with Twilio's samples", () => {
    const t = toMessageTemplate(
      {
        sid: "HX1",
        friendly_name: "confirm",
        language: "en",
        variables: { "1": "Ann" },
        types: {
          "twilio/text": { body: "Fallback {{1}}" },
          "twilio/call-to-action": { body: "Hi {{1}}", actions: [{ type: "URL", title: "Open", url: "https://x.example/{{3}}" }, { title: 7 }] },
        },
      },
      "UTILITY",
    );
    expect(t).toEqual({
      sid: "HX1",
      name: "confirm",
      language: "en",
      category: "UTILITY",
      body: "Hi {{1}}",
      variables: { "1": "Ann", "3": "" },
      kind: "call-to-action",
      buttons: [{ type: "URL", title: "Open", url: "https://x.example/{{3}}" }],
    });
    expect(missingVariables(t!, { "1": "Ann" })).toEqual(["3"]);
    expect(missingVariables(t!, { "1": "Ann", "3": "q" })).toEqual([]);
  });

  it("shows a card as its title and subtitle, and skips content without a known type", () => {
    expect(toMessageTemplate({ sid: "HX2", types: { "twilio/card": { title: "Order {{1}}", subtitle: "Thanks" } } }, null)).toMatchObject({
      name: "HX2",
      kind: "card",
      body: "Order {{1}}\nThanks",
      variables: { "1": "" },
    });
    expect(toMessageTemplate({ sid: "HX3", types: { "twilio/unknown": { body: "x" } } }, null)).toBeNull();
    expect(toMessageTemplate({ sid: "HX4", types: "nope" }, null)).toBeNull();
  });
});

describe("filterTemplates", () => {
  const base = { sid: "HX", category: null, body: "", variables: {}, kind: "text" };
  const all = [
    { ...base, name: "recordatorio_cita", language: "es" },
    { ...base, name: "Promoción", language: "es_MX" },
    { ...base, name: "order", language: "en" },
  ];
  it("matches names without accents or case, and a language with its regional variants", () => {
    expect(filterTemplates(all, { q: "PROMOCION" }).map((t) => t.name)).toEqual(["Promoción"]);
    expect(filterTemplates(all, { language: "es" }).map((t) => t.name)).toEqual(["recordatorio_cita", "Promoción"]);
    expect(filterTemplates(all, { language: "es-MX" }).map((t) => t.name)).toEqual(["Promoción"]);
  });
});

describe("nameVariable", () => {
  const t = (body: string, keys: string[]) => ({ body, variables: Object.fromEntries(keys.map((k) => [k, ""])) });
  it("finds a named variable, or the one right after a greeting", () => {
    expect(nameVariable(t("Your code {{1}}, {{first_name}}", ["1", "first_name"]))).toBe("first_name");
    expect(nameVariable(t("Hola {{1}}, te recordamos tu cita el {{2}}.", ["1", "2"]))).toBe("1");
    expect(nameVariable(t("¡Hola, {{2}}! Pedido {{1}}", ["2", "1"]))).toBe("2");
    expect(nameVariable(t("Your order {{1}} shipped", ["1"]))).toBeNull();
    expect(nameVariable(t("Chilean {{1}}", ["1"]))).toBeNull();
  });
});

describe("RedirectingRequestClient (simulator mode)", () => {
  it("re-targets the Content API's absolute URLs by parsing them, keeping path and query", () => {
    const client = new RedirectingRequestClient("http://127.0.0.1:3001");
    expect(client.rewrite("https://content.twilio.com/v1/ContentAndApprovals?PageSize=100&Page=1&PageToken=PAHX1")).toBe(
      "http://127.0.0.1:3001/v1/ContentAndApprovals?PageSize=100&Page=1&PageToken=PAHX1",
    );
    expect(client.rewrite("https://content.twilio.com.evil.example:8443/v1/Content/HX1")).toBe("http://127.0.0.1:3001/v1/Content/HX1");
  });
});
