/** The backend port: deploy, roll back, and read what is actually served. */
export interface DeployRequest {
  /** The version to make live (for a rollback: the one to go back to). */
  version: string;
  /** The version being replaced. */
  previousVersion: string | null;
  runId: string;
}

export interface BackendPort {
  readonly describe: string;
  /** The version the backend serves now, or null if it cannot tell. */
  servedVersion(signal?: AbortSignal): Promise<string | null>;
  deploy(req: DeployRequest, signal?: AbortSignal): Promise<void>;
  rollback(req: DeployRequest, signal?: AbortSignal): Promise<void>;
  /** Scenario A: is this API version (v1, v2) answering? */
  checkApi(name: string, signal?: AbortSignal): Promise<{ healthy: boolean; detail: string }>;
}
