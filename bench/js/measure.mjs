// Times contenders against each other in one process, for ratios that survive a shared, noisy
// machine: every contender runs in batches of a calibrated size, round after round, in an order
// that rotates each round (so none always runs first, warm or after another's garbage), and the
// result is the median of the rounds' ns per operation.

/**
 * A contender: `runBatch(n)` performs the operation n times (synchronously, or returning a
 * promise that settles after the n-th); `check()`, optional, runs after each timed batch,
 * untimed, and throws when the batch did not do what it claims (e.g. a cache read missed).
 * @typedef {{ runBatch: (n: number) => unknown, check?: () => void }} Contender
 */

async function timeBatch(contender, n) {
  const start = process.hrtime.bigint();
  await contender.runBatch(n);
  const elapsedNs = Number(process.hrtime.bigint() - start);
  if (contender.check) contender.check();
  return elapsedNs;
}

// Runs the contender for warmupMs in growing batches, so the JIT tiers (V8's wasm tier-up
// included: our module's first few hundred ms run in its baseline compiler) are done before
// the batch size is calibrated.
async function warmUp(contender, warmupMs) {
  const deadline = process.hrtime.bigint() + BigInt(Math.round(warmupMs * 1e6));
  for (let n = 1; process.hrtime.bigint() < deadline; ) {
    if ((await timeBatch(contender, n)) < 10e6) n *= 2;
  }
}

// The smallest power-of-two batch that takes at least batchMs; running it also warms the
// contender up further.
async function calibrate(contender, batchMs) {
  const targetNs = batchMs * 1e6;
  for (let n = 1; ; n *= 2) {
    if ((await timeBatch(contender, n)) >= targetNs || n >= 2 ** 30) return n;
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Measures each contender's ns per operation.
 * @param {Record<string, Contender>} contenders
 * @param {{ rounds: number, batchMs: number, warmupMs: number }} plan
 * @returns {Promise<Record<string, { nsPerOp: number, batch: number, roundsNsPerOp: number[] }>>}
 */
export async function compare(contenders, { rounds, batchMs, warmupMs }) {
  const names = Object.keys(contenders);
  const batch = {};
  for (const name of names) {
    await warmUp(contenders[name], warmupMs);
    batch[name] = await calibrate(contenders[name], batchMs);
  }
  const samples = Object.fromEntries(names.map((name) => [name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < names.length; i++) {
      const name = names[(i + round) % names.length];
      samples[name].push((await timeBatch(contenders[name], batch[name])) / batch[name]);
    }
  }
  return Object.fromEntries(
    names.map((name) => [name, { nsPerOp: median(samples[name]), batch: batch[name], roundsNsPerOp: samples[name] }]),
  );
}
