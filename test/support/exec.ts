// `docker exec` through dockerode: a command in a container of a machine's engine, its output.
import { dockerodeFor } from '../../src/providers/docker/connection.js';

export async function execIn(socket: string, container: string, cmd: string[]): Promise<string> {
  const docker = dockerodeFor(`unix://${socket}`);
  const exec = await docker.getContainer(container).exec({ Cmd: cmd, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  const chunks: Buffer[] = [];
  await new Promise<void>((resolve, reject) => {
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', resolve);
    stream.on('error', reject);
  });
  // Multiplexed stream: 8-byte frame headers (stream, 0, 0, 0, size), then the payload.
  const all = Buffer.concat(chunks);
  let out = '';
  for (let i = 0; i + 8 <= all.length; i += 8 + all.readUInt32BE(i + 4)) out += all.subarray(i + 8, i + 8 + all.readUInt32BE(i + 4)).toString('utf8');
  return out;
}
