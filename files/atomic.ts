/**
 * Atomic output: every file is written under a temporary name in the output folder and renamed
 * into place only when the whole run has succeeded. A failed run leaves no partial file and
 * never damages an existing one, and no file is written outside the folder.
 *
 * @module
 */
import { ScenarioError } from "../core/errors.ts";
import type { OutputStream } from "../core/plugin.ts";

/** File names the output folder accepts: a plain name, no separators, not hidden. */
export const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/;

const encoder = new TextEncoder();
const FLUSH_BYTES = 1 << 16;
let counter = 0;

/**
 * Where file `name` of an output set waits for its commit: a hidden name in the set's folder,
 * marked with the set's token. Another thread may write it there, for the set to
 * {@linkcode OutputSet.adopt}.
 *
 * @param dir The set's folder.
 * @param token The set's {@linkcode OutputSet.token}.
 * @param name The file's final name.
 * @returns The temporary path.
 */
export function stagedPath(dir: string, token: string, name: string): string {
  return inFolder(dir, `.${name}.${token}.tmp`);
}

const SEPARATOR = Deno.build.os === "windows" ? "\\" : "/";

/** The file system's own errors, such as NotADirectory, PermissionDenied or NotCapable. */
const FILE_SYSTEM_ERRORS: (new (...args: never[]) => Error)[] = Object.values(Deno.errors);

/**
 * Whether `error` is the file system's: one of {@linkcode FILE_SYSTEM_ERRORS}, or a plain
 * `Error` from the operating system. Deno throws those for a full disk (with `code` "ENOSPC"),
 * a file over the size limit or a quota, and marks their message "(os error N)".
 */
function isFileSystemError(error: unknown): boolean {
  if (FILE_SYSTEM_ERRORS.some((kind) => error instanceof kind)) return true;
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  return (typeof code === "string" && /^E[A-Z0-9]+$/.test(code)) ||
    /\(os error \d+\)/.test(error.message);
}

/**
 * The error to throw when a file-system call on the output fails: the file system's own errors
 * (a file where the folder should be, no permission, a full disk), which are the user's to fix,
 * become a {@linkcode ScenarioError} that says what could not be done; anything else stays.
 *
 * @param what What failed, for the message, such as "write output/a.jsonl".
 * @param error What the call threw.
 * @returns The error to throw.
 */
export function outputError(what: string, error: unknown): unknown {
  return isFileSystemError(error)
    ? new ScenarioError(`Cannot ${what}: ${(error as Error).message}`)
    : error;
}

/** An output set's token in one of its temporary files' names. */
const TEMPORARY = /^\..+\.(\d+-\d+)\.tmp$/;

/** The lock file a set holds while it writes: `.option-flight-<token>.lock`. */
function lockName(token: string): string {
  return `.option-flight-${token}.lock`;
}

/**
 * Whether the set of `token` is gone: its lock file missing, or free to take (the kernel frees a
 * lock when its process ends, SIGKILL included). A run killed that way leaves its temporary
 * files; the next run into the folder finds them stale and removes them.
 */
function isGone(dir: string, token: string): boolean {
  let file: Deno.FsFile;
  try {
    file = Deno.openSync(inFolder(dir, lockName(token)), { read: true, write: true });
  } catch (error) {
    return error instanceof Deno.errors.NotFound;
  }
  try {
    return file.tryLockSync(true);
  } finally {
    file.close();
  }
}

/** The path of a plain file name in a folder; not @std/path, an npm import that slows workers. */
function inFolder(dir: string, name: string): string {
  if (dir === "") return name;
  return dir.endsWith("/") || dir.endsWith(SEPARATOR) ? dir + name : dir + SEPARATOR + name;
}

/** One file being written; `file` is undefined for a file written whole, already closed. */
class PendingFile implements OutputStream {
  readonly #file: Deno.FsFile | undefined;
  #chunks: (string | Uint8Array)[] = [];
  #size = 0;

  constructor(readonly temp: string, readonly target: string, file?: Deno.FsFile) {
    this.#file = file;
  }

