// Which fixes to offer for an emulator that did not start, by the error's code. No `vscode` here.

/** The tag build-image.sh gives the image it builds from the installed binaries. */
export const LOCAL_IMAGE = 'luigi-spanner/emulator:local';

export type FailureChoice = 'useBinary' | 'buildImage' | 'setImage' | 'doctor' | 'showLog';

/**
 * Most useful first; a notification shows three buttons before folding the rest away, so the
 * concrete fixes come before Doctor and the log.
 */
export function emulatorFailureChoices(code: string | undefined, machine: { binaryInstalled: boolean; canBuildImage: boolean }): FailureChoice[] {
  switch (code) {
    case 'IMAGE_MISSING':
      return [...(machine.binaryInstalled ? (['useBinary'] as const) : []), 'setImage', ...(machine.canBuildImage ? (['buildImage'] as const) : []), 'doctor'];
    case 'NO_DOCKER':
    case 'NO_BACKEND':
      return [...(machine.binaryInstalled ? (['useBinary'] as const) : []), 'doctor', 'showLog'];
    case 'NO_BINARY':
    case 'NOT_READY':
    case 'PORT_BUSY':
      return ['doctor', 'showLog'];
    default:
      return ['showLog'];
  }
}
