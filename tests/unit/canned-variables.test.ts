import { describe, expect, it } from "vitest";
import { fillVariables } from "@/lib/canned/variables";

describe("canned response variables", () => {
  const values = { contactName: "Ana", contactPhone: "+573001234567", agentName: "Luis" };
  it("fills the contact's name and phone and the agent's name, whatever the case and spacing", () => {
    expect(fillVariables("Hola {{contact.name}}, soy {{ Agent.Name }}. Tu número: {{contact.phone}}", values)).toBe(
      "Hola Ana, soy Luis. Tu número: +573001234567",
    );
  });
  it("drops a variable without a value together with the space before it; keeps unknown ones", () => {
    expect(fillVariables("Hola {{contact.name}}, ¿cómo estás?", { ...values, contactName: null })).toBe("Hola, ¿cómo estás?");
    expect(fillVariables("Pedido {{order.id}}", values)).toBe("Pedido {{order.id}}");
  });
});
