// Reading the few figures the health page needs from Prometheus text (`/metrics`).

/** The sum of every series of metric `name` in Prometheus text (0 when absent). */
export function metricSum(text, name) {
  let sum = 0;
  for (const line of (text || "").split("\n")) {
    if (!line.startsWith(name) || !/[ {]/.test(line[name.length] || "")) continue;
    const value = Number(line.slice(line.lastIndexOf(" ") + 1));
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** The webhook figures of a /metrics text: deliveries so far, and the ack-time sum and count. */
export function webhookFigures(text) {
  return {
    received: metricSum(text, "muxd_webhooks_total"),
    ackSeconds: metricSum(text, "muxd_webhook_ack_seconds_sum"),
    acks: metricSum(text, "muxd_webhook_ack_seconds_count"),
  };
}

/** Webhooks per interval and their mean ack time (ms) between two readings. */
export function webhookRate(now, before) {
  if (!now || !before) return { count: 0, ackMs: 0 };
  const acks = now.acks - before.acks;
  return {
    count: Math.max(0, now.received - before.received),
    ackMs: acks > 0 ? Math.round((1000 * (now.ackSeconds - before.ackSeconds)) / acks) : 0,
  };
}
