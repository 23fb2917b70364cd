// How the CLI ends. It has to end itself: the Spanner client installs SIGINT/SIGTERM handlers and
// keeps handles open, so the process would otherwise stay alive after a command. But stdout and
// stderr are asynchronous when they are pipes (on Linux), and `process.exit` drops whatever the
// reader has not taken yet: `graph --format json | jq` got the first 64-128 KiB and exit 0.
// Every exit goes through here, so every command's output arrives whole.

/** Ends the process with `code` once everything written to stdout and stderr so far has been handed to the OS. */
export function exitWhenFlushed(code: number): void {
  process.exitCode = code;
  let pending = 2;
  const done = () => {
    if (--pending === 0) process.exit(code);
  };
  // Writes complete in order: the callback of an empty write runs once every earlier chunk is out.
  for (const stream of [process.stdout, process.stderr]) {
    if (stream.destroyed || stream.writableEnded) done();
    else stream.write('', done);
  }
}

/**
 * A reader that stops early (`luigi-spanner graph | head`) closes the pipe: further writes fail with
 * EPIPE. That is the reader's choice, not an error of the command: end quietly with the exit code
 * the command has set so far, instead of an unhandled 'error' event and a stack trace.
 */
export function exitQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      // Any other failure to write (a full disk behind a redirect) loses output: say so in the exit code.
      process.exit(2);
    });
  }
}
