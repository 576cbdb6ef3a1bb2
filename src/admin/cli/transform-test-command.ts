// `sluice connector test-transform <name>`: runs a connector's transform (or one given with
// --transform) on sample messages or on its newest journaled records, and shows each input beside
// what the sink would receive. Nothing is written.
import type { Command } from 'commander';
import type { TransformTrial } from '../../core/transform/trial.js';
import { UsageError } from './cli-errors.js';
import { type ClientFlags, clientCommand, clientOf, connectorPath, tenantOf } from './client-options.js';
import { parseJsonObjectFlag, parsePositiveInt, readObjectFile } from './input.js';
import { printJson, printOut } from './output.js';

interface TestFlags extends ClientFlags {
  message?: string[];
  messages?: string;
  last?: number;
  transform?: string;
}

/** `topic=payload`: the first `=` separates them (a payload may hold more) */
function messageFlag(value: string, previous: { topic: string; payload: string }[] = []): { topic: string; payload: string }[] {
  const at = value.indexOf('=');
  if (at <= 0) throw new UsageError(`--message ${JSON.stringify(value)}: expected TOPIC=PAYLOAD`);
  return [...previous, { topic: value.slice(0, at), payload: value.slice(at + 1) }];
}

function messagesOf(flags: TestFlags): unknown[] | undefined {
  const given: unknown[] = [...(flags.message ?? [])];
  if (flags.messages !== undefined) {
    const file = readObjectFile(flags.messages);
    if (!Array.isArray(file.messages)) throw new UsageError(`--messages ${flags.messages}: expected an object with a "messages" array`);
    given.push(...(file.messages as unknown[]));
  }
  return given.length > 0 ? given : undefined;
}

function shown(m: { topic: string; payload: string; payload_encoding: string }): string {
  const payload = m.payload_encoding === 'base64' ? `base64:${m.payload}` : m.payload;
  return `${m.topic}  ${payload.length > 300 ? `${payload.slice(0, 300)}…` : payload}`;
}

function render(results: TransformTrial[]): string {
  return results
    .map((r, i) => {
      const head = `#${i + 1} ${shown(r.input)}`;
      if (r.outcome === 'filtered') return `${head}\n   → filtered (not sent)`;
      if (r.outcome === 'failed') return `${head}\n   → failed: ${r.error ?? ''}`;
      return [head, ...r.output.map((o) => `   → ${shown(o)}${o.user_properties ? `  ${JSON.stringify(o.user_properties)}` : ''}`)].join('\n');
    })
    .join('\n');
}

async function testTransform(name: string, flags: TestFlags): Promise<void> {
  const messages = messagesOf(flags);
  if (messages && flags.last !== undefined) throw new UsageError('--last and --message/--messages exclude each other');
  const body: Record<string, unknown> = {};
  if (flags.transform !== undefined) body.transform = parseJsonObjectFlag(flags.transform, '--transform');
  if (messages) body.messages = messages;
  else if (flags.last !== undefined) body.last = flags.last;
  const answer = await clientOf(flags).request<{ results: TransformTrial[] }>('POST', connectorPath(name, '/transform/test'), { query: { tenant: tenantOf(flags) }, body });
  if (flags.json) return printJson(answer);
  if (answer.results.length === 0) return printOut('no records to try: the journal holds none; give --message TOPIC=PAYLOAD');
  printOut(render(answer.results));
}

export function registerTransformTestCommand(connector: Command): void {
  clientCommand(connector, 'test-transform <name>', "run the connector's transform on sample messages or its newest journaled records, without writing anything", { tenant: true })
    .option('-m, --message <topic=payload>', 'a sample message (repeatable)', messageFlag)
    .option('--messages <file>', 'sample messages from a .json/.yaml file: {"messages": [{"topic": …, "payload": …}]}')
    .option('--last <n>', 'try the newest N records of the journal (the default, with N = 10)', parsePositiveInt)
    .option('--transform <json>', 'try this transform instead of the stored one')
    .action((name: string, flags: TestFlags) => testTransform(name, flags));
}

