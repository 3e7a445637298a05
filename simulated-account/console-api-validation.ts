import type { Members, Shape } from './console-api-shapes';
import { SwbServiceFault } from './errors';

/**
 * Holds a request to its operation's shape (console-api-shapes.ts) as a JSON 1.1 service does: a member the shape
 * does not have, or a value of another type, cannot be deserialized (SerializationException); a required member left
 * out fails validation (ValidationException, worded as AWS words it).
 */
export function checkRequest(operation: string, input: unknown, members: Members): void {
  const problem = mismatch(input, { structure: members }, '');
  if (!problem) return;
  throw new SwbServiceFault(operation, problem.kind, problem.message);
}

interface Mismatch {
  kind: 'SerializationException' | 'ValidationException';
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeMismatch(path: string, expected: string, value: unknown): Mismatch {
  return {
    kind: 'SerializationException',
    message: `Cannot deserialize ${path || 'the request'}: expected ${expected}, got ${Array.isArray(value) ? 'a list' : typeof value}`,
  };
}

function mismatch(value: unknown, shape: Shape, path: string): Mismatch | undefined {
  if (shape === 'any') return undefined;
  if (shape === 'string') return typeof value === 'string' ? undefined : typeMismatch(path, 'a string', value);
  if (shape === 'boolean') return typeof value === 'boolean' ? undefined : typeMismatch(path, 'a boolean', value);
  if (shape === 'integer') return Number.isInteger(value) ? undefined : typeMismatch(path, 'an integer', value);
  if (shape === 'timestamp') return typeof value === 'number' || typeof value === 'string' ? undefined : typeMismatch(path, 'a timestamp', value);
  if ('list' in shape) {
    if (!Array.isArray(value)) return typeMismatch(path, 'a list', value);
    for (const [index, item] of value.entries()) {
      const found = mismatch(item, shape.list, `${path}[${index}]`);
      if (found) return found;
    }
    return undefined;
  }
  if ('map' in shape) {
    if (!isRecord(value)) return typeMismatch(path, 'a map', value);
    for (const [key, item] of Object.entries(value)) {
      const found = mismatch(item, shape.map, `${path}.${key}`);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecord(value)) return typeMismatch(path, 'a structure', value);
  for (const name of Object.keys(value)) {
    if (!Object.hasOwn(shape.structure, name)) {
      return {
        kind: 'SerializationException',
        message: `Unrecognized field "${name}"${path ? ` in ${path}` : ''}: the operation's request has no such member`,
      };
    }
  }
  for (const [name, member] of Object.entries(shape.structure)) {
    const at = path ? `${path}.${name}` : name;
    const present = value[name];
    if (present === undefined || present === null) {
      if (member.required)
        return {
          kind: 'ValidationException',
          message: `1 validation error detected: Value null at '${at}' failed to satisfy constraint: Member must not be null`,
        };
      continue;
    }
    const found = mismatch(present, member.shape, at);
    if (found) return found;
  }
  return undefined;
}
