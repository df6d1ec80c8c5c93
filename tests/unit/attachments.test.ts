import { describe, expect, it } from "vitest";
import { cleanFilename, contentDisposition } from "@/lib/attachments/filename";
import { attachmentsProblem, channelsAccepting, MAX_ATTACHMENT_BYTES, normalizeContentType } from "@/lib/attachments/limits";
import { attachmentUrlKey, signedContentUrl, verifyContentSignature } from "@/lib/attachments/signing";
import { sniffContentType } from "@/lib/attachments/sniff";
import { ConfigError, loadConfig } from "@/lib/config";

const MB = 1024 * 1024;
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : Buffer.from(p))));
const ftyp = (brand: string) => bytes([0, 0, 0, 0x20], "ftyp", brand, [0, 0, 0, 0]);

describe("attachment types from their first bytes", () => {
  it("recognises every sendable type, and nothing else", () => {
    const cases: [Buffer, string | null][] = [
      [bytes([0xff, 0xd8, 0xff, 0xe0], "JFIF"), "image/jpeg"],
      [bytes([0x89], "PNG\r\n\x1a\n", [0, 0]), "image/png"],
      [bytes("GIF89a", [1, 0]), "image/gif"],
      [bytes("GIF87a", [1, 0]), "image/gif"],
      [bytes("%PDF-1.7\n"), "application/pdf"],
      [bytes("OggS", [0, 2]), "audio/ogg"],
      [bytes("#!AMR\n", [0x3c]), "audio/amr"],
      [bytes("ID3", [4, 0]), "audio/mpeg"],
      [bytes([0xff, 0xfb, 0x90, 0x64]), "audio/mpeg"],
      [bytes([0xff, 0xf1, 0x50, 0x80]), "audio/aac"],
      [ftyp("isom"), "video/mp4"],
      [ftyp("mp42"), "video/mp4"],
      [ftyp("3gp5"), "video/3gpp"],
      [ftyp("qt  "), "video/quicktime"],
      [ftyp("M4A "), "audio/mp4"],
      [ftyp("heic"), null],
      [bytes("<svg xmlns="), null],
      [bytes("<!DOCTYPE html>"), null],
      [bytes("PK", [3, 4]), null],
      [bytes([0xff, 0xe0, 0, 0]), null],
      [Buffer.alloc(0), null],
    ];
    for (const [head, type] of cases) expect(sniffContentType(head), head.toString("latin1")).toBe(type);
  });

  it("folds declared spellings", () => {
    expect(normalizeContentType("IMAGE/JPG; charset=binary")).toBe("image/jpeg");
    expect(normalizeContentType("audio/mp3")).toBe("audio/mpeg");
    expect(normalizeContentType("video/ogg")).toBe("audio/ogg");
    expect(normalizeContentType("")).toBeNull();
  });
});

describe("channel limits", () => {
  it("follows Twilio's table: WhatsApp images 5 MB, other media 16 MB, one file; MMS 5 MB in all, 10 files", () => {
    expect(MAX_ATTACHMENT_BYTES).toBe(16 * MB);
    expect(channelsAccepting("image/png", 5 * MB)).toEqual(["whatsapp", "sms"]);
    expect(channelsAccepting("image/png", 5 * MB + 1)).toEqual([]);
    expect(channelsAccepting("video/mp4", 16 * MB)).toEqual(["whatsapp"]);
    expect(channelsAccepting("image/gif", 100)).toEqual(["sms"]);
    expect(attachmentsProblem("whatsapp", [{ contentType: "application/pdf", size: 16 * MB }])).toBeNull();
    expect(attachmentsProblem("whatsapp", [{ contentType: "image/jpeg", size: 1 }, { contentType: "image/jpeg", size: 1 }])).toEqual({ code: "too_many_attachments", count: 2, limit: 1 });
    expect(attachmentsProblem("whatsapp", [{ contentType: "video/quicktime", size: 1 }])).toMatchObject({ code: "attachment_not_allowed", contentType: "video/quicktime" });
    expect(attachmentsProblem("sms", [{ contentType: "image/png", size: 3 * MB }, { contentType: "image/png", size: 3 * MB }])).toEqual({ code: "attachment_too_large", contentType: "*", size: 6 * MB, limit: 5 * MB });
    expect(attachmentsProblem("sms", Array.from({ length: 11 }, () => ({ contentType: "image/png", size: 1 })))).toMatchObject({ code: "too_many_attachments", limit: 10 });
  });
});

