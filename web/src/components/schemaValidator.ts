// A JSON Schema validator for the analysis forms, without code generation: the app's CSP forbids
// eval, which Ajv needs to compile schemas. It checks the subset the API's form schemas use (the same
// subset `shared/src/domain/analysis.rs` checks on the server, which stays the judge): required,
// string/integer/array types, lengths, bounds, enums and array items.
import type { ErrorSchema, RJSFSchema, RJSFValidationError, ValidationData, ValidatorType } from '@rjsf/utils';

type Json = Record<string, unknown>;

export interface FieldProblem {
  /// `goal`, or `competitors.2` for an array item.
  path: string[];
  message: string;
}

function checkValue(rule: Json, value: unknown): string | null {
  switch (rule.type) {
    case 'string': {
      if (typeof value !== 'string') return 'must be text';
      const length = [...value].length;
      if (typeof rule.minLength === 'number' && length < rule.minLength) {
        return rule.minLength === 1 ? 'must not be empty' : `must be at least ${rule.minLength} characters`;
      }
      if (typeof rule.maxLength === 'number' && length > rule.maxLength) return `must be at most ${rule.maxLength} characters`;
      break;
    }
    case 'integer': {
      if (typeof value !== 'number' || !Number.isInteger(value)) return 'must be a whole number';
      if (typeof rule.minimum === 'number' && value < rule.minimum) return `must be at least ${rule.minimum}`;
      if (typeof rule.maximum === 'number' && value > rule.maximum) return `must be at most ${rule.maximum}`;
      break;
    }
    case 'array': {
      if (!Array.isArray(value)) return 'must be a list';
      if (typeof rule.minItems === 'number' && value.length < rule.minItems) return `needs at least ${rule.minItems}`;
      if (typeof rule.maxItems === 'number' && value.length > rule.maxItems) return `takes at most ${rule.maxItems}`;
      break;
    }
  }
  if (Array.isArray(rule.enum) && !rule.enum.includes(value)) return 'is not one of the choices';
  return null;
}

/// Every problem of `data` against a form schema; empty when it is valid.
export function problems(schema: Json, data: unknown): FieldProblem[] {
  const found: FieldProblem[] = [];
  const object = (data ?? {}) as Json;
  const properties = (schema.properties ?? {}) as Record<string, Json>;
  for (const name of (schema.required ?? []) as string[]) {
    const value = object[name];
    if (value === undefined || value === null || value === '') found.push({ path: [name], message: 'is required' });
  }
  for (const [name, value] of Object.entries(object)) {
    const rule = properties[name];
    if (value === undefined || value === null || !rule) continue;
    const problem = checkValue(rule, value);
    if (problem) found.push({ path: [name], message: problem });
    if (Array.isArray(value) && rule.items) {
      value.forEach((item, i) => {
        const itemProblem = item === undefined || item === null ? 'must not be empty' : checkValue(rule.items as Json, item);
        if (itemProblem) found.push({ path: [name, String(i)], message: itemProblem });
      });
    }
  }
  return found;
}

/// The API's message for an `inputs` field (`competitors[2]: must be …`) as a problem of that field.
export function problemFromServer(message: string): FieldProblem | null {
  const match = /^(?:inputs: )?([A-Za-z_]\w*)(?:\[(\d+)\])?: (.+)$/.exec(message);
  if (!match || match[1] === undefined || match[3] === undefined) return null;
  return { path: match[2] === undefined ? [match[1]] : [match[1], match[2]], message: match[3] };
}

export function errorSchemaOf(found: FieldProblem[]): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const { path, message } of found) {
    let node = root;
    for (const key of path) node = (node[key] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(message);
  }
  return root as ErrorSchema;
}

export const formValidator: ValidatorType = {
  validateFormData(formData: unknown, schema: RJSFSchema): ValidationData<unknown> {
    const found = problems(schema as Json, formData);
    const errors: RJSFValidationError[] = found.map(({ path, message }) => ({
      property: `.${path.join('.')}`,
      message,
      stack: `${path.join('.')} ${message}`,
    }));
    return { errors, errorSchema: errorSchemaOf(found) };
  },
  isValid(schema: RJSFSchema, formData: unknown): boolean {
    return problems(schema as Json, formData).length === 0;
  },
  rawValidation<Result>(schema: RJSFSchema, formData?: unknown) {
    return { errors: problems(schema as Json, formData) as Result[] };
  },
};
