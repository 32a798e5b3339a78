/**
 * The messages the sandbox process sends its writer on stdout: each a 9-byte header (kind,
 * a file id, the payload's length) and the payload, so file bytes travel as they are.
 *
 * @module
 */

/** What a message asks of the writer. */
export const Op = {
  /** Start file `id`, named by the payload. */
  create: 1,
  /** Append the payload to file `id`. */
  write: 2,
  /** Write a whole file: the payload is the name, a NUL byte, then the content. */
  writeFile: 3,
  /** Refuse, now, a name that cannot be written. */
  check: 4,
  /** Rename every file into place. */
  commit: 5,
  /** Remove every temporary file. */
  abort: 6,
  /** A line for stdout. */
  stdout: 7,
  /** A line for stderr. */
  stderr: 8,
  /** Text for a terminal's stderr, drawn in place: the progress bar. */
  draw: 9,
  /** The command's exit code, in `id`: the last message. */
  exit: 10,
  /** Drop the unfinished file named by the payload. */
  discard: 11,
} as const;

/** One message's kind. */
export type OpCode = (typeof Op)[keyof typeof Op];

/** What the writer hands the sandbox on stdin. */
export interface ChildSettings {
  /** The command's arguments. */
  args: string[];
  /** Seconds a plugin hook may run. */
  timeout: number;
  /** Whether the user's stderr is a terminal, for the progress bar. */
  terminal: boolean;
  /** Free bytes on the output folder's disk, if known. */
  free?: number;
}

/** The line the watchdog writes on stderr, before the writer ends this process. */
export const TIMEOUT_MARK = "\u0000option-flight-sandbox-timeout ";

const HEADER = 9;
const encoder = new TextEncoder();

/** The header of a message: kind, file id, payload length. */
export function header(op: OpCode, id: number, length: number): Uint8Array {
  const bytes = new Uint8Array(HEADER);
  const view = new DataView(bytes.buffer);
  bytes[0] = op;
  view.setUint32(1, id, true);
  view.setUint32(5, length, true);
  return bytes;
}

/** A payload as bytes: text is UTF-8 encoded. */
export function payload(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? encoder.encode(content) : content;
}

/** One message read back. */
export interface Message {
  /** Its kind. */
  op: number;
  /** The file id, or the exit code. */
  id: number;
  /** The payload; valid until the next message is read. */
  body: Uint8Array;
}

/**
 * Reads messages off a byte stream, whole, in order.
 *
 * @param stream The sandbox's stdout.
 * @returns The messages; a message cut short by the end of the stream is dropped.
 */
export async function* readMessages(stream: ReadableStream<Uint8Array>): AsyncGenerator<Message> {
  let buffer = new Uint8Array(1 << 16);
  let start = 0, end = 0;
  for await (const chunk of stream) {
    if (end + chunk.length > buffer.length) {
      const need = end - start + chunk.length;
      const next = need > buffer.length / 2 ? new Uint8Array(2 * need) : buffer;
      next.set(buffer.subarray(start, end));
      buffer = next, end -= start, start = 0;
    }
    buffer.set(chunk, end);
    end += chunk.length;
    while (end - start >= HEADER) {
      const view = new DataView(buffer.buffer, start);
      const length = view.getUint32(5, true);
      if (end - start < HEADER + length) break;
      const body = buffer.subarray(start + HEADER, start + HEADER + length);
      yield { op: buffer[start]!, id: view.getUint32(1, true), body };
      start += HEADER + length;
    }
    if (start === end) start = end = 0;
  }
}
