import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ParseOption, XmlBufferInputProvider, XmlDocument, xmlRegisterInputProvider, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import type { ApplicationUsage } from '../domain/application-usages.js';
import { conflict } from '../domain/xcap-failure.js';
import type { DocumentValidator } from '../documents/document-checks.js';

/** The package's schemas/ folder: the RFC schemas, transcribed, one .xsd per namespace. */
const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));
/** Where the schemas appear to libxml2: a name no file or URL has, so an import resolves only to our copies. */
const SCHEMA_BASE = 'xcap-schemas/';
/** What libxml2 may do while parsing a schema or document: no network, no entity expansion. */
const SAFE_PARSE = ParseOption.XML_PARSE_NONET;

let provided = false;

/**
 * XML Schema validation with libxml2-wasm (libxml2's XSD engine compiled to
 * WebAssembly: no native build, no network). One compiled validator per
 * usage, built at start from schemas/; every resulting document is checked
 * after the hardened reader has passed it (no DOCTYPE reaches libxml2). The
 * first libxml2 complaint becomes the phrase of the 409.
 */
export class XsdDocumentValidator implements DocumentValidator {
  private readonly validators = new Map<string, XsdValidator>();

  constructor(usages: readonly ApplicationUsage[]) {
    registerSchemas();
    for (const usage of usages) {
      const schema = XmlDocument.fromBuffer(readFileSync(`${SCHEMA_DIR}${usage.schema}`), { url: `${SCHEMA_BASE}${usage.schema}`, option: SAFE_PARSE });
      try {
        this.validators.set(usage.auid, XsdValidator.fromDoc(schema));
      } finally {
        schema.dispose();
      }
    }
  }

  validate(usage: ApplicationUsage, document: string): void {
    const validator = this.validators.get(usage.auid);
    if (validator === undefined) throw new Error(`no schema loaded for ${usage.auid}`);
    const parsed = XmlDocument.fromString(document, { option: SAFE_PARSE });
    try {
      validator.validate(parsed);
    } catch (error) {
      if (!(error instanceof XmlValidateError)) throw error;
      const first = error.details[0]?.message.trim() ?? error.message;
      throw conflict('schema-validation-error', first.replace(/\{[^}]*\}/g, ''));
    } finally {
      parsed.dispose();
    }
  }

  close(): void {
    for (const validator of this.validators.values()) validator.dispose();
    this.validators.clear();
  }
}

/** Makes schemas/ readable to libxml2 under SCHEMA_BASE (imports resolve relative to it); once per process. */
function registerSchemas(): void {
  if (provided) return;
  const files: Record<string, Uint8Array> = {};
  for (const file of readdirSync(SCHEMA_DIR)) if (file.endsWith('.xsd')) files[`${SCHEMA_BASE}${file}`] = readFileSync(`${SCHEMA_DIR}${file}`);
  xmlRegisterInputProvider(new XmlBufferInputProvider(files));
  provided = true;
}
