// `node --import tsx bench/profiles/summarize-heap.ts <file.heapsnapshot>`: a V8 heap snapshot
// (e.g. from `node --heapsnapshot-signal=SIGUSR2`) summed by node type and by constructor name,
// self sizes in MiB: what the live heap is made of.
import { readFileSync } from 'node:fs';

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
  nodes: number[];
  strings: string[];
}

export function summarizeHeap(s: HeapSnapshot, top = 25): string {
  const { node_fields: fields, node_types: nodeTypes } = s.snapshot.meta;
  const width = fields.length;
  const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const types = nodeTypes[0];
  const byType = new Map<string, number>();
  const byName = new Map<string, number>();
  const count = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < s.nodes.length; i += width) {
    const type = types[s.nodes[i + typeAt] as number] as string;
    const size = s.nodes[i + sizeAt] as number;
    total += size;
    byType.set(type, (byType.get(type) ?? 0) + size);
    const name = type.includes('string') ? '(strings)' : `${type}: ${(s.strings[s.nodes[i + nameAt] as number] as string).slice(0, 60)}`;
    byName.set(name, (byName.get(name) ?? 0) + size);
    count.set(name, (count.get(name) ?? 0) + 1);
  }
  const mib = (b: number) => (b / 1048576).toFixed(2).padStart(7);
  const rows = (m: Map<string, number>, withCount: boolean) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => `${mib(v)} MiB  ${k}${withCount ? ` (${count.get(k)})` : ''}`)
      .join('\n');
  return `live ${mib(total)} MiB\n-- by type\n${rows(byType, false)}\n-- by name (count)\n${rows(byName, true)}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const f = process.argv[2];
  if (!f) throw new Error('usage: summarize-heap.ts <file.heapsnapshot>');
  console.log(summarizeHeap(JSON.parse(readFileSync(f, 'utf8')) as HeapSnapshot));
}
