/** Plain-language explanations and fixes for the Twilio error codes agents meet most. */
export interface TwilioErrorExplanation {
  code: number;
  title: string;
  explanation: string;
  fix: string;
  moreInfo: string;
}

type Entry = { title: string; explanation: string; fix: string };

const EN: Record<number, Entry> = {
  11200: { title: "Webhook request failed", explanation: "Twilio could not get a valid answer from the webhook URL.", fix: "Check that the app is reachable at PUBLIC_BASE_URL and answers within 15 seconds." },
  21211: { title: "Invalid 'To' number", explanation: "The recipient's phone number is not a valid phone number.", fix: "Correct the number and write it in international format, e.g. +573001234567." },
  21408: { title: "Region not enabled", explanation: "Your Twilio account is not allowed to send messages to this country.", fix: "Enable the destination country in the Twilio Console under Messaging → Settings → Geo permissions." },
  21610: { title: "Recipient unsubscribed", explanation: "The recipient replied STOP and has opted out of your messages.", fix: "Do not message them again unless they reply START to opt back in." },
  21614: { title: "Not a mobile number", explanation: "The 'To' number cannot receive SMS (for example, a landline).", fix: "Ask the contact for a mobile number, or reach them on another channel." },
  30001: { title: "Queue overflow", explanation: "Too many messages were queued at once for this sender.", fix: "Send more slowly or add senders to a Messaging Service; then resend." },
  30002: { title: "Account suspended", explanation: "Your Twilio account is suspended, so the message was not sent.", fix: "Check the Twilio Console and contact Twilio support." },
  30003: { title: "Unreachable handset", explanation: "The recipient's phone is off, out of coverage or cannot receive messages right now.", fix: "Try again later or contact the person by another channel." },
  30004: { title: "Message blocked", explanation: "The recipient or their carrier blocked the message.", fix: "Confirm the person wants your messages; they may have blocked your number." },
  30005: { title: "Unknown destination", explanation: "The number does not exist or is no longer in service.", fix: "Check the number with the contact and update it." },
  30006: { title: "Landline or unreachable carrier", explanation: "The number is a landline or its carrier cannot receive messages.", fix: "Use a mobile number for this contact." },
  30007: { title: "Filtered as spam", explanation: "The carrier filtered the message as spam or unwanted content.", fix: "Avoid link shorteners and spam-like wording; register your sender (A2P 10DLC / toll-free verification)." },
  30008: { title: "Unknown delivery error", explanation: "The carrier reported a failure without saying why.", fix: "Try again later; if it keeps failing, contact Twilio support with the message SID." },
  30034: { title: "Unregistered US A2P 10DLC number", explanation: "US carriers block messages from 10-digit numbers not registered for A2P 10DLC.", fix: "Register your brand and campaign in the Twilio Console (A2P 10DLC) and add the number to it." },
  63003: { title: "Invalid WhatsApp recipient", explanation: "The recipient's number is not on WhatsApp, or the address is wrong.", fix: "Check the number; reach the person by SMS if they do not use WhatsApp." },
  63007: { title: "WhatsApp sender not found", explanation: "Twilio has no WhatsApp channel for the 'From' address: the sender is not approved or is misconfigured.", fix: "Check TWILIO_WHATSAPP_FROM and that the sender is approved in the Twilio Console." },
  63014: { title: "Blocked by the user", explanation: "The recipient blocked your business on WhatsApp.", fix: "Do not retry; the person must unblock your business first." },
  63016: { title: "Outside the 24-hour window", explanation: "The customer has not written in the last 24 hours, so free-form WhatsApp messages are not allowed.", fix: "Send an approved template (ContentSid) instead; free text is allowed again after they reply." },
  63018: { title: "WhatsApp rate limit", explanation: "Messages were sent faster than WhatsApp allows for this sender.", fix: "Slow down and resend; throughput grows with the sender's quality and tier." },
  63019: { title: "Media download failed", explanation: "WhatsApp could not download the attached media.", fix: "Make sure the media URL is public, answers quickly and has a supported type and size." },
  63021: { title: "Invalid content", explanation: "WhatsApp rejected the message content or template variables.", fix: "Check the template (ContentSid) and that every variable is filled with valid text." },
  63024: { title: "Invalid message recipient", explanation: "WhatsApp could not deliver to this recipient (for example, an outdated app or an ineligible account).", fix: "Ask the person to update WhatsApp, or use SMS." },
  63032: { title: "User's number is part of an experiment", explanation: "Meta did not deliver this marketing message because the user is in a marketing-message experiment group.", fix: "Nothing to fix on your side; use a utility template or another channel if the message is important." },
};

