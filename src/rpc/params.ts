import { GuvError } from '../errors.js';

// RPC parameters arrive as untrusted JSON: these turn them into typed values or a
// GUV_BAD_ARGUMENT naming the field, once, at the boundary.

export function objectParams(params: unknown): Record<string, unknown> {
  if (params === undefined || params === null) return {};
  if (typeof params !== 'object' || Array.isArray(params)) {
    throw new GuvError('GUV_BAD_ARGUMENT', 'parameters must be an object');
  }
  return params as Record<string, unknown>;
}

export function stringParam(params: Record<string, unknown>, key: string): string {
  const value = params[key];
  if (typeof value !== 'string' || value.length === 0) {
    throw new GuvError('GUV_BAD_ARGUMENT', `"${key}" must be a non-empty string`);
  }
  return value;
}

export function optionalStringParam(params: Record<string, unknown>, key: string): string | null {
  return params[key] === undefined || params[key] === null ? null : stringParam(params, key);
}
