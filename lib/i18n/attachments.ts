/**
 * Texts of attachments in the composer (components/inbox/AttachmentPicker.tsx), in English and Spanish.
 * Spread into the main dictionaries (lib/i18n/index.ts).
 */
const en = {
  attachments: {
    attach: "Attach a file",
    input: "File to attach",
    dropHere: "Drop the file to attach it",
    remove: "Remove {name}",
    uploading: "Uploading {name}: {percent} %",
    ready: "Attached: {name}",
    typesHint: "Images, audio, video and PDF",
    notAllowed: "{name}: {channel} does not accept this kind of file. Send an image ({images}), audio, video or a PDF.",
    mismatch: "{name}: the file's content does not match its type ({type}). Save it again in its real format.",
    tooLarge: "{name} is {size}: {channel} accepts at most {limit} for this kind of file.",
    tooMany: "{channel} messages carry at most {limit} attachment(s): remove one first.",
    uploadFailed: "{name} could not be uploaded: {reason}",
    whatsapp: "WhatsApp",
    sms: "SMS/MMS",
  },
};

const es: typeof en = {
  attachments: {
    attach: "Adjuntar un archivo",
    input: "Archivo para adjuntar",
    dropHere: "Suelta el archivo para adjuntarlo",
    remove: "Quitar {name}",
    uploading: "Subiendo {name}: {percent} %",
    ready: "Adjunto: {name}",
    typesHint: "Imágenes, audio, video y PDF",
    notAllowed: "{name}: {channel} no acepta este tipo de archivo. Envía una imagen ({images}), audio, video o un PDF.",
    mismatch: "{name}: el contenido del archivo no corresponde a su tipo ({type}). Guárdalo de nuevo en su formato real.",
    tooLarge: "{name} pesa {size}: {channel} acepta como máximo {limit} para este tipo de archivo.",
    tooMany: "Los mensajes de {channel} llevan como máximo {limit} adjunto(s): quita uno primero.",
    uploadFailed: "No se pudo subir {name}: {reason}",
    whatsapp: "WhatsApp",
    sms: "SMS/MMS",
  },
};

export const attachmentDictionaries = { en, es };