const ES: Record<number, Entry> = {
  11200: { title: "Falló la petición al webhook", explanation: "Twilio no obtuvo una respuesta válida de la URL del webhook.", fix: "Comprueba que la app responde en PUBLIC_BASE_URL en menos de 15 segundos." },
  21211: { title: "Número 'To' no válido", explanation: "El número del destinatario no es un número de teléfono válido.", fix: "Corrige el número y escríbelo en formato internacional, p. ej. +573001234567." },
  21408: { title: "Región no habilitada", explanation: "Tu cuenta de Twilio no puede enviar mensajes a este país.", fix: "Habilita el país en la consola de Twilio: Messaging → Settings → Geo permissions." },
  21610: { title: "El destinatario se dio de baja", explanation: "El destinatario respondió STOP y no quiere recibir tus mensajes.", fix: "No le escribas de nuevo salvo que responda START para volver a suscribirse." },
  21614: { title: "No es un número móvil", explanation: "El número no puede recibir SMS (por ejemplo, un fijo).", fix: "Pide un número móvil o usa otro canal." },
  30001: { title: "Cola desbordada", explanation: "Se encolaron demasiados mensajes a la vez para este remitente.", fix: "Envía más despacio o añade remitentes a un Messaging Service y reenvía." },
  30002: { title: "Cuenta suspendida", explanation: "Tu cuenta de Twilio está suspendida y el mensaje no se envió.", fix: "Revisa la consola de Twilio y contacta con su soporte." },
  30003: { title: "Teléfono inalcanzable", explanation: "El teléfono del destinatario está apagado, sin cobertura o no puede recibir mensajes ahora.", fix: "Inténtalo más tarde o contacta a la persona por otro canal." },
  30004: { title: "Mensaje bloqueado", explanation: "El destinatario o su operador bloqueó el mensaje.", fix: "Confirma que la persona quiere tus mensajes; puede haber bloqueado tu número." },
  30005: { title: "Destino desconocido", explanation: "El número no existe o ya no está en servicio.", fix: "Verifica el número con el contacto y actualízalo." },
  30006: { title: "Fijo u operador inalcanzable", explanation: "El número es fijo o su operador no puede recibir mensajes.", fix: "Usa un número móvil para este contacto." },
  30007: { title: "Filtrado como spam", explanation: "El operador filtró el mensaje como spam o contenido no deseado.", fix: "Evita acortadores de enlaces y textos tipo spam; registra tu remitente (A2P 10DLC / verificación toll-free)." },
  30008: { title: "Error de entrega desconocido", explanation: "El operador informó un fallo sin decir la causa.", fix: "Inténtalo más tarde; si sigue fallando, contacta al soporte de Twilio con el SID del mensaje." },
  30034: { title: "Número US A2P 10DLC sin registrar", explanation: "Los operadores de EE. UU. bloquean mensajes de números de 10 dígitos no registrados en A2P 10DLC.", fix: "Registra tu marca y campaña A2P 10DLC en la consola de Twilio y añade el número." },
  63003: { title: "Destinatario de WhatsApp no válido", explanation: "El número no usa WhatsApp o la dirección es incorrecta.", fix: "Verifica el número; si no usa WhatsApp, escríbele por SMS." },
  63007: { title: "Remitente de WhatsApp no encontrado", explanation: "Twilio no tiene canal de WhatsApp para la dirección 'From': el remitente no está aprobado o está mal configurado.", fix: "Revisa TWILIO_WHATSAPP_FROM y que el remitente esté aprobado en la consola de Twilio." },
  63014: { title: "Bloqueado por el usuario", explanation: "El destinatario bloqueó a tu empresa en WhatsApp.", fix: "No reintentes; la persona debe desbloquear primero a tu empresa." },
  63016: { title: "Fuera de la ventana de 24 horas", explanation: "El cliente no ha escrito en las últimas 24 horas, así que no se permiten mensajes libres de WhatsApp.", fix: "Envía una plantilla aprobada (ContentSid); el texto libre vuelve a estar permitido cuando responda." },
  63018: { title: "Límite de velocidad de WhatsApp", explanation: "Se enviaron mensajes más rápido de lo que WhatsApp permite a este remitente.", fix: "Envía más despacio y reenvía; el límite crece con la calidad y el nivel del remitente." },
  63019: { title: "Falló la descarga del adjunto", explanation: "WhatsApp no pudo descargar el archivo adjunto.", fix: "Asegúrate de que la URL sea pública, responda rápido y tenga un tipo y tamaño admitidos." },
  63021: { title: "Contenido no válido", explanation: "WhatsApp rechazó el contenido del mensaje o las variables de la plantilla.", fix: "Revisa la plantilla (ContentSid) y que cada variable tenga un texto válido." },
  63024: { title: "Destinatario no válido", explanation: "WhatsApp no pudo entregar a este destinatario (p. ej. app desactualizada o cuenta no apta).", fix: "Pide a la persona que actualice WhatsApp, o usa SMS." },
  63032: { title: "Usuario en un experimento de Meta", explanation: "Meta no entregó este mensaje de marketing porque el usuario está en un grupo de experimento.", fix: "No hay nada que corregir; usa una plantilla de utilidad u otro canal si el mensaje es importante." },
};

export const KNOWN_ERROR_CODES = Object.keys(EN).map(Number);

export function explainTwilioError(code: number | null | undefined, locale: "en" | "es" = "en"): TwilioErrorExplanation | null {
  if (code === null || code === undefined) return null;
  const entry = (locale === "es" ? ES : EN)[code];
  if (!entry) return null;
  return { code, ...entry, moreInfo: `https://www.twilio.com/docs/errors/${code}` };
}
