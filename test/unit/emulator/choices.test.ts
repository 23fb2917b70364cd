// Which fixes an emulator failure offers: concrete ones first, only those this machine can do.
import { describe, expect, it } from 'vitest';
import { emulatorFailureChoices } from '../../../extension/vscode/emulator/choices';
import { describeEmulator } from '../../../emulator/src/describe';

describe('emulatorFailureChoices', () => {
  it('a missing image offers the installed binary, another image, a local build and Doctor', () => {
    expect(emulatorFailureChoices('IMAGE_MISSING', { binaryInstalled: true, canBuildImage: true })).toEqual(['useBinary', 'setImage', 'buildImage', 'doctor']);
  });

  it('offers neither the binary nor a build where the binary is not installed', () => {
    expect(emulatorFailureChoices('IMAGE_MISSING', { binaryInstalled: false, canBuildImage: false })).toEqual(['setImage', 'doctor']);
    expect(emulatorFailureChoices('NO_DOCKER', { binaryInstalled: false, canBuildImage: false })).toEqual(['doctor', 'showLog']);
    expect(emulatorFailureChoices('NO_DOCKER', { binaryInstalled: true, canBuildImage: true })[0]).toBe('useBinary');
  });

  it('anything else leads to the log', () => {
    expect(emulatorFailureChoices(undefined, { binaryInstalled: true, canBuildImage: true })).toEqual(['showLog']);
  });
});

describe('describeEmulator', () => {
  it('names the emulator, its backend, address and handle', () => {
    expect(describeEmulator({ backend: 'docker', host: '127.0.0.1:1234', handle: 'abcdef0123456789', reused: true, faultInjection: false, name: 'default' })).toBe(
      'emulator "default" (docker at 127.0.0.1:1234, container abcdef012345)',
    );
    expect(describeEmulator({ backend: 'binary', host: '127.0.0.1:5', handle: '42', reused: true, faultInjection: true, name: 'chaos' })).toBe(
      'emulator "chaos" (binary at 127.0.0.1:5, fault injection, process group 42)',
    );
  });
});
