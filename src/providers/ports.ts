/** Every port an action may use. The sandbox implements all of them; real adapters one each. */
import type { BackendPort } from './backend/port.js';
import type { RemoteConfigPort } from './config/port.js';
import type { MetricsPort } from './metrics/port.js';
import type { SignoffPort } from './signoff/port.js';
import type { Platform, StorePort } from './stores/port.js';

export interface Ports {
  config: RemoteConfigPort;
  backend: BackendPort;
  stores: Partial<Record<Platform, StorePort>>;
  signoff: SignoffPort;
  /** What staged-rollout gates read. */
  metrics: MetricsPort;
}