  write(content: string | Uint8Array): void | Promise<void> {
    // A copy: the caller may reuse its bytes once this returns.
    this.#chunks.push(typeof content === "string" ? content : content.slice());
    this.#size += content.length;
    if (this.#size >= FLUSH_BYTES) return this.flush();
  }

  /**
   * Writes the chunks held so far, synchronously: on this thread a file-size limit fails the
   * write (a write on Deno's I/O threads dies of SIGXFSZ). A full disk here, while a plugin
   * streams, is reported as the file that could not be written, not as the plugin's failure.
   */
  flush(): void {
    if (!this.#file) return;
    try {
      for (const chunk of this.#chunks) {
        const bytes = typeof chunk === "string" ? encoder.encode(chunk) : chunk;
        let written = 0;
        while (written < bytes.length) written += this.#file.writeSync(bytes.subarray(written));
      }
    } catch (error) {
      throw outputError(`write ${this.target}`, error);
    }
    this.#chunks = [];
    this.#size = 0;
  }

  close(): void {
    this.#file?.close();
  }
}

/**
 * Where a run's files go: an {@linkcode OutputSet} on a folder, or what forwards its calls to
 * one, as the plugin sandbox does from its process to the writer's.
 */
export interface OutputTarget {
  /** The output folder. */
  readonly dir: string;
  /** Temporary files of a killed earlier run that were removed. */
  readonly staleRemoved: number;
  /** Refuses, before any work, a name that cannot be written; see {@linkcode OutputSet.check}. */
  check(name: string): void;
  /** Starts a file; see {@linkcode OutputSet.create}. */
  create(name: string): OutputStream | Promise<OutputStream>;
  /** Writes a whole file; see {@linkcode OutputSet.writeFile}. */
  writeFile(name: string, content: string | Uint8Array): Promise<void>;
  /** Drops an unfinished file; see {@linkcode OutputSet.discard}. */
  discard(name: string): Promise<void>;
  /** Renames every file into place and returns their paths. */
  commit(): Promise<string[]>;
  /** Removes every temporary file. */
  abort(): Promise<void>;
}

/**
 * A set of files written together into one folder: all appear, or none do.
 */
export class OutputSet implements OutputTarget {
  /** The output folder. */
  readonly dir: string;
  /** Marks this set's temporary files: unique to the process and the set. */
  readonly token: string = `${Deno.pid}-${++counter}`;
  readonly #files: PendingFile[] = [];
  readonly #names = new Set<string>();
  /** Links and folders already in the output folder, by name: read once, not per file. */
  #existing: Map<string, "link" | "folder"> | undefined;
  /** Whether the folder exists, made by this set if it was missing. */
  #ready = false;
  /** Whether this set made the folder: an aborted set removes it again if empty. */
  #made = false;
  /** Temporary files of a killed earlier run (its process gone) that this set removed. */
  staleRemoved = 0;
  /** The lock file this set holds while it writes: what tells other runs it is alive. */
  #lock: Deno.FsFile | undefined;

  /**
   * Prepares to write into `dir`, which is created when the first file is.
   *
   * @param dir The output folder.
   */
  constructor(dir: string) {
    this.dir = dir;
  }

  /**
   * Creates the folder if need be and says where files are staged, so that other threads can
   * write files at their {@linkcode stagedPath} for this set to {@linkcode OutputSet.adopt}.
   *
   * @returns The folder and this set's token.
   */
  staging(): { dir: string; token: string } {
    this.#scan();
    if (!this.#ready) {
      try {
        let missing = false;
        try {
          Deno.statSync(this.dir);
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
          missing = true;
        }
        Deno.mkdirSync(this.dir, { recursive: true });
        this.#made = missing;
        this.#lock = Deno.openSync(inFolder(this.dir, lockName(this.token)), {
          write: true,
          createNew: true,
        });
        this.#lock.lockSync(true);
      } catch (error) {
        throw outputError(`write into the output folder ${this.dir}`, error);
      }
      this.#ready = true;
    }
    return { dir: this.dir, token: this.token };
  }

  /** Reads what is in the folder, if it exists, without creating it. */
  #scan(): Map<string, "link" | "folder"> {
    if (this.#existing) return this.#existing;
    const existing = new Map<string, "link" | "folder">();
    const gone = new Map<string, boolean>();
    try {
      for (const entry of Deno.readDirSync(this.dir)) {
        if (entry.isSymlink) existing.set(entry.name, "link");
        else if (entry.isDirectory) existing.set(entry.name, "folder");
        else {
          const token = TEMPORARY.exec(entry.name)?.[1];
          if (token === undefined || token === this.token) continue;
          if (!(gone.get(token) ?? gone.set(token, isGone(this.dir, token)).get(token))) continue;
          Deno.removeSync(inFolder(this.dir, entry.name));
          this.staleRemoved++;
        }
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) {
        throw outputError(`write into the output folder ${this.dir}`, error);
      }
    }
    for (const [token, dead] of gone) {
      if (!dead) continue;
      try {
        Deno.removeSync(inFolder(this.dir, lockName(token)));
      } catch { /* it had none */ }
    }
    return this.#existing = existing;
  }

  /**
   * Checks that `name` can be written, without claiming it: a plain name, not yet in the set,
   * and not a link or folder in the output folder.
   *
   * @param name A file name.
   * @throws ScenarioError when it cannot be written.
   */
  check(name: string): void {
    if (!FILE_NAME.test(name)) {
      throw new ScenarioError(
        `Cannot write ${JSON.stringify(name)}: an output file needs a plain name`,
      );
    }
    if (this.#names.has(name)) {
      throw new ScenarioError(`Cannot write ${JSON.stringify(name)} twice in one run`);
    }
    const kind = this.#scan().get(name);
    if (kind === "link") {
      throw new ScenarioError(
        `${inFolder(this.dir, name)}: Refusing to replace a symbolic link in the output folder`,
      );
    }
    if (kind === "folder") {
      throw new ScenarioError(`${inFolder(this.dir, name)}: Cannot replace a folder with a file`);
    }
  }

