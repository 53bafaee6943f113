import { QdbtError, QdbtErrors } from '../../../src/errors.js';

/** The error(s) thrown by `fn`, as a flat list. */
export function errorsOf(fn: () => unknown): QdbtError[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof QdbtErrors) return e.errors;
    if (e instanceof QdbtError) return [e];
    throw e;
  }
  throw new Error('expected an error, none was thrown');
}

/** The single error thrown by `fn`. */
export function errorOf(fn: () => unknown): QdbtError {
  const errors = errorsOf(fn);
  if (errors.length !== 1)
    throw new Error(`expected one error, got ${errors.length}:\n${errors.map((e) => e.format()).join('\n')}`);
  return errors[0]!;
}

/** `file:line:col: message` of an error. */
export function where(e: QdbtError): string {
  return `${e.location?.file}:${e.location?.line}:${e.location?.column}`;
}
