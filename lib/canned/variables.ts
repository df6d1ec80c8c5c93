/**
 * Fills a canned response's `{{contact.name}}`, `{{contact.phone}}` and `{{agent.name}}` (case and spaces
 * inside the braces ignored). A variable without a value disappears with the space before it ("Hola
 * {{contact.name}}," → "Hola,"); unknown variables stay as written. No imports: the composer uses it.
 */
export function fillVariables(text: string, values: { contactName: string | null; contactPhone: string | null; agentName: string }): string {
  const known: Record<string, string> = {
    "contact.name": values.contactName?.trim() ?? "",
    "contact.phone": values.contactPhone ?? "",
    "agent.name": values.agentName.trim(),
  };
  return text.replace(/( ?)\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/gi, (whole, space: string, name: string) => {
    const value = known[name.toLowerCase()];
    if (value === undefined) return whole;
    return value ? `${space}${value}` : "";
  });
}
