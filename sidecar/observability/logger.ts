/**
 * Structured JSON logs (winston) with a correlation id carried by AsyncLocalStorage, from the
 * webhook or outbox event through the job to the Odoo or Shopify write.
 *
 * Secrets are scrubbed from every line: the values of the configured secrets are replaced
 * wherever they appear, and fields whose names look secret are dropped to "[redacted]".
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import winston from 'winston';
import type Transport from 'winston-transport';

export interface LogContext {
  correlationId?: string;
  flow?: string;
  jobId?: string;
}

const contextStorage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` merged over the current one; every log line inside carries it. */
export function withLogContext<T>(context: LogContext, fn: () => T): T {
  return contextStorage.run({ ...contextStorage.getStore(), ...context }, fn);
}

export function currentLogContext(): LogContext {
  return contextStorage.getStore() ?? {};
}

const SECRET_KEY = /(token|secret|password|api_?key|authorization|hmac)/i;

export type Logger = winston.Logger;

export interface LoggerOptions {
  level?: string;
  /** Values that must never appear in a line (tokens, keys, passwords). */
  secrets?: readonly string[];
  /** Extra transports, e.g. a memory transport in tests. Default: console (stdout). */
  transports?: Transport[];
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = [...(options.secrets ?? [])].filter((s) => s.length >= 4);
  const addContext = winston.format((info) => Object.assign(info, contextStorage.getStore() ?? {}));
  const scrub = winston.format((info) => scrubInfo(info, secrets) as winston.Logform.TransformableInfo);
  return winston.createLogger({
    level: options.level ?? 'info',
    defaultMeta: { service: 'shopify-odoo-sidecar' },
    format: winston.format.combine(addContext(), scrub(), winston.format.timestamp(), winston.format.json()),
    transports: options.transports ?? [new winston.transports.Console()],
  });
}

function scrubInfo(info: Record<string | symbol, unknown>, secrets: string[]): Record<string | symbol, unknown> {
  for (const key of Object.keys(info)) {
    info[key] = scrubValue(key, info[key], secrets, 0);
  }
  return info;
}

function scrubValue(key: string, value: unknown, secrets: string[], depth: number): unknown {
  if (SECRET_KEY.test(key) && value !== undefined && value !== null && typeof value !== 'boolean') {
    return '[redacted]';
  }
  if (typeof value === 'string') return scrubString(value, secrets);
  if (value instanceof Error) {
    return scrubValue(key, { name: value.name, message: value.message, ...errorDetails(value) }, secrets, depth);
  }
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubValue('', v, secrets, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubValue(k, v, secrets, depth + 1);
  return out;
}

function errorDetails(error: Error): Record<string, unknown> {
  const details: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(error)) {
    if (typeof v !== 'function') details[k] = v;
  }
  return details;
}

export function scrubString(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (out.includes(secret)) out = out.split(secret).join('[redacted]');
  }
  return out;
}
