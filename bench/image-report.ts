// The image figures as the "Image pulls" section of bench/results.md: `podd pull` against `skopeo copy` of the same
// image in the same run, and podd's unpack throughput.
import { RUNS, median } from './common.js';
import { FILES_PER_LAYER, IMAGE_LAYERS, IMAGE_LAYER_MIB } from './image-bench.js';
import type { ImageFigures } from './image-bench.js';

export const IMAGE_HEADING = '## Image pulls';

const mb = (bytes: number): string => (bytes / 1e6).toFixed(1);
const mbps = (bytes: number, ms: number): string => (ms > 0 ? (bytes / 1e6 / (ms / 1000)).toFixed(0) : '');

/** Throughput as a multiple of the floor's (the floor's time over this one's). */
const ratio = (floorMs: number, ms: number): string => (ms > 0 ? (floorMs / ms).toFixed(2) : '');

export function imageSection(fig: ImageFigures, measuredOn: string): string[] {
  const skopeo = median(fig.skopeo);
  const pull = median(fig.pull);
  const imp = median(fig.import);
  const startup = median(fig.startup);
  const tar = median(fig.tar);
  const row = (what: string, ms: number, basis: number | undefined): string =>
    `| ${what} | ${ms.toFixed(1)} | ${basis === undefined || basis <= 0 ? '' : (ms / basis).toFixed(2)} |`;
  return [
    IMAGE_HEADING,
    '',
    `Measured ${measuredOn}, ${RUNS} runs of each, interleaved (the order alternating), after one unmeasured round; medians.`,
    'Ratios are against `skopeo copy` of the same image from the same registry in the same run.',
    '',
    `The image: ${fig.layers} layers, the busybox base and ${IMAGE_LAYERS} of ${IMAGE_LAYER_MIB} MiB of random bytes ` +
      `(${FILES_PER_LAYER} files each), ${mb(fig.uncompressedBytes)} MB uncompressed, ${mb(fig.compressedBytes)} MB as gzip blobs, ` +
      'in Debian\'s docker-registry on 127.0.0.1 (HTTP, loopback). Every run starts from an empty store or directory.',
    '',
    '| what | median ms | × skopeo |',
    '| --- | ---: | ---: |',
    row('`skopeo copy docker://… oci:DIR` (download and verify, no unpack)', skopeo, skopeo),
    row('`podd pull` into an empty store (download, verify, unpack, commit)', pull, skopeo),
    row('`podd image import` of the same image\'s OCI layout (unpack and commit, no network)', imp, skopeo),
    row('(of which node start + podd load: `podd version`)', startup, skopeo),
    `| (\`podd pull\` minus \`podd image import\`: the download's share, roughly¹) | ${(pull - imp).toFixed(1)} | ${skopeo > 0 ? ((pull - imp) / skopeo).toFixed(2) : ''} |`,
    '',
    '| throughput: uncompressed bytes / wall time | median ms | MB/s | × tar |',
    '| --- | ---: | ---: | ---: |',
    `| unpack floor: \`tar -xzf\` of each layer blob in turn (GNU tar, gzip) | ${tar.toFixed(1)} | ${mbps(fig.uncompressedBytes, tar)} | 1.00 |`,
    `| unpack: \`podd image import\` | ${imp.toFixed(1)} | ${mbps(fig.uncompressedBytes, imp)} | ${ratio(tar, imp)} |`,
    `| unpack: the same, net of node start + podd load | ${(imp - startup).toFixed(1)} | ${mbps(fig.uncompressedBytes, imp - startup)} | ${ratio(tar, imp - startup)} |`,
    `| \`podd pull\` (download included) | ${pull.toFixed(1)} | ${mbps(fig.uncompressedBytes, pull)} | ${ratio(tar, pull)} |`,
    '',
    `\`skopeo copy\` moves the gzip blobs at ${mbps(fig.compressedBytes, skopeo)} MB/s.`,
    '',
    'MB = 10⁶ bytes. Unpacking is gunzip, sha256 of the compressed and of the uncompressed stream, and the files written',
    '(podd\'s LayerWriter), each layer renamed into place under the store\'s lock.',
    '¹ `podd pull` fetches up to 3 layers at once, each downloaded to a file (fsynced), verified, then unpacked, so its',
    'downloads and unpacks overlap across layers: the difference is not a clean download time.',
  ];
}