describe("attachment file names", () => {
  it("keeps a label only: no directories, control or bidi characters, the detected type's extension", () => {
    expect(cleanFilename("../../etc/passwd", "application/pdf")).toBe("passwd.pdf");
    expect(cleanFilename("C:\\Users\\ana\\foto.JPEG", "image/jpeg")).toBe("foto.JPEG");
    expect(cleanFilename("gnp.\u202eexe.png", "image/png")).toBe("gnp.exe.png");
    expect(cleanFilename("factura.exe", "application/pdf")).toBe("factura.pdf");
    expect(cleanFilename("...", "image/png")).toBe("attachment.png");
    expect(cleanFilename(null, "audio/ogg")).toBe("attachment.ogg");
    expect(cleanFilename("a".repeat(500) + ".png", "image/png")).toHaveLength(120);
    expect(cleanFilename('say "hi"\r\n.png', "image/png")).toBe("say hi.png");
  });

  it("writes Content-Disposition with a short ASCII name and the exact one encoded", () => {
    expect(contentDisposition("Cotización año 2026 (final).pdf")).toBe(
      `inline; filename="Cotizacion_ano_2.pdf"; filename*=UTF-8''Cotizaci%C3%B3n%20a%C3%B1o%202026%20%28final%29.pdf`,
    );
    expect(contentDisposition("日本.png")).toMatch(/^inline; filename="file\.png"; filename\*=UTF-8''/);
  });
});

describe("signed content URLs", () => {
  const key = attachmentUrlKey("a-server-secret-of-at-least-32-characters");
  const id = "0b8e2f34-4c1e-4f5a-9d7e-1234567890ab";
  const parse = (u: string) => new URL(u).searchParams;

  it("verify only for their id, before their expiry, with the same key", () => {
    const now = Date.UTC(2026, 10, 30, 12);
    const q = parse(signedContentUrl(key, "https://inbox.example.com", id, now));
    expect(Number(q.get("expires"))).toBe(now / 1000 + 3600);
    expect(verifyContentSignature(key, id, q.get("expires"), q.get("signature"), now)).toBe(true);
    expect(verifyContentSignature(key, id, q.get("expires"), q.get("signature"), now + 3601_000)).toBe(false);
    expect(verifyContentSignature(key, id.replace("0b", "1b"), q.get("expires"), q.get("signature"), now)).toBe(false);
    expect(verifyContentSignature(key, id, String(Number(q.get("expires")) + 1), q.get("signature"), now)).toBe(false);
    expect(verifyContentSignature(attachmentUrlKey("another-server-secret-of-32-characters!"), id, q.get("expires"), q.get("signature"), now)).toBe(false);
    expect(verifyContentSignature(key, id, q.get("expires"), null, now)).toBe(false);
    expect(verifyContentSignature(key, id, "1e12", q.get("signature"), now)).toBe(false);
  });
});

describe("storage configuration", () => {
  it("is disk in ./.data/attachments by default; S3 needs a bucket and both keys or neither", () => {
    expect(loadConfig({}).storage).toEqual({ driver: "disk", dir: `${process.cwd()}/.data/attachments` });
    expect(loadConfig({ STORAGE_DIR: "/srv/hilo/files" }).storage).toEqual({ driver: "disk", dir: "/srv/hilo/files" });
    expect(
      loadConfig({ STORAGE_DRIVER: "s3", S3_BUCKET: "b", S3_ENDPOINT: "http://127.0.0.1:9000/", S3_FORCE_PATH_STYLE: "true", S3_ACCESS_KEY_ID: "k", S3_SECRET_ACCESS_KEY: "s" }).storage,
    ).toMatchObject({ driver: "s3", bucket: "b", region: "us-east-1", endpoint: "http://127.0.0.1:9000", forcePathStyle: true, credentials: { accessKeyId: "k", secretAccessKey: "s" } });
    expect(() => loadConfig({ STORAGE_DRIVER: "s3" })).toThrow(/S3_BUCKET/);
    expect(() => loadConfig({ STORAGE_DRIVER: "s3", S3_BUCKET: "b", S3_ACCESS_KEY_ID: "k" })).toThrow(ConfigError);
    expect(() => loadConfig({ STORAGE_DRIVER: "ftp" })).toThrow(/STORAGE_DRIVER/);
    expect(() => loadConfig({ S3_ENDPOINT: "file:///etc" })).toThrow(/S3_ENDPOINT/);
  });
});