  /**
   * Adds file `name`, already written at its {@linkcode stagedPath} (by any thread), to the
   * set: {@linkcode OutputSet.commit} renames it into place, {@linkcode OutputSet.abort}
   * removes it.
   *
   * @param name The file's final name.
   * @throws ScenarioError when it cannot be written, as {@linkcode OutputSet.check}.
   */
  adopt(name: string): void {
    const [temp, target] = this.#reserve(name);
    this.#files.push(new PendingFile(temp, target));
  }

  /**
   * Starts a file named `name` in the folder, under a temporary name.
   *
   * @param name A plain file name, matching {@linkcode FILE_NAME}.
   * @returns A stream to write the file's text to.
   */
  create(name: string): Promise<OutputStream> {
    return this.#open(name);
  }

  async #open(name: string): Promise<PendingFile> {
    const [temp, target] = this.#reserve(name);
    const file = await Deno.open(temp, { write: true, createNew: true }).catch((error) => {
      throw outputError(`write ${target}`, error);
    });
    const pending = new PendingFile(temp, target, file);
    this.#files.push(pending);
    return pending;
  }

  /** Checks a name and returns its temporary and final paths; synchronous, for many files. */
  #reserve(name: string): [temp: string, target: string] {
    this.check(name);
    this.staging();
    this.#names.add(name);
    return [stagedPath(this.dir, this.token, name), inFolder(this.dir, name)];
  }

  /**
   * Writes a whole file at once (still renamed into place only by {@linkcode commit}). The file
   * is closed at once, so that a batch can stage thousands of files without running out of
   * file descriptors; it uses synchronous calls, which cost a tenth of asynchronous ones here.
   *
   * @param name A plain file name.
   * @param content The file's content.
   */
  writeFile(name: string, content: string | Uint8Array): Promise<void> {
    try {
      const [temp, target] = this.#reserve(name);
      const bytes = typeof content === "string" ? encoder.encode(content) : content;
      this.#files.push(new PendingFile(temp, target));
      Deno.writeFileSync(temp, bytes, { createNew: true });
      return Promise.resolve();
    } catch (error) {
      return Promise.reject(outputError(`write ${inFolder(this.dir, name)}`, error));
    }
  }

  /**
   * Drops a file of the set that could not be finished, such as a renderer's that failed
   * halfway: its temporary file goes, and a commit leaves it out.
   *
   * @param name The file's name, as created.
   */
  async discard(name: string): Promise<void> {
    const target = inFolder(this.dir, name);
    const at = this.#files.findIndex((f) => f.target === target);
    if (at < 0) return;
    const [file] = this.#files.splice(at, 1);
    try {
      file!.close();
    } catch { /* already closed */ }
    await Deno.remove(file!.temp).catch(() => {});
    this.#names.delete(name);
  }

  /**
   * Renames every file into place.
   *
   * @returns The paths written, in creation order.
   */
  commit(): Promise<string[]> {
    try {
      for (const file of this.#files) {
        file.flush(); // names the file it could not write
        this.#attempt(file, () => file.close());
      }
      for (const file of this.#files) {
        this.#attempt(file, () => Deno.renameSync(file.temp, file.target));
      }
      this.#unlock();
      return Promise.resolve(this.#files.map((f) => f.target));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** Runs a file-system call on `file`, naming the file if it fails. */
  #attempt(file: PendingFile, call: () => void): void {
    try {
      call();
    } catch (error) {
      throw outputError(`write ${file.target}`, error);
    }
  }

  /** Lets go of the lock file, and removes it. */
  #unlock(): void {
    if (!this.#lock) return;
    this.#lock.close();
    this.#lock = undefined;
    try {
      Deno.removeSync(inFolder(this.dir, lockName(this.token)));
    } catch { /* already gone */ }
  }

  /**
   * Removes every temporary file of the set, including files staged by other threads and not
   * yet adopted; existing files in the folder stay as they were.
   */
  async abort(): Promise<void> {
    for (const file of this.#files) {
      try {
        file.close();
      } catch { /* already closed */ }
      await Deno.remove(file.temp).catch(() => {});
    }
    if (!this.#ready) return;
    this.#unlock();
    const suffix = `.${this.token}.tmp`;
    try {
      for (const entry of Deno.readDirSync(this.dir)) {
        if (entry.name.startsWith(".") && entry.name.endsWith(suffix)) {
          await Deno.remove(inFolder(this.dir, entry.name)).catch(() => {});
        }
      }
    } catch { /* the folder is gone */ }
    // A folder this set made, left empty: as if the run had never started.
    if (this.#made) await Deno.remove(this.dir).catch(() => {});
  }
}
