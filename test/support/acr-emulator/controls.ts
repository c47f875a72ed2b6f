/**
 * Test controls under /_emulator/ (not part of ACR): reset, request counters, fault rules,
 * the auth switch, and the Entra tokens seen at /oauth2/exchange. client.ts wraps them.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { badRequest, HttpError, readJson, sendJson } from './http.js';
import type { RequestTarget } from './paths.js';
import type { EmulatorState, FaultRule } from './state.js';

type Control = (state: EmulatorState, req: IncomingMessage, res: ServerResponse) => Promise<void>;

const controls: Record<string, Control> = {
  'POST /_emulator/reset': async (state, _req, res) => {
    state.reset();
    sendJson(res, 200, { reset: true });
  },
  'GET /_emulator/requests': async (state, _req, res) => {
    sendJson(res, 200, { requests: state.requestCounts() });
  },
  'DELETE /_emulator/requests': async (state, _req, res) => {
    state.clearCounts();
    sendJson(res, 200, { requests: [] });
  },
  'GET /_emulator/faults': async (state, _req, res) => {
    sendJson(res, 200, { faults: state.faultStatus() });
  },
  'POST /_emulator/faults': async (state, req, res) => {
    sendJson(res, 201, { fault: state.addFault(parseFault(await readJson(req))) });
  },
  'DELETE /_emulator/faults': async (state, _req, res) => {
    state.clearFaults();
    sendJson(res, 200, { faults: [] });
  },
  'GET /_emulator/auth': async (state, _req, res) => {
    sendJson(res, 200, { enabled: state.authEnabled });
  },
  'PUT /_emulator/auth': async (state, req, res) => {
    const body = (await readJson(req)) as { enabled?: unknown };
    if (typeof body.enabled !== 'boolean') throw badRequest('enabled: expected true or false');
    state.authEnabled = body.enabled;
    sendJson(res, 200, { enabled: state.authEnabled });
  },
  'GET /_emulator/exchanges': async (state, _req, res) => {
    sendJson(res, 200, { exchanges: state.exchanges });
  },
};

export async function handleControl(
  state: EmulatorState,
  req: IncomingMessage,
  res: ServerResponse,
  target: RequestTarget,
): Promise<void> {
  const control = controls[`${req.method ?? ''} ${target.path}`];
  if (!control) {
    throw new HttpError(404, {
      code: 'NOT_FOUND',
      message: `no control ${req.method} ${target.path}`,
    });
  }
  await control(state, req, res);
}

function parseFault(body: unknown): FaultRule {
  const rule = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  if (typeof rule.path !== 'string' || rule.path === '') {
    throw badRequest('path: expected a regular expression over the request path');
  }
  try {
    new RegExp(rule.path);
  } catch (err) {
    throw badRequest(`path: "${rule.path}" is not a regular expression: ${String(err)}`);
  }
  const methods = rule.methods;
  if (
    methods !== undefined &&
    !(Array.isArray(methods) && methods.every((m) => typeof m === 'string'))
  ) {
    throw badRequest('methods: expected an array of HTTP methods');
  }
  return {
    path: rule.path,
    ...(methods ? { methods: (methods as string[]).map((m) => m.toUpperCase()) } : {}),
    status: integer(rule.status, 'status', 429, 400),
    retryAfter: integer(rule.retryAfter, 'retryAfter', 1, 0),
    every: integer(rule.every, 'every', 1, 1),
    ...(rule.times !== undefined ? { times: integer(rule.times, 'times', 1, 0) } : {}),
  };
}

function integer(value: unknown, name: string, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
    throw badRequest(`${name}: expected an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return value;
}
