import { ApiError } from "@/lib/api/errors";
import type { Principal } from "@/lib/auth/request";
import type { NoteWriter } from "./notes";

/** Who writes or deletes a note: the signed-in user, or null for an API key. */
export function noteWriter(principal: Principal): NoteWriter {
  return principal.type === "user" ? { id: principal.user.id, role: principal.user.role } : null;
}

/** Mentions belong to a person: the signed-in user's id (routes refuse API keys before this). */
export function signedInUserId(principal: Principal): string {
  if (principal.type !== "user") throw new ApiError(403, "forbidden", "Mentions belong to signed-in users.");
  return principal.user.id;
}
