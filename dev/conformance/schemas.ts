/**
 * Contract validation: every document and result that crosses `shopify.sync.api` is checked
 * against the contract's schemas, contract/schemas/ (the addon's tests use the same files, and
 * the sidecar's contract types are generated from them): the documents (`<Title>.schema.json`)
 * wrapped in the per-method envelopes (`methods.schema.json`). A caller wrapper validates both
 * directions, so the suite cannot pass on a document the real addon would not accept or a
 * result shape the sidecar would not understand.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020Module, { type ValidateFunction } from 'ajv/dist/2020.js';
import { CONTRACT_METHODS, CONTRACT_MODEL, type ContractMethod } from '../../sidecar/odoo/contract.js';
import type { OdooCaller } from '../../sidecar/odoo/types.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
export const SCHEMA_DIR = path.resolve(HERE, '../../contract/schemas');
/** The `$id` of contract/schemas/methods.schema.json, whose `$defs` are `<method>_params` and `<method>_result`. */
const METHODS_ID = 'https://shopify-odoo-sync.example/contract/v1/methods.schema.json';

export class ContractViolation extends Error {
  override readonly name = 'ContractViolation';
}

export interface ContractValidator {
  validate(method: ContractMethod, direction: 'params' | 'result', value: unknown): void;
  /** How many values were validated (the suite asserts it is not zero). */
  readonly count: number;
}

export function loadContractValidator(dir = SCHEMA_DIR): ContractValidator {
  const files = fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith('.schema.json'))
        .sort()
        .map((f) => path.join(dir, f))
    : [];
  if (files.length === 0) throw new Error(`contract: no JSON Schemas in ${dir}`);
  // ajv is CommonJS: under NodeNext the class is the module's `.default`.
  const AjvClass = Ajv2020Module.default;
  const ajv = new AjvClass({ allErrors: true, strict: true, strictRequired: false });
  ajv.addFormat('date-time', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  ajv.addFormat('uuid', /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i);
  for (const file of files) ajv.addSchema(JSON.parse(fs.readFileSync(file, 'utf8')) as object);
  const compiled = new Map<string, ValidateFunction>();
  let count = 0;
  return {
    get count() {
      return count;
    },
    validate(method, direction, value) {
      const key = `${method}_${direction}`;
      let fn = compiled.get(key);
      if (!fn) {
        fn = ajv.getSchema(`${METHODS_ID}#/$defs/${key}`);
        if (!fn) throw new ContractViolation(`contract: no schema for ${key}`);
        compiled.set(key, fn);
      }
      count += 1;
      if (!fn(value)) {
        const errors = (fn.errors ?? []).map(
          (e) =>
            `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'allowedValues' in e.params ? ` ${JSON.stringify(e.params.allowedValues)}` : ''}`,
        );
        throw new ContractViolation(`contract: ${key} does not match the schema: ${errors.join('; ')}\n${JSON.stringify(value)}`);
      }
    },
  };
}

const KNOWN_METHODS = new Set<string>(Object.values(CONTRACT_METHODS));

/** Wraps a caller so every contract call's document and result are validated. */
export function createValidatingCaller(inner: OdooCaller, validator: ContractValidator): OdooCaller {
  return {
    async executeKw<T>(model: string, method: string, args: unknown[], kwargs?: Record<string, unknown>): Promise<T> {
      const checked = model === CONTRACT_MODEL && KNOWN_METHODS.has(method);
      if (checked) validator.validate(method as ContractMethod, 'params', args[0]);
      const result = await inner.executeKw<T>(model, method, args, kwargs);
      if (checked) validator.validate(method as ContractMethod, 'result', result);
      return result;
    },
  };
}
