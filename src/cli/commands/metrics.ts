import type { CliCommand } from '../command.js';
import { withClient } from '../connect.js';

/** `guv metrics [--prometheus]`: every process's figures as OpenMetrics (or Prometheus 0.0.4) text. */
const metrics: CliCommand<{ prometheus?: boolean }> = async ({ options: values }, io) => {
  const format = values.prometheus ? 'prometheus' : 'openmetrics';
  const text = await withClient(io.env, (client) => client.metrics(format));
  io.stdout.write(text);
  return 0;
};

export default metrics;
