import { StartedTestContainer } from "testcontainers";

const QUIET_MS = 500;
const MAX_WAIT_MS = 3_000;

/**
 * The last lines of a container's log, for error messages. testcontainers only offers a
 * following stream, so this reads until the stream goes quiet (or ends, for an exited container).
 */
export async function containerLogTail(container: StartedTestContainer, lines = 40): Promise<string> {
  try {
    const stream = await container.logs({ tail: lines });
    return await new Promise<string>((resolve) => {
      let text = "";
      let quietTimer: NodeJS.Timeout | undefined;
      const finish = () => {
        clearTimeout(quietTimer);
        clearTimeout(deadline);
        stream.removeAllListeners("data");
        stream.destroy();
        resolve(text.trimEnd());
      };
      const deadline = setTimeout(finish, MAX_WAIT_MS);
      const restartQuietTimer = () => {
        clearTimeout(quietTimer);
        quietTimer = setTimeout(finish, QUIET_MS);
      };
      stream.on("data", (chunk: Buffer | string) => {
        text += chunk.toString();
        restartQuietTimer();
      });
      stream.once("end", finish);
      stream.once("error", finish);
      restartQuietTimer();
    });
  } catch (error) {
    return `(container log unavailable: ${(error as Error).message})`;
  }
}
