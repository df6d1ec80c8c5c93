/**
 * A URL's query parameters as an object, for validation by a zod schema: an empty value is absent,
 * and of a repeated parameter the last non-empty value counts.
 */
export function queryObject(params: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of params) if (v !== "") out[k] = v;
  return out;
}
