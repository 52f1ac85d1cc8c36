/** The backend port: deploy, roll back, and read what is actually served. */
import type { HealthCheck } from '../health-check.js';

/** The same meaning for deploy and rollback: a rollback goes from the new version to the old. */
export interface DeployRequest {
  /** The version being replaced (null: the backend cannot tell what it serves). */
  fromVersion: string | null;
  /** The version to make live. */
  toVersion: string;
  runId: string;
}

export interface DeployOptions {
  signal?: AbortSignal;
  /** The deploy's output, line by line, as it comes. */
  output?: (line: string) => void;
  /** Progress of the wait for the new version to serve. */
  progress?: (message: string) => void;
}

export interface BackendPort {
  readonly describe: string;
  /** The version the backend serves now, or null if it cannot tell. */
  servedVersion(signal?: AbortSignal): Promise<string | null>;
  /** Deploys, then waits until `version` serves. */
  deploy(req: DeployRequest, opts?: DeployOptions): Promise<void>;
  /** Rolls back, then waits until `version` serves again. */
  rollback(req: DeployRequest, opts?: DeployOptions): Promise<void>;
  /**
   * After a crash: waits for a deploy or rollback an earlier process started and that is still
   * running, so the served version read next is not a snapshot of a deploy in flight.
   * Returns what still runs if it did not finish in time.
   */
  settle?(signal?: AbortSignal): Promise<string | undefined>;
  /** Scenario A: is this API version (v1, v2) answering? */
  checkApi(name: string, signal?: AbortSignal): Promise<{ healthy: boolean; detail: string }>;
  check?(signal?: AbortSignal): Promise<HealthCheck[]>;
}
