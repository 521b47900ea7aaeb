// Reading one file out of a container's filesystem: GET /containers/{id}/archive answers with a tar.
import type Dockerode from 'dockerode';
import { extract } from 'tar-stream';
import { tolerate } from '../../engine/errors.js';

/** The text of the file at `path` in the container, or undefined when it is not there (an engine that does not answer is an error, not "no file"). */
export async function readContainerFile(container: Dockerode.Container, path: string): Promise<string | undefined> {
  const archive = await container.getArchive({ path }).catch(tolerate('notFound'));
  if (!archive) return undefined;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const tar = extract();
    tar.on('entry', (header, stream, next) => {
      if (header.type === 'file') stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', next);
      stream.resume();
    });
    tar.on('finish', () => resolve(chunks.length ? Buffer.concat(chunks).toString('utf8') : undefined));
    tar.on('error', reject);
    archive.pipe(tar);
  });
}
