/** A logger for the bench: formats every line (part of a job's real cost), then discards it. */
import winston from 'winston';
import Transport from 'winston-transport';
import { createLogger, type Logger } from '../../sidecar/observability/logger.js';

class DiscardTransport extends Transport {
  override log(_info: unknown, next: () => void): void {
    next();
  }
}

export function discardLogger(): Logger {
  return createLogger({ level: 'info', transports: [new DiscardTransport()] });
}

/** The same lines kept in a file, to read what happened in a run (`--log-file`). */
export function fileLogger(filename: string): Logger {
  return createLogger({ level: 'info', transports: [new winston.transports.File({ filename })] });
}
