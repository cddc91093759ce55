// `podd image import`, `podd images`, `podd rmi`: thin verbs over the local image store.
import { imageStore } from '../bin/compose.js';
import type { NodeConfig } from '../bin/node-config.js';

function humanSize(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v < 10 && i > 0 ? v.toFixed(2) : v.toFixed(i > 0 ? 1 : 0)}${units[i] ?? ''}`;
}

export async function importCommand(cfg: NodeConfig, file: string, name: string): Promise<number> {
  const image = await imageStore(cfg).importArchive(file, name);
  process.stdout.write(`${image.name} ${image.id}\n`);
  return 0;
}

export async function imagesCommand(cfg: NodeConfig): Promise<number> {
  const images = await imageStore(cfg).list();
  const rows = [['IMAGE', 'TAG', 'IMAGE ID', 'SIZE']];
  for (const img of images) {
    const at = img.name.lastIndexOf(':');
    const slash = img.name.lastIndexOf('/');
    const [repo, tag] = at > slash ? [img.name.slice(0, at), img.name.slice(at + 1)] : [img.name, '<none>'];
    rows.push([repo, tag, img.id.replace(/^sha256:/, '').slice(0, 12), humanSize(img.size)]);
  }
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  for (const r of rows) process.stdout.write(`${r.map((c, i) => c.padEnd((widths[i] ?? 0) + 3)).join('').trimEnd()}\n`);
  return 0;
}

export async function rmiCommand(cfg: NodeConfig, name: string): Promise<number> {
  await imageStore(cfg).remove(name);
  process.stdout.write(`Untagged: ${name}\n`);
  return 0;
}
