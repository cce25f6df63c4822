import type { K8sObject } from './chart-kit.js';

/** Where the offline OpenAPI models of each API group live: core and built-in groups, and the Prometheus Operator's. */
function modelModule(apiVersion: string): string {
  if (apiVersion.startsWith('monitoring.coreos.com/')) return `@kubernetes-models/prometheus-operator/${apiVersion}`;
  return `kubernetes-models/${apiVersion}`;
}

interface Model {
  validate(): void;
}
type ModelClass = new (data: unknown) => Model;

/**
 * Validates one rendered object against the Kubernetes API schema of its
 * apiVersion and kind (types, required fields, enums), as the API server
 * would. An object of a kind without a model fails: nothing goes unchecked.
 */
export async function validateAgainstKubernetesSchema(object: K8sObject): Promise<void> {
  let models: Record<string, unknown>;
  try {
    models = (await import(modelModule(object.apiVersion))) as Record<string, unknown>;
  } catch (error) {
    throw new Error(`no Kubernetes models for apiVersion ${object.apiVersion} (${object.kind} ${object.metadata.name})`, { cause: error });
  }
  const Model = models[object.kind] as ModelClass | undefined;
  if (typeof Model !== 'function') throw new Error(`no Kubernetes model for ${object.apiVersion} ${object.kind}`);
  try {
    new Model(object).validate();
  } catch (error) {
    throw new Error(`${object.kind} ${object.metadata.name} does not match the ${object.apiVersion} schema: ${(error as Error).message}`, { cause: error });
  }
}
