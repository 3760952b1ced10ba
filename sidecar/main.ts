/**
 * Process entry: load and validate the config (one line and exit 1 when it is wrong), start the
 * sidecar, and stop gracefully on SIGTERM/SIGINT.
 */
import { ConfigError, loadConfig, secretValues } from './config/index.js';
import { createLogger } from './observability/logger.js';
import { createSidecar } from './app.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const logger = createLogger({ level: config.logLevel, secrets: secretValues(config) });
  const sidecar = createSidecar(config, { logger });
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    sidecar.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  try {
    await sidecar.start();
  } catch (error) {
    logger.error('start failed', { error });
    await sidecar.stop().catch(() => {});
    process.exit(1);
  }
}

void main();
