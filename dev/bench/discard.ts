/** A logger for the bench: formats every line (part of a job's real cost), then discards it. */
import winston from 'winston';
import Transport from 'winston-transport';
import { createLogger, type Logger } from '../../sidecar/observability/logger.js';

class DiscardTransport extends Transport {
  constructor(private readonly seen?: (line: Record<string, unknown>) => void) {
    super();
  }

  override log(info: Record<string, unknown>, next: () => void): void {
    this.seen?.(info);
    next();
  }
}

/** `seen`: shown each line before it is discarded (the full-sync bench counts the client's retries). */
export function discardLogger(seen?: (line: Record<string, unknown>) => void): Logger {
  return createLogger({ level: 'info', transports: [new DiscardTransport(seen)] });
}

/** The same lines kept in a file, to read what happened in a run (`--log-file`). */
export function fileLogger(filename: string): Logger {
  return createLogger({ level: 'info', transports: [new winston.transports.File({ filename })] });
}
