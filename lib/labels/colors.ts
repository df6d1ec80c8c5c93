/**
 * The colors a label may have: names, not CSS, so that the inbox draws each with text and background
 * shades of sufficient contrast (components/labels/LabelChip.tsx). No imports: client components use it.
 */
export const LABEL_COLORS = ["gray", "red", "orange", "amber", "green", "teal", "blue", "indigo", "purple", "pink"] as const;
export type LabelColor = (typeof LABEL_COLORS)[number];
