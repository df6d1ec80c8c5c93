/**
 * Texts of the composer's WhatsApp templates (the picker, its variables and preview), in English and
 * Spanish. Spread into the main dictionaries' `inbox` section (lib/i18n/index.ts).
 */
const en = {
  windowOpen: "WhatsApp window open: {time} left",
  windowClosedAgo: "The customer last wrote {ago}; WhatsApp only allows approved templates.",
  windowNever: "The customer has not written on WhatsApp yet: start with an approved template.",
  agoDays: "{n} days ago",
  agoOneDay: "1 day ago",
  templateButton: "Template",
  templateClose: "Close templates",
  templatesTitle: "Approved templates",
  templatesSearch: "Search templates",
  templatesLoading: "Loading templates…",
  templatesRefresh: "Reload",
  templatesEmpty: "No approved templates — create them in Twilio's Content Template Builder.",
  templatesEmptyLink: "Open the Content Template Builder",
  templatesNoMatch: "No template matches “{q}”.",
  templatesError: "Could not load the templates from Twilio: {message}",
  templatesRetry: "Try again",
  templateVariablesTitle: "Variables",
  templateVariableSample: "e.g. {sample}",
  templatePreview: "Preview",
  templateFillAll: "Fill in every variable to send.",
  sendTemplate: "Send template",
  templateCategory: { UTILITY: "Utility", MARKETING: "Marketing", AUTHENTICATION: "Authentication" } as Record<string, string>,
};

const es: typeof en = {
  windowOpen: "Ventana de WhatsApp abierta: quedan {time}",
  windowClosedAgo: "El cliente escribió por última vez {ago}; WhatsApp solo permite plantillas aprobadas.",
  windowNever: "El cliente aún no ha escrito por WhatsApp: empieza con una plantilla aprobada.",
  agoDays: "hace {n} días",
  agoOneDay: "hace 1 día",
  templateButton: "Plantilla",
  templateClose: "Cerrar plantillas",
  templatesTitle: "Plantillas aprobadas",
  templatesSearch: "Buscar plantillas",
  templatesLoading: "Cargando plantillas…",
  templatesRefresh: "Recargar",
  templatesEmpty: "No hay plantillas aprobadas: créalas en el Content Template Builder de Twilio.",
  templatesEmptyLink: "Abrir el Content Template Builder",
  templatesNoMatch: "Ninguna plantilla coincide con «{q}».",
  templatesError: "No se pudieron cargar las plantillas de Twilio: {message}",
  templatesRetry: "Reintentar",
  templateVariablesTitle: "Variables",
  templateVariableSample: "p. ej. {sample}",
  templatePreview: "Vista previa",
  templateFillAll: "Completa todas las variables para enviar.",
  sendTemplate: "Enviar plantilla",
  templateCategory: { UTILITY: "Servicio", MARKETING: "Marketing", AUTHENTICATION: "Autenticación" },
};

export const templateDictionaries = { en, es };
