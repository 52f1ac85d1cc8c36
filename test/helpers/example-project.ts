/** A project directory whose release config is the example app with these sections; every other port is the sandbox's. */
import { testdir } from './testdir.js';

export function exampleProject(sections: string, files: Record<string, string> = {}): string {
  return testdir({
    ...files,
    'release.config.yaml': `app:
  name: Example Shop
  version: 2.0.0
  ios: { bundleId: com.example.shop }
  android: { package: com.example.shop, versionCode: 200 }
${sections}
sandbox: { liveVersion: 1.4.2, backendVersion: 1.4.2 }
`,
  });
}
