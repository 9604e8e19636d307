/**
 * Files attached in the chat view (dragged in, or picked with "Attach…"), sent with the
 * next question as `attachments` of coda.chat / coda.ask. The server decides what they
 * are from their bytes: an image goes to a model that reads images (else the question is
 * refused with a hint), a PDF as its text. Pure: no 'vscode' import.
 */

/** One attachment as the server takes it: base64 `data` and its name. */
export interface AttachmentArg {
  name: string;
  data: string;
}

/** Larger files are refused here, before base64 inflates them into a message (the
 * server's caps are 5 MB for an image and 20 MB for a PDF). */
export const MAX_ATTACHMENT_BYTES = 20_000_000;
export const MAX_ATTACHMENTS = 8;

const IMAGE_SUFFIXES = ['.png', '.jpg', '.jpeg', '.gif', '.webp'];

export function isImageName(name: string): boolean {
  const lower = name.toLowerCase();
  return IMAGE_SUFFIXES.some((suffix) => lower.endsWith(suffix));
}

/** The last path segment of a file path or URI. */
export function baseName(pathOrUri: string): string {
  const clean = decodeURIComponent(pathOrUri.split(/[?#]/)[0]);
  const parts = clean.split(/[\\/]/).filter(Boolean);
  return parts[parts.length - 1] ?? clean;
}

export function attachmentArg(name: string, bytes: Uint8Array): AttachmentArg {
  if (bytes.byteLength > MAX_ATTACHMENT_BYTES) {
    throw new Error(`${name} is ${bytes.byteLength.toLocaleString('en')} bytes, over the ${MAX_ATTACHMENT_BYTES.toLocaleString('en')}-byte limit`);
  }
  return { name, data: Buffer.from(bytes).toString('base64') };
}

/** What the chat view holds until the next question is sent. */
export class PendingAttachments {
  private items: AttachmentArg[] = [];

  /** Add (or replace, by name) an attachment; refuses more than MAX_ATTACHMENTS. */
  add(item: AttachmentArg): void {
    const others = this.items.filter((existing) => existing.name !== item.name);
    if (others.length >= MAX_ATTACHMENTS) {
      throw new Error(`at most ${MAX_ATTACHMENTS} files go with one question`);
    }
    this.items = [...others, item];
  }

  remove(name: string): void {
    this.items = this.items.filter((item) => item.name !== name);
  }

  names(): string[] {
    return this.items.map((item) => item.name);
  }

  get size(): number {
    return this.items.length;
  }

  /** The attachments for a question, emptying the list. */
  take(): AttachmentArg[] {
    const taken = this.items;
    this.items = [];
    return taken;
  }

  /** Put attachments back (the question was refused, e.g. a model that reads no images). */
  restore(items: AttachmentArg[]): void {
    for (const item of items) {
      if (!this.items.some((existing) => existing.name === item.name)) {
        this.items.push(item);
      }
    }
  }
}

/** A chat reference as VS Code's chat API gives it (1.90+): its value is a Uri, a
 * Location, or binary data (an image pasted or dragged into the chat input). */
export interface ChatReferenceLike {
  id: string;
  name?: string;
  value: unknown;
}

interface BinaryDataLike {
  mimeType: string;
  data(): Thenable<Uint8Array> | Promise<Uint8Array>;
  reference?: { path: string };
}

interface UriLike {
  scheme: string;
  path: string;
}

function isBinaryData(value: unknown): value is BinaryDataLike {
  return typeof value === 'object' && value !== null && typeof (value as BinaryDataLike).data === 'function'
    && typeof (value as BinaryDataLike).mimeType === 'string';
}

function isUri(value: unknown): value is UriLike {
  return typeof value === 'object' && value !== null && typeof (value as UriLike).path === 'string'
    && typeof (value as UriLike).scheme === 'string';
}

/** The images and PDFs among a chat request's references, as attachments. Other files
 * (code) are left to the editor context. `readFile` reads a Uri (vscode.workspace.fs). */
export async function referenceAttachments(
  references: readonly ChatReferenceLike[],
  readFile: (uri: UriLike) => Thenable<Uint8Array> | Promise<Uint8Array>,
): Promise<AttachmentArg[]> {
  const out: AttachmentArg[] = [];
  for (const reference of references) {
    const value = reference.value;
    if (isBinaryData(value)) {
      const extension = value.mimeType.split('/')[1]?.replace('jpeg', 'jpg') ?? 'bin';
      const name = value.reference ? baseName(value.reference.path) : reference.name ?? `image-${out.length + 1}.${extension}`;
      out.push(attachmentArg(name, await value.data()));
    } else if (isUri(value)) {
      const name = baseName(value.path);
      if (isImageName(name) || name.toLowerCase().endsWith('.pdf')) {
        out.push(attachmentArg(name, await readFile(value)));
      }
    }
  }
  return out;
}
