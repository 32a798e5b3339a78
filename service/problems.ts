/**
 * Problem details (RFC 9457): how the service reports every failure, as
 * `application/problem+json`, with the CLI's own messages and, for each, its place in the
 * scenario (a field path, or a line and column).
 *
 * @module
 */
import { PluginError, ScenarioError } from "../core/errors.ts";

/** The media type of a problem document. */
export const PROBLEM_TYPE = "application/problem+json";

/** One problem of a request, as the CLI prints it, with its place when the message names one. */
export interface ProblemItem {
  /** The message, exactly as the CLI prints it. */
  detail: string;
  /** The field path the message names, such as `generators.spot.noise`. */
  path?: string;
  /** The line of a syntax error, from 1. */
  line?: number;
  /** The column of a syntax error, from 1. */
  column?: number;
}

/** A problem document (RFC 9457), with every problem of the request in `errors`. */
export interface Problem {
  /** `about:blank`: the status says what kind of problem it is. */
  type: string;
  /** The status's reason phrase. */
  title: string;
  /** The HTTP status. */
  status: number;
  /** Every problem's message, one line each, as the CLI prints them. */
  detail: string;
  /** The problems one by one, each with its place. */
  errors?: ProblemItem[];
}

/** Reason phrases of the statuses the service sends. */
const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  404: "Not Found",
  405: "Method Not Allowed",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** A failure of a request that the service answers with a problem document. */
export class HttpError extends Error {
  /** The HTTP status. */
  readonly status: number;
  /** The problems, each with its place. */
  readonly items: readonly ProblemItem[];
  /** Headers to send with the problem, such as `Allow` or `Retry-After`. */
  readonly headers: Readonly<Record<string, string>>;

  /**
   * Creates the error.
   *
   * @param status The HTTP status.
   * @param problems The messages, one per problem.
   * @param headers Headers to send with it.
   */
  constructor(
    status: number,
    problems: string | readonly string[],
    headers: Record<string, string> = {},
  ) {
    const list = typeof problems === "string" ? [problems] : problems;
    super(list.join("\n"));
    this.name = "HttpError";
    this.status = status;
    this.items = list.map(itemOf);
    this.headers = headers;
  }
}

/** A message's place: `file:line:col: ...` for syntax, `Cannot read "path"` for a field. */
function itemOf(detail: string): ProblemItem {
  const place = /^[^\n]*?:(\d+):(\d+): /.exec(detail);
  if (place) return { detail, line: Number(place[1]), column: Number(place[2]) };
  const field = /: Cannot read "([^"]+)"/.exec(detail) ?? /"([^"]+)": /.exec(detail);
  return field ? { detail, path: field[1]! } : { detail };
}

/**
 * The problem a scenario's own error makes: 400 when its text does not parse, 422 when it
 * parses but does not validate.
 *
 * @param error The error the scenario parser threw.
 * @returns The error to answer with.
 *
 * @example A field's problem is a 422 with its path
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { ScenarioError } from "../core/errors.ts";
 * import { scenarioProblem } from "./problems.ts";
 *
 * const error = scenarioProblem(new ScenarioError('request body: Cannot read "steps": expected an integer'));
 * assertEquals([error.status, error.items[0]!.path], [422, "steps"]);
 * ```
 */
export function scenarioProblem(error: ScenarioError): HttpError {
  const syntax = error.problems.length === 1 &&
    /^[^\n]*?:\d+:\d+: Cannot parse JSONC/.test(error.problems[0]!);
  return new HttpError(syntax ? 400 : 422, error.problems);
}

/**
 * The problem any failure makes: an {@linkcode HttpError} as it is, a scenario's error as
 * {@linkcode scenarioProblem} says, a plugin's failure or any other bug a 500 with its message.
 *
 * @param error What a handler threw.
 * @returns The error to answer with.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof ScenarioError) return scenarioProblem(error);
  if (error instanceof PluginError) return new HttpError(500, `error: ${error.message}`);
  return new HttpError(500, `error: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * The problem document of an error.
 *
 * @param error The error.
 * @returns The document.
 */
export function problemOf(error: HttpError): Problem {
  return {
    type: "about:blank",
    title: TITLES[error.status] ?? "Error",
    status: error.status,
    detail: error.message,
    errors: [...error.items],
  };
}

/**
 * The response of an error: its problem document, as `application/problem+json`.
 *
 * @param error What a handler threw.
 * @returns The response.
 *
 * @example A 404
 * ```ts
 * import { assertEquals } from "@std/assert";
 * import { HttpError, problemResponse } from "./problems.ts";
 *
 * const response = problemResponse(new HttpError(404, "No route GET /nowhere"));
 * assertEquals([response.status, response.headers.get("content-type")], [404, "application/problem+json"]);
 * assertEquals((await response.json()).detail, "No route GET /nowhere");
 * ```
 */
export function problemResponse(error: unknown): Response {
  const http = toHttpError(error);
  return new Response(JSON.stringify(problemOf(http)) + "\n", {
    status: http.status,
    headers: { "content-type": PROBLEM_TYPE, ...http.headers },
  });
}
