/**
 * Texts of conversation labels (the admin Labels page, the inbox's chips, menu and filter, the
 * statistics filter), in English and Spanish. Spread into the main dictionaries (lib/i18n/index.ts).
 */
const en = {
  labels: {
    nav: "Labels",
    title: "Labels",
    intro: "Colored labels sort conversations (VIP, Billing, Urgent…). Administrators manage them here; every agent applies them from a conversation's header and filters the inbox by them.",
    name: "Name",
    color: "Color",
    add: "Add label",
    save: "Save",
    cancel: "Cancel",
    edit: "Edit",
    delete: "Delete",
    confirmDelete: "Delete the label “{name}”? It is removed from {n} conversation(s).",
    empty: "No labels yet. Add one above, for example “VIP” or “Billing”.",
    conversations: "{n} conversation(s)",
    error: "Could not save:",
    colors: {
      gray: "Gray",
      red: "Red",
      orange: "Orange",
      amber: "Amber",
      green: "Green",
      teal: "Teal",
      blue: "Blue",
      indigo: "Indigo",
      purple: "Purple",
      pink: "Pink",
    },
    // The inbox
    menu: "Labels",
    menuTitle: "Labels of this conversation",
    menuEmpty: "No labels yet: an administrator creates them on the Labels page.",
    menuManage: "Manage labels",
    menuError: "Could not change the labels. Try again.",
    filter: "Label",
    filterAll: "All labels",
    listLabels: "Labels: {names}",
    // Statistics
    statsLabel: "Label",
    statsLabelAll: "All labels",
  },
};

type LabelsDict = typeof en;

const es: LabelsDict = {
  labels: {
    nav: "Etiquetas",
    title: "Etiquetas",
    intro: "Las etiquetas de colores clasifican las conversaciones (VIP, Facturación, Urgente…). Los administradores las gestionan aquí; cualquier agente las aplica desde la cabecera de una conversación y filtra la bandeja por ellas.",
    name: "Nombre",
    color: "Color",
    add: "Añadir etiqueta",
    save: "Guardar",
    cancel: "Cancelar",
    edit: "Editar",
    delete: "Eliminar",
    confirmDelete: "¿Eliminar la etiqueta «{name}»? Se quitará de {n} conversación(es).",
    empty: "Aún no hay etiquetas. Añade una arriba, por ejemplo «VIP» o «Facturación».",
    conversations: "{n} conversación(es)",
    error: "No se pudo guardar:",
    colors: {
      gray: "Gris",
      red: "Rojo",
      orange: "Naranja",
      amber: "Ámbar",
      green: "Verde",
      teal: "Verde azulado",
      blue: "Azul",
      indigo: "Índigo",
      purple: "Morado",
      pink: "Rosa",
    },
    menu: "Etiquetas",
    menuTitle: "Etiquetas de esta conversación",
    menuEmpty: "Aún no hay etiquetas: un administrador las crea en la página Etiquetas.",
    menuManage: "Gestionar etiquetas",
    menuError: "No se pudieron cambiar las etiquetas. Inténtalo de nuevo.",
    filter: "Etiqueta",
    filterAll: "Todas las etiquetas",
    listLabels: "Etiquetas: {names}",
    statsLabel: "Etiqueta",
    statsLabelAll: "Todas las etiquetas",
  },
};

export const labelsDictionaries = { en, es };
