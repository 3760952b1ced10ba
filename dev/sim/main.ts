/**
 * Standalone simulator: `node --import tsx dev/sim/main.ts [--port 8081] [--host 127.0.0.1]
 * [--token …] [--secret …] [--shop …] [--plan standard|advanced|plus|enterprise] [--seed 1]
 * [--state file.json] [--no-demo-catalog] [--webhook-version 2026-10]
 * [--app-webhook topic=uri]… [--currency EUR] [--webhook-retry-delays-ms 1000,2000,…]`.
 * Options come from the command line only.
 */
import { isPlanName } from './bucket.js';
import { createSimulator, DEFAULTS, type SimulatorOptions } from './server.js';

export interface CliOptions extends SimulatorOptions {
  port: number;
  host: string;
}

export function parseArgs(argv: string[]): CliOptions {
  const out: CliOptions = { port: 8081, host: '127.0.0.1', appSubscriptions: [] };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`sim: ${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--port':
        out.port = Number(value());
        if (!Number.isInteger(out.port) || out.port < 0 || out.port > 65535) throw new Error(`sim: --port must be 0-65535`);
        break;
      case '--host':
        out.host = value();
        break;
      case '--token':
        out.accessToken = value();
        break;
      case '--secret':
        out.apiSecret = value();
        break;
      case '--shop':
        out.shopDomain = value();
        break;
      case '--plan': {
        const plan = value();
        if (!isPlanName(plan)) throw new Error(`sim: --plan must be standard, advanced, plus or enterprise (got "${plan}")`);
        out.plan = plan;
        break;
      }
      case '--seed':
        out.seed = Number(value());
        break;
      case '--state':
        out.stateFile = value();
        break;
      case '--no-demo-catalog':
        out.demoCatalog = false;
        break;
      case '--webhook-version':
        out.webhookApiVersion = value();
        break;
      case '--currency':
        out.currency = value();
        break;
      case '--webhook-retry-delays-ms': {
        const delays = value().split(',').map(Number);
        if (delays.some((d) => !Number.isInteger(d) || d < 0))
          throw new Error('sim: --webhook-retry-delays-ms takes whole milliseconds, comma-separated');
        out.webhookRetryDelaysMs = delays;
        break;
      }
      case '--app-webhook': {
        const [topic, ...rest] = value().split('=');
        if (!topic || rest.length === 0) throw new Error('sim: --app-webhook takes topic=uri');
        out.appSubscriptions!.push({ topic, uri: rest.join('=') });
        break;
      }
      default:
        throw new Error(`sim: unknown option ${flag}`);
    }
  }
  return out;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const sim = createSimulator(options);
  const server = await sim.listen(options.port, options.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  process.stdout.write(
    JSON.stringify({
      msg: 'shopify simulator listening',
      url: `http://${options.host}:${port}`,
      graphql: `http://${options.host}:${port}/admin/api/${options.webhookApiVersion ?? DEFAULTS.webhookApiVersion}/graphql.json`,
      shop: sim.state.shop.domain,
      accessToken: sim.options.accessToken,
    }) + '\n',
  );
  const stop = () => void sim.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  });
}
