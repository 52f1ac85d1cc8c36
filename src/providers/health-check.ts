/** One line of `release doctor`: a read-only check of one provider. */
export interface HealthCheck {
  ok: boolean;
  name: string;
  detail: string;
}
